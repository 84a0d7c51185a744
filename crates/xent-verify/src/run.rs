//! The whole chain on the catalogue's models, and its report: the chain in
//! calc shape as text, or as JSON.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::Distribution;
use serde_json::{Value, json};
use xent_distributions::{AnyUnivariate, Categorical};
use xent_objectives::conditional::{ConditionalNll, Design, EtaModel, LinearGaussian, Logistic, Softmax};
use xent_objectives::{CategoricalModel, Family, Model};

use crate::asymptotic::{Scenario, step_2b_3, step_3_prime};
use crate::chain::{Instance, derive_seed, part_a_exact};
use crate::conditional_asymptotic::{CondScenario, step_6_double_prime, step_8_9};
use crate::conditional_chain::{ConditionalInstance, step_4, step_4_5, step_5_6, step_6_7, step_7_8};
use crate::controls::{ControlOutcome, Kind, part_a_controls};
use crate::step::{Status, StepReport};

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The run's seed (every check derives its own from it).
    pub seed: u64,
    /// The smaller n ladder.
    pub quick: bool,
    /// Only steps whose id or model contains this text.
    pub filter: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config { seed: 20_261_128, quick: false, filter: None }
    }
}

/// Steps of the catalogue this version does not check yet.
pub const PENDING: &[&str] = &[];

/// A finished run.
#[derive(Debug, Clone)]
pub struct Run {
    /// The configuration.
    pub config: Config,
    /// Every step on every model it applies to.
    pub steps: Vec<StepReport>,
    /// Every control.
    pub controls: Vec<ControlOutcome>,
}

fn wanted(cfg: &Config, id: &str, model: &str) -> bool {
    cfg.filter.as_ref().is_none_or(|f| id.contains(f.as_str()) || model.contains(f.as_str()))
}

fn unconditional<M: Model>(model: &M, data: &[M::Obs], sigma: Option<usize>, cfg: &Config, run: &mut Run) {
    let Ok(inst) = Instance::new(model, data, 40, cfg.seed) else { return };
    run.steps.extend(part_a_exact(&inst).into_iter().filter(|s| wanted(cfg, s.id, &s.model)));
    run.controls.extend(part_a_controls(&inst, sigma).into_iter().filter(|c| wanted(cfg, c.step, &c.model)));
}

fn conditional<M: EtaModel + Clone>(
    c: &ConditionalInstance<'_, M>,
    normaliser: &dyn Fn(&[f64], usize) -> f64,
    permuted: &dyn Fn(&[f64]) -> f64,
    cfg: &Config,
    run: &mut Run,
) {
    let input = c.input_term();
    let steps = [
        step_4(c),
        step_4_5(c, &|t| c.sum_of_logs(t)),
        step_5_6(c, &|t| c.loss(t)),
        step_6_7(c, &|_t| input),
        step_7_8(c, normaliser),
    ];
    run.steps.extend(steps.into_iter().filter(|s| wanted(cfg, s.id, &s.model)));
    let controls = [
        (
            "theta-dependent 'constant' -log q_theta(x)",
            Kind::Negative,
            step_6_7(c, &|t| 0.5 * (t[0] - 0.3).powi(2) + input),
        ),
        ("penalty lambda*|theta|^2", Kind::Negative, step_6_7(c, &|t| 0.1 * t.iter().map(|v| v * v).sum::<f64>())),
        ("permuted labels", Kind::Negative, step_5_6(c, permuted)),
        ("adding the true -log p(x)", Kind::Positive, step_6_7(c, &|_t| input)),
        ("constant 42 added", Kind::Positive, step_6_7(c, &|_t| 42.0)),
    ];
    for (name, kind, report) in controls {
        if wanted(cfg, report.id, &report.model) {
            run.controls.push(ControlOutcome::from_report(name, kind, report));
        }
    }
}

/// Negative controls of the asymptotic steps: a wrong closed-form
/// cross-entropy (the ½ of the quadratic term dropped) and a shifted sampler
/// (data from N(1.5 + 0.3, 2²) against the limits of N(1.5, 2²), a 0.15σ
/// shift, above the check's power at the ladder's largest n).
fn asymptotic_controls(seed: u64, quick: bool) -> Vec<(&'static str, Kind, StepReport)> {
    let mut out = Vec::new();
    let base = [("mean", 1.5), ("std_dev", 2.0)];
    if let Some(mut s) = Scenario::well_specified("normal", &base) {
        s.cross_entropy = Box::new(|t: &[f64]| {
            let (m, sd, mu, sg) = (1.5, 2.0, t[0], t[1]);
            0.5 * (2.0 * std::f64::consts::PI * sg * sg).ln() + (sd * sd + (m - mu) * (m - mu)) / (sg * sg)
        });
        out.push(("closed-form cross-entropy missing a factor 1/2", Kind::Negative, step_2b_3(&s, seed, quick)));
    }
    // Reverse KL: claim the minimiser of KL(q ‖ p) — for well-separated
    // modes q sits on one of them, θ ≈ (2, 0.5) — instead of the forward-KL
    // projection (0, √4.25).
    let mut reverse = Scenario::bimodal_data_normal_model(2.0, 0.5);
    reverse.theta_star = vec![2.0, 0.5];
    out.push(("expectation under q instead of p (reverse KL)", Kind::Negative, step_3_prime(&reverse, false)));
    if let (Some(good), Some(mut shifted)) = (
        Scenario::well_specified("normal", &base),
        Scenario::well_specified("normal", &[("mean", 1.8), ("std_dev", 2.0)]),
    ) {
        shifted.name = good.name.clone();
        shifted.cross_entropy = good.cross_entropy;
        shifted.theta_star = good.theta_star;
        out.push(("sampler shifted by 0.15 sigma", Kind::Negative, step_2b_3(&shifted, seed, quick)));
    }
    out
}

/// The conditional processes of Part B.
fn part_b_scenarios() -> [CondScenario; 3] {
    [
        CondScenario::LinearGaussian { beta: [0.5, 1.0, -0.7], s: 0.6 },
        CondScenario::Logistic { beta: [0.3, 1.2, -0.8] },
        CondScenario::SoftmaxCategorical { pi: [0.2, 0.5, 0.3] },
    ]
}

/// `Σ_y q(y | η)` over `classes` labels (1 for a proper conditional).
fn class_sum<M: EtaModel>(model: &M, eta: &[f64], extra: &[f64], classes: usize) -> f64 {
    (0..classes).map(|k| (-model.nll(eta, extra, k as f64)).exp()).sum()
}

/// `∫ N(y; η, σ²) dy` by the trapezoid rule on ±12σ, `extra = [ln σ]`
/// (the error is far below the check's 1e-9).
fn gaussian_normaliser(model: &LinearGaussian, eta: &[f64], extra: &[f64]) -> f64 {
    let s = extra[0].exp();
    let m = 4000;
    let h = 24.0 * s / m as f64;
    h * (0..=m)
        .map(|k| {
            let w = if k == 0 || k == m { 0.5 } else { 1.0 };
            w * (-model.nll(eta, extra, eta[0] - 12.0 * s + k as f64 * h)).exp()
        })
        .sum::<f64>()
}

/// Part B's exact steps and controls for one model on one data set
/// (`yp`: the targets permuted, for the permuted-labels control).
#[allow(clippy::too_many_arguments)]
fn part_b_exact<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    yp: &[f64],
    ln_px: Vec<f64>,
    normaliser: &dyn Fn(&M, &[f64], &[f64]) -> f64,
    cfg: &Config,
    run: &mut Run,
) {
    let (Ok(c), Ok(obj), Ok(perm)) = (
        ConditionalInstance::new(model.clone(), design, y, ln_px, 30, cfg.seed),
        ConditionalNll::new(model.clone(), design, y),
        ConditionalNll::new(model.clone(), design, yp),
    ) else {
        return;
    };
    let m = model.predictors();
    let norm = |t: &[f64], i: usize| {
        let eta: Vec<f64> = obj.linear_predictors(t).map(|e| e.iter().map(|v| v[i]).collect()).unwrap_or_default();
        normaliser(&model, &eta, &t[m * design.p()..])
    };
    conditional(&c, &norm, &|t| perm.value(t).unwrap_or(f64::NAN), cfg, run);
}

fn shuffled(y: &[f64], seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut v = y.to_vec();
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i as u64) as usize;
        v.swap(i, j);
    }
    v
}

/// Runs the chain. `progress` is told the name of each stage as it starts.
pub fn run(cfg: &Config, progress: &mut dyn FnMut(&str)) -> Run {
    let mut out = Run { config: cfg.clone(), steps: Vec::new(), controls: Vec::new() };
    let n = if cfg.quick { 500 } else { 2000 };
    let seed = cfg.seed;
    // Part A, exact steps.
    let families: [(&str, Family, &[(&str, f64)], Option<usize>); 5] = [
        ("normal", Family::Normal, &[("mean", 1.5), ("std_dev", 2.0)], Some(1)),
        ("exponential", Family::Exponential, &[("rate", 0.8)], None),
        ("bernoulli", Family::Bernoulli, &[("p", 0.3)], None),
        ("poisson", Family::Poisson, &[("rate", 3.5)], None),
        ("gamma", Family::Gamma, &[("shape", 2.5), ("rate", 0.7)], None),
    ];
    for (name, fam, params, sigma) in families {
        progress(&format!("part A, exact: {name}"));
        let Ok(truth) = AnyUnivariate::from_params(name, params) else { continue };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, name));
        let data: Vec<f64> = (0..n).map(|_| truth.sample(&mut rng)).collect();
        unconditional(&fam, &data, sigma, cfg, &mut out);
    }
    progress("part A, exact: categorical");
    if let Ok(cat) = Categorical::new(vec![0.2, 0.5, 0.3]) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, "categorical"));
        let ks: Vec<usize> = (0..n).map(|_| cat.sample(&mut rng)).collect();
        unconditional(&CategoricalModel { k: 3 }, &ks, None, cfg, &mut out);
    }
    // Part A, asymptotic steps.
    let scenarios: Vec<(Option<Scenario>, bool)> = vec![
        (Scenario::well_specified("normal", &[("mean", 1.5), ("std_dev", 2.0)]), true),
        (Scenario::well_specified("exponential", &[("rate", 0.8)]), true),
        (Scenario::well_specified("bernoulli", &[("p", 0.3)]), true),
        (Scenario::well_specified("poisson", &[("rate", 3.5)]), true),
        (Scenario::well_specified("gamma", &[("shape", 2.5), ("rate", 0.7)]), true),
        (Scenario::laplace_data_normal_model(-0.5, 1.3), false),
        (Some(Scenario::bimodal_data_normal_model(2.0, 0.5)), false),
        (Scenario::cauchy_data_normal_model(0.0, 1.0), false),
    ];
    for (s, well) in scenarios {
        let Some(s) = s else { continue };
        progress(&format!("part A, asymptotic: {}", s.name));
        for r in [step_2b_3(&s, seed, cfg.quick), step_3_prime(&s, well)] {
            if wanted(cfg, r.id, &r.model) {
                out.steps.push(r);
            }
        }
    }
    // Part A, asymptotic controls.
    progress("part A, asymptotic controls");
    for (name, kind, report) in asymptotic_controls(seed, cfg.quick) {
        if wanted(cfg, report.id, &report.model) {
            out.controls.push(ControlOutcome::from_report(name, kind, report));
        }
    }
    // Part B, exact steps.
    // Part B, exact steps, on data from the same processes as the limits.
    for scenario in part_b_scenarios() {
        progress(&format!("part B, exact: {}", scenario.name()));
        let (x, y, ln_px) = scenario.sample(n, derive_seed(seed, &format!("exact/{}", scenario.name())));
        let yp = shuffled(&y, derive_seed(seed, &format!("perm/{}", scenario.name())));
        let Ok(design) = Design::new(&x, true) else { continue };
        match scenario {
            CondScenario::LinearGaussian { .. } => {
                part_b_exact(LinearGaussian, &design, &y, &yp, ln_px, &gaussian_normaliser, cfg, &mut out)
            }
            CondScenario::Logistic { .. } => {
                part_b_exact(Logistic, &design, &y, &yp, ln_px, &|m, e, x| class_sum(m, e, x, 2), cfg, &mut out)
            }
            CondScenario::SoftmaxCategorical { .. } => {
                if let Ok(m) = Softmax::new(4) {
                    part_b_exact(m, &design, &y, &yp, ln_px, &|m, e, x| class_sum(m, e, x, 4), cfg, &mut out)
                }
            }
        }
    }
    // Part B, asymptotic steps.
    for s in part_b_scenarios() {
        progress(&format!("part B, asymptotic: {}", s.name()));
        for r in [step_8_9(&s, seed, cfg.quick), step_6_double_prime(&s)] {
            if wanted(cfg, r.id, &r.model) {
                out.steps.push(r);
            }
        }
    }
    out
}

impl Run {
    /// Every applicable step passed, every control behaved, nothing pending.
    pub fn success(&self) -> bool {
        self.failures().is_empty() && self.pending().is_empty()
    }

    /// Failing steps and misbehaving controls, named.
    pub fn failures(&self) -> Vec<String> {
        let mut f: Vec<String> = self
            .steps
            .iter()
            .filter(|s| s.status == Status::Fail)
            .map(|s| format!("step {} on {}", s.id, s.model))
            .collect();
        f.extend(
            self.controls
                .iter()
                .filter(|c| !c.behaved())
                .map(|c| format!("control '{}' at {} on {}: {}", c.name, c.step, c.model, c.outcome())),
        );
        f
    }

    /// Catalogue steps not checked by this version (within the filter).
    pub fn pending(&self) -> Vec<&'static str> {
        PENDING.iter().copied().filter(|id| wanted(&self.config, id, "")).collect()
    }

    /// The run as JSON (see the crate docs for the shape).
    pub fn to_json(&self) -> Value {
        let controls: Vec<Value> = self
            .controls
            .iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "kind": if c.kind == Kind::Negative { "negative" } else { "positive" },
                    "step": c.step,
                    "model": c.model,
                    "outcome": c.outcome(),
                })
            })
            .collect();
        let count = |st: Status| self.steps.iter().filter(|s| s.status == st).count();
        json!({
            "seed": self.config.seed,
            "profile": if self.config.quick { "quick" } else { "default" },
            "steps": self.steps.iter().map(StepReport::to_json).collect::<Vec<_>>(),
            "controls": controls,
            "summary": {
                "steps_passed": count(Status::Pass),
                "steps_failed": count(Status::Fail),
                "steps_not_applicable": count(Status::NotApplicable),
                "controls_behaved": self.controls.iter().filter(|c| c.behaved()).count(),
                "controls": self.controls.len(),
                "pending": self.pending(),
                "success": self.success(),
            },
        })
    }

    /// The chain in calc shape: one line per step and model — expression,
    /// relation, justification, mark and key figure — then the controls
    /// table and a one-line summary.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str("Maximum likelihood is minimal cross-entropy: the chain, checked\n\n");
        for step in &self.steps {
            let mark = match step.status {
                Status::Pass => "✓",
                Status::Fail => "✗",
                Status::NotApplicable => "–",
            };
            s.push_str(&format!(
                "{mark} {:<10} {:<28} {:<30} [{}]\n      because {}\n      {}\n",
                step.id,
                step.model,
                step.relation.to_string(),
                step.status,
                step.justification,
                key_figure(step)
            ));
        }
        for id in self.pending() {
            s.push_str(&format!("? {id:<10} not yet checked by this version\n"));
        }
        s.push_str("\nControls\n");
        for c in &self.controls {
            s.push_str(&format!(
                "{} {:<9} {:<44} at {:<9} on {:<28} {}\n",
                if c.behaved() { "✓" } else { "✗" },
                if c.kind == Kind::Negative { "negative" } else { "positive" },
                c.name,
                c.step,
                c.model,
                c.outcome()
            ));
        }
        let j = self.to_json();
        let sm = &j["summary"];
        s.push_str(&format!(
            "\n{} steps passed, {} failed, {} not applicable; {}/{} controls behaved; {} pending — {}\n",
            sm["steps_passed"],
            sm["steps_failed"],
            sm["steps_not_applicable"],
            sm["controls_behaved"],
            sm["controls"],
            self.pending().len(),
            if self.success() { "verified" } else { "NOT verified" }
        ));
        s
    }
}

/// The most telling figure of a step, rounded for the report.
pub(crate) fn key_figure(step: &StepReport) -> String {
    step.checks
        .iter()
        .map(|c| {
            let f = &c.figures;
            let num = |k: &str| f.get(k).and_then(Value::as_f64);
            let txt = if let (Some(l), Some(p)) = (f.get("likelihood_at_mle"), num("naive_f64_product_at_mle")) {
                format!("L = {} at the MLE; the naive f64 product is {p:e}", l.as_str().unwrap_or(""))
            } else if let (Some(d), Some(b)) = (num("max_deviation"), num("bound")) {
                format!("max deviation {d:.2e} <= bound {b:.2e}")
            } else if let (Some(p), Some(q)) = (f.get("pairs_preserved"), f.get("pairs")) {
                format!("{p}/{q} pairs order-preserved")
            } else if let (Some(z), Some(b)) = (num("max_z"), num("z_bound")) {
                format!("max |L-H|/(s/sqrt n) = {z:.2} <= {b:.2}")
            } else if let Some(sl) = num("log_log_slope") {
                format!("log-log slope {sl:.3}")
            } else if let Some(d) = num("max_distance") {
                format!("argmin distance {d:.1e}")
            } else if let Some(g) = num("max_added_term_gradient") {
                format!("added-term gradient {g:.1e}")
            } else if let Some(d) = num("max_relative_deviation") {
                format!("decomposition deviation {d:.1e}")
            } else if let Some(e) = num("max_normaliser_error") {
                format!("normaliser error {e:.1e}")
            } else if let (Some(h), Some(k)) = (num("cross_entropy_at_theta_star"), f.get("perturbations")) {
                format!("H(p, q_theta*) = {h:.6}, no lower at {k} perturbations")
            } else if let Some(r) = f.get("reason") {
                r.as_str().unwrap_or("").to_string()
            } else {
                String::new()
            };
            format!("{}: {}{}", c.check, txt, if c.passed { "" } else { " FAILED" })
        })
        .collect::<Vec<_>>()
        .join("; ")
}
