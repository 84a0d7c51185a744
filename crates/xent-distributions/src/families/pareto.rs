//! The Pareto (type I) distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, positive};
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::families::{neg_inf, underflow};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{Parameter, Parametric};

/// The Pareto distribution with scale `x_m` and shape `α`.
///
/// Density: `q(x) = α x_mᵅ / x^(α+1)` for `x ≥ x_m`.
///
/// ```
/// use xent_distributions::{Pareto, Univariate};
/// let d = Pareto::new(1.0, 3.0)?;
/// assert!((d.mean().unwrap() - 1.5).abs() < 1e-15);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pareto<T = f64> {
    scale: T,
    shape: T,
    ln_norm: T,
}

impl<T: Scalar> Pareto<T> {
    /// A Pareto with `scale > 0` and `shape > 0`.
    pub fn new(scale: T, shape: T) -> Result<Self, ParamError> {
        positive("scale", scale.value())?;
        positive("shape", shape.value())?;
        Ok(Pareto { scale, shape, ln_norm: shape.ln() + shape * scale.ln() })
    }
    /// The scale `x_m` (the lower end of the support).
    pub fn scale(&self) -> T {
        self.scale
    }
    /// The shape `α`.
    pub fn shape(&self) -> T {
        self.shape
    }
}

impl<T: Scalar> LogDensity<T> for Pareto<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x >= self.scale.value() && x.is_finite()) {
            return neg_inf();
        }
        underflow(self.ln_norm - (self.shape + T::one()) * T::cst(x.ln()))
    }
}

impl<T: Scalar> Named for Pareto<T> {
    fn family(&self) -> &'static str {
        "pareto"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("scale", self.scale.value()), ("shape", self.shape.value())]
    }
}

impl Univariate for Pareto<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.scale { 0.0 } else { -(self.shape * (self.scale / x).ln()).exp_m1() }
    }
    fn mean(&self) -> Option<f64> {
        let a = self.shape;
        Some(if a > 1.0 { a * self.scale / (a - 1.0) } else { f64::INFINITY })
    }
    fn variance(&self) -> Option<f64> {
        let a = self.shape;
        if a > 2.0 {
            Some(self.scale * self.scale * a / ((a - 1.0).powi(2) * (a - 2.0)))
        } else if a > 1.0 {
            Some(f64::INFINITY)
        } else {
            None
        }
    }
    fn entropy(&self) -> f64 {
        crate::special::ln_ratio(self.scale, self.shape) + 1.0 / self.shape + 1.0
    }
    fn support(&self) -> Support {
        Support::Continuous { low: self.scale, high: f64::INFINITY }
    }
}

impl CrossEntropy for Pareto<f64> {
    /// `−ln α_q − α_q ln x_{m,q} + (α_q + 1)(ln x_{m,p} + 1/α_p)` when
    /// `x_{m,q} ≤ x_{m,p}`, `+∞` otherwise.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        if q.scale > self.scale {
            return Ok(f64::INFINITY);
        }
        Ok(-q.ln_norm + (q.shape + 1.0) * (self.scale.ln() + 1.0 / self.shape))
    }
    /// `h(ρ − 1) + α_q ln(x_{m,p}/x_{m,q})` with `ρ = α_q/α_p` and
    /// `h(u) = u − ln(1 + u)` when `x_{m,q} ≤ x_{m,p}`, `+∞` otherwise: two
    /// non-negative terms (`H(p, q) − H(p)` is `∞ − ∞` at a subnormal α_p).
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        use crate::special::{ln_ratio, ratio_h};
        if q.scale > self.scale {
            return Ok(f64::INFINITY);
        }
        let support = if q.scale == self.scale { 0.0 } else { q.shape * ln_ratio(self.scale, q.scale) };
        Ok(ratio_h(q.shape / self.shape, ln_ratio(q.shape, self.shape)) + support)
    }
}

impl Distribution<f64> for Pareto<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Pareto::new(self.scale, self.shape) {
            Ok(p) => p.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the Pareto family: `ln x` (plus the minimum).
    ParetoMap, "pareto", "x > 0", |x| x > 0.0, |x| [x.ln(), 0.0, 0.0]
);

/// Sufficient statistics of the Pareto family: weight, minimum, `Σ ln x`.
pub type ParetoStats = SumStats<ParetoMap>;

impl SufficientStatistics for Pareto<f64> {
    type Stats = ParetoStats;
}

impl ClosedFormMle for Pareto<f64> {
    /// `x̂_m = min xᵢ`, `α̂ = W / Σ wᵢ ln(xᵢ / x̂_m)`.
    fn mle(stats: &ParetoStats) -> Result<Self, FitError> {
        stats.check()?;
        let xm = stats.min();
        let s = stats.sum(0) - stats.weight() * xm.ln();
        if s <= 0.0 || stats.min() >= stats.max() {
            return Err(FitError::Degenerate { family: "pareto", reason: "all observations are equal".into() });
        }
        Ok(Pareto::new(xm, stats.weight() / s)?)
    }
}

impl Parametric for Pareto {
    const NAME: &'static str = "pareto";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("scale"), Parameter::positive("shape")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Scale, crate::traits::Equivariance::Invariant]);
    type With<T: Scalar> = Pareto<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Pareto<T>, ParamError> {
        Pareto::new(t[0], t[1])
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

impl<T: Scalar> crate::cdf::LogCdf<T> for Pareto<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, self.scale.value(), f64::INFINITY, true) {
            return v;
        }
        // ln(x_m/x) = −ln(1 + (x − x_m)/x_m): no cancellation of logs near x_m.
        let ln_s = -(self.shape * ((T::cst(x) - self.scale) / self.scale).ln_1p());
        crate::families::underflow(crate::cdf::log1mexp(ln_s))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, self.scale.value(), f64::INFINITY, false) {
            return v;
        }
        // ln(x_m/x) = −ln(1 + (x − x_m)/x_m): no cancellation of logs near x_m.
        let ln_s = -(self.shape * ((T::cst(x) - self.scale) / self.scale).ln_1p());
        crate::families::underflow(ln_s)
    }
}
