//! Minimisers with typed outcomes. This crate knows nothing about
//! probability: it minimises a [`Problem`] — a value, a gradient and
//! optionally a Hessian.
//!
//! The solver (one iteration of a [`Method`]), the driver loop
//! ([`minimise`]: termination tests, evaluation counts, NaN detection) and
//! observers of iterations ([`Observer`]) are kept apart. Every run returns
//! an [`Outcome`] with the minimiser, value, gradient norm, counts and a
//! [`Termination`] reason; nothing panics, and a non-finite value is reported
//! with the iteration that produced it.
//!
//! ```
//! use xent_optim::{FnProblem, Method, Options, Termination, minimise};
//! // Rosenbrock
//! let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
//! let g = |x: &[f64]| vec![
//!     -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
//!     200.0 * (x[1] - x[0] * x[0]),
//! ];
//! let out = minimise(&FnProblem::new(2, f, g), &[-1.2, 1.0], &Method::lbfgs(), &Options::default(), &mut ())?;
//! assert_eq!(out.termination, Termination::ConvergedGradient);
//! assert!((out.x[0] - 1.0).abs() < 1e-6 && (out.x[1] - 1.0).abs() < 1e-6);
//! # Ok::<(), xent_optim::OptimError<xent_optim::Infallible>>(())
//! ```
//!
//! # Layout
//!
//! [`Problem`] (what is minimised), [`Method`] (what the user chooses; each
//! variant becomes a solver in `solvers/`, one file each with its own
//! state), the driver [`minimise`] (the loop, counts, NaN detection), the
//! termination tests of [`Options`] and the [`Observer`]s are kept apart,
//! as in argmin — with typed errors and `f64` throughout.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod checked;
mod driver;
mod linesearch;
mod method;
mod observer;
mod problem;
mod solver;
mod solvers;
mod termination;

pub use driver::{OptimError, Outcome, minimise};
pub use method::Method;
pub use observer::{Observer, Trace};
pub use problem::{FnProblem, Infallible, Problem};
pub use termination::{Options, Termination};
