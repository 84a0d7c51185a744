//! Is my loss a cross-entropy? The question behind equations (6)–(7).
//!
//! A per-sample loss `ℓ(o, y)` — an output `o` of a model, a target `y` —
//! is the negative log-likelihood of a proper model, up to terms that
//! cannot move the argmin, when
//!
//! ```text
//! ℓ(o, y) = a·(−ln q(y | o)) + b(y) + c      for every o and y,
//! ```
//!
//! with `q(· | o)` a density (or mass function) for every `o`, a scale
//! `a > 0` (a reduction that divides by the number of elements), a base
//! term `b(y)` free of `o` (the `ln y!` that `poisson_nll` drops) and a
//! constant `c` (the `½ ln 2π` that `gaussian_nll` drops). Then
//! `q(y | o) = exp(−(ℓ(o, y) − b(y) − c)/a)`, and `∫ q = 1` says exactly
//! that
//!
//! ```text
//! ln Z(o) = ln ∫ exp(−(ℓ(o, y) − b(y))/a) dy      is the same for every o,
//! ```
//!
//! and then `c = −a·ln Z`. [`check`] decides it numerically: it draws
//! seeded outputs spread over the declared output space, computes `ln Z(o)`
//! for each by the harness's own quadrature (exact summation on a discrete
//! target space), searches the scale `a` that makes `ln Z` constant, and —
//! on a finite target space, when the loss does not declare `b` — solves
//! for `b` too. It reports `a`, `b`, `c` and `ln Z`, or the evidence that no
//! such decomposition exists: the outputs where `ln Z` differs.
//!
//! [`builtin`] wraps every PyTorch-semantics loss of
//! [`xent_objectives::losses`] with each of its options.
//!
//! ```
//! use xent_verify::loss::{LossCheck, builtin::BuiltinLoss, check};
//! let report = check(&BuiltinLoss::gaussian_nll(false), &LossCheck::default())?;
//! assert!(report.is_cross_entropy());
//! // gaussian_nll without `full` drops ½ ln 2π: c = −½ ln 2π.
//! assert!((report.constant + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-8);
//! # Ok::<(), xent_verify::loss::LossCheckError>(())
//! ```

pub mod builtin;
pub mod render;
mod solve;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal, Uniform};
use xent_distributions::Support;

use crate::chain::derive_seed;
use crate::quadrature::total_mass_capped;

/// The largest finite target space on which the checker solves for `b`.
pub const MAX_SOLVED_TARGETS: usize = 256;

/// The most terms of one discrete sum `Z(o)`: a scale far from the right
/// one flattens `exp(−ℓ/a)` until the sum barely decays, and the search
/// must learn that quickly.
const MAX_TERMS: u64 = 100_000;

/// How far `ln Z(o)` may vary over the outputs for a loss to count as a
/// cross-entropy: the quadrature's relative tolerance (1e-10) with room for
/// the error of `ln` of a sum of many terms.
pub const LOSS_TOL: f64 = 1e-8;

/// Where a loss's outputs live.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OutputSpace {
    /// Independent coordinates, each an open interval `(low, high)` (either
    /// end may be infinite): a location, a variance, a logit.
    Box(Vec<(f64, f64)>),
    /// Log-probability vectors of `k` classes (`log-sum-exp = 0`), as the
    /// input of `F.kl_div`.
    LogSimplex(usize),
}

/// The base term `b(y)` a loss declares, or that the checker is to find.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base {
    /// `b ≡ 0`: the loss claims to drop nothing that depends on `y`.
    Zero,
    /// `b(y)` is [`PerSampleLoss::base_term`]; the text says what it is
    /// (e.g. "−ln y!").
    Declared(String),
    /// Solve for `b` (finite target spaces; on an infinite one `b ≡ 0` is
    /// taken, and the report says so).
    Solve,
}

/// A per-sample loss with its output and target spaces declared.
pub trait PerSampleLoss: Sync {
    /// A name for reports.
    fn name(&self) -> String;
    /// Where outputs live.
    fn output_space(&self) -> OutputSpace;
    /// Where targets live (`Support::Discrete` for labels and counts).
    fn target_space(&self) -> Support;
    /// `ℓ(o, y)`.
    fn loss(&self, output: &[f64], target: f64) -> f64;
    /// Which base term `b(y)` to use (default: solve for it).
    fn base(&self) -> Base {
        Base::Solve
    }
    /// `b(y)` when [`Self::base`] is [`Base::Declared`].
    fn base_term(&self, _target: f64) -> f64 {
        0.0
    }
    /// Targets near which `q(· | o)` has its mass (break points for the
    /// quadrature); the checker also probes a grid of its own.
    fn target_hints(&self, _output: &[f64]) -> Vec<f64> {
        Vec::new()
    }
}

/// How a check runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossCheck {
    /// How many outputs to draw (at least four times the size of a finite
    /// target space when `b` is solved for).
    pub outputs: usize,
    /// The seed of the outputs.
    pub seed: u64,
    /// The largest variation of `ln Z(o)` accepted ([`LOSS_TOL`]).
    pub tolerance: f64,
    /// A declared scale `a` (`None`: the checker finds it).
    pub scale: Option<f64>,
}

impl Default for LossCheck {
    fn default() -> Self {
        LossCheck { outputs: 48, seed: 0x5eed, tolerance: LOSS_TOL, scale: None }
    }
}

/// A check that cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LossCheckError {
    /// The declared scale is not a positive finite number.
    #[error("the scale must be positive and finite, got {value}")]
    InvalidScale {
        /// The scale given.
        value: f64,
    },
    /// Fewer than two outputs: nothing to compare.
    #[error("at least 2 outputs are needed to compare ln Z, got {count}")]
    TooFewOutputs {
        /// The number asked for.
        count: usize,
    },
    /// The tolerance is not a positive finite number.
    #[error("the tolerance must be positive and finite, got {value}")]
    InvalidTolerance {
        /// The tolerance given.
        value: f64,
    },
}

/// What the checker concluded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Verdict {
    /// `ℓ = a·(−ln q) + b + c` for a proper `q`: `ln Z(o)` varies by at
    /// most the tolerance.
    CrossEntropy,
    /// No scale (and, where solved, no base term) makes `ln Z(o)` constant:
    /// the best one leaves it varying by [`LossReport::deviation`].
    NotCrossEntropy,
    /// `exp(−(ℓ − b)/a)` is not integrable (or not positive) at an output,
    /// or the loss is NaN there: no `q` at all.
    NoDensity {
        /// The output.
        output: Vec<f64>,
        /// What went wrong.
        reason: String,
    },
}

/// `ln Z` at one output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputEvidence {
    /// The output `o`.
    pub output: Vec<f64>,
    /// `ln Z(o)` at the reported scale and base term.
    pub ln_z: f64,
}

/// The decomposition `ℓ = a·(−ln q) + b + c`, or the evidence against it.
#[derive(Debug, Clone, PartialEq)]
pub struct LossReport {
    /// The loss's name.
    pub name: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The scale `a` (the best one found when there is no decomposition).
    pub scale: f64,
    /// Whether the loss pins `a` down (false: `ln Z` is constant for `2a`
    /// and `a/2` too, as for a location family of fixed spread, and the
    /// scale reported is 1 by convention).
    pub scale_identified: bool,
    /// How `b` was obtained: declared, zero, or solved.
    pub base: Base,
    /// Solved `b(y)` at each target of a finite space (`b` at the smallest
    /// target fixed at 0; a shift of `b` is a shift of `c`); empty otherwise.
    pub solved_base: Vec<(f64, f64)>,
    /// `c = −a·ln Z`.
    pub constant: f64,
    /// `ln Z`, the mean of `ln Z(o)` over the outputs.
    pub ln_z: f64,
    /// `max ln Z(o) − min ln Z(o)`: the evidence.
    pub deviation: f64,
    /// The tolerance it was held to.
    pub tolerance: f64,
    /// `ln Z(o)` at every output drawn.
    pub evidence: Vec<OutputEvidence>,
    /// Anything the reader should know (an assumed `b`, an unidentified scale).
    pub notes: Vec<String>,
}

impl LossReport {
    /// Whether the loss is a cross-entropy.
    pub fn is_cross_entropy(&self) -> bool {
        self.verdict == Verdict::CrossEntropy
    }
    /// The outputs with the smallest and the largest `ln Z`.
    pub fn extremes(&self) -> Option<(&OutputEvidence, &OutputEvidence)> {
        let lo = self.evidence.iter().min_by(|a, b| a.ln_z.total_cmp(&b.ln_z))?;
        let hi = self.evidence.iter().max_by(|a, b| a.ln_z.total_cmp(&b.ln_z))?;
        Some((lo, hi))
    }
}

/// Seeded outputs spread over `space`: a real coordinate `±10^U(−2, 0.7)`
/// (logits and log-rates up to ±5), a half-bounded one `end ± 10^U(−2, 2.5)`
/// (variances and rates from 0.01 to 316), a bounded one uniform inside;
/// log-probabilities from logits of spread 0.1 … 10.
pub fn draw_outputs(space: &OutputSpace, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(seed, "loss outputs"));
    let unit = Uniform::new(0.0, 1.0).expect("a valid range");
    let normal = Normal::new(0.0, 1.0).expect("a valid sd");
    (0..n)
        .map(|_| match space {
            OutputSpace::Box(coords) => coords
                .iter()
                .map(|&(low, high)| {
                    let u = unit.sample(&mut rng);
                    let mag = |lo: f64, hi: f64, u: f64| 10f64.powf(lo + (hi - lo) * u);
                    match (low.is_finite(), high.is_finite()) {
                        (false, false) => {
                            let sign = if unit.sample(&mut rng) < 0.5 { -1.0 } else { 1.0 };
                            sign * mag(-2.0, 0.7, u)
                        }
                        (true, false) => low + mag(-2.0, 2.5, u),
                        (false, true) => high - mag(-2.0, 2.5, u),
                        (true, true) => low + (high - low) * (0.01 + 0.98 * u),
                    }
                })
                .collect(),
            OutputSpace::LogSimplex(k) => {
                let s = 10f64.powf(-1.0 + 2.0 * unit.sample(&mut rng));
                let z: Vec<f64> = (0..*k).map(|_| s * normal.sample(&mut rng)).collect();
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                z.iter().map(|v| v - lse).collect()
            }
        })
        .collect()
}

/// The finite targets of a discrete space small enough to solve `b` on.
fn finite_targets(space: Support) -> Option<Vec<f64>> {
    match space {
        Support::Discrete { low, high } if low.is_finite() && high.is_finite() && high >= low => {
            let (low, high) = (low.ceil(), high.floor());
            let k = (high - low) as usize + 1;
            (k <= MAX_SOLVED_TARGETS).then(|| (0..k).map(|i| low + i as f64).collect())
        }
        _ => None,
    }
}

/// Targets to probe for where `exp(−g)` peaks: both sides of every end over
/// many orders of magnitude, and the loss's hints.
fn probe_targets(space: Support, hints: &[f64]) -> Vec<f64> {
    let mags: Vec<f64> = (-12..=28).map(|k| 10f64.powf(f64::from(k) / 4.0)).collect();
    let mut pts: Vec<f64> = hints.iter().copied().filter(|v| v.is_finite()).collect();
    match space {
        Support::Continuous { low, high } => match (low.is_finite(), high.is_finite()) {
            (false, false) => {
                pts.push(0.0);
                pts.extend(mags.iter().flat_map(|m| [*m, -*m]));
            }
            (true, false) => pts.extend(mags.iter().map(|m| low + m)),
            (false, true) => pts.extend(mags.iter().map(|m| high - m)),
            (true, true) => pts.extend((1..64).map(|i| low + (high - low) * f64::from(i) / 64.0)),
        },
        Support::Discrete { low, high } => {
            let top = if high.is_finite() { high } else { low + 1e7 };
            pts.extend((0..=64).map(|i| low + f64::from(i)).filter(|v| *v <= top));
            pts.extend(mags.iter().map(|m| (low + m).round()).filter(|v| *v <= top));
        }
        _ => {}
    }
    pts.retain(|v| v.is_finite());
    pts
}

/// `ln Z(o) = ln ∫ exp(−(ℓ(o, y) − b(y))/a) dy` with a declared (or zero)
/// `b`, or why it does not exist.
fn ln_z_declared(loss: &dyn PerSampleLoss, output: &[f64], scale: f64, use_base: bool) -> Result<f64, String> {
    let space = loss.target_space();
    let g = |y: f64| loss.loss(output, y) - if use_base { loss.base_term(y) } else { 0.0 };
    let hints = loss.target_hints(output);
    let probes = probe_targets(space, &hints);
    let mut shift = f64::INFINITY;
    let mut at = Vec::new();
    for &y in &probes {
        let v = g(y);
        if v.is_nan() {
            return Err(format!("the loss is NaN at target {y}"));
        }
        if v < shift {
            shift = v;
            at = vec![y];
        }
    }
    if !shift.is_finite() {
        return Err(if shift == f64::NEG_INFINITY {
            "the loss is −∞ at a target".into()
        } else {
            "the loss is +∞ at every target probed".into()
        });
    }
    at.extend(hints);
    let density = |y: f64| {
        let v = g(y);
        if v.is_nan() { f64::NAN } else { (-(v - shift) / scale).exp() }
    };
    let mass = total_mass_capped(&density, space, &at, MAX_TERMS);
    if mass.invalid {
        return Err("the loss is NaN or −∞ at some target".into());
    }
    if !mass.resolved || !mass.value.is_finite() {
        return Err("Z(o) diverges or cannot be resolved: exp(−(ℓ − b)/a) is not integrable over the targets".into());
    }
    if !(mass.value > 0.0) {
        return Err("Z(o) = 0".into());
    }
    Ok(mass.value.ln() - shift / scale)
}

/// `ln Z(o)` at every output for one scale, or the first output with none.
type Profile = Result<Vec<f64>, (usize, String)>;

fn spread(v: &[f64]) -> f64 {
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    hi - lo
}

/// The scale `ln a` that makes `ln Z(o)` most nearly constant: `a = 1`
/// first, then a grid over `a ∈ [10⁻⁴, 10⁴]` (declare a scale outside
/// it with [`LossCheck::scale`]), then golden-section search
/// around the best grid point. What is minimised is `a·spread(ln Z)` — the
/// variation of `c(o) = −a ln Z(o)` in the loss's own units — because the
/// spread of `ln Z` alone falls to 0 as `a → ∞` for any loss on a finite
/// target space (every `exp(−ℓ/a)` tends to 1).
fn search_scale(spread_at: &dyn Fn(f64) -> f64, tol: f64) -> f64 {
    if spread_at(0.0) <= tol {
        return 0.0;
    }
    let f = |t: f64| t.exp() * spread_at(t);
    let lim = 1e4f64.ln();
    let grid: Vec<f64> = (0..=32).map(|i| -lim + 2.0 * lim * f64::from(i) / 32.0).collect();
    let vals: Vec<f64> = grid.iter().map(|&t| f(t)).collect();
    let best = (0..grid.len()).min_by(|&i, &j| vals[i].total_cmp(&vals[j])).unwrap_or(16);
    let (mut lo, mut hi) = (grid[best.saturating_sub(1)], grid[(best + 1).min(grid.len() - 1)]);
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let (mut x1, mut x2) = (hi - r * (hi - lo), lo + r * (hi - lo));
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..50 {
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - r * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + r * (hi - lo);
            f2 = f(x2);
        }
    }
    let cands = [(grid[best], vals[best]), (x1, f1), (x2, f2)];
    cands.iter().min_by(|a, b| a.1.total_cmp(&b.1)).map_or(0.0, |c| c.0)
}

/// The scale found (or declared), whether it is identified, and the
/// verdict from the spread at it.
fn settle(spread_at: &dyn Fn(f64) -> f64, declared: Option<f64>, tol: f64) -> (f64, bool, Verdict) {
    let t = declared.map_or_else(|| search_scale(spread_at, tol), f64::ln);
    let verdict = if spread_at(t) <= tol { Verdict::CrossEntropy } else { Verdict::NotCrossEntropy };
    let identified = declared.is_some()
        || verdict != Verdict::CrossEntropy
        || !(spread_at(t + 2f64.ln()) <= tol && spread_at(t - 2f64.ln()) <= tol);
    // An unidentified scale is reported as 1 (it passed at 1 by the search's
    // first try, since any scale works).
    (if identified { t } else { 0.0 }, identified, verdict)
}

/// Decides whether `loss` is `a·(−ln q) + b + c` for a proper `q`.
///
/// # Errors
/// A declared scale or a tolerance that is not positive and finite, or
/// fewer than two outputs.
pub fn check(loss: &dyn PerSampleLoss, cfg: &LossCheck) -> Result<LossReport, LossCheckError> {
    if let Some(a) = cfg.scale
        && !(a > 0.0 && a.is_finite())
    {
        return Err(LossCheckError::InvalidScale { value: a });
    }
    if !(cfg.tolerance > 0.0 && cfg.tolerance.is_finite()) {
        return Err(LossCheckError::InvalidTolerance { value: cfg.tolerance });
    }
    if cfg.outputs < 2 {
        return Err(LossCheckError::TooFewOutputs { count: cfg.outputs });
    }
    let space = loss.target_space();
    let targets = finite_targets(space);
    let mut notes = Vec::new();
    let base = loss.base();
    let solve = base == Base::Solve && targets.is_some();
    if base == Base::Solve && targets.is_none() {
        notes.push("b is solved for only on a finite target space; b ≡ 0 was taken (declare b)".into());
    }
    let n = if solve { cfg.outputs.max(4 * targets.as_ref().map_or(0, Vec::len)) } else { cfg.outputs };
    let outputs = draw_outputs(&loss.output_space(), n, cfg.seed);
    let use_base = matches!(base, Base::Declared(_));
    let tol = cfg.tolerance;

    let report = |verdict: Verdict,
                  t: f64,
                  identified: bool,
                  solved: Vec<(f64, f64)>,
                  lnz: Vec<f64>,
                  mut notes: Vec<String>| {
        let scale = t.exp();
        if !identified && verdict == Verdict::CrossEntropy {
            notes.push("the scale is not identified (any a works); a = 1 by convention".into());
        }
        let ln_z = if lnz.is_empty() { f64::NAN } else { lnz.iter().sum::<f64>() / lnz.len() as f64 };
        LossReport {
            name: loss.name(),
            verdict,
            scale,
            scale_identified: identified,
            base: base.clone(),
            solved_base: solved,
            constant: -scale * ln_z,
            ln_z,
            deviation: if lnz.is_empty() { f64::NAN } else { spread(&lnz) },
            tolerance: tol,
            evidence: outputs.iter().cloned().zip(lnz).map(|(output, ln_z)| OutputEvidence { output, ln_z }).collect(),
            notes,
        }
    };
    let no_density = |output: &Vec<f64>, reason: String, notes| {
        report(Verdict::NoDensity { output: output.clone(), reason }, 0.0, false, vec![], vec![], notes)
    };

    if let (true, Some(ys)) = (solve, targets.as_ref()) {
        // ℓ at every (output, target) once; NaN or −∞ anywhere is a failure.
        let mut table = Vec::with_capacity(outputs.len());
        for o in &outputs {
            let row: Vec<f64> = ys.iter().map(|&y| loss.loss(o, y)).collect();
            if let Some(k) = row.iter().position(|v| v.is_nan() || *v == f64::NEG_INFINITY) {
                return Ok(no_density(o, format!("the loss is {} at target {}", row[k], ys[k]), notes));
            }
            if row.iter().all(|v| *v == f64::INFINITY) {
                return Ok(no_density(o, "the loss is +∞ at every target: Z(o) = 0".into(), notes));
            }
            table.push(row);
        }
        let fit = |t: f64| solve::base_for_scale(&table, t.exp());
        let (t, identified, verdict) = settle(&|t| fit(t).1, cfg.scale, tol);
        let (beta, _, lnz) = fit(t);
        let solved = ys.iter().zip(&beta).map(|(&y, &bt)| (y, t.exp() * bt)).collect();
        return Ok(report(verdict, t, identified, solved, lnz, notes));
    }

    let profile = |t: f64| -> Profile {
        outputs.iter().enumerate().map(|(j, o)| ln_z_declared(loss, o, t.exp(), use_base).map_err(|e| (j, e))).collect()
    };
    // Whether Z(o) exists at all is settled first, at the declared scale or
    // at a = 1 (integrability is a property of the tails).
    let t0 = cfg.scale.map_or(0.0, f64::ln);
    if let Err((j, reason)) = profile(t0) {
        return Ok(no_density(&outputs[j], reason, notes));
    }
    let spread_at = |t: f64| profile(t).map_or(f64::INFINITY, |v| spread(&v));
    let (t, identified, verdict) = settle(&spread_at, cfg.scale, tol);
    match profile(t) {
        Ok(lnz) => Ok(report(verdict, t, identified, vec![], lnz, notes)),
        Err((j, reason)) => Ok(no_density(&outputs[j], reason, notes)),
    }
}

#[cfg(test)]
mod tests;
