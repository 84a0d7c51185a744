//! Helpers shared by the integration tests: the reference directory, CSV
//! reading, parameter parsing and tolerance checks with readable reports.
#![allow(dead_code)]

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
    pub line: usize,
    fields: Vec<(String, String)>,
}

impl Row {
    pub fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("line {}: no column {key}", self.line))
    }
    pub fn f64(&self, key: &str) -> f64 {
        parse_f64(self.get(key))
    }
}

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

pub fn as_refs(p: &[(String, f64)]) -> Vec<(&str, f64)> {
    p.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

/// `|got − want| ≤ rel·|want|` or `≤ abs`; infinities must match exactly.
pub fn close(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    let err = (got - want).abs();
    err <= rel * want.abs() || err <= abs
}

/// Collects failures and panics once with all of them listed.
#[derive(Default)]
pub struct Failures(Vec<String>);

impl Failures {
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
    pub fn push(&mut self, msg: String) {
        self.0.push(msg);
    }
    pub fn finish(self, what: &str, checked: usize) {
        assert!(checked > 0, "{what}: nothing was checked");
        assert!(self.0.is_empty(), "{what}: {} of {checked} checks failed:\n  {}", self.0.len(), self.0.join("\n  "));
    }
}

pub mod quad;

use proptest::test_runner::{Config, RngSeed};

/// Proptest configuration: fixed seed, no failure files, `cases` cases.
pub fn proptest_config(cases: u32, seed: u64) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(seed), failure_persistence: None, ..Config::default() }
}
