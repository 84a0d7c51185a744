//! The Poisson distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, positive};
use crate::families::{PmfShape, discrete_entropy, is_count, neg_inf, underflow};
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::scalar::Scalar;
use crate::special::{bd0_generic, gamma_q, ln_factorial, ln_poisson_pmf, stirlerr};
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The Poisson distribution with rate `λ`.
///
/// Probability mass: `q(k) = λᵏ e^(−λ) / k!` for `k = 0, 1, 2, …`.
///
/// # Numerics
/// The log-pmf uses Loader's saddle-point form
/// `−stirlerr(k) − bd0(k, λ) − ½ ln(2πk)`, which has no cancellation at large
/// `k ≈ λ`. The entropy is the exact series (summed outward from the mode),
/// correct at small rates where the `½ ln(2πeλ)` approximation is not.
///
/// ```
/// use xent_distributions::{Poisson, LogDensity, Univariate};
/// let d = Poisson::new(0.1)?;
/// assert!((d.ln_density(&0.0) + 0.1).abs() < 1e-16);
/// assert!((d.entropy() - 0.3336769965012327).abs() < 1e-14);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poisson<T = f64> {
    rate: T,
}

impl<T: Scalar> Poisson<T> {
    /// A Poisson with `rate > 0`.
    pub fn new(rate: T) -> Result<Self, ParamError> {
        positive("rate", rate.value())?;
        Ok(Poisson { rate })
    }
    /// The rate `λ`.
    pub fn rate(&self) -> T {
        self.rate
    }
}

impl<T: Scalar> LogDensity<T> for Poisson<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &k: &f64) -> T {
        if !is_count(k) {
            return neg_inf();
        }
        if k == 0.0 {
            return -self.rate;
        }
        underflow(T::cst(-stirlerr(k) - 0.5 * (2.0 * std::f64::consts::PI * k).ln()) - bd0_generic(k, self.rate))
    }
}

impl<T: Scalar> Named for Poisson<T> {
    fn family(&self) -> &'static str {
        "poisson"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("rate", self.rate.value())]
    }
}

impl Univariate for Poisson<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 { 0.0 } else { gamma_q(x.floor() + 1.0, self.rate) }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn entropy(&self) -> f64 {
        let l = self.rate;
        let shape = PmfShape { mode: l.floor(), sd: l.sqrt(), skew2: 1.0 / l };
        discrete_entropy(|k| ln_poisson_pmf(k, l), shape, 0.0, f64::INFINITY)
    }
    fn support(&self) -> Support {
        Support::Discrete { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for Poisson<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.entropy() + self.kl_divergence(q)?)
    }
    /// `λ_p ln(λ_p/λ_q) + λ_q − λ_p`.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(crate::special::bd0(self.rate, q.rate))
    }
}

impl Distribution<f64> for Poisson<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Poisson::new(self.rate) {
            Ok(p) => p.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the Poisson family: `k`.
    PoissonMap, "poisson", "k in {0, 1, 2, ...}", |x| is_count(x), |x| [x, ln_factorial(x), 0.0]
);

/// Sufficient statistics of the Poisson family: weight, `Σ k` and the base
/// measure `Σ ln k!` (slot 1), so the log-likelihood follows in O(1).
pub type PoissonStats = SumStats<PoissonMap>;

impl SufficientStatistics for Poisson<f64> {
    type Stats = PoissonStats;
}

impl ClosedFormMle for Poisson<f64> {
    /// `λ̂ = k̄`.
    fn mle(stats: &PoissonStats) -> Result<Self, FitError> {
        stats.check()?;
        if stats.sum(0) <= 0.0 {
            return Err(FitError::Degenerate {
                family: "poisson",
                reason: "all counts are 0 (the MLE rate 0 is outside the family)".into(),
            });
        }
        Ok(Poisson::new(stats.mean(0))?)
    }
}

impl Parametric for Poisson {
    const NAME: &'static str = "poisson";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("rate")];
    type With<T: Scalar> = Poisson<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Poisson<T>, ParamError> {
        Poisson::new(t[0])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(DMatrix::from_element(1, 1, 1.0 / t[0]))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Poisson {
    fn stats_log_likelihood<T: Scalar>(s: &PoissonStats, t: &[T]) -> T {
        T::cst(s.sum(0)) * t[0].ln() - T::cst(s.weight()) * t[0] - T::cst(s.sum(1))
    }
    fn stats_estimate(stats: &PoissonStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}
