//! Helpers shared by this crate's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use nalgebra::DMatrix;

/// `shared/reference` in the first ancestor of the workspace that has it
/// (or `XENT_REFERENCE_DIR`).
pub fn reference_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("XENT_REFERENCE_DIR") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    root.ancestors()
        .map(|a| a.join("shared/reference"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no shared/reference beside {}; set XENT_REFERENCE_DIR", root.display()))
}

/// A CSV of the reference datasets as header and rows of numbers.
pub fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let path = reference_dir().join("datasets").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines.next().expect("header").split(',').map(str::to_string).collect();
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().expect("number")).collect())
        .collect();
    (header, rows)
}

/// Features and target of a GLM dataset, or `None` if it has no `y` column.
pub fn read_xy(name: &str) -> Option<(DMatrix<f64>, Vec<f64>)> {
    let (header, rows) = read_csv(name);
    let yi = header.iter().position(|h| h == "y")?;
    let xs: Vec<usize> = (0..header.len()).filter(|&j| j != yi).collect();
    let x = DMatrix::from_fn(rows.len(), xs.len(), |i, j| rows[i][xs[j]]);
    Some((x, rows.iter().map(|r| r[yi]).collect()))
}

/// Column `x` of a univariate dataset.
pub fn read_x(name: &str) -> Vec<f64> {
    let (header, rows) = read_csv(name);
    let i = header.iter().position(|h| h == "x").unwrap_or_else(|| panic!("{name}: no column x"));
    rows.iter().map(|r| r[i]).collect()
}
