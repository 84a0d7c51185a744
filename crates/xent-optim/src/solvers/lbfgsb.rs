//! The L-BFGS-B step of Byrd, Lu, Nocedal and Zhu (1995): the generalized
//! Cauchy point along the projected steepest-descent path of the compact
//! limited-memory model, then a minimisation of the model over the
//! variables the Cauchy point leaves free (the direct primal method),
//! truncated to the box.

use nalgebra::{DMatrix, DVector};

use super::lbfgs::Pairs;
use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step, dot, sub};

/// L-BFGS-B: the box and the correction pairs.
pub(crate) struct LbfgsB {
    lower: Vec<f64>,
    upper: Vec<f64>,
    pairs: Pairs,
}

impl LbfgsB {
    pub(crate) fn new(memory: usize, lower: &[f64], upper: &[f64], n: usize) -> Result<Self, &'static str> {
        if lower.len() != n || upper.len() != n {
            return Err("bounds must have one entry per variable");
        }
        if lower.iter().zip(upper).any(|(l, u)| !(l <= u) || l.is_nan() || u.is_nan()) {
            return Err("each lower bound must be <= its upper bound");
        }
        Ok(LbfgsB { lower: lower.to_vec(), upper: upper.to_vec(), pairs: Pairs::new(memory) })
    }
}

impl<P: Problem> Solver<P> for LbfgsB {
    fn bounds(&self) -> Option<(&[f64], &[f64])> {
        Some((&self.lower, &self.upper))
    }

    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, _it: usize) -> Step {
        let (l, u) = (&self.lower[..], &self.upper[..]);
        // The generalized Cauchy point and subspace minimum of the
        // limited-memory model; steepest descent projected on the box
        // (empty memory) if the model is degenerate or points uphill.
        let mut d: Vec<f64> = match target(&s.x, &s.g, l, u, &self.pairs.s, &self.pairs.y) {
            Some(xbar) => sub(&xbar, &s.x),
            None => Vec::new(),
        };
        if d.is_empty() || !(dot(&d, &s.g) < 0.0) {
            self.pairs.clear();
            match target(&s.x, &s.g, l, u, &[], &[]) {
                Some(xbar) => d = sub(&xbar, &s.x),
                None => return Step::LineSearchFailed,
            }
            if !(dot(&d, &s.g) < 0.0) {
                return Step::LineSearchFailed;
            }
        }
        // x + t·d stays in the box for t ∈ [0, 1]: backtrack from 1
        // (projecting away rounding at the bounds).
        let mut t = 1.0;
        for _ in 0..60 {
            let mut x: Vec<f64> = s.x.iter().zip(&d).map(|(a, b)| a + t * b).collect();
            project(&mut x, l, u);
            let step = sub(&x, &s.x);
            match ev.value_and_gradient(&x) {
                Ok((f, g)) if f <= s.f + 1e-4 * dot(&s.g, &step) => return Step::Moved(State::new(x, f, g)),
                Ok(_) | Err(Step::NonFinite) => t *= 0.5,
                Err(other) => return other,
            }
        }
        Step::LineSearchFailed
    }

    fn accepted(&mut self, prev: &State, next: &State) {
        self.pairs.remember(prev, next);
    }
}

/// Projection onto the box.
pub(crate) fn project(x: &mut [f64], lower: &[f64], upper: &[f64]) {
    for ((v, &l), &u) in x.iter_mut().zip(lower).zip(upper) {
        *v = v.clamp(l, u);
    }
}

/// The projected gradient: zero where a bound holds the variable and the
/// gradient pushes outwards.
pub(crate) fn projected_gradient(x: &[f64], g: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    x.iter()
        .zip(g)
        .zip(lower.iter().zip(upper))
        .map(|((&xi, &gi), (&l, &u))| if (xi <= l && gi > 0.0) || (xi >= u && gi < 0.0) { 0.0 } else { gi })
        .collect()
}

/// The compact representation `B = θI − W M Wᵀ` of the L-BFGS matrix from
/// the pairs `(sᵢ, yᵢ)`, oldest first (Byrd, Nocedal & Schnabel 1994).
struct Compact {
    theta: f64,
    /// `n × 2m`: `[Y, θS]`.
    w: DMatrix<f64>,
    /// `2m × 2m`.
    m: DMatrix<f64>,
}

impl Compact {
    /// `None` when the middle matrix is singular.
    fn new(s: &[Vec<f64>], y: &[Vec<f64>], n: usize) -> Option<Compact> {
        let k = s.len();
        if k == 0 {
            return Some(Compact { theta: 1.0, w: DMatrix::zeros(n, 0), m: DMatrix::zeros(0, 0) });
        }
        let sm = DMatrix::from_fn(n, k, |i, j| s[j][i]);
        let ym = DMatrix::from_fn(n, k, |i, j| y[j][i]);
        let (sl, yl) = (&s[k - 1], &y[k - 1]);
        let sy: f64 = sl.iter().zip(yl).map(|(a, b)| a * b).sum();
        let yy: f64 = yl.iter().map(|a| a * a).sum();
        let theta = yy / sy;
        let mut w = DMatrix::zeros(n, 2 * k);
        w.columns_mut(0, k).copy_from(&ym);
        w.columns_mut(k, k).copy_from(&(&sm * theta));
        let sty = sm.tr_mul(&ym);
        let sts = sm.tr_mul(&sm);
        let mut inv = DMatrix::zeros(2 * k, 2 * k);
        for i in 0..k {
            inv[(i, i)] = -sty[(i, i)];
            for j in 0..i {
                // L (strictly lower part of SᵀY) below, Lᵀ above.
                inv[(k + i, j)] = sty[(i, j)];
                inv[(j, k + i)] = sty[(i, j)];
            }
            for j in 0..k {
                inv[(k + i, k + j)] = theta * sts[(i, j)];
            }
        }
        let m = inv.lu().try_inverse()?;
        Some(Compact { theta, w, m })
    }

    fn w_row(&self, i: usize) -> DVector<f64> {
        self.w.row(i).transpose()
    }
}

/// The point `x̄` the step aims at from `x` (gradient `g`) inside
/// `[lower, upper]`, for the pairs `s`, `y`; `None` if the model is
/// degenerate (the caller resets its memory).
pub(crate) fn target(
    x: &[f64],
    g: &[f64],
    lower: &[f64],
    upper: &[f64],
    s: &[Vec<f64>],
    y: &[Vec<f64>],
) -> Option<Vec<f64>> {
    let n = x.len();
    let b = Compact::new(s, y, n)?;
    let theta = b.theta;
    // Breakpoints along the projected steepest-descent path.
    let mut t = vec![f64::INFINITY; n];
    let mut d = vec![0.0; n];
    for i in 0..n {
        t[i] = if g[i] < 0.0 {
            (x[i] - upper[i]) / g[i]
        } else if g[i] > 0.0 {
            (x[i] - lower[i]) / g[i]
        } else {
            f64::INFINITY
        };
        if t[i] > 0.0 {
            d[i] = -g[i];
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| t[i] > 0.0 && t[i].is_finite()).collect();
    order.sort_by(|&a, &b| t[a].total_cmp(&t[b]));
    let mut xcp = x.to_vec();
    let mut p = b.w.tr_mul(&DVector::from_column_slice(&d));
    let mut c = DVector::zeros(p.len());
    let mut f1 = -d.iter().map(|v| v * v).sum::<f64>();
    let mut f2 = -theta * f1 - p.dot(&(&b.m * &p));
    let mut dt_min = if f2 > 0.0 { -f1 / f2 } else { f64::INFINITY };
    let mut t_old = 0.0;
    for &i in &order {
        let dt = t[i] - t_old;
        if dt_min < dt {
            break;
        }
        // Variable i reaches its bound: fix it there.
        xcp[i] = if d[i] > 0.0 { upper[i] } else { lower[i] };
        let z = xcp[i] - x[i];
        c += &p * dt;
        let wi = b.w_row(i);
        let mwi = &b.m * &wi;
        f1 += dt * f2 + g[i] * g[i] + theta * g[i] * z - g[i] * mwi.dot(&c);
        f2 += -theta * g[i] * g[i] - 2.0 * g[i] * mwi.dot(&p) - g[i] * g[i] * wi.dot(&mwi);
        p += &wi * g[i];
        d[i] = 0.0;
        dt_min = if f2 > 0.0 { -f1 / f2 } else { f64::INFINITY };
        t_old = t[i];
    }
    let dt_min = if dt_min.is_finite() { dt_min.max(0.0) } else { 0.0 };
    t_old += dt_min;
    for i in 0..n {
        if d[i] != 0.0 {
            xcp[i] = (x[i] + t_old * d[i]).clamp(lower[i], upper[i]);
        }
    }
    c += &p * dt_min;

    // Subspace minimisation over the variables strictly inside their bounds.
    let free: Vec<usize> = (0..n).filter(|&i| xcp[i] > lower[i] && xcp[i] < upper[i]).collect();
    if free.is_empty() {
        return Some(xcp);
    }
    let mc = &b.m * &c;
    let r: DVector<f64> =
        DVector::from_iterator(free.len(), free.iter().map(|&i| g[i] + theta * (xcp[i] - x[i]) - b.w_row(i).dot(&mc)));
    let du = if b.w.ncols() == 0 {
        -&r / theta
    } else {
        let wz = DMatrix::from_fn(free.len(), b.w.ncols(), |a, j| b.w[(free[a], j)]); // ZᵀW
        let v = &b.m * wz.tr_mul(&r);
        let nmat = DMatrix::identity(b.w.ncols(), b.w.ncols()) - (&b.m * wz.tr_mul(&wz)) / theta;
        let v = nmat.lu().solve(&v)?;
        -&r / theta - (&wz * v) / (theta * theta)
    };
    // Back along the direction until every free variable is inside its box.
    let mut alpha: f64 = 1.0;
    for (a, &i) in free.iter().enumerate() {
        if du[a] > 0.0 {
            alpha = alpha.min((upper[i] - xcp[i]) / du[a]);
        } else if du[a] < 0.0 {
            alpha = alpha.min((lower[i] - xcp[i]) / du[a]);
        }
    }
    let mut xbar = xcp;
    for (a, &i) in free.iter().enumerate() {
        xbar[i] = (xbar[i] + alpha * du[a]).clamp(lower[i], upper[i]);
    }
    xbar.iter().all(|v| v.is_finite()).then_some(xbar)
}
