//! Part A of the chain — the exact steps (1), (1)->(2a), (2a)->(2),
//! (2)->(2b) — on any model and data set, with the sides exposed so that
//! controls can replace one.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal};
use serde_json::json;
use xent_distributions::LogDensity;
use xent_fit::ObjectiveProblem;
use xent_objectives::{Model, Nll, ObjectiveError, ScaledFloat};
use xent_optim::{Method, Options, minimise};

use crate::catalogue::StepId;
use crate::controls::{ControlOutcome, Kind, Miscalibrated, Miscalibration};
use crate::exact::{Order, order_preservation, order_preservation_by, pointwise_identity, same_optimiser};
use crate::premises::{self, DensityModel, Observation};
use crate::quadrature::{Mass, total_mass};
use crate::step::{CheckOutcome, StepReport};

/// A seed derived from a check's name and the run's seed (FNV-1a), so each
/// check draws its own reproducible stream.
pub fn derive_seed(seed: u64, name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A model, a data set and the points the exact checks use.
pub struct Instance<'a, M: Model> {
    nll: Nll<'a, M>,
    data: &'a [M::Obs],
    /// Unconstrained MLE, found with the project's optimiser.
    pub u_hat: Vec<f64>,
    /// Random points around the MLE.
    pub points: Vec<Vec<f64>>,
    /// Random pairs of points: half near the MLE, half spread over the
    /// parameter space (radius `0.3·10^U(0, 2)` about it, so the objective
    /// ranges over many orders of magnitude).
    pub pairs: Vec<(Vec<f64>, Vec<f64>)>,
    /// Points for the premises (normalisation, derivatives): `û + N(0, 1)`
    /// per coordinate — scales up to ~e² from the MLE's.
    pub premise_points: Vec<Vec<f64>>,
}

impl<'a, M: Model> Instance<'a, M> {
    /// Fits the model (L-BFGS from the origin of the unconstrained space)
    /// and draws `k` points `û + N(0, 0.3²)` per coordinate, `k` pairs (half
    /// of them spread widely) and 8 premise points.
    pub fn new(model: &'a M, data: &'a [M::Obs], k: usize, seed: u64) -> Result<Self, ObjectiveError> {
        let nll = Nll::new(model, data)?;
        let u0 = vec![0.0; nll.dim()];
        let opts = Options { gradient_tol: 1e-9, max_iterations: 2000, ..Options::default() };
        let u_hat = match minimise(&ObjectiveProblem::new(&nll), &u0, &Method::lbfgs(), &opts, &mut ()) {
            Ok(out) => out.x,
            Err(_) => u0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, &model.name()));
        let noise = Normal::new(0.0, 0.3).map_err(|_| ObjectiveError::EmptyData)?;
        let points: Vec<Vec<f64>> = (0..k).map(|_| spread(&u_hat, 1.0, &noise, &mut rng)).collect();
        let mut pairs: Vec<(Vec<f64>, Vec<f64>)> =
            (0..k).map(|_| (spread(&u_hat, 1.0, &noise, &mut rng), spread(&u_hat, 1.0, &noise, &mut rng))).collect();
        for _ in 0..k {
            let mut wide = || {
                let r = 10f64.powf(2.0 * rand::RngExt::random::<f64>(&mut rng));
                spread(&u_hat, r, &noise, &mut rng)
            };
            pairs.push((wide(), wide()));
        }
        let premise_points = (0..8).map(|_| spread(&u_hat, 1.0 / 0.3, &noise, &mut rng)).collect();
        Ok(Instance { nll, data, u_hat, points, pairs, premise_points })
    }

    /// The model's name.
    pub fn model_name(&self) -> String {
        self.nll.model().name()
    }
    /// `n`.
    pub fn n(&self) -> usize {
        self.data.len()
    }
    /// (1): the likelihood `Π q(xᵢ)` as mantissa and exponent.
    pub fn likelihood(&self, u: &[f64]) -> ScaledFloat {
        self.nll.likelihood(u).unwrap_or_else(|_| ScaledFloat::zero())
    }
    /// (2a): `log Π q`, the log of the scaled product.
    pub fn log_of_product(&self, u: &[f64]) -> f64 {
        self.likelihood(u).ln()
    }
    /// (2): `Σ log q(xᵢ)`.
    pub fn sum_of_logs(&self, u: &[f64]) -> f64 {
        self.nll.log_likelihood(u).unwrap_or(f64::NAN)
    }
    /// (2b): `(1/n) Σ −log q(xᵢ)`.
    pub fn average_nll(&self, u: &[f64]) -> f64 {
        self.nll.value(u).unwrap_or(f64::NAN)
    }
    /// `Σ |log q(xᵢ)|`, the scale of the rounding bounds.
    pub fn abs_log_scale(&self, u: &[f64]) -> f64 {
        match self.nll.theta(u).and_then(|t| Ok(self.nll.model().build(&t)?)) {
            Ok(d) => self.data.iter().map(|x| d.ln_density(x).abs()).sum(),
            Err(_) => f64::NAN,
        }
    }
}

/// `centre + r·z`, `z` from `noise` per coordinate.
fn spread(centre: &[f64], r: f64, noise: &Normal<f64>, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    centre.iter().map(|v| v + r * noise.sample(rng)).collect()
}

impl<M: DensityModel> Instance<'_, M> {
    /// The harness's own `∫ q_θ` (or `Σ q_θ`) at unconstrained `u`, with the
    /// data as hints of where the mass lies.
    pub fn mass(&self, u: &[f64]) -> Result<Mass, String> {
        let theta = self.nll.theta(u).map_err(|e| e.to_string())?;
        let model = self.nll.model();
        let dist = model.build::<f64>(&theta).map_err(|e| e.to_string())?;
        let space = model.sample_space(&theta).ok_or_else(|| format!("no sample space at theta = {theta:?}"))?;
        let hints: Vec<f64> = self.data.iter().map(Observation::to_real).collect();
        let q = |x: f64| M::Obs::from_real(x).map_or(0.0, |o| dist.ln_density(&o).exp());
        Ok(total_mass(&q, space, &hints))
    }
}

/// Compares two likelihoods as numbers `m·2ᵉ` (no logarithm involved).
fn cmp_scaled(a: &ScaledFloat, b: &ScaledFloat) -> std::cmp::Ordering {
    match (a.mantissa() == 0.0, b.mantissa() == 0.0) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.exponent().cmp(&b.exponent()).then(a.mantissa().total_cmp(&b.mantissa())),
    }
}

/// The rounding allowance of the exact identities: `4 n ε`.
fn tol(n: usize) -> f64 {
    4.0 * n as f64 * f64::EPSILON
}

/// Step (1): the likelihood is a well-defined positive number at every
/// point in the scaled representation, while the naive `f64` product
/// underflows (evidence of why the log is taken).
///
/// It also establishes the premises of the whole chain: `q_θ` is a density
/// ([`premises::normalisation`]) and the derivatives the optimisers use are
/// those of the values ([`premises::derivatives`]), at the premise points.
pub fn step_1<M: DensityModel>(inst: &Instance<'_, M>) -> StepReport {
    let positive = inst.points.iter().all(|u| inst.likelihood(u).mantissa() > 0.0);
    let naive = inst.nll.naive_likelihood(&inst.u_hat).unwrap_or(f64::NAN);
    let l = inst.likelihood(&inst.u_hat);
    let check = CheckOutcome::new(
        "likelihood_defined",
        positive,
        format!("L = {l} at the MLE; the f64 product gives {naive:e}"),
        &[
            ("likelihood_at_mle", json!(l.to_string())),
            ("naive_f64_product_at_mle", json!(naive)),
            ("naive_product_underflows", json!(naive == 0.0)),
        ],
    );
    let normalised = premises::normalisation(&inst.premise_points, |u| inst.mass(u));
    let derivatives =
        premises::objective_derivatives(&inst.premise_points, &inst.nll, derive_seed(0, &inst.model_name()));
    StepReport::from_checks(StepId::Likelihood, &inst.model_name(), vec![check, normalised, derivatives])
}

/// Step (1)->(2a) with right side `g` (the log of the likelihood for the
/// real step; controls pass other maps): the order of likelihoods, compared
/// as mantissa–exponent numbers, must be preserved.
pub fn step_1_2a<M: Model>(inst: &Instance<'_, M>, g: &dyn Fn(&ScaledFloat) -> f64) -> StepReport {
    let check = order_preservation_by(
        &inst.pairs,
        |a, b| cmp_scaled(&inst.likelihood(a), &inst.likelihood(b)),
        |u| inst.log_of_product(u),
        |u| g(&inst.likelihood(u)),
        Order::Increasing,
    );
    StepReport::from_checks(StepId::TakeLog, &inst.model_name(), vec![check])
}

/// Step (2a)->(2) with right side `g` (the sum of logs for the real step):
/// `log Π q = Σ log q` pointwise within `4 n ε Σ|log q|`.
pub fn step_2a_2<M: Model>(inst: &Instance<'_, M>, g: &dyn Fn(&[f64]) -> f64) -> StepReport {
    let n = inst.n();
    let check = pointwise_identity(&inst.points, |u| (inst.log_of_product(u), g(u), tol(n) * inst.abs_log_scale(u)));
    StepReport::from_checks(StepId::LogOfProduct, &inst.model_name(), vec![check])
}

/// Step (2)->(2b) with right side `g` (the average NLL for the real step):
/// `G = c·F + k` with `c < 0` on every pair, and the argmax of `F` is the
/// argmin of `G`.
pub fn step_2_2b<M: Model>(inst: &Instance<'_, M>, g: &dyn Fn(&[f64]) -> f64) -> StepReport {
    let n = inst.n();
    let order = order_preservation(&inst.pairs, |u| inst.sum_of_logs(u), g, Order::Affine { sign: -1.0, tol: tol(n) });
    // Start away from the optimum so both optimisers have to find it.
    let start = inst.points.first().unwrap_or(&inst.u_hat);
    let same = same_optimiser(start, &|u| -inst.sum_of_logs(u) / n as f64, g);
    StepReport::from_checks(StepId::NegateAndAverage, &inst.model_name(), vec![order, same])
}

/// The exact steps of Part A on one instance, with their true right sides.
pub fn part_a_exact<M: DensityModel>(inst: &Instance<'_, M>) -> Vec<StepReport> {
    vec![
        step_1(inst),
        step_1_2a(inst, &|l| l.ln()),
        step_2a_2(inst, &|u| inst.sum_of_logs(u)),
        step_2_2b(inst, &|u| inst.average_nll(u)),
    ]
}

/// The controls of Part A's exact steps on one instance. `gaussian_sigma`
/// names the index of σ (unconstrained `ln σ`) when the model is a normal
/// with σ a parameter, to run "dropping log σ".
pub fn part_a_controls<M: DensityModel>(inst: &Instance<'_, M>, gaussian_sigma: Option<usize>) -> Vec<ControlOutcome> {
    use Kind::{Negative, Positive};
    let n = inst.n() as f64;
    let c = inst.log_of_product(&inst.u_hat);
    let mut out = vec![
        ControlOutcome::new(
            "(n-1)/n of the sum of logs (an observation short)",
            Negative,
            step_2a_2(inst, &|u| inst.sum_of_logs(u) * (1.0 - 1.0 / n)),
        ),
        ControlOutcome::new("sin in place of log", Negative, step_1_2a(inst, &|l| l.ln().sin())),
        ControlOutcome::new("(x - c)^2 in place of log", Negative, step_1_2a(inst, &|l| (l.ln() - c).powi(2))),
        ControlOutcome::new("log2 in place of ln", Positive, step_1_2a(inst, &|l| l.ln() / std::f64::consts::LN_2)),
        ControlOutcome::new(
            "negation dropped, argmin still taken",
            Negative,
            step_2_2b(inst, &|u| inst.sum_of_logs(u) / n),
        ),
        ControlOutcome::new(
            "negative scale -3 in place of 1/n",
            Negative,
            step_2_2b(inst, &|u| -3.0 * inst.average_nll(u)),
        ),
        ControlOutcome::new(
            "theta-dependent scale (1 + u0^2)/n",
            Negative,
            step_2_2b(inst, &|u| inst.average_nll(u) * (1.0 + u[0] * u[0])),
        ),
        ControlOutcome::new(
            "penalty lambda*|theta|^2 as a constant",
            Negative,
            step_2_2b(inst, &|u| inst.average_nll(u) + 0.5 * u.iter().map(|v| v * v).sum::<f64>()),
        ),
        ControlOutcome::new("flat objective", Negative, step_2_2b(inst, &|_| 1.0)),
        ControlOutcome::new(
            "1/(n-1) in place of 1/n",
            Positive,
            step_2_2b(inst, &|u| -inst.sum_of_logs(u) / (n - 1.0)),
        ),
        ControlOutcome::new("constant 42 added", Positive, step_2_2b(inst, &|u| inst.average_nll(u) + 42.0)),
    ];
    // Wrong models at step (1), where the premises are established, and a
    // derivative error below the check's resolution (accepted).
    let mut wrong = vec![
        ("density scaled by e^0.001 (not normalised)", Negative, Miscalibration::LnOffset(1e-3)),
        ("gradient off by 1e-4 relative, values exact", Negative, Miscalibration::DerivativeScale(1e-4)),
        ("derivatives off by 1e-9 relative (below resolution)", Positive, Miscalibration::DerivativeScale(1e-9)),
    ];
    if let Some(s) = gaussian_sigma {
        wrong.push(("normal log-density without -ln sigma", Negative, Miscalibration::PlusLnParam(s)));
    }
    for (name, kind, change) in wrong {
        let model = Miscalibrated { inner: inst.nll.model(), change };
        let seed = derive_seed(0, name);
        if let Ok(bad) = Instance::new(&model, inst.data, inst.points.len(), seed) {
            out.push(ControlOutcome::new(name, kind, step_1(&bad)));
        }
    }
    if let Some(s) = gaussian_sigma {
        // The normal's average NLL is ½ ln 2π + ln σ + (…)/(2σ²): drop ln σ.
        out.push(ControlOutcome::new(
            "log sigma dropped from the Gaussian NLL",
            Negative,
            step_2_2b(inst, &|u| inst.average_nll(u) - u[s]),
        ));
    }
    out
}
