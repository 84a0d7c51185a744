//! The normal (Gaussian) distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, finite, positive};
use crate::families::underflow;
use crate::families::{closed_form_start, fit_with, pick_divergence, scaled_difference};
use crate::scalar::Scalar;
use crate::special::{HALF_LN_2PI, norm_cdf};
use crate::stats::{Accumulator, MomentStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The normal distribution `N(mean, std_dev²)`.
///
/// Density: `q(x) = exp(−(x − μ)² / (2σ²)) / (σ √(2π))` on the real line.
///
/// ```
/// use xent_distributions::{Normal, LogDensity, Univariate};
/// let n = Normal::new(0.0, 1.0)?;
/// assert!((n.ln_density(&0.0) + 0.918_938_533_204_672_7).abs() < 1e-15);
/// assert!((n.cdf(0.0) - 0.5).abs() < 1e-16);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
///
/// # Numerics
/// The normalising constant `−ln σ − ½ ln 2π` and `1/σ` are computed once at
/// construction, so a log-density costs one subtraction, two multiplications
/// and one addition. The CDF goes through `erfc`, accurate in both tails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normal<T = f64> {
    mean: T,
    std_dev: T,
    inv_std: T,
    ln_norm: T,
}

impl<T: Scalar> Normal<T> {
    /// A normal with the given mean and standard deviation (`> 0`).
    pub fn new(mean: T, std_dev: T) -> Result<Self, ParamError> {
        finite("mean", mean.value())?;
        positive("std_dev", std_dev.value())?;
        Ok(Normal { mean, std_dev, inv_std: std_dev.recip(), ln_norm: -std_dev.ln() - T::cst(HALF_LN_2PI) })
    }
    /// The mean `μ`.
    pub fn mean(&self) -> T {
        self.mean
    }
    /// The standard deviation `σ`.
    pub fn std_dev(&self) -> T {
        self.std_dev
    }
}

impl<T: Scalar> LogDensity<T> for Normal<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !x.is_finite() {
            return T::neg_infinity();
        }
        // 1/σ overflows at a subnormal σ: divide there.
        let d = T::cst(x) - self.mean;
        let z = if self.inv_std.value().is_finite() { d * self.inv_std } else { d / self.std_dev };
        underflow(self.ln_norm - z * z * T::cst(0.5))
    }
}

impl Normal<f64> {
    /// `Σᵢ ln q(xᵢ)` over a slice, reduced in four independent lanes.
    pub fn sum_ln_density_slice(&self, xs: &[f64]) -> f64 {
        if !self.inv_std.is_finite() {
            // A subnormal σ: 1/σ overflows, so divide element by element.
            return xs.iter().map(|x| self.ln_density(x)).sum();
        }
        let mut acc = [0.0f64; 4];
        let mut chunks = xs.chunks_exact(4);
        for c in &mut chunks {
            for l in 0..4 {
                let z = (c[l] - self.mean) * self.inv_std;
                acc[l] += z * z;
            }
        }
        let mut rest = 0.0;
        for &x in chunks.remainder() {
            let z = (x - self.mean) * self.inv_std;
            rest += z * z;
        }
        let q = (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest;
        // ±∞ observations make q = +∞ (log-density −∞); NaN ones are outside
        // the support too.
        let total = xs.len() as f64 * self.ln_norm - 0.5 * q;
        if total.is_nan() { f64::NEG_INFINITY } else { total }
    }
}

impl<T: Scalar> Named for Normal<T> {
    fn family(&self) -> &'static str {
        "normal"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("mean", self.mean.value()), ("std_dev", self.std_dev.value())]
    }
}

impl Univariate for Normal<f64> {
    fn cdf(&self, x: f64) -> f64 {
        norm_cdf((x - self.mean) / self.std_dev)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mean)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.std_dev * self.std_dev)
    }
    fn entropy(&self) -> f64 {
        0.5 + HALF_LN_2PI + self.std_dev.ln()
    }
    fn support(&self) -> Support {
        Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
    }
}

impl CrossEntropy for Normal<f64> {
    /// `½ ln 2π + ln σ_q + ½ (r² + z²)` with `r = σ_p/σ_q` and
    /// `z = (μ_p − μ_q)/σ_q`: ratios first, so scales near 1e-300 or 1e300
    /// neither underflow nor overflow when squared.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(gaussian_cross_entropy(self.mean, self.std_dev, q.mean, q.std_dev))
    }
    /// `−ln r + ½ (r² − 1) + ½ z²`, in the same ratios.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(gaussian_kl(self.mean, self.std_dev, q.mean, q.std_dev))
    }
}

/// `H(N(μ_p, σ_p²), N(μ_q, σ_q²)) = ½ ln 2π + ln σ_q + ½ (r² + z²)`.
pub(crate) fn gaussian_cross_entropy(mp: f64, sp: f64, mq: f64, sq: f64) -> f64 {
    let r = sp / sq;
    let z = scaled_difference(mp, mq, sq);
    HALF_LN_2PI + sq.ln() + 0.5 * (r * r + z * z)
}

/// `KL(N(μ_p, σ_p²) ‖ N(μ_q, σ_q²)) = ½ h(r² − 1) + ½ z²` with
/// `h(u) = u − ln(1 + u)`: exact near `r = 1`, and `ln r` taken from the
/// scales where `r` itself under- or overflows (σ's of 1e-320 and 1e130
/// give `+∞`, the rounded value, not `∞ − ∞`).
pub(crate) fn gaussian_kl(mp: f64, sp: f64, mq: f64, sq: f64) -> f64 {
    let scale_part = 0.5 * crate::special::square_ratio_h(sp / sq, crate::special::ln_ratio(sp, sq));
    let z = scaled_difference(mp, mq, sq);
    scale_part + 0.5 * z * z
}

impl Distribution<f64> for Normal<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rand_distr::StandardNormal.sample(rng);
        self.mean + self.std_dev * z
    }
}

stat_map!(
    /// Statistic map of the normal family: the observation itself.
    NormalMap, "normal", "the real line", |_x| true, |x| [x, 0.0, 0.0]
);

/// Sufficient statistics of the normal family: weight, mean, sum of squared deviations.
pub type NormalStats = MomentStats<NormalMap>;

impl SufficientStatistics for Normal<f64> {
    type Stats = NormalStats;
}

impl ClosedFormMle for Normal<f64> {
    /// `μ̂ = x̄`, `σ̂² = Σ wᵢ (xᵢ − x̄)² / Σ wᵢ` (the biased variance).
    fn mle(stats: &NormalStats) -> Result<Self, FitError> {
        stats.check()?;
        let sd = stats.variance_mle().sqrt();
        if sd <= 0.0 {
            return Err(FitError::Degenerate { family: "normal", reason: "zero variance".into() });
        }
        Ok(Normal::new(stats.mean(), sd)?)
    }
}

impl Parametric for Normal {
    const NAME: &'static str = "normal";
    const PARAMETERS: &'static [Parameter] = &[Parameter::real("mean"), Parameter::positive("std_dev")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Location, crate::traits::Equivariance::Scale]);
    type With<T: Scalar> = Normal<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Normal<T>, ParamError> {
        Normal::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(location_scale_information(t[1]))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Normal {
    fn stats_log_likelihood<T: Scalar>(s: &NormalStats, t: &[T]) -> T {
        normal_ll(s.weight(), s.mean(), s.sum_sq_dev(), t)
    }
    fn stats_estimate(stats: &NormalStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}

/// `−n ln σ − n ½ln 2π − (M₂ + n (x̄ − μ)²) / (2σ²)`: the normal
/// log-likelihood from weight `n`, mean and sum of squared deviations.
pub(crate) fn normal_ll<T: Scalar>(n: f64, mean: f64, m2: f64, t: &[T]) -> T {
    let d = T::cst(mean) - t[0];
    let n = T::cst(n);
    -n * (t[1].ln() + T::cst(HALF_LN_2PI)) - (T::cst(m2) + n * d * d) / (T::cst(2.0) * t[1] * t[1])
}

/// `diag(1/σ², 2/σ²)`: the Fisher information of one observation of a
/// normal in (mean, standard deviation) — and of a log-normal in (μ, σ),
/// whose logarithm is that normal.
pub(crate) fn location_scale_information(sigma: f64) -> DMatrix<f64> {
    let s2 = sigma * sigma;
    DMatrix::from_diagonal(&nalgebra::DVector::from_vec(vec![1.0 / s2, 2.0 / s2]))
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Normal<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, true) {
            return v;
        }
        let z = (T::cst(x) - self.mean) * self.inv_std;
        crate::families::underflow(z.ln_norm_cdf())
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, false) {
            return v;
        }
        let z = (T::cst(x) - self.mean) * self.inv_std;
        crate::families::underflow((-z).ln_norm_cdf())
    }
}
