//! The gamma distribution (shape–rate parametrisation).

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, ParamError, positive};
use crate::families::{neg_inf, underflow};
use crate::scalar::Scalar;
use crate::special::{gamma_p, ln_gamma, polygamma};
use crate::stats::{SumStats, stat_map};
use crate::traits::{CrossEntropy, Family, LogDensity, SufficientStatistics, Support, Univariate};

/// The gamma distribution with shape `k` and rate `β`.
///
/// Density: `q(x) = βᵏ x^(k−1) e^(−βx) / Γ(k)` for `x > 0`.
///
/// Its maximum-likelihood estimate has no closed form (the shape solves
/// `ln k − ψ(k) = ln x̄ − mean(ln x)`); the fitting crate finds it numerically
/// from [`GammaStats`].
///
/// ```
/// use xent_distributions::{Gamma, Univariate};
/// let d = Gamma::new(2.0, 4.0)?;
/// assert_eq!(d.mean(), Some(0.5));
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma<T = f64> {
    shape: T,
    rate: T,
    ln_norm: T,
}

impl<T: Scalar> Gamma<T> {
    /// A gamma with `shape > 0` and `rate > 0`.
    pub fn new(shape: T, rate: T) -> Result<Self, ParamError> {
        positive("shape", shape.value())?;
        positive("rate", rate.value())?;
        Ok(Gamma { shape, rate, ln_norm: shape * rate.ln() - shape.ln_gamma() })
    }
    /// The shape `k`.
    pub fn shape(&self) -> T {
        self.shape
    }
    /// The rate `β`.
    pub fn rate(&self) -> T {
        self.rate
    }
}

impl<T: Scalar> LogDensity<T> for Gamma<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x >= 0.0 && x.is_finite()) {
            return neg_inf();
        }
        underflow(self.ln_norm + (self.shape - T::one()).xlny(T::cst(x)) - self.rate * T::cst(x))
    }
}

impl<T: Scalar> Family for Gamma<T> {
    fn family(&self) -> &'static str {
        "gamma"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("shape", self.shape.value()), ("rate", self.rate.value())]
    }
}

impl Gamma<f64> {
    /// `E[ln X] = ψ(k) − ln β`.
    pub fn mean_ln(&self) -> f64 {
        polygamma(0, self.shape) - self.rate.ln()
    }
}

impl Univariate for Gamma<f64> {
    fn cdf(&self, x: f64) -> f64 {
        gamma_p(self.shape, self.rate * x)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.shape / self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.shape / (self.rate * self.rate))
    }
    fn entropy(&self) -> f64 {
        let k = self.shape;
        k - self.rate.ln() + ln_gamma(k) + (1.0 - k) * polygamma(0, k)
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for Gamma<f64> {
    /// `H(p, q) = −k_q ln β_q + lnΓ(k_q) − (k_q − 1) E_p[ln X] + β_q E_p[X]`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(-q.ln_norm - (q.shape - 1.0) * self.mean_ln() + q.rate * self.shape / self.rate)
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        // (k_p − k_q) ψ(k_p) − lnΓ(k_p) + lnΓ(k_q) + k_q (ln β_p − ln β_q) + k_p (β_q − β_p)/β_p
        let (kp, kq, bp, bq) = (self.shape, q.shape, self.rate, q.rate);
        Ok((kp - kq) * polygamma(0, kp) - ln_gamma(kp) + ln_gamma(kq) + kq * (bp / bq).ln() + kp * (bq - bp) / bp)
    }
}

impl Distribution<f64> for Gamma<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Gamma::new(self.shape, 1.0 / self.rate) {
            Ok(g) => g.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the gamma family: `(x, ln x)`.
    GammaMap, "gamma", "x > 0", |x| x > 0.0, |x| [x, x.ln(), 0.0]
);

/// Sufficient statistics of the gamma family: weight, `Σ x`, `Σ ln x`.
pub type GammaStats = SumStats<GammaMap>;

impl SufficientStatistics for Gamma<f64> {
    type Stats = GammaStats;
}
