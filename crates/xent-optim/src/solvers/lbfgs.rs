//! Limited-memory BFGS with a Moré–Thuente (strong Wolfe) line search, and
//! the correction pairs it shares with L-BFGS-B and the chord method.

use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step, dot, inf_norm, line_step, neg, sub};

/// The last `limit` correction pairs `(sᵢ, yᵢ)`, oldest first.
pub(crate) struct Pairs {
    limit: usize,
    pub(crate) s: Vec<Vec<f64>>,
    pub(crate) y: Vec<Vec<f64>>,
}

impl Pairs {
    pub(crate) fn new(limit: usize) -> Self {
        Pairs { limit, s: Vec::new(), y: Vec::new() }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.s.clear();
        self.y.clear();
    }

    /// Keeps the pair of the step from `prev` to `next` when its curvature
    /// `sᵀy` is safely positive, dropping the oldest beyond the limit.
    pub(crate) fn remember(&mut self, prev: &State, next: &State) {
        let (s, y) = (sub(&next.x, &prev.x), sub(&next.g, &prev.g));
        if dot(&s, &y) > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
            self.s.push(s);
            self.y.push(y);
            if self.s.len() > self.limit {
                self.s.remove(0);
                self.y.remove(0);
            }
        }
    }

    /// `−H g` for the L-BFGS inverse-Hessian estimate, with the usual scaled
    /// identity `(sᵀy / yᵀy) I` as the initial estimate.
    pub(crate) fn direction(&self, g: &[f64]) -> Vec<f64> {
        let scaled = |mut q: Vec<f64>| {
            if let (Some(s), Some(y)) = (self.s.last(), self.y.last()) {
                let (sy, yy) = (dot(s, y), dot(y, y));
                if sy > 0.0 && yy > 0.0 {
                    q.iter_mut().for_each(|a| *a *= sy / yy);
                }
            }
            q
        };
        self.two_loop(g.to_vec(), scaled)
    }

    /// The two-loop recursion over the stored pairs, with `initial` applying
    /// the initial inverse-Hessian estimate; returns `−H g`.
    pub(crate) fn two_loop(&self, mut q: Vec<f64>, initial: impl FnOnce(Vec<f64>) -> Vec<f64>) -> Vec<f64> {
        let k = self.s.len();
        let mut alpha = vec![0.0; k];
        for i in (0..k).rev() {
            let (s, y) = (&self.s[i], &self.y[i]);
            let sy = dot(s, y);
            if sy <= 0.0 {
                continue;
            }
            alpha[i] = dot(s, &q) / sy;
            q.iter_mut().zip(y).for_each(|(a, b)| *a -= alpha[i] * b);
        }
        let mut q = initial(q);
        for i in 0..k {
            let (s, y) = (&self.s[i], &self.y[i]);
            let sy = dot(s, y);
            if sy <= 0.0 {
                continue;
            }
            let beta = dot(y, &q) / sy;
            q.iter_mut().zip(s).for_each(|(a, b)| *a += (alpha[i] - beta) * b);
        }
        neg(&q)
    }
}

/// L-BFGS.
pub(crate) struct Lbfgs {
    pairs: Pairs,
}

impl Lbfgs {
    pub(crate) fn new(memory: usize) -> Self {
        Lbfgs { pairs: Pairs::new(memory) }
    }
}

impl<P: Problem> Solver<P> for Lbfgs {
    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, _it: usize) -> Step {
        let d = self.pairs.direction(&s.g);
        let t0 = if self.pairs.is_empty() { (1.0 / inf_norm(&s.g)).min(1.0) } else { 1.0 };
        match line_step(ev, s, &d, t0, true) {
            Step::LineSearchFailed if !self.pairs.is_empty() => {
                // Reset the memory and retry along steepest descent once.
                self.pairs.clear();
                line_step(ev, s, &neg(&s.g), (1.0 / inf_norm(&s.g)).min(1.0), true)
            }
            other => other,
        }
    }

    fn accepted(&mut self, prev: &State, next: &State) {
        self.pairs.remember(prev, next);
    }
}
