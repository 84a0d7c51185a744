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

macro_rules! pass {
    ($variant:ident, $ty:ty, $data:expr) => {{
        let mut s = <$ty>::default();
        s.extend_from_slice($data);
        s.check().map_err(|e| ObjectiveError::Data(e.to_string()))?;
        Summary::$variant(s)
    }};
}

/// `−n ln σ − n ½ln 2π − (M₂ + n (x̄ − μ)²) / (2σ²)`.
fn normal_ll<T: Scalar>(n: f64, mean: f64, m2: f64, t: &[T]) -> T {
    let d = T::cst(mean) - t[0];
    let n = T::cst(n);
    -n * (t[1].ln() + T::cst(HALF_LN_2PI)) - (T::cst(m2) + n * d * d) / (T::cst(2.0) * t[1] * t[1])
}

impl Summary {
    /// One pass over `data` for `family`; families that are not
    /// exponential families with finite statistics are an error.
    pub fn of(family: &Family, data: &[f64]) -> Result<Self, ObjectiveError> {
        Ok(match family {
            Family::Normal => pass!(Normal, NormalStats, data),
            Family::LogNormal => pass!(LogNormal, LogNormalStats, data),
            Family::Exponential => pass!(Exponential, ExponentialStats, data),
            Family::Gamma => pass!(Gamma, GammaStats, data),
            Family::Beta => pass!(Beta, BetaStats, data),
            Family::Poisson => pass!(Poisson, PoissonStats, data),
            Family::Bernoulli => pass!(Bernoulli, BernoulliStats, data),
            Family::Geometric => pass!(Geometric, GeometricStats, data),
            Family::Rayleigh => pass!(Rayleigh, RayleighStats, data),
            Family::InverseGaussian => pass!(InverseGaussian, InverseGaussianStats, data),
            other => return Err(ObjectiveError::NoSufficientStatistics { model: other.name() }),
        })
    }

    /// The total weight `n`.
    pub fn n(&self) -> f64 {
        match self {
            Summary::Normal(s) => s.weight(),
            Summary::LogNormal(s) => s.weight(),
            Summary::Exponential(s) => s.weight(),
            Summary::Gamma(s) => s.weight(),
            Summary::Beta(s) => s.weight(),
            Summary::Poisson(s) => s.weight(),
            Summary::Bernoulli(s) => s.weight(),
            Summary::Geometric(s) => s.weight(),
            Summary::Rayleigh(s) => s.weight(),
            Summary::InverseGaussian(s) => s.weight(),
        }
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

    /// The statistics.
    pub fn summary(&self) -> &Summary {
        &self.summary
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
