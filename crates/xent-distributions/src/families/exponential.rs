//! The exponential distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, positive};
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::families::{neg_inf, underflow};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The exponential distribution with rate `λ`.
///
/// Density: `q(x) = λ e^(−λx)` for `x ≥ 0`.
///
/// ```
/// use xent_distributions::{Exponential, Univariate};
/// let d = Exponential::new(2.0)?;
/// assert_eq!(d.mean(), Some(0.5));
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential<T = f64> {
    rate: T,
    ln_rate: T,
}

impl<T: Scalar> Exponential<T> {
    /// An exponential with rate `> 0`.
    pub fn new(rate: T) -> Result<Self, ParamError> {
        positive("rate", rate.value())?;
        Ok(Exponential { rate, ln_rate: rate.ln() })
    }
    /// The rate `λ`.
    pub fn rate(&self) -> T {
        self.rate
    }
}

impl<T: Scalar> LogDensity<T> for Exponential<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x >= 0.0 && x.is_finite()) {
            return neg_inf();
        }
        underflow(self.ln_rate - self.rate * T::cst(x))
    }
}

impl<T: Scalar> Named for Exponential<T> {
    fn family(&self) -> &'static str {
        "exponential"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("rate", self.rate.value())]
    }
}

impl Univariate for Exponential<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 { 0.0 } else { -(-self.rate * x).exp_m1() }
    }
    fn mean(&self) -> Option<f64> {
        Some(1.0 / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(1.0 / (self.rate * self.rate))
    }
    fn entropy(&self) -> f64 {
        1.0 - self.ln_rate
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for Exponential<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(-q.ln_rate + q.rate / self.rate)
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(crate::special::ratio_h(q.rate / self.rate, crate::special::ln_ratio(q.rate, self.rate)))
    }
}

impl Distribution<f64> for Exponential<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rand_distr::Exp1.sample(rng);
        e / self.rate
    }
}

stat_map!(
    /// Statistic map of the exponential family: `x`.
    ExponentialMap, "exponential", "x >= 0", |x| x >= 0.0, |x| [x, 0.0, 0.0]
);

/// Sufficient statistics of the exponential family: weight and `Σ x`.
pub type ExponentialStats = SumStats<ExponentialMap>;

impl SufficientStatistics for Exponential<f64> {
    type Stats = ExponentialStats;
}

impl ClosedFormMle for Exponential<f64> {
    /// `λ̂ = 1 / x̄`.
    fn mle(stats: &ExponentialStats) -> Result<Self, FitError> {
        stats.check()?;
        if stats.sum(0) <= 0.0 {
            return Err(FitError::Degenerate { family: "exponential", reason: "all observations are 0".into() });
        }
        Ok(Exponential::new(stats.weight() / stats.sum(0))?)
    }
}

impl Parametric for Exponential {
    const NAME: &'static str = "exponential";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("rate")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> = Some(&[crate::traits::Equivariance::Rate]);
    type With<T: Scalar> = Exponential<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Exponential<T>, ParamError> {
        Exponential::new(t[0])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(DMatrix::from_element(1, 1, 1.0 / (t[0] * t[0])))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Exponential {
    fn stats_log_likelihood<T: Scalar>(s: &ExponentialStats, t: &[T]) -> T {
        T::cst(s.weight()) * t[0].ln() - t[0] * T::cst(s.sum(0))
    }
    fn stats_estimate(stats: &ExponentialStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Exponential<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, true) {
            return v;
        }
        let ln_s = -(self.rate * T::cst(x));
        crate::families::underflow(crate::cdf::log1mexp(ln_s))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, false) {
            return v;
        }
        let ln_s = -(self.rate * T::cst(x));
        crate::families::underflow(ln_s)
    }
}
