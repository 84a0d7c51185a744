//! The traits every family implements.

use crate::error::{DivergenceError, FitError};
use crate::scalar::Scalar;
use crate::stats::Accumulator;

/// A log-density (log-pmf for discrete families) written once, generic over
/// the scalar type of the parameters.
///
/// Outside the support it returns `−∞`, never NaN and never a panic.
pub trait LogDensity<T: Scalar> {
    /// The type of one observation (`f64` for univariate families).
    type Obs: ?Sized;
    /// `ln q(x)`.
    fn ln_density(&self, x: &Self::Obs) -> T;
    /// `Σᵢ ln q(xᵢ)`, summed left to right.
    fn sum_ln_density<'a, I>(&self, data: I) -> T
    where
        I: IntoIterator<Item = &'a Self::Obs>,
        Self::Obs: 'a,
        Self: Sized,
    {
        let mut acc = T::zero();
        for x in data {
            acc += self.ln_density(x);
        }
        acc
    }
}

/// Name and parameters of a distribution in the reference conventions.
pub trait Family {
    /// The family name as in `shared/reference/README.md` (e.g. `"log_normal"`).
    fn family(&self) -> &'static str;
    /// The parameters as `(name, value)` pairs, in the conventional order.
    fn named_params(&self) -> Vec<(&'static str, f64)>;
}

/// The support of a univariate distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Support {
    /// A real interval `[low, high]` (either end may be infinite).
    Continuous {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// The integers `low..=high` (`high` may be `+∞`).
    Discrete {
        /// Smallest value.
        low: f64,
        /// Largest value.
        high: f64,
    },
}

/// A univariate distribution with `f64` parameters: CDF, moments and entropy.
pub trait Univariate: LogDensity<f64, Obs = f64> + Family {
    /// `P(X ≤ x)`.
    fn cdf(&self, x: f64) -> f64;
    /// `E[X]`; `None` where it does not exist, `Some(∞)` where it is infinite.
    fn mean(&self) -> Option<f64>;
    /// `Var[X]`; `None` where it does not exist, `Some(∞)` where it is infinite.
    fn variance(&self) -> Option<f64>;
    /// Differential (continuous) or Shannon (discrete) entropy in nats.
    fn entropy(&self) -> f64;
    /// Where the density is positive.
    fn support(&self) -> Support;
}

/// Closed-form cross-entropy and KL divergence between two members of a family.
pub trait CrossEntropy: Sized {
    /// `H(p, q) = −E_p[ln q(X)]` in nats, `self` being `p`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError>;
    /// `KL(p ‖ q) = H(p, q) − H(p)` in nats (may be `+∞`).
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError>;
}

/// A family with a streaming, mergeable accumulator of sufficient statistics.
pub trait SufficientStatistics {
    /// The accumulator.
    type Stats: Accumulator;
}

/// A family whose maximum-likelihood estimate is a closed-form function of its
/// sufficient statistics.
pub trait ClosedFormMle: SufficientStatistics + Sized {
    /// The MLE from accumulated statistics; fails on empty, invalid or
    /// degenerate data.
    fn mle(stats: &Self::Stats) -> Result<Self, FitError>;

    /// The MLE of unweighted data.
    fn fit<'a, I>(data: I) -> Result<Self, FitError>
    where
        I: IntoIterator<Item = &'a <Self::Stats as Accumulator>::Obs>,
        <Self::Stats as Accumulator>::Obs: 'a,
    {
        let mut stats = Self::Stats::default();
        for x in data {
            stats.push(x, 1.0);
        }
        Self::mle(&stats)
    }

    /// The MLE of weighted data (weights finite and `≥ 0`, one per observation).
    fn fit_weighted<'a, I>(data: I, weights: &[f64]) -> Result<Self, FitError>
    where
        I: IntoIterator<Item = &'a <Self::Stats as Accumulator>::Obs>,
        <Self::Stats as Accumulator>::Obs: 'a,
    {
        let mut stats = Self::Stats::default();
        let mut n = 0;
        for x in data {
            match weights.get(n) {
                Some(&w) => stats.push(x, w),
                None => {
                    return Err(FitError::WeightCount { observations: n + 1, weights: weights.len() });
                }
            }
            n += 1;
        }
        if n != weights.len() {
            return Err(FitError::WeightCount { observations: n, weights: weights.len() });
        }
        Self::mle(&stats)
    }
}
