//! Your own model through the whole chain, as the built-in models go: the
//! steps that apply, every control that applies, and a [`Run`] that the
//! text report ([`crate::report`]), the JSON ([`Run::to_json`]) and the
//! derivation document ([`crate::docs::render`]) take as they take the
//! built-in run.
//!
//! An unconditional model `q_θ` with a data process `p` ([`Scenario`]) gets
//! Part A, `(1)` … `(3)'` ([`run_model`]); a conditional model `q_θ(y | x)`
//! with a process `p(x, y)` ([`ConditionalScenario`]) gets Part B, `(4)` …
//! `(6)''` ([`run_conditional_model`]).

use xent_objectives::ObjectiveError;
use xent_objectives::conditional::Design;

use crate::asymptotic::{Scenario, claim_controls, sampler_controls, step_2b_3, step_3_prime};
use crate::catalogue::StepId;
use crate::chain::{Instance, derive_seed, part_a_controls, part_a_exact};
use crate::conditional_scenario::{ConditionalScenario, step_6_double_prime_scenario, step_8_9_with_controls};
use crate::premises::{ConditionalDensityModel, DensityModel};
use crate::run::{Config, PART_A_EXACT, Run, part_b, shuffled};

/// Part A for your own unconditional model, `(1)` … `(3)'`, on data drawn
/// from the scenario's process: the exact steps on `n` = 2 000 draws (500
/// in the quick profile) with [`part_a_controls`]; `(2b)->(3)` and `(3)'`
/// with the claims' controls ([`claim_controls`]) and the sampler
/// controls at 1.5× and 0.5× the stated power ([`sampler_controls`]).
/// `well_specified`: `p` is `q_θ*`, so `KL(p ‖ q_θ*)` must be 0. The
/// config's filter keeps steps and controls as in [`crate::run()`].
///
/// # Errors
/// The model cannot be fitted to the sample (the exact steps need its MLE).
pub fn run_model<M>(s: &Scenario<M>, well_specified: bool, cfg: &Config) -> Result<Run, ObjectiveError>
where
    M: DensityModel<Obs = f64> + Clone + Send + Sync + 'static,
{
    let mut run = Run { config: cfg.clone(), steps: Vec::new(), controls: Vec::new() };
    let seed = cfg.seed;
    let name = s.model.name();
    if cfg.wants_any(&PART_A_EXACT, &name) {
        let n = if cfg.quick { 500 } else { 2000 };
        let data = s.sample(n, derive_seed(seed, &format!("exact/{}", s.name)));
        let inst = Instance::new(&s.model, &data, 40, seed)?;
        run.keep_steps(part_a_exact(&inst));
        run.keep_controls(part_a_controls(&inst, None));
    }
    if cfg.wants(StepId::LawOfLargeNumbers.id(), &s.name) {
        run.keep_steps([step_2b_3(s, seed, cfg.quick)]);
    }
    if cfg.wants(StepId::EntropyPlusKl.id(), &s.name) {
        run.keep_steps([step_3_prime(s, well_specified)]);
    }
    if cfg.wants(StepId::LawOfLargeNumbers.id(), &s.name) || cfg.wants(StepId::EntropyPlusKl.id(), &s.name) {
        run.keep_controls(claim_controls(s, well_specified, seed, cfg.quick));
        run.keep_controls(sampler_controls(s, seed, cfg.quick));
    }
    Ok(run)
}

/// Part B for your own conditional model, `(4)` … `(6)''`, on data drawn
/// from the scenario's process: the exact steps on `n` = 2 000 rows (500 in
/// the quick profile) with the controls of the built-in models (wrong
/// conditional densities and derivatives at `(4)`, improper x-marginals at
/// `(7)->(8)`, permuted labels, …); `(8)->(9)` and `(6)''` by the input
/// rule and quadrature, with the target-sampler controls at 1.5× and 0.5×
/// the stated power. The config's filter keeps steps and controls as in
/// [`crate::run()`].
///
/// # Errors
/// The sampled design is not usable (non-finite features, no rows).
pub fn run_conditional_model<M>(s: &ConditionalScenario<M>, cfg: &Config) -> Result<Run, ObjectiveError>
where
    M: ConditionalDensityModel + Clone,
{
    let mut run = Run { config: cfg.clone(), steps: Vec::new(), controls: Vec::new() };
    let seed = cfg.seed;
    let n = if cfg.quick { 500 } else { 2000 };
    let (x, y, _) = s.sample(n, derive_seed(seed, &format!("exact/{}", s.name)));
    let yp = shuffled(&y, derive_seed(seed, &format!("perm/{}", s.name)));
    let design = Design::new(&x, true)?;
    let input = s.process.input_density();
    part_b(s.model.clone(), &design, &y, &yp, &input, &mut run);
    if cfg.wants(StepId::ConditionalLimit.id(), &s.name) {
        let (step, controls) = step_8_9_with_controls(s, seed, cfg.quick);
        run.keep_steps([step]);
        run.keep_controls(controls);
    }
    if cfg.wants(StepId::ConditionalCrossEntropy.id(), &s.name) {
        run.keep_steps([step_6_double_prime_scenario(s)]);
    }
    Ok(run)
}
