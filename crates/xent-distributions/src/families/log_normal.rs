//! The log-normal distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, finite, positive};
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::families::{neg_inf, underflow};
use crate::scalar::Scalar;
use crate::special::{HALF_LN_2PI, norm_cdf};
use crate::stats::{Accumulator, MomentStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The log-normal distribution: `ln X ~ N(mu, sigma²)`.
///
/// Density: `q(x) = exp(−(ln x − μ)² / (2σ²)) / (x σ √(2π))` for `x > 0`.
///
/// ```
/// use xent_distributions::{LogNormal, LogDensity, Univariate};
/// let d = LogNormal::new(0.0, 1.0)?;
/// assert!((d.cdf(1.0) - 0.5).abs() < 1e-16);
/// assert_eq!(d.ln_density(&-1.0), f64::NEG_INFINITY);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal<T = f64> {
    mu: T,
    sigma: T,
    inv_sigma: T,
    ln_norm: T,
}

impl<T: Scalar> LogNormal<T> {
    /// A log-normal with log-scale mean `mu` and log-scale standard deviation `sigma > 0`.
    pub fn new(mu: T, sigma: T) -> Result<Self, ParamError> {
        finite("mu", mu.value())?;
        positive("sigma", sigma.value())?;
        Ok(LogNormal { mu, sigma, inv_sigma: sigma.recip(), ln_norm: -sigma.ln() - T::cst(HALF_LN_2PI) })
    }
    /// `μ`, the mean of `ln X`.
    pub fn mu(&self) -> T {
        self.mu
    }
    /// `σ`, the standard deviation of `ln X`.
    pub fn sigma(&self) -> T {
        self.sigma
    }
}

impl<T: Scalar> LogDensity<T> for LogNormal<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x > 0.0 && x.is_finite()) {
            return neg_inf();
        }
        let lx = x.ln();
        // 1/σ overflows at a subnormal σ: divide there.
        let d = T::cst(lx) - self.mu;
        let z = if self.inv_sigma.value().is_finite() { d * self.inv_sigma } else { d / self.sigma };
        underflow(self.ln_norm - z * z * T::cst(0.5) - T::cst(lx))
    }
}

impl<T: Scalar> Named for LogNormal<T> {
    fn family(&self) -> &'static str {
        "log_normal"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("mu", self.mu.value()), ("sigma", self.sigma.value())]
    }
}

impl Univariate for LogNormal<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 { 0.0 } else { norm_cdf((x.ln() - self.mu) / self.sigma) }
    }
    fn mean(&self) -> Option<f64> {
        Some((self.mu + 0.5 * self.sigma * self.sigma).exp())
    }
    fn variance(&self) -> Option<f64> {
        let s2 = self.sigma * self.sigma;
        Some(s2.exp_m1() * (2.0 * self.mu + s2).exp())
    }
    fn entropy(&self) -> f64 {
        self.mu + 0.5 + HALF_LN_2PI + self.sigma.ln()
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for LogNormal<f64> {
    /// `H(p, q) = μ_p + H(N_p, N_q)`: the Jacobian term `E_p[ln X] = μ_p` plus
    /// the normal cross-entropy of the logs.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.mu + super::normal::gaussian_cross_entropy(self.mu, self.sigma, q.mu, q.sigma))
    }
    /// The KL divergence of the logs' normals (a change of variables leaves it unchanged).
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(super::normal::gaussian_kl(self.mu, self.sigma, q.mu, q.sigma))
    }
}

impl Distribution<f64> for LogNormal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        (self.mu + self.sigma * z).exp()
    }
}

stat_map!(
    /// Statistic map of the log-normal family: `ln x`.
    LogNormalMap, "log_normal", "x > 0", |x| x > 0.0, |x| [x.ln(), 0.0, 0.0]
);

/// Sufficient statistics of the log-normal family: moments of `ln x`.
pub type LogNormalStats = MomentStats<LogNormalMap>;

impl SufficientStatistics for LogNormal<f64> {
    type Stats = LogNormalStats;
}

impl ClosedFormMle for LogNormal<f64> {
    /// The normal MLE of `ln x`.
    fn mle(stats: &LogNormalStats) -> Result<Self, FitError> {
        stats.check()?;
        let sd = stats.variance_mle().sqrt();
        if sd <= 0.0 {
            return Err(FitError::Degenerate { family: "log_normal", reason: "zero variance of ln x".into() });
        }
        Ok(LogNormal::new(stats.mean(), sd)?)
    }
}

impl Parametric for LogNormal {
    const NAME: &'static str = "log_normal";
    const PARAMETERS: &'static [Parameter] = &[Parameter::real("mu"), Parameter::positive("sigma")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::LogLocation, crate::traits::Equivariance::Invariant]);
    type With<T: Scalar> = LogNormal<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<LogNormal<T>, ParamError> {
        LogNormal::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(crate::families::normal::location_scale_information(t[1]))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for LogNormal {
    fn stats_log_likelihood<T: Scalar>(s: &LogNormalStats, t: &[T]) -> T {
        // The Jacobian term −Σ ln x = −n·mean(ln x).
        crate::families::normal::normal_ll(s.weight(), s.mean(), s.sum_sq_dev(), t) - T::cst(s.mean() * s.weight())
    }
    fn stats_estimate(stats: &LogNormalStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for LogNormal<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, true) {
            return v;
        }
        let z = (T::cst(x.ln()) - self.mu) * self.inv_sigma;
        crate::families::underflow(z.ln_norm_cdf())
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, false) {
            return v;
        }
        let z = (T::cst(x.ln()) - self.mu) * self.inv_sigma;
        crate::families::underflow((-z).ln_norm_cdf())
    }
}
