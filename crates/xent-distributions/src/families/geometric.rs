//! The geometric distribution (failures before the first success).

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, check};
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::families::{is_count, neg_inf, underflow};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The geometric distribution: the number of failures before the first
/// success in Bernoulli(`p`) trials.
///
/// Probability mass: `q(k) = p (1 − p)ᵏ` for `k = 0, 1, 2, …`.
///
/// ```
/// use xent_distributions::{Geometric, Univariate};
/// let d = Geometric::new(0.25)?;
/// assert_eq!(d.mean(), Some(3.0));
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometric<T = f64> {
    p: T,
    ln_p: T,
    ln_q: T,
}

impl<T: Scalar> Geometric<T> {
    /// A geometric with success probability `0 < p ≤ 1`.
    pub fn new(p: T) -> Result<Self, ParamError> {
        check("p", p.value(), "in (0, 1]", |v| v > 0.0 && v <= 1.0)?;
        Ok(Geometric { p, ln_p: p.ln(), ln_q: (-p).ln_1p() })
    }
    /// The success probability `p`.
    pub fn p(&self) -> T {
        self.p
    }
}

impl<T: Scalar> LogDensity<T> for Geometric<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &k: &f64) -> T {
        if !is_count(k) {
            return neg_inf();
        }
        underflow(if k == 0.0 { self.ln_p } else { self.ln_p + T::cst(k) * self.ln_q })
    }
}

impl<T: Scalar> Named for Geometric<T> {
    fn family(&self) -> &'static str {
        "geometric"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("p", self.p.value())]
    }
}

impl Univariate for Geometric<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 { 0.0 } else { -((x.floor() + 1.0) * self.ln_q).exp_m1() }
    }
    fn mean(&self) -> Option<f64> {
        Some((1.0 - self.p) / self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some((1.0 - self.p) / (self.p * self.p))
    }
    fn entropy(&self) -> f64 {
        geometric_cross_entropy(self, self)
    }
    fn support(&self) -> Support {
        Support::Discrete { low: 0.0, high: f64::INFINITY }
    }
}

/// `−ln p_q − E_p[K] ln(1 − p_q)`, `E_p[K] = (1 − p_p)/p_p`.
fn geometric_cross_entropy(p: &Geometric<f64>, q: &Geometric<f64>) -> f64 {
    let mean = (1.0 - p.p) / p.p;
    if mean == 0.0 { -q.ln_p } else { -q.ln_p - mean * q.ln_q }
}

impl CrossEntropy for Geometric<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(geometric_cross_entropy(self, q))
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        let mean = (1.0 - self.p) / self.p;
        let gap = self.ln_q - q.ln_q;
        let tail = if mean == 0.0 || gap == 0.0 { 0.0 } else { mean * gap };
        Ok(self.ln_p - q.ln_p + tail)
    }
}

impl Distribution<f64> for Geometric<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Geometric::new(self.p) {
            Ok(g) => g.sample(rng) as f64,
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the geometric family: `k`.
    GeometricMap, "geometric", "k in {0, 1, 2, ...}", |x| is_count(x), |x| [x, 0.0, 0.0]
);

/// Sufficient statistics of the geometric family: weight and `Σ k`.
pub type GeometricStats = SumStats<GeometricMap>;

impl SufficientStatistics for Geometric<f64> {
    type Stats = GeometricStats;
}

impl ClosedFormMle for Geometric<f64> {
    /// `p̂ = 1 / (1 + k̄)`.
    fn mle(stats: &GeometricStats) -> Result<Self, FitError> {
        stats.check()?;
        Ok(Geometric::new(1.0 / (1.0 + stats.mean(0)))?)
    }
}

impl Parametric for Geometric {
    const NAME: &'static str = "geometric";
    const PARAMETERS: &'static [Parameter] = &[Parameter::probability("p")];
    type With<T: Scalar> = Geometric<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Geometric<T>, ParamError> {
        Geometric::new(t[0])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(DMatrix::from_element(1, 1, 1.0 / (t[0] * t[0] * (1.0 - t[0]))))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Geometric {
    fn stats_log_likelihood<T: Scalar>(s: &GeometricStats, t: &[T]) -> T {
        T::cst(s.weight()) * t[0].ln() + T::cst(s.sum(0)).xln1py(-t[0])
    }
    fn stats_estimate(stats: &GeometricStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}
