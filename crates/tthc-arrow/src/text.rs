//! Text cells of Arrow arrays: for messages, dossier ids and labels.

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;

/// Whether a type holds text (a string type, or a dictionary of one).
pub(crate) fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// A cell as text (empty for null or past the end): strings, dictionaries, integers, floats,
/// booleans.
pub(crate) fn text_value(array: &dyn Array, i: usize) -> String {
    cell(array, i).map(Cow::into_owned).unwrap_or_default()
}

/// Row `i` of a `Utf8` or `LargeUtf8` array, its offsets and text checked: such a column's text
/// is proven valid by the reader that interns it ([`crate::codes::string_ids`]), and a message
/// about a row may be written before or without it (empty for offsets that do not hold, the
/// replacement character for bytes that are not UTF-8).
fn offset_cell<O: arrow_array::OffsetSizeTrait>(
    s: &arrow_array::GenericStringArray<O>,
    i: usize,
) -> Cow<'_, str> {
    let offsets = s.value_offsets();
    let bytes = offsets
        .get(i)
        .and_then(|o| o.to_usize())
        .zip(offsets.get(i + 1).and_then(|o| o.to_usize()))
        .and_then(|(from, to)| s.values().as_slice().get(from..to))
        .unwrap_or_default();
    String::from_utf8_lossy(bytes)
}

/// A cell as text, borrowed where the array holds strings; `None` for null.
pub(crate) fn cell(array: &dyn Array, i: usize) -> Option<Cow<'_, str>> {
    if i >= array.len() || array.is_null(i) {
        return None;
    }
    if let Some(s) = array.as_string_opt::<i32>() {
        return Some(offset_cell(s, i));
    }
    if let Some(s) = array.as_string_opt::<i64>() {
        return Some(offset_cell(s, i));
    }
    if let Some(s) = array.as_string_view_opt() {
        return Some(Cow::Borrowed(s.value(i)));
    }
    if let Some(d) = array.as_any_dictionary_opt() {
        // the key of one row (a one-row slice: normalising every key per call is quadratic)
        let one = d.keys().slice(i, 1);
        let key = crate::codes::code_values(one.as_ref())?.get(0)?;
        let key = usize::try_from(key).ok()?;
        let values = d.values();
        if key >= values.len() {
            return None;
        }
        return cell(values.as_ref(), key).map(|c| Cow::Owned(c.into_owned()));
    }
    if let Some(b) = array.as_boolean_opt() {
        return Some(Cow::Owned(b.value(i).to_string()));
    }
    macro_rules! number {
        ($($t:ty),*) => {
            $(
                if let Some(p) = array.as_primitive_opt::<$t>() {
                    return Some(Cow::Owned(p.value(i).to_string()));
                }
            )*
        };
    }
    use arrow_array::types::{
        Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
        UInt32Type, UInt64Type, UInt8Type,
    };
    number!(
        Int8Type,
        Int16Type,
        Int32Type,
        Int64Type,
        UInt8Type,
        UInt16Type,
        UInt32Type,
        UInt64Type,
        Float32Type,
        Float64Type
    );
    None
}
