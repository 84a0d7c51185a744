//! Maximum-likelihood estimation: the objectives of `xent-objectives`
//! minimised by the solvers of `xent-optim`, with a [`FitReport`] carrying
//! the fitted distribution, standard errors (observed or expected
//! information or the sandwich, delta method), z and p values, Wald
//! intervals, log-likelihood, AIC and BIC.
//!
//! - [`fit_family`]: a univariate family on a sample (closed form where one
//!   exists, else Newton from moment starts; known parameters held fixed);
//! - [`fit_summary`]: the same from streamed sufficient statistics;
//! - [`fit_model`]: any [`xent_objectives::Model`] (multivariate normal,
//!   Dirichlet, your own) from a start;
//! - [`fit_conditional`] / [`fit_linear`]: GLM-type regressions on a design
//!   matrix;
//!
//! with [`FitOptions::covariance`] choosing the standard errors
//! ([`Covariance`]: observed, expected, sandwich or none);
//! - [`ObjectiveProblem`]: the one adapter from any
//!   [`xent_objectives::Objective`] to an [`xent_optim::Problem`].
//!
//! Every covariance comes from a Cholesky factorisation of the information
//! (`information.rs`); an information matrix that is not positive definite
//! gives NaN standard errors, never numbers from an inverted singular matrix.
//!
//! ```
//! use xent_fit::{FitOptions, fit_family};
//! use xent_objectives::Family;
//! let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1];
//! let report = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
//! assert!(report.gradient_norm < 1e-9 && report.std_errors.iter().all(|s| *s > 0.0));
//! println!("{report}");
//! # Ok::<(), xent_fit::FitFailure>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod categorical;
mod censored;
mod columns;
mod degenerate;
mod error;
mod glm;
mod glm_data;
mod information;
mod options;
mod problem;
mod profile;
mod report;
mod standardise;
mod summary;
mod unconditional;

pub use categorical::{Indicators, indicators, levels_of};
pub use censored::{fit_censored, fit_truncated};
pub use error::FitFailure;
pub use glm::{
    fit_conditional, fit_conditional_weighted, fit_glm, fit_linear, fit_linear_weighted, ols_std_errors,
    ols_std_errors_weighted,
};
pub use glm_data::{GlmData, fit_binomial_counts, log_exposure};
pub use options::{Covariance, FitOptions};
pub use problem::ObjectiveProblem;
pub use profile::{LrTest, lr_test, profile_interval, profile_intervals_family, profile_intervals_glm};
pub use report::{FitMethod, FitReport};
pub use summary::{fit_summary, fit_summary_rescaled, streaming_scale};
pub use unconditional::{fit_family, fit_family_weighted, fit_model, fit_model_weighted};
