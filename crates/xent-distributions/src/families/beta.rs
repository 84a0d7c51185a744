//! The beta distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, ParamError, positive};
use crate::families::{Moments, pick_divergence, within_domains};
use crate::families::{neg_inf, underflow, with_value};
use crate::scalar::Scalar;
use crate::special::{beta_entropy, beta_reg, digamma_gap, ln_beta, ln_beta_density, ln_gamma_bregman, polygamma};
use crate::special::{ln_gamma_bregman_with_gap, scaled_digamma_gap};
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The beta distribution with shapes `α` and `β` on `[0, 1]`.
///
/// Density: `q(x) = x^(α−1) (1 − x)^(β−1) / B(α, β)`.
///
/// No closed-form MLE; [`BetaStats`] (`Σ ln x`, `Σ ln(1 − x)`) feed the
/// numerical fit.
///
/// ```
/// use xent_distributions::{Beta, Univariate};
/// let d = Beta::new(2.0, 2.0)?;
/// assert!((d.cdf(0.5) - 0.5).abs() < 1e-14);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta<T = f64> {
    alpha: T,
    beta: T,
    ln_b: T,
}

impl<T: Scalar> Beta<T> {
    /// A beta with `alpha > 0` and `beta > 0`.
    pub fn new(alpha: T, beta: T) -> Result<Self, ParamError> {
        positive("alpha", alpha.value())?;
        positive("beta", beta.value())?;
        Ok(Beta { alpha, beta, ln_b: alpha.ln_beta(beta) })
    }
    /// The first shape `α`.
    pub fn alpha(&self) -> T {
        self.alpha
    }
    /// The second shape `β`.
    pub fn beta(&self) -> T {
        self.beta
    }
}

impl<T: Scalar> LogDensity<T> for Beta<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(0.0..=1.0).contains(&x) {
            return neg_inf();
        }
        let naive = (self.alpha - T::one()).xlny(T::cst(x)) + (self.beta - T::one()).xln1py(T::cst(-x)) - self.ln_b;
        let (a, b) = (self.alpha.value(), self.beta.value());
        if a.max(b) < 100.0 || x == 0.0 || x == 1.0 {
            return underflow(naive);
        }
        with_value(naive, ln_beta_density(x, a, b))
    }
}

impl<T: Scalar> Named for Beta<T> {
    fn family(&self) -> &'static str {
        "beta"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("alpha", self.alpha.value()), ("beta", self.beta.value())]
    }
}

impl Beta<f64> {
    /// `(E[ln X], E[ln(1 − X)]) = (ψ(α) − ψ(α+β), ψ(β) − ψ(α+β))`.
    pub fn mean_ln(&self) -> (f64, f64) {
        let r = self.alpha + self.beta;
        (-digamma_gap(r, self.alpha), -digamma_gap(r, self.beta))
    }
}

impl Univariate for Beta<f64> {
    fn cdf(&self, x: f64) -> f64 {
        beta_reg(self.alpha, self.beta, x)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.alpha / (self.alpha + self.beta))
    }
    fn variance(&self) -> Option<f64> {
        let s = self.alpha + self.beta;
        Some(self.alpha * self.beta / (s * s * (s + 1.0)))
    }
    fn entropy(&self) -> f64 {
        beta_entropy(self.alpha, self.beta)
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: 1.0 }
    }
}

/// The `(value, rounding bound)` candidate with the smallest bound, ignoring
/// NaN (and preferring a finite value to an infinite one).
fn least_rounded(candidates: &[(f64, f64)]) -> (f64, f64) {
    let mut best = (f64::NAN, f64::INFINITY);
    for &(v, err) in candidates {
        let better = match (best.0.is_finite(), v.is_finite()) {
            _ if v.is_nan() => false,
            _ if best.0.is_nan() => true,
            (false, true) => true,
            (true, false) => false,
            _ => err < best.1,
        };
        if better {
            best = (v, err);
        }
    }
    best
}

impl Beta<f64> {
    /// `ln B(a, b) − (a − 1) E_p[ln X] − (b − 1) E_p[ln(1 − X)]` and the sum of
    /// its terms' magnitudes (its rounding scale).
    fn cross_entropy_terms(&self, a: f64, b: f64) -> (f64, f64) {
        let r = self.alpha + self.beta;
        let t = [ln_beta(a, b), scaled_digamma_gap(a - 1.0, r, self.alpha), scaled_digamma_gap(b - 1.0, r, self.beta)];
        (t.iter().sum(), t.iter().map(|v| v.abs()).sum())
    }

    /// `(H(p, q), KL(p ‖ q))`, each with its rounding scale, from whichever
    /// exact form rounds least here: each cancels somewhere the others do
    /// not. For KL:
    /// - `ln B_q − ln B_p − (α_q − α_p) E_p[ln X] − (β_q − β_p) E_p[ln(1 − X)]`
    ///   (subnormal parameters: the poles cancel inside `scaled_digamma_gap`);
    /// - `H(p, q) − H(p)`, with `H(p)` in Loader's form (one member with
    ///   huge parameters, the other moderate: the direct form subtracts
    ///   terms of size `α ln α`);
    /// - the Bregman divergence of `ln B`, `D(α_q, α_p) + D(β_q, β_p) −
    ///   D(α_q + β_q, α_p + β_p)` with `D` that of `lnΓ` (two members with
    ///   large, close parameters: the other forms subtract ≈ equal halves).
    ///
    /// For `H(p, q)`: its direct form, or `H(p) + KL(p ‖ q)`.
    fn divergences(&self, q: &Self) -> ((f64, f64), (f64, f64)) {
        let r = self.alpha + self.beta;
        let direct = [
            q.ln_b,
            -self.ln_b,
            scaled_digamma_gap(q.alpha - self.alpha, r, self.alpha),
            scaled_digamma_gap(q.beta - self.beta, r, self.beta),
        ];
        let (ce, ce_err) = self.cross_entropy_terms(q.alpha, q.beta);
        let h = self.entropy();
        let d = [
            ln_gamma_bregman(q.alpha, self.alpha),
            ln_gamma_bregman(q.beta, self.beta),
            ln_gamma_bregman_with_gap(q.alpha + q.beta, r, (q.alpha - self.alpha) + (q.beta - self.beta)),
        ];
        let (kl, kl_err) = least_rounded(&[
            (direct.iter().sum(), direct.iter().map(|v| v.abs()).sum()),
            (ce - h, ce_err + h.abs()),
            (d[0] + d[1] - d[2], d[0] + d[1] + d[2]),
        ]);
        // KL ≥ 0: a negative value is rounding below the bound.
        let kl = kl.max(0.0);
        let cross = least_rounded(&[(ce, ce_err), (h + kl, h.abs() + kl_err)]);
        (cross, (kl, kl_err))
    }
}

impl CrossEntropy for Beta<f64> {
    /// `H(p, q) = ln B(α_q, β_q) − (α_q − 1) E_p[ln X] − (β_q − 1) E_p[ln(1 − X)]`.
    /// Directly, or as `H(p) + KL(p ‖ q)` where that rounds less.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.divergences(q).0.0)
    }
    /// See `divergences` for the three forms it chooses between.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.divergences(q).1.0)
    }
}

impl Distribution<f64> for Beta<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Beta::new(self.alpha, self.beta) {
            Ok(b) => b.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the beta family: `(ln x, ln(1 − x))`.
    BetaMap, "beta", "0 < x < 1", |x| x > 0.0 && x < 1.0, |x| [x.ln(), (-x).ln_1p(), 0.0]
);

/// Sufficient statistics of the beta family: weight, `Σ ln x`, `Σ ln(1 − x)`.
pub type BetaStats = SumStats<BetaMap>;

impl SufficientStatistics for Beta<f64> {
    type Stats = BetaStats;
}

impl Parametric for Beta {
    const NAME: &'static str = "beta";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("alpha"), Parameter::positive("beta")];
    type With<T: Scalar> = Beta<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Beta<T>, ParamError> {
        Beta::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        let m = Moments::of(data);
        let c = (m.mean * (1.0 - m.mean) / m.var - 1.0).max(1e-3);
        within_domains(Self::PARAMETERS, vec![m.mean * c, (1.0 - m.mean) * c])
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        let (a, b) = (t[0], t[1]);
        let ab = polygamma(1, a + b);
        Some(DMatrix::from_row_slice(2, 2, &[polygamma(1, a) - ab, -ab, -ab, polygamma(1, b) - ab]))
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Beta {
    fn stats_log_likelihood<T: Scalar>(s: &BetaStats, t: &[T]) -> T {
        (t[0] - T::one()) * T::cst(s.sum(0)) + (t[1] - T::one()) * T::cst(s.sum(1))
            - T::cst(s.weight()) * t[0].ln_beta(t[1])
    }
    fn stats_estimate(stats: &BetaStats) -> Result<StatsEstimate, crate::error::FitError> {
        // The geometric-mean approximation α ≈ ½ + G₀/(2(1 − G₀ − G₁)).
        stats.check()?;
        let n = stats.weight();
        let (g0, g1) = ((stats.sum(0) / n).exp(), (stats.sum(1) / n).exp());
        let d = 1.0 - g0 - g1;
        if !(d > 4.0 * f64::EPSILON) {
            return Err(crate::error::FitError::Degenerate {
                family: Self::NAME,
                reason: format!("all {n} observations are (numerically) equal: zero variance"),
            });
        }
        Ok(StatsEstimate { theta: vec![0.5 + g0 / (2.0 * d), 0.5 + g1 / (2.0 * d)], exact: false })
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Beta<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, 1.0, true) {
            return v;
        }

        crate::families::underflow(self.alpha.ln_beta_inc(self.beta, T::cst(x), false))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, 1.0, false) {
            return v;
        }

        crate::families::underflow(self.alpha.ln_beta_inc(self.beta, T::cst(x), true))
    }
}
