//! The gamma distribution (shape–rate parametrisation).

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, ParamError, positive};
use crate::families::{Moments, pick_divergence, within_domains};
use crate::families::{neg_inf, underflow, with_value};
use crate::incomplete::a_h;
use crate::scalar::Scalar;
use crate::special::{gamma_entropy, gamma_p, ln_gamma_bregman, ln_gamma_density, ln_ratio, polygamma};
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The gamma distribution with shape `k` and rate `β`.
///
/// Density: `q(x) = βᵏ x^(k−1) e^(−βx) / Γ(k)` for `x > 0`.
///
/// Its maximum-likelihood estimate has no closed form (the shape solves
/// `ln k − ψ(k) = ln x̄ − mean(ln x)`); the fitting crate finds it numerically
/// from [`GammaStats`].
///
/// ```
/// use xent_distributions::{Gamma, Univariate};
/// let d = Gamma::new(2.0, 4.0)?;
/// assert_eq!(d.mean(), Some(0.5));
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma<T = f64> {
    shape: T,
    rate: T,
    ln_norm: T,
}

impl<T: Scalar> Gamma<T> {
    /// A gamma with `shape > 0` and `rate > 0`.
    pub fn new(shape: T, rate: T) -> Result<Self, ParamError> {
        positive("shape", shape.value())?;
        positive("rate", rate.value())?;
        Ok(Gamma { shape, rate, ln_norm: shape * rate.ln() - shape.ln_gamma() })
    }
    /// The shape `k`.
    pub fn shape(&self) -> T {
        self.shape
    }
    /// The rate `β`.
    pub fn rate(&self) -> T {
        self.rate
    }
}

impl<T: Scalar> LogDensity<T> for Gamma<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x >= 0.0 && x.is_finite()) {
            return neg_inf();
        }
        let naive = self.ln_norm + (self.shape - T::one()).xlny(T::cst(x)) - self.rate * T::cst(x);
        if self.shape.value() < 10.0 {
            return underflow(naive);
        }
        with_value(naive, ln_gamma_density(x, self.shape.value(), self.rate.value()))
    }
}

impl<T: Scalar> Named for Gamma<T> {
    fn family(&self) -> &'static str {
        "gamma"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("shape", self.shape.value()), ("rate", self.rate.value())]
    }
}

impl Gamma<f64> {
    /// `E[ln X] = ψ(k) − ln β`.
    pub fn mean_ln(&self) -> f64 {
        polygamma(0, self.shape) - self.rate.ln()
    }
}

impl Univariate for Gamma<f64> {
    fn cdf(&self, x: f64) -> f64 {
        gamma_p(self.shape, self.rate * x)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.shape / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.shape / (self.rate * self.rate))
    }
    fn entropy(&self) -> f64 {
        gamma_entropy(self.shape, self.rate)
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for Gamma<f64> {
    /// `H(p, q) = −k_q ln β_q + lnΓ(k_q) − (k_q − 1) E_p[ln X] + β_q E_p[X]`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        if self.shape.min(q.shape) >= 100.0 {
            // H(p) + KL: the direct form cancels terms of size k ln k.
            return Ok(self.entropy() + self.kl_divergence(q)?);
        }
        Ok(-q.ln_norm - (q.shape - 1.0) * self.mean_ln() + q.rate * self.shape / self.rate)
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        // (k_p − k_q) ψ(k_p) − lnΓ(k_p) + lnΓ(k_q) + k_q (ln β_p − ln β_q) + k_p (β_q − β_p)/β_p
        // The rate part, k_p(r − 1) − k_q ln r with r = β_q/β_p, as
        // k_p·h(r − 1) + (k_p − k_q) ln r (h(u) = u − ln(1+u) ≥ 0): no
        // cancellation near r = 1, and r itself never formed where it
        // under- or overflows.
        let (kp, kq, bp, bq) = (self.shape, q.shape, self.rate, q.rate);
        let ln_r = ln_ratio(bq, bp);
        if kp >= 100.0 && kq < 100.0 {
            // The shape divergence is ≈ k_p and the rate part ≈ −k_p: take
            // them together, D − k_p + k_p r − k_q ln r.
            let r = bq / bp;
            let kp_r = if r.is_normal() { kp * r } else { (kp.ln() + ln_r).exp() };
            return Ok(crate::special::ln_gamma_bregman_less_p(kq, kp) + kp_r - kq * ln_r);
        }
        let t = (bq - bp) / bp;
        let m = if t.is_finite() { kp * t } else { kp / bp * (bq - bp) };
        let rate_part = if t.abs() <= 0.5 { a_h(kp, m, kp + m) } else { m - kp * ln_r };
        Ok(ln_gamma_bregman(kq, kp) + rate_part + (kp - kq) * ln_r)
    }
}

impl Distribution<f64> for Gamma<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Gamma::new(self.shape, 1.0 / self.rate) {
            Ok(g) => g.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the gamma family: `(x, ln x)`.
    GammaMap, "gamma", "x > 0", |x| x > 0.0, |x| [x, x.ln(), 0.0]
);

/// Sufficient statistics of the gamma family: weight, `Σ x`, `Σ ln x`.
pub type GammaStats = SumStats<GammaMap>;

impl SufficientStatistics for Gamma<f64> {
    type Stats = GammaStats;
}

impl Parametric for Gamma {
    const NAME: &'static str = "gamma";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("shape"), Parameter::positive("rate")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Invariant, crate::traits::Equivariance::Rate]);
    type With<T: Scalar> = Gamma<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Gamma<T>, ParamError> {
        Gamma::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        let m = Moments::of(data);
        within_domains(Self::PARAMETERS, vec![m.mean * m.mean / m.var, m.mean / m.var])
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        let (k, b) = (t[0], t[1]);
        Some(DMatrix::from_row_slice(2, 2, &[polygamma(1, k), -1.0 / b, -1.0 / b, k / (b * b)]))
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Gamma {
    fn stats_log_likelihood<T: Scalar>(s: &GammaStats, t: &[T]) -> T {
        let n = T::cst(s.weight());
        n * (t[0] * t[1].ln() - t[0].ln_gamma()) + (t[0] - T::one()) * T::cst(s.sum(1)) - t[1] * T::cst(s.sum(0))
    }
    fn stats_estimate(stats: &GammaStats) -> Result<StatsEstimate, crate::error::FitError> {
        // Minka's approximation from s = ln x̄ − mean(ln x) ≥ 0 (Jensen),
        // which is 0 exactly when every observation is equal.
        stats.check()?;
        let n = stats.weight();
        let mean = stats.sum(0) / n;
        let gap = mean.ln() - stats.sum(1) / n;
        if !(gap > 4.0 * f64::EPSILON * mean.ln().abs().max(1.0)) {
            return Err(crate::error::FitError::Degenerate {
                family: Self::NAME,
                reason: format!("all {n} observations are (numerically) equal: zero variance"),
            });
        }
        let shape = (3.0 - gap + ((gap - 3.0).powi(2) + 24.0 * gap).sqrt()) / (12.0 * gap);
        Ok(StatsEstimate { theta: vec![shape, shape / mean], exact: false })
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Gamma<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, true) {
            return v;
        }
        let u = self.rate * T::cst(x);
        crate::families::underflow(self.shape.ln_gamma_inc(u, false))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, false) {
            return v;
        }
        let u = self.rate * T::cst(x);
        crate::families::underflow(self.shape.ln_gamma_inc(u, true))
    }
}
