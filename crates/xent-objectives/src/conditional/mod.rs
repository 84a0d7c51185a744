//! Conditional models `q_θ(y | x)` with a design matrix.
//!
//! Each model's per-sample negative log-likelihood is written once, as a
//! function of its linear predictors `η = X βₖ` (and of any extra scalar
//! parameters such as `ln σ`), generic over the scalar. Its derivatives in
//! `η` come from `autodiff` duals, and batch gradients and Hessians are
//! assembled with matrix products — `Xᵀ g` and `Xᵀ W X` — never with a pass
//! over the data per parameter.
//!
//! Layout: `models.rs` (the per-sample NLLs), `dispersion.rs` (Gamma,
//! negative binomial and binomial-proportion GLMs), `design.rs` ([`Design`]),
//! `local.rs` (per-sample derivatives by vector tangents), `kernels.rs`
//! (chunk products), `nll.rs` ([`ConditionalNll`]).

mod design;
mod dispersion;
mod kernels;
mod local;
mod models;
mod nll;

pub use design::Design;
pub use dispersion::{BinomialLogit, GammaLog, NegativeBinomialLog, ln_choose};
pub use models::{EtaModel, HeteroscedasticGaussian, LinearGaussian, Logistic, PoissonLog, Softmax};
pub use nll::{ConditionalNll, HESSIAN_BUDGET_BYTES};
