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
    let h0 = f64::EPSILON.cbrt();
    (0..u.len())
        .map(|i| {
            let h = h0 * u[i].abs().max(1.0);
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
fn local_minimum(f: &dyn Fn(&[f64]) -> f64, u0: &[f64]) -> Option<(Vec<f64>, f64, bool)> {
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
    let (a, b) = (local_minimum(to_min_f, u0), local_minimum(to_min_g, u0));
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

/// Gradient agreement for a step that adds a term: the added term's
/// gradient (autodiff or exact, passed in) is zero at every point, and the
/// two sides' gradients agree within `tol`.
pub fn gradient_agreement(
    points: &[Vec<f64>],
    added_term_gradient: impl Fn(&[f64]) -> Vec<f64>,
    grad_f: impl Fn(&[f64]) -> Vec<f64>,
    grad_g: impl Fn(&[f64]) -> Vec<f64>,
    tol: f64,
) -> CheckOutcome {
    let mut worst_added = 0.0f64;
    let mut worst_diff = 0.0f64;
    for p in points {
        worst_added = added_term_gradient(p).iter().fold(worst_added, |m, v| m.max(v.abs()));
        let (a, b) = (grad_f(p), grad_g(p));
        worst_diff = a.iter().zip(&b).fold(worst_diff, |m, (x, y)| m.max((x - y).abs() / x.abs().max(1.0)));
    }
    CheckOutcome::new(
        "gradient_agreement",
        worst_added == 0.0 && worst_diff <= tol,
        format!("added-term gradient {worst_added:.1e} (bound 0), gradients apart {worst_diff:.1e} (bound {tol:.1e})"),
        &[
            ("max_added_term_gradient", json!(worst_added)),
            ("max_gradient_difference", json!(worst_diff)),
            ("tolerance", json!(tol)),
        ],
    )
}
