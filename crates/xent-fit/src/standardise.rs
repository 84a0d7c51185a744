//! Fits of location–scale and scale families on standardised data.
//!
//! A family closed under `x ↦ m + s·x` (see
//! [`Equivariance`]) has a maximum-likelihood estimate that moves with the
//! data, so it may be computed on `z = (x − m)/s` and mapped back. Doing so
//! makes every fit scale-equivariant by construction: the optimiser sees
//! data of spread ~1 whatever the units (1e-300 or 1e300, or 1e15 plus
//! small offsets), so its tolerances, step lengths and starting values mean
//! the same everywhere, and no sum of squares over- or underflows.
//!
//! - `s` is a power of two near the data's spread (the median absolute
//!   deviation of a deterministic subsample of at most [`SUBSAMPLE`] values,
//!   or the largest deviation where that is 0): dividing by it is exact, so
//!   a family of positive data (`m = 0`) is fitted to exactly the same
//!   numbers, only rescaled.
//! - `m` is the subsample's median, for families with a location parameter
//!   fitted numerically (closed forms take `m = 0`): `x − m` rounds by at
//!   most `ε|x|`, the data's own representation error.
//!
//! The report maps back exactly what moves: estimates and fixed values by
//! [`Equivariance::forward`], standard errors and the covariance by its
//! derivative (a diagonal Jacobian), the log-likelihood by the Jacobian of
//! the change of variables, `ℓ(x) = ℓ(z) − n ln s`. The gradient norm stays
//! the one the convergence test measured, in the standardised coordinates.

use xent_distributions::{AnyUnivariate, Equivariance};
use xent_objectives::{Family, Model as _};

use crate::error::FitFailure;
use crate::options::FitOptions;
use crate::report::FitReport;

/// Largest subsample the centre and spread are taken from (a stride over
/// the data, so the choice is deterministic and O(n) only in the copy).
pub(crate) const SUBSAMPLE: usize = 1025;

/// The map `z = (x − m)/s` a fit works under, and how each parameter of
/// the family moves with it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Standardised {
    m: f64,
    s: f64,
    /// `ln s`, exact as `k·ln 2`.
    ln_s: f64,
    roles: &'static [Equivariance],
}

/// `2ᵏ` for `−1074 ≤ k ≤ 1023`, exactly (also where `2.0.powi(k)` would
/// form an overflowing intermediate).
fn pow2(k: i32) -> f64 {
    let half = k / 2;
    2f64.powi(half) * 2f64.powi(k - half)
}

/// The power of two `2ᵏ` nearest to a positive finite `v` in log scale, and
/// `k` — the exact divisor of every standardisation here (data and design
/// columns alike).
pub(crate) fn nearest_power_of_two(v: f64) -> (f64, i32) {
    let k = (v.log2().round() as i32).clamp(-1074, 1023);
    (pow2(k), k)
}

/// The median of `v` (not empty), by selection.
fn median(v: &mut [f64]) -> f64 {
    let mid = v.len() / 2;
    let (_, &mut hi, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    if v.len() % 2 == 1 {
        hi
    } else {
        let lo = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Halves first: the midpoint of two values near ±f64::MAX stays finite.
        0.5 * lo + 0.5 * hi
    }
}

impl Standardised {
    /// The map for `family` on `data` (finite, not empty); `centre` asks for
    /// a location shift where the family has a location parameter. `None`
    /// when the family is not closed under rescaling, the data have no
    /// spread, or the map would be the identity.
    pub(crate) fn choose(family: &Family, data: &[f64], centre: bool) -> Option<Standardised> {
        let roles = AnyUnivariate::equivariance(&family.name())?;
        let stride = data.len().div_ceil(SUBSAMPLE).max(1);
        let mut sub: Vec<f64> = data.iter().step_by(stride).copied().collect();
        let has_location = roles.contains(&Equivariance::Location);
        let m = if centre && has_location { median(&mut sub) } else { 0.0 };
        let mut dev: Vec<f64> = sub.iter().map(|x| (x - m).abs()).collect();
        let mut spread = median(&mut dev);
        if !(spread > 0.0 && spread.is_finite()) {
            spread = data.iter().map(|x| (x - m).abs()).fold(0.0, f64::max);
        }
        if !(spread > 0.0 && spread.is_finite()) {
            return None;
        }
        let (s, k) = nearest_power_of_two(spread);
        if s == 1.0 && m == 0.0 {
            return None;
        }
        Some(Standardised { m, s, ln_s: f64::from(k) * std::f64::consts::LN_2, roles })
    }

    /// `(x − m)/s` for every observation; `None` if that leaves the range
    /// of `f64` (data spanning more than ~600 decades), or turns a non-zero
    /// value into 0 (where a family of positive data would see it leave
    /// its support): then the data are fitted as they are.
    pub(crate) fn apply(&self, data: &[f64]) -> Option<Vec<f64>> {
        let z: Vec<f64> = data.iter().map(|x| (x - self.m) / self.s).collect();
        let lost = z.iter().zip(data).any(|(z, x)| !z.is_finite() || (*z == 0.0 && *x != self.m));
        (!lost).then_some(z)
    }

    /// `opts` with known parameters expressed for the standardised data.
    pub(crate) fn options(&self, family: &Family, opts: &FitOptions) -> FitOptions {
        let names = family.param_names();
        let mut out = opts.clone();
        for (name, v) in &mut out.fixed {
            if let Some(i) = names.iter().position(|n| n == name) {
                *v = self.roles[i].inverse(*v, self.m, self.s);
            }
        }
        out
    }

    /// Maps a report on the standardised data back to the data, with the
    /// log-likelihood of the reported distribution recomputed on the data
    /// themselves (ℓ(z) − n ln s agrees to rounding; this is exact).
    pub(crate) fn report(
        &self,
        family: &Family,
        r: FitReport<AnyUnivariate>,
        data: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<FitReport<AnyUnivariate>, FitFailure> {
        let mut r = self.report_streamed(family, r)?;
        r.log_likelihood = crate::unconditional::weighted_log_likelihood(&r.distribution, data, weights);
        Ok(r)
    }

    /// [`Standardised::report`] for a fit from streamed statistics of the
    /// rescaled data: the log-likelihood is mapped by the Jacobian alone.
    /// (Only families with an [`Equivariance`] are standardised, so the
    /// distribution is rebuilt from the named estimates alone: no structural
    /// setting such as the binomial's trials arises.)
    pub(crate) fn report_streamed(
        &self,
        family: &Family,
        r: FitReport<AnyUnivariate>,
    ) -> Result<FitReport<AnyUnivariate>, FitFailure> {
        let r = self.map(r.without_distribution());
        let named: Vec<(&str, f64)> = r.names.iter().map(String::as_str).zip(r.estimates.iter().copied()).collect();
        let distribution =
            AnyUnivariate::from_params(&family.name(), &named).map_err(|e| FitFailure::Distribution(e.into()))?;
        Ok(r.map_distribution(|()| distribution))
    }

    /// The scale a streaming fit divides its observations by, from the
    /// first values of the stream (1 where no rescaling applies).
    pub(crate) fn scale(&self) -> f64 {
        self.s
    }

    /// The map of a scale-only rescaling by `s` (a power of two) for `family`.
    pub(crate) fn by_scale(family: &Family, s: f64) -> Option<Standardised> {
        let roles = AnyUnivariate::equivariance(&family.name())?;
        let k = s.log2();
        (s > 0.0 && k == k.round()).then_some(Standardised { m: 0.0, s, ln_s: k * std::f64::consts::LN_2, roles })
    }

    /// A failure on the standardised data as a failure on the data: the
    /// partial report of a non-converged fit mapped back, observations
    /// named by their original values.
    pub(crate) fn failure(&self, e: FitFailure, data: &[f64]) -> FitFailure {
        match e {
            FitFailure::NotConverged { report } => FitFailure::NotConverged { report: Box::new(self.map(*report)) },
            other => relocate(other, data),
        }
    }

    fn map(&self, mut r: FitReport) -> FitReport {
        let d: Vec<f64> = self.roles.iter().map(|role| role.derivative(self.s)).collect();
        for (i, role) in self.roles.iter().enumerate() {
            r.estimates[i] = role.forward(r.estimates[i], self.m, self.s);
            r.std_errors[i] *= d[i];
        }
        let k = self.roles.len();
        for i in 0..k {
            for j in 0..k {
                r.covariance[(i, j)] *= d[i] * d[j];
            }
        }
        r.log_likelihood -= r.n * self.ln_s;
        r
    }
}

/// `e` with the observations it names taken from `data` (a failure found
/// on transformed data names the index; the value users know is theirs).
pub(crate) fn relocate(e: FitFailure, data: &[f64]) -> FitFailure {
    match e {
        FitFailure::OutOfSupport { family, count, first_index, .. } => FitFailure::OutOfSupport {
            family,
            count,
            first_index,
            first_value: data.get(first_index).copied().unwrap_or(f64::NAN),
        },
        FitFailure::NonFiniteStart { family, index, .. } => {
            FitFailure::NonFiniteStart { family, index, value: data.get(index).copied().unwrap_or(f64::NAN) }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_exact_over_the_whole_range() {
        assert_eq!(pow2(-1074), f64::from_bits(1));
        assert_eq!(pow2(-1022), f64::MIN_POSITIVE);
        assert_eq!(pow2(1023), 2f64.powi(1023));
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-1), 0.5);
    }

    #[test]
    fn medians_of_odd_and_even_lengths() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [f64::MAX, f64::MAX]), f64::MAX);
    }

    #[test]
    fn the_map_is_chosen_from_the_spread_and_skipped_when_it_is_the_identity() {
        let x: Vec<f64> = (0..100).map(|i| 1e15 + f64::from(i) * 0.25).collect();
        let st = Standardised::choose(&Family::Cauchy, &x, true).unwrap();
        // Median 1e15 + 12.375 (midpoint of the middle two), MAD 6.25 → s = 2³.
        assert_eq!((st.m, st.s), (1e15 + 12.375, 8.0));
        let st = Standardised::choose(&Family::Cauchy, &x, false).unwrap();
        assert_eq!(st.m, 0.0);
        let unit: Vec<f64> = (0..100).map(|i| f64::from(i) / 50.0).collect();
        assert!(Standardised::choose(&Family::Gamma, &unit[1..], false).is_none(), "spread ~1 needs no map");
        assert!(Standardised::choose(&Family::Poisson, &unit, false).is_none(), "counts are not rescaled");
        assert!(Standardised::choose(&Family::Normal, &[2.0; 10], true).is_none(), "no spread");
    }
}
