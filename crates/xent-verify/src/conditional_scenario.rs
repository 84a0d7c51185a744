//! Part B's asymptotic steps, `(8)->(9)` and `(6)''`, for your own
//! conditional model and data process ([`ConditionalScenario`]): the limits
//! by the input rule of the process and the harness's quadrature over the
//! target, never by a claim.

use std::sync::Arc;

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde_json::json;
use xent_distributions::Support;
use xent_distributions::special::norm_quantile;
use xent_fit::{FitOptions, fit_conditional};
use xent_objectives::conditional::{ConditionalNll, Design};

use crate::asymptotic::{CLOSED_FORM_TOL, FALSE_PASS_RATE, SampledLimit, draw_scale, ladder};
use crate::catalogue::StepId;
use crate::chain::derive_seed;
use crate::conditional_asymptotic::{tower_points, wald_consistency};
use crate::controls::{ControlOutcome, Kind};
use crate::premises::ConditionalDensityModel;
use crate::process::{ConditionalProcess, ContaminatedTarget, moved};
use crate::quadrature::{Expectation, expectation};
use crate::step::{CheckOutcome, StepReport};

/// How far the input rule's weights and moments may sit from the input
/// density's own quadrature (relative to `max(1, |moment|)`).
pub const INPUT_RULE_TOL: f64 = 1e-9;

/// A conditional model `q_θ(y | x)` (linear predictors `η = (1, x)ᵀβ`, an
/// intercept first), a data process `p(x, y)`, and θ* (the true
/// parameters when the model is well specified).
#[derive(Clone)]
pub struct ConditionalScenario<M> {
    /// A name for reports.
    pub name: String,
    /// The model.
    pub model: M,
    /// The data-generating process.
    pub process: Arc<dyn ConditionalProcess>,
    /// `θ*`, in the order of the model's objective (coefficients of each
    /// predictor, then the extra parameters).
    pub theta_star: Vec<f64>,
}

impl<M: ConditionalDensityModel + Clone> ConditionalScenario<M> {
    /// Your own conditional model and process.
    pub fn new(
        name: impl Into<String>,
        model: M,
        process: impl ConditionalProcess + 'static,
        theta_star: Vec<f64>,
    ) -> Self {
        ConditionalScenario { name: name.into(), model, process: Arc::new(process), theta_star }
    }

    /// The same scenario with data from `process`.
    #[must_use]
    pub fn with_process(mut self, process: Arc<dyn ConditionalProcess>) -> Self {
        self.process = process;
        self
    }

    /// `n` draws `(features, targets, ln p(x))` with `seed`.
    pub fn sample(&self, n: usize, seed: u64) -> (DMatrix<f64>, Vec<f64>, Vec<f64>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let input = self.process.input_density();
        let mut rows = Vec::with_capacity(n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let x = self.process.sample_x(&mut rng);
            y.push(self.process.sample_y(&x, &mut rng));
            rows.push(x);
        }
        let d = rows.first().map_or(0, Vec::len);
        let lp = rows.iter().map(|x| input.ln_density(x)).collect();
        (DMatrix::from_fn(n, d, |i, j| rows[i].get(j).copied().unwrap_or(f64::NAN)), y, lp)
    }

    /// `−ln q_θ(y | x)` for one row.
    fn row_nll(&self, theta: &[f64], x: &[f64], y: f64) -> f64 {
        let p = x.len() + 1;
        let m = self.model.predictors();
        if theta.len() < m * p {
            return f64::NAN;
        }
        let eta: Vec<f64> = (0..m)
            .map(|k| theta[k * p] + x.iter().zip(&theta[k * p + 1..(k + 1) * p]).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        self.model.nll::<f64>(&eta, &theta[m * p..], y)
    }

    /// `E_{p(y|x)}[f(y)]` by quadrature (hints: 8 seeded draws of `y | x`;
    /// the quadrature adds its own break points around them).
    fn inner(&self, x: &[f64], f: &dyn Fn(f64) -> f64) -> Option<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(HINT_SEED);
        let hints: Vec<f64> = (0..8).map(|_| self.process.sample_y(x, &mut rng)).collect();
        let px = |y: f64| self.process.ln_conditional(x, y).exp();
        match expectation(&px, f, self.process.target_support(x), &hints) {
            Expectation::Finite { value, .. } => Some(value),
            _ => None,
        }
    }

    /// `E_{p(x,y)}[−ln q_θ(y | x)]`: the input rule outside, quadrature of
    /// the model's own per-row NLL over the target inside (NaN where not
    /// established).
    pub fn expected_conditional_nll(&self, theta: &[f64]) -> f64 {
        self.process.input_rule().expect(&|x| self.inner(x, &|y| self.row_nll(theta, x, y)).unwrap_or(f64::NAN))
    }

    /// `E_{p(x)}[H(p(·|x)) + KL(p(·|x) ‖ q_θ(·|x))]`: the same expectation
    /// through other integrands (`−ln p` and `ln p − ln q`), for `(6)''`.
    fn entropy_plus_kl(&self, theta: &[f64]) -> f64 {
        self.process.input_rule().expect(&|x| {
            let h = self.inner(x, &|y| -self.process.ln_conditional(x, y));
            let kl = self.inner(x, &|y| self.process.ln_conditional(x, y) + self.row_nll(theta, x, y));
            match (h, kl) {
                (Some(h), Some(kl)) => h + kl,
                _ => f64::NAN,
            }
        })
    }

    /// `H(p_x) = −E_{p(x)}[ln p(x)]` by the rule.
    fn input_entropy(&self) -> f64 {
        let input = self.process.input_density();
        -self.process.input_rule().expect(&|x| input.ln_density(x))
    }

    /// The premise of both steps: the rule's weights sum to 1 and each
    /// feature's first two moments agree with the input density's own
    /// quadrature, to [`INPUT_RULE_TOL`].
    fn input_rule_check(&self) -> CheckOutcome {
        let rule = self.process.input_rule();
        let input = self.process.input_density();
        let rows: Vec<Vec<f64>> = rule.nodes.iter().map(|n| n.0.clone()).collect();
        let mut worst = (rule.expect(&|_| 1.0) - 1.0).abs();
        let mut why = None;
        for j in 0..input.dim() {
            for a in [0.0, 1.0] {
                let from_rule = rule.expect(&|x| (x[j] - a).powi(2));
                match input.expect_nonnegative(&|x: &[f64]| (x[j] - a).powi(2), &rows) {
                    Ok(m) if m.resolved && !m.invalid => {
                        worst = worst.max((from_rule - m.value).abs() / m.value.abs().max(1.0));
                    }
                    Ok(_) => why = why.or(Some(format!("E[(x{j} − {a})²] unresolved"))),
                    Err(e) => why = why.or(Some(e)),
                }
            }
        }
        let ok = why.is_none() && worst <= INPUT_RULE_TOL;
        CheckOutcome::new(
            "input_rule",
            ok,
            match &why {
                None => format!(
                    "the input rule's mass and moments against the input density's quadrature: {worst:.1e} (bound {INPUT_RULE_TOL:.0e}, {} nodes)",
                    rule.nodes.len()
                ),
                Some(w) => format!("the input rule not established: {w}"),
            },
            &[
                ("max_relative_deviation", json!(worst)),
                ("tolerance", json!(INPUT_RULE_TOL)),
                ("nodes", json!(rule.nodes.len())),
            ],
        )
    }

    /// The points the limits are checked at: θ*, θ* + 0.15, 0.8θ*.
    fn limit_points(&self) -> Vec<Vec<f64>> {
        let star = &self.theta_star;
        vec![star.clone(), star.iter().map(|v| v + 0.15).collect(), star.iter().map(|v| v * 0.8).collect()]
    }
}

/// The seed of the target draws that hint where `p(· | x)` lies.
const HINT_SEED: u64 = 0x5eed_c0de;

/// `(8)->(9)` for a user's scenario: the premise (the input rule matches
/// `p(x)`), the sampled limit along the ladder at θ*, θ* + 0.15 and 0.8θ*
/// against `E[−ln q_θ(y | x)] + H(p_x)` (the rule and quadrature), and the
/// estimate on a sample twice the ladder's largest within `z` of its Wald
/// standard errors of θ* (every coordinate; the stated power in the figure).
pub fn step_8_9_scenario<M>(s: &ConditionalScenario<M>, seed: u64, quick: bool) -> StepReport
where
    M: ConditionalDensityModel + Clone,
{
    let premise = s.input_rule_check();
    if !premise.passed {
        return StepReport::from_checks(StepId::ConditionalLimit, &s.name, vec![premise]);
    }
    let limits = s.limits();
    sampled_step(s, premise, &limits, seed, quick)
}

impl<M: ConditionalDensityModel + Clone> ConditionalScenario<M> {
    /// `E[−ln q_θ(y | x)] + H(p_x)` at each of [`Self::limit_points`].
    fn limits(&self) -> Vec<f64> {
        let h_x = self.input_entropy();
        self.limit_points().iter().map(|t| self.expected_conditional_nll(t) + h_x).collect()
    }
}

/// The statistical checks of `(8)->(9)` with the limits given (computed
/// from the densities, which a contaminated sampler leaves unchanged).
fn sampled_step<M>(
    s: &ConditionalScenario<M>,
    premise: CheckOutcome,
    limits: &[f64],
    seed: u64,
    quick: bool,
) -> StepReport
where
    M: ConditionalDensityModel + Clone,
{
    let id = StepId::ConditionalLimit;
    let thetas = s.limit_points();
    let ns = ladder(quick);
    let mut test = SampledLimit::new(thetas.len() * ns.len(), ns.last().copied().unwrap_or(0));
    for (k, &n) in ns.iter().enumerate() {
        let (x, y, lp) = s.sample(n, derive_seed(seed, &format!("{id}/{}/{k}", s.name)));
        let design = Design::new(&x, true).ok();
        let nll = design.as_ref().and_then(|d| ConditionalNll::new(s.model.clone(), d, &y).ok());
        for (t, limit) in thetas.iter().zip(limits) {
            let v = nll
                .as_ref()
                .and_then(|o| o.sample_nlls(t).ok())
                .map(|v| v.iter().zip(&lp).map(|(a, b)| a - b).collect::<Vec<f64>>());
            test.compare(v.as_deref(), *limit);
        }
    }
    let n_fit = 2 * ns.last().copied().unwrap_or(0);
    let (x, y, _) = s.sample(n_fit, derive_seed(seed, &format!("{id}/consistency/{}", s.name)));
    let consistency = consistency(s, &x, &y);
    StepReport::from_checks(id, &s.name, vec![premise, test.outcome(), consistency])
}

/// `max |θ̂ⱼ − θ*ⱼ|/seⱼ ≤ z` over every coordinate of a fit on `(x, y)`
/// ([`wald_consistency`]); a fit with another number of parameters than θ*
/// fails.
fn consistency<M: ConditionalDensityModel + Clone>(
    s: &ConditionalScenario<M>,
    x: &DMatrix<f64>,
    y: &[f64],
) -> CheckOutcome {
    let k = s.theta_star.len();
    let fit = Design::new(x, true)
        .map_err(|e| e.to_string())
        .and_then(|d| fit_conditional(s.model.clone(), &d, y, &FitOptions::default()).map_err(|e| e.to_string()))
        .and_then(|f| {
            if f.estimates.len() == k {
                Ok((f.estimates, f.std_errors))
            } else {
                Err(format!("the fit has {} parameters, θ* has {k}", f.estimates.len()))
            }
        });
    wald_consistency(fit, &s.theta_star, y.len(), "θ", "parameter")
}

/// `(6)''` for a user's scenario: `E_{p(x,y)}[−ln q_θ(y|x)]` (the model's
/// NLL integrated) equals `E_{p(x)}[H(p(·|x)) + KL(p(·|x) ‖ q_θ(·|x))]`
/// (other integrands: the process's entropy and the KL) at θ* and two
/// perturbed points, to [`CLOSED_FORM_TOL`] relative; the KL is ≥ 0.
pub fn step_6_double_prime_scenario<M>(s: &ConditionalScenario<M>) -> StepReport
where
    M: ConditionalDensityModel + Clone,
{
    let id = StepId::ConditionalCrossEntropy;
    let premise = s.input_rule_check();
    if !premise.passed {
        return StepReport::from_checks(id, &s.name, vec![premise]);
    }
    let mut worst = 0.0f64;
    for t in tower_points(&s.theta_star) {
        let (a, b) = (s.expected_conditional_nll(&t), s.entropy_plus_kl(&t));
        let dev = (a - b).abs() / a.abs().max(1.0);
        worst = if dev.is_nan() { f64::INFINITY } else { worst.max(dev) };
    }
    let check = CheckOutcome::new(
        "tower_rule",
        worst <= CLOSED_FORM_TOL,
        format!("relative deviation {worst:.1e} (bound {CLOSED_FORM_TOL:.0e})"),
        &[("max_relative_deviation", json!(worst)), ("bound", json!(CLOSED_FORM_TOL))],
    );
    StepReport::from_checks(id, &s.name, vec![premise, check])
}

/// The sampler controls of `(8)->(9)` for a user's scenario: a fraction ε
/// of the targets [`moved`] (densities unchanged), ε set so the gap at the
/// most sensitive limit point is 1.5× (negative) and 0.5× (below the
/// power: no claim) the gap the sampled limit is stated to detect there.
pub fn conditional_sampler_controls<M>(s: &ConditionalScenario<M>, seed: u64, quick: bool) -> Vec<ControlOutcome>
where
    M: ConditionalDensityModel + Clone,
{
    let premise = s.input_rule_check();
    if !premise.passed {
        return Vec::new();
    }
    let limits = s.limits();
    sampler_controls_with(s, &premise, &limits, seed, quick)
}

/// [`step_8_9_scenario`] and [`conditional_sampler_controls`] together,
/// the limits computed once.
pub(crate) fn step_8_9_with_controls<M>(
    s: &ConditionalScenario<M>,
    seed: u64,
    quick: bool,
) -> (StepReport, Vec<ControlOutcome>)
where
    M: ConditionalDensityModel + Clone,
{
    let premise = s.input_rule_check();
    if !premise.passed {
        return (StepReport::from_checks(StepId::ConditionalLimit, &s.name, vec![premise]), Vec::new());
    }
    let limits = s.limits();
    let controls = sampler_controls_with(s, &premise, &limits, seed, quick);
    (sampled_step(s, premise, &limits, seed, quick), controls)
}

fn sampler_controls_with<M>(
    s: &ConditionalScenario<M>,
    premise: &CheckOutcome,
    limits: &[f64],
    seed: u64,
    quick: bool,
) -> Vec<ControlOutcome>
where
    M: ConditionalDensityModel + Clone,
{
    let mut out = Vec::new();
    let Some((per_unit, d)) = contamination_per_unit(s, limits, quick) else { return out };
    for (name, kind, multiple) in [
        ("target sampler contaminated: gap 1.5x the stated power", Kind::Negative, 1.5),
        ("target sampler contaminated: gap 0.5x the stated power", Kind::BelowPower, 0.5),
    ] {
        let epsilon = multiple * per_unit;
        if epsilon > 0.0 && epsilon <= 1.0 {
            let wrong = s.clone().with_process(Arc::new(ContaminatedTarget { inner: s.process.clone(), epsilon, d }));
            out.push(ControlOutcome::new(name, kind, sampled_step(&wrong, premise.clone(), limits, seed, quick)));
        }
    }
    out
}

/// The contamination that puts the most sensitive limit point's gap at its
/// detectable gap, and the move `d` of a continuous target (the sd of the
/// target over 256 draws, or 1).
fn contamination_per_unit<M: ConditionalDensityModel + Clone>(
    s: &ConditionalScenario<M>,
    limits: &[f64],
    quick: bool,
) -> Option<(f64, f64)> {
    let thetas = s.limit_points();
    let ns = ladder(quick);
    let n_max = *ns.last()? as f64;
    let z = SampledLimit::new(thetas.len() * ns.len(), n_max as usize).z_crit + norm_quantile(1.0 - FALSE_PASS_RATE);
    let (_, y, _) = s.sample(256, HINT_SEED);
    let d = draw_scale(&y);
    let rule = s.process.input_rule();
    let input = s.process.input_density();
    let mut best = f64::INFINITY;
    for (t, &limit) in thetas.iter().zip(limits) {
        // Var of −ln q_θ(y|x) − ln p(x) and the gap per unit ε.
        let var = rule.expect(&|x| {
            let lp = input.ln_density(x);
            s.inner(x, &|y| (s.row_nll(t, x, y) - lp - limit).powi(2)).unwrap_or(f64::NAN)
        });
        let delta = rule.expect(&|x| {
            let support: Support = s.process.target_support(x);
            s.inner(x, &|y| moved(support, d, y).map_or(0.0, |m| s.row_nll(t, x, m) - s.row_nll(t, x, y)))
                .unwrap_or(f64::NAN)
        });
        if delta.is_finite() && delta.abs() > 0.0 && var.is_finite() {
            best = best.min(z * var.sqrt() / n_max.sqrt() / delta.abs());
        }
    }
    best.is_finite().then_some((best, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::premises::InputDensity;
    use crate::process::InputRule;
    use rand::Rng;
    use xent_objectives::conditional::LinearGaussian;

    /// x ~ N(0, 1), y | x ~ N(0.5 + 1.0·x, 0.6²): the linear-Gaussian model
    /// is well specified with θ* = (0.5, 1.0, ln 0.6).
    struct Line;
    impl ConditionalProcess for Line {
        fn input_density(&self) -> InputDensity {
            InputDensity::standard_normal(1)
        }
        fn input_rule(&self) -> InputRule {
            InputRule::gaussian(&[0.0], &[1.0], 24)
        }
        fn target_support(&self, _x: &[f64]) -> Support {
            Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
        }
        fn ln_conditional(&self, x: &[f64], y: f64) -> f64 {
            let z = (y - 0.5 - x[0]) / 0.6;
            -0.5 * z * z - 0.6f64.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        }
        fn sample_x(&self, rng: &mut dyn Rng) -> Vec<f64> {
            vec![rand_distr::Distribution::<f64>::sample(&rand_distr::StandardNormal, rng)]
        }
        fn sample_y(&self, x: &[f64], rng: &mut dyn Rng) -> f64 {
            let e: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, rng);
            0.5 + x[0] + 0.6 * e
        }
    }

    fn line() -> ConditionalScenario<LinearGaussian> {
        ConditionalScenario::new("line", LinearGaussian, Line, vec![0.5, 1.0, 0.6f64.ln()])
    }

    #[test]
    fn the_limits_are_checked_at_three_points() {
        let s = ConditionalScenario::new("line", LinearGaussian, Line, vec![0.5, -1.0, 0.0]);
        let p = s.limit_points();
        assert_eq!(p[0], [0.5, -1.0, 0.0]);
        assert!(p[1].iter().zip([0.65, -0.85, 0.15]).all(|(x, w)| (x - w).abs() < 1e-15), "{:?}", p[1]);
        assert!(p[2].iter().zip([0.4, -0.8, 0.0]).all(|(x, w)| (x - w).abs() < 1e-15), "{:?}", p[2]);
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn the_limit_is_the_closed_form() {
        // E[−ln q] = ln σ + ½ ln 2π + (s² + (b₀ − β₀)² + (b₁ − β₁)²)/(2σ²).
        let s = line();
        let t = [0.7, 0.8, 0.1];
        let want = 0.1 + 0.5 * (2.0 * std::f64::consts::PI).ln() + (0.36 + 0.04 + 0.04) / (2.0 * (0.2f64).exp());
        let got = s.expected_conditional_nll(&t);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        assert!((s.input_entropy() - (0.5 + 0.5 * (2.0 * std::f64::consts::PI).ln())).abs() < 1e-12);
        assert!(s.input_rule_check().passed);
    }

    #[test]
    fn both_steps_pass_and_a_wrong_rule_or_a_wrong_theta_star_fail() {
        let s = line();
        let r = step_8_9_scenario(&s, 3, true);
        assert_eq!(r.status, crate::Status::Pass);
        // The consistency fit uses twice the largest n of the limit ladder.
        let fit_n = r.checks.iter().find(|c| c.check == "consistency").expect("consistency").figures["n"].as_u64();
        assert_eq!(fit_n, Some(2 * *ladder(true).last().expect("a ladder") as u64));
        assert_eq!(step_6_double_prime_scenario(&s).status, crate::Status::Pass);
        let mut off = line();
        off.theta_star[0] += 0.1;
        assert_eq!(step_8_9_scenario(&off, 3, true).status, crate::Status::Fail);
        for c in conditional_sampler_controls(&s, 3, true) {
            assert!(c.behaved(), "{}", c.name);
        }
    }

    /// The line's process with another input density or input rule.
    struct LineWith {
        input: fn() -> InputDensity,
        rule: fn() -> InputRule,
    }
    impl ConditionalProcess for LineWith {
        fn input_density(&self) -> InputDensity {
            (self.input)()
        }
        fn input_rule(&self) -> InputRule {
            (self.rule)()
        }
        fn target_support(&self, x: &[f64]) -> Support {
            Line.target_support(x)
        }
        fn ln_conditional(&self, x: &[f64], y: f64) -> f64 {
            Line.ln_conditional(x, y)
        }
        fn sample_x(&self, rng: &mut dyn Rng) -> Vec<f64> {
            Line.sample_x(rng)
        }
        fn sample_y(&self, x: &[f64], rng: &mut dyn Rng) -> f64 {
            Line.sample_y(x, rng)
        }
    }

    /// An input density the harness cannot integrate — NaN in a tail, or
    /// without a second moment — fails the premise: the rule's moments
    /// are never compared with a number the quadrature did not resolve.
    #[test]
    fn an_input_density_without_resolved_moments_fails_the_premise() {
        const LINE: Support = Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY };
        fn nan_tail() -> InputDensity {
            InputDensity::joint(vec![LINE], |x| {
                if x[0].abs() > 6.0 { f64::NAN } else { -0.5 * x[0] * x[0] - 0.5 * (2.0 * std::f64::consts::PI).ln() }
            })
        }
        fn cauchy() -> InputDensity {
            InputDensity::joint(vec![LINE], |x| -(std::f64::consts::PI * (1.0 + x[0] * x[0])).ln())
        }
        for (name, d) in [("nan tail", nan_tail as fn() -> InputDensity), ("cauchy", cauchy)] {
            let process = LineWith { input: d, rule: || Line.input_rule() };
            let s = ConditionalScenario::new(name, LinearGaussian, process, vec![0.5, 1.0, 0.6f64.ln()]);
            let c = s.input_rule_check();
            assert!(!c.passed, "{name}: {}", c.key);
            assert!(c.key.contains("unresolved"), "{name}: {}", c.key);
        }
    }

    /// A rule for N(0, 1.1²) inputs against a N(0, 1) density: rejected
    /// before any limit is computed.
    #[test]
    fn a_rule_that_does_not_match_the_input_density_is_rejected() {
        let wide = LineWith { input: || Line.input_density(), rule: || InputRule::gaussian(&[0.0], &[1.0 + 1e-6], 24) };
        let s = ConditionalScenario::new("wide", LinearGaussian, wide, vec![0.5, 1.0, 0.6f64.ln()]);
        let r = step_8_9_scenario(&s, 3, true);
        assert_eq!(r.status, crate::Status::Fail);
        assert_eq!(r.checks[0].check, "input_rule");
        assert!(!step_6_double_prime_scenario(&s).checks[0].passed);
    }
}
