//! The normal (Gaussian) distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, finite, positive};
use crate::families::underflow;
use crate::scalar::Scalar;
use crate::special::{HALF_LN_2PI, norm_cdf};
use crate::stats::{Accumulator, MomentStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, Family, LogDensity, SufficientStatistics, Support, Univariate};

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
        let z = (T::cst(x) - self.mean) * self.inv_std;
        underflow(self.ln_norm - z * z * T::cst(0.5))
    }
}

impl Normal<f64> {
    /// `Σᵢ ln q(xᵢ)` over a slice, reduced in four independent lanes.
    pub fn sum_ln_density_slice(&self, xs: &[f64]) -> f64 {
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

impl<T: Scalar> Family for Normal<T> {
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
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        let d = self.mean - q.mean;
        Ok(HALF_LN_2PI + q.std_dev.ln() + (self.std_dev.powi(2) + d * d) / (2.0 * q.std_dev.powi(2)))
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        let d = self.mean - q.mean;
        let r = self.std_dev / q.std_dev;
        Ok(-r.ln() + 0.5 * (r * r - 1.0) + d * d / (2.0 * q.std_dev.powi(2)))
    }
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
