//! The continuous uniform distribution.

use rand::{Rng, RngExt};
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, finite};
use crate::families::neg_inf;
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{Parameter, Parametric};

/// The uniform distribution on `[low, high]`.
///
/// Density: `q(x) = 1/(high − low)` on the interval, 0 outside.
///
/// ```
/// use xent_distributions::{Uniform, ClosedFormMle};
/// let d = Uniform::fit(&[0.5, 2.0, 1.0])?;
/// assert_eq!((d.low(), d.high()), (0.5, 2.0));
/// # Ok::<(), xent_distributions::FitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform<T = f64> {
    low: T,
    high: T,
    ln_width: T,
}

impl<T: Scalar> Uniform<T> {
    /// A uniform on `[low, high]` with `low < high`, both finite.
    pub fn new(low: T, high: T) -> Result<Self, ParamError> {
        finite("low", low.value())?;
        finite("high", high.value())?;
        if !(high.value() > low.value()) || !(high - low).value().is_finite() {
            return Err(ParamError::Invalid {
                name: "high",
                reason: format!("must be greater than low = {}, got {}", low.value(), high.value()),
            });
        }
        Ok(Uniform { low, high, ln_width: (high - low).ln() })
    }
    /// The lower end.
    pub fn low(&self) -> T {
        self.low
    }
    /// The upper end.
    pub fn high(&self) -> T {
        self.high
    }
}

impl<T: Scalar> LogDensity<T> for Uniform<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if x >= self.low.value() && x <= self.high.value() { -self.ln_width } else { neg_inf() }
    }
}

impl<T: Scalar> Named for Uniform<T> {
    fn family(&self) -> &'static str {
        "uniform"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("low", self.low.value()), ("high", self.high.value())]
    }
}

impl Univariate for Uniform<f64> {
    fn cdf(&self, x: f64) -> f64 {
        ((x - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
    }
    fn mean(&self) -> Option<f64> {
        Some(0.5 * (self.low + self.high))
    }
    fn variance(&self) -> Option<f64> {
        Some((self.high - self.low).powi(2) / 12.0)
    }
    fn entropy(&self) -> f64 {
        self.ln_width
    }
    fn support(&self) -> Support {
        Support::Continuous { low: self.low, high: self.high }
    }
}

impl CrossEntropy for Uniform<f64> {
    /// `ln(high_q − low_q)` if `[low_p, high_p] ⊆ [low_q, high_q]`, `+∞` otherwise.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(if q.low <= self.low && self.high <= q.high { q.ln_width } else { f64::INFINITY })
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(if q.low <= self.low && self.high <= q.high { q.ln_width - self.ln_width } else { f64::INFINITY })
    }
}

impl Distribution<f64> for Uniform<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        self.low + (self.high - self.low) * u
    }
}

stat_map!(
    /// Statistic map of the uniform family (only minimum and maximum are used).
    UniformMap, "uniform", "the real line", |_x| true, |_x| [0.0, 0.0, 0.0]
);

/// Sufficient statistics of the uniform family: minimum and maximum.
pub type UniformStats = SumStats<UniformMap>;

impl SufficientStatistics for Uniform<f64> {
    type Stats = UniformStats;
}

impl ClosedFormMle for Uniform<f64> {
    /// `[min xᵢ, max xᵢ]` over observations with positive weight.
    fn mle(stats: &UniformStats) -> Result<Self, FitError> {
        stats.check()?;
        if stats.min() >= stats.max() {
            return Err(FitError::Degenerate { family: "uniform", reason: "all observations are equal".into() });
        }
        Ok(Uniform::new(stats.min(), stats.max())?)
    }
}

impl Parametric for Uniform {
    const NAME: &'static str = "uniform";
    const PARAMETERS: &'static [Parameter] = &[Parameter::real("low"), Parameter::real("high")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Location, crate::traits::Equivariance::Location]);
    type With<T: Scalar> = Uniform<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Uniform<T>, ParamError> {
        Uniform::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Uniform<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, self.low.value(), self.high.value(), true) {
            return v;
        }

        // Near the far end, ln(1 − (high − x)/width): no cancellation of logs.
        let (below, above) = (T::cst(x) - self.low, self.high - T::cst(x));
        crate::families::underflow(if below.value() > above.value() {
            (-(above / (self.high - self.low))).ln_1p()
        } else {
            below.ln() - self.ln_width
        })
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, self.low.value(), self.high.value(), false) {
            return v;
        }

        let (below, above) = (T::cst(x) - self.low, self.high - T::cst(x));
        crate::families::underflow(if above.value() > below.value() {
            (-(below / (self.high - self.low))).ln_1p()
        } else {
            above.ln() - self.ln_width
        })
    }
}
