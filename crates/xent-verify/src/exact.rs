//! The four checks of exact steps (catalogue, "Two kinds of step"):
//! pointwise identity, order preservation, same optimiser, gradient
//! agreement. Each takes the two sides as functions of the unconstrained
//! parameters `u` and states the tolerance it uses.

use nalgebra::DMatrix;
use serde_json::json;
use xent_optim::{FnProblem, Method, Options, minimise};

use crate::step::CheckOutcome;

/// Pointwise identity: at every point, `|lhs − rhs| ≤ bound`, where the
/// closure returns `(lhs, rhs, bound)` — the bound is the step's stated
/// rounding allowance `c · n · ε · scale` at that point.
pub fn pointwise_identity(points: &[Vec<f64>], sides: impl Fn(&[f64]) -> (f64, f64, f64)) -> CheckOutcome {
    let mut worst_dev = 0.0f64;
    let mut worst_ratio = 0.0f64;
    let mut bound_at_worst = 0.0;
    let mut ok = true;
    for p in points {
        let (l, r, bound) = sides(p);
        let dev = if l == r { 0.0 } else { (l - r).abs() };
        let ratio = if bound > 0.0 {
            dev / bound
        } else if dev == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        ok &= dev.is_finite() && dev <= bound;
        if !(ratio <= worst_ratio) {
            worst_ratio = ratio;
            worst_dev = dev;
            bound_at_worst = bound;
        }
    }
    CheckOutcome::new(
        "pointwise_identity",
        ok,
        format!("max deviation {worst_dev:.2e} <= bound {bound_at_worst:.2e}"),
        &[
            ("points", json!(points.len())),
            ("max_deviation", json!(worst_dev)),
            ("bound", json!(bound_at_worst)),
            ("max_deviation_over_bound", json!(worst_ratio)),
        ],
    )
}

/// How two objectives must move together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Order {
    /// `G = c·F + k` with one constant `c` of the given sign for all pairs
    /// (and any θ-independent `k`): `G(a) − G(b) = c · (F(a) − F(b))`, with
    /// `c` estimated as the median pair ratio, within the rounding allowance
    /// `tol · (|c|(|F(a)| + |F(b)|) + |G(a)| + |G(b)|)`. Accepts `1/(n−1)`
    /// for `1/n` and an added constant; rejects a θ-dependent scale or term.
    Affine {
        /// The required sign of `c` (`1.0` or `-1.0`).
        sign: f64,
        /// Relative rounding allowance.
        tol: f64,
    },
    /// `sign(G(a) − G(b)) = sign(F(a) − F(b))` (a strictly increasing map).
    Increasing,
    /// `sign(G(a) − G(b)) = −sign(F(a) − F(b))` (strictly decreasing).
    Decreasing,
}

/// Order preservation over pairs of points: the right side must rank every
/// pair as the step's relation says the left side does. `compare(a, b)`
/// returns `(ΔF sign or value, ΔG, scale terms)` through the closures.
pub fn order_preservation(
    pairs: &[(Vec<f64>, Vec<f64>)],
    f: impl Fn(&[f64]) -> f64,
    g: impl Fn(&[f64]) -> f64,
    order: Order,
) -> CheckOutcome {
    order_preservation_by(pairs, |a, b| f(a).total_cmp(&f(b)), |a| f(a), g, order)
}

/// [`order_preservation`] with a custom comparison of the left side (used for
/// the likelihood, compared as a mantissa–exponent number, not through its log).
pub fn order_preservation_by(
    pairs: &[(Vec<f64>, Vec<f64>)],
    cmp_f: impl Fn(&[f64], &[f64]) -> std::cmp::Ordering,
    f: impl Fn(&[f64]) -> f64,
    g: impl Fn(&[f64]) -> f64,
    order: Order,
) -> CheckOutcome {
    let mut preserved = 0usize;
    let mut worst = 0.0f64;
    // The constant of an affine relation: the median of the pair ratios.
    let c_hat = match order {
        Order::Affine { .. } => {
            let mut r: Vec<f64> = pairs
                .iter()
                .filter_map(|(a, b)| {
                    let df = f(a) - f(b);
                    let r = (g(a) - g(b)) / df;
                    (df != 0.0 && df.is_finite() && r.is_finite()).then_some(r)
                })
                .collect();
            r.sort_by(f64::total_cmp);
            r.get(r.len() / 2).copied().unwrap_or(f64::NAN)
        }
        _ => f64::NAN,
    };
    for (a, b) in pairs {
        let (ga, gb) = (g(a), g(b));
        let ok = match order {
            Order::Affine { sign, tol: _ } if !(f(a).is_finite() && f(b).is_finite()) => {
                // Where the left side is ±∞ (a likelihood that is 0 in f64)
                // the right side must be the same infinity times the sign.
                let same_inf = |fx: f64, gx: f64| {
                    if fx.is_finite() { gx.is_finite() } else { !fx.is_nan() && gx == fx * sign }
                };
                same_inf(f(a), ga) && same_inf(f(b), gb)
            }
            Order::Affine { sign, tol } => {
                let (fa, fb) = (f(a), f(b));
                let dev = ((ga - gb) - c_hat * (fa - fb)).abs();
                let allow = tol * ((fa.abs() + fb.abs()) * c_hat.abs() + ga.abs() + gb.abs());
                worst = worst.max(if allow > 0.0 { dev / allow } else { dev });
                dev.is_finite() && dev <= allow && c_hat * sign > 0.0
            }
            Order::Increasing | Order::Decreasing => {
                let fo = cmp_f(a, b);
                let go = ga.total_cmp(&gb);
                let want = if order == Order::Increasing { fo } else { fo.reverse() };
                // ±∞ is a value a monotone map may take (ln 0); NaN is not.
                !ga.is_nan() && !gb.is_nan() && go == want
            }
        };
        preserved += usize::from(ok);
    }
    let mut figures = vec![("pairs", json!(pairs.len())), ("pairs_preserved", json!(preserved))];
    if matches!(order, Order::Affine { .. }) {
        figures.push(("constant", json!(c_hat)));
        figures.push(("max_deviation_over_allowance", json!(worst)));
    }
    let key = format!("{preserved}/{} pairs order-preserved", pairs.len());
    CheckOutcome::new("order_preservation", preserved == pairs.len(), key, &figures)
}

/// Central-difference gradient, step `ε^(1/3)·max(1, |uᵢ|)`.
pub(crate) fn fd_gradient(f: &dyn Fn(&[f64]) -> f64, u: &[f64]) -> Vec<f64> {
    central_difference(f, u, f64::EPSILON.cbrt())
}

/// Central-difference gradient with step `rel·max(1, |uᵢ|)`.
fn central_difference(f: &dyn Fn(&[f64]) -> f64, u: &[f64], rel: f64) -> Vec<f64> {
    (0..u.len())
        .map(|i| {
            let h = rel * u[i].abs().max(1.0);
            let (mut a, mut b) = (u.to_vec(), u.to_vec());
            a[i] += h;
            b[i] -= h;
            (f(&a) - f(&b)) / (2.0 * h)
        })
        .collect()
}

/// Central-difference Hessian (for the uniqueness test of a minimiser).
fn fd_hessian(f: &dyn Fn(&[f64]) -> f64, u: &[f64]) -> DMatrix<f64> {
    let d = u.len();
    let h0 = f64::EPSILON.powf(0.25);
    DMatrix::from_fn(d, d, |i, j| {
        let (hi, hj) = (h0 * u[i].abs().max(1.0), h0 * u[j].abs().max(1.0));
        let at = |si: f64, sj: f64| {
            let mut v = u.to_vec();
            v[i] += si * hi;
            v[j] += sj * hj;
            f(&v)
        };
        (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0)) / (4.0 * hi * hj)
    })
}

/// The minimiser of `f` from `u0` by L-BFGS on central-difference
/// gradients, with its value and whether it is a unique finite minimum.
///
/// A stopping optimiser is not proof of a minimum: an objective whose
/// infimum lies at infinity (a normal NLL without `ln σ`, decaying like
/// `e^{−2u}`) has gradients below any tolerance far out. At a finite strict
/// minimum the curvature is positive definite and the Newton step `H⁻¹g`
/// is a tiny fraction of the distance already travelled (the optimiser
/// stops at `‖g‖∞ ≤ 1e-7`, so `|H⁻¹g| ≲ 1e-7/λ_min`); where the infimum is
/// at infinity, gradient and curvature vanish together and the Newton step
/// stays of order one (½ for `e^{−2u}`). The minimum is taken as unique and
/// finite when the finite-difference Hessian is positive definite, its
/// smallest eigenvalue above `1e-8` of its largest, and
/// `‖H⁻¹g‖∞ ≤ 1e-3·max(1, ‖u‖∞)`.
pub(crate) fn local_minimum(f: &dyn Fn(&[f64]) -> f64, u0: &[f64]) -> Minimum {
    let problem = FnProblem::new(u0.len(), f, |u: &[f64]| fd_gradient(f, u));
    let opts = Options { gradient_tol: 1e-7, max_iterations: 2000, ..Options::default() };
    let out = minimise(&problem, u0, &Method::lbfgs(), &opts, &mut ()).ok()?;
    if !out.value.is_finite() || !(out.termination.converged() || out.gradient_norm < 1e-5) {
        return None;
    }
    Some((out.x.clone(), out.value, finite_strict_minimum(f, &out.x)))
}

/// The test of [`local_minimum`] at `u`.
pub(crate) fn finite_strict_minimum(f: &dyn Fn(&[f64]) -> f64, u: &[f64]) -> bool {
    let h = fd_hessian(f, u);
    let g = nalgebra::DVector::from_vec(fd_gradient(f, u));
    if !h.iter().chain(g.iter()).all(|v| v.is_finite()) {
        return false;
    }
    let eig = h.clone().symmetric_eigenvalues();
    let (lo, hi) = (eig.min(), eig.max());
    let Some(chol) = h.cholesky() else { return false };
    let step = chol.solve(&g).amax();
    let scale = u.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    lo > 0.0 && lo > 1e-8 * hi && step <= 1e-3 * scale
}

/// Same optimiser: minimise both sides (`to_min_f`, `to_min_g`: each side
/// turned into a minimisation) from the same start; the minimisers must
/// agree within `1e-4·max(1, |u|)` — the optimiser stops at `‖∇‖∞ ≤ 1e-7`,
/// which for curvatures of order 1 places each within about 1e-7 of the true
/// minimiser, with finite-difference gradients adding ~1e-8 — each must be
/// no worse than the other on the other's objective (up to `1e-9` relative),
/// and each minimum must be isolated ("argmin not unique" fails).
pub fn same_optimiser(u0: &[f64], to_min_f: &dyn Fn(&[f64]) -> f64, to_min_g: &dyn Fn(&[f64]) -> f64) -> CheckOutcome {
    same_optimiser_given(&local_minimum(to_min_f, u0), u0, to_min_f, to_min_g)
}

/// A local minimum found by [`same_optimiser`]'s search from a start: the
/// minimiser, the value and whether it is isolated; `None` when there is
/// no finite one.
pub(crate) type Minimum = Option<(Vec<f64>, f64, bool)>;

/// [`same_optimiser`] with the left side's search from `u0` already done
/// (`a`, from [`local_minimum`]): a step whose controls share one left side
/// searches for its minimum once.
pub(crate) fn same_optimiser_given(
    a: &Minimum,
    u0: &[f64],
    to_min_f: &dyn Fn(&[f64]) -> f64,
    to_min_g: &dyn Fn(&[f64]) -> f64,
) -> CheckOutcome {
    let (a, b) = (a.clone(), local_minimum(to_min_g, u0));
    let (Some((ua, fa, ia)), Some((ub, gb, ib))) = (a.clone(), b.clone()) else {
        let reason = if a.is_none() { "left side has no finite minimum" } else { "right side has no finite minimum" };
        return CheckOutcome::new("same_optimiser", false, reason.to_string(), &[("reason", json!(reason))]);
    };
    let dist = ua.iter().zip(&ub).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    let scale = ua.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    let agree = dist <= 1e-4 * scale;
    let cross_f = to_min_f(&ub) >= fa - 1e-9 * fa.abs().max(1.0);
    let cross_g = to_min_g(&ua) >= gb - 1e-9 * gb.abs().max(1.0);
    let unique = ia && ib;
    CheckOutcome::new(
        "same_optimiser",
        agree && cross_f && cross_g && unique,
        format!("argmin distance {dist:.1e} (bound {:.1e})", 1e-4 * scale),
        &[
            ("max_distance", json!(dist)),
            ("tolerance", json!(1e-4 * scale)),
            ("argmin_unique", json!(unique)),
            ("each_no_worse_on_the_other", json!(cross_f && cross_g)),
        ],
    )
}

/// The step of the added term's central difference, relative to
/// `max(|θᵢ|, 1)`. Large on purpose: a θ-free term computed with round-off
/// (a difference of two objectives) has an error that is not white at the
/// scale of the usual ε^{1/3} step — over 50 seeds its ε^{1/3} difference
/// quotient reached 2e-7 for a softmax joint NLL minus its loss — while a
/// term with a real slope shows it at any step (the truncation error of a
/// central difference cannot cancel a slope except by design).
pub const ADDED_TERM_STEP: f64 = 1e-3;

/// The central-difference gradient of an added term at step
/// [`ADDED_TERM_STEP`]`·max(|uᵢ|, 1)`.
pub(crate) fn added_term_gradient(f: &dyn Fn(&[f64]) -> f64, u: &[f64]) -> Vec<f64> {
    central_difference(f, u, ADDED_TERM_STEP)
}

/// The round-off amplitude of `f` along coordinate `i` at `u` over
/// `[uᵢ − h, uᵢ + h]`: the largest residual of a least-squares quadratic
/// through `f` at 17 equally spaced points (a true slope and curvature are
/// removed by the fit; what is left is the error of computing `f`).
/// Non-finite values give infinity.
pub(crate) fn round_off(f: &dyn Fn(&[f64]) -> f64, u: &[f64], i: usize, h: f64) -> f64 {
    let xs: Vec<f64> = (-8..=8).map(|k| f64::from(k) / 8.0).collect();
    let vals: Vec<f64> = xs
        .iter()
        .map(|x| {
            let mut v = u.to_vec();
            v[i] += x * h;
            f(&v)
        })
        .collect();
    if vals.iter().any(|v| !v.is_finite()) {
        return f64::INFINITY;
    }
    // Orthogonal basis on the 17 points: 1, x, x² − mean(x²).
    let m2 = xs.iter().map(|x| x * x).sum::<f64>() / 17.0;
    let p2: Vec<f64> = xs.iter().map(|x| x * x - m2).collect();
    let a = vals.iter().sum::<f64>() / 17.0;
    let b = xs.iter().zip(&vals).map(|(x, v)| x * v).sum::<f64>() / xs.iter().map(|x| x * x).sum::<f64>();
    let c = p2.iter().zip(&vals).map(|(p, v)| p * v).sum::<f64>() / p2.iter().map(|p| p * p).sum::<f64>();
    xs.iter().zip(&p2).zip(&vals).map(|((x, p), v)| (v - a - b * x - c * p).abs()).fold(0.0, f64::max)
}

/// How many round-off amplitudes over the difference step the added
/// term's central difference may show: its round-off part is at most
/// `2R/(2h) = R/h` for an error of amplitude `R`; the 17-point residual may
/// underestimate `R` by a factor of ~2 (the fit absorbs part of it), and a
/// further 4 is headroom. A slope is still seen when it exceeds ~1e-8 of
/// the objective's scale for objectives computed to ~1e-12.
pub const ROUND_OFF_FACTOR: f64 = 8.0;

/// Gradient agreement for a step that adds a term `added(θ)`: at every
/// point, each component of the added term's central-difference gradient
/// (step [`ADDED_TERM_STEP`]) is within `tol·max(|∂f|, 1)` of zero — or,
/// for a term computed with round-off (a difference of two objectives),
/// within [`ROUND_OFF_FACTOR`] times its measured round-off over the step —
/// and the two sides' gradients agree within the same bound. A NaN or
/// infinite gradient anywhere fails. (`max_round_off_floor`: the largest
/// floor measured; it is measured only where a value exceeds `tol·scale`.)
pub fn gradient_agreement(
    points: &[Vec<f64>],
    added: &dyn Fn(&[f64]) -> f64,
    grad_f: impl Fn(&[f64]) -> Vec<f64>,
    grad_g: impl Fn(&[f64]) -> Vec<f64>,
    tol: f64,
) -> CheckOutcome {
    let worse = |m: f64, v: f64| if v.is_nan() { f64::INFINITY } else { m.max(v) };
    let mut worst_added = 0.0f64;
    let mut worst_diff = 0.0f64;
    let mut worst_floor = 0.0f64;
    for p in points {
        let (a, b) = (grad_f(p), grad_g(p));
        let da = added_term_gradient(added, p);
        if a.len() != p.len() || b.len() != p.len() {
            worst_diff = f64::INFINITY;
        }
        for (i, d) in da.iter().enumerate() {
            let scale = a.get(i).map_or(1.0, |g| g.abs().max(1.0));
            // The round-off floor can only widen the bound: it is measured
            // (17 evaluations of the term) only where a value exceeds
            // `tol·scale`.
            let gap = match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => (x - y).abs(),
                _ => 0.0,
            };
            let floor = if d.abs() > tol * scale || gap > tol * scale {
                let h = ADDED_TERM_STEP * p[i].abs().max(1.0);
                ROUND_OFF_FACTOR * round_off(added, p, i, h) / h
            } else {
                0.0
            };
            let bound = (tol * scale).max(floor);
            worst_floor = worse(worst_floor, floor / scale);
            // In units of the bound (an exact 0 is 0 even when the bound is).
            let over = |v: f64| if v == 0.0 { 0.0 } else { v.abs() / bound };
            worst_added = worse(worst_added, over(*d));
            if let (Some(x), Some(y)) = (a.get(i), b.get(i)) {
                worst_diff = worse(worst_diff, over(x - y));
            }
        }
    }
    CheckOutcome::new(
        "gradient_agreement",
        worst_added <= 1.0 && worst_diff <= 1.0,
        format!(
            "added-term gradient {worst_added:.1e} × its bound, gradients apart {worst_diff:.1e} × it (bound 1; \
             {tol:.0e} relative or the term's round-off)"
        ),
        &[
            ("max_added_term_gradient_over_bound", json!(worst_added)),
            ("max_round_off_floor", json!(worst_floor)),
            ("max_gradient_difference_over_bound", json!(worst_diff)),
            ("tolerance", json!(tol)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(added: &dyn Fn(&[f64]) -> f64, grad_f: Vec<f64>, grad_g: Vec<f64>) -> bool {
        let points = vec![vec![0.3, -1.2], vec![2.5, 0.7]];
        gradient_agreement(&points, added, |_| grad_f.clone(), |_| grad_g.clone(), 1e-12).passed
    }

    /// Pairs (a, b) of one-coordinate points.
    fn pairs(xs: &[(f64, f64)]) -> Vec<(Vec<f64>, Vec<f64>)> {
        xs.iter().map(|&(a, b)| (vec![a], vec![b])).collect()
    }

    fn preserved(c: &CheckOutcome) -> u64 {
        c.figures["pairs_preserved"].as_u64().expect("a count")
    }

    #[test]
    fn monotone_maps_preserve_or_reverse_every_pair() {
        let p = pairs(&[(0.5, 2.0), (3.0, 1.0), (1e-300, 1e300), (7.0, 7.0), (0.0, 1.0)]);
        let id = |x: &[f64]| x[0];
        let up = order_preservation(&p, id, |x| x[0].ln(), Order::Increasing);
        assert!(up.passed && preserved(&up) == 5, "{}", up.key);
        assert_eq!(up.key, "5/5 pairs order-preserved");
        assert_eq!(up.figures["pairs"], 5);
        let down = order_preservation(&p, id, |x| -x[0].ln(), Order::Decreasing);
        assert!(down.passed && preserved(&down) == 5);
        // The other direction: only the tied pair keeps its order.
        let wrong = order_preservation(&p, id, |x| -x[0], Order::Increasing);
        assert!(!wrong.passed && preserved(&wrong) == 1, "{}", wrong.key);
        let wrong = order_preservation(&p, id, |x| x[0], Order::Decreasing);
        assert!(!wrong.passed && preserved(&wrong) == 1);
        // NaN on the right breaks a pair (two pairs reach past 5); −∞
        // (ln 0, in the first check) does not.
        let nan = order_preservation(&p, id, |x| if x[0] > 5.0 { f64::NAN } else { x[0] }, Order::Increasing);
        assert_eq!(preserved(&nan), 3);
        // A square is monotone on (0, ∞) only: a pair across 0 is caught.
        let across = pairs(&[(1.0, 2.0), (-3.0, 1.0)]);
        assert_eq!(preserved(&order_preservation(&across, id, |x| x[0] * x[0], Order::Increasing)), 1);
        // The left side's own comparison is the one used.
        let by = order_preservation_by(&p, |a, b| b[0].total_cmp(&a[0]), id, |x| -x[0], Order::Increasing);
        assert!(by.passed, "{}", by.key);
        assert!(!order_preservation(&[], id, id, Order::Increasing).figures.contains_key("constant"));
    }

    #[test]
    fn an_affine_map_is_held_to_one_constant_within_its_rounding_allowance() {
        let xs = [(1.0, 2.0), (0.5, 4.0), (-3.0, 6.0), (10.0, -1.0), (2.5, 2.25)];
        let id = |x: &[f64]| x[0];
        let affine = |sign: f64| Order::Affine { sign, tol: 1e-9 };
        let c = order_preservation(&pairs(&xs), id, |x| 3.0 * x[0] + 7.0, affine(1.0));
        assert!(c.passed, "{}", c.key);
        assert_eq!(c.figures["constant"], 3.0);
        // The required sign: a scale of 3 is not a negation.
        let c = order_preservation(&pairs(&xs), id, |x| 3.0 * x[0] + 7.0, affine(-1.0));
        assert!(!c.passed && preserved(&c) == 0);
        let c = order_preservation(&pairs(&xs), id, |x| -0.5 * x[0], affine(-1.0));
        assert!(c.passed && c.figures["constant"] == -0.5);
        // One pair off by δ: the allowance is tol·(|c|(|F(a)| + |F(b)|) +
        // |G(a)| + |G(b)|) = 1e-9·(3·3 + 10 + 13) = 3.2e-8 for (1, 2).
        let bent = |d: f64| move |x: &[f64]| 3.0 * x[0] + 7.0 + if x[0] == 2.0 && d != 0.0 { d } else { 0.0 };
        let only_first = pairs(&[(1.0, 2.0), (0.5, 4.0), (-3.0, 6.0), (10.0, -1.0), (2.5, 2.25), (0.25, 8.0)]);
        let inside = order_preservation(&only_first, id, bent(0.9 * 3.2e-8), affine(1.0));
        assert!(inside.passed, "{}", inside.key);
        let ratio = inside.figures["max_deviation_over_allowance"].as_f64().expect("a number");
        assert!((ratio - 0.9).abs() < 1e-6, "{ratio}");
        let outside = order_preservation(&only_first, id, bent(1.1 * 3.2e-8), affine(1.0));
        assert!(!outside.passed && preserved(&outside) == 5, "{}", outside.key);
        // The constant is the median ratio: one wild pair does not move it.
        let wild = |x: &[f64]| if x[0] == 8.0 { 1e6 } else { 3.0 * x[0] + 7.0 };
        let c = order_preservation(&only_first, id, wild, affine(1.0));
        assert_eq!((c.figures["constant"].as_f64(), preserved(&c)), (Some(3.0), 5));
        // A θ-dependent scale (G = F²) has no one constant.
        assert!(!order_preservation(&pairs(&xs), id, |x| x[0] * x[0], affine(1.0)).passed);
        // No pair with F(a) ≠ F(b): no constant, nothing preserved.
        let c = order_preservation(&pairs(&[(1.0, 1.0)]), id, |x| 3.0 * x[0], affine(1.0));
        assert!(!c.passed && c.figures["constant"].is_null());
    }

    #[test]
    fn an_affine_map_takes_the_left_sides_infinities_times_its_sign() {
        // F = ln L with L = 0 in f64 at x = 0: F = −∞, and G = c·F + k must
        // be −∞·sign there and finite where F is.
        let f = |x: &[f64]| if x[0] == 0.0 { f64::NEG_INFINITY } else { x[0] };
        let p = pairs(&[(0.0, 1.0), (2.0, 3.0), (4.0, 1.0)]);
        let g_up = |x: &[f64]| if x[0] == 0.0 { f64::NEG_INFINITY } else { 2.0 * x[0] };
        assert!(order_preservation(&p, f, g_up, Order::Affine { sign: 1.0, tol: 1e-12 }).passed);
        let g_down = |x: &[f64]| if x[0] == 0.0 { f64::INFINITY } else { -2.0 * x[0] };
        assert!(order_preservation(&p, f, g_down, Order::Affine { sign: -1.0, tol: 1e-12 }).passed);
        // The wrong infinity, or a finite value where F is infinite, fails.
        assert!(!order_preservation(&p, f, g_down, Order::Affine { sign: 1.0, tol: 1e-12 }).passed);
        let finite = |x: &[f64]| 2.0 * x[0];
        let c = order_preservation(&p, f, finite, Order::Affine { sign: 1.0, tol: 1e-12 });
        assert!(!c.passed && preserved(&c) == 2, "{}", c.key);
        let nan_where_infinite = |x: &[f64]| if x[0] == 0.0 { f64::NAN } else { 2.0 * x[0] };
        assert!(!order_preservation(&p, f, nan_where_infinite, Order::Affine { sign: 1.0, tol: 1e-12 }).passed);
    }

    #[test]
    fn pointwise_identity_holds_at_its_bound_and_reports_the_worst_point() {
        let pts: Vec<Vec<f64>> = vec![vec![0.0], vec![1.0], vec![2.0]];
        // Deviations 0, 0.5e-12 and 0.9e-12 against bounds 1e-12, 1e-12, 1e-12.
        let dev = [0.0, 0.5e-12, 0.9e-12];
        let c = pointwise_identity(&pts, |p| (1.0 + dev[p[0] as usize], 1.0, 1e-12));
        assert!(c.passed, "{}", c.key);
        let ratio = c.figures["max_deviation_over_bound"].as_f64().expect("a number");
        assert!((ratio - 0.9e-12 / 1e-12).abs() < 1e-3, "{ratio}");
        assert_eq!(c.figures["points"], 3);
        assert_eq!(c.figures["bound"], 1e-12);
        // The worst point is the worst ratio, not the largest deviation.
        let c = pointwise_identity(&pts, |p| match p[0] as usize {
            0 => (2.0, 1.0, 10.0),
            1 => (1.0 + 1e-12, 1.0, 2e-12),
            _ => (1.0, 1.0, 1.0),
        });
        assert!(c.passed);
        let worst = c.figures["max_deviation"].as_f64().expect("a number");
        assert!((worst - 1e-12).abs() < 1e-15 && c.figures["bound"] == 2e-12, "{worst}");
        let c = pointwise_identity(&pts, |p| if p[0] == 1.0 { (1.0 + 1.1e-12, 1.0, 1e-12) } else { (1.0, 1.0, 1e-12) });
        assert!(!c.passed);
        assert!((c.figures["max_deviation_over_bound"].as_f64().expect("a number") - 1.1).abs() < 1e-3);
        // A zero bound allows only equality; infinities equal are equal; NaN fails.
        assert!(pointwise_identity(&pts, |_| (3.0, 3.0, 0.0)).passed);
        assert!(!pointwise_identity(&pts, |_| (3.0, 3.0 + 4e-16, 0.0)).passed);
        assert!(pointwise_identity(&pts, |_| (f64::NEG_INFINITY, f64::NEG_INFINITY, 1e-12)).passed);
        assert!(!pointwise_identity(&pts, |_| (f64::NAN, 1.0, 1e-12)).passed);
        assert!(!pointwise_identity(&pts, |_| (f64::INFINITY, 1.0, 1e-12)).passed);
        assert!(pointwise_identity(&[], |_| (f64::NAN, 1.0, 0.0)).passed, "no point, nothing violated");
    }

    #[test]
    fn finite_differences_are_accurate_at_any_scale() {
        // f = e^{u0/100} + u0·u1² + 3u1: at (250, −2) the steps scale with |u0|.
        let f = |u: &[f64]| (u[0] / 100.0).exp() + u[0] * u[1] * u[1] + 3.0 * u[1];
        let u = [250.0, -2.0];
        let g = fd_gradient(&f, &u);
        let want = [(2.5f64).exp() / 100.0 + 4.0, 2.0 * 250.0 * -2.0 + 3.0];
        for (a, b) in g.iter().zip(want) {
            assert!((a - b).abs() < 1e-7 * b.abs().max(1.0), "{g:?} vs {want:?}");
        }
        let h = fd_hessian(&f, &u);
        let want = [[(2.5f64).exp() / 1e4, -4.0], [-4.0, 500.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((h[(i, j)] - want[i][j]).abs() < 1e-5 * want[i][j].abs().max(1.0), "{h} vs {want:?}");
            }
        }
        // Central differences of a cubic are exact up to h²·f'''/6.
        let cubic = |u: &[f64]| u[0].powi(3);
        let d = central_difference(&cubic, &[2.0], 1e-2);
        // (Step 1e-2·max(1, |u|): 0.02 at 2, error h² = 4e-4; 0.2 at −20.)
        assert!((d[0] - (12.0 + 4e-4)).abs() < 1e-10, "{d:?}");
        let d = central_difference(&cubic, &[-20.0], 1e-2);
        assert!((d[0] - (1200.0 + 0.04)).abs() < 1e-8, "{d:?}");
    }

    #[test]
    fn a_strict_minimum_is_told_from_a_saddle_a_valley_and_an_infimum_at_infinity() {
        let bowl = |u: &[f64]| (u[0] - 1.0).powi(2) + 2.0 * (u[1] + 3.0).powi(2) + 0.5 * (u[0] - 1.0) * (u[1] + 3.0);
        assert!(finite_strict_minimum(&bowl, &[1.0, -3.0]));
        // Far from it (a Newton step of 1 against |u| = 3: more than 1e-3·3).
        assert!(!finite_strict_minimum(&bowl, &[2.0, -3.0]));
        // Within 1e-3·max(1, |u|) of it: close enough.
        assert!(finite_strict_minimum(&bowl, &[1.0 + 2e-3, -3.0]));
        assert!(!finite_strict_minimum(&bowl, &[1.0 + 4e-3, -3.0]));
        let saddle = |u: &[f64]| u[0] * u[0] - u[1] * u[1];
        assert!(!finite_strict_minimum(&saddle, &[0.0, 0.0]));
        let valley = |u: &[f64]| (u[0] - u[1]).powi(2);
        assert!(!finite_strict_minimum(&valley, &[1.0, 1.0]));
        // Curvature 1e-10 of the largest: not isolated.
        let flat = |u: &[f64]| u[0] * u[0] + 1e-10 * u[1] * u[1];
        assert!(!finite_strict_minimum(&flat, &[0.0, 0.0]));
        let fine = |u: &[f64]| u[0] * u[0] + 1e-6 * u[1] * u[1];
        assert!(finite_strict_minimum(&fine, &[0.0, 0.0]));
        // e^{−2u} far out: gradient and curvature tiny, Newton step ½.
        let decay = |u: &[f64]| (-2.0 * u[0]).exp();
        assert!(!finite_strict_minimum(&decay, &[20.0]));
        assert!(!finite_strict_minimum(&|_: &[f64]| f64::NAN, &[0.0]));
    }

    #[test]
    fn same_optimiser_needs_one_isolated_argmin_on_both_sides() {
        let f = |u: &[f64]| (u[0] - 1.0).powi(2) + (u[1] + 2.0).powi(2);
        // A monotone transform of f (same argmin), and a shifted one.
        let g = |u: &[f64]| 3.0 * f(u) + 7.0;
        let c = same_optimiser(&[0.0, 0.0], &f, &g);
        assert!(c.passed, "{}", c.key);
        assert_eq!(c.figures["argmin_unique"], true);
        let shifted = |u: &[f64]| (u[0] - 1.01).powi(2) + (u[1] + 2.0).powi(2);
        let c = same_optimiser(&[0.0, 0.0], &f, &shifted);
        assert!(!c.passed, "{}", c.key);
        let tol = c.figures["tolerance"].as_f64().expect("a number");
        assert!((tol - 2e-4).abs() < 1e-9, "1e-4·max(1, |u|), |u| = 2: {tol}");
        // Just inside the tolerance (argmins 1e-4 apart at |u| = 2).
        let near = |u: &[f64]| (u[0] - 1.0 - 1e-4).powi(2) + (u[1] + 2.0).powi(2);
        assert!(same_optimiser(&[0.0, 0.0], &f, &near).passed);
        // A side whose infimum is at infinity: the search stops far out
        // (gradients vanish), and that stop is not an isolated minimum.
        let decay = |u: &[f64]| (-u[0]).exp() + (u[1] + 2.0).powi(2);
        for c in [same_optimiser(&[0.0, 0.0], &f, &decay), same_optimiser(&[0.0, 0.0], &decay, &f)] {
            assert!(!c.passed && c.figures["argmin_unique"] == false, "{}", c.key);
        }
        // A side that is NaN everywhere has no finite minimum at all.
        let nan = |_: &[f64]| f64::NAN;
        let c = same_optimiser(&[0.0, 0.0], &f, &nan);
        assert!(!c.passed && c.key == "right side has no finite minimum", "{}", c.key);
        let c = same_optimiser(&[0.0, 0.0], &nan, &f);
        assert!(!c.passed && c.key == "left side has no finite minimum", "{}", c.key);
        let valley = |u: &[f64]| (u[0] - 1.0 + u[1] + 2.0).powi(2);
        let c = same_optimiser(&[1.0, -2.0], &valley, &valley);
        assert!(!c.passed && c.figures["argmin_unique"] == false, "{}", c.key);
    }

    #[test]
    fn an_exact_constant_has_no_round_off_and_a_zero_gradient() {
        assert_eq!(round_off(&|_| 42.0, &[0.3, 1.0], 0, 1e-5), 0.0);
        assert!(passes(&|_| 42.0, vec![0.5, 0.5], vec![0.5, 0.5]));
    }

    #[test]
    fn a_slope_is_held_to_tol_times_the_larger_of_one_and_the_gradient() {
        // |∂f| = 0.5 → bound 1e-12; |∂f| = 3 → bound 3e-12.
        let slope = |s: f64| move |t: &[f64]| s * t[0];
        assert!(passes(&slope(0.9e-12), vec![0.5, 0.5], vec![0.5, 0.5]));
        assert!(!passes(&slope(1.1e-12), vec![0.5, 0.5], vec![0.5, 0.5]));
        assert!(passes(&slope(2.9e-12), vec![3.0, 0.5], vec![3.0, 0.5]));
        assert!(!passes(&slope(3.1e-12), vec![3.0, 0.5], vec![3.0, 0.5]));
        // The second coordinate is checked too.
        assert!(!passes(&|t: &[f64]| 1.1e-12 * t[1], vec![0.5, 0.5], vec![0.5, 0.5]));
    }

    #[test]
    fn the_two_gradients_agree_to_tol_relative() {
        let g = 2.0;
        assert!(passes(&|_| 0.0, vec![g, 0.1], vec![g * (1.0 + 0.95e-12), 0.1]));
        assert!(!passes(&|_| 0.0, vec![g, 0.1], vec![g * (1.0 + 1.05e-12), 0.1]));
        // Below 1 the difference is absolute.
        assert!(passes(&|_| 0.0, vec![0.1, 0.1], vec![0.1 + 0.95e-12, 0.1]));
        assert!(!passes(&|_| 0.0, vec![0.1, 0.1], vec![0.1 + 1.05e-12, 0.1]));
        assert!(!passes(&|_| 0.0, vec![0.1, 0.1], vec![0.1]), "a short gradient fails");
    }

    #[test]
    fn a_difference_of_two_objectives_passes_at_its_round_off_and_a_slope_above_it_fails() {
        // Algebraically 0.37, computed as two objectives rounded differently.
        let theta_free = |t: &[f64]| (1e3 * (t[0].sin() + t[1].exp()) + 0.37) - (1e3 * t[0].sin() + 1e3 * t[1].exp());
        let floor = round_off(&theta_free, &[0.3, -1.2], 0, ADDED_TERM_STEP);
        assert!(floor > 0.0 && floor < 1e-11, "round-off {floor:e}");
        assert!(passes(&theta_free, vec![0.5, 0.5], vec![0.5, 0.5]));
        let sloped = move |t: &[f64]| theta_free(t) + 1e-6 * t[0];
        assert!(!passes(&sloped, vec![0.5, 0.5], vec![0.5, 0.5]));
        // A slope or a curvature removed by the fit does not count as round-off.
        assert!(round_off(&|t: &[f64]| 0.25 * t[0], &[0.3], 0, 1e-3) < 1e-15);
        assert!(round_off(&|t: &[f64]| 0.5 * (t[0] - 0.3).powi(2), &[0.3], 0, 1e-3) < 1e-15);
        // Curvature alone is not a zero gradient: ½(θ − 0.3)² at θ = 0.3 ± 1 fails.
        assert!(!passes(&|t: &[f64]| 0.5 * (t[0] - 0.3).powi(2), vec![0.5, 0.5], vec![0.5, 0.5]));
    }

    #[test]
    fn nan_anywhere_fails() {
        assert!(!passes(&|t: &[f64]| if t[0] > 1.0 { f64::NAN } else { 1.0 }, vec![0.5, 0.5], vec![0.5, 0.5]));
        assert!(!passes(&|_| 1.0, vec![f64::NAN, 0.5], vec![0.5, 0.5]));
        assert!(!passes(&|_| 1.0, vec![0.5, 0.5], vec![0.5, f64::NAN]));
        assert_eq!(round_off(&|_| f64::INFINITY, &[0.0], 0, 1e-5), f64::INFINITY);
    }
}
