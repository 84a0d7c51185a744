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
use xent_optim::{Method, Options, minimize};

use crate::exact::{Order, order_preservation, order_preservation_by, pointwise_identity, same_optimiser};
use crate::step::{CheckOutcome, Relation, StepReport};

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
    /// Random pairs of points.
    pub pairs: Vec<(Vec<f64>, Vec<f64>)>,
}

impl<'a, M: Model> Instance<'a, M> {
    /// Fits the model (L-BFGS from the origin of the unconstrained space)
    /// and draws `k` points `û + N(0, 0.3²)` per coordinate and `k` pairs.
    pub fn new(model: &'a M, data: &'a [M::Obs], k: usize, seed: u64) -> Result<Self, ObjectiveError> {
        let nll = Nll::new(model, data)?;
        let u0 = vec![0.0; nll.dim()];
        let opts = Options { gradient_tol: 1e-9, max_iterations: 2000, ..Options::default() };
        let u_hat = match minimize(&ObjectiveProblem::new(&nll), &u0, &Method::lbfgs(), &opts, &mut ()) {
            Ok(out) => out.x,
            Err(_) => u0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, &model.name()));
        let noise = Normal::new(0.0, 0.3).map_err(|_| ObjectiveError::EmptyData)?;
        let mut draw = || u_hat.iter().map(|v| v + noise.sample(&mut rng)).collect::<Vec<f64>>();
        let points: Vec<Vec<f64>> = (0..k).map(|_| draw()).collect();
        let pairs = (0..k).map(|_| (draw(), draw())).collect();
        Ok(Instance { nll, data, u_hat, points, pairs })
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
pub fn step_1<M: Model>(inst: &Instance<'_, M>) -> StepReport {
    let positive = inst.points.iter().all(|u| inst.likelihood(u).mantissa() > 0.0);
    let naive = inst.nll.naive_likelihood(&inst.u_hat).unwrap_or(f64::NAN);
    let l = inst.likelihood(&inst.u_hat);
    let check = CheckOutcome::new(
        "likelihood_defined",
        positive,
        &[
            ("likelihood_at_mle", json!(l.to_string())),
            ("naive_f64_product_at_mle", json!(naive)),
            ("naive_product_underflows", json!(naive == 0.0)),
        ],
    );
    StepReport::from_checks(
        "(1)",
        &inst.model_name(),
        Relation::Definition,
        "definition of the likelihood L(θ)",
        vec![check],
    )
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
    StepReport::from_checks(
        "(1)->(2a)",
        &inst.model_name(),
        Relation::SameArgmax,
        "log is strictly increasing on (0, inf)",
        vec![check],
    )
}

/// Step (2a)->(2) with right side `g` (the sum of logs for the real step):
/// `log Π q = Σ log q` pointwise within `4 n ε Σ|log q|`.
pub fn step_2a_2<M: Model>(inst: &Instance<'_, M>, g: &dyn Fn(&[f64]) -> f64) -> StepReport {
    let n = inst.n();
    let check = pointwise_identity(&inst.points, |u| (inst.log_of_product(u), g(u), tol(n) * inst.abs_log_scale(u)));
    StepReport::from_checks(
        "(2a)->(2)",
        &inst.model_name(),
        Relation::Equal,
        "the log of a product is the sum of the logs",
        vec![check],
    )
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
    StepReport::from_checks(
        "(2)->(2b)",
        &inst.model_name(),
        Relation::ArgmaxToArgmin,
        "negation turns argmax into argmin; scaling by 1/n > 0 keeps it",
        vec![order, same],
    )
}

/// The exact steps of Part A on one instance, with their true right sides.
pub fn part_a_exact<M: Model>(inst: &Instance<'_, M>) -> Vec<StepReport> {
    vec![
        step_1(inst),
        step_1_2a(inst, &|l| l.ln()),
        step_2a_2(inst, &|u| inst.sum_of_logs(u)),
        step_2_2b(inst, &|u| inst.average_nll(u)),
    ]
}
