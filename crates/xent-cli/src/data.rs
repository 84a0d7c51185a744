//! Reading CSV data with the `csv` crate: whole tables for regressions and
//! model comparison, and a one-pass stream of one column for large files.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, ErrorKind, ReaderBuilder, Trim};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::CliError;

/// The cell texts read as a missing value: pandas' default `na_values`
/// (which include R's `NA`), compared after trimming.
const MISSING: &[&str] = &[
    "", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "None", "<NA>", "#N/A", "#N/A N/A", "#NA",
    "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
];

/// Whether a cell's text is a missing value.
pub fn is_missing(text: &str) -> bool {
    MISSING.contains(&text)
}

/// `--missing`: what a missing value in a column the command uses does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Missing {
    /// Stop with an error naming its line and column (and this option).
    #[default]
    Error,
    /// Leave the row out, and say how many rows were left out and why.
    Drop,
}

/// The rows `--missing drop` left out: how many, and the missing cells per
/// column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dropped {
    /// Rows left out.
    pub rows: u64,
    /// Missing cells per column (a row may count in several).
    pub columns: BTreeMap<String, u64>,
}

impl Dropped {
    /// One line for the report, if any row was left out.
    pub fn note(&self) -> Option<String> {
        (self.rows > 0).then(|| {
            let per: Vec<String> = self.columns.iter().map(|(c, k)| format!("`{c}` {k}")).collect();
            format!("dropped {} rows with a missing value (missing cells: {})", self.rows, per.join(", "))
        })
    }
    /// The same as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({"rows": self.rows, "missing_by_column": self.columns})
    }
}

/// A numeric column with the file line of each value.
#[derive(Debug, Clone, Default)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// The values.
    pub values: Vec<f64>,
    /// The 1-based file line of each value.
    pub lines: Vec<u64>,
    /// The frequency weight of each value (`--weights`), if any. Rows of
    /// weight 0 are not read into the column.
    pub weights: Option<Vec<f64>>,
    /// The rows `--missing drop` left out.
    pub dropped: Dropped,
}

/// A table: the header and, per column, the raw cells' parse results.
#[derive(Debug)]
pub struct Table {
    path: PathBuf,
    headers: Vec<String>,
    cells: Vec<Vec<Result<f64, String>>>,
    lines: Vec<u64>,
}

/// The CSV reader of `path`: a file, a FIFO or other stream, or standard
/// input for `-`. Only a regular file can be known empty before reading;
/// a stream with no bytes is found empty at its header.
fn open(path: &Path) -> Result<csv::Reader<Box<dyn Read>>, CliError> {
    let source: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let file = File::open(path).map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
        if file.metadata().map(|m| m.is_file() && m.len() == 0).unwrap_or(false) {
            return Err(CliError::Empty(path.to_path_buf()));
        }
        Box::new(file)
    };
    Ok(ReaderBuilder::new()
        .trim(Trim::All)
        .flexible(false)
        .from_reader(Box::new(BufReader::with_capacity(1 << 20, source))))
}

/// A cell's text for an error line: at most 40 characters, with the
/// length of what was cut.
pub(crate) fn excerpt(text: &str) -> String {
    const KEEP: usize = 40;
    match text.char_indices().nth(KEEP) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

fn csv_error(path: &Path, e: csv::Error) -> CliError {
    match e.kind() {
        ErrorKind::UnequalLengths { pos, expected_len, len } => {
            CliError::Ragged { line: pos.as_ref().map_or(0, |p| p.line()), expected: *expected_len, found: *len }
        }
        ErrorKind::Io(_) => CliError::Csv { path: path.to_path_buf(), message: e.to_string() },
        _ => CliError::Csv { path: path.to_path_buf(), message: e.to_string() },
    }
}

/// The header; an empty one is an error, and so is a name that occurs
/// twice (which column `--target y` means would be a guess).
fn headers(path: &Path, rdr: &mut csv::Reader<Box<dyn Read>>) -> Result<Vec<String>, CliError> {
    let h = rdr.headers().map_err(|e| csv_error(path, e))?;
    if h.is_empty() || h.iter().all(str::is_empty) {
        return Err(CliError::Empty(path.to_path_buf()));
    }
    let names: Vec<String> = h.iter().map(str::to_string).collect();
    for (j, name) in names.iter().enumerate() {
        if let Some(k) = names[..j].iter().position(|m| m == name) {
            return Err(CliError::DuplicateColumn {
                path: path.to_path_buf(),
                name: excerpt(name),
                first: k + 1,
                second: j + 1,
            });
        }
    }
    Ok(names)
}

/// Parses one cell: a finite number, or the error naming line and column.
fn parse_cell(bytes: &[u8], line: u64, column: &str) -> Result<f64, CliError> {
    let text = std::str::from_utf8(bytes).unwrap_or("");
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(CliError::NonFinite { line, column: column.to_string(), cell: excerpt(text) }),
        Err(_) => Err(CliError::NotNumeric {
            line,
            column: column.to_string(),
            cell: excerpt(&String::from_utf8_lossy(bytes)),
        }),
    }
}

/// Which column to read: the named one, or the only one (besides the
/// weights', `skip`).
fn choose(path: &Path, headers: &[String], column: Option<&str>, skip: Option<usize>) -> Result<usize, CliError> {
    let available = headers.join(", ");
    let others: Vec<usize> = (0..headers.len()).filter(|j| Some(*j) != skip).collect();
    match column {
        Some(name) => headers.iter().position(|h| h == name).ok_or_else(|| CliError::MissingColumn {
            path: path.to_path_buf(),
            name: name.to_string(),
            available,
        }),
        None if others.len() == 1 => Ok(others[0]),
        None => Err(CliError::AmbiguousColumn { path: path.to_path_buf(), count: headers.len(), available }),
    }
}

/// Streams the values of one column through `each(value, weight, line)` in
/// a single pass with memory independent of the file's size; a progress
/// bar (bytes read) is drawn on stderr when it is a terminal. Returns the
/// column's name and the number of rows. The frequency weight of each
/// value comes from the column `weights` (1 without one). A missing value
/// (see [`is_missing`]) in either is an error, or with [`Missing::Drop`]
/// leaves its row out (counted in the returned [`Dropped`]).
/// A weight is a finite number `≥ 0`; a row of weight 0 is no
/// observation, so its value is not read (a zero count of an impossible
/// value is not an error); weights that are all 0 are an error.
pub fn stream_weighted(
    path: &Path,
    column: Option<&str>,
    weights: Option<&str>,
    missing: Missing,
    mut each: impl FnMut(f64, f64, u64) -> Result<(), CliError>,
) -> Result<(String, u64, Dropped), CliError> {
    let total = std::fs::metadata(path).ok().filter(|m| m.is_file()).map_or(0, |m| m.len());
    let mut rdr = open(path)?;
    let headers = headers(path, &mut rdr)?;
    let wc = weights.map(|w| choose(path, &headers, Some(w), None)).transpose()?;
    let c = choose(path, &headers, column, wc)?;
    if wc == Some(c) {
        return Err(CliError::Usage(format!("--weights {}: that is the column being fitted", headers[c])));
    }
    let mut positive = false;
    let mut dropped = Dropped::default();
    // A missing cell: an error, or `true` (drop the row) counted.
    let mut absent = |cell: &[u8], line: u64, column: &str| -> Result<bool, CliError> {
        let text = std::str::from_utf8(cell).unwrap_or("");
        if !is_missing(text) {
            return Ok(false);
        }
        match missing {
            Missing::Error => Err(CliError::Missing { line, column: column.to_string(), cell: excerpt(text) }),
            Missing::Drop => {
                *dropped.columns.entry(column.to_string()).or_default() += 1;
                Ok(true)
            }
        }
    };
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
            .unwrap_or(ProgressStyle::default_bar()),
    );
    let mut record = ByteRecord::new();
    let mut rows = 0u64;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e)),
        }
        let line = record.position().map_or(rows + 2, |p| p.line());
        rows += 1;
        let w = match wc {
            Some(j) if absent(&record[j], line, &headers[j])? => {
                dropped.rows += 1;
                continue;
            }
            Some(j) => parse_weight(&record[j], line, &headers[j])?,
            None => 1.0,
        };
        if w != 0.0 {
            if absent(&record[c], line, &headers[c])? {
                dropped.rows += 1;
                continue;
            }
            positive = true;
            each(parse_cell(&record[c], line, &headers[c])?, w, line)?;
        }
        if rows & 0xFFFF == 0 {
            bar.set_position(record.position().map_or(0, |p| p.byte()));
        }
    }
    bar.finish_and_clear();
    if rows == 0 {
        return Err(CliError::NoRows(path.to_path_buf()));
    }
    if rows == dropped.rows {
        return Err(CliError::Data(format!(
            "every row of {} has a missing value in the columns used; nothing is left to fit",
            path.display()
        )));
    }
    if let (Some(j), false) = (wc, positive) {
        return Err(CliError::ZeroWeights(headers[j].clone()));
    }
    Ok((headers[c].clone(), rows, dropped))
}

/// Parses a weight cell: a finite number `≥ 0`.
fn parse_weight(bytes: &[u8], line: u64, column: &str) -> Result<f64, CliError> {
    let w = parse_cell(bytes, line, column)?;
    if w < 0.0 {
        return Err(CliError::NegativeWeight {
            line,
            column: column.to_string(),
            cell: excerpt(&String::from_utf8_lossy(bytes)),
        });
    }
    Ok(w)
}

/// Reads one column into memory, with its weights from the column
/// `weights` if one is named (rows of weight 0 left out).
pub fn read_column(
    path: &Path,
    column: Option<&str>,
    weights: Option<&str>,
    missing: Missing,
) -> Result<Column, CliError> {
    let mut col = Column { weights: weights.map(|_| Vec::new()), ..Column::default() };
    let (name, _, dropped) = stream_weighted(path, column, weights, missing, |v, w, line| {
        col.values.push(v);
        col.lines.push(line);
        if let Some(ws) = &mut col.weights {
            ws.push(w);
        }
        Ok(())
    })?;
    col.name = name;
    col.dropped = dropped;
    Ok(col)
}

impl Table {
    /// Reads a whole CSV file; cells are parsed lazily checked — a
    /// non-numeric cell is an error only if its column is used.
    pub fn read(path: &Path) -> Result<Table, CliError> {
        let mut rdr = open(path)?;
        let headers = headers(path, &mut rdr)?;
        let mut cells: Vec<Vec<Result<f64, String>>> = vec![Vec::new(); headers.len()];
        let mut lines = Vec::new();
        let mut record = ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(path, e)),
            }
            let line = record.position().map_or(lines.len() as u64 + 2, |p| p.line());
            lines.push(line);
            for (j, cell) in record.iter().enumerate() {
                let text = String::from_utf8_lossy(cell);
                cells[j].push(text.parse::<f64>().map_err(|_| text.into_owned()));
            }
        }
        if lines.is_empty() {
            return Err(CliError::NoRows(path.to_path_buf()));
        }
        Ok(Table { path: path.to_path_buf(), headers, cells, lines })
    }

    /// The column names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// The 1-based file line of row `i`.
    pub fn line(&self, i: usize) -> u64 {
        self.lines[i]
    }

    /// Column `j` as frequency weights: finite numbers `≥ 0` (the first bad
    /// cell named by line and column); all of them 0 is an error.
    pub fn weights(&self, j: usize) -> Result<Vec<f64>, CliError> {
        let w = self.numeric(j)?;
        if let Some(i) = w.iter().position(|v| *v < 0.0) {
            let cell = match &self.cells[j][i] {
                Ok(v) => v.to_string(),
                Err(text) => text.clone(),
            };
            return Err(CliError::NegativeWeight { line: self.lines[i], column: self.headers[j].clone(), cell });
        }
        if w.iter().all(|v| *v == 0.0) {
            return Err(CliError::ZeroWeights(self.headers[j].clone()));
        }
        Ok(w)
    }

    /// Keeps only the rows `i` with `keep(i)` (the rows of weight 0 leave
    /// before any other cell of theirs is looked at).
    pub fn retain_rows(&mut self, keep: impl Fn(usize) -> bool) {
        let rows: Vec<usize> = (0..self.lines.len()).filter(|&i| keep(i)).collect();
        self.lines = rows.iter().map(|&i| self.lines[i]).collect();
        for col in &mut self.cells {
            *col = rows.iter().map(|&i| col[i].clone()).collect();
        }
    }

    /// Whether every cell of column `j` is a finite number or missing.
    pub fn is_numeric(&self, j: usize) -> bool {
        self.cells[j].iter().all(|c| match c {
            Ok(v) => v.is_finite() || v.is_nan(),
            Err(text) => is_missing(text),
        })
    }

    /// Whether column `j` holds labels: every cell that is not missing is
    /// text that is not a number, and at least one is (a column of numbers
    /// with a stray word is not a column of labels: its word is an error).
    pub fn is_text(&self, j: usize) -> bool {
        let mut any = false;
        for c in &self.cells[j] {
            match c {
                Err(text) if is_missing(text) => {}
                Err(_) => any = true,
                Ok(v) if v.is_nan() => {}
                Ok(_) => return false,
            }
        }
        any
    }

    /// Column `j` as labels: each cell's text (a number as it prints).
    pub fn text(&self, j: usize) -> Vec<String> {
        self.cells[j]
            .iter()
            .map(|c| match c {
                Ok(v) => v.to_string(),
                Err(text) => text.clone(),
            })
            .collect()
    }

    /// Whether the cell of row `i` in column `j` is a missing value.
    fn is_missing_at(&self, j: usize, i: usize) -> bool {
        match &self.cells[j][i] {
            Ok(v) => v.is_nan(),
            Err(text) => is_missing(text),
        }
    }

    /// Leaves out the rows with a missing value in any of `columns`
    /// (`--missing drop`), counted by column.
    pub fn drop_missing(&mut self, columns: &[usize]) -> Dropped {
        let mut d = Dropped::default();
        let keep: Vec<bool> = (0..self.rows())
            .map(|i| {
                let mut whole = true;
                for &j in columns {
                    if self.is_missing_at(j, i) {
                        *d.columns.entry(self.headers[j].clone()).or_default() += 1;
                        whole = false;
                    }
                }
                d.rows += u64::from(!whole);
                whole
            })
            .collect();
        self.retain_rows(|i| keep[i]);
        d
    }

    /// The index of a named column.
    pub fn index(&self, name: &str) -> Result<usize, CliError> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| CliError::MissingColumn {
            path: self.path.clone(),
            name: name.to_string(),
            available: self.headers.join(", "),
        })
    }

    /// Column `j` as numbers; the first bad cell is an error naming its
    /// line and column.
    pub fn numeric(&self, j: usize) -> Result<Vec<f64>, CliError> {
        self.cells[j]
            .iter()
            .zip(&self.lines)
            .map(|(c, &line)| match c {
                Ok(v) if v.is_finite() => Ok(*v),
                Ok(v) if v.is_nan() => {
                    Err(CliError::Missing { line, column: self.headers[j].clone(), cell: excerpt(&v.to_string()) })
                }
                Err(text) if is_missing(text) => {
                    Err(CliError::Missing { line, column: self.headers[j].clone(), cell: excerpt(text) })
                }
                Ok(v) => {
                    Err(CliError::NonFinite { line, column: self.headers[j].clone(), cell: excerpt(&v.to_string()) })
                }
                Err(text) => Err(CliError::NotNumeric { line, column: self.headers[j].clone(), cell: excerpt(text) }),
            })
            .collect()
    }
}
