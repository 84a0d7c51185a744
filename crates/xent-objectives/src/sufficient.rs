//! The exponential-family fast path: the log-likelihood as a closed-form
//! function of sufficient statistics, O(1) per evaluation after one pass.

use nalgebra::DMatrix;
use xent_distributions::families::{
    bernoulli::BernoulliStats, beta::BetaStats, exponential::ExponentialStats, gamma::GammaStats,
    geometric::GeometricStats, inverse_gaussian::InverseGaussianStats, log_normal::LogNormalStats, normal::NormalStats,
    poisson::PoissonStats, rayleigh::RayleighStats,
};
use xent_distributions::{Accumulator, Scalar};

use crate::error::ObjectiveError;
use crate::model::{Family, Model};
use crate::parallel::{default_threads, map_chunks};
use crate::seed;
use crate::transform::Parametrisation;

/// `½ ln 2π`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// One data pass worth of sufficient statistics, for the families that have them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Summary {
    /// Weighted mean and sum of squared deviations.
    Normal(NormalStats),
    /// The same, of `ln x`.
    LogNormal(LogNormalStats),
    /// `Σ x`.
    Exponential(ExponentialStats),
    /// `Σ x`, `Σ ln x`.
    Gamma(GammaStats),
    /// `Σ ln x`, `Σ ln(1 − x)`.
    Beta(BetaStats),
    /// `Σ k`, `Σ ln k!`.
    Poisson(PoissonStats),
    /// `Σ x`.
    Bernoulli(BernoulliStats),
    /// `Σ k`.
    Geometric(GeometricStats),
    /// `Σ x²`, `Σ ln x`.
    Rayleigh(RayleighStats),
    /// `Σ x`, `Σ 1/x`, `Σ ln x`.
    InverseGaussian(InverseGaussianStats),
}

/// Applies `$body` to the accumulator inside any [`Summary`] variant.
macro_rules! each {
    ($value:expr, $s:ident => $body:expr) => {
        match $value {
            Summary::Normal($s) => $body,
            Summary::LogNormal($s) => $body,
            Summary::Exponential($s) => $body,
            Summary::Gamma($s) => $body,
            Summary::Beta($s) => $body,
            Summary::Poisson($s) => $body,
            Summary::Bernoulli($s) => $body,
            Summary::Geometric($s) => $body,
            Summary::Rayleigh($s) => $body,
            Summary::InverseGaussian($s) => $body,
        }
    };
}

/// `−n ln σ − n ½ln 2π − (M₂ + n (x̄ − μ)²) / (2σ²)`.
fn normal_ll<T: Scalar>(n: f64, mean: f64, m2: f64, t: &[T]) -> T {
    let d = T::cst(mean) - t[0];
    let n = T::cst(n);
    -n * (t[1].ln() + T::cst(HALF_LN_2PI)) - (T::cst(m2) + n * d * d) / (T::cst(2.0) * t[1] * t[1])
}

impl Summary {
    /// Empty statistics for `family`, to be filled with [`Summary::push`]
    /// — a data pass whose memory does not depend on `n`. Families that are
    /// not exponential families with finite statistics are an error.
    pub fn empty(family: &Family) -> Result<Self, ObjectiveError> {
        Ok(match family {
            Family::Normal => Summary::Normal(NormalStats::default()),
            Family::LogNormal => Summary::LogNormal(LogNormalStats::default()),
            Family::Exponential => Summary::Exponential(ExponentialStats::default()),
            Family::Gamma => Summary::Gamma(GammaStats::default()),
            Family::Beta => Summary::Beta(BetaStats::default()),
            Family::Poisson => Summary::Poisson(PoissonStats::default()),
            Family::Bernoulli => Summary::Bernoulli(BernoulliStats::default()),
            Family::Geometric => Summary::Geometric(GeometricStats::default()),
            Family::Rayleigh => Summary::Rayleigh(RayleighStats::default()),
            Family::InverseGaussian => Summary::InverseGaussian(InverseGaussianStats::default()),
            other => return Err(ObjectiveError::NoSufficientStatistics { model: other.name() }),
        })
    }

    /// One pass over `data` for `family`; families that are not
    /// exponential families with finite statistics are an error, and so is
    /// a non-finite or out-of-support observation (the first is named).
    ///
    /// The pass is split into fixed chunks of 4096 values,
    /// spread over the default threads and merged in data order, so the
    /// statistics are bitwise identical for any thread count.
    pub fn of(family: &Family, data: &[f64]) -> Result<Self, ObjectiveError> {
        let empty = Summary::empty(family)?;
        let parts = map_chunks(data, default_threads(), |chunk| {
            let mut s = empty.clone();
            s.extend_from_slice(chunk);
            s
        });
        let mut s = empty.clone();
        for part in &parts {
            s.merge(part)?;
        }
        s.check()?;
        Ok(s)
    }

    /// Adds a block of observations (weight 1 each), with the fast kernels
    /// of the accumulators. Problems are remembered for [`Summary::check`].
    pub fn extend_from_slice(&mut self, data: &[f64]) {
        each!(self, a => a.extend_from_slice(data))
    }

    /// Adds one observation (weight 1). A non-finite or out-of-support value
    /// is not added; it is remembered and reported by [`Summary::check`].
    pub fn push(&mut self, x: f64) {
        each!(self, a => a.push(&x, 1.0))
    }

    /// Adds the statistics of a later part of the same data pass. Summaries
    /// of different families are an error.
    pub fn merge(&mut self, later: &Summary) -> Result<(), ObjectiveError> {
        match (self, later) {
            (Summary::Normal(a), Summary::Normal(b)) => a.merge(b),
            (Summary::LogNormal(a), Summary::LogNormal(b)) => a.merge(b),
            (Summary::Exponential(a), Summary::Exponential(b)) => a.merge(b),
            (Summary::Gamma(a), Summary::Gamma(b)) => a.merge(b),
            (Summary::Beta(a), Summary::Beta(b)) => a.merge(b),
            (Summary::Poisson(a), Summary::Poisson(b)) => a.merge(b),
            (Summary::Bernoulli(a), Summary::Bernoulli(b)) => a.merge(b),
            (Summary::Geometric(a), Summary::Geometric(b)) => a.merge(b),
            (Summary::Rayleigh(a), Summary::Rayleigh(b)) => a.merge(b),
            (Summary::InverseGaussian(a), Summary::InverseGaussian(b)) => a.merge(b),
            _ => return Err(ObjectiveError::Data("cannot merge the statistics of different families".into())),
        }
        Ok(())
    }

    /// The first problem met in the pass (non-finite or out-of-support
    /// observation, no data), if any.
    pub fn check(&self) -> Result<(), ObjectiveError> {
        each!(self, a => a.check()).map_err(|e| ObjectiveError::Data(e.to_string()))
    }

    /// The family the statistics belong to.
    pub fn family(&self) -> Family {
        match self {
            Summary::Normal(_) => Family::Normal,
            Summary::LogNormal(_) => Family::LogNormal,
            Summary::Exponential(_) => Family::Exponential,
            Summary::Gamma(_) => Family::Gamma,
            Summary::Beta(_) => Family::Beta,
            Summary::Poisson(_) => Family::Poisson,
            Summary::Bernoulli(_) => Family::Bernoulli,
            Summary::Geometric(_) => Family::Geometric,
            Summary::Rayleigh(_) => Family::Rayleigh,
            Summary::InverseGaussian(_) => Family::InverseGaussian,
        }
    }

    /// The total weight `n`.
    pub fn n(&self) -> f64 {
        each!(self, a => a.weight())
    }

    /// `Σ ln q_θ(xᵢ)` from the statistics, generic over the scalar.
    pub fn log_likelihood<T: Scalar>(&self, t: &[T]) -> T {
        let c = |v: f64| T::cst(v);
        let n = c(self.n());
        match self {
            Summary::Normal(s) => normal_ll(s.weight(), s.mean(), s.sum_sq_dev(), t),
            // The Jacobian term −Σ ln x = −n·mean(ln x).
            Summary::LogNormal(s) => normal_ll(s.weight(), s.mean(), s.sum_sq_dev(), t) - c(s.mean() * s.weight()),
            Summary::Exponential(s) => n * t[0].ln() - t[0] * c(s.sum(0)),
            Summary::Gamma(s) => {
                n * (t[0] * t[1].ln() - t[0].ln_gamma()) + (t[0] - T::one()) * c(s.sum(1)) - t[1] * c(s.sum(0))
            }
            Summary::Beta(s) => {
                (t[0] - T::one()) * c(s.sum(0)) + (t[1] - T::one()) * c(s.sum(1)) - n * t[0].ln_beta(t[1])
            }
            Summary::Poisson(s) => c(s.sum(0)) * t[0].ln() - n * t[0] - c(s.sum(1)),
            Summary::Bernoulli(s) => c(s.sum(0)).xlny(t[0]) + c(s.weight() - s.sum(0)).xln1py(-t[0]),
            Summary::Geometric(s) => n * t[0].ln() + c(s.sum(0)).xln1py(-t[0]),
            Summary::Rayleigh(s) => c(s.sum(1)) - n * c(2.0) * t[0].ln() - c(s.sum(0)) / (c(2.0) * t[0] * t[0]),
            Summary::InverseGaussian(s) => {
                let (mu, lambda) = (t[0], t[1]);
                n * (c(0.5) * lambda.ln() - c(HALF_LN_2PI))
                    - c(1.5 * s.sum(2))
                    - lambda / (c(2.0) * mu * mu) * (c(s.sum(0)) - c(2.0) * n * mu + mu * mu * c(s.sum(1)))
            }
        }
    }
}

/// The average NLL of an exponential family computed from its sufficient
/// statistics: after one pass, each value, gradient or Hessian costs O(1)
/// whatever `n` is. Equal to [`crate::Nll`] up to rounding.
#[derive(Debug, Clone)]
pub struct SufficientNll {
    summary: Summary,
    param: Parametrisation,
}

impl SufficientNll {
    /// One pass over `data`, in the family's default parametrisation.
    pub fn new(family: &Family, data: &[f64]) -> Result<Self, ObjectiveError> {
        Ok(SufficientNll { summary: Summary::of(family, data)?, param: Parametrisation::new(family.transforms()) })
    }

    /// The objective of statistics gathered elsewhere (a streamed pass), in
    /// parametrisation `param` of the summary's family.
    pub fn from_summary(summary: Summary, param: Parametrisation) -> Result<Self, ObjectiveError> {
        summary.check()?;
        Ok(SufficientNll { summary, param })
    }

    /// The statistics.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The number of unconstrained parameters.
    pub fn dim(&self) -> usize {
        self.param.free_dim()
    }

    fn avg<T: Scalar>(&self, u: &[T]) -> Result<T, ObjectiveError> {
        let theta = self.param.forward(u)?;
        if let Some(i) = theta.iter().position(|v| !v.value().is_finite()) {
            return Err(ObjectiveError::NonFiniteParameter { index: i, value: theta[i].value() });
        }
        Ok(-self.summary.log_likelihood(&theta) / T::cst(self.summary.n()))
    }

    /// The average NLL at `u`.
    pub fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        self.avg(u)
    }

    /// The gradient in `u`.
    pub fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        (0..u.len()).map(|i| Ok(self.avg(&seed::dual(u, i))?.deriv())).collect()
    }

    /// The Hessian in `u`.
    pub fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        let d = u.len();
        let mut h = DMatrix::zeros(d, d);
        for i in 0..d {
            for j in i..d {
                let v = self.avg(&seed::dual2(u, i, j))?.dx.dx;
                h[(i, j)] = v;
                h[(j, i)] = v;
            }
        }
        Ok(h)
    }
}
