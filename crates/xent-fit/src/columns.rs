//! Conditional fits on a standardised design.
//!
//! A linear predictor `η = Xβ` is unchanged when a feature column `x_j` is
//! replaced by `(x_j − μ_j)/s_j` and its coefficient by `s_j β_j`, the
//! intercept absorbing `Σ β_j μ_j` (the centring needs an intercept; without
//! one only the scaling is applied). So every regression is fitted on a
//! design whose feature columns have spread ~1 and mean ~0, and the
//! coefficients are mapped back: the optimiser's tolerances, the rank
//! test's and the separation test's thresholds then mean the same
//! whatever the units of the features (1e-300, 1e300, timestamps at 1e15
//! plus seconds), and a column at 1e15 + small offsets, numerically
//! collinear with the intercept as it stands, is fitted through its
//! centred form.
//!
//! - `s_j` is a power of two near the root mean square of the centred
//!   column (exact division); `μ_j` its mean, accumulated relative to its
//!   first entry. Columns without spread are left as they are, for the
//!   degenerate-design test to name.
//! - With `β = A β̃` (A block-diagonal, one `p × p` block per linear
//!   predictor: `β_j = β̃_j / s_j`, `β_0 = β̃_0 − Σ_j β̃_j μ_j / s_j`; extra
//!   parameters unchanged), the covariance is `A C̃ Aᵀ` (whose entries, the
//!   squares of the errors, over- or underflow for features at 1e∓300:
//!   the standard errors are computed without squaring, from σ̃ and the
//!   correlation). The log-likelihood is the same number.

use nalgebra::DMatrix;
use xent_objectives::conditional::Design;

use crate::error::FitFailure;
use crate::report::FitReport;
use crate::standardise::nearest_power_of_two;

/// How each feature column of a design was standardised.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    /// Per design column (the intercept's entry is `(0, 1)`): centre, scale.
    centre: Vec<f64>,
    scale: Vec<f64>,
    intercept: bool,
}

impl ColumnMap {
    /// The standardised design, or `None` where every column already has
    /// mean 0 (or no intercept to absorb it) and a power-of-two scale of 1.
    pub(crate) fn choose(design: &Design) -> Option<(ColumnMap, Design)> {
        let x = design.matrix();
        let (n, p) = x.shape();
        let intercept = design.has_intercept();
        let first = usize::from(intercept);
        let mut centre = vec![0.0; p];
        let mut scale = vec![1.0; p];
        for j in first..p {
            let col = x.column(j);
            let x0 = col[0];
            let mu = if intercept { x0 + col.iter().map(|v| v - x0).sum::<f64>() / n as f64 } else { 0.0 };
            // Root mean square of the centred column, scaled against over- and underflow.
            let top = col.iter().fold(0.0f64, |m, v| m.max((v - mu).abs()));
            if !(top > 0.0 && top.is_finite()) {
                continue;
            }
            let rms = top * (col.iter().map(|v| ((v - mu) / top).powi(2)).sum::<f64>() / n as f64).sqrt();
            if !(rms > 0.0 && rms.is_finite()) {
                continue;
            }
            centre[j] = mu;
            scale[j] = nearest_power_of_two(rms).0;
        }
        if centre.iter().all(|c| *c == 0.0) && scale.iter().all(|s| *s == 1.0) {
            return None;
        }
        let mut z = x.clone();
        for j in first..p {
            let (mu, s) = (centre[j], scale[j]);
            if mu != 0.0 || s != 1.0 {
                z.column_mut(j).apply(|v| *v = (*v - mu) / s);
            }
        }
        if z.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let features = if intercept { z.remove_column(0) } else { z };
        let names: Vec<String> = design.column_names().into_iter().skip(first).collect();
        let sd = Design::new(&features, intercept).ok()?.with_names(names).ok()?;
        Some((ColumnMap { centre, scale, intercept }, sd))
    }

    /// The non-zero entries `(k, A_ik)` of row `i` of `A` (`blocks` linear
    /// predictors of `p` coefficients, then the extra parameters): an
    /// intercept row has `p`, every other row one. `A` is never formed as
    /// a dense `d × d` matrix — its products would cost `O(d³)` for a
    /// softmax with thousands of coefficients.
    fn row(&self, i: usize, blocks: usize) -> Vec<(usize, f64)> {
        let p = self.scale.len();
        if i >= blocks * p {
            return vec![(i, 1.0)];
        }
        let (o, j) = (i - i % p, i % p);
        if j == 0 && self.intercept {
            let mut v = vec![(o, 1.0)];
            v.extend((1..p).map(|k| (o + k, -self.centre[k] / self.scale[k])).filter(|e| e.1 != 0.0));
            v
        } else {
            vec![(i, 1.0 / self.scale[j])]
        }
    }

    /// `A` as a dense matrix (for one block: the `p × p` maps of
    /// [`ColumnMap::left_multiply`], and tests).
    fn matrix(&self, blocks: usize, extra: usize) -> DMatrix<f64> {
        let d = blocks * self.scale.len() + extra;
        let mut a = DMatrix::zeros(d, d);
        for i in 0..d {
            for (k, v) in self.row(i, blocks) {
                a[(i, k)] = v;
            }
        }
        a
    }

    /// Maps a report on the standardised design back to the design's
    /// coefficients (`extra` parameters after the linear predictors'
    /// blocks are left as they are).
    pub(crate) fn report(&self, mut r: FitReport, extra: usize) -> FitReport {
        let p = self.scale.len();
        let d = r.estimates.len();
        let blocks = (d - extra) / p;
        let rows: Vec<Vec<(usize, f64)>> = (0..d).map(|i| self.row(i, blocks)).collect();
        r.estimates = rows.iter().map(|row| row.iter().map(|&(k, a)| a * r.estimates[k]).sum()).collect();
        // Standard errors without squaring them: with σ̃ and the correlation
        // R̃ of the standardised fit, se_i = ‖v‖ √(uᵀR̃u) for v = A_i ∘ σ̃ and
        // u = v/‖v‖∞ — finite and non-zero for errors of 1e±300, whose
        // squares (the covariance's entries) over- or underflow.
        let sig = &r.std_errors;
        let c = &r.covariance;
        let se: Vec<f64> = rows
            .iter()
            .map(|row| {
                let v: Vec<(usize, f64)> = row.iter().map(|&(k, a)| (k, a * sig[k])).collect();
                let m = v.iter().fold(0.0f64, |m, x| if x.1.is_nan() { f64::NAN } else { m.max(x.1.abs()) });
                if !(m > 0.0 && m.is_finite()) {
                    return if m == 0.0 { 0.0 } else { f64::NAN };
                }
                let mut q = 0.0;
                for &(k, vk) in &v {
                    for &(l, vl) in &v {
                        if vk != 0.0 && vl != 0.0 {
                            q += (vk / m) * (vl / m) * (c[(k, l)] / (sig[k] * sig[l]));
                        }
                    }
                }
                if q >= 0.0 { m * q.sqrt() } else { f64::NAN }
            })
            .collect();
        // A C̃ Aᵀ row by row, then column by column, through the non-zeros.
        let mut ac = DMatrix::zeros(d, d);
        for (i, row) in rows.iter().enumerate() {
            for &(k, a) in row {
                for col in 0..d {
                    ac[(i, col)] += a * c[(k, col)];
                }
            }
        }
        let mut cov = DMatrix::zeros(d, d);
        for (j, row) in rows.iter().enumerate() {
            for &(k, a) in row {
                cov.column_mut(j).axpy(a, &ac.column(k), 1.0);
            }
        }
        r.std_errors = se;
        r.covariance = cov;
        r
    }

    /// A failure on the standardised design as one on the design.
    pub(crate) fn failure(&self, e: FitFailure, extra: usize) -> FitFailure {
        match e {
            FitFailure::NotConverged { report } => {
                FitFailure::NotConverged { report: Box::new(self.report(*report, extra)) }
            }
            other => other,
        }
    }

    /// `A·M` for a matrix with one row per coefficient of a single block
    /// (the rows of `R⁻¹` in [`ols_std_errors`](crate::ols_std_errors)).
    pub(crate) fn left_multiply(&self, m: &DMatrix<f64>) -> DMatrix<f64> {
        self.matrix(1, 0) * m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_centred_and_scaled_by_powers_of_two() {
        let x = DMatrix::from_fn(8, 3, |i, j| match j {
            0 => 1e15 + i as f64,
            1 => 5.0,
            _ => 1e-300 * (i as f64 - 3.5),
        });
        let (map, sd) = ColumnMap::choose(&Design::new(&x, true).unwrap()).unwrap();
        assert_eq!(map.centre[1], 1e15 + 3.5);
        assert_eq!(map.scale[1], 2.0, "rms of 0..7 about 3.5 is 2.29");
        assert_eq!((map.centre[2], map.scale[2]), (0.0, 1.0), "a constant column is left for the rank test");
        assert_eq!(map.scale[3], nearest_power_of_two(2.29e-300).0);
        assert_eq!(sd.matrix()[(0, 1)], -1.75);
        assert_eq!(sd.column_names(), ["intercept", "x1", "x2", "x3"]);
        // Without an intercept nothing is centred.
        let (map, _) = ColumnMap::choose(&Design::new(&x, false).unwrap()).unwrap();
        assert!(map.centre.iter().all(|c| *c == 0.0));
        // A design already standard is left alone.
        let unit = DMatrix::from_fn(8, 1, |i, _| if i % 2 == 0 { 1.0 } else { -1.0 });
        assert!(ColumnMap::choose(&Design::new(&unit, true).unwrap()).is_none());
    }

    #[test]
    fn coefficients_and_covariance_map_back_through_a() {
        let map = ColumnMap { centre: vec![0.0, 10.0], scale: vec![1.0, 4.0], intercept: true };
        let a = map.matrix(2, 1);
        // β₀ = β̃₀ − β̃₁·10/4, β₁ = β̃₁/4, per block; the extra one unchanged.
        assert_eq!(a[(0, 1)], -2.5);
        assert_eq!(a[(1, 1)], 0.25);
        assert_eq!(a[(2, 3)], -2.5);
        assert_eq!(a[(4, 4)], 1.0);
        assert_eq!(a[(0, 3)], 0.0);
    }
}
