//! Degenerate designs, found before a conditional fit rather than after
//! it: a column that is constant beside the intercept, all zero, or a
//! linear combination of earlier columns makes the likelihood flat along a
//! direction, so no unique estimate exists and any standard error printed
//! for it (0, NaN or 10⁸) is an artefact.
//!
//! The test is R's `lm` rule in Gram–Schmidt form: the columns are taken
//! in order, each orthogonalised (twice where the first pass cancelled
//! more than half of it, which makes classical Gram–Schmidt as accurate as
//! Householder) against the independent
//! columns before it; a column whose residual norm is at most
//! `max(n, p) · ε` of its own norm — numpy's `matrix_rank` tolerance — is
//! dependent. Above [`SUBSAMPLE_ROWS`] rows an evenly spaced subset of rows
//! (at least 8 per column) is tested first: a subset of rows of full column rank proves the whole
//! design has full column rank, so only a subset that fails needs the full
//! pass (which then decides).

use nalgebra::{DMatrix, DVector};
use xent_objectives::conditional::Design;

use crate::error::FitFailure;

/// Rows of the subset tested first on large designs (at least 8 per column).
const SUBSAMPLE_ROWS: usize = 16_384;

/// A dependent column: its index and its residual norm relative to its
/// own norm (0 for a zero column).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dependent {
    pub(crate) column: usize,
    pub(crate) residual: f64,
}

/// The columns of `x` that are numerically linear combinations of the
/// columns before them.
pub(crate) fn dependent_columns(x: &DMatrix<f64>) -> Vec<Dependent> {
    let (n, p) = x.shape();
    let tol = n.max(p) as f64 * f64::EPSILON;
    let mut basis: Vec<DVector<f64>> = Vec::with_capacity(p);
    let mut out = Vec::new();
    for j in 0..p {
        let col = x.column(j);
        let norm = col.norm();
        if !(norm > 0.0) {
            out.push(Dependent { column: j, residual: 0.0 });
            continue;
        }
        let mut r: DVector<f64> = col / norm;
        // "Twice is enough" (Kahan–Parlett): a second pass only when the
        // first removed most of the column.
        let mut before = 1.0;
        for _ in 0..2 {
            for q in &basis {
                let c = q.dot(&r);
                r.axpy(-c, q, 1.0);
            }
            let after = r.norm();
            if after > 0.5 * before {
                break;
            }
            before = after;
        }
        let rel = r.norm();
        if rel <= tol {
            out.push(Dependent { column: j, residual: rel });
        } else {
            basis.push(r / rel);
        }
    }
    out
}

/// Every design problem of `design` as a typed error naming the columns.
pub(crate) fn check_design(design: &Design) -> Result<(), FitFailure> {
    let x = design.matrix();
    let n = x.nrows();
    let subset = SUBSAMPLE_ROWS.max(8 * x.ncols());
    if n > 2 * subset {
        let step = n.div_ceil(subset);
        let rows: Vec<usize> = (0..n).step_by(step).collect();
        if dependent_columns(&x.select_rows(&rows)).is_empty() {
            return Ok(());
        }
    }
    match dependent_columns(x).first() {
        None => Ok(()),
        Some(d) => Err(describe(design, *d)),
    }
}

/// The error for the first dependent column, in words a user can act on.
pub(crate) fn describe(design: &Design, d: Dependent) -> FitFailure {
    let names = design.column_names();
    let x = design.matrix().column(d.column);
    let name = &names[d.column];
    let first = x[0];
    let constant = x.iter().all(|v| *v == first);
    let reason = if constant && first == 0.0 {
        format!("column `{name}` is zero in every row")
    } else if constant && design.has_intercept() && d.column > 0 {
        format!("column `{name}` is constant ({first} in every row), so it duplicates the intercept")
    } else {
        let earlier: Vec<&str> = names[..d.column].iter().map(String::as_str).collect();
        format!(
            "column `{name}` is a linear combination of {} (relative residual {:.1e} after projecting them out)",
            if earlier.len() == 1 { format!("`{}`", earlier[0]) } else { format!("`{}`", earlier.join("`, `")) },
            d.residual
        )
    };
    FitFailure::DegenerateDesign { column: name.clone(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependence_is_found_at_the_tolerance_and_not_before() {
        let n = 50;
        let base = DMatrix::from_fn(n, 2, |i, j| ((i * (j + 3)) as f64 * 0.37).sin());
        // x3 = x1 + 2 x2 + δ·z with z orthogonal-ish noise: dependent below
        // the tolerance, independent above it.
        let z = DVector::from_fn(n, |i, _| ((i * 7) as f64 * 1.3).cos());
        let tol = n as f64 * f64::EPSILON;
        for (delta, dependent) in [(0.0, true), (0.01 * tol, true), (1e3 * tol, false), (1e-6, false)] {
            let mut x = base.clone().insert_column(2, 0.0);
            let c = base.column(0) + base.column(1) * 2.0 + &z * delta;
            x.set_column(2, &c);
            let d = dependent_columns(&x);
            assert_eq!(!d.is_empty(), dependent, "δ = {delta:e}: {d:?}");
            if dependent {
                assert_eq!(d[0].column, 2);
            }
        }
    }

    #[test]
    fn the_later_of_two_equal_columns_is_the_dependent_one() {
        let x = DMatrix::from_fn(20, 3, |i, j| if j == 2 { i as f64 } else { (i * (j + 1)) as f64 % 7.0 });
        let mut y = x.clone();
        y.set_column(0, &x.column(2));
        let d = dependent_columns(&y);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].column, 2);
    }
}
