//! HTML tables (what some one-stop systems save with an `.xls` name): read with html5ever's
//! tokenizer only, never its tree builder, so nesting depth costs nothing (no element stack,
//! no recursion, linear time); `<table>`, `<tr>`, `<td>`/`<th>` with `colspan`/`rowspan` are
//! followed by hand, entities decoded by the tokenizer. The table with the most rows is read.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::cell::Val;
use crate::error::IoError;
use crate::table::Table;

/// Tables inside tables followed at most.
pub(crate) const MAX_TABLE_DEPTH: u32 = 32;
/// Bytes a stored cell costs beyond its text.
const CELL_BYTES: u64 = 48;
/// `colspan` and `rowspan` as HTML caps them.
const MAX_COLSPAN: u32 = 1_000;
const MAX_ROWSPAN: u32 = 65_534;

#[derive(Default)]
struct HtmlTable {
    rows: Vec<Vec<(u32, String)>>,
    row_open: bool,
    /// Columns taken by cells of rows above (`rowspan`): (column, rows still covered).
    spans: Vec<(u32, u32)>,
    next_col: u32,
}

impl HtmlTable {
    fn start_row(&mut self) {
        self.end_row();
        self.rows.push(Vec::new());
        self.row_open = true;
        self.next_col = 0;
    }

    fn end_row(&mut self) {
        if self.row_open {
            self.row_open = false;
            for s in &mut self.spans {
                s.1 = s.1.saturating_sub(1);
            }
            self.spans.retain(|s| s.1 > 0);
        }
    }

    fn free_col(&self, mut c: u32) -> u32 {
        while self.spans.iter().any(|s| s.0 == c) {
            c += 1;
        }
        c
    }
}

struct Cell {
    table: usize,
    col: u32,
    text: String,
}

#[derive(Default)]
struct State {
    tables: Vec<HtmlTable>,
    open: Vec<usize>,
    cell: Option<Cell>,
    /// Inside `<script>`, `<style>`...: text that is not content.
    raw: Option<&'static str>,
    bytes: u64,
    too_deep: bool,
    /// A `<table>` was seen at all.
    saw_table: bool,
}

impl State {
    fn end_cell(&mut self) {
        if let Some(c) = self.cell.take() {
            let text = collapse(&c.text);
            if let Some(t) = self.tables.get_mut(c.table) {
                if let Some(row) = t.rows.last_mut() {
                    self.bytes += text.len() as u64 + CELL_BYTES;
                    row.push((c.col, text));
                }
            }
        }
    }

    fn current(&mut self) -> Option<(usize, &mut HtmlTable)> {
        let &i = self.open.last()?;
        self.tables.get_mut(i).map(|t| (i, t))
    }

    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if let Some(raw) = self.raw {
            if tag.kind == TagKind::EndTag && name == raw {
                self.raw = None;
            }
            return TokenSinkResult::Continue;
        }
        match (tag.kind, name) {
            (TagKind::StartTag, "table") => {
                self.saw_table = true;
                if self.open.len() as u32 >= MAX_TABLE_DEPTH {
                    self.too_deep = true;
                    return TokenSinkResult::Continue;
                }
                // the enclosing cell keeps its text; the inner table is a table of its own
                self.tables.push(HtmlTable::default());
                self.open.push(self.tables.len() - 1);
                let c = self.cell.take();
                if let Some(c) = c {
                    // put the enclosing cell back once the inner table ends: keep it simple
                    // and end it here
                    self.cell = Some(c);
                    self.end_cell();
                }
            }
            (TagKind::EndTag, "table") => {
                self.end_cell();
                if let Some((_, t)) = self.current() {
                    t.end_row();
                }
                self.open.pop();
            }
            (TagKind::StartTag, "tr") => {
                self.end_cell();
                if let Some((_, t)) = self.current() {
                    t.start_row();
                }
            }
            (TagKind::EndTag, "tr") => {
                self.end_cell();
                if let Some((_, t)) = self.current() {
                    t.end_row();
                }
            }
            (TagKind::StartTag, "td" | "th") => {
                self.end_cell();
                let attr = |n: &str| {
                    tag.attrs
                        .iter()
                        .find(|a| &*a.name.local == n)
                        .and_then(|a| a.value.trim().parse::<u32>().ok())
                };
                let colspan = attr("colspan").unwrap_or(1).clamp(1, MAX_COLSPAN);
                let rowspan = attr("rowspan").unwrap_or(1).clamp(1, MAX_ROWSPAN);
                let Some((i, t)) = self.current() else {
                    return TokenSinkResult::Continue;
                };
                if !t.row_open {
                    t.start_row();
                }
                let col = t.free_col(t.next_col);
                t.next_col = col.saturating_add(colspan);
                if rowspan > 1 {
                    for c in col..col.saturating_add(colspan) {
                        t.spans.push((c, rowspan));
                    }
                    self.bytes += u64::from(colspan) * 8;
                }
                self.cell = Some(Cell {
                    table: i,
                    col,
                    text: String::new(),
                });
            }
            (TagKind::EndTag, "td" | "th") => self.end_cell(),
            (TagKind::StartTag, "br") => {
                if let Some(c) = &mut self.cell {
                    c.text.push('\n');
                }
            }
            (TagKind::StartTag | TagKind::EndTag, "p" | "div") => {
                if let Some(c) = &mut self.cell {
                    c.text.push(' ');
                }
            }
            (TagKind::StartTag, "script") if !tag.self_closing => {
                self.raw = Some("script");
                return TokenSinkResult::RawData(RawKind::ScriptData);
            }
            (TagKind::StartTag, n @ ("style" | "xmp" | "iframe" | "noembed" | "noframes"))
                if !tag.self_closing =>
            {
                self.raw = Some(match n {
                    "style" => "style",
                    "xmp" => "xmp",
                    "iframe" => "iframe",
                    "noembed" => "noembed",
                    _ => "noframes",
                });
                return TokenSinkResult::RawData(RawKind::Rawtext);
            }
            (TagKind::StartTag, n @ ("title" | "textarea")) if !tag.self_closing => {
                self.raw = Some(if n == "title" { "title" } else { "textarea" });
                return TokenSinkResult::RawData(RawKind::Rcdata);
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn text(&mut self, t: &StrTendril) {
        if self.raw.is_some() {
            return;
        }
        if let Some(c) = &mut self.cell {
            c.text.push_str(t);
            self.bytes += t.len() as u64;
        }
    }
}

/// HTML's white space (not the no-break space) collapsed to single spaces and trimmed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.chars() {
        if matches!(ch, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(ch);
        }
    }
    out
}

struct Sink(RefCell<State>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut s = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => s.tag(&tag),
            Token::CharacterTokens(t) => {
                s.text(&t);
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// Whether `text` looks like an HTML document holding a table.
pub(crate) fn has_table(text: &[u8]) -> bool {
    memchr::memmem::find_iter(text, b"<")
        .take(1 << 20)
        .any(|i| text[i + 1..].len() >= 5 && text[i + 1..i + 6].eq_ignore_ascii_case(b"table"))
}

/// Reads the HTML `text` into `table` (the largest `<table>` of the page).
pub(crate) fn read(text: &str, table: &mut Table<'_>) -> Result<(), IoError> {
    table.reserve_for(text.len() as u64, "the HTML text")?;
    let sink = Sink(RefCell::new(State::default()));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    // fed in pieces so that the budget and the cancel flag are checked as it goes
    let mut rest = text;
    let mut checked = 0u64;
    while !rest.is_empty() {
        let mut cut = rest.len().min(1 << 20);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        queue.push_back(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        let _ = tok.feed(&queue);
        let (bytes, deep) = {
            let s = tok.sink.0.borrow();
            (s.bytes, s.too_deep)
        };
        if deep {
            return Err(IoError::TooDeep {
                place: table.place().clone(),
                what: "tables",
                limit: MAX_TABLE_DEPTH,
                at: format!("byte {}", text.len() - rest.len()),
            });
        }
        table.reserve_for(bytes - checked, "the HTML table's cells")?;
        checked = bytes;
    }
    tok.end();
    let mut state = tok.sink.0.into_inner();
    state.end_cell();
    if state.too_deep {
        return Err(IoError::TooDeep {
            place: table.place().clone(),
            what: "tables",
            limit: MAX_TABLE_DEPTH,
            at: "the end".into(),
        });
    }
    let Some(best) = state
        .tables
        .into_iter()
        .max_by_key(|t| t.rows.iter().filter(|r| !r.is_empty()).count())
    else {
        return Err(IoError::UnsupportedFormat {
            file: table.place().file.to_string(),
            message: "an HTML page with no table".into(),
        });
    };
    for (i, row) in best.rows.iter().enumerate() {
        let cells: Vec<(u32, Val<'_>)> = row
            .iter()
            .map(|(c, t)| (*c, Val::Text(Cow::Borrowed(t.as_str()))))
            .collect();
        table.row(i as u64 + 1, &cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_html_space_but_not_nbsp() {
        assert_eq!(collapse("  a \n\t b  "), "a b");
        assert_eq!(collapse("\u{a0}"), "\u{a0}");
        assert!(has_table(b"<html><TABLE border=1>"));
        assert!(!has_table(b"<html><p>no</p>"));
    }
}
