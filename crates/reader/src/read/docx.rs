//! Reading a Word report (`.docx`) into one grid that the locator and extractors read like
//! a sheet with its forms stacked: the document in reading order, one row per paragraph
//! outside tables (titles, `附件1-3`, `填表人：…` lines) and one row per table row.
//!
//! Why one grid and not one per table: in Word the title and the 填表人 line of a form
//! usually stand outside its table, and a form may be split over two tables; stacked in
//! one grid they sit where the locator and the footer reader look for them, as in a Word
//! report pasted into Excel. [`WordLayout`] maps every grid row back to its table and row
//! (or paragraph), so that findings can name `表3` and `第5行第7列`.
//!
//! Merges are filled like a workbook's merged cells: `w:gridSpan` spans columns,
//! `w:vMerge` restart/continue spans rows. A cell's paragraphs are joined with `\n`, as a
//! line break inside an Excel cell. Nested tables become tables of their own, placed
//! right after the table holding them. WordprocessingML is read with quick-xml directly:
//! the forms need text, tables and merges only.

use std::io::Read;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::error::ReadError;
use crate::grid::Pos;
use crate::grid::{Cell, Grid, Value};

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_NS_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// A Word report read into one grid, with the way back to its tables.
#[derive(Debug, Clone)]
pub struct WordDoc {
    pub grid: Grid,
    pub layout: WordLayout,
}

/// Where each grid row came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordLayout {
    /// One entry per grid row, from row 0.
    pub rows: Vec<Place>,
    /// The document's tables in reading order (nested ones after the table holding them).
    pub tables: Vec<TableInfo>,
}

/// The origin of one grid row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    /// A paragraph outside tables, the `n`-th of the document (from 0).
    Paragraph(u32),
    /// Row `row` (from 0) of table `table` (an index into [`WordLayout::tables`]).
    Table { table: usize, row: u32 },
}

/// One table of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInfo {
    /// `表3`, or `表3-1` for the first table nested in table 3.
    pub label: String,
    /// The grid row of its first row.
    pub first_row: u32,
    pub rows: u32,
}

/// Where a grid position is in Word terms: the table (by index) and a cell text a person
/// can find (`第5行第7列`, `表格下方第1段`), or a paragraph outside every table.
#[derive(Debug, Clone, PartialEq)]
pub struct WordRef {
    pub table: Option<usize>,
    pub cell: String,
}

impl WordLayout {
    /// The table and cell of a grid position. A paragraph counts as the table's nearest
    /// to it (`表格上方第1段` is the title over a table, `表格下方第1段` the line under it).
    pub fn locate(&self, (row, col): Pos) -> Option<WordRef> {
        match *self.rows.get(row as usize)? {
            Place::Table { table, row } => {
                Some(WordRef { table: Some(table), cell: format!("第{}行第{}列", row + 1, col + 1) })
            }
            Place::Paragraph(n) => {
                let above = self.rows[..row as usize].iter().rev().position(|p| matches!(p, Place::Table { .. }));
                let below = self.rows[row as usize + 1..].iter().position(|p| matches!(p, Place::Table { .. }));
                let table_at = |r: usize| match self.rows.get(r) {
                    Some(Place::Table { table, .. }) => Some(*table),
                    _ => None,
                };
                match (above, below) {
                    (Some(a), b) if b.is_none_or(|b| a <= b) => Some(WordRef {
                        table: table_at(row as usize - a - 1),
                        cell: format!("表格下方第{}段", a + 1),
                    }),
                    (_, Some(b)) => Some(WordRef {
                        table: table_at(row as usize + b + 1),
                        cell: format!("表格上方第{}段", b + 1),
                    }),
                    _ => Some(WordRef { table: None, cell: format!("正文第{}段", n + 1) }),
                }
            }
        }
    }

    /// The table a form starting at `row` belongs to: the table holding the row, else the
    /// first table below it (a title paragraph), else the last one above it.
    pub fn table_of_row(&self, row: u32) -> Option<usize> {
        let at = |p: &Place| match p {
            Place::Table { table, .. } => Some(*table),
            Place::Paragraph(_) => None,
        };
        let r = row as usize;
        self.rows
            .get(r)
            .and_then(at)
            .or_else(|| self.rows.get(r..)?.iter().find_map(at))
            .or_else(|| self.rows.get(..r.min(self.rows.len()))?.iter().rev().find_map(at))
    }

    /// The row within its table (from 0) of a grid row in a table.
    pub fn table_row(&self, row: u32) -> Option<u32> {
        match self.rows.get(row as usize)? {
            Place::Table { row, .. } => Some(*row),
            Place::Paragraph(_) => None,
        }
    }
}

/// What a document body is made of, in reading order.
enum Block {
    Paragraph(String),
    Table(TableB),
}

#[derive(Default)]
struct TableB {
    rows: Vec<RowB>,
    /// Tables nested in this one's cells, in order.
    nested: Vec<TableB>,
}

#[derive(Default)]
struct RowB {
    grid_before: u32,
    cells: Vec<CellB>,
}

#[derive(Default)]
struct CellB {
    text: String,
    paragraphs: u32,
    span: u32,
    vmerge: Option<VMerge>,
}

#[derive(Clone, Copy, PartialEq)]
enum VMerge {
    Restart,
    Continue,
}

/// Reads `word/document.xml` of a `.docx` whose container [`crate::inspect::identify`]
/// has checked, unpacking at most `max_unpacked_bytes`.
pub fn read_docx(bytes: &[u8], max_cells: u64, max_unpacked_bytes: u64) -> Result<WordDoc, ReadError> {
    let mut archive = crate::opened::open_zip(bytes)
        .map_err(|e| ReadError::Corrupt(format!("truncated or damaged zip archive ({e})")))?;
    read_docx_in(&mut archive, max_cells, max_unpacked_bytes)
}

/// [`read_docx`] from the archive identification opened.
pub(crate) fn read_docx_in(
    archive: &mut crate::opened::Zip<'_>,
    max_cells: u64,
    max_unpacked_bytes: u64,
) -> Result<WordDoc, ReadError> {
    let mut xml = Vec::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| ReadError::Corrupt(format!("no readable word/document.xml ({e})")))?
        .take(max_unpacked_bytes.saturating_add(1))
        .read_to_end(&mut xml)
        .map_err(|e| ReadError::Corrupt(format!("word/document.xml: {e}")))?;
    if xml.len() as u64 > max_unpacked_bytes {
        // the archive declared less than it holds
        return Err(ReadError::TooLarge {
            declared_mb: xml.len() as u64 / 1_048_576,
            limit_mb: max_unpacked_bytes / 1_048_576,
        });
    }
    let blocks = parse_body(&xml)?;
    layout(blocks, max_cells)
}

fn is_w(res: &ResolveResult) -> bool {
    matches!(res, ResolveResult::Bound(ns) if ns.as_ref() == W_NS || ns.as_ref() == W_NS_STRICT)
}

fn is_mc(res: &ResolveResult) -> bool {
    matches!(res, ResolveResult::Bound(ns) if ns.as_ref() == MC_NS)
}

/// The `w:val` attribute (any prefix) of an element.
fn val(e: &BytesStart) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == "val").map(|a| a.value.to_string())
}

/// The parse state: open tables (innermost last), open paragraphs, the blocks so far.
#[derive(Default)]
struct Parser {
    blocks: Vec<Block>,
    tables: Vec<TableB>,
    /// Open paragraphs (a text box's paragraphs open inside a paragraph of the body).
    paragraphs: Vec<String>,
    /// Depth inside `w:t` (text is read only there) and inside `w:r`.
    in_text: bool,
    runs: u32,
    /// Depth inside an `mc:Fallback`, whose content repeats the `mc:Choice` before it.
    skip: u32,
}

impl Parser {
    fn cell(&mut self) -> Option<&mut CellB> {
        self.tables.last_mut()?.rows.last_mut()?.cells.last_mut()
    }

    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.paragraphs.last_mut() {
            p.push_str(s);
        }
    }

    fn start(&mut self, name: &str, e: &BytesStart, empty: bool) {
        match name {
            "tbl" if !empty => self.tables.push(TableB::default()),
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.rows.push(RowB::default());
                }
            }
            "gridBefore" => {
                let n = val(e).and_then(|v| v.parse().ok()).unwrap_or(0u32);
                if let Some(r) = self.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                    r.grid_before = n.min(1000);
                }
            }
            "tc" => {
                if let Some(r) = self.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                    r.cells.push(CellB { span: 1, ..CellB::default() });
                }
            }
            "gridSpan" => {
                let n = val(e).and_then(|v| v.parse().ok()).unwrap_or(1u32);
                if let Some(c) = self.cell() {
                    c.span = n.clamp(1, 1000);
                }
            }
            "vMerge" => {
                let v = if val(e).as_deref() == Some("restart") { VMerge::Restart } else { VMerge::Continue };
                if let Some(c) = self.cell() {
                    c.vmerge = Some(v);
                }
            }
            "p" if !empty => self.paragraphs.push(String::new()),
            "p" => self.end_paragraph(String::new()),
            "r" if !empty => self.runs += 1,
            "t" if !empty => self.in_text = true,
            "tab" if self.runs > 0 => self.push_text("\t"),
            "br" | "cr" if self.runs > 0 => self.push_text("\n"),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => self.in_text = false,
            "r" => self.runs = self.runs.saturating_sub(1),
            "p" => {
                if let Some(text) = self.paragraphs.pop() {
                    self.end_paragraph(text);
                }
            }
            "tbl" => {
                if let Some(t) = self.tables.pop() {
                    match self.tables.last_mut() {
                        Some(outer) => outer.nested.push(t),
                        None => self.blocks.push(Block::Table(t)),
                    }
                }
            }
            _ => {}
        }
    }

    /// A finished paragraph goes to the paragraph holding it (a text box), else to the
    /// open table cell, else to the body.
    fn end_paragraph(&mut self, text: String) {
        if let Some(outer) = self.paragraphs.last_mut() {
            if !text.is_empty() {
                if !outer.is_empty() {
                    outer.push('\n');
                }
                outer.push_str(&text);
            }
            return;
        }
        if !self.tables.is_empty() {
            if let Some(c) = self.cell() {
                if c.paragraphs > 0 {
                    c.text.push('\n');
                }
                c.text.push_str(&text);
                c.paragraphs += 1;
            }
            return;
        }
        self.blocks.push(Block::Paragraph(text));
    }
}

/// The body's paragraphs and tables, in order.
fn parse_body(xml: &[u8]) -> Result<Vec<Block>, ReadError> {
    let mut reader = NsReader::from_reader(xml);
    let mut buf = Vec::new();
    let mut p = Parser::default();
    let corrupt = |e: quick_xml::Error| ReadError::Corrupt(format!("word/document.xml: {e}"));
    loop {
        let (res, event) = reader.read_resolved_event_into(&mut buf).map_err(corrupt)?;
        let (w, mc) = (is_w(&res), is_mc(&res));
        match event {
            Event::Start(e) => {
                if p.skip > 0 || (mc && e.local_name().as_ref() == "Fallback") {
                    p.skip += 1;
                } else if w {
                    p.start(e.local_name().as_ref(), &e, false);
                }
            }
            Event::Empty(e) if p.skip == 0 && w => p.start(e.local_name().as_ref(), &e, true),
            Event::End(e) => {
                if p.skip > 0 {
                    p.skip -= 1;
                } else if w {
                    p.end(e.local_name().as_ref());
                }
            }
            Event::Text(t) if p.in_text && p.skip == 0 => {
                let s = t.xml10_content();
                p.push_text(&s);
            }
            Event::CData(t) if p.in_text && p.skip == 0 => {
                let s = t.xml10_content();
                p.push_text(&s);
            }
            Event::GeneralRef(r) if p.in_text && p.skip == 0 => {
                let c = match r.resolve_char_ref().map_err(corrupt)? {
                    Some(c) => Some(c),
                    None => match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    p.push_text(c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // a document cut off inside a table still has the rows read so far
    while let Some(t) = p.tables.pop() {
        match p.tables.last_mut() {
            Some(outer) => outer.nested.push(t),
            None => p.blocks.push(Block::Table(t)),
        }
    }
    Ok(p.blocks)
}

/// The number of grid columns a table uses.
fn table_width(t: &TableB) -> u32 {
    t.rows.iter().map(|r| r.grid_before + r.cells.iter().map(|c| c.span).sum::<u32>()).max().unwrap_or(0)
}

/// The tables in reading order: each top-level one, then the tables nested in it.
fn flatten(t: TableB, label: String, out: &mut Vec<(TableB, String)>) {
    let TableB { rows, nested } = t;
    out.push((TableB { rows, nested: Vec::new() }, label.clone()));
    for (i, n) in nested.into_iter().enumerate() {
        flatten(n, format!("{label}-{}", i + 1), out);
    }
}

/// Stacks the blocks into one grid and records where each row came from.
fn layout(blocks: Vec<Block>, max_cells: u64) -> Result<WordDoc, ReadError> {
    enum Item {
        Paragraph(String),
        Table(TableB, String),
    }
    let mut items = Vec::new();
    let mut top_tables = 0;
    for b in blocks {
        match b {
            Block::Paragraph(s) => items.push(Item::Paragraph(s)),
            Block::Table(t) => {
                top_tables += 1;
                let mut flat = Vec::new();
                flatten(t, format!("表{top_tables}"), &mut flat);
                items.extend(flat.into_iter().map(|(t, l)| Item::Table(t, l)));
            }
        }
    }
    let height: u64 = items
        .iter()
        .map(|i| match i {
            Item::Paragraph(_) => 1,
            Item::Table(t, _) => t.rows.len() as u64,
        })
        .sum();
    let width = items
        .iter()
        .map(|i| match i {
            Item::Paragraph(_) => 1,
            Item::Table(t, _) => table_width(t),
        })
        .max()
        .unwrap_or(0)
        .max(1);
    if height * width as u64 > max_cells {
        return Err(ReadError::SheetTooLarge {
            sheet: "Word 文档".into(),
            cells: height * width as u64,
            limit: max_cells,
        });
    }
    let mut grid = Grid::new(DOC_SHEET, 0, 0, height as u32, width);
    let mut out = WordLayout::default();
    let mut merges: Vec<(Pos, Pos)> = Vec::new();
    let mut paragraphs = 0;
    for item in items {
        let r = out.rows.len() as u32;
        match item {
            Item::Paragraph(s) => {
                if !s.is_empty() {
                    grid.set((r, 0), Cell::new(Value::Text(s)));
                }
                out.rows.push(Place::Paragraph(paragraphs));
                paragraphs += 1;
            }
            Item::Table(t, label) => {
                let table = out.tables.len();
                out.tables.push(TableInfo { label, first_row: r, rows: t.rows.len() as u32 });
                place_table(&mut grid, &mut merges, r, t);
                for i in 0..out.tables[table].rows {
                    out.rows.push(Place::Table { table, row: i });
                }
            }
        }
    }
    for (start, end) in merges {
        grid.fill_merge(start, end);
    }
    Ok(WordDoc { grid, layout: out })
}

/// The name the document's grid goes by until the forms are known and the tables named.
pub const DOC_SHEET: &str = "Word 文档";

/// Writes a table's cells from grid row `top`, collecting its merged regions.
fn place_table(grid: &mut Grid, merges: &mut Vec<(Pos, Pos)>, top: u32, t: TableB) {
    // vertical merges still open, by start column: (index into `merges`, last column)
    let mut open: std::collections::HashMap<u32, (usize, u32)> = std::collections::HashMap::new();
    for (i, row) in t.rows.into_iter().enumerate() {
        let r = top + i as u32;
        let mut c = row.grid_before;
        for cell in row.cells {
            let last = c + cell.span - 1;
            match cell.vmerge {
                Some(VMerge::Continue) if open.contains_key(&c) => {
                    if let Some((m, _)) = open.get(&c) {
                        merges[*m].1.0 = r;
                    }
                }
                v => {
                    open.remove(&c);
                    if !cell.text.is_empty() {
                        grid.set((r, c), Cell::new(Value::Text(cell.text)));
                    }
                    if v == Some(VMerge::Restart) {
                        open.insert(c, (merges.len(), last));
                        merges.push(((r, c), (r, last)));
                    } else if cell.span > 1 {
                        merges.push(((r, c), (r, last)));
                    }
                }
            }
            c = last + 1;
        }
    }
    merges.retain(|(s, e)| s != e);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        )
        .into_bytes()
    }

    fn p(s: &str) -> String {
        format!(r#"<w:p><w:r><w:t xml:space="preserve">{s}</w:t></w:r></w:p>"#)
    }

    #[test]
    fn paragraphs_and_tables_stack_in_reading_order_with_merges_filled() {
        let tc = |pr: &str, paras: &[&str]| {
            let ps: String = paras.iter().map(|s| p(s)).collect();
            format!("<w:tc><w:tcPr>{pr}</w:tcPr>{ps}</w:tc>")
        };
        let body = [
            p("附件1-3"),
            p("2022年度项目支出绩效自评表"),
            "<w:tbl><w:tr>".to_string(),
            tc(r#"<w:gridSpan w:val="2"/>"#, &["项目支", "出名称"]),
            tc("", &["窗口补贴&amp;　"]),
            "</w:tr><w:tr>".into(),
            tc(r#"<w:vMerge w:val="restart"/>"#, &["绩效指标"]),
            tc("", &["a"]),
            tc("", &["b"]),
            "</w:tr><w:tr>".into(),
            tc("<w:vMerge/>", &[""]),
            tc("", &["c"]),
            tc("", &["d"]),
            "</w:tr></w:tbl>".into(),
            p("填表人：胡静"),
        ]
        .concat();
        let d = parse_body(&doc(&body)).and_then(|b| layout(b, 1000)).unwrap();
        let g = &d.grid;
        assert_eq!((g.height, g.width), (6, 3));
        assert_eq!(g.get((1, 0)).text(), "2022年度项目支出绩效自评表");
        assert_eq!(g.get((2, 0)).text(), "项目支\n出名称");
        assert_eq!(g.get((2, 1)).text(), "项目支\n出名称", "gridSpan fills the column it spans");
        assert_eq!(g.get((2, 2)).text(), "窗口补贴&　", "entities decoded, full-width space kept");
        assert_eq!(g.get((4, 0)).text(), "绩效指标", "vMerge continue takes the value above");
        assert_eq!(g.get((4, 2)).text(), "d");
        assert_eq!(g.get((5, 0)).text(), "填表人：胡静");
        let at = |pos| d.layout.locate(pos).unwrap();
        assert_eq!(at((4, 2)), WordRef { table: Some(0), cell: "第3行第3列".into() });
        assert_eq!(at((1, 0)), WordRef { table: Some(0), cell: "表格上方第1段".into() });
        assert_eq!(at((5, 0)), WordRef { table: Some(0), cell: "表格下方第1段".into() });
        assert_eq!(d.layout.table_of_row(0), Some(0));
        assert_eq!(d.layout.tables[0].label, "表1");
    }

    #[test]
    fn nested_tables_follow_their_table_and_fallbacks_are_not_read_twice() {
        let body = concat!(
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p>"#,
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>内</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
            r#"</w:tc></w:tr></w:tbl>"#,
            r#"<w:p xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:r><w:t>一</w:t></w:r>"#,
            r#"<mc:AlternateContent><mc:Choice><w:r><w:t>二</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>二</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"#,
        );
        let d = parse_body(&doc(body)).and_then(|b| layout(b, 1000)).unwrap();
        assert_eq!(d.grid.get((0, 0)).text(), "外");
        assert_eq!(d.grid.get((1, 0)).text(), "内");
        assert_eq!(d.grid.get((2, 0)).text(), "一二");
        let labels: Vec<&str> = d.layout.tables.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["表1", "表1-1"]);
    }

    #[test]
    fn broken_xml_and_huge_tables_are_errors_not_panics() {
        assert!(matches!(parse_body(b"<w:document><w:body></w:p>"), Err(ReadError::Corrupt(_))));
        let rows: String = (0..50).map(|_| "<w:tr><w:tc><w:p/></w:tc></w:tr>".to_string()).collect();
        let body = format!("<w:tbl>{rows}</w:tbl>");
        let r = parse_body(&doc(&body)).and_then(|b| layout(b, 10));
        assert!(matches!(r, Err(ReadError::SheetTooLarge { .. })));
    }
}
