//! Test support shared by the workspace's test suites: where the reference
//! tables live (`shared/reference` beside the project root, or
//! `XENT_REFERENCE_DIR`) and how to read them. Not part of any public API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(clippy::panic)]

use std::path::PathBuf;

/// `shared/reference`, beside the project root: the first ancestor of the
/// workspace that holds `shared/reference` (override with
/// `XENT_REFERENCE_DIR`). Missing reference data is a test failure.
pub fn reference_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("XENT_REFERENCE_DIR") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    root.ancestors().map(|a| a.join("shared/reference")).find(|p| p.is_dir()).unwrap_or_else(|| {
        panic!("no shared/reference beside {} or its ancestors; set XENT_REFERENCE_DIR", root.display())
    })
}

/// Reads a CSV file of the reference directory into header-keyed rows.
pub fn read_rows(file: &str) -> Vec<Row> {
    let path = reference_dir().join(file);
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = rdr.headers().expect("header row").clone();
    let rows: Vec<Row> = rdr
        .records()
        .enumerate()
        .map(|(i, r)| {
            let r = r.unwrap_or_else(|e| panic!("{file} row {}: {e}", i + 2));
            Row {
                line: i + 2,
                fields: headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect(),
            }
        })
        .collect();
    assert!(!rows.is_empty(), "{file} has no rows");
    rows
}

/// Reads column `x` of a dataset.
pub fn read_dataset(name: &str) -> Vec<f64> {
    let path = reference_dir().join("datasets").join(name);
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = rdr.headers().expect("header").clone();
    let col = headers.iter().position(|h| h == "x").unwrap_or_else(|| panic!("{name}: no column x"));
    rdr.records().map(|r| parse_f64(&r.expect("record")[col])).collect()
}

/// One CSV row with its line number.
pub struct Row {
    /// The 1-based file line.
    pub line: usize,
    fields: Vec<(String, String)>,
}

impl Row {
    /// The cell of column `key` (a panic names the line if it is missing).
    pub fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("line {}: no column {key}", self.line))
    }
    /// The cell of column `key` as a number.
    pub fn f64(&self, key: &str) -> f64 {
        parse_f64(self.get(key))
    }
}

/// A number, with `inf`, `-inf`, `Infinity` and `nan` spelled out.
pub fn parse_f64(s: &str) -> f64 {
    match s.trim() {
        "inf" | "+inf" | "Infinity" => f64::INFINITY,
        "-inf" | "-Infinity" => f64::NEG_INFINITY,
        "nan" | "NaN" => f64::NAN,
        t => t.parse().unwrap_or_else(|e| panic!("not a number {t:?}: {e}")),
    }
}

/// Parses `name=value;name=value`.
pub fn parse_params(s: &str) -> Vec<(String, f64)> {
    s.split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or_else(|| panic!("bad parameter {p:?}"));
            (k.trim().to_string(), parse_f64(v))
        })
        .collect()
}

/// The path of a reference dataset.
pub fn dataset(name: &str) -> PathBuf {
    reference_dir().join("datasets").join(name)
}

/// A CSV of the reference datasets as header and rows of numbers.
pub fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let path = dataset(name);
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = rdr.headers().expect("header").iter().map(str::to_string).collect();
    let rows = rdr.records().map(|r| r.expect("record").iter().map(parse_f64).collect()).collect();
    (header, rows)
}

/// Features and target of a GLM dataset (every column but `y`, and `y`),
/// or `None` if it has no `y` column.
pub fn read_xy(name: &str) -> Option<(nalgebra::DMatrix<f64>, Vec<f64>)> {
    let (header, rows) = read_csv(name);
    let yi = header.iter().position(|h| h == "y")?;
    let xs: Vec<usize> = (0..header.len()).filter(|&j| j != yi).collect();
    let x = nalgebra::DMatrix::from_fn(rows.len(), xs.len(), |i, j| rows[i][xs[j]]);
    Some((x, rows.iter().map(|r| r[yi]).collect()))
}
