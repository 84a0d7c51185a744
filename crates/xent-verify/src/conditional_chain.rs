//! Part B's exact steps — `(4)`, `(4)->(5)`, `(5)->(6)`, `(6)->(7)`,
//! `(7)->(8)` — on any conditional model, with the sides exposed for the
//! controls.

use std::sync::OnceLock;

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal};
use serde_json::json;
use xent_objectives::conditional::{ConditionalNll, Design, EtaModel};
use xent_objectives::{ObjectiveError, ScaledFloat};

use crate::catalogue::StepId;
use crate::chain::derive_seed;
use crate::controls::{ControlOutcome, Kind};
use crate::exact::{
    Minimum, Order, added_term_gradient, gradient_agreement, local_minimum, order_preservation, order_preservation_by,
    pointwise_identity, same_optimiser_given,
};
use crate::premises::{self, ConditionalDensityModel, InputDensity};
use crate::quadrature::{Mass, total_mass};
use crate::step::{CheckOutcome, StepReport};

/// A conditional model on data `(xᵢ, yᵢ)` with the input density `p(x)`
/// (the harness evaluates it at every row and establishes its mass).
pub struct ConditionalInstance<'a, M: EtaModel> {
    obj: ConditionalNll<'a, M>,
    input: &'a InputDensity,
    y: &'a [f64],
    rows: Vec<Vec<f64>>,
    ln_px: Vec<f64>,
    /// A point near the MLE (L-BFGS from the origin).
    pub theta_hat: Vec<f64>,
    /// Random points around it.
    pub points: Vec<Vec<f64>>,
    /// Random pairs.
    pub pairs: Vec<(Vec<f64>, Vec<f64>)>,
    /// Points for the premises: `θ̂ + N(0, 0.5²)` per coordinate.
    pub premise_points: Vec<Vec<f64>>,
    /// The left sides' minima of `(5)->(6)` and `(6)->(7)` (the same for
    /// the step and each of its controls), searched for once.
    sum_of_logs_minimum: OnceLock<Minimum>,
    loss_minimum: OnceLock<Minimum>,
}

impl<'a, M: EtaModel> ConditionalInstance<'a, M> {
    /// The instance; `input` is the density of a feature row (the design's
    /// columns without the intercept).
    pub fn new(
        model: M,
        design: &'a Design,
        y: &'a [f64],
        input: &'a InputDensity,
        k: usize,
        seed: u64,
    ) -> Result<Self, ObjectiveError> {
        let m = design.matrix();
        let skip = usize::from(design.has_intercept());
        if m.ncols() - skip != input.dim() {
            return Err(ObjectiveError::Dimension {
                what: "input features",
                expected: m.ncols() - skip,
                found: input.dim(),
            });
        }
        let rows: Vec<Vec<f64>> = (0..m.nrows()).map(|i| (skip..m.ncols()).map(|j| m[(i, j)]).collect()).collect();
        let ln_px: Vec<f64> = rows.iter().map(|r| input.ln_density(r)).collect();
        let obj = ConditionalNll::new(model, design, y)?;
        let d = obj.dim();
        let problem = xent_fit::ObjectiveProblem::new(&obj);
        let opts = xent_optim::Options { gradient_tol: 1e-9, max_iterations: 2000, ..Default::default() };
        let theta_hat = xent_optim::minimise(&problem, &vec![0.0; d], &xent_optim::Method::lbfgs(), &opts, &mut ())
            .map(|o| o.x)
            .unwrap_or_else(|_| vec![0.0; d]);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, &obj.model().name()));
        let noise = Normal::new(0.0, 0.2).map_err(|_| ObjectiveError::EmptyData)?;
        let mut draw = || theta_hat.iter().map(|v| v + noise.sample(&mut rng)).collect::<Vec<f64>>();
        let points = (0..k).map(|_| draw()).collect();
        let pairs = (0..k).map(|_| (draw(), draw())).collect();
        let premise_points =
            (0..6).map(|_| theta_hat.iter().map(|v| v + 2.5 * noise.sample(&mut rng)).collect()).collect();
        Ok(ConditionalInstance {
            obj,
            input,
            y,
            rows,
            ln_px,
            theta_hat,
            points,
            pairs,
            premise_points,
            sum_of_logs_minimum: OnceLock::new(),
            loss_minimum: OnceLock::new(),
        })
    }

    /// The model's name.
    pub fn model_name(&self) -> String {
        self.obj.model().name()
    }
    /// `n`.
    pub fn n(&self) -> usize {
        self.ln_px.len()
    }
    fn nlls(&self, t: &[f64]) -> Vec<f64> {
        self.obj.sample_nlls(t).unwrap_or_else(|_| vec![f64::NAN; self.n()])
    }
    /// (4): `Π q(yᵢ | xᵢ)` as mantissa and exponent.
    pub fn likelihood(&self, t: &[f64]) -> ScaledFloat {
        self.nlls(t).iter().fold(ScaledFloat::one(), |acc, v| acc * ScaledFloat::from_ln(-v))
    }
    /// (5): `Σ log q(yᵢ | xᵢ)`.
    pub fn sum_of_logs(&self, t: &[f64]) -> f64 {
        -self.nlls(t).iter().sum::<f64>()
    }
    /// (6): the average conditional NLL — the training loss.
    pub fn loss(&self, t: &[f64]) -> f64 {
        self.obj.value(t).unwrap_or(f64::NAN)
    }
    /// `(1/n) Σ −ln p(xᵢ)`, the term (7) adds.
    pub fn input_term(&self) -> f64 {
        -self.ln_px.iter().sum::<f64>() / self.n() as f64
    }
    /// (7): `(6) + (1/n) Σ −ln p(xᵢ)`.
    pub fn loss_plus_input(&self, t: &[f64]) -> f64 {
        self.loss(t) + self.input_term()
    }
    /// (8): `(1/n) Σ −ln q_θ(yᵢ, xᵢ)` with the joint `q_θ(y, x) = q_θ(y | x) p(x)`
    /// formed per observation as a product of densities (not as a sum of logs).
    pub fn joint_nll(&self, t: &[f64]) -> f64 {
        self.joint_nll_with(t, &|_, x| self.input.ln_density(x))
    }
    /// `ln p(x)` of the instance's input density.
    pub fn input_ln_density(&self, x: &[f64]) -> f64 {
        self.input.ln_density(x)
    }
    /// The feature rows (the design without its intercept).
    pub fn rows(&self) -> &[Vec<f64>] {
        &self.rows
    }
    /// `(1/n) Σ −ln q_θ(yᵢ | xᵢ) − ln q_θ(xᵢ)` with a joint built from
    /// `ln_qx(θ, x)` — `ln p(x)` for the real step (8).
    pub fn joint_nll_with(&self, t: &[f64], ln_qx: &dyn Fn(&[f64], &[f64]) -> f64) -> f64 {
        let joint = self.nlls(t).iter().zip(&self.rows).fold(ScaledFloat::one(), |acc, (v, x)| {
            acc * (ScaledFloat::from_ln(-v) * ScaledFloat::from_ln(ln_qx(t, x)))
        });
        -joint.ln() / self.n() as f64
    }
    fn gradient(&self, t: &[f64]) -> Vec<f64> {
        self.obj.gradient(t).unwrap_or_else(|_| vec![f64::NAN; t.len()])
    }
    fn abs_scale(&self, t: &[f64]) -> f64 {
        self.nlls(t).iter().map(|v| v.abs()).sum::<f64>() + self.ln_px.iter().map(|v| v.abs()).sum::<f64>()
    }
}

impl<M: ConditionalDensityModel> ConditionalInstance<'_, M> {
    /// The harness's own `∫ q_θ(y | xᵢ) dy` (or `Σ_y`) at `θ` for row `i`.
    pub fn conditional_mass(&self, t: &[f64], i: usize) -> Result<Mass, String> {
        let etas = self.obj.linear_predictors(t).map_err(|e| e.to_string())?;
        let model = self.obj.model();
        let eta: Vec<f64> = etas.iter().map(|e| e[i]).collect();
        let extra = &t[t.len().saturating_sub(model.extra_names().len())..];
        let space = model.target_space(&eta, extra).ok_or("no target space")?;
        let mut hints = self.y.to_vec();
        hints.extend(&eta);
        Ok(total_mass(&|y| (-model.nll(&eta, extra, y)).exp(), space, &hints))
    }
    /// The conditional masses at the premise points × ten rows spread
    /// over the data, as one check named `check`.
    fn conditional_check(&self, check: &'static str, points: &[Vec<f64>]) -> CheckOutcome {
        let n = self.n();
        let cells: Vec<Vec<f64>> = points
            .iter()
            .enumerate()
            .flat_map(|(k, t)| {
                spread_rows(n, k).into_iter().map(move |i| {
                    let mut c = t.clone();
                    c.push(i as f64);
                    c
                })
            })
            .collect();
        premises::unit_mass(check, &cells, |c| {
            let (t, i) = c.split_at(c.len() - 1);
            self.conditional_mass(t, i[0] as usize)
        })
    }
}

/// Ten rows of `n` spread evenly over the data, shifted by `k` (the k-th
/// premise point looks at other rows than the first): `j·n/10 + k` mod n.
fn spread_rows(n: usize, k: usize) -> Vec<usize> {
    (0..10).map(|j| (j * n / 10 + k) % n.max(1)).collect()
}

fn tol(n: usize) -> f64 {
    4.0 * n as f64 * f64::EPSILON
}

/// `(4)`: the conditional likelihood is defined at every point (scaled
/// representation), while the naive product underflows; and the premises
/// of Part B: `q_θ(y | x)` is a density in `y` (the harness's own `∫`/`Σ`
/// at the premise points and ten rows) and the loss's derivatives are
/// those of its values.
pub fn step_4<M: ConditionalDensityModel>(c: &ConditionalInstance<'_, M>) -> StepReport {
    let positive = c.points.iter().all(|t| c.likelihood(t).mantissa() > 0.0);
    let naive: f64 = c.nlls(&c.theta_hat).iter().fold(1.0, |acc, v| acc * (-v).exp());
    let l = c.likelihood(&c.theta_hat).to_string();
    let check = CheckOutcome::new(
        "likelihood_defined",
        positive,
        format!("L = {l} at the MLE; the f64 product gives {naive:e}"),
        &[("likelihood_at_mle", json!(l)), ("naive_f64_product_at_mle", json!(naive))],
    );
    let normalised = c.conditional_check("density_normalised", &c.premise_points);
    let derivatives = premises::objective_derivatives(&c.premise_points, &c.obj, derive_seed(0, &c.model_name()));
    StepReport::from_checks(StepId::ConditionalLikelihood, &c.model_name(), vec![check, normalised, derivatives])
}

/// `(4)->(5)`: log of the product → sum of logs: same maximiser (order of
/// the scaled products preserved by `g`) and equal values.
pub fn step_4_5<M: EtaModel>(c: &ConditionalInstance<'_, M>, g: &dyn Fn(&[f64]) -> f64) -> StepReport {
    let n = c.n();
    let cmp = |a: &[f64], b: &[f64]| {
        let (la, lb) = (c.likelihood(a), c.likelihood(b));
        la.exponent().cmp(&lb.exponent()).then(la.mantissa().total_cmp(&lb.mantissa()))
    };
    let order = order_preservation_by(&c.pairs, cmp, |t| c.likelihood(t).ln(), g, Order::Increasing);
    let ident = pointwise_identity(&c.points, |t| (c.likelihood(t).ln(), g(t), tol(n) * c.abs_scale(t)));
    StepReport::from_checks(StepId::ConditionalLog, &c.model_name(), vec![order, ident])
}

/// `(5)->(6)`: argmax of the sum of logs = argmin of the average NLL `g`.
pub fn step_5_6<M: EtaModel>(c: &ConditionalInstance<'_, M>, g: &dyn Fn(&[f64]) -> f64) -> StepReport {
    let n = c.n() as f64;
    let order = order_preservation(&c.pairs, |t| c.sum_of_logs(t), g, Order::Affine { sign: -1.0, tol: tol(c.n()) });
    let start = c.points.first().unwrap_or(&c.theta_hat);
    let left = c.sum_of_logs_minimum.get_or_init(|| local_minimum(&|t| -c.sum_of_logs(t) / n, start));
    let same = same_optimiser_given(left, start, &|t| -c.sum_of_logs(t) / n, g);
    StepReport::from_checks(StepId::CrossEntropyLoss, &c.model_name(), vec![order, same])
}

/// `(6)->(7)`: adding `added(θ)` (for the real step the θ-independent
/// `(1/n) Σ −log p(xᵢ)`) keeps the argmin: affine with `c = 1`, same
/// optimiser, and the added term's gradient is zero (to the round-off of
/// computing it) at the first eight of the instance's points.
pub fn step_6_7<M: EtaModel>(c: &ConditionalInstance<'_, M>, added: &dyn Fn(&[f64]) -> f64) -> StepReport {
    let g = |t: &[f64]| c.loss(t) + added(t);
    let order = order_preservation(&c.pairs, |t| c.loss(t), g, Order::Affine { sign: 1.0, tol: tol(c.n()) });
    let start = c.points.first().unwrap_or(&c.theta_hat);
    let left = c.loss_minimum.get_or_init(|| local_minimum(&|t| c.loss(t), start));
    let same = same_optimiser_given(left, start, &|t| c.loss(t), &g);
    // Eight points: a θ-dependent term shows its gradient at any of them,
    // and each point costs 17 evaluations of the term per coordinate where
    // its round-off must be measured.
    let grads = gradient_agreement(
        &c.points[..c.points.len().min(8)],
        added,
        |t| c.gradient(t),
        |t| {
            let a = added_term_gradient(added, t);
            c.gradient(t).iter().zip(a).map(|(x, y)| x + y).collect()
        },
        1e-12,
    );
    StepReport::from_checks(StepId::AddInputTerm, &c.model_name(), vec![order, same, grads])
}

/// `(7)->(8)` with the joint's x-marginal `ln_qx(θ, x)` (`ln p(x)` for the
/// real step): `q_θ(x) = p(x)` at every row and point (the definition, to
/// `4ε|ln p|`), so the joint objective equals (7) pointwise; the
/// x-marginal is a density (the harness's own `∫ p`); and the joint's
/// conditional is the model, a density in `y` at the rows — so the joint
/// `q_θ(y, x) = q_θ(y | x) p(x)` integrates to one.
pub fn step_7_8<M: ConditionalDensityModel>(
    c: &ConditionalInstance<'_, M>,
    ln_qx: &dyn Fn(&[f64], &[f64]) -> f64,
) -> StepReport {
    let n = c.n();
    let ident = pointwise_identity(&c.points, |t| {
        (c.loss_plus_input(t), c.joint_nll_with(t, ln_qx), tol(n) * c.abs_scale(t) / n as f64)
    });
    let mut worst = 0.0f64;
    for t in c.points.iter().take(5) {
        for (x, lp) in c.rows.iter().zip(&c.ln_px) {
            let d = (ln_qx(t, x) - lp).abs() / (4.0 * f64::EPSILON * lp.abs().max(1.0));
            worst = if d.is_nan() { f64::INFINITY } else { worst.max(d) };
        }
    }
    let marginal = CheckOutcome::new(
        "marginal_is_p",
        worst <= 1.0,
        format!("q_θ(x) = p(x) at every row: deviation {worst:.1e} × 4ε|ln p| (bound 1)"),
        &[("max_deviation_over_bound", json!(worst)), ("rows", json!(n))],
    );
    let input = premises::unit_mass("input_normalised", &[vec![]], |_| c.input.mass(&c.rows));
    let conditional = c.conditional_check("conditional_normalised", &c.points[..c.points.len().min(3)]);
    StepReport::from_checks(StepId::JointModel, &c.model_name(), vec![ident, marginal, input, conditional])
}

/// Standard normal inputs: features `n × d` and `ln p(xᵢ)`.
pub fn gaussian_inputs(n: usize, d: usize, seed: u64) -> (DMatrix<f64>, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let x: DMatrix<f64> = DMatrix::from_fn(n, d, |_, _| rand_distr::StandardNormal.sample(&mut rng));
    let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let ln_px = (0..n).map(|i| (0..d).map(|j| -0.5 * x[(i, j)].powi(2) - half_ln_2pi).sum()).collect();
    (x, ln_px)
}

/// Part B's exact steps `(4)` … `(7)->(8)` on one instance.
pub fn part_b_exact<M: ConditionalDensityModel>(c: &ConditionalInstance<'_, M>) -> Vec<StepReport> {
    let input = c.input_term();
    vec![
        step_4(c),
        step_4_5(c, &|t| c.sum_of_logs(t)),
        step_5_6(c, &|t| c.loss(t)),
        step_6_7(c, &|_t| input),
        step_7_8(c, &|_, x| c.input.ln_density(x)),
    ]
}

/// The controls of Part B's exact steps on one instance: a θ-dependent
/// x-marginal and `e⁵p(x)` in the joint of `(7)->(8)`, a θ-dependent
/// "constant", a penalty, the loss on permuted labels (`permuted`: the
/// average NLL with the targets shuffled) — all to be rejected — and two
/// valid θ-free added terms (one computed with round-off, as a difference
/// of two objectives), to be accepted, and that difference with a slope of
/// 1e-6, to be rejected. (Wrong models and improper
/// input densities need instances of their own: `run` builds them.)
pub fn part_b_controls<M: ConditionalDensityModel>(
    c: &ConditionalInstance<'_, M>,
    permuted: &dyn Fn(&[f64]) -> f64,
) -> Vec<ControlOutcome> {
    use Kind::{Negative, Positive};
    let input = c.input_term();
    let ln_p = |x: &[f64]| c.input.ln_density(x);
    vec![
        ControlOutcome::new(
            "theta-dependent x-marginal q_theta(x) in the joint",
            Negative,
            step_7_8(c, &|t, x| ln_p(x) + 0.1 * t[0] * x.first().copied().unwrap_or(1.0) - 0.005 * t[0] * t[0]),
        ),
        ControlOutcome::new("joint x-marginal e^5 p(x)", Negative, step_7_8(c, &|_, x| ln_p(x) + 5.0)),
        ControlOutcome::new(
            "(n-1)/n of the sum of logs (an observation short)",
            Negative,
            step_4_5(c, &|t| c.sum_of_logs(t) * (1.0 - 1.0 / c.n() as f64)),
        ),
        ControlOutcome::new(
            "theta-dependent 'constant' -log q_theta(x)",
            Negative,
            step_6_7(c, &|t| 0.5 * (t[0] - 0.3).powi(2) + input),
        ),
        ControlOutcome::new(
            "penalty lambda*|theta|^2",
            Negative,
            step_6_7(c, &|t| 0.1 * t.iter().map(|v| v * v).sum::<f64>()),
        ),
        ControlOutcome::new("permuted labels", Negative, step_5_6(c, permuted)),
        ControlOutcome::new("adding the true -log p(x)", Positive, step_6_7(c, &|_t| input)),
        ControlOutcome::new("constant 42 added", Positive, step_6_7(c, &|_t| 42.0)),
        ControlOutcome::new(
            "-log p(x) computed as the joint NLL (8) minus the loss (6)",
            Positive,
            step_6_7(c, &|t| c.joint_nll(t) - c.loss(t)),
        ),
        ControlOutcome::new(
            "joint NLL minus loss, plus 1e-6*theta_0",
            Negative,
            step_6_7(c, &|t| c.joint_nll(t) - c.loss(t) + 1e-6 * t[0]),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn premise_rows_are_spread_and_shifted_per_point() {
        assert_eq!(spread_rows(1000, 0), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
        assert_eq!(spread_rows(1000, 1), [1, 101, 201, 301, 401, 501, 601, 701, 801, 901]);
        assert_eq!(spread_rows(1000, 2), [2, 102, 202, 302, 402, 502, 602, 702, 802, 902]);
        // Fewer rows than ten: every row, wrapping, never out of range.
        assert_eq!(spread_rows(4, 3), [3, 3, 3, 0, 0, 1, 1, 1, 2, 2]);
        assert_eq!(spread_rows(0, 2), [0; 10]);
    }
}
