//! The derivation "maximum likelihood estimation is minimal cross-entropy"
//! as a chain of checked steps.
//!
//! Steps are values ([`StepReport`]): a [`StepId`] of the [`catalogue`]
//! (`shared/design/derivation-steps.md`: id, name, [`Relation`],
//! justification, expression), the checks that ran with their key figures,
//! and a [`Status`]. [`run()`] runs the
//! whole chain — Part A's exact steps ([`part_a_exact`]) and asymptotic steps
//! ([`asymptotic`]), Part B's exact steps ([`conditional_chain`]) and
//! asymptotic steps ([`conditional_asymptotic`]) — on the catalogue's models
//! with every control ([`controls`]); [`report`] prints it as a calculation
//! (`xent verify`, `cargo xtask verify`).
//!
//! # Your own model
//!
//! Any [`xent_objectives::Model`] runs through the same checks. Here a
//! family the crates do not ship — the exponential parametrised by its mean —
//! gets the exact steps of Part A and the controls:
//!
//! ```
//! use xent_distributions::{LogDensity, ParamError, Scalar, Support};
//! use xent_objectives::{Model, Transform};
//! use xent_verify::controls::part_a_controls;
//! use xent_verify::premises::DensityModel;
//! use xent_verify::{Instance, Status, part_a_exact};
//!
//! struct ExpMean;
//! struct ExpMeanDist<T>(T);
//! impl<T: Scalar> LogDensity<T> for ExpMeanDist<T> {
//!     type Obs = f64;
//!     fn ln_density(&self, &x: &f64) -> T {
//!         if x < 0.0 { T::neg_infinity() } else { -self.0.ln() - T::cst(x) / self.0 }
//!     }
//! }
//! impl Model for ExpMean {
//!     type Obs = f64;
//!     type Dist<T: Scalar> = ExpMeanDist<T>;
//!     fn name(&self) -> String { "exponential(mean)".into() }
//!     fn param_names(&self) -> Vec<String> { vec!["mean".into()] }
//!     fn transforms(&self) -> Vec<Transform> { vec![Transform::Exp] }
//!     fn build<T: Scalar>(&self, t: &[T]) -> Result<ExpMeanDist<T>, ParamError> { Ok(ExpMeanDist(t[0])) }
//! }
//! // Where observations live: the harness integrates q_θ over it itself.
//! impl DensityModel for ExpMean {
//!     fn sample_space(&self, _theta: &[f64]) -> Option<Support> {
//!         Some(Support::Continuous { low: 0.0, high: f64::INFINITY })
//!     }
//! }
//!
//! let data: Vec<f64> = (1..=400).map(|i| -(1.0 - f64::from(i) / 401.0).ln() * 2.0).collect();
//! let inst = Instance::new(&ExpMean, &data, 30, 7)?;
//! for step in part_a_exact(&inst) {
//!     assert_eq!(step.status, Status::Pass, "{}", step.id);
//! }
//! assert!(part_a_controls(&inst, None).iter().all(|c| c.behaved()));
//! # Ok::<(), xent_objectives::ObjectiveError>(())
//! ```
//!
//! Conditional models plug in the same way through
//! [`xent_objectives::conditional::EtaModel`] and
//! [`conditional_chain::ConditionalInstance`].
//!
//! The whole chain, with the asymptotic steps, the controls, the JSON and
//! the document: give the harness your data process as well —
//! [`process::DataProcess`] with [`user::run_model`] (Part A;
//! `examples/zero_inflated_poisson.rs`) or [`process::ConditionalProcess`]
//! with [`user::run_conditional_model`] (Part B;
//! `examples/heteroscedastic_regression.rs`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod asymptotic;
pub mod catalogue;
mod chain;
pub mod conditional_asymptotic;
pub mod conditional_chain;
pub mod conditional_scenario;
pub mod controls;
pub mod docs;
pub mod exact;
mod jobs;
pub mod loss;
pub mod premises;
pub mod process;
pub mod quadrature;
pub mod report;
mod run;
mod step;
pub mod user;

pub use catalogue::StepId;
pub use chain::{Instance, derive_seed, part_a_exact, step_1, step_1_2a, step_2_2b, step_2a_2};
pub use run::{Config, PENDING, Run, run};
pub use step::{CheckOutcome, Relation, Status, StepReport};
