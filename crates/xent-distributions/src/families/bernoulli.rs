//! The Bernoulli distribution.

use rand::{Rng, RngExt};
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, check};
use crate::families::neg_inf;
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The Bernoulli distribution: `P(X = 1) = p`, `P(X = 0) = 1 − p`.
///
/// ```
/// use xent_distributions::{Bernoulli, ClosedFormMle};
/// let d = Bernoulli::fit(&[1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(d.p(), 0.5);
/// # Ok::<(), xent_distributions::FitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bernoulli<T = f64> {
    p: T,
}

impl<T: Scalar> Bernoulli<T> {
    /// A Bernoulli with `0 ≤ p ≤ 1`.
    pub fn new(p: T) -> Result<Self, ParamError> {
        check("p", p.value(), "in [0, 1]", |v| (0.0..=1.0).contains(&v))?;
        Ok(Bernoulli { p })
    }
    /// `P(X = 1)`.
    pub fn p(&self) -> T {
        self.p
    }
}

impl<T: Scalar> LogDensity<T> for Bernoulli<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if x == 1.0 {
            self.p.ln()
        } else if x == 0.0 {
            (-self.p).ln_1p()
        } else {
            neg_inf()
        }
    }
}

impl<T: Scalar> Named for Bernoulli<T> {
    fn family(&self) -> &'static str {
        "bernoulli"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("p", self.p.value())]
    }
}

/// `−p ln q − (1 − p) ln(1 − q)` with `0 ln 0 = 0`.
pub(crate) fn bernoulli_cross_entropy(p: f64, q: f64) -> f64 {
    -(p.xlny(q) + (1.0 - p).xln1py(-q))
}

impl Univariate for Bernoulli<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else if x < 1.0 {
            1.0 - self.p
        } else {
            1.0
        }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.p * (1.0 - self.p))
    }
    fn entropy(&self) -> f64 {
        bernoulli_cross_entropy(self.p, self.p)
    }
    fn support(&self) -> Support {
        Support::Discrete { low: 0.0, high: 1.0 }
    }
}

impl CrossEntropy for Bernoulli<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(bernoulli_cross_entropy(self.p, q.p))
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(bernoulli_kl(self.p, q.p))
    }
}

/// `p ln(p/q) + (1 − p) ln((1 − p)/(1 − q))` with `0 ln 0 = 0`.
pub(crate) fn bernoulli_kl(p: f64, q: f64) -> f64 {
    let a = if p == 0.0 { 0.0 } else { p * (p / q).ln() };
    let b = if p == 1.0 { 0.0 } else { (1.0 - p) * ((1.0 - p) / (1.0 - q)).ln() };
    a + b
}

impl Distribution<f64> for Bernoulli<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        if u < self.p { 1.0 } else { 0.0 }
    }
}

stat_map!(
    /// Statistic map of the Bernoulli family: `x`.
    BernoulliMap, "bernoulli", "x in {0, 1}", |x| x == 0.0 || x == 1.0, |x| [x, 0.0, 0.0]
);

/// Sufficient statistics of the Bernoulli family: weight and `Σ x`.
pub type BernoulliStats = SumStats<BernoulliMap>;

impl SufficientStatistics for Bernoulli<f64> {
    type Stats = BernoulliStats;
}

impl ClosedFormMle for Bernoulli<f64> {
    /// `p̂ = x̄` (may be 0 or 1: the family includes its boundary).
    fn mle(stats: &BernoulliStats) -> Result<Self, FitError> {
        stats.check()?;
        Ok(Bernoulli::new(stats.mean(0).clamp(0.0, 1.0))?)
    }
}

impl Parametric for Bernoulli {
    const NAME: &'static str = "bernoulli";
    const PARAMETERS: &'static [Parameter] = &[Parameter::probability("p")];
    type With<T: Scalar> = Bernoulli<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Bernoulli<T>, ParamError> {
        Bernoulli::new(t[0])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(DMatrix::from_element(1, 1, 1.0 / (t[0] * (1.0 - t[0]))))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Bernoulli {
    fn stats_log_likelihood<T: Scalar>(s: &BernoulliStats, t: &[T]) -> T {
        T::cst(s.sum(0)).xlny(t[0]) + T::cst(s.weight() - s.sum(0)).xln1py(-t[0])
    }
    fn stats_estimate(stats: &BernoulliStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}
