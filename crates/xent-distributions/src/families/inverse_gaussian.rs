//! The inverse Gaussian (Wald) distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{FitError, ParamError, positive};
use crate::families::{closed_form_start, fit_with};
use crate::families::{neg_inf, underflow};
use crate::scalar::Scalar;
use crate::special::{HALF_LN_2PI, exp_e1_scaled, ln_norm_cdf, norm_cdf};
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The inverse Gaussian distribution with mean `μ` and shape `λ`.
///
/// Density: `q(x) = √(λ/(2πx³)) exp(−λ(x − μ)²/(2μ²x))` for `x > 0`.
///
/// ```
/// use xent_distributions::{InverseGaussian, Univariate};
/// let d = InverseGaussian::new(2.0, 8.0)?;
/// assert_eq!(d.variance(), Some(1.0));
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InverseGaussian<T = f64> {
    mean: T,
    shape: T,
    ln_norm: T,
}

impl<T: Scalar> InverseGaussian<T> {
    /// An inverse Gaussian with `mean > 0` and `shape > 0`.
    pub fn new(mean: T, shape: T) -> Result<Self, ParamError> {
        positive("mean", mean.value())?;
        positive("shape", shape.value())?;
        Ok(InverseGaussian { mean, shape, ln_norm: T::cst(0.5) * shape.ln() - T::cst(HALF_LN_2PI) })
    }
    /// The mean `μ`.
    pub fn mean(&self) -> T {
        self.mean
    }
    /// The shape `λ`.
    pub fn shape(&self) -> T {
        self.shape
    }
}

impl<T: Scalar> LogDensity<T> for InverseGaussian<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x > 0.0 && x.is_finite()) {
            return neg_inf();
        }
        let d = T::cst(x) - self.mean;
        // λ(x − μ)²/(2xμ²) through the ratio r = (x − μ)/μ: μ² under- or
        // overflows at the extremes, and r² / 2x is ∞/∞ near f64::MAX, so
        // the product is taken as λ·r·(r/x)/2.
        let r = d / self.mean;
        underflow(self.ln_norm - T::cst(1.5 * x.ln()) - self.shape * r * (r / T::cst(x)) * T::cst(0.5))
    }
}

impl<T: Scalar> Named for InverseGaussian<T> {
    fn family(&self) -> &'static str {
        "inverse_gaussian"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("mean", self.mean.value()), ("shape", self.shape.value())]
    }
}

impl InverseGaussian<f64> {
    /// `E[ln X] = ln μ − e^(2λ/μ) E₁(2λ/μ)`.
    pub fn mean_ln(&self) -> f64 {
        // e^z E₁(z) = −γ − ln z + O(z ln z) once z = 2λ/μ is below 1e-260
        // (where it may underflow).
        let ln_z = std::f64::consts::LN_2 + self.shape.ln() - self.mean.ln();
        if ln_z < -600.0 {
            return self.mean.ln() + crate::special::EULER_GAMMA + ln_z;
        }
        self.mean.ln() - exp_e1_scaled(2.0 * self.shape / self.mean)
    }
}

impl Univariate for InverseGaussian<f64> {
    /// `Φ(√(λ/x)(x/μ − 1)) + e^(2λ/μ) Φ(−√(λ/x)(x/μ + 1))`, the second term
    /// formed in log space so it neither overflows nor underflows early.
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        if x.is_infinite() {
            return 1.0;
        }
        let s = (self.shape / x).sqrt();
        let a = norm_cdf(s * (x / self.mean - 1.0));
        let b = (2.0 * self.shape / self.mean + ln_norm_cdf(-s * (x / self.mean + 1.0))).exp();
        (a + b).min(1.0)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mean)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.mean.powi(3) / self.shape)
    }
    /// `½ + ½ ln(2π/λ) + (3/2) E[ln X]`.
    fn entropy(&self) -> f64 {
        0.5 + HALF_LN_2PI - 0.5 * self.shape.ln() + 1.5 * self.mean_ln()
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl Distribution<f64> for InverseGaussian<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::InverseGaussian::new(self.mean, self.shape) {
            Ok(d) => d.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the inverse Gaussian family: `(x, 1/x)`.
    InverseGaussianMap, "inverse_gaussian", "x > 0", |x| x > 0.0, |x| [x, 1.0 / x, x.ln()]
);

/// Sufficient statistics of the inverse Gaussian family: weight, `Σ x`,
/// `Σ 1/x` and the base measure `Σ ln x` (slot 2).
pub type InverseGaussianStats = SumStats<InverseGaussianMap>;

impl SufficientStatistics for InverseGaussian<f64> {
    type Stats = InverseGaussianStats;
}

impl ClosedFormMle for InverseGaussian<f64> {
    /// `μ̂ = x̄`, `1/λ̂ = mean(1/x) − 1/x̄`.
    fn mle(stats: &InverseGaussianStats) -> Result<Self, FitError> {
        stats.check()?;
        let mu = stats.mean(0);
        let inv_lambda = stats.mean(1) - 1.0 / mu;
        if !(inv_lambda > 0.0) || stats.min() >= stats.max() {
            return Err(FitError::Degenerate {
                family: "inverse_gaussian",
                reason: "all observations are equal".into(),
            });
        }
        Ok(InverseGaussian::new(mu, 1.0 / inv_lambda)?)
    }
}

impl Parametric for InverseGaussian {
    const NAME: &'static str = "inverse_gaussian";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("mean"), Parameter::positive("shape")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Scale, crate::traits::Equivariance::Scale]);
    type With<T: Scalar> = InverseGaussian<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<InverseGaussian<T>, ParamError> {
        InverseGaussian::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        let (mu, lambda) = (t[0], t[1]);
        Some(DMatrix::from_row_slice(2, 2, &[lambda / mu.powi(3), 0.0, 0.0, 0.5 / (lambda * lambda)]))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
}

impl ExponentialFamily for InverseGaussian {
    fn stats_log_likelihood<T: Scalar>(s: &InverseGaussianStats, t: &[T]) -> T {
        let c = |v: f64| T::cst(v);
        let n = c(s.weight());
        let (mu, lambda) = (t[0], t[1]);
        n * (c(0.5) * lambda.ln() - c(HALF_LN_2PI))
            - c(1.5 * s.sum(2))
            - lambda / (c(2.0) * mu * mu) * (c(s.sum(0)) - c(2.0) * n * mu + mu * mu * c(s.sum(1)))
    }
    fn stats_estimate(stats: &InverseGaussianStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for InverseGaussian<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, true) {
            return v;
        }
        // F = Φ(a) + e^(2λ/μ) Φ(b), S = Φ(−a) − e^(2λ/μ) Φ(b), with
        // a = √(λ/x)(x/μ − 1), b = −√(λ/x)(x/μ + 1), in log space.
        let s = (self.shape / T::cst(x)).sqrt();
        let r = T::cst(x) / self.mean;
        let a = s * (r - T::one());
        let b = -(s * (r + T::one()));
        let second = self.shape * T::cst(2.0) / self.mean + b.ln_norm_cdf();
        crate::families::underflow(crate::cdf::log_add_exp(a.ln_norm_cdf(), second))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, false) {
            return v;
        }
        // F = Φ(a) + e^(2λ/μ) Φ(b), S = Φ(−a) − e^(2λ/μ) Φ(b), with
        // a = √(λ/x)(x/μ − 1), b = −√(λ/x)(x/μ + 1), in log space.
        let s = (self.shape / T::cst(x)).sqrt();
        let r = T::cst(x) / self.mean;
        let a = s * (r - T::one());
        let b = -(s * (r + T::one()));
        let second = self.shape * T::cst(2.0) / self.mean + b.ln_norm_cdf();
        crate::families::underflow({
            let first = (-a).ln_norm_cdf();
            first + crate::cdf::log1mexp(second - first)
        })
    }
}
