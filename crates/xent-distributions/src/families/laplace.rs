//! The Laplace (double exponential) distribution.

use rand::{Rng, RngExt};
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, finite, positive};
use crate::families::underflow;
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, SampleStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The Laplace distribution with location `μ` and scale `b`.
///
/// Density: `q(x) = exp(−|x − μ| / b) / (2b)`.
///
/// The MLE of the location is the (weighted) sample median, so the
/// accumulator ([`LaplaceStats`]) keeps the observations.
///
/// ```
/// use xent_distributions::{Laplace, ClosedFormMle};
/// let d = Laplace::fit(&[1.0, 2.0, 10.0])?;
/// assert_eq!(d.location(), 2.0);
/// assert_eq!(d.scale(), 3.0);
/// # Ok::<(), xent_distributions::FitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Laplace<T = f64> {
    location: T,
    scale: T,
    inv_scale: T,
    ln_2b: T,
}

impl<T: Scalar> Laplace<T> {
    /// A Laplace with finite `location` and `scale > 0`.
    pub fn new(location: T, scale: T) -> Result<Self, ParamError> {
        finite("location", location.value())?;
        positive("scale", scale.value())?;
        Ok(Laplace { location, scale, inv_scale: scale.recip(), ln_2b: (scale + scale).ln() })
    }
    /// The location `μ`.
    pub fn location(&self) -> T {
        self.location
    }
    /// The scale `b`.
    pub fn scale(&self) -> T {
        self.scale
    }
}

impl<T: Scalar> LogDensity<T> for Laplace<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !x.is_finite() {
            return T::neg_infinity();
        }
        let d = (T::cst(x) - self.location).abs();
        let z = if self.inv_scale.value().is_finite() { d * self.inv_scale } else { d / self.scale };
        underflow(-self.ln_2b - z)
    }
}

impl<T: Scalar> Named for Laplace<T> {
    fn family(&self) -> &'static str {
        "laplace"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("location", self.location.value()), ("scale", self.scale.value())]
    }
}

impl Univariate for Laplace<f64> {
    fn cdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if z < 0.0 { 0.5 * z.exp() } else { 1.0 - 0.5 * (-z).exp() }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.location)
    }
    fn variance(&self) -> Option<f64> {
        Some(2.0 * self.scale * self.scale)
    }
    fn entropy(&self) -> f64 {
        1.0 + self.ln_2b
    }
    fn support(&self) -> Support {
        Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
    }
}

impl CrossEntropy for Laplace<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.entropy() + self.kl_divergence(q)?)
    }
    /// `ln(b_q/b_p) + |μ_p − μ_q|/b_q + (b_p/b_q) e^(−|μ_p − μ_q|/b_p) − 1`.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        // ln r from the scales and r·e^(−d/b_p) as one exponential: neither
        // ∞·0 at a subnormal b_p nor ln 0 at a huge ratio. (d = 0: h(r − 1).)
        let d = (self.location - q.location).abs();
        let ln_r = crate::special::ln_ratio(self.scale, q.scale);
        if d == 0.0 {
            return Ok(crate::special::ratio_h(self.scale / q.scale, ln_r));
        }
        // d/b in halves where d itself overflows (locations near ±f64::MAX).
        let over = |b: f64| super::scaled_difference(self.location, q.location, b).abs();
        Ok(-ln_r + over(q.scale) + (ln_r - over(self.scale)).exp() - 1.0)
    }
}

impl Distribution<f64> for Laplace<f64> {
    /// Inverse-CDF sampling from one uniform draw on `(−½, ½)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random::<f64>() - 0.5;
        let mag = if u == -0.5 { f64::MAX.ln() } else { -(-2.0 * u.abs()).ln_1p() };
        self.location + self.scale * u.signum() * mag
    }
}

stat_map!(
    /// Statistic map of the Laplace family (observations are kept whole).
    LaplaceMap, "laplace", "the real line", |_x| true, |x| [x, 0.0, 0.0]
);

/// The Laplace "sufficient statistics": the weighted sample itself.
pub type LaplaceStats = SampleStats<LaplaceMap>;

impl SufficientStatistics for Laplace<f64> {
    type Stats = LaplaceStats;
}

impl ClosedFormMle for Laplace<f64> {
    /// `μ̂` = weighted median, `b̂` = weighted mean absolute deviation from it.
    fn mle(stats: &LaplaceStats) -> Result<Self, FitError> {
        stats.check()?;
        let Some(m) = stats.weighted_median() else {
            return Err(FitError::Empty { family: "laplace" });
        };
        let b = stats.mean_abs_dev(m);
        if b <= 0.0 {
            return Err(FitError::Degenerate { family: "laplace", reason: "all observations are equal".into() });
        }
        Ok(Laplace::new(m, b)?)
    }
}

impl Parametric for Laplace {
    const NAME: &'static str = "laplace";
    const PARAMETERS: &'static [Parameter] = &[Parameter::real("location"), Parameter::positive("scale")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Location, crate::traits::Equivariance::Scale]);
    type With<T: Scalar> = Laplace<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Laplace<T>, ParamError> {
        Laplace::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        let b2 = t[1] * t[1];
        Some(DMatrix::from_diagonal_element(2, 2, 1.0 / b2))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Laplace<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, true) {
            return v;
        }
        // The tail beyond x on its own side: ½ e^(−|z|).
        let z = (T::cst(x) - self.location) * self.inv_scale;
        let near = |t: T| T::cst(-std::f64::consts::LN_2) - t.abs();
        let far = |t: T| (-(near(t).exp())).ln_1p();
        crate::families::underflow(if z.value() < 0.0 { near(z) } else { far(z) })
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, false) {
            return v;
        }
        // The tail beyond x on its own side: ½ e^(−|z|).
        let z = (T::cst(x) - self.location) * self.inv_scale;
        let near = |t: T| T::cst(-std::f64::consts::LN_2) - t.abs();
        let far = |t: T| (-(near(t).exp())).ln_1p();
        crate::families::underflow(if z.value() > 0.0 { near(z) } else { far(z) })
    }
}
