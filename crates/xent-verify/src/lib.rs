//! The derivation "maximum likelihood estimation is minimal cross-entropy"
//! as a chain of checked steps.
//!
//! Steps are values ([`StepReport`]): an id from the catalogue
//! (`shared/design/derivation-steps.md`), a [`Relation`], a justification,
//! the checks that ran with their figures, and a [`Status`]. This first part
//! covers the exact steps of Part A — `(1)`, `(1)->(2a)`, `(2a)->(2)`,
//! `(2)->(2b)` — on any [`xent_objectives::Model`], with the checks of
//! [`exact`] and the controls of [`controls`].
//!
//! ```
//! use xent_objectives::Family;
//! use xent_verify::{Instance, Status, part_a_exact};
//! let data = [0.3, 1.2, 2.5, 0.7, 1.9, 0.1, 3.3, 1.4];
//! let inst = Instance::new(&Family::Exponential, &data, 20, 1)?;
//! assert!(part_a_exact(&inst).iter().all(|s| s.status == Status::Pass));
//! # Ok::<(), xent_objectives::ObjectiveError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod asymptotic;
mod chain;
pub mod conditional_asymptotic;
pub mod conditional_chain;
pub mod controls;
pub mod exact;
mod run;
mod step;

pub use chain::{Instance, derive_seed, part_a_exact, step_1, step_1_2a, step_2_2b, step_2a_2};
pub use run::{Config, PENDING, Run, run};
pub use step::{CheckOutcome, Relation, Status, StepReport};
