//! What every solver shares: the iterate, the outcome of one iteration, the
//! counted evaluations, the line step along a direction, and the [`Solver`]
//! trait the driver calls.

use nalgebra::DMatrix;

use crate::linesearch::{Search, backtracking, more_thuente};
use crate::problem::Problem;

/// The current iterate.
pub(crate) struct State {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) g: Vec<f64>,
    /// The Hessian at `x`, when it was evaluated there.
    pub(crate) h: Option<DMatrix<f64>>,
}

impl State {
    pub(crate) fn new(x: Vec<f64>, f: f64, g: Vec<f64>) -> State {
        State { x, f, g, h: None }
    }
}

/// What one iteration did.
pub(crate) enum Step {
    Moved(State),
    LineSearchFailed,
    NonFinite,
    Failed(String),
}

/// One iteration of a method, with the memory it keeps between iterations.
/// The driver ([`crate::minimise`]) owns the loop, the termination tests and
/// the observer; a solver only proposes the next iterate.
pub(crate) trait Solver<P: Problem> {
    /// Whether the start must be evaluated with its Hessian.
    fn needs_start_hessian(&self) -> bool {
        false
    }
    /// The box the iterates stay in (L-BFGS-B), for the start's projection
    /// and the projected gradient.
    fn bounds(&self) -> Option<(&[f64], &[f64])> {
        None
    }
    /// Whether the value-change test applies (not to fixed-rate methods,
    /// whose value may rise).
    fn value_test(&self) -> bool {
        true
    }
    /// The next iterate from `s` (iteration `it`, counted from 1).
    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, it: usize) -> Step;
    /// Called after the driver accepted `next` in place of `prev`.
    fn accepted(&mut self, _prev: &State, _next: &State) {}
}

/// The problem with counts of its evaluations.
pub(crate) struct Evaluator<'p, P> {
    pub(crate) problem: &'p P,
    /// Function (and gradient) evaluations.
    pub(crate) evaluations: usize,
    /// Hessian evaluations.
    pub(crate) hessian_evaluations: usize,
}

impl<P: Problem> Evaluator<'_, P> {
    /// `(f, ∇f)` at `x`, failures sorted into a [`Step`].
    pub(crate) fn value_and_gradient(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>), Step> {
        self.evaluations += 1;
        match self.problem.value_and_gradient(x) {
            Err(e) => Err(Step::Failed(e.to_string())),
            Ok((f, g)) if f.is_finite() && g.iter().all(|v| v.is_finite()) => Ok((f, g)),
            Ok(_) => Err(Step::NonFinite),
        }
    }

    /// The Hessian at `s` (evaluated if the state does not carry it).
    pub(crate) fn hessian_at(&mut self, s: &State) -> Result<DMatrix<f64>, Step> {
        let h = match &s.h {
            Some(h) => h.clone(),
            None => {
                self.hessian_evaluations += 1;
                match self.problem.hessian(&s.x) {
                    Ok(Some(h)) => h,
                    Ok(None) => return Err(Step::Failed("no hessian".into())),
                    Err(e) => return Err(Step::Failed(e.to_string())),
                }
            }
        };
        if h.iter().any(|v| !v.is_finite()) {
            return Err(Step::NonFinite);
        }
        Ok(h)
    }
}

/// A line search along `d` from `s` starting at step `t0` — Moré–Thuente
/// (strong Wolfe) with `wolfe`, else Armijo backtracking — returning the new
/// state. Trial points are evaluated with their gradient, so the accepted
/// one needs no second evaluation.
pub(crate) fn line_step<P: Problem>(ev: &mut Evaluator<'_, P>, s: &State, d: &[f64], t0: f64, wolfe: bool) -> Step {
    let dphi0 = dot(&s.g, d);
    if !(dphi0 < 0.0) {
        return Step::LineSearchFailed;
    }
    let p = ev.problem;
    let mut evals = 0;
    let mut cache: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    let point = |t: f64| -> Vec<f64> { s.x.iter().zip(d).map(|(x, di)| x + t * di).collect() };
    let found = if wolfe {
        more_thuente(s.f, dphi0, t0, 1e-4, 0.9, |t| {
            evals += 1;
            match p.value_and_gradient(&point(t)) {
                Err(e) => Err(e.to_string()),
                Ok((f, g)) => {
                    let dg = dot(&g, d);
                    cache.push((t, f, g));
                    Ok((f, dg))
                }
            }
        })
    } else {
        backtracking(s.f, dphi0, t0, |t| {
            evals += 1;
            match p.value_and_gradient(&point(t)) {
                Err(e) => Err(e.to_string()),
                Ok((f, g)) => {
                    let dg = dot(&g, d);
                    cache.push((t, f, g));
                    Ok((f, dg))
                }
            }
        })
    };
    ev.evaluations += evals;
    match found {
        Search::Found(t) => {
            if let Some((_, f, g)) = cache.iter().rev().find(|c| c.0 == t)
                && f.is_finite()
                && g.iter().all(|v| v.is_finite())
            {
                return Step::Moved(State::new(point(t), *f, g.clone()));
            }
            match ev.value_and_gradient(&point(t)) {
                Ok((f, g)) => Step::Moved(State::new(point(t), f, g)),
                Err(step) => step,
            }
        }
        Search::Failed => Step::LineSearchFailed,
        Search::NonFinite => Step::NonFinite,
        Search::Error(e) => Step::Failed(e),
    }
}

/// `‖v‖∞`.
pub(crate) fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, a| m.max(a.abs()))
}

/// `aᵀb`.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `a − b`.
pub(crate) fn sub(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// `−v`.
pub(crate) fn neg(v: &[f64]) -> Vec<f64> {
    v.iter().map(|a| -a).collect()
}
