//! The asymptotic steps of Part A — `(2b)->(3)` and `(3)'` — on scenarios
//! whose cross-entropy `H(p, q_θ)` is known in closed form.
//!
//! Statistical checks use fixed seeds derived from the check's name and a
//! stated total false-failure rate of [`FALSE_FAILURE_RATE`] per run, split
//! evenly over the comparisons of a check (Bonferroni).

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde_json::json;
use xent_distributions::special::norm_quantile;
use xent_distributions::{AnyUnivariate, LogDensity, Named as _};
use xent_fit::{FitOptions, fit_family, fit_model, fit_summary};
use xent_objectives::{Family, Model, Summary};

use crate::catalogue::StepId;
use crate::chain::derive_seed;
use crate::controls::{ControlOutcome, Kind};
use crate::process::moved;
pub use crate::process::{Contaminated, DataProcess, Truth};
use crate::quadrature::{Expectation, expectation, total_mass};
use crate::step::{CheckOutcome, StepReport};

/// Total false-failure rate of the statistical checks of one run.
pub const FALSE_FAILURE_RATE: f64 = 1e-6;

/// The false-pass rate at which a statistical check states its power: a
/// gap of at least the stated size is detected with probability at least
/// `1 − FALSE_PASS_RATE`.
pub const FALSE_PASS_RATE: f64 = 1e-3;

/// Fit options for the rate checks, which use the estimates only: no
/// covariance (its Hessian at the estimate costs more than the fit).
pub(crate) fn estimates_only() -> FitOptions {
    FitOptions { covariance: xent_fit::Covariance::None, ..FitOptions::default() }
}

/// A claimed closed form of a scenario: a function of the model's natural
/// parameters.
pub type ClosedForm = Arc<dyn Fn(&[f64]) -> f64 + Send + Sync>;

/// How a scenario fits its model to a sample (for the rate of `θ̂_n → θ*`):
/// the estimates, or why there are none.
type Fitter = Arc<dyn Fn(&[f64]) -> Result<Vec<f64>, String> + Send + Sync>;

/// A true distribution `p`, a model `q_θ`, and what is claimed about them:
/// the KL projection `θ* = argmin_θ H(p, q_θ)` and, optionally, the
/// cross-entropy `H(p, q_θ)` and `KL(p ‖ q_θ)` in closed form.
///
/// The harness establishes what the steps need from the density of `p` by
/// its own quadrature ([`crate::quadrature`]): a claimed closed form is
/// checked against it to [`CLOSED_FORM_TOL`], a missing one is replaced by
/// it, and whether `H` is finite at all is shown by it, never taken from a
/// claim. The statistical checks draw from the sampler of `p`.
///
/// The built-in model is [`Family`]; any [`Model`] over real observations
/// plugs in through [`Scenario::new`] (see `examples/zero_inflated_poisson.rs`).
#[derive(Clone)]
pub struct Scenario<M = Family> {
    /// A name for reports (`"normal"`, `"laplace data, normal model"`, …).
    pub name: String,
    /// The model.
    pub model: M,
    /// The data-generating distribution.
    pub truth: Arc<dyn DataProcess>,
    /// A claimed closed form of `H(p, q_θ)` at natural parameters `θ`
    /// (`+∞` where it diverges); `None`: the harness's quadrature.
    pub cross_entropy: Option<ClosedForm>,
    /// A claimed closed form of `KL(p ‖ q_θ)`; `None`: the harness's
    /// quadrature of `E_p[ln p − ln q_θ]`.
    pub kl: Option<ClosedForm>,
    /// `θ*`, natural parameters (NaN where no θ* exists: `H` infinite).
    pub theta_star: Vec<f64>,
    /// A valid θ at which the precondition is established when θ* does not
    /// exist.
    pub probe: Vec<f64>,
    fit: Fitter,
}

impl<M> Scenario<M>
where
    M: Model<Obs = f64> + Clone + Send + Sync + 'static,
{
    /// Your own model `model` and process `truth`, with the KL projection
    /// `theta_star` (the true parameters when the model is well specified).
    /// No closed form is claimed: `H(p, q_θ)`, `H(p)` and the KL come from
    /// quadrature, and the rate check fits `model` numerically
    /// ([`xent_fit::fit_model`], started at θ*). Claim closed forms with
    /// [`Scenario::with_cross_entropy`] and [`Scenario::with_kl`] to have
    /// them checked.
    pub fn new(name: impl Into<String>, model: M, truth: impl DataProcess + 'static, theta_star: Vec<f64>) -> Self {
        let fitted = model.clone();
        let start = theta_star.clone();
        Scenario {
            name: name.into(),
            model,
            truth: Arc::new(truth),
            cross_entropy: None,
            kl: None,
            probe: theta_star.clone(),
            theta_star,
            fit: Arc::new(move |data: &[f64]| {
                fit_model(&fitted, data, &start, &estimates_only()).map(|r| r.estimates).map_err(|e| e.to_string())
            }),
        }
    }
}

impl<M> Scenario<M> {
    /// The scenario with `H(p, q_θ)` claimed in closed form.
    #[must_use]
    pub fn with_cross_entropy(mut self, h: impl Fn(&[f64]) -> f64 + Send + Sync + 'static) -> Self {
        self.cross_entropy = Some(Arc::new(h));
        self
    }

    /// The scenario with `KL(p ‖ q_θ)` claimed in closed form.
    #[must_use]
    pub fn with_kl(mut self, kl: impl Fn(&[f64]) -> f64 + Send + Sync + 'static) -> Self {
        self.kl = Some(Arc::new(kl));
        self
    }

    /// The same model, claims and θ*, with data drawn from `sampler`
    /// instead (its density replaces the old one too: wrap the old process,
    /// as [`Contaminated`] does, to keep it).
    #[must_use]
    pub fn with_truth(mut self, truth: Arc<dyn DataProcess>) -> Self {
        self.truth = truth;
        self
    }

    pub(crate) fn sample(&self, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n).map(|_| self.truth.sample(&mut rng)).collect()
    }

    /// 256 seeded draws from p: where its mass lies, for the quadrature.
    fn hints(&self) -> Vec<f64> {
        self.sample(256, HINT_SEED)
    }

    /// `E_p[f]` by the harness's quadrature: `Ok(Some)`, `Ok(None)` when
    /// shown divergent, `Err` when neither could be established.
    fn expect(&self, f: &dyn Fn(f64) -> f64, hints: &[f64]) -> Result<Option<f64>, String> {
        let truth = &self.truth;
        match expectation(&|x| truth.ln_density(x).exp(), f, truth.support(), hints) {
            Expectation::Finite { value, .. } => Ok(Some(value)),
            Expectation::Divergent { .. } => Ok(None),
            Expectation::Unresolved(why) => Err(why),
        }
    }

    /// `H(p) = −E_p[ln p]` by quadrature.
    fn quadrature_entropy(&self) -> Result<Option<f64>, String> {
        let truth = &self.truth;
        self.expect(&|x| -truth.ln_density(x), &self.hints())
    }
}

impl<M: Model<Obs = f64>> Scenario<M> {
    /// The harness's own `H(p, q_θ) = −∫ p ln q_θ` (`Σ` for discrete `p`):
    /// `Ok(Some(h))`, `Ok(None)` when shown divergent, `Err` when neither
    /// could be established. Hints: 256 seeded draws from `p`.
    pub fn quadrature_cross_entropy(&self, theta: &[f64]) -> Result<Option<f64>, String> {
        let q = self.model.build(theta).map_err(|e| e.to_string())?;
        self.expect(&|x| -q.ln_density(&x), &self.hints())
    }

    /// `H(p, q_θ)` as the steps use it: the claimed closed form, or the
    /// quadrature (`+∞` where shown divergent, NaN where not established).
    pub fn cross_entropy_at(&self, theta: &[f64]) -> f64 {
        match &self.cross_entropy {
            Some(h) => h(theta),
            None => match self.quadrature_cross_entropy(theta) {
                Ok(Some(h)) => h,
                Ok(None) => f64::INFINITY,
                Err(_) => f64::NAN,
            },
        }
    }

    /// `KL(p ‖ q_θ)`: the claimed closed form, or the quadrature of
    /// `E_p[ln p − ln q_θ]` (NaN where not established).
    fn kl_at(&self, theta: &[f64]) -> f64 {
        if let Some(kl) = &self.kl {
            return kl(theta);
        }
        let Ok(q) = self.model.build(theta) else { return f64::NAN };
        let truth = &self.truth;
        match self.expect(&|x| truth.ln_density(x) - q.ln_density(&x), &self.hints()) {
            Ok(Some(v)) => v,
            _ => f64::NAN,
        }
    }

    /// `−ln q_θ(xᵢ)` for every observation (`None` if θ is invalid).
    fn neg_log_densities(&self, theta: &[f64], data: &[f64]) -> Option<Vec<f64>> {
        let q = self.model.build(theta).ok()?;
        Some(data.iter().map(|x| -q.ln_density(x)).collect())
    }
}

impl Scenario<Family> {
    fn builtin(name: &str, family: Family, truth: Truth, theta_star: Vec<f64>) -> Self {
        let fitted = family;
        Scenario {
            name: name.into(),
            model: family,
            truth: Arc::new(truth),
            cross_entropy: None,
            kl: None,
            probe: theta_star.clone(),
            theta_star,
            // The closed-form MLE where there is one (the estimates
            // `fit_family` reports, without the standard errors and
            // log-likelihood the rate check does not use).
            fit: Arc::new(move |data: &[f64]| match AnyUnivariate::fit_closed_form(&fitted.name(), data, None, &[]) {
                Ok(d) => {
                    let named = d.named_params();
                    Ok(fitted
                        .param_names()
                        .iter()
                        .filter_map(|n| named.iter().find(|(m, _)| m == n).map(|p| p.1))
                        .collect())
                }
                // Else from the sufficient statistics (one pass, then Newton
                // in O(1)), else the general fit.
                Err(_) => match Summary::of(&fitted, data) {
                    Ok(sum) => fit_summary(&sum, &estimates_only()),
                    Err(_) => fit_family(&fitted, data, &estimates_only()),
                }
                .map(|r| r.estimates)
                .map_err(|e| e.to_string()),
            }),
        }
    }

    /// A well-specified scenario: `p = q_θ₀` for a family of the crate,
    /// with the distributions crate's closed-form `H(p, q_θ)` and KL.
    pub fn well_specified(family: &'static str, params: &[(&str, f64)]) -> Option<Self> {
        let truth = AnyUnivariate::from_params(family, params).ok()?;
        let model = Family::from_name(family)?;
        let names = AnyUnivariate::param_names(family);
        let q_of = move |theta: &[f64]| {
            let named: Vec<(&str, f64)> = names.iter().copied().zip(theta.iter().copied()).collect();
            AnyUnivariate::from_params(family, &named).ok()
        };
        let (t, t2) = (truth.clone(), truth.clone());
        let q2 = q_of.clone();
        Some(
            Scenario::builtin(family, model, Truth::Family(truth), params.iter().map(|p| p.1).collect())
                .with_cross_entropy(move |theta: &[f64]| {
                    q_of(theta).and_then(|q| t.cross_entropy(&q).ok()).unwrap_or(f64::NAN)
                })
                .with_kl(move |theta: &[f64]| q2(theta).and_then(|q| t2.kl_divergence(&q).ok()).unwrap_or(f64::NAN)),
        )
    }

    /// Bimodal data `½ N(−m, s²) + ½ N(m, s²)`, normal model: `θ* = (0, √(m² + s²))`
    /// by moment matching (the forward-KL projection);
    /// `H = ½ ln(2πσ²) + (m² + s² + μ²)/(2σ²)`.
    pub fn bimodal_data_normal_model(m: f64, s: f64) -> Self {
        Scenario::builtin(
            "bimodal data, normal model",
            Family::Normal,
            Truth::SymmetricNormalMixture { m, s },
            vec![0.0, (m * m + s * s).sqrt()],
        )
        .with_cross_entropy(move |t: &[f64]| {
            0.5 * (2.0 * std::f64::consts::PI * t[1] * t[1]).ln() + (m * m + s * s + t[0] * t[0]) / (2.0 * t[1] * t[1])
        })
    }

    /// Laplace data, normal model: `H = ½ ln(2πσ²) + (2b² + (m − μ)²)/(2σ²)`,
    /// `θ* = (m, √2·b)` — the KL projection, not a "true" parameter.
    pub fn laplace_data_normal_model(location: f64, scale: f64) -> Option<Self> {
        let truth = AnyUnivariate::from_params("laplace", &[("location", location), ("scale", scale)]).ok()?;
        Some(
            Scenario::builtin(
                "laplace data, normal model",
                Family::Normal,
                Truth::Family(truth),
                vec![location, std::f64::consts::SQRT_2 * scale],
            )
            .with_cross_entropy(move |t: &[f64]| {
                let (mu, s) = (t[0], t[1]);
                0.5 * (2.0 * std::f64::consts::PI * s * s).ln()
                    + (2.0 * scale * scale + (location - mu).powi(2)) / (2.0 * s * s)
            }),
        )
    }

    /// Cauchy data, normal model: `E_p[x²] = ∞`, so `H(p, q_θ) = ∞` for every
    /// θ and `(2b)->(3)` does not apply.
    pub fn cauchy_data_normal_model(location: f64, scale: f64) -> Option<Self> {
        let truth = AnyUnivariate::from_params("cauchy", &[("location", location), ("scale", scale)]).ok()?;
        let mut s = Scenario::builtin(
            "cauchy data, normal model",
            Family::Normal,
            Truth::Family(truth),
            vec![f64::NAN, f64::NAN],
        )
        .with_cross_entropy(|_t: &[f64]| f64::INFINITY);
        s.probe = Family::Normal.starting_values(&s.hints());
        Some(s)
    }
}

/// The n ladder: `10³ … 10⁶`, or `10³ … 10⁴` in the quick profile.
pub fn ladder(quick: bool) -> Vec<usize> {
    if quick { vec![1_000, 10_000] } else { vec![1_000, 10_000, 100_000, 1_000_000] }
}

/// The sampled-limit test of an asymptotic step: per comparison, the
/// average of per-observation values against its claimed limit,
/// `|mean − limit| ≤ z·σ̂/√n`, with `z` from the run's false-failure budget
/// split evenly over `comparisons`. The power: at the ladder's largest n a
/// comparison whose true gap `|E L − limit|` is at least
/// `(z + z_{1−FALSE_PASS_RATE})·σ̂/√n` fails with probability at least
/// `1 − FALSE_PASS_RATE`; the largest of these over the comparisons is the
/// gap the check is stated to detect.
pub(crate) struct SampledLimit {
    pub(crate) z_crit: f64,
    comparisons: usize,
    n_max: usize,
    worst_z: f64,
    power: f64,
    ok: bool,
}

impl SampledLimit {
    pub(crate) fn new(comparisons: usize, n_max: usize) -> Self {
        let z_crit = norm_quantile(1.0 - FALSE_FAILURE_RATE / 4.0 / comparisons as f64);
        SampledLimit { z_crit, comparisons, n_max, worst_z: 0.0, power: 0.0, ok: true }
    }

    /// One comparison: the values' mean against `limit` (`None` values: the
    /// model could not be evaluated, a failure).
    pub(crate) fn compare(&mut self, values: Option<&[f64]>, limit: f64) {
        let Some(v) = values else {
            self.ok = false;
            return;
        };
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let se = sd / n.sqrt();
        let z = (mean - limit).abs() / se;
        self.worst_z = self.worst_z.max(z);
        self.ok &= z <= self.z_crit;
        if v.len() == self.n_max {
            let z_pass = norm_quantile(1.0 - FALSE_PASS_RATE);
            self.power = self.power.max((self.z_crit + z_pass) * se);
        }
    }

    pub(crate) fn outcome(&self) -> CheckOutcome {
        CheckOutcome::new(
            "sampled_limit",
            self.ok,
            format!(
                "max |L-H|/(s/sqrt n) = {:.2} <= {:.2}; detects a gap >= {:.1e} nats at n = {} (false pass <= {FALSE_PASS_RATE:.0e})",
                self.worst_z, self.z_crit, self.power, self.n_max
            ),
            &[
                ("max_z", json!(self.worst_z)),
                ("z_bound", json!(self.z_crit)),
                ("comparisons", json!(self.comparisons)),
                ("n_max", json!(self.n_max)),
                // The gap (nats) detected with probability ≥ 1 − FALSE_PASS_RATE at n_max.
                ("power_nats", json!(self.power)),
                ("false_pass_rate", json!(FALSE_PASS_RATE)),
            ],
        )
    }
}

/// `(2b)->(3)`: the average NLL tends to `H(p, q_θ)` at every θ (checked at
/// θ* and two other points along the ladder, `|L̂ − H| ≤ z·σ̂/√n`), and the
/// minimiser `θ̂_n` tends to `θ*` at rate `n^{-1/2}` (log–log slope of the
/// mean error over 128 replicates at `n = 10², 10³, 10⁴` within
/// `−½ ± 0.15`: the slope's standard error there is about 0.02).
pub fn step_2b_3<M: Model<Obs = f64>>(s: &Scenario<M>, seed: u64, quick: bool) -> StepReport {
    let id = StepId::LawOfLargeNumbers;
    let (thetas, mut checks) = match established(s, id) {
        Ok(v) => v,
        Err(report) => return report,
    };
    let ns = ladder(quick);
    let limits: Vec<f64> = thetas.iter().map(|t| s.cross_entropy_at(t)).collect();
    let mut test = SampledLimit::new(thetas.len() * ns.len(), ns.last().copied().unwrap_or(0));
    for (k, &n) in ns.iter().enumerate() {
        let data = s.sample(n, derive_seed(seed, &format!("{id}/{}/{k}", s.name)));
        for (t, limit) in thetas.iter().zip(&limits) {
            test.compare(s.neg_log_densities(t, &data).as_deref(), *limit);
        }
    }
    let limit = test.outcome();
    // Rate of θ̂_n → θ*.
    let rate = rate_check(&[100, 1_000, 10_000], 128, |n, r| {
        let data = s.sample(n, derive_seed(seed, &format!("{id}/rate/{}/{n}/{r}", s.name)));
        let est = (s.fit)(&data).map_err(|e| e.to_string())?;
        Ok(est.iter().zip(&s.theta_star).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max))
    });
    checks.extend([limit, rate]);
    StepReport::from_checks(id, &s.name, checks)
}

/// The rate check: the mean over `reps` replicates of the error `error(n, r)`
/// (`max |θ̂_n − θ*|` of replicate `r` at sample size `n`) falls with log–log
/// slope `−½ ± 0.15` over `ns`. A fit that fails fails the check at once,
/// naming the sample size and replicate: the rest of the replicates cannot
/// rescue it, and a model with no minimiser (say, an infimum at infinity)
/// would otherwise run every replicate to the optimiser's iteration cap.
pub(crate) fn rate_check(
    ns: &[usize],
    reps: usize,
    mut error: impl FnMut(usize, usize) -> Result<f64, String>,
) -> CheckOutcome {
    let band = [-0.65, -0.35];
    let mut log_err = Vec::with_capacity(ns.len());
    for &n in ns {
        let mut sum = 0.0;
        for r in 0..reps {
            match error(n, r) {
                Ok(e) => sum += e,
                Err(e) => {
                    return CheckOutcome::new(
                        "rate",
                        false,
                        format!("fit failed at n = {n}, replicate {r}: {e}"),
                        &[("failed_n", json!(n)), ("failed_replicate", json!(r)), ("error", json!(e))],
                    );
                }
            }
        }
        log_err.push(((n as f64).ln(), (sum / reps as f64).ln()));
    }
    let m = log_err.len() as f64;
    let (mx, my) = (log_err.iter().map(|p| p.0).sum::<f64>() / m, log_err.iter().map(|p| p.1).sum::<f64>() / m);
    let slope = log_err.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
        / log_err.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
    CheckOutcome::new(
        "rate",
        slope >= band[0] && slope <= band[1],
        format!("log-log slope {slope:.3} (band −0.65 … −0.35)"),
        &[("log_log_slope", json!(slope)), ("band", json!(band)), ("replicates", json!(reps))],
    )
}

/// The points the limits are checked at: θ*, `1.2θ* + 0.1`, `0.9θ* − 0.05`,
/// where the model is defined.
fn limit_points<M: Model<Obs = f64>>(s: &Scenario<M>) -> Vec<Vec<f64>> {
    let thetas: Vec<Vec<f64>> = vec![
        s.theta_star.clone(),
        s.theta_star.iter().map(|v| v * 1.2 + 0.1).collect(),
        s.theta_star.iter().map(|v| v * 0.9 - 0.05).collect(),
    ];
    thetas.into_iter().filter(|t| s.model.build(t).is_ok()).collect()
}

/// The points a step checks ([`limit_points`]) and the precondition,
/// established by the harness: `H(p, q_θ*)` by its own quadrature. Shown
/// divergent (and, if a closed form is claimed, claimed infinite): the step
/// does not apply (`Err`, not applicable); a claim that disagrees with the
/// quadrature (a finite claim where it diverges, ∞ or NaN where it is
/// finite, or values more than [`CLOSED_FORM_TOL`] apart at any of the
/// points) or a quadrature that establishes neither: the step fails
/// (`Err`). Otherwise the points and the `process_normalised` and
/// `closed_form` checks (passed; with no claim, the quadrature's values
/// themselves, finite at every point).
///
/// First of all p must be a density: its total mass by the harness's own
/// quadrature is 1 to [`PROCESS_MASS_TOL`] (a process whose density is off
/// by a factor moves every limit computed from it; its sampler cannot show
/// that).
fn established<M: Model<Obs = f64>>(
    s: &Scenario<M>,
    id: StepId,
) -> Result<(Vec<Vec<f64>>, Vec<CheckOutcome>), StepReport> {
    let truth = &s.truth;
    let mass = total_mass(&|x| truth.ln_density(x).exp(), truth.support(), &s.hints());
    let dev = (mass.value - 1.0).abs();
    let normalised = mass.resolved && !mass.invalid && dev <= PROCESS_MASS_TOL;
    let premise = CheckOutcome::new(
        "process_normalised",
        normalised,
        format!("|∫p − 1| = {dev:.1e} <= {PROCESS_MASS_TOL:.0e}{}", if mass.resolved { "" } else { " (unresolved)" }),
        &[
            ("mass", json!(mass.value)),
            ("deviation", json!(dev)),
            ("tolerance", json!(PROCESS_MASS_TOL)),
            ("resolved", json!(mass.resolved)),
        ],
    );
    if !normalised {
        return Err(StepReport::from_checks(id, &s.name, vec![premise]));
    }
    // Where there is no θ* (H infinite everywhere) the precondition is
    // established at the scenario's probe point.
    let at = if s.theta_star.iter().all(|v| v.is_finite()) { s.theta_star.clone() } else { s.probe.clone() };
    let claimed = s.cross_entropy.as_ref().map(|h| h(&at));
    let fail = |why: String| {
        let check = CheckOutcome::new("closed_form", false, why.clone(), &[("reason", json!(why))]);
        StepReport::from_checks(id, &s.name, vec![premise.clone(), check])
    };
    let at_quadrature = s.quadrature_cross_entropy(&at);
    match (at_quadrature.clone(), claimed) {
        (Err(why), _) => return Err(fail(format!("H(p, q_θ*) not established by quadrature: {why}"))),
        (Ok(None), None | Some(f64::INFINITY)) => {
            let reason =
                "E_p[-log q] diverges (its truncated integrals grow decade by decade): the step does not apply";
            let check = CheckOutcome::new(
                "precondition",
                true,
                reason.to_string(),
                &[("cross_entropy", json!("infinite")), ("reason", json!(reason))],
            );
            return Err(StepReport::not_applicable(id, &s.name, check));
        }
        (Ok(None), Some(c)) => return Err(fail(format!("claimed H(p, q_θ*) = {c} but the quadrature diverges"))),
        (Ok(Some(h)), Some(c)) if !c.is_finite() => {
            return Err(fail(format!("claimed H(p, q_θ*) = {c} but the quadrature gives {h:.6}")));
        }
        (Ok(Some(_)), _) => {}
    }
    let thetas = limit_points(s);
    let Some(claim) = &s.cross_entropy else {
        let values: Vec<f64> = thetas.iter().map(|t| s.cross_entropy_at(t)).collect();
        let finite = values.iter().all(|v| v.is_finite());
        let check = CheckOutcome::new(
            "closed_form",
            finite,
            format!(
                "none claimed: H(p, q_θ) by quadrature at {} points ({})",
                thetas.len(),
                if finite { "finite" } else { "not all finite" }
            ),
            &[("claimed", json!(false)), ("points", json!(thetas.len())), ("quadrature", json!(values))],
        );
        return if finite {
            Ok((thetas, vec![premise, check]))
        } else {
            Err(StepReport::from_checks(id, &s.name, vec![premise, check]))
        };
    };
    let mut worst = 0.0f64;
    for t in &thetas {
        // θ* is usually the first point: its quadrature is done.
        let q = if *t == at { at_quadrature.clone() } else { s.quadrature_cross_entropy(t) };
        let c = claim(t);
        let dev = match q {
            Ok(Some(h)) => (c - h).abs() / h.abs().max(1.0),
            _ => f64::INFINITY,
        };
        worst = if dev.is_nan() { f64::INFINITY } else { worst.max(dev) };
    }
    let check = CheckOutcome::new(
        "closed_form",
        worst <= CLOSED_FORM_TOL,
        format!("H(p, q_θ) against quadrature: {worst:.1e} relative (bound {CLOSED_FORM_TOL:.0e})"),
        &[
            ("claimed", json!(true)),
            ("max_relative_deviation", json!(worst)),
            ("tolerance", json!(CLOSED_FORM_TOL)),
            ("points", json!(thetas.len())),
        ],
    );
    if check.passed {
        Ok((thetas, vec![premise, check]))
    } else {
        Err(StepReport::from_checks(id, &s.name, vec![premise, check]))
    }
}

/// How far the total mass of a scenario's process may sit from 1 (the
/// quadrature's pieces are asked for 1e-13; the premises of the models use
/// the same bound).
pub const PROCESS_MASS_TOL: f64 = 1e-8;

/// The seed of the draws from p that hint where its mass lies.
const HINT_SEED: u64 = 0x5eed_0fce;

/// The largest relative slope `|∂H/∂θᵢ|·max(1, |θᵢ|)/max(1, |H|)` allowed
/// at θ*.
pub const STATIONARITY_TOL: f64 = 1e-7;

/// How far a closed-form cross-entropy may sit from the harness's
/// quadrature (relative to `max(1, |H|)`): the quadrature's pieces are
/// asked for 1e-13, so 1e-10 is rounding, and a closed form 0.1 % off — or
/// off anywhere but at θ* — is far outside it.
pub const CLOSED_FORM_TOL: f64 = 1e-10;

/// The width of `f`'s minimum at 0, `1/√f''(0)`, found from a step `h`:
/// the second difference at `h` gives a width; repeated at a tenth of it
/// until the step settles (within a factor 2, at most 40 rounds). A step
/// far wider than the minimum sees a flatter function, so the width
/// shrinks towards the true one from above. Falls back to `h` when the
/// second difference is not positive and finite.
pub(crate) fn local_width(f: &dyn Fn(f64) -> f64, h: f64) -> f64 {
    let f0 = f(0.0);
    let mut h = h;
    for _ in 0..40 {
        let c = (f(h) - 2.0 * f0 + f(-h)) / (h * h);
        if !(c > 0.0 && c.is_finite()) {
            return h;
        }
        let next = 0.1 / c.sqrt();
        if next >= 0.5 * h && next <= 2.0 * h {
            return next;
        }
        h = next;
    }
    h
}

/// `f'(0)` by Ridders' method: central differences of `f` at steps `h0`,
/// `h0/2`, `h0/4`, … extrapolated to step 0 (a Neville tableau in `h²`),
/// keeping the estimate whose extrapolation error is smallest and stopping
/// once the higher orders are worse than twice that error (round-off has
/// taken over). Steps where `f` is not finite (outside the model's domain)
/// are skipped. NaN when no step gave an estimate.
pub(crate) fn ridders_derivative(f: &dyn Fn(f64) -> f64, h0: f64) -> f64 {
    const STEPS: usize = 24;
    let mut table: Vec<Vec<f64>> = Vec::with_capacity(STEPS);
    let (mut best, mut err) = (f64::NAN, f64::INFINITY);
    let mut h = h0;
    for i in 0..STEPS {
        let d = (f(h) - f(-h)) / (2.0 * h);
        let mut row = vec![if d.is_finite() { d } else { f64::NAN }];
        let mut fac = 4.0;
        for j in 1..=i {
            let e = (row[j - 1] * fac - table[i - 1][j - 1]) / (fac - 1.0);
            fac *= 4.0;
            let errt = (e - row[j - 1]).abs().max((e - table[i - 1][j - 1]).abs());
            if errt <= err {
                (best, err) = (e, errt);
            }
            row.push(e);
        }
        if i == 0 && row[0].is_finite() {
            best = row[0];
        }
        let worse = i > 0 && (row[i] - table[i - 1][i - 1]).abs() >= 2.0 * err;
        table.push(row);
        if worse {
            break;
        }
        h /= 2.0;
    }
    best
}

/// `(3)'`: `H(p, q_θ) = H(p) + KL(p ‖ q_θ)` at θ* and perturbed points (to
/// `8·10⁻¹²` relative with closed forms; [`CLOSED_FORM_TOL`] where a side
/// comes from quadrature), `KL ≥ 0`; a claimed `H(p)` agrees with the
/// quadrature; and θ* minimises `H(p, q_θ)` over the perturbations and is a
/// stationary point (minimising the cross-entropy is minimising the KL — to
/// the KL projection when the model is misspecified). Well specified: also
/// `KL(p ‖ q_θ*) = 0`.
pub fn step_3_prime<M: Model<Obs = f64>>(s: &Scenario<M>, well_specified: bool) -> StepReport {
    let id = StepId::EntropyPlusKl;
    let mut checks = match established(s, id) {
        Ok((_, c)) => c,
        Err(report) => return report,
    };
    let h_star = s.cross_entropy_at(&s.theta_star);
    // θ* is a stationary point of H(p, q_θ) (the quadrature-checked closed
    // form, or the quadrature itself, accurate to ~1e-13 relative): each
    // partial derivative by Ridders' extrapolation of central differences
    // from the width of the minimum along the coordinate, halved until the
    // extrapolation stops improving — a fixed step cannot serve a σ of 0.01
    // and a location of 1000 alike (1e-3 was 10 % of that σ: a false
    // failure). A θ* 2 % off has a slope of order H''·0.02θ.
    let mut slope = 0.0f64;
    for i in 0..s.theta_star.len() {
        let size = s.theta_star[i].abs().max(1.0);
        let at = |t: f64| {
            let mut a = s.theta_star.clone();
            a[i] += t;
            if s.model.build(&a).is_ok() { s.cross_entropy_at(&a) } else { f64::NAN }
        };
        let g = ridders_derivative(&at, local_width(&at, 0.1 * size)) * size;
        slope = if g.is_nan() { f64::INFINITY } else { slope.max(g.abs() / h_star.abs().max(1.0)) };
    }
    // Each coordinate moved both ways by 10 % of its size (at least 0.01).
    let perturb: Vec<Vec<f64>> = (0..s.theta_star.len())
        .flat_map(|i| [-1.0, 1.0].map(|sign| (i, sign)))
        .map(|(i, sign)| {
            let mut t = s.theta_star.clone();
            t[i] += sign * 0.1 * t[i].abs().max(0.1);
            t
        })
        .filter(|t| s.model.build(t).is_ok())
        .collect();
    let h_at: Vec<f64> = perturb.iter().map(|t| s.cross_entropy_at(t)).collect();
    let h_min_ok = h_star.is_finite() && h_at.iter().all(|h| !h.is_nan() && (*h == f64::INFINITY || *h >= h_star));
    checks.push(CheckOutcome::new(
        "theta_star_minimises_cross_entropy",
        h_min_ok && slope <= STATIONARITY_TOL,
        format!(
            "H(p, q_theta*) = {h_star:.6}, no lower at {} perturbations; relative slope {slope:.1e} (bound {STATIONARITY_TOL:.0e})",
            perturb.len()
        ),
        &[
            ("cross_entropy_at_theta_star", json!(h_star)),
            ("perturbations", json!(perturb.len())),
            ("max_relative_slope", json!(slope)),
            ("slope_tolerance", json!(STATIONARITY_TOL)),
        ],
    ));
    checks.push(decomposition(s, &perturb, well_specified));
    StepReport::from_checks(id, &s.name, checks)
}

/// The `decomposition` check of `(3)'`: `H(p)` (claimed and checked, or by
/// quadrature), the KL (claimed, or by quadrature) and `H(p, q_θ)` at θ* and
/// `perturb`.
fn decomposition<M: Model<Obs = f64>>(s: &Scenario<M>, perturb: &[Vec<f64>], well_specified: bool) -> CheckOutcome {
    let quad = s.quadrature_entropy();
    let claimed = s.truth.entropy();
    let (h_p, entropy_ok) = match (claimed, &quad) {
        (Some(c), Ok(Some(q))) => (c, (c - q).abs() <= CLOSED_FORM_TOL * q.abs().max(1.0)),
        (None, Ok(Some(q))) => (*q, true),
        (Some(c), _) => (c, false),
        (None, _) => (f64::NAN, false),
    };
    // Everything in closed form: rounding only; a quadrature on either side:
    // its tolerance.
    let closed = claimed.is_some() && s.kl.is_some() && s.cross_entropy.is_some();
    let bound = if closed { 8e-12 } else { CLOSED_FORM_TOL };
    let mut worst = 0.0f64;
    let mut ok = entropy_ok;
    let mut kl_star = f64::NAN;
    for (k, t) in std::iter::once(&s.theta_star).chain(perturb).enumerate() {
        let (h, kl) = (s.cross_entropy_at(t), s.kl_at(t));
        let dev = (h - (h_p + kl)).abs() / h.abs().max(1.0);
        worst = if dev.is_nan() { f64::INFINITY } else { worst.max(dev) };
        ok &= dev <= bound && kl >= -1e-12;
        if k == 0 {
            kl_star = kl;
        }
    }
    if well_specified {
        ok &= kl_star.abs() <= 1e-12;
    }
    let entropy_words = match (claimed.is_some(), entropy_ok) {
        (true, true) => "claimed, agrees with quadrature",
        (true, false) => "claimed, DISAGREES with quadrature",
        (false, true) => "by quadrature",
        (false, false) => "NOT established",
    };
    CheckOutcome::new(
        "decomposition",
        ok,
        format!(
            "decomposition deviation {worst:.1e} (bound {bound:.0e} relative), KL(p ‖ q_θ*) = {kl_star:.1e}{}; H(p) {entropy_words}",
            if well_specified { " (must be 0)" } else { "" },
        ),
        &[
            ("max_relative_deviation", json!(worst)),
            ("bound", json!(bound)),
            ("kl_at_theta_star", json!(kl_star)),
            ("entropy_p", json!(h_p)),
            ("entropy_claimed", json!(claimed.is_some())),
            ("entropy_quadrature", json!(quad.ok().flatten())),
        ],
    )
}

/// How far a contaminated draw moves: the sample standard deviation of
/// `draws` (the process's own scale), or 1 when they have no finite spread.
pub(crate) fn draw_scale(draws: &[f64]) -> f64 {
    let n = draws.len() as f64;
    let mean = draws.iter().sum::<f64>() / n;
    let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    if sd.is_finite() && sd > 0.0 { sd } else { 1.0 }
}

/// The gap per unit of contamination at each limit point and the gap the
/// limit test detects there (`(z + z_{1−FALSE_PASS_RATE})·sd/√n_max`, the
/// sd of `−ln q_θ` under p by quadrature): the contamination `ε` that puts
/// the most detectable point's gap at `multiple` times its detectable gap,
/// and `d`, how far a continuous draw moves (the sd of p's hint draws, or
/// 1). `None` if no `ε ≤ 1` reaches it.
fn contamination_at_power<M: Model<Obs = f64>>(s: &Scenario<M>, multiple: f64, quick: bool) -> Option<(f64, f64)> {
    let thetas = limit_points(s);
    let ns = ladder(quick);
    let n_max = *ns.last()? as f64;
    let z = SampledLimit::new(thetas.len() * ns.len(), n_max as usize).z_crit + norm_quantile(1.0 - FALSE_PASS_RATE);
    let hints = s.hints();
    let d = draw_scale(&hints);
    let support = s.truth.support();
    let mut best = f64::INFINITY;
    for t in &thetas {
        let q = s.model.build(t).ok()?;
        let h = s.cross_entropy_at(t);
        let var = s.expect(&|x| (-q.ln_density(&x) - h).powi(2), &hints).ok()??;
        let delta = s
            .expect(&|x| moved(support, d, x).map_or(0.0, |m| -q.ln_density(&m) + q.ln_density(&x)), &hints)
            .ok()??;
        let detectable = z * var.sqrt() / n_max.sqrt();
        if delta.abs() > 0.0 {
            best = best.min(detectable / delta.abs());
        }
    }
    let eps = multiple * best;
    (eps.is_finite() && eps > 0.0 && eps <= 1.0).then_some((eps, d))
}

/// The sampler controls of `(2b)->(3)` for any scenario: a fraction `ε` of
/// the draws [`moved`], the density unchanged ([`Contaminated`]), with `ε`
/// set so the gap `ε·Δ(θ)` at the most sensitive limit point is 1.5× the
/// gap the limit test is stated to detect there (must be rejected) and
/// 0.5× (below the power: no claim either way).
pub fn sampler_controls<M>(s: &Scenario<M>, seed: u64, quick: bool) -> Vec<ControlOutcome>
where
    M: Model<Obs = f64> + Clone,
{
    let mut out = Vec::new();
    for (name, kind, multiple) in [
        ("sampler contaminated: gap 1.5x the stated power", Kind::Negative, 1.5),
        ("sampler contaminated: gap 0.5x the stated power", Kind::BelowPower, 0.5),
    ] {
        if let Some((epsilon, d)) = contamination_at_power(s, multiple, quick) {
            let wrong = s.clone().with_truth(Arc::new(Contaminated { inner: s.truth.clone(), epsilon, d }));
            out.push(ControlOutcome::new(name, kind, step_2b_3(&wrong, seed, quick)));
        }
    }
    out
}

/// The claims' controls for any scenario: θ* moved by 2 % of its size (at
/// least 0.02) in its first coordinate at `(3)'`, and, where `H(p, q_θ)` is
/// claimed in closed form, the claim 0.1 % too large at `(2b)->(3)`.
pub fn claim_controls<M>(s: &Scenario<M>, well_specified: bool, seed: u64, quick: bool) -> Vec<ControlOutcome>
where
    M: Model<Obs = f64> + Clone,
{
    let mut out = Vec::new();
    if let Some(first) = s.theta_star.first().copied().filter(|v| v.is_finite()) {
        let mut off = s.clone();
        off.theta_star[0] = first + 0.02 * first.abs().max(1.0);
        out.push(ControlOutcome::new("theta* 2 % off", Kind::Negative, step_3_prime(&off, well_specified)));
    }
    if let Some(good) = s.cross_entropy.clone() {
        let wrong = s.clone().with_cross_entropy(move |t: &[f64]| good(t) * 1.001);
        out.push(ControlOutcome::new(
            "closed-form cross-entropy 0.1 % too large",
            Kind::Negative,
            step_2b_3(&wrong, seed, quick),
        ));
    }
    out
}

/// Negative controls of the asymptotic steps on the built-in normal and
/// bimodal scenarios: wrong closed forms (the ½ of the quadratic term
/// dropped, right only at θ*, claimed ∞ or NaN; [`claim_controls`]: 0.1 %
/// too large, θ* 2 % off), the reverse-KL projection, and the sampler
/// controls at 1.5× and 0.5× the stated power ([`sampler_controls`]).
pub fn asymptotic_controls(seed: u64, quick: bool) -> Vec<ControlOutcome> {
    let mut out = Vec::new();
    let base = [("mean", 1.5), ("std_dev", 2.0)];
    let Some(normal) = Scenario::well_specified("normal", &base) else { return out };
    let half = normal.clone().with_cross_entropy(|t: &[f64]| {
        let (m, sd, mu, sg) = (1.5, 2.0, t[0], t[1]);
        0.5 * (2.0 * std::f64::consts::PI * sg * sg).ln() + (sd * sd + (m - mu) * (m - mu)) / (sg * sg)
    });
    out.push(ControlOutcome::new(
        "closed-form cross-entropy missing a factor 1/2",
        Kind::Negative,
        step_2b_3(&half, seed, quick),
    ));
    let at_star_only = normal
        .cross_entropy
        .clone()
        .map(|g| normal.clone().with_cross_entropy(move |t: &[f64]| g(t) + 0.01 * (t[0] - 1.5).powi(2)));
    for (name, scenario) in [
        ("closed form right only at theta*", at_star_only),
        ("claimed H = infinity for normal data", Some(normal.clone().with_cross_entropy(|_t: &[f64]| f64::INFINITY))),
        ("claimed H = NaN", Some(normal.clone().with_cross_entropy(|_t: &[f64]| f64::NAN))),
    ] {
        if let Some(sc) = scenario {
            out.push(ControlOutcome::new(name, Kind::Negative, step_2b_3(&sc, seed, quick)));
        }
    }
    out.extend(claim_controls(&normal, true, seed, quick));
    // Reverse KL: claim the minimiser of KL(q ‖ p) — for well-separated
    // modes q sits on one of them, θ ≈ (2, 0.5) — instead of the forward-KL
    // projection (0, √4.25).
    let mut reverse = Scenario::bimodal_data_normal_model(2.0, 0.5);
    reverse.theta_star = vec![2.0, 0.5];
    out.push(ControlOutcome::new(
        "expectation under q instead of p (reverse KL)",
        Kind::Negative,
        step_3_prime(&reverse, false),
    ));
    out.extend(sampler_controls(&normal, seed, quick));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridders_finds_derivatives_at_any_scale() {
        // H = ln σ + s²/(2σ²) near σ = s = 0.01: the slope at s is 0, and
        // at 1.02 s it is (1 − 1/1.02²)/(1.02 s) ≈ 1.9; a location far out.
        let h = |_: f64| move |t: f64| (0.01 + t).ln() + 0.01f64.powi(2) / (2.0 * (0.01 + t).powi(2));
        let d0 = ridders_derivative(&|t| if 0.01 + t > 0.0 { h(0.0)(t) } else { f64::NAN }, 0.001);
        assert!(d0.abs() < 1e-8, "{d0}");
        let want = (1.0 - 1.0 / 1.02f64.powi(2)) / 0.0102;
        let d1 = ridders_derivative(&|t| if 0.0102 + t > 0.0 { h(0.0)(0.0002 + t) } else { f64::NAN }, 0.00102);
        assert!((d1 - want).abs() < 1e-8 * want.abs(), "{d1} vs {want}");
        let far = |t: f64| ((1000.0 + t - 1000.0005) / 0.01).powi(2).ln_1p();
        let loc = ridders_derivative(&far, local_width(&far, 100.0));
        let want = {
            let z: f64 = -0.0005 / 0.01;
            2.0 * z / 0.01 / (1.0 + z * z)
        };
        assert!((loc - want).abs() < 1e-7 * want.abs(), "{loc} vs {want}");
        // Nothing finite: NaN, never a made-up slope.
        assert!(ridders_derivative(&|_| f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn ridders_extrapolates_to_near_round_off() {
        // Each column of the tableau removes one more power of h² (weights
        // 4, 16, 64, …): from a first step as wide as the function's
        // domain allows, the derivative comes out at ~1e-15 relative. With
        // any wrong weight the higher orders are spoiled and it stops at
        // ~1e-10 (ln) or ~1e-13 (sin) — the bounds sit between.
        let ln = ridders_derivative(&|h| (2.0 + h).ln(), 1.0);
        assert!((ln - 0.5).abs() < 1e-13, "{ln}");
        let sin = ridders_derivative(&|h| (0.7 + h).sin(), 0.5);
        assert!((sin - 0.7f64.cos()).abs() < 2e-14, "{sin}");
    }

    #[test]
    fn the_limits_are_checked_at_three_points_where_the_model_is_defined() {
        let s = Scenario::well_specified("normal", &[("mean", 2.0), ("std_dev", 0.5)]).expect("a scenario");
        let p = limit_points(&s);
        let near = |a: &[f64], b: [f64; 2]| a.iter().zip(b).all(|(x, w)| (x - w).abs() < 1e-15);
        assert_eq!(p.len(), 3);
        assert!(near(&p[0], [2.0, 0.5]) && near(&p[1], [2.5, 0.7]) && near(&p[2], [1.75, 0.4]), "{p:?}");
        // σ* = 0.05: 0.9σ* − 0.05 = −0.005 is no normal; that point is dropped.
        let s = Scenario::well_specified("normal", &[("mean", 0.0), ("std_dev", 0.05)]).expect("a scenario");
        let p = limit_points(&s);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(near(&p[1], [0.1, 0.16]), "{p:?}");
    }

    #[test]
    fn the_sample_sizes_are_decades() {
        // The stated powers are computed at the ladder's top: 10⁴ quick,
        // 10⁶ by default.
        assert_eq!(ladder(true), [1_000, 10_000]);
        assert_eq!(ladder(false), [1_000, 10_000, 100_000, 1_000_000]);
    }

    #[test]
    fn the_rate_fits_compute_no_covariance() {
        // The replicate fits of the rate checks read the estimates only; a
        // covariance would cost a Hessian and a factorisation per fit (more
        // than the fit) and could turn a singular replicate into a failure.
        assert!(matches!(estimates_only().covariance, xent_fit::Covariance::None));
        let d = FitOptions::default();
        assert_eq!((estimates_only().fixed, estimates_only().optim), (d.fixed, d.optim), "otherwise the defaults");
    }

    #[test]
    fn draws_move_by_their_sample_standard_deviation() {
        assert!((draw_scale(&[1.0, 2.0, 3.0, 4.0]) - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((draw_scale(&[-1e6, 1e6]) - 2e6 / 2f64.sqrt()).abs() < 1e-9);
        // No spread (a point mass, one draw, or none): one unit.
        assert_eq!(draw_scale(&[5.0, 5.0, 5.0]), 1.0);
        assert_eq!(draw_scale(&[5.0]), 1.0);
        assert_eq!(draw_scale(&[]), 1.0);
        assert_eq!(draw_scale(&[1.0, f64::INFINITY]), 1.0);
    }
    use rand_distr::Distribution;

    fn normal_sample(n: usize, mean: f64, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let z: f64 = rand_distr::StandardNormal.sample(&mut rng);
                mean + z
            })
            .collect()
    }

    #[test]
    fn the_stated_power_is_z_crit_plus_z_pass_standard_errors() {
        let n = 1_000;
        let v = normal_sample(n, 0.0, 1);
        let mut t = SampledLimit::new(3, n);
        t.compare(Some(&v), 0.0);
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
        let z_crit = norm_quantile(1.0 - FALSE_FAILURE_RATE / 12.0);
        let expected = (z_crit + norm_quantile(1.0 - FALSE_PASS_RATE)) * sd / (n as f64).sqrt();
        let out = t.outcome();
        assert!((out.figures["power_nats"].as_f64().expect("number") - expected).abs() < 1e-15 * expected.max(1.0));
        assert!((out.figures["z_bound"].as_f64().expect("number") - z_crit).abs() < 1e-12);
        // Comparisons below n_max state no power.
        let mut small = SampledLimit::new(1, 10 * n);
        small.compare(Some(&v), 0.0);
        assert_eq!(small.outcome().figures["power_nats"].as_f64(), Some(0.0));
    }

    #[test]
    fn a_gap_at_the_stated_power_is_rejected_and_a_zero_gap_is_not() {
        // Unit-variance data, n = 1000: the stated power is about
        // (5.45 + 3.09)/√1000 ≈ 0.27. Over 2000 seeds, a gap of that size
        // passes with probability ≤ 1e-3 each (expected ≤ 2; more than 10
        // has probability < 1e-5); a zero gap fails with probability 1e-6.
        let n = 1_000;
        let probe = SampledLimit::new(1, n);
        let power = (probe.z_crit + norm_quantile(1.0 - FALSE_PASS_RATE)) / (n as f64).sqrt();
        let (mut passed_at_power, mut failed_at_zero) = (0, 0);
        for seed in 0..2_000u64 {
            let v = normal_sample(n, 0.0, 1000 + seed);
            let mut at_power = SampledLimit::new(1, n);
            at_power.compare(Some(&v), -power);
            passed_at_power += usize::from(at_power.outcome().passed);
            let mut at_zero = SampledLimit::new(1, n);
            at_zero.compare(Some(&v), 0.0);
            failed_at_zero += usize::from(!at_zero.outcome().passed);
        }
        assert!(passed_at_power <= 10, "{passed_at_power} of 2000 passed at the stated power");
        assert_eq!(failed_at_zero, 0);
        // Missing values fail.
        let mut none = SampledLimit::new(1, n);
        none.compare(None, 0.0);
        assert!(!none.outcome().passed);
    }
}
