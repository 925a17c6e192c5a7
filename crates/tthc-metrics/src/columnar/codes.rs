//! Coded columns (status, channel, online level, name codes): one integer a row, borrowed as it
//! arrives and read through a lookup table.

/// The raw integers of a coded column as they arrive: any Arrow integer width, borrowed.
///
/// # Example
/// ```
/// use tthc_metrics::columnar::CodeValues;
/// let v = CodeValues::I8(&[-1, 4]);
/// assert_eq!(v.len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub enum CodeValues<'a> {
    /// `uint8` values.
    U8(&'a [u8]),
    /// `int8` values.
    I8(&'a [i8]),
    /// `uint16` values.
    U16(&'a [u16]),
    /// `int16` values.
    I16(&'a [i16]),
    /// `uint32` values.
    U32(&'a [u32]),
    /// `int32` values.
    I32(&'a [i32]),
    /// `uint64` values.
    U64(&'a [u64]),
    /// `int64` values.
    I64(&'a [i64]),
}

impl CodeValues<'_> {
    /// Number of rows.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::columnar::CodeValues::U32(&[]).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Self::U8(v) => v.len(),
            Self::I8(v) => v.len(),
            Self::U16(v) => v.len(),
            Self::I16(v) => v.len(),
            Self::U32(v) => v.len(),
            Self::I32(v) => v.len(),
            Self::U64(v) => v.len(),
            Self::I64(v) => v.len(),
        }
    }

    /// Whether the column has no row.
    ///
    /// # Example
    /// ```
    /// assert!(!tthc_metrics::columnar::CodeValues::U8(&[1]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s raw value (`None` past the end).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::columnar::CodeValues::I8(&[-3]).get(0), Some(-3));
    /// ```
    #[allow(clippy::cast_possible_wrap)] // u64 codes above i64::MAX are not codes of anything
    pub fn get(&self, i: usize) -> Option<i64> {
        Some(match self {
            Self::U8(v) => i64::from(*v.get(i)?),
            Self::I8(v) => i64::from(*v.get(i)?),
            Self::U16(v) => i64::from(*v.get(i)?),
            Self::I16(v) => i64::from(*v.get(i)?),
            Self::U32(v) => i64::from(*v.get(i)?),
            Self::I32(v) => i64::from(*v.get(i)?),
            Self::U64(v) => *v.get(i)? as i64,
            Self::I64(v) => *v.get(i)?,
        })
    }
}

/// A coded column (status, channel, online level, group): one integer a row, borrowed as it
/// arrives and read either as is or through a lookup table, so that an Arrow `int8` status
/// column or a dictionary's keys reach the kernel without being copied.
///
/// Row `i`'s code is `map[v]`, where `v` is the raw value read as an unsigned integer of its own
/// width (the `int8` value −1 reads entry 255), or `v` itself when there is no map. A value past
/// the map's end, or too large for `T` without a map, reads as the `invalid` code the reader
/// names (for a status: not a status code, a rejected record).
///
/// # Example
/// ```
/// use tthc_metrics::columnar::{Codes, CodeValues};
/// // an export's int8 status numbers 9 and 10 both mean "finished": column codes 9 and 10
/// let mut map = [255u8; 256];
/// map[9] = 9;
/// map[10] = 10;
/// let c = Codes::mapped(CodeValues::I8(&[9, 10, -1]), &map);
/// assert_eq!((c.get(0, 255), c.get(1, 255), c.get(2, 255)), (9, 10, 255));
/// let plain: Codes<'_, u32> = Codes::from(&[3u32, 1][..]);
/// assert_eq!(plain.get(1, 0), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a, T> {
    values: CodeValues<'a>,
    map: Option<&'a [T]>,
}

impl<'a, T> Codes<'a, T> {
    /// Raw values used as codes directly.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::{Codes, CodeValues};
    /// assert_eq!(Codes::<u8>::new(CodeValues::U8(&[4])).get(0, 0), 4);
    /// ```
    pub fn new(values: CodeValues<'a>) -> Self {
        Self { values, map: None }
    }

    /// Raw values read through `map` (see [`Codes`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::{Codes, CodeValues};
    /// assert_eq!(Codes::mapped(CodeValues::I32(&[1]), &[7u32, 8]).get(0, 0), 8);
    /// ```
    pub fn mapped(values: CodeValues<'a>, map: &'a [T]) -> Self {
        Self {
            values,
            map: Some(map),
        }
    }

    /// Number of rows.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::columnar::Codes::<u8>::from(&[1u8, 2][..]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is no row (an absent group column: every row in group 0).
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::columnar::Codes::<u32>::from(&[][..]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw values.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::{Codes, CodeValues};
    /// assert_eq!(Codes::<u8>::new(CodeValues::I16(&[-2])).values().get(0), Some(-2));
    /// ```
    pub fn values(&self) -> CodeValues<'a> {
        self.values
    }
}

impl<T: Copy + TryFrom<u64>> Codes<'_, T> {
    /// Row `i`'s code, `invalid` when the raw value has none (or past the end).
    ///
    /// # Example
    /// see [`Codes`].
    pub fn get(&self, i: usize, invalid: T) -> T {
        let raw = match self.values {
            CodeValues::U8(v) => v.get(i).map(|&x| u64::from(x)),
            CodeValues::I8(v) => v.get(i).map(|&x| u64::from(x as u8)),
            CodeValues::U16(v) => v.get(i).map(|&x| u64::from(x)),
            CodeValues::I16(v) => v.get(i).map(|&x| u64::from(x as u16)),
            CodeValues::U32(v) => v.get(i).map(|&x| u64::from(x)),
            CodeValues::I32(v) => v.get(i).map(|&x| u64::from(x as u32)),
            CodeValues::U64(v) => v.get(i).copied(),
            CodeValues::I64(v) => v.get(i).map(|&x| x as u64),
        };
        raw.map_or(invalid, |r| self.code(r, invalid))
    }

    #[inline]
    fn code(&self, raw: u64, invalid: T) -> T {
        match self.map {
            Some(m) => usize::try_from(raw)
                .ok()
                .and_then(|r| m.get(r))
                .copied()
                .unwrap_or(invalid),
            None => T::try_from(raw).unwrap_or(invalid),
        }
    }

    /// Writes the codes of rows `start..start + out.len()` into `out` (`invalid` past the end).
    /// One loop per width; an 8-bit column read through a map of 256 entries or more pays no
    /// bounds check.
    pub(crate) fn fill_block(&self, start: usize, out: &mut [T], invalid: T) {
        let n = out.len();
        if start + n > self.len() {
            out.fill(invalid);
            return;
        }
        macro_rules! fill {
            ($v:expr, $to_u64:expr) => {{
                let src = &$v[start..start + n];
                match self.map {
                    Some(m)
                        if m.len() >= 256
                            && matches!(self.values, CodeValues::U8(_) | CodeValues::I8(_)) =>
                    {
                        let m: &[T; 256] = m[..256].try_into().expect("256 entries");
                        for (o, &x) in out.iter_mut().zip(src) {
                            *o = m[($to_u64(x) & 0xFF) as usize];
                        }
                    }
                    _ => {
                        for (o, &x) in out.iter_mut().zip(src) {
                            *o = self.code($to_u64(x), invalid);
                        }
                    }
                }
            }};
        }
        match self.values {
            CodeValues::U8(v) => fill!(v, u64::from),
            CodeValues::I8(v) => fill!(v, |x: i8| u64::from(x as u8)),
            CodeValues::U16(v) => fill!(v, u64::from),
            CodeValues::I16(v) => fill!(v, |x: i16| u64::from(x as u16)),
            CodeValues::U32(v) => fill!(v, u64::from),
            CodeValues::I32(v) => fill!(v, |x: i32| u64::from(x as u32)),
            CodeValues::U64(v) => fill!(v, |x: u64| x),
            CodeValues::I64(v) => fill!(v, |x: i64| x as u64),
        }
    }

    /// The largest code any row can read (the map's largest entry, or the largest raw value);
    /// `None` for an empty column.
    pub(crate) fn max_code(&self) -> Option<T>
    where
        T: Ord,
    {
        if self.is_empty() {
            return None;
        }
        if let Some(m) = self.map {
            return m.iter().copied().max();
        }
        // a fold from zero (not `Iterator::max`): the compiler vectorises it
        let raw = match self.values {
            CodeValues::U8(v) => u64::from(v.iter().fold(0, |m, &x| m.max(x))),
            CodeValues::I8(v) => u64::from(v.iter().fold(0, |m, &x| m.max(x as u8))),
            CodeValues::U16(v) => u64::from(v.iter().fold(0, |m, &x| m.max(x))),
            CodeValues::I16(v) => u64::from(v.iter().fold(0, |m, &x| m.max(x as u16))),
            CodeValues::U32(v) => u64::from(v.iter().fold(0, |m, &x| m.max(x))),
            CodeValues::I32(v) => u64::from(v.iter().fold(0, |m, &x| m.max(x as u32))),
            CodeValues::U64(v) => v.iter().fold(0, |m, &x| m.max(x)),
            CodeValues::I64(v) => v.iter().fold(0, |m, &x| m.max(x as u64)),
        };
        T::try_from(raw).ok()
    }
}

impl<'a> From<&'a [u8]> for Codes<'a, u8> {
    fn from(v: &'a [u8]) -> Self {
        Self::new(CodeValues::U8(v))
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Codes<'a, u8> {
    fn from(v: &'a [u8; N]) -> Self {
        Self::new(CodeValues::U8(v))
    }
}

impl<'a> From<&'a Vec<u8>> for Codes<'a, u8> {
    fn from(v: &'a Vec<u8>) -> Self {
        Self::new(CodeValues::U8(v))
    }
}

impl<'a> From<&'a [u32]> for Codes<'a, u32> {
    fn from(v: &'a [u32]) -> Self {
        Self::new(CodeValues::U32(v))
    }
}

impl<'a, const N: usize> From<&'a [u32; N]> for Codes<'a, u32> {
    fn from(v: &'a [u32; N]) -> Self {
        Self::new(CodeValues::U32(v))
    }
}

impl<'a> From<&'a Vec<u32>> for Codes<'a, u32> {
    fn from(v: &'a Vec<u32>) -> Self {
        Self::new(CodeValues::U32(v))
    }
}
