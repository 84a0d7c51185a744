//! Probability families generic over the scalar type.
//!
//! Every log-density is written once against [`Scalar`] and evaluates in
//! `f64` or in forward dual numbers ([`Dual`], [`HyperDual`]) for exact
//! gradients and Hessians with respect to the parameters. Each family also
//! has, for `f64` parameters:
//!
//! - the CDF, mean, variance and exact entropy ([`Univariate`]);
//! - sampling through `rand`'s [`Distribution`](rand_distr::Distribution);
//! - closed-form cross-entropy and KL divergence within the family where one
//!   exists ([`CrossEntropy`]);
//! - a streaming, mergeable, weighted accumulator of sufficient statistics
//!   ([`SufficientStatistics`], [`Accumulator`]) and, where one exists, the
//!   closed-form maximum-likelihood estimate ([`ClosedFormMle`]).
//!
//! Parameter names follow `shared/reference/README.md`; [`AnyUnivariate`]
//! builds any univariate family from its name and named parameters.
//!
//! ```
//! use xent_distributions::{ClosedFormMle, CrossEntropy, LogDensity, Normal, Univariate};
//! let data = [1.0, 2.0, 3.0, 4.0];
//! let fit = Normal::fit(&data)?;
//! assert!((fit.mean() - 2.5).abs() < 1e-15);
//! // The average negative log-likelihood of the fit is the cross-entropy of
//! // the empirical distribution to the model, and no other normal does better.
//! let nll = -fit.sum_ln_density(&data) / 4.0;
//! let other = Normal::new(2.0, 1.0)?;
//! assert!(nll < -other.sum_ln_density(&data) / 4.0);
//! // For a normal the average NLL at the MLE equals the model's own entropy.
//! assert!((nll - fit.entropy()).abs() < 1e-12);
//! assert_eq!(fit.kl_divergence(&fit)?, 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod any;
pub mod cdf;
mod error;
pub mod families;
mod incomplete;
mod quadrature;
mod scalar;
pub mod special;
pub mod stats;
pub mod tangent;
mod traits;

pub use any::AnyUnivariate;
pub use cdf::LogCdf;
pub use error::{DivergenceError, FitError, ParamError};
pub use families::bernoulli::{Bernoulli, BernoulliStats};
pub use families::beta::{Beta, BetaStats};
pub use families::binomial::{Binomial, BinomialStats};
pub use families::categorical::{Categorical, CategoricalStats};
pub use families::cauchy::Cauchy;
pub use families::dirichlet::{Dirichlet, DirichletStats};
pub use families::exponential::{Exponential, ExponentialStats};
pub use families::gamma::{Gamma, GammaStats};
pub use families::geometric::{Geometric, GeometricStats};
pub use families::inverse_gaussian::{InverseGaussian, InverseGaussianStats};
pub use families::laplace::{Laplace, LaplaceStats};
pub use families::log_normal::{LogNormal, LogNormalStats};
pub use families::multivariate_normal::{MultivariateNormal, MultivariateNormalStats};
pub use families::negative_binomial::NegativeBinomial;
pub use families::normal::{Normal, NormalStats};
pub use families::pareto::{Pareto, ParetoStats};
pub use families::poisson::{Poisson, PoissonStats};
pub use families::rayleigh::{Rayleigh, RayleighStats};
pub use families::student_t::StudentT;
pub use families::uniform::{Uniform, UniformStats};
pub use families::weibull::Weibull;
pub use scalar::{Dual, HyperDual, Scalar};
pub use stats::Accumulator;
pub use tangent::{DualN, HyperDualN};
pub use traits::{
    ClosedFormMle, CrossEntropy, Domain, Equivariance, ExponentialFamily, LogDensity, Named, Parameter, Parametric,
    StatsEstimate, SufficientStatistics, Support, Univariate,
};
