//! Loading case-level data from CSV text or inline JSON, collecting every problem.
//!
//! The core reads no files: [`from_csv`] takes `(file name, text)` pairs (the CLI reads the
//! files), [`from_json`] takes the inline tables of an `hb1414.measure` document, and
//! [`from_columns`] takes tables of in-memory columns (the Python package's Arrow tables). All
//! go through the same typed cell reader, so a table means the same thing in any form. The columns,
//! types and codes are those of [`Table::columns`], documented in `docs/data.md`.
//!
//! # Problems
//!
//! Bad data is never silently dropped. Every problem found is collected (not only the first)
//! as a [`DataProblem`] naming the file, the 1-based data row (the header is row 0), the
//! column and the value, with a stable code; if there is any, loading fails with
//! [`Error::InvalidData`] listing them in table order, then row order. The rule:
//!
//! - **Fatal** (the load fails): anything that makes a row unreadable or contradicts another row
//!   or the data dictionary: a missing table, a missing required column, an unknown column (unless
//!   [`UnknownColumns::Ignore`]), an unparsable date, an unknown code, a duplicate id, a
//!   reference to an unknown child, provider, worker or parent, an exit before its removal,
//!   overlapping episodes or placements of one child, an end before its start, and the others
//!   listed in `docs/data.md`. Metrics computed over such data would be wrong without saying so.
//! - **Excluded with a count** (the row is dropped and counted in [`LoadStats`] per reason):
//!   exact duplicate rows of `visits` and `hcy_exams` (reason `duplicate_row`), which carry no
//!   information and would double-count. Metric-specific exclusions (such as stays under 8 days)
//!   are applied by the metrics with [`LoadStats::exclude`].
//!
//! At most [`LoadOptions::max_problems`] problems are kept, so a systematically broken file of
//! millions of rows cannot exhaust memory; the last problem then says how many more were found
//! (code `too_many_problems`).
//!
//! # Example
//!
//! ```
//! use cwfinance::metrics::load::{from_csv, LoadOptions};
//! use cwfinance::metrics::data::Table;
//!
//! let files = [
//!     ("children.csv", "child_id,birth_date\nC1,2012-05-01\nC2,2015-09-30\n"),
//!     ("episodes.csv", "child_id,removal_date,exit_date,exit_reason,county,circuit,region\n\
//!                       C1,2023-01-10,2023-09-01,reunification,Greene,31,Springfield\n\
//!                       C2,2024-02-01,,,Jackson,16,Kansas City\n"),
//! ];
//! let ds = from_csv(&files, &LoadOptions::default()).unwrap();
//! assert_eq!(ds.children.len(), 2);
//! assert_eq!(ds.stats.read(Table::Episodes), 2);
//!
//! // An exit before the removal and an unknown child are both reported.
//! let bad = [
//!     ("children.csv", "child_id,birth_date\nC1,2012-05-01\n"),
//!     ("episodes.csv", "child_id,removal_date,exit_date,exit_reason,county,circuit,region\n\
//!                       C1,2023-01-10,2022-09-01,reunification,Greene,31,Springfield\n\
//!                       C9,2024-02-01,,,Jackson,16,Kansas City\n"),
//! ];
//! let err = from_csv(&bad, &LoadOptions::default()).unwrap_err();
//! let cwfinance::Error::InvalidData { problems } = err else { panic!() };
//! let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
//! assert_eq!(codes, ["exit_before_removal", "unknown_child"]);
//! assert_eq!((problems[1].row, problems[1].value.as_str()), (Some(2), "C9"));
//! ```

use std::collections::{BTreeMap, HashMap};

use csv::ByteRecord;
use serde_json::Value;

use super::data::*;
use crate::{DataProblem, Error, Money, Result};

/// What to do with a column (CSV header or JSON key) that the table does not define.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::UnknownColumns;
/// assert_eq!(UnknownColumns::default(), UnknownColumns::Reject);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnknownColumns {
    /// Report a fatal `unknown_column` problem: a misspelt optional column (`exit_dat`) would
    /// otherwise be lost without a word, and its data treated as absent.
    #[default]
    Reject,
    /// Skip such columns (for extracts that carry extra columns on purpose).
    Ignore,
}

/// Loading options.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::{LoadOptions, UnknownColumns};
/// let o = LoadOptions { unknown_columns: UnknownColumns::Ignore, ..LoadOptions::default() };
/// assert_eq!(o.max_problems, 10_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Unknown columns: rejected (default) or ignored.
    pub unknown_columns: UnknownColumns,
    /// The most problems kept (default 10,000); the rest are counted in one final problem.
    pub max_problems: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            unknown_columns: UnknownColumns::Reject,
            max_problems: 10_000,
        }
    }
}

/// Inline tables as an `hb1414.measure` document carries them: table name -> rows, each row an
/// object from column name to a string (booleans are also accepted in boolean columns, `null`
/// means empty).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::InlineTables;
/// let t: InlineTables = serde_json::from_value(serde_json::json!({
///     "children": [{"child_id": "C1", "birth_date": "2012-05-01"}]
/// })).unwrap();
/// assert_eq!(t["children"].len(), 1);
/// ```
pub type InlineTables = BTreeMap<String, Vec<BTreeMap<String, Value>>>;

/// Load a dataset from CSV text, one `(file name, text)` pair per table.
///
/// The file name chooses the table: its last path component, with or without `.csv`
/// (`episodes.csv`, `data/episodes`). Problems name the file as given.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::{from_csv, LoadOptions};
/// let ds = from_csv(&[
///     ("children.csv", "child_id,birth_date\nC1,2010-01-01\n"),
///     ("episodes.csv", "child_id,removal_date,county,circuit,region\nC1,2024-01-01,Boone,13,Northeast\n"),
/// ], &LoadOptions::default()).unwrap();
/// assert_eq!(ds.episodes.len(), 1);
/// assert!(ds.episodes.exit[0].is_none());
/// ```
pub fn from_csv(files: &[(&str, &str)], options: &LoadOptions) -> Result<Dataset> {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    from_csv_bytes(&bytes, options)
}

/// Load a dataset from CSV bytes (UTF-8; a leading byte-order mark is allowed), one
/// `(file name, bytes)` pair per table. Invalid UTF-8 is reported per cell (`invalid_utf8`).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::{from_csv_bytes, LoadOptions};
/// let err = from_csv_bytes(&[
///     ("children.csv", b"child_id,birth_date\nC\xff,2010-01-01\n"),
///     ("episodes.csv", b"child_id,removal_date,county,circuit,region\n"),
/// ], &LoadOptions::default()).unwrap_err();
/// assert_eq!(err.kind(), "invalid_data");
/// ```
pub fn from_csv_bytes(files: &[(&str, &[u8])], options: &LoadOptions) -> Result<Dataset> {
    let mut problems = Problems::new(options.max_problems);
    let mut sources: Vec<Option<Source>> = Table::ALL.iter().map(|_| None).collect();
    for (name, bytes) in files {
        let Some(table) = Table::from_file_name(name) else {
            problems.add(
                name,
                None,
                "",
                "",
                "unknown_table",
                format!(
                    "not a table of the data dictionary; known: {}",
                    Table::CODES.join(", ")
                ),
            );
            continue;
        };
        let slot = sources.get_mut(table_pos(table));
        match slot {
            Some(s @ None) => *s = Some(Source::csv(name, bytes)),
            _ => problems.add(
                name,
                None,
                "",
                "",
                "duplicate_table",
                format!("a second file for table {}", table.as_str()),
            ),
        }
    }
    load_sources(sources, options, problems)
}

/// Load a dataset from inline JSON tables (see [`InlineTables`]): `{"children": [{"child_id":
/// "C1", "birth_date": "2012-05-01"}], "episodes": [...]}`. Problems name the table (without
/// `.csv`) as the file and the 1-based position in its array as the row.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::{from_json, LoadOptions};
/// let tables = serde_json::json!({
///     "children": [{"child_id": "C1", "birth_date": "2012-05-01"}],
///     "episodes": [{"child_id": "C1", "removal_date": "2024-01-02", "county": "Boone",
///                   "circuit": "13", "region": "Northeast"}],
///     "parents": [{"parent_id": "P1", "child_id": "C1", "visits_allowed": true}],
/// });
/// let ds = from_json(&tables, &LoadOptions::default()).unwrap();
/// assert!(ds.parents.visits_allowed[0]);
///
/// let err = from_json(&serde_json::json!({"children": [{"child_id": 7}]}), &LoadOptions::default()).unwrap_err();
/// assert_eq!(err.kind(), "invalid_data");
/// ```
pub fn from_json(tables: &Value, options: &LoadOptions) -> Result<Dataset> {
    let Value::Object(map) = tables else {
        return Err(Error::invalid(
            "tables",
            tables.to_string(),
            "inline tables are a JSON object from table name to an array of rows",
        ));
    };
    let mut problems = Problems::new(options.max_problems);
    let mut sources: Vec<Option<Source>> = Table::ALL.iter().map(|_| None).collect();
    for (name, rows) in map {
        let Some(table) = Table::parse(name) else {
            problems.add(
                name,
                None,
                "",
                "",
                "unknown_table",
                format!(
                    "not a table of the data dictionary; known: {}",
                    Table::CODES.join(", ")
                ),
            );
            continue;
        };
        let Value::Array(rows) = rows else {
            problems.add(
                name,
                None,
                "",
                short(&rows.to_string()),
                "invalid_table",
                "a table is an array of row objects",
            );
            continue;
        };
        if let Some(slot) = sources.get_mut(table_pos(table)) {
            *slot = Some(Source::json(name, table, rows, &mut problems));
        }
    }
    load_sources(sources, options, problems)
}

// ---------------------------------------------------------------------------------------------
// In-memory columns
// ---------------------------------------------------------------------------------------------

/// One cell of a [`Column`].
///
/// Text is read exactly as a CSV cell is (trimmed; blank is empty; dates, booleans, codes and
/// amounts are parsed from it). Typed dates and booleans skip the parsing; a typed value in a
/// column of another type is the problem `wrong_type`.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::CellValue;
/// assert_ne!(CellValue::Text("2024-01-01"), CellValue::UnixDays(19_723));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellValue<'a> {
    /// No value (a null); blank text reads the same.
    Null,
    /// Text.
    Text(&'a str),
    /// A date as days since 1970-01-01 (Arrow `date32`).
    UnixDays(i32),
    /// A boolean.
    Bool(bool),
}

/// A column of a table held in memory (an Arrow array, a `Vec`, a database driver's buffer), read
/// cell by cell without copying. [`from_columns`] loads tables of such columns.
///
/// Implemented for slices and vectors of `Option<&str>`, `Option<String>`, `Option<Day>` and
/// `Option<bool>`.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::{CellValue, Column};
/// let ids: Vec<Option<&str>> = vec![Some("C1"), None];
/// assert_eq!(Column::len(&ids), 2);
/// assert_eq!(ids.get(0), CellValue::Text("C1"));
/// assert_eq!(Column::get(&ids, 1), CellValue::Null);
/// ```
pub trait Column: Sync {
    /// The number of rows.
    fn len(&self) -> usize;

    /// The cell of `row` (`0..len()`); [`CellValue::Null`] beyond the end.
    fn get(&self, row: usize) -> CellValue<'_>;

    /// Whether the column has no rows.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::load::Column;
    /// let empty: Vec<Option<bool>> = Vec::new();
    /// assert!(Column::is_empty(&empty));
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `Column` for a slice of optional cells, `None` being null.
macro_rules! slice_column {
    ($t:ty, |$v:ident| $cell:expr) => {
        impl Column for [Option<$t>] {
            fn len(&self) -> usize {
                <[_]>::len(self)
            }
            fn get(&self, row: usize) -> CellValue<'_> {
                match <[_]>::get(self, row) {
                    Some(Some($v)) => $cell,
                    _ => CellValue::Null,
                }
            }
        }
    };
}

slice_column!(&str, |s| CellValue::Text(s));
slice_column!(String, |s| CellValue::Text(s));
slice_column!(Day, |d| CellValue::UnixDays(d.days_since(Day::UNIX_EPOCH)));
slice_column!(bool, |b| CellValue::Bool(*b));

impl<T> Column for Vec<T>
where
    [T]: Column,
    T: Sync,
{
    fn len(&self) -> usize {
        Column::len(self.as_slice())
    }
    fn get(&self, row: usize) -> CellValue<'_> {
        Column::get(self.as_slice(), row)
    }
}

/// A table of named in-memory columns of equal length, for [`from_columns`].
///
/// `name` chooses the table as a file name does (`episodes`, or `episodes.csv`) and names it in
/// problems; rows are numbered from 1.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::load::ColumnTable;
/// let ids: Vec<Option<&str>> = vec![Some("C1")];
/// let t = ColumnTable { name: "children", columns: vec![("child_id", &ids)] };
/// assert_eq!(t.columns.len(), 1);
/// ```
pub struct ColumnTable<'a> {
    /// The table's name.
    pub name: &'a str,
    /// Its columns, by column name.
    pub columns: Vec<(&'a str, &'a dyn Column)>,
}

/// Load a dataset from tables of in-memory columns (see [`Column`]), such as Arrow arrays: the
/// same checks, codes and statistics as [`from_csv`], without writing or parsing text. Problems
/// name the table as given and the 1-based row. Columns of unequal length are reported
/// (`column_length`).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::data::Day;
/// use cwfinance::metrics::load::{from_columns, ColumnTable, LoadOptions};
///
/// let child_id = vec![Some("C1"), Some("C2")];
/// let birth = vec![Day::from_ymd(2012, 5, 1), Day::from_ymd(2015, 9, 30)];
/// let ep_child = vec![Some("C1"), Some("C2")];
/// let removal = vec![Day::from_ymd(2023, 1, 10), Day::from_ymd(2024, 2, 1)];
/// let exit = vec![Day::from_ymd(2023, 9, 1), None];
/// let reason = vec![Some("reunification"), None];
/// let county = vec![Some("Greene"), Some("Jackson")];
/// let circuit = vec![Some("31"), Some("16")];
/// let region = vec![Some("Springfield"), Some("Kansas City")];
/// let tables = [
///     ColumnTable { name: "children", columns: vec![("child_id", &child_id), ("birth_date", &birth)] },
///     ColumnTable {
///         name: "episodes",
///         columns: vec![
///             ("child_id", &ep_child), ("removal_date", &removal), ("exit_date", &exit),
///             ("exit_reason", &reason), ("county", &county), ("circuit", &circuit),
///             ("region", &region),
///         ],
///     },
/// ];
/// let ds = from_columns(&tables, &LoadOptions::default()).unwrap();
/// assert_eq!(ds.episodes.len(), 2);
///
/// // The same problems as in CSV text: here an unknown child.
/// let ep_child = vec![Some("C1"), Some("C9")];
/// let tables = [
///     ColumnTable { name: "children", columns: vec![("child_id", &child_id), ("birth_date", &birth)] },
///     ColumnTable {
///         name: "episodes",
///         columns: vec![
///             ("child_id", &ep_child), ("removal_date", &removal), ("county", &county),
///             ("circuit", &circuit), ("region", &region),
///         ],
///     },
/// ];
/// let err = from_columns(&tables, &LoadOptions::default()).unwrap_err();
/// let cwfinance::Error::InvalidData { problems } = err else { panic!() };
/// assert_eq!((problems[0].code.as_str(), problems[0].row), ("unknown_child", Some(2)));
/// ```
pub fn from_columns(tables: &[ColumnTable<'_>], options: &LoadOptions) -> Result<Dataset> {
    let mut problems = Problems::new(options.max_problems);
    let mut sources: Vec<Option<Source>> = Table::ALL.iter().map(|_| None).collect();
    for t in tables {
        let Some(table) = Table::from_file_name(t.name) else {
            problems.add(
                t.name,
                None,
                "",
                "",
                "unknown_table",
                format!(
                    "not a table of the data dictionary; known: {}",
                    Table::CODES.join(", ")
                ),
            );
            continue;
        };
        match sources.get_mut(table_pos(table)) {
            Some(s @ None) => *s = Some(Source::columns(t, &mut problems)),
            _ => problems.add(
                t.name,
                None,
                "",
                "",
                "duplicate_table",
                format!("a second table {}", table.as_str()),
            ),
        }
    }
    load_sources(sources, options, problems)
}

/// `s.trim()`, without its Unicode scan when both ends are plain ASCII (almost every cell).
fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|c| c.is_ascii_graphic());
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Days since 1970-01-01 as an ISO date when chrono can show it, else the number.
fn unix_days_text(days: i32) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(days.saturating_add(Day::UNIX_EPOCH.number()))
        .map(|d| d.to_string())
        .unwrap_or_else(|| days.to_string())
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

struct Problems {
    list: Vec<DataProblem>,
    max: usize,
    dropped: u64,
}

impl Problems {
    fn new(max: usize) -> Self {
        Problems {
            list: Vec::new(),
            max,
            dropped: 0,
        }
    }

    fn add(
        &mut self,
        file: &str,
        row: Option<u64>,
        column: &str,
        value: &str,
        code: &str,
        message: impl Into<String>,
    ) {
        if self.list.len() >= self.max {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        self.list.push(DataProblem::new(
            file,
            row,
            column,
            short(value),
            code,
            message,
        ));
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.dropped == 0
    }

    fn into_error(mut self) -> Error {
        if self.dropped > 0 {
            self.list.push(DataProblem::new(
                "",
                None,
                "",
                self.dropped.to_string(),
                "too_many_problems",
                format!(
                    "{} more problem(s) were found and not listed (limit {})",
                    self.dropped, self.max
                ),
            ));
        }
        Error::InvalidData {
            problems: self.list,
        }
    }
}

/// Values in problems are cut to 200 characters, so that a huge cell cannot bloat the error.
fn short(value: &str) -> &str {
    match value.char_indices().nth(200) {
        Some((i, _)) => value.get(..i).unwrap_or(value),
        None => value,
    }
}

fn table_pos(table: Table) -> usize {
    Table::ALL.iter().position(|t| *t == table).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Sources: CSV or JSON, both as byte records
// ---------------------------------------------------------------------------------------------

enum Rows<'a> {
    Csv(csv::Reader<&'a [u8]>),
    Json(std::vec::IntoIter<ByteRecord>),
    /// In-memory columns of equal length (checked in [`Source::columns`]).
    Columns {
        columns: Vec<&'a (dyn Column + 'a)>,
        len: usize,
    },
}

struct Source<'a> {
    file: String,
    header: Vec<String>,
    rows: Rows<'a>,
    /// Problems found while reading the header (CSV syntax).
    header_error: Option<String>,
}

impl<'a> Source<'a> {
    fn csv(file: &str, bytes: &'a [u8]) -> Source<'a> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let (header, header_error) = match reader.byte_headers() {
            Ok(h) => (
                h.iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_string())
                    .collect(),
                None,
            ),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        Source {
            file: file.to_string(),
            header,
            rows: Rows::Csv(reader),
            header_error,
        }
    }

    fn json(file: &str, table: Table, rows: &[Value], problems: &mut Problems) -> Source<'a> {
        let mut header: Vec<String> = Vec::new();
        let mut pos: HashMap<&str, usize> = HashMap::new();
        if rows.is_empty() {
            // An empty array is an empty table, not a table without its required columns.
            header = table.columns().iter().map(|c| c.name.to_string()).collect();
        }
        for row in rows {
            if let Value::Object(m) = row {
                for k in m.keys() {
                    if !pos.contains_key(k.as_str()) {
                        pos.insert(k.as_str(), header.len());
                        header.push(k.clone());
                    }
                }
            }
        }
        let bool_column = |name: &str| {
            table
                .columns()
                .iter()
                .any(|c| c.name == name && c.ty == ColumnType::Bool)
        };
        let mut records = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let row_no = i as u64 + 1;
            let mut fields: Vec<String> = vec![String::new(); header.len()];
            match row {
                Value::Object(m) => {
                    for (k, v) in m {
                        let text = match v {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            Value::Bool(b) if bool_column(k) => b.to_string(),
                            other => {
                                problems.add(
                                    file,
                                    Some(row_no),
                                    k,
                                    &other.to_string(),
                                    "not_a_string",
                                    "values are strings (dates \"2024-01-31\", amounts \"125.00\"); booleans are allowed only in boolean columns",
                                );
                                String::new()
                            }
                        };
                        if let Some(slot) = pos.get(k.as_str()).and_then(|&p| fields.get_mut(p)) {
                            *slot = text;
                        }
                    }
                }
                other => problems.add(
                    file,
                    Some(row_no),
                    "",
                    &other.to_string(),
                    "invalid_row",
                    "a row is a JSON object from column name to value",
                ),
            }
            records.push(ByteRecord::from(fields));
        }
        Source {
            file: file.to_string(),
            header,
            rows: Rows::Json(records.into_iter()),
            header_error: None,
        }
    }

    /// A table of in-memory columns. Columns of another length than the first are reported
    /// (`column_length`) and the table is then not read.
    fn columns(table: &ColumnTable<'a>, problems: &mut Problems) -> Source<'a> {
        let len = table.columns.first().map(|(_, c)| c.len()).unwrap_or(0);
        let mut header_error = None;
        for (name, column) in &table.columns {
            if column.len() != len {
                problems.add(
                    table.name,
                    None,
                    name,
                    &column.len().to_string(),
                    "column_length",
                    format!(
                        "the column has {} row(s) and the table's first column {len}",
                        column.len()
                    ),
                );
                header_error = Some(String::new());
            }
        }
        Source {
            file: table.name.to_string(),
            header: table
                .columns
                .iter()
                .map(|(n, _)| n.trim().to_string())
                .collect(),
            rows: Rows::Columns {
                columns: table.columns.iter().map(|(_, c)| *c).collect(),
                len,
            },
            header_error,
        }
    }

    /// The next record with its 1-based row number; `Err` carries a syntax error.
    fn next(&mut self, record: &mut ByteRecord) -> Option<std::result::Result<(), String>> {
        match &mut self.rows {
            Rows::Csv(r) => match r.read_byte_record(record) {
                Ok(true) => Some(Ok(())),
                Ok(false) => None,
                Err(e) => Some(Err(e.to_string())),
            },
            Rows::Json(it) => it.next().map(|r| {
                *record = r;
                Ok(())
            }),
            // Column sources are read by index in `read_rows`, never record by record.
            Rows::Columns { .. } => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading one table's rows
// ---------------------------------------------------------------------------------------------

/// Column positions of a source, in the order of [`Table::columns`].
struct Layout {
    table: Table,
    file: String,
    positions: Vec<Option<usize>>,
    width: usize,
}

/// Check a header: required columns present, no duplicates, unknown columns per the policy.
/// `None` when a required column is missing (the rows cannot be read).
fn layout(
    table: Table,
    src: &Source,
    options: &LoadOptions,
    problems: &mut Problems,
) -> Option<Layout> {
    if let Some(e) = &src.header_error {
        // An empty message: the problem (a column's length) is already reported.
        if !e.is_empty() {
            problems.add(&src.file, Some(0), "", "", "csv_syntax", e.clone());
        }
        return None;
    }
    let cols = table.columns();
    let mut positions = vec![None; cols.len()];
    let mut complete = true;
    for (i, name) in src.header.iter().enumerate() {
        match cols.iter().position(|c| c.name == name.as_str()) {
            Some(k) => {
                if let Some(slot) = positions.get_mut(k) {
                    if slot.is_some() {
                        problems.add(
                            &src.file,
                            Some(0),
                            name,
                            name,
                            "duplicate_column",
                            "the column appears twice in the header",
                        );
                        complete = false;
                    } else {
                        *slot = Some(i);
                    }
                }
            }
            None if options.unknown_columns == UnknownColumns::Reject => problems.add(
                &src.file,
                Some(0),
                name,
                name,
                "unknown_column",
                format!(
                    "not a column of {}; known: {} (or load with unknown columns ignored)",
                    table.as_str(),
                    cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                ),
            ),
            None => {}
        }
    }
    for (c, p) in cols.iter().zip(&positions) {
        if c.required && p.is_none() {
            problems.add(
                &src.file,
                None,
                c.name,
                "",
                "missing_column",
                format!("required column of {} is absent", table.as_str()),
            );
            complete = false;
        }
    }
    complete.then(|| Layout {
        table,
        file: src.file.clone(),
        positions,
        width: src.header.len(),
    })
}

/// Typed access to the cells of one row, reporting every problem. A getter returns `Err(())`
/// after reporting; `Ok(None)` is an empty optional cell.
struct Cells<'r> {
    layout: &'r Layout,
    record: RowRef<'r>,
    row: u64,
}

/// One row: a CSV or JSON record, or a row index into in-memory columns.
#[derive(Clone, Copy)]
enum RowRef<'r> {
    Record(&'r ByteRecord),
    Columns(&'r [&'r (dyn Column + 'r)], usize),
}

type Cell<T> = std::result::Result<T, ()>;

impl<'r> Cells<'r> {
    fn name(&self, c: usize) -> &'static str {
        self.layout
            .table
            .columns()
            .get(c)
            .map(|c| c.name)
            .unwrap_or("")
    }

    fn report(&self, problems: &mut Problems, c: usize, value: &str, code: &str, msg: String) {
        problems.add(
            &self.layout.file,
            Some(self.row),
            self.name(c),
            value,
            code,
            msg,
        );
    }

    /// The value of column `c`: text trimmed, blank text as [`CellValue::Null`].
    fn value(&self, problems: &mut Problems, c: usize) -> Cell<CellValue<'r>> {
        let Some(Some(p)) = self.layout.positions.get(c) else {
            return Ok(CellValue::Null);
        };
        let text = |s: &'r str| {
            let s = trim(s);
            if s.is_empty() {
                CellValue::Null
            } else {
                CellValue::Text(s)
            }
        };
        match self.record {
            RowRef::Columns(columns, row) => Ok(match columns.get(*p) {
                Some(column) => match column.get(row) {
                    CellValue::Text(s) => text(s),
                    other => other,
                },
                None => CellValue::Null,
            }),
            RowRef::Record(record) => {
                let Some(bytes) = record.get(*p) else {
                    return Ok(CellValue::Null);
                };
                match std::str::from_utf8(bytes) {
                    Ok(s) => Ok(text(s)),
                    Err(_) => {
                        self.report(
                            problems,
                            c,
                            &String::from_utf8_lossy(bytes),
                            "invalid_utf8",
                            "the cell is not valid UTF-8".into(),
                        );
                        Err(())
                    }
                }
            }
        }
    }

    /// Report a typed value (a date or a boolean) in a column of another type.
    fn wrong_type<T>(&self, problems: &mut Problems, c: usize, value: CellValue) -> Cell<T> {
        let (shown, what) = match value {
            CellValue::UnixDays(n) => (unix_days_text(n), "a date"),
            CellValue::Bool(b) => (b.to_string(), "a boolean"),
            CellValue::Text(s) => (s.to_string(), "text"),
            CellValue::Null => (String::new(), "empty"),
        };
        let expected = match self.layout.table.columns().get(c).map(|c| c.ty) {
            Some(ColumnType::Date) => "a date",
            Some(ColumnType::Bool) => "a boolean",
            _ => "text",
        };
        self.report(
            problems,
            c,
            &shown,
            "wrong_type",
            format!("the cell is {what}; the column holds {expected}"),
        );
        Err(())
    }

    /// The trimmed text of column `c`; `Ok(None)` when absent or empty.
    fn text(&self, problems: &mut Problems, c: usize) -> Cell<Option<&'r str>> {
        match self.value(problems, c)? {
            CellValue::Null => Ok(None),
            CellValue::Text(s) => Ok(Some(s)),
            other => self.wrong_type(problems, c, other),
        }
    }

    fn missing<T>(&self, problems: &mut Problems, c: usize) -> Cell<T> {
        self.report(
            problems,
            c,
            "",
            "missing_value",
            "the column is required and the cell is empty".into(),
        );
        Err(())
    }

    fn required(&self, problems: &mut Problems, c: usize) -> Cell<&'r str> {
        match self.text(problems, c)? {
            Some(s) => Ok(s),
            None => self.missing(problems, c),
        }
    }

    fn parse_date(&self, problems: &mut Problems, c: usize, s: &str) -> Cell<Day> {
        Day::parse(s).ok_or_else(|| {
            self.report(
                problems,
                c,
                s,
                "invalid_date",
                format!(
                    "not an ISO date YYYY-MM-DD between {}-01-01 and {}-12-31",
                    Day::EARLIEST_YEAR,
                    Day::LATEST_YEAR
                ),
            )
        })
    }

    fn date(&self, problems: &mut Problems, c: usize) -> Cell<Day> {
        match self.opt_date(problems, c)? {
            Some(d) => Ok(d),
            None => self.missing(problems, c),
        }
    }

    fn opt_date(&self, problems: &mut Problems, c: usize) -> Cell<Option<Day>> {
        match self.value(problems, c)? {
            CellValue::Null => Ok(None),
            CellValue::Text(s) => self.parse_date(problems, c, s).map(Some),
            CellValue::UnixDays(n) => match Day::from_unix_days(n) {
                Some(d) => Ok(Some(d)),
                None => {
                    self.report(
                        problems,
                        c,
                        &unix_days_text(n),
                        "invalid_date",
                        format!(
                            "the date is outside {}-01-01 to {}-12-31",
                            Day::EARLIEST_YEAR,
                            Day::LATEST_YEAR
                        ),
                    );
                    Err(())
                }
            },
            other @ CellValue::Bool(_) => self.wrong_type(problems, c, other),
        }
    }

    fn parse_code<T>(
        &self,
        problems: &mut Problems,
        c: usize,
        s: &str,
        parse: fn(&str) -> Option<T>,
        codes: &[&str],
    ) -> Cell<T> {
        parse(s).ok_or_else(|| {
            self.report(
                problems,
                c,
                s,
                "unknown_code",
                format!("not a known code; known: {}", codes.join(", ")),
            )
        })
    }

    fn code<T>(
        &self,
        problems: &mut Problems,
        c: usize,
        parse: fn(&str) -> Option<T>,
        codes: &[&str],
    ) -> Cell<T> {
        let s = self.required(problems, c)?;
        self.parse_code(problems, c, s, parse, codes)
    }

    fn opt_code<T>(
        &self,
        problems: &mut Problems,
        c: usize,
        parse: fn(&str) -> Option<T>,
        codes: &[&str],
    ) -> Cell<Option<T>> {
        match self.text(problems, c)? {
            Some(s) => self.parse_code(problems, c, s, parse, codes).map(Some),
            None => Ok(None),
        }
    }

    fn boolean(&self, problems: &mut Problems, c: usize) -> Cell<bool> {
        let s = match self.value(problems, c)? {
            CellValue::Bool(b) => return Ok(b),
            CellValue::Null => return self.missing(problems, c),
            CellValue::Text(s) => s,
            other @ CellValue::UnixDays(_) => return self.wrong_type(problems, c, other),
        };
        match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "t" => Ok(true),
            "false" | "no" | "n" | "0" | "f" => Ok(false),
            _ => {
                self.report(
                    problems,
                    c,
                    s,
                    "invalid_bool",
                    "not a boolean; use true or false".into(),
                );
                Err(())
            }
        }
    }

    fn money(&self, problems: &mut Problems, c: usize) -> Cell<Option<Money>> {
        let Some(s) = self.text(problems, c)? else {
            return Ok(None);
        };
        match Money::parse(self.name(c), s) {
            Ok(m) if m.is_negative() => {
                self.report(
                    problems,
                    c,
                    s,
                    "negative_amount",
                    "a cost cannot be negative".into(),
                );
                Err(())
            }
            Ok(m) => Ok(Some(m)),
            Err(e) => {
                self.report(problems, c, s, "invalid_money", e.to_string());
                Err(())
            }
        }
    }

    fn reference<I: DictIndex>(
        &self,
        problems: &mut Problems,
        c: usize,
        dict: &Dictionary<I>,
        code: &str,
        what: &str,
    ) -> Cell<I> {
        let s = self.required(problems, c)?;
        self.lookup(problems, c, s, dict, code, what)
    }

    fn lookup<I: DictIndex>(
        &self,
        problems: &mut Problems,
        c: usize,
        s: &str,
        dict: &Dictionary<I>,
        code: &str,
        what: &str,
    ) -> Cell<I> {
        dict.get(s)
            .ok_or_else(|| self.report(problems, c, s, code, format!("no {what} has this id")))
    }
}

/// Read every row of a source, calling `each` with typed cell access. Rows with the wrong number
/// of fields or a syntax error are reported and skipped.
fn read_rows(
    src: &mut Source,
    layout: &Layout,
    stats: &mut LoadStats,
    problems: &mut Problems,
    mut each: impl FnMut(&Cells, &mut Problems),
) {
    if let Rows::Columns { columns, len } = &src.rows {
        for i in 0..*len {
            let cells = Cells {
                layout,
                record: RowRef::Columns(columns, i),
                row: i as u64 + 1,
            };
            each(&cells, problems);
        }
        stats.record_read(layout.table, *len as u64);
        return;
    }
    let mut record = ByteRecord::new();
    let mut row = 0u64;
    while let Some(next) = src.next(&mut record) {
        row += 1;
        if let Err(e) = next {
            problems.add(&layout.file, Some(row), "", "", "csv_syntax", e);
            continue;
        }
        if record.len() != layout.width {
            problems.add(
                &layout.file,
                Some(row),
                "",
                &record.len().to_string(),
                "wrong_field_count",
                format!(
                    "the row has {} field(s) and the header {}",
                    record.len(),
                    layout.width
                ),
            );
            continue;
        }
        let cells = Cells {
            layout,
            record: RowRef::Record(&record),
            row,
        };
        each(&cells, problems);
    }
    stats.record_read(layout.table, row);
}

// ---------------------------------------------------------------------------------------------
// The loader proper
// ---------------------------------------------------------------------------------------------

fn load_sources(
    mut sources: Vec<Option<Source>>,
    options: &LoadOptions,
    mut problems: Problems,
) -> Result<Dataset> {
    let mut ds = Dataset::default();
    for table in Table::ALL {
        if table.is_required() && sources.get(table_pos(*table)).is_none_or(Option::is_none) {
            problems.add(
                table.file_name(),
                None,
                "",
                "",
                "missing_table",
                format!("the table {} is required", table.as_str()),
            );
        }
    }
    // Dependency order: entities first, then the per-child tables that refer to them.
    let mut take = |t: Table| -> Option<(Source, Layout)> {
        let src = sources.get_mut(table_pos(t))?.take()?;
        let lay = layout(t, &src, options, &mut problems)?;
        Some((src, lay))
    };
    let mut order: Vec<(Table, Option<(Source, Layout)>)> = Vec::new();
    for t in [
        Table::Providers,
        Table::Children,
        Table::Workers,
        Table::Parents,
        Table::Episodes,
        Table::Assignments,
        Table::Placements,
        Table::Visits,
        Table::HcyExams,
        Table::Reports,
        Table::PermanencyGoals,
        Table::SentinelEvents,
        Table::CaseReturns,
    ] {
        order.push((t, take(t)));
    }
    // Each table's problems are sorted by row before the next table's are added.
    for (table, entry) in order {
        let start = problems.list.len();
        if let Some((mut src, lay)) = entry {
            let p = &mut problems;
            match table {
                Table::Providers => load_providers(&mut ds, &mut src, &lay, p),
                Table::Children => load_children(&mut ds, &mut src, &lay, p),
                Table::Workers => load_workers(&mut ds, &mut src, &lay, p),
                Table::Parents => load_parents(&mut ds, &mut src, &lay, p),
                Table::Episodes => load_episodes(&mut ds, &mut src, &lay, p),
                Table::Assignments => load_assignments(&mut ds, &mut src, &lay, p),
                Table::Placements => load_placements(&mut ds, &mut src, &lay, p),
                Table::Visits => load_visits(&mut ds, &mut src, &lay, p),
                Table::HcyExams => load_hcy_exams(&mut ds, &mut src, &lay, p),
                Table::Reports => load_reports(&mut ds, &mut src, &lay, p),
                Table::PermanencyGoals => load_goals(&mut ds, &mut src, &lay, p),
                Table::SentinelEvents => load_sentinel(&mut ds, &mut src, &lay, p),
                Table::CaseReturns => load_returns(&mut ds, &mut src, &lay, p),
            }
        }
        if let Some(tail) = problems.list.get_mut(start..) {
            tail.sort_by_key(|p| p.row);
        }
    }
    if !problems.is_empty() {
        return Err(problems.into_error());
    }
    ds.finalize();
    let dup_visits = ds.visits.remove_exact_duplicates();
    ds.stats.exclude(Table::Visits, "duplicate_row", dup_visits);
    let dup_exams = ds.hcy_exams.remove_exact_duplicates();
    ds.stats
        .exclude(Table::HcyExams, "duplicate_row", dup_exams);
    Ok(ds)
}

fn load_providers(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let id = r.required(p, 0);
        let name = r.text(p, 1);
        let kind = r.code(p, 2, ProviderKind::parse, ProviderKind::CODES);
        let region = r.text(p, 3);
        let (Ok(id), Ok(name), Ok(kind), Ok(region)) = (id, name, kind, region) else {
            return;
        };
        if ds.providers.ids.get(id).is_some() {
            r.report(
                p,
                0,
                id,
                "duplicate_id",
                "a provider with this id is already listed".into(),
            );
            return;
        }
        let region = region.map(|reg| ds.regions.intern(reg));
        ds.providers.push(id, name.unwrap_or(id), kind, region);
    });
    ds.stats = stats;
}

fn load_children(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let id = r.required(p, 0);
        let birth = r.date(p, 1);
        let (Ok(id), Ok(birth)) = (id, birth) else {
            return;
        };
        if ds.children.ids.get(id).is_some() {
            r.report(
                p,
                0,
                id,
                "duplicate_id",
                "a child with this id is already listed".into(),
            );
            return;
        }
        ds.children.push(id, birth);
    });
    ds.stats = stats;
}

fn load_workers(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    // Supervisors may be listed after the workers they supervise: resolve them in a second pass.
    let mut pending: Vec<(u64, WorkerIx, String)> = Vec::new();
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let id = r.required(p, 0);
        let provider = r.reference(p, 1, &ds.providers.ids, "unknown_provider", "provider");
        let role = r.code(p, 2, WorkerRole::parse, WorkerRole::CODES);
        let supervisor = r.text(p, 3);
        let trained = r.opt_date(p, 4);
        let hired = r.opt_date(p, 5);
        let left = r.opt_date(p, 6);
        let (Ok(id), Ok(provider), Ok(role), Ok(supervisor), Ok(trained), Ok(hired), Ok(left)) =
            (id, provider, role, supervisor, trained, hired, left)
        else {
            return;
        };
        if ds.workers.ids.get(id).is_some() {
            r.report(
                p,
                0,
                id,
                "duplicate_id",
                "a worker with this id is already listed".into(),
            );
            return;
        }
        if let Some((h, l)) = hired.zip(left).filter(|(h, l)| l < h) {
            r.report(
                p,
                6,
                &l.to_string(),
                "end_before_start",
                format!("the end date is before the hire date {h}"),
            );
            return;
        }
        let w = ds.workers.push(
            id,
            Worker {
                provider,
                role,
                supervisor: None,
                trauma_trained: trained,
                hired,
                left,
            },
        );
        if let Some(s) = supervisor {
            pending.push((r.row, w, s.to_string()));
        }
    });
    ds.stats = stats;
    for (row, w, s) in pending {
        match ds.workers.ids.get(&s) {
            Some(sup) if sup == w => problems.add(
                &lay.file,
                Some(row),
                "supervisor_id",
                &s,
                "self_supervision",
                "a worker cannot supervise themselves",
            ),
            Some(sup) => {
                if let Some(slot) = ds.workers.supervisor.get_mut(w.index()) {
                    *slot = Some(sup);
                }
            }
            None => problems.add(
                &lay.file,
                Some(row),
                "supervisor_id",
                &s,
                "unknown_worker",
                "no worker has this id",
            ),
        }
    }
}

fn load_parents(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut seen: HashMap<(u32, u32), ()> = HashMap::new();
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let id = r.required(p, 0);
        let child = r.reference(p, 1, &ds.children.ids, "unknown_child", "child");
        let allowed = r.boolean(p, 2);
        let (Ok(id), Ok(child), Ok(allowed)) = (id, child, allowed) else {
            return;
        };
        let parent = ds.parent_ids.intern(id);
        if seen.insert((parent.0, child.0), ()).is_some() {
            r.report(
                p,
                0,
                id,
                "duplicate_id",
                format!(
                    "parent {id} of child {} is already listed",
                    ds.children.ids.name(child)
                ),
            );
            return;
        }
        ds.parents.push(ParentLink {
            child,
            parent,
            visits_allowed: allowed,
        });
    });
    ds.stats = stats;
}

fn load_episodes(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut rows: Vec<u64> = Vec::new();
    // County -> (circuit, region, first row), to check the geography is consistent.
    let mut geography: Vec<Option<(CircuitIx, RegionIx, u64)>> = Vec::new();
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let removal = r.date(p, 1);
        let exit = r.opt_date(p, 2);
        let reason = r.opt_code(p, 3, ExitReason::parse, ExitReason::CODES);
        let county = r.required(p, 4);
        let circuit = r.required(p, 5);
        let region = r.required(p, 6);
        let (Ok(child), Ok(removal), Ok(exit), Ok(reason), Ok(county), Ok(circuit), Ok(region)) =
            (child, removal, exit, reason, county, circuit, region)
        else {
            return;
        };
        let mut ok = true;
        if let Some(e) = exit.filter(|e| *e < removal) {
            r.report(
                p,
                2,
                &e.to_string(),
                "exit_before_removal",
                format!("the exit date is before the removal date {removal}"),
            );
            ok = false;
        }
        match (exit, reason) {
            (Some(_), None) => {
                r.report(
                    p,
                    3,
                    "",
                    "missing_value",
                    "an episode with an exit date needs an exit reason".into(),
                );
                ok = false;
            }
            (None, Some(reason)) => {
                r.report(
                    p,
                    3,
                    reason.as_str(),
                    "reason_without_exit",
                    "an exit reason is given but no exit date".into(),
                );
                ok = false;
            }
            _ => {}
        }
        if let Some(&birth) = ds
            .children
            .birth
            .get(child.index())
            .filter(|b| removal < **b)
        {
            r.report(
                p,
                1,
                &removal.to_string(),
                "removal_before_birth",
                format!("the removal date is before the child's birth date {birth}"),
            );
            ok = false;
        }
        let county_ix = ds.counties.intern(county);
        let circuit_ix = ds.circuits.intern(circuit);
        let region_ix = ds.regions.intern(region);
        if geography.len() <= county_ix.index() {
            geography.resize(county_ix.index() + 1, None);
        }
        if let Some(slot) = geography.get_mut(county_ix.index()) {
            match *slot {
                None => *slot = Some((circuit_ix, region_ix, r.row)),
                Some((c, g, first)) => {
                    if c != circuit_ix {
                        r.report(
                            p,
                            5,
                            circuit,
                            "inconsistent_geography",
                            format!(
                                "county {county} is in circuit {} in row {first}",
                                ds.circuits.name(c)
                            ),
                        );
                        ok = false;
                    }
                    if g != region_ix {
                        r.report(
                            p,
                            6,
                            region,
                            "inconsistent_geography",
                            format!(
                                "county {county} is in region {} in row {first}",
                                ds.regions.name(g)
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }
        if ok {
            rows.push(r.row);
            ds.episodes.push(Episode {
                child,
                removal,
                exit,
                exit_reason: reason,
                county: county_ix,
                circuit: circuit_ix,
                region: region_ix,
            });
        }
    });
    ds.stats = stats;
    let e = &ds.episodes;
    check_overlaps(
        &e.child,
        &e.removal,
        &e.exit,
        &rows,
        &lay.file,
        "removal_date",
        "overlapping_episodes",
        "episode",
        problems,
    );
}

/// Report every pair of consecutive spans of one child where the later starts before the earlier
/// ends (an open span never ends). Spans are half-open: `[start, end)`.
#[allow(clippy::too_many_arguments)]
fn check_overlaps(
    child: &[ChildIx],
    start: &[Day],
    end: &[Option<Day>],
    rows: &[u64],
    file: &str,
    column: &str,
    code: &str,
    what: &str,
    problems: &mut Problems,
) {
    let mut order: Vec<usize> = (0..child.len()).collect();
    order.sort_by_key(|&i| (child.get(i).copied(), start.get(i).copied()));
    let mut found: Vec<(u64, String, String)> = Vec::new();
    for pair in order.windows(2) {
        let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let (Some(ca), Some(cb)) = (child.get(a), child.get(b)) else {
            continue;
        };
        if ca != cb {
            continue;
        }
        let (Some(&sa), Some(&ea), Some(&sb)) = (start.get(a), end.get(a), start.get(b)) else {
            continue;
        };
        if ea.is_none_or(|ea| sb < ea) {
            let row_a = rows.get(a).copied().unwrap_or(0);
            let row_b = rows.get(b).copied().unwrap_or(0);
            let until = ea.map_or("open".to_string(), |d| d.to_string());
            found.push((
                row_b,
                sb.to_string(),
                format!("the {what} overlaps the {what} of row {row_a} ({sa} to {until})"),
            ));
        }
    }
    for (row, value, msg) in found {
        problems.add(file, Some(row), column, &value, code, msg);
    }
}

fn end_after_start(
    r: &Cells,
    p: &mut Problems,
    end_col: usize,
    start: Day,
    end: Option<Day>,
) -> bool {
    match end {
        Some(e) if e < start => {
            r.report(
                p,
                end_col,
                &e.to_string(),
                "end_before_start",
                format!("the end date is before the start date {start}"),
            );
            false
        }
        _ => true,
    }
}

fn entered_after(
    r: &Cells,
    p: &mut Problems,
    col: usize,
    event: Day,
    entered: Option<Day>,
) -> bool {
    match entered {
        Some(e) if e < event => {
            r.report(
                p,
                col,
                &e.to_string(),
                "entered_before_event",
                format!("the record was entered before the event it records ({event})"),
            );
            false
        }
        _ => true,
    }
}

fn load_assignments(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let provider = r.reference(p, 1, &ds.providers.ids, "unknown_provider", "provider");
        let worker = r.reference(p, 2, &ds.workers.ids, "unknown_worker", "worker");
        let start = r.date(p, 3);
        let end = r.opt_date(p, 4);
        let (Ok(child), Ok(provider), Ok(worker), Ok(start), Ok(end)) =
            (child, provider, worker, start, end)
        else {
            return;
        };
        if end_after_start(r, p, 4, start, end) {
            ds.assignments.push(Assignment {
                child,
                provider,
                worker,
                start,
                end,
            });
        }
    });
    ds.stats = stats;
}

fn load_placements(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut rows: Vec<u64> = Vec::new();
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let setting = r.code(p, 1, PlacementSetting::parse, PlacementSetting::CODES);
        let start = r.date(p, 2);
        let end = r.opt_date(p, 3);
        let entered = r.opt_date(p, 4);
        let (Ok(child), Ok(setting), Ok(start), Ok(end), Ok(entered)) =
            (child, setting, start, end, entered)
        else {
            return;
        };
        let ok_end = end_after_start(r, p, 3, start, end);
        let ok_entered = entered_after(r, p, 4, start, entered);
        if ok_end && ok_entered {
            rows.push(r.row);
            ds.placements.push(Placement {
                child,
                setting,
                start,
                end,
                entered,
            });
        }
    });
    ds.stats = stats;
    let t = &ds.placements;
    check_overlaps(
        &t.child,
        &t.start,
        &t.end,
        &rows,
        &lay.file,
        "start_date",
        "overlapping_placements",
        "placement",
        problems,
    );
}

fn load_visits(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    // (parent, child) links, to check a visit's parent is a parent of its child.
    let links: std::collections::HashSet<(u32, u32)> = ds
        .parents
        .parent
        .iter()
        .zip(&ds.parents.child)
        .map(|(p, c)| (p.0, c.0))
        .collect();
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let date = r.date(p, 1);
        let kind = r.code(p, 2, VisitKind::parse, VisitKind::CODES);
        let parent = r.text(p, 3);
        let entered = r.opt_date(p, 4);
        let (Ok(child), Ok(date), Ok(kind), Ok(parent), Ok(entered)) =
            (child, date, kind, parent, entered)
        else {
            return;
        };
        let parent = match parent {
            None if kind.needs_parent() => {
                r.report(
                    p,
                    3,
                    "",
                    "missing_value",
                    format!("a {kind} visit names the parent"),
                );
                return;
            }
            None => None,
            Some(s) => {
                let Ok(ix) = r.lookup(p, 3, s, &ds.parent_ids, "unknown_parent", "parent") else {
                    return;
                };
                if !links.contains(&(ix.0, child.0)) {
                    r.report(
                        p,
                        3,
                        s,
                        "parent_not_of_child",
                        format!(
                            "parents lists no parent {s} for child {}",
                            ds.children.ids.name(child)
                        ),
                    );
                    return;
                }
                Some(ix)
            }
        };
        if entered_after(r, p, 4, date, entered) {
            ds.visits.push(Visit {
                child,
                date,
                kind,
                parent,
                entered,
            });
        }
    });
    ds.stats = stats;
}

fn load_hcy_exams(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let date = r.date(p, 1);
        let entered = r.opt_date(p, 2);
        let (Ok(child), Ok(date), Ok(entered)) = (child, date, entered) else {
            return;
        };
        if entered_after(r, p, 2, date, entered) {
            ds.hcy_exams.push(HcyExam {
                child,
                date,
                entered,
            });
        }
    });
    ds.stats = stats;
}

fn load_reports(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let date = r.date(p, 1);
        let substantiated = r.boolean(p, 2);
        let entered = r.opt_date(p, 3);
        let (Ok(child), Ok(date), Ok(substantiated), Ok(entered)) =
            (child, date, substantiated, entered)
        else {
            return;
        };
        if entered_after(r, p, 3, date, entered) {
            ds.reports.push(Report {
                child,
                date,
                substantiated,
                entered,
            });
        }
    });
    ds.stats = stats;
}

fn load_goals(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let goal = r.code(p, 1, Goal::parse, Goal::CODES);
        let date = r.date(p, 2);
        let (Ok(child), Ok(goal), Ok(date)) = (child, goal, date) else {
            return;
        };
        ds.permanency_goals
            .push(PermanencyGoal { child, goal, date });
    });
    ds.stats = stats;
}

fn load_sentinel(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let kind = r.code(p, 1, SentinelKind::parse, SentinelKind::CODES);
        let occurred = r.date(p, 2);
        let reported = r.opt_date(p, 3);
        let (Ok(child), Ok(kind), Ok(occurred), Ok(reported)) = (child, kind, occurred, reported)
        else {
            return;
        };
        if let Some(rep) = reported.filter(|rep| *rep < occurred) {
            r.report(
                p,
                3,
                &rep.to_string(),
                "reported_before_occurred",
                format!("the event was reported before it occurred ({occurred})"),
            );
            return;
        }
        ds.sentinel_events.push(SentinelEvent {
            child,
            kind,
            occurred,
            reported,
        });
    });
    ds.stats = stats;
}

fn load_returns(ds: &mut Dataset, src: &mut Source, lay: &Layout, problems: &mut Problems) {
    let mut stats = std::mem::take(&mut ds.stats);
    read_rows(src, lay, &mut stats, problems, |r, p| {
        let child = r.reference(p, 0, &ds.children.ids, "unknown_child", "child");
        let provider = r.reference(p, 1, &ds.providers.ids, "unknown_provider", "provider");
        let date = r.date(p, 2);
        let reason = r.code(p, 3, ReturnReason::parse, ReturnReason::CODES);
        let cost = r.money(p, 4);
        let (Ok(child), Ok(provider), Ok(date), Ok(reason), Ok(cost)) =
            (child, provider, date, reason, cost)
        else {
            return;
        };
        ds.case_returns.push(CaseReturn {
            child,
            provider,
            date,
            reason,
            cost,
        });
    });
    ds.stats = stats;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHILDREN: &str = "child_id,birth_date\nC1,2010-01-01\nC2,2012-06-30\n";
    const EPISODES: &str = "child_id,removal_date,exit_date,exit_reason,county,circuit,region\n\
                            C1,2023-01-01,2023-06-01,reunification,Greene,31,Springfield\n\
                            C2,2024-01-01,,,Jackson,16,Kansas City\n";

    fn codes(err: Error) -> Vec<String> {
        match err {
            Error::InvalidData { problems } => problems.into_iter().map(|p| p.code).collect(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn minimal_dataset_loads() {
        let ds = from_csv(
            &[("children.csv", CHILDREN), ("episodes.csv", EPISODES)],
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(ds.children.len(), 2);
        assert_eq!(ds.episodes.len(), 2);
        assert_eq!(ds.counties.len(), 2);
        assert_eq!(ds.stats.read(Table::Children), 2);
    }

    #[test]
    fn missing_tables_are_reported() {
        let err = from_csv(&[], &LoadOptions::default()).unwrap_err();
        assert_eq!(codes(err), ["missing_table", "missing_table"]);
    }

    #[test]
    fn problem_cap_counts_the_rest() {
        let mut text = String::from("child_id,birth_date\n");
        for i in 0..50 {
            text.push_str(&format!("C{i},nope\n"));
        }
        let opts = LoadOptions {
            max_problems: 10,
            ..LoadOptions::default()
        };
        let err = from_csv(
            &[("children.csv", &text), ("episodes.csv", EPISODES)],
            &opts,
        )
        .unwrap_err();
        let Error::InvalidData { problems } = err else {
            panic!()
        };
        assert_eq!(problems.len(), 11);
        let last = problems.last().unwrap();
        assert_eq!(last.code, "too_many_problems");
        // 50 bad dates + 2 unknown children in episodes, 10 listed.
        assert_eq!(last.value, "42");
    }

    proptest! {
        #[test]
        fn loader_never_panics_on_arbitrary_text(a in ".{0,300}", b in "[a-z_,0-9\\-\n\" ]{0,300}") {
            let _ = from_csv(&[("children.csv", a.as_str()), ("episodes.csv", b.as_str())], &LoadOptions::default());
            let header = format!("child_id,removal_date,exit_date,exit_reason,county,circuit,region\n{b}");
            let _ = from_csv(&[("children.csv", CHILDREN), ("episodes.csv", header.as_str()), ("visits.csv", a.as_str())], &LoadOptions::default());
        }
    }
}
