//! Objectives of maximum-likelihood estimation as differentiable functions.
//!
//! - [`Nll`]: the likelihood (as a [`ScaledFloat`], beside the naive `f64`
//!   product), the log-likelihood and the average negative log-likelihood of
//!   any [`Model`] on data, with gradients (forward duals), Hessians (nested
//!   duals) and per-sample scores in the unconstrained parameters of a
//!   [`Parametrisation`] built from [`Transform`]s.
//! - [`SufficientNll`]: the exponential-family fast path, O(1) per
//!   evaluation from sufficient statistics.
//! - [`Family`]: every univariate family of `xent-distributions` as a model.
//! - [`conditional`]: linear-Gaussian, logistic, softmax, Poisson-log and
//!   heteroscedastic Gaussian models on a design matrix, gradients `Xᵀ g`
//!   and Hessians `Xᵀ W X`.
//! - [`losses`]: PyTorch-semantics losses, each a documented NLL up to a
//!   parameter-free constant.
//! - [`Objective`]: what every NLL here offers (dimension, value,
//!   gradient, Hessian, fused evaluation, per-sample scores) — the one
//!   interface `xent-fit` and `xent-verify` minimise and check. Fitting
//!   lives in `xent-fit`; this crate does not depend on an optimiser.
//! - [`check_gradient`]: finite-difference checks, public.
//!
//! ```
//! use xent_objectives::{Family, Nll};
//! let data = [0.5, 1.5, 2.0, 4.0];
//! let nll = Nll::new(&Family::Normal, &data)?;
//! // u = (mean, ln std_dev)
//! let (v, g) = nll.value_and_gradient(&[2.0, 0.0])?;
//! assert!(v.is_finite() && g.len() == 2);
//! # Ok::<(), xent_objectives::ObjectiveError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod censored;
pub mod conditional;
mod error;
mod gradcheck;
mod likelihood;
pub mod losses;
mod model;
mod nll;
mod objective;
mod parallel;
mod seed;
mod sufficient;
mod transform;

pub use censored::{CdfModel, Censored, CensoredDist, Observation, Truncated, TruncatedDist};
pub use error::ObjectiveError;
pub use gradcheck::{GradientCheck, check_gradient};
pub use likelihood::ScaledFloat;
pub use model::{CategoricalModel, DirichletModel, Family, Model, MultivariateNormalModel, SupportTest};
pub use nll::{Derivatives, Nll, check_weights};
pub use objective::Objective;
pub use parallel::default_threads;
pub use sufficient::{SufficientNll, Summary};
pub use transform::{Parametrisation, Transform};
