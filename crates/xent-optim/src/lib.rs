//! Minimisers with typed outcomes. This crate knows nothing about
//! probability: it minimises a [`Problem`] — a value, a gradient and
//! optionally a Hessian.
//!
//! The solver (one iteration of a [`Method`]), the driver loop
//! ([`minimize`]: termination tests, evaluation counts, NaN detection) and
//! observers of iterations ([`Observer`]) are kept apart. Every run returns
//! an [`Outcome`] with the minimiser, value, gradient norm, counts and a
//! [`Termination`] reason; nothing panics, and a non-finite value is reported
//! with the iteration that produced it.
//!
//! ```
//! use xent_optim::{FnProblem, Method, Options, Termination, minimize};
//! // Rosenbrock
//! let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
//! let g = |x: &[f64]| vec![
//!     -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
//!     200.0 * (x[1] - x[0] * x[0]),
//! ];
//! let out = minimize(&FnProblem::new(2, f, g), &[-1.2, 1.0], &Method::lbfgs(), &Options::default(), &mut ())?;
//! assert_eq!(out.termination, Termination::ConvergedGradient);
//! assert!((out.x[0] - 1.0).abs() < 1e-6 && (out.x[1] - 1.0).abs() < 1e-6);
//! # Ok::<(), xent_optim::OptimError<xent_optim::Infallible>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod lbfgsb;
mod linesearch;
mod problem;

use std::fmt;

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

use linesearch::{Search, backtracking, more_thuente};
pub use problem::{FnProblem, Infallible, Problem};

/// A minimisation method.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Method {
    /// Steepest descent with backtracking (Armijo) line search.
    GradientDescent,
    /// Gradient steps of fixed `learning_rate` with heavy-ball momentum
    /// `beta`, or Nesterov's look-ahead variant.
    Momentum {
        /// Step size.
        learning_rate: f64,
        /// Momentum coefficient in `[0, 1)`.
        beta: f64,
        /// Evaluate the gradient at the look-ahead point.
        nesterov: bool,
    },
    /// Adam (Kingma & Ba 2015).
    Adam {
        /// Step size.
        learning_rate: f64,
        /// First-moment decay.
        beta1: f64,
        /// Second-moment decay.
        beta2: f64,
        /// Denominator guard.
        epsilon: f64,
    },
    /// Limited-memory BFGS with `memory` pairs and a Moré–Thuente
    /// strong-Wolfe line search.
    Lbfgs {
        /// Number of correction pairs.
        memory: usize,
    },
    /// L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995): each step minimises the
    /// compact limited-memory model over the box — the generalized Cauchy
    /// point along the projected steepest-descent path, then the model's
    /// minimum over the variables left free, truncated to the box — followed
    /// by a backtracking line search towards that point; convergence on the
    /// projected gradient.
    LbfgsB {
        /// Number of correction pairs.
        memory: usize,
        /// Lower bounds (`−∞` allowed).
        lower: Vec<f64>,
        /// Upper bounds (`+∞` allowed).
        upper: Vec<f64>,
    },
    /// Newton's method with a safeguarded Hessian: a multiple of the identity
    /// is added until the Cholesky factorisation succeeds (modified
    /// Cholesky), then a backtracking line search. Trial points are
    /// evaluated with their Hessian ([`Problem::value_gradient_hessian`]),
    /// so an accepted unit step costs one fused evaluation.
    Newton,
    /// Newton's method reusing one factorised Hessian over several steps (the
    /// chord method, with Shamanskii-style refreshes): steps `−H⁻¹∇f` with the
    /// same `H` while each reduces `‖∇f‖∞` by at least the factor
    /// `contraction`; otherwise the Hessian is evaluated afresh at the current
    /// point. Starts from `hessian` when given (e.g. from a related, cheaper
    /// problem), else from the Hessian at the start. Each reused step costs
    /// one value-and-gradient evaluation. The steps carry L-BFGS corrections
    /// (the pairs since the last refresh, with `H` as the initial estimate),
    /// so the chord method's linear rate — set by how far `H` is from the
    /// Hessian at the optimum — improves as the pairs accumulate.
    ChordNewton {
        /// A symmetric starting Hessian (`None`: evaluate it at the start).
        hessian: Option<DMatrix<f64>>,
        /// Required reduction of `‖∇f‖∞` per step, in `(0, 1)`.
        contraction: f64,
    },
}

impl Method {
    /// L-BFGS with 10 pairs.
    pub fn lbfgs() -> Self {
        Method::Lbfgs { memory: 10 }
    }
    /// Adam with the usual constants and step `learning_rate`.
    pub fn adam(learning_rate: f64) -> Self {
        Method::Adam { learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}

/// Termination tests and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Stop when `‖∇f‖∞ ≤ gradient_tol` (projected gradient under bounds).
    pub gradient_tol: f64,
    /// Stop when `‖Δx‖∞ ≤ step_tol · max(1, ‖x‖∞)`.
    pub step_tol: f64,
    /// Stop when `|Δf| ≤ value_tol · max(1, |f|)` (0 disables the test).
    pub value_tol: f64,
    /// At most this many iterations.
    pub max_iterations: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { gradient_tol: 1e-8, step_tol: 1e-15, value_tol: 0.0, max_iterations: 1000 }
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Termination {
    /// `‖∇f‖∞` fell below the tolerance.
    ConvergedGradient,
    /// The step fell below the tolerance.
    ConvergedStep,
    /// The decrease of `f` fell below the tolerance.
    ConvergedValue,
    /// The iteration limit was reached.
    MaxIterations,
    /// The line search found no acceptable step.
    LineSearchFailed,
    /// `f` or `∇f` was NaN or infinite at this iteration.
    NonFinite {
        /// The iteration that produced it.
        iteration: usize,
    },
    /// The problem failed to evaluate at this iteration.
    EvaluationFailed {
        /// The iteration.
        iteration: usize,
        /// The problem's error message.
        message: String,
    },
}

impl Termination {
    /// Whether the run converged (on gradient, step or value).
    pub fn converged(&self) -> bool {
        matches!(self, Termination::ConvergedGradient | Termination::ConvergedStep | Termination::ConvergedValue)
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Termination::ConvergedGradient => write!(f, "converged: gradient norm below tolerance"),
            Termination::ConvergedStep => write!(f, "converged: step below tolerance"),
            Termination::ConvergedValue => write!(f, "converged: value change below tolerance"),
            Termination::MaxIterations => write!(f, "stopped: maximum number of iterations reached"),
            Termination::LineSearchFailed => write!(f, "stopped: line search found no acceptable step"),
            Termination::NonFinite { iteration } => write!(f, "stopped: non-finite value at iteration {iteration}"),
            Termination::EvaluationFailed { iteration, message } => {
                write!(f, "stopped: evaluation failed at iteration {iteration}: {message}")
            }
        }
    }
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The best point found.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub value: f64,
    /// `∇f(x)`.
    pub gradient: Vec<f64>,
    /// `‖∇f(x)‖∞` (projected under bounds).
    pub gradient_norm: f64,
    /// Iterations performed.
    pub iterations: usize,
    /// Function (and gradient) evaluations.
    pub evaluations: usize,
    /// Hessian evaluations.
    pub hessian_evaluations: usize,
    /// Why it stopped.
    pub termination: Termination,
    /// `∇²f(x)` at the returned `x`, when the method evaluated it there
    /// (Newton always does; the chord method when it refreshed there).
    pub hessian: Option<DMatrix<f64>>,
}

/// A run could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError<E: std::error::Error> {
    /// The starting point has the wrong length.
    #[error("starting point has {found} coordinates, the problem has {expected}")]
    Dimension {
        /// The problem's dimension.
        expected: usize,
        /// The starting point's.
        found: usize,
    },
    /// The problem failed at the starting point.
    #[error("evaluation failed at the starting point: {0}")]
    Start(E),
    /// `f` or `∇f` is not finite at the starting point.
    #[error("the value or gradient is not finite at the starting point")]
    NonFiniteStart,
    /// Newton was asked of a problem without a Hessian.
    #[error("newton's method needs a hessian, and the problem provides none")]
    NoHessian,
    /// Invalid method settings (bounds, rates).
    #[error("invalid method setting: {0}")]
    Setting(&'static str),
}

/// Watches iterations (e.g. records the iterates for plotting).
pub trait Observer {
    /// Called after every iteration.
    fn observe(&mut self, iteration: usize, x: &[f64], value: f64, gradient_norm: f64);
}

impl Observer for () {
    fn observe(&mut self, _: usize, _: &[f64], _: f64, _: f64) {}
}

/// An observer that keeps every iterate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// `(iteration, x, f(x), ‖∇f‖∞)` per iteration.
    pub iterates: Vec<(usize, Vec<f64>, f64, f64)>,
}

impl Observer for Trace {
    fn observe(&mut self, iteration: usize, x: &[f64], value: f64, gradient_norm: f64) {
        self.iterates.push((iteration, x.to_vec(), value, gradient_norm));
    }
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, a| m.max(a.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The current iterate.
struct State {
    x: Vec<f64>,
    f: f64,
    g: Vec<f64>,
    /// The Hessian at `x`, when it was evaluated there.
    h: Option<DMatrix<f64>>,
}

/// What one iteration did.
enum Step {
    Moved(State),
    LineSearchFailed,
    NonFinite,
    Failed(String),
}

/// Correction pairs the chord method keeps between refreshes.
const CHORD_MEMORY: usize = 10;

/// Solver memory kept between iterations.
#[derive(Default)]
struct Memory {
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    velocity: Vec<f64>,
    m1: Vec<f64>,
    m2: Vec<f64>,
    step: f64,
    /// The chord method's factorised Hessian, and `‖∇f‖∞` where the last
    /// step started.
    chord: Option<Cholesky<f64, Dyn>>,
    last_gnorm: f64,
}

/// Projection onto the box.
fn project(x: &mut [f64], lower: &[f64], upper: &[f64]) {
    for ((v, &l), &u) in x.iter_mut().zip(lower).zip(upper) {
        *v = v.clamp(l, u);
    }
}

/// The projected gradient: zero where a bound holds the variable and the
/// gradient pushes outwards.
fn projected_gradient(x: &[f64], g: &[f64], lower: &[f64], upper: &[f64]) -> Vec<f64> {
    x.iter()
        .zip(g)
        .zip(lower.iter().zip(upper))
        .map(|((&xi, &gi), (&l, &u))| if (xi <= l && gi > 0.0) || (xi >= u && gi < 0.0) { 0.0 } else { gi })
        .collect()
}

/// Two-loop recursion: `−H g` for the L-BFGS inverse-Hessian estimate, with
/// the usual scaled identity `(sᵀy / yᵀy) I` as the initial estimate.
fn lbfgs_direction(g: &[f64], mem: &Memory) -> Vec<f64> {
    let scaled = |mut q: Vec<f64>| {
        if let (Some(s), Some(y)) = (mem.s.last(), mem.y.last()) {
            let (sy, yy) = (dot(s, y), dot(y, y));
            if sy > 0.0 && yy > 0.0 {
                q.iter_mut().for_each(|a| *a *= sy / yy);
            }
        }
        q
    };
    two_loop(g.to_vec(), mem, scaled)
}

/// The two-loop recursion over the stored pairs, with `initial` applying the
/// initial inverse-Hessian estimate; returns `−H g`.
fn two_loop(mut q: Vec<f64>, mem: &Memory, initial: impl FnOnce(Vec<f64>) -> Vec<f64>) -> Vec<f64> {
    let k = mem.s.len();
    let mut alpha = vec![0.0; k];
    for i in (0..k).rev() {
        let (s, y) = (&mem.s[i], &mem.y[i]);
        let sy = dot(s, y);
        if sy <= 0.0 {
            continue;
        }
        alpha[i] = dot(s, &q) / sy;
        q.iter_mut().zip(y).for_each(|(a, b)| *a -= alpha[i] * b);
    }
    let mut q = initial(q);
    for i in 0..k {
        let (s, y) = (&mem.s[i], &mem.y[i]);
        let sy = dot(s, y);
        if sy <= 0.0 {
            continue;
        }
        let beta = dot(y, &q) / sy;
        q.iter_mut().zip(s).for_each(|(a, b)| *a += (alpha[i] - beta) * b);
    }
    q.iter().map(|a| -a).collect()
}

fn remember(mem: &mut Memory, limit: usize, s: Vec<f64>, y: Vec<f64>) {
    if dot(&s, &y) > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
        mem.s.push(s);
        mem.y.push(y);
        if mem.s.len() > limit {
            mem.s.remove(0);
            mem.y.remove(0);
        }
    }
}

/// Evaluates `(f, ∇f)` at `x`, sorting failures.
fn eval<P: Problem>(p: &P, x: &[f64], evals: &mut usize) -> Result<(f64, Vec<f64>), Step> {
    *evals += 1;
    match p.value_and_gradient(x) {
        Err(e) => Err(Step::Failed(e.to_string())),
        Ok((f, g)) if f.is_finite() && g.iter().all(|v| v.is_finite()) => Ok((f, g)),
        Ok(_) => Err(Step::NonFinite),
    }
}

/// A line search along `d` from `s`, returning the new state.
fn line_step<P: Problem>(p: &P, s: &State, d: &[f64], t0: f64, wolfe: bool, evals: &mut usize) -> Step {
    let dphi0 = dot(&s.g, d);
    if !(dphi0 < 0.0) {
        return Step::LineSearchFailed;
    }
    let mut cache: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    let point = |t: f64| -> Vec<f64> { s.x.iter().zip(d).map(|(x, di)| x + t * di).collect() };
    let found = if wolfe {
        more_thuente(s.f, dphi0, t0, 1e-4, 0.9, |t| {
            *evals += 1;
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
        // Trial points are evaluated with their gradient: the accepted one
        // (usually the first) then needs no second evaluation.
        backtracking(s.f, dphi0, t0, |t| {
            *evals += 1;
            match p.value_and_gradient(&point(t)) {
                Err(e) => Err(e.to_string()),
                Ok((f, g)) => {
                    cache.push((t, f, g));
                    Ok(f)
                }
            }
        })
    };
    match found {
        Search::Found(t) => {
            if let Some((_, f, g)) = cache.iter().rev().find(|c| c.0 == t) {
                if f.is_finite() && g.iter().all(|v| v.is_finite()) {
                    return Step::Moved(State { x: point(t), f: *f, g: g.clone(), h: None });
                }
            }
            match eval(p, &point(t), evals) {
                Ok((f, g)) => Step::Moved(State { x: point(t), f, g, h: None }),
                Err(step) => step,
            }
        }
        Search::Failed => Step::LineSearchFailed,
        Search::NonFinite => Step::NonFinite,
        Search::Error(e) => Step::Failed(e),
    }
}

/// Minimises `problem` from `x0` with `method`.
pub fn minimize<P: Problem>(
    problem: &P,
    x0: &[f64],
    method: &Method,
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<Outcome, OptimError<P::Error>> {
    let n = problem.dim();
    if x0.len() != n {
        return Err(OptimError::Dimension { expected: n, found: x0.len() });
    }
    let bounds = match method {
        Method::LbfgsB { lower, upper, .. } => {
            if lower.len() != n || upper.len() != n {
                return Err(OptimError::Setting("bounds must have one entry per variable"));
            }
            if lower.iter().zip(upper).any(|(l, u)| !(l <= u) || l.is_nan() || u.is_nan()) {
                return Err(OptimError::Setting("each lower bound must be <= its upper bound"));
            }
            Some((lower.clone(), upper.clone()))
        }
        _ => None,
    };
    match method {
        Method::Momentum { learning_rate, beta, .. } if !(*learning_rate > 0.0) || !(0.0..1.0).contains(beta) => {
            return Err(OptimError::Setting("momentum needs learning_rate > 0 and beta in [0, 1)"));
        }
        Method::Adam { learning_rate, .. } if !(*learning_rate > 0.0) => {
            return Err(OptimError::Setting("adam needs learning_rate > 0"));
        }
        _ => {}
    }
    let mut x = x0.to_vec();
    if let Some((l, u)) = &bounds {
        project(&mut x, l, u);
    }
    let mut mem = Memory { step: 1.0, last_gnorm: f64::INFINITY, ..Memory::default() };
    let mut hevals = 0;
    let given = match method {
        Method::ChordNewton { contraction, .. } if !(*contraction > 0.0 && *contraction < 1.0) => {
            return Err(OptimError::Setting("the chord method needs a contraction in (0, 1)"));
        }
        Method::ChordNewton { hessian: Some(h), .. } => Some(h),
        _ => None,
    };
    if let Some(h) = given {
        if h.shape() != (n, n) || h.iter().any(|v| !v.is_finite()) {
            return Err(OptimError::Setting("the starting hessian must be a finite n x n matrix"));
        }
        mem.chord = modified_cholesky(h);
    }
    // Newton (and the chord method without a given Hessian) needs the
    // Hessian at the start: one fused evaluation.
    let (f, g, h) = if matches!(method, Method::Newton | Method::ChordNewton { hessian: None, .. }) {
        hevals += 1;
        let (f, g, h) = problem.value_gradient_hessian(&x).map_err(OptimError::Start)?.ok_or(OptimError::NoHessian)?;
        (f, g, Some(h))
    } else {
        let (f, g) = problem.value_and_gradient(&x).map_err(OptimError::Start)?;
        (f, g, None)
    };
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(OptimError::NonFiniteStart);
    }
    let mut evals = 1;
    let mut state = State { x, f, g, h };
    let gnorm = |s: &State| match &bounds {
        Some((l, u)) => inf_norm(&projected_gradient(&s.x, &s.g, l, u)),
        None => inf_norm(&s.g),
    };
    let mut termination = Termination::MaxIterations;
    let mut iterations = 0;
    for it in 1..=options.max_iterations {
        if gnorm(&state) <= options.gradient_tol {
            termination = Termination::ConvergedGradient;
            break;
        }
        iterations = it;
        let step = iterate(problem, method, &bounds, &state, &mut mem, it, &mut evals, &mut hevals);
        let next = match step {
            Step::Moved(s) => s,
            Step::LineSearchFailed => {
                termination = Termination::LineSearchFailed;
                break;
            }
            Step::NonFinite => {
                termination = Termination::NonFinite { iteration: it };
                break;
            }
            Step::Failed(message) => {
                termination = Termination::EvaluationFailed { iteration: it, message };
                break;
            }
        };
        let dx = inf_norm(&next.x.iter().zip(&state.x).map(|(a, b)| a - b).collect::<Vec<_>>());
        let df = (state.f - next.f).abs();
        let line_method = !matches!(method, Method::Momentum { .. } | Method::Adam { .. });
        if line_method {
            let s: Vec<f64> = next.x.iter().zip(&state.x).map(|(a, b)| a - b).collect();
            let y: Vec<f64> = next.g.iter().zip(&state.g).map(|(a, b)| a - b).collect();
            match method {
                Method::Lbfgs { memory } | Method::LbfgsB { memory, .. } => remember(&mut mem, *memory, s, y),
                Method::ChordNewton { .. } => remember(&mut mem, CHORD_MEMORY, s, y),
                _ => {}
            }
        }
        state = next;
        observer.observe(it, &state.x, state.f, gnorm(&state));
        if gnorm(&state) <= options.gradient_tol {
            termination = Termination::ConvergedGradient;
            break;
        }
        if dx <= options.step_tol * inf_norm(&state.x).max(1.0) {
            termination = Termination::ConvergedStep;
            break;
        }
        if options.value_tol > 0.0 && line_method && df <= options.value_tol * state.f.abs().max(1.0) {
            termination = Termination::ConvergedValue;
            break;
        }
    }
    Ok(Outcome {
        gradient_norm: gnorm(&state),
        hessian: state.h,
        x: state.x,
        value: state.f,
        gradient: state.g,
        iterations,
        evaluations: evals,
        hessian_evaluations: hevals,
        termination,
    })
}

/// One iteration of `method` from `s`.
#[allow(clippy::too_many_arguments)]
fn iterate<P: Problem>(
    p: &P,
    method: &Method,
    bounds: &Option<(Vec<f64>, Vec<f64>)>,
    s: &State,
    mem: &mut Memory,
    it: usize,
    evals: &mut usize,
    hevals: &mut usize,
) -> Step {
    match method {
        Method::GradientDescent => {
            let d: Vec<f64> = s.g.iter().map(|v| -v).collect();
            let t0 = (2.0 * mem.step).min(1e10);
            let out = line_step(p, s, &d, t0, false, evals);
            if let Step::Moved(n) = &out {
                let moved = inf_norm(&n.x.iter().zip(&s.x).map(|(a, b)| a - b).collect::<Vec<_>>());
                mem.step = (moved / inf_norm(&d).max(f64::MIN_POSITIVE)).max(1e-20);
            }
            out
        }
        Method::Momentum { learning_rate, beta, nesterov } => {
            if mem.velocity.is_empty() {
                mem.velocity = vec![0.0; s.x.len()];
            }
            let g = if *nesterov {
                let look: Vec<f64> = s.x.iter().zip(&mem.velocity).map(|(x, v)| x + beta * v).collect();
                match eval(p, &look, evals) {
                    Ok((_, g)) => g,
                    Err(step) => return step,
                }
            } else {
                s.g.clone()
            };
            for (v, gi) in mem.velocity.iter_mut().zip(&g) {
                *v = beta * *v - learning_rate * gi;
            }
            let x: Vec<f64> = s.x.iter().zip(&mem.velocity).map(|(a, v)| a + v).collect();
            match eval(p, &x, evals) {
                Ok((f, g)) => Step::Moved(State { x, f, g, h: None }),
                Err(step) => step,
            }
        }
        Method::Adam { learning_rate, beta1, beta2, epsilon } => {
            if mem.m1.is_empty() {
                mem.m1 = vec![0.0; s.x.len()];
                mem.m2 = vec![0.0; s.x.len()];
            }
            let t = it as i32;
            let (c1, c2) = (1.0 - beta1.powi(t), 1.0 - beta2.powi(t));
            let mut x = s.x.clone();
            for i in 0..x.len() {
                mem.m1[i] = beta1 * mem.m1[i] + (1.0 - beta1) * s.g[i];
                mem.m2[i] = beta2 * mem.m2[i] + (1.0 - beta2) * s.g[i] * s.g[i];
                x[i] -= learning_rate * (mem.m1[i] / c1) / ((mem.m2[i] / c2).sqrt() + epsilon);
            }
            match eval(p, &x, evals) {
                Ok((f, g)) => Step::Moved(State { x, f, g, h: None }),
                Err(step) => step,
            }
        }
        Method::Lbfgs { .. } => {
            let d = lbfgs_direction(&s.g, mem);
            let t0 = if mem.s.is_empty() { (1.0 / inf_norm(&s.g)).min(1.0) } else { 1.0 };
            match line_step(p, s, &d, t0, true, evals) {
                Step::LineSearchFailed if !mem.s.is_empty() => {
                    // Reset the memory and retry along steepest descent once.
                    mem.s.clear();
                    mem.y.clear();
                    let d: Vec<f64> = s.g.iter().map(|v| -v).collect();
                    line_step(p, s, &d, (1.0 / inf_norm(&s.g)).min(1.0), true, evals)
                }
                other => other,
            }
        }
        Method::LbfgsB { .. } => {
            let Some((l, u)) = bounds else { return Step::LineSearchFailed };
            // The generalized Cauchy point and subspace minimum of the
            // limited-memory model; steepest descent projected on the box
            // (empty memory) if the model is degenerate or points uphill.
            let mut d: Vec<f64> = match lbfgsb::target(&s.x, &s.g, l, u, &mem.s, &mem.y) {
                Some(xbar) => xbar.iter().zip(&s.x).map(|(a, b)| a - b).collect(),
                None => Vec::new(),
            };
            if d.is_empty() || !(dot(&d, &s.g) < 0.0) {
                mem.s.clear();
                mem.y.clear();
                match lbfgsb::target(&s.x, &s.g, l, u, &[], &[]) {
                    Some(xbar) => d = xbar.iter().zip(&s.x).map(|(a, b)| a - b).collect(),
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
                let step: Vec<f64> = x.iter().zip(&s.x).map(|(a, b)| a - b).collect();
                match eval(p, &x, evals) {
                    Ok((f, g)) if f <= s.f + 1e-4 * dot(&s.g, &step) => {
                        return Step::Moved(State { x, f, g, h: None });
                    }
                    Ok(_) | Err(Step::NonFinite) => t *= 0.5,
                    Err(other) => return other,
                }
            }
            Step::LineSearchFailed
        }
        Method::Newton => {
            let h = match hessian_at(p, s, hevals) {
                Ok(h) => h,
                Err(step) => return step,
            };
            let d = newton_direction(modified_cholesky(&h).as_ref(), &s.g);
            newton_line_step(p, s, &d, true, evals, hevals)
        }
        Method::ChordNewton { contraction, .. } => {
            let gnorm = inf_norm(&s.g);
            let reused = mem.chord.is_some() && gnorm <= contraction * mem.last_gnorm;
            if !reused {
                match hessian_at(p, s, hevals) {
                    Ok(h) => mem.chord = modified_cholesky(&h),
                    Err(step) => return step,
                }
                mem.s.clear();
                mem.y.clear();
            }
            mem.last_gnorm = gnorm;
            let mut d = chord_direction(mem.chord.as_ref(), &s.g, mem);
            if dot(&d, &s.g) >= 0.0 {
                mem.s.clear();
                mem.y.clear();
                d = newton_direction(mem.chord.as_ref(), &s.g);
            }
            match newton_line_step(p, s, &d, false, evals, hevals) {
                // A stale Hessian may point nowhere useful: refresh once.
                Step::LineSearchFailed if reused => {
                    mem.chord = None;
                    mem.last_gnorm = f64::INFINITY;
                    iterate(p, method, bounds, s, mem, it, evals, hevals)
                }
                other => other,
            }
        }
    }
}

/// The Hessian at `s` (evaluated if the state does not carry it).
fn hessian_at<P: Problem>(p: &P, s: &State, hevals: &mut usize) -> Result<DMatrix<f64>, Step> {
    let h = match &s.h {
        Some(h) => h.clone(),
        None => {
            *hevals += 1;
            match p.hessian(&s.x) {
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

/// Backtracking from the unit step along a Newton direction. With `fused`,
/// the first trial point is evaluated with its Hessian, so an accepted unit
/// step leaves the next iteration's Hessian in the state.
fn newton_line_step<P: Problem>(
    p: &P,
    s: &State,
    d: &[f64],
    fused: bool,
    evals: &mut usize,
    hevals: &mut usize,
) -> Step {
    if !fused {
        return line_step(p, s, d, 1.0, false, evals);
    }
    let dphi0 = dot(&s.g, d);
    if !(dphi0 < 0.0) {
        return Step::LineSearchFailed;
    }
    let point = |t: f64| -> Vec<f64> { s.x.iter().zip(d).map(|(x, di)| x + t * di).collect() };
    let mut last: Option<State> = None;
    let found = backtracking(s.f, dphi0, 1.0, |t| {
        *evals += 1;
        let x = point(t);
        let (f, g, h) = if t == 1.0 {
            *hevals += 1;
            match p.value_gradient_hessian(&x) {
                Err(e) => return Err(e.to_string()),
                Ok(None) => return Err("no hessian".to_string()),
                Ok(Some((f, g, h))) => (f, g, Some(h)),
            }
        } else {
            match p.value_and_gradient(&x) {
                Err(e) => return Err(e.to_string()),
                Ok((f, g)) => (f, g, None),
            }
        };
        let finite = f.is_finite() && g.iter().all(|v| v.is_finite());
        let value = if finite { f } else { f64::NAN };
        last = finite.then_some(State { x, f, g, h });
        Ok(value)
    });
    match (found, last) {
        (Search::Found(_), Some(state)) => Step::Moved(state),
        (Search::Found(_), None) | (Search::NonFinite, _) => Step::NonFinite,
        (Search::Failed, _) => Step::LineSearchFailed,
        (Search::Error(e), _) => Step::Failed(e),
    }
}

/// The Cholesky factor of `H + τI` with the smallest `τ ∈ {0, 10⁻³·scale,
/// ×10, …}` that makes it positive definite (`scale` = the largest
/// diagonal magnitude); `None` if none does.
fn modified_cholesky(h: &DMatrix<f64>) -> Option<Cholesky<f64, Dyn>> {
    let n = h.nrows();
    let scale = (0..n).map(|i| h[(i, i)].abs()).fold(0.0, f64::max).max(1e-12);
    let mut tau = 0.0;
    for _ in 0..40 {
        if let Some(c) = (h + DMatrix::identity(n, n) * tau).cholesky() {
            return Some(c);
        }
        tau = if tau == 0.0 { 1e-3 * scale } else { tau * 10.0 };
    }
    None
}

/// `−H⁻¹g` through the factor, or steepest descent `−g` without one.
fn newton_direction(factor: Option<&Cholesky<f64, Dyn>>, g: &[f64]) -> Vec<f64> {
    match factor {
        Some(c) => c.solve(&DVector::from_column_slice(g)).iter().map(|v| -v).collect(),
        None => g.iter().map(|v| -v).collect(),
    }
}

/// The chord method's direction: the L-BFGS two-loop recursion over the
/// pairs gathered since the last refresh, with the factorised Hessian as the
/// initial estimate — quasi-Newton corrections that make the reused
/// Hessian's linear convergence superlinear.
fn chord_direction(factor: Option<&Cholesky<f64, Dyn>>, g: &[f64], mem: &Memory) -> Vec<f64> {
    let initial = |q: Vec<f64>| newton_direction(factor, &q).iter().map(|v| -v).collect();
    two_loop(g.to_vec(), mem, initial)
}
