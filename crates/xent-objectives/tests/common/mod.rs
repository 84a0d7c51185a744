//! Helpers shared by this crate's integration tests.
#![allow(dead_code)]

use nalgebra::DMatrix;

#[allow(unused_imports)]
pub use xent_reference::{read_csv, reference_dir};

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
