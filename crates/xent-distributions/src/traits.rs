//! The traits every family implements.

use std::fmt::Debug;

use nalgebra::DMatrix;

use crate::error::{DivergenceError, FitError, ParamError};
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

/// Name and parameter values of a distribution in the reference conventions.
pub trait Named {
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
pub trait Univariate: LogDensity<f64, Obs = f64> + Named {
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

/// Where a natural parameter of a family lives. (Exhaustive: every
/// consumer maps each domain to a transform, and a new domain should make
/// them all fail to compile.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// Any real number.
    Real,
    /// `(0, ∞)`.
    Positive,
    /// `(0, 1)` (a probability).
    UnitInterval,
}

/// A natural parameter of a family: its reference name and its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parameter {
    /// The name, as in `shared/reference/README.md`.
    pub name: &'static str,
    /// Where it lives.
    pub domain: Domain,
}

impl Parameter {
    /// A real parameter.
    pub const fn real(name: &'static str) -> Self {
        Parameter { name, domain: Domain::Real }
    }
    /// A positive parameter.
    pub const fn positive(name: &'static str) -> Self {
        Parameter { name, domain: Domain::Positive }
    }
    /// A probability.
    pub const fn probability(name: &'static str) -> Self {
        Parameter { name, domain: Domain::UnitInterval }
    }
}

/// How a natural parameter moves when the data are rescaled, `x ↦ m + s·x`
/// with `s > 0`: the family is closed under that map and the maximum-
/// likelihood estimate moves with it (equivariance), so a fit may work on
/// standardised data and map its estimate back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Equivariance {
    /// `θ ↦ m + s·θ` (a location, or an end point of the support).
    Location,
    /// `θ ↦ s·θ` (a scale).
    Scale,
    /// `θ ↦ θ/s` (a rate, an inverse scale).
    Rate,
    /// `θ ↦ θ + ln s` (the location of `ln x`, for families of positive data).
    LogLocation,
    /// Unchanged (a shape).
    Invariant,
}

impl Equivariance {
    /// The parameter of the rescaled data's fit, from `theta` of the original.
    pub fn forward(self, theta: f64, m: f64, s: f64) -> f64 {
        match self {
            Equivariance::Location => m + s * theta,
            Equivariance::Scale => s * theta,
            Equivariance::Rate => theta / s,
            Equivariance::LogLocation => theta + s.ln(),
            Equivariance::Invariant => theta,
        }
    }
    /// The inverse of [`Equivariance::forward`].
    pub fn inverse(self, theta: f64, m: f64, s: f64) -> f64 {
        match self {
            Equivariance::Location => (theta - m) / s,
            Equivariance::Scale => theta / s,
            Equivariance::Rate => theta * s,
            Equivariance::LogLocation => theta - s.ln(),
            Equivariance::Invariant => theta,
        }
    }
    /// `∂ forward / ∂θ` (for standard errors and covariances).
    pub fn derivative(self, s: f64) -> f64 {
        match self {
            Equivariance::Location | Equivariance::Scale => s,
            Equivariance::Rate => 1.0 / s,
            Equivariance::LogLocation | Equivariance::Invariant => 1.0,
        }
    }
}

/// A univariate family whose parameters are all real numbers, described at
/// the type level: its name, its natural parameters, how to build a member
/// of any scalar type from a parameter vector, where a numerical fit should
/// start, and (where they exist in closed form) the Fisher information, the
/// maximum-likelihood estimate and the divergences within the family.
///
/// Every family file implements it once; the family table
/// ([`univariate_families!`](crate::univariate_families)) lists the
/// implementors, and [`AnyUnivariate`](crate::AnyUnivariate), the by-name
/// models of `xent-objectives` and their sufficient-statistic summaries are
/// generated from it.
///
/// ```
/// use xent_distributions::{Gamma, LogDensity, Parametric};
/// assert_eq!(Gamma::NAME, "gamma");
/// assert_eq!(Gamma::PARAMETERS[0].name, "shape");
/// let d = Gamma::from_theta(&[2.0, 0.5])?;
/// assert!((d.ln_density(&1.0) - (0.5f64.ln() * 2.0 - 0.5)).abs() < 1e-15);
/// assert!(Gamma::from_theta(&[2.0]).is_err());
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
pub trait Parametric {
    /// The family name in the reference spelling.
    const NAME: &'static str;
    /// The natural parameters, in the conventional order.
    const PARAMETERS: &'static [Parameter];
    /// The family's distribution with parameters of scalar type `T`.
    type With<T: Scalar>: LogDensity<T, Obs = f64> + Named + Clone + PartialEq + Debug + Send + Sync;

    /// The member at natural parameters `theta` (already of the right
    /// length; use [`Parametric::from_theta`]).
    fn assemble<T: Scalar>(theta: &[T]) -> Result<Self::With<T>, ParamError>;

    /// The member at natural parameters `theta`, in [`Parametric::PARAMETERS`]
    /// order; a vector of the wrong length is an error.
    fn from_theta<T: Scalar>(theta: &[T]) -> Result<Self::With<T>, ParamError> {
        let want = Self::PARAMETERS.len();
        if theta.len() != want {
            return Err(ParamError::Dimension { name: "theta", expected: want, found: theta.len() });
        }
        Self::assemble(theta)
    }

    /// Starting values for a numerical fit to `data` (finite, in the
    /// support, not empty): moment or quantile estimates, or the closed-form
    /// estimate where there is one. Always of length
    /// `PARAMETERS.len()` and inside each parameter's domain.
    fn starting_values(data: &[f64]) -> Vec<f64>;

    /// How each parameter moves under `x ↦ m + s·x` (in
    /// [`Parametric::PARAMETERS`] order), for families closed under it;
    /// `None` otherwise. Families of positive data list no
    /// [`Equivariance::Location`] and are closed under scaling only (`m = 0`).
    const EQUIVARIANCE: Option<&'static [Equivariance]> = None;

    /// The Fisher information of one observation in the natural
    /// parameters, `E[−∇² ln q_θ(X)] = E[∇ ln q ∇ ln qᵀ]`, where it has a
    /// closed form (`None` otherwise, and for families whose support moves
    /// with the parameters, which are not regular).
    fn fisher_information(theta: &[f64]) -> Option<DMatrix<f64>> {
        let _ = theta;
        None
    }

    /// The closed-form maximum-likelihood estimate from `data` (with
    /// optional per-observation `weights`), or [`FitError::NoClosedForm`].
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self::With<f64>, FitError> {
        let _ = (data, weights);
        Err(FitError::NoClosedForm { family: Self::NAME })
    }

    /// The closed-form cross-entropy `H(p, q)` (`cross`) or `KL(p ‖ q)`
    /// within the family, or [`DivergenceError::NoClosedForm`].
    fn divergence(p: &Self::With<f64>, q: &Self::With<f64>, cross: bool) -> Result<f64, DivergenceError> {
        let _ = (p, q, cross);
        Err(DivergenceError::NoClosedForm { family: Self::NAME })
    }
}

/// What the sufficient statistics of an exponential family say about `θ̂`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsEstimate {
    /// The natural parameters.
    pub theta: Vec<f64>,
    /// Whether `theta` is the maximum-likelihood estimate itself (closed
    /// form) rather than an approximation to start Newton from.
    pub exact: bool,
}

/// An exponential family whose log-likelihood is a closed-form function of
/// finitely many sufficient statistics: after one pass over the data, each
/// evaluation costs O(1) whatever `n` is. The function is written in the
/// family's own file, beside its log-density, and agrees with the sum of
/// log-densities up to rounding.
///
/// ```
/// use xent_distributions::{Accumulator, ExponentialFamily, LogDensity, Poisson, PoissonStats};
/// let data = [0.0, 3.0, 1.0, 2.0];
/// let mut s = PoissonStats::default();
/// s.extend_from_slice(&data);
/// let direct = Poisson::new(1.5)?.sum_ln_density(&data);
/// assert!((Poisson::stats_log_likelihood(&s, &[1.5]) - direct).abs() < 1e-12);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
pub trait ExponentialFamily: Parametric + SufficientStatistics {
    /// `Σᵢ wᵢ ln q_θ(xᵢ)` from the statistics, generic over the scalar
    /// (`theta` of length `PARAMETERS.len()`).
    fn stats_log_likelihood<T: Scalar>(stats: &Self::Stats, theta: &[T]) -> T;

    /// The closed-form estimate, or a standard approximation to start
    /// Newton from; degenerate statistics (zero variance) are an error.
    fn stats_estimate(stats: &Self::Stats) -> Result<StatsEstimate, FitError>;
}
