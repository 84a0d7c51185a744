//! The total mass of a density over its support, computed by the harness
//! itself: `∫ q` by adaptive Gauss–Kronrod, or `Σ q` by exact summation
//! over the integers. Pieces that end at a finite end of the support are
//! integrated in `s = −ln(distance to the end)`, where integrable
//! end-point singularities (a gamma's `x^{α−1}`) decay exponentially.
//!
//! The quadrature is bilby's, not the distributions crate's own: a premise
//! checked with the code under test would share its bugs.
//!
//! Where the mass sits is not known in advance for a user's model, so the
//! caller passes hints (the data): break points are placed at them and at
//! `m ± w·2ʲ`, `j = 0…40` (`m` their median, `w` their spread), so that a
//! bump anywhere between `w` and `2⁴⁰·w` from the data's centre meets
//! several break points; the tails beyond the outermost ones are mapped
//! onto `[0, 1)`.

use std::cell::Cell;

use bilby::{AdaptiveIntegrator, GKPair};
use xent_distributions::Support;

/// The relative accuracy asked of each quadrature piece.
const REL_TOL: f64 = 1e-13;
/// The absolute accuracy asked of each piece (a density integrates to 1).
const ABS_TOL: f64 = 1e-15;
/// The most terms one discrete sum may take.
const MAX_TERMS: u64 = 10_000_000;

/// The mass of a density: its value, an estimate of its error, and whether
/// the quadrature met its tolerance (an unresolved mass proves nothing
/// either way).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mass {
    /// `∫ q` or `Σ q`.
    pub value: f64,
    /// The estimated absolute error.
    pub error: f64,
    /// Whether every piece met its tolerance.
    pub resolved: bool,
    /// Whether the density was NaN or negative anywhere it was evaluated.
    pub invalid: bool,
}

/// `∫ q` (or `Σ q`) over `support`, with break points from `hints` (finite
/// points where the mass is expected, e.g. the data).
pub fn total_mass(density: &dyn Fn(f64) -> f64, support: Support, hints: &[f64]) -> Mass {
    total_mass_capped(density, support, hints, MAX_TERMS)
}

/// [`total_mass`] with at most `max_terms` terms in a discrete sum (an
/// unresolved mass past it).
pub(crate) fn total_mass_capped(density: &dyn Fn(f64) -> f64, support: Support, hints: &[f64], max_terms: u64) -> Mass {
    let invalid = Cell::new(false);
    let q = |x: f64| {
        // A tail's substitution may reach ±∞ in floating point: one point,
        // measure zero.
        if !x.is_finite() {
            return 0.0;
        }
        let v = density(x);
        if v.is_nan() || v < 0.0 {
            invalid.set(true);
            0.0
        } else {
            v
        }
    };
    let mut mass = match support {
        Support::Continuous { low, high } => continuous(&q, low, high, hints),
        Support::Discrete { low, high } => discrete(&q, low, high, hints, max_terms),
        _ => Mass { value: f64::NAN, error: f64::INFINITY, resolved: false, invalid: false },
    };
    mass.invalid |= invalid.get();
    mass
}

fn add(a: Mass, b: Mass) -> Mass {
    Mass {
        value: a.value + b.value,
        error: a.error + b.error,
        resolved: a.resolved && b.resolved,
        invalid: a.invalid || b.invalid,
    }
}

fn unresolved() -> Mass {
    Mass { value: f64::NAN, error: f64::INFINITY, resolved: false, invalid: false }
}

fn from_result(r: Result<bilby::QuadratureResult<f64>, bilby::QuadratureError>) -> Mass {
    match r {
        Ok(r) => Mass {
            value: r.value,
            error: r.error_estimate,
            // At the round-off floor the value is as accurate as f64 allows.
            resolved: (r.converged || r.roundoff_limited) && r.value.is_finite(),
            invalid: false,
        },
        Err(_) => unresolved(),
    }
}

/// The break points: the hints inside `(low, high)`, and `m ± w·2ʲ`.
fn breaks(low: f64, high: f64, hints: &[f64]) -> Vec<f64> {
    let mut pts: Vec<f64> = hints.iter().copied().filter(|x| x.is_finite() && *x > low && *x < high).collect();
    pts.sort_by(f64::total_cmp);
    pts.dedup();
    if pts.len() > 512 {
        let step = pts.len() / 256;
        let last = pts[pts.len() - 1];
        pts = pts.iter().copied().step_by(step).collect();
        pts.push(last);
    }
    if pts.is_empty() {
        pts.push(match (low.is_finite(), high.is_finite()) {
            (true, true) => 0.5 * low + 0.5 * high,
            (true, false) => low + 1.0,
            (false, true) => high - 1.0,
            (false, false) => 0.0,
        });
    }
    let m = pts[pts.len() / 2];
    let spread = pts[(3 * pts.len()) / 4] - pts[pts.len() / 4];
    let w = if spread > 0.0 { spread } else { m.abs().max(1.0) * 1e-3 };
    for j in 0..=40 {
        let d = w * f64::from(j).exp2();
        for x in [m - d, m + d] {
            if x > low && x < high && x.is_finite() {
                pts.push(x);
            }
        }
    }
    pts.sort_by(f64::total_cmp);
    pts.dedup();
    pts
}

fn continuous(q: &dyn Fn(f64) -> f64, low: f64, high: f64, hints: &[f64]) -> Mass {
    if low.is_nan() || high.is_nan() || low >= high {
        return unresolved();
    }
    let pts = breaks(low, high, hints);
    let (a, b) = (pts[0], pts[pts.len() - 1]);
    let gk = AdaptiveIntegrator::default()
        .with_pair(GKPair::G10K21)
        .with_abs_tol(ABS_TOL)
        .with_rel_tol(REL_TOL)
        .with_max_evals(400_000);
    let body = if a < b {
        from_result(gk.integrate_with_breaks(a, b, &pts[1..pts.len() - 1], q))
    } else {
        Mass { value: 0.0, error: 0.0, resolved: true, invalid: false }
    };
    let scale = (b - a).max(a.abs().max(b.abs()) * 1e-3).max(f64::MIN_POSITIVE);
    // A finite end: x = end ± d·e^{−s}, s ∈ [0, 750], d the distance from
    // the end to the outermost break — an integrable end-point singularity
    // x^{α−1} becomes e^{−αs}, and x comes as close to the end as f64 can.
    // An infinite one: x = edge ± s·t/(1 − t), t ∈ [0, 1).
    let log_breaks: Vec<f64> = (0..10).map(|j| f64::from(j).exp2()).collect();
    let tail = |edge: f64, end: f64, sign: f64| -> Mass {
        if end.is_finite() {
            let d = (edge - end).abs();
            let f = |s: f64| {
                let r = d * (-s).exp();
                let v = q(end - sign * r) * r;
                if v.is_finite() { v } else { 0.0 }
            };
            from_result(gk.integrate_with_breaks(0.0, 750.0, &log_breaks, f))
        } else {
            let f = |t: f64| {
                if t >= 1.0 {
                    return 0.0;
                }
                let r = 1.0 - t;
                let v = q(edge + sign * scale * t / r) * scale / (r * r);
                if v.is_finite() { v } else { 0.0 }
            };
            from_result(gk.integrate(0.0, 1.0, f))
        }
    };
    add(add(body, tail(a, low, -1.0)), tail(b, high, 1.0))
}

fn discrete(q: &dyn Fn(f64) -> f64, low: f64, high: f64, hints: &[f64], max_terms: u64) -> Mass {
    if !low.is_finite() || low.is_nan() || high < low {
        return unresolved();
    }
    let (low, high) = (low.ceil(), high.floor());
    let top = hints.iter().copied().filter(|x| x.is_finite()).fold(low, f64::max);
    // Neumaier-compensated sum of every term to `high`, or, on an unbounded
    // support, past twice the largest hint until 64 terms in a row add
    // less than 1e-18 of the total.
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    let mut small_run = 0u32;
    let mut tail = 0.0f64;
    let mut k = low;
    let mut terms = 0u64;
    while k <= high {
        let t = q(k);
        let s = sum + t;
        comp += if sum.abs() >= t.abs() { (sum - s) + t } else { (t - s) + sum };
        sum = s;
        terms += 1;
        if high.is_infinite() && k > 2.0 * top + 64.0 {
            if t <= 1e-18 * (sum + comp) {
                small_run += 1;
                tail += t;
                if small_run >= 64 {
                    break;
                }
            } else {
                small_run = 0;
                tail = 0.0;
            }
        }
        if terms >= max_terms {
            return Mass { value: sum + comp, error: f64::INFINITY, resolved: false, invalid: false };
        }
        k += 1.0;
    }
    let value = sum + comp;
    // What was left: bounded by the last run (terms falling geometrically at
    // least as fast as over that run) plus the rounding of the sum.
    let error = 64.0 * tail + terms as f64 * f64::EPSILON * value.abs();
    Mass { value, error, resolved: value.is_finite(), invalid: false }
}

/// An expectation `E_p[f] = ∫ p·f` established by the harness: finite (with
/// an error estimate), shown divergent, or not resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// A finite value.
    Finite {
        /// `∫ p·f`.
        value: f64,
        /// The estimated absolute error.
        error: f64,
    },
    /// The integral diverges: the masses of `|f|·p` within `m ± w·10ᵏ`
    /// keep growing — each of the last increments at least half the one
    /// before (a convergent tail's shrink by the decade).
    Divergent {
        /// The increments over the last decades.
        increments: Vec<f64>,
    },
    /// Neither could be established.
    Unresolved(String),
}

/// `E_p[f]` over `support` (`p` a density, `f` any function), the positive
/// and negative parts of `p·f` integrated apart; on a continuous support a
/// divergent part is shown by its truncated masses growing decade by
/// decade from the hints' centre.
pub fn expectation(p: &dyn Fn(f64) -> f64, f: &dyn Fn(f64) -> f64, support: Support, hints: &[f64]) -> Expectation {
    let part = |sign: f64| {
        move |x: f64| {
            let px = p(x);
            if px == 0.0 {
                return 0.0;
            }
            let v = sign * f(x);
            if v > 0.0 {
                px * v
            } else if v.is_nan() {
                f64::NAN
            } else {
                0.0
            }
        }
    };
    let (pos, neg) = (part(1.0), part(-1.0));
    if let Support::Continuous { low, high } = support {
        for g in [&pos as &dyn Fn(f64) -> f64, &neg] {
            if let Some(increments) = growing_tail(g, low, high, hints) {
                return Expectation::Divergent { increments };
            }
        }
    }
    let (a, b) = (total_mass(&pos, support, hints), total_mass(&neg, support, hints));
    if a.invalid || b.invalid {
        return Expectation::Unresolved("the integrand is NaN somewhere".into());
    }
    let finite = a.value.is_finite() && b.value.is_finite();
    if !a.resolved || !b.resolved || !finite {
        return Expectation::Unresolved("the quadrature did not converge".into());
    }
    Expectation::Finite { value: a.value - b.value, error: a.error + b.error }
}

/// The increments of `∫ g` over `m ± w·10ᵏ`, `k = 0…14`, when the last four
/// each are at least half the one before and positive (a divergent tail).
fn growing_tail(g: &dyn Fn(f64) -> f64, low: f64, high: f64, hints: &[f64]) -> Option<Vec<f64>> {
    let pts = breaks(low, high, hints);
    let m = pts[pts.len() / 2];
    let mut finite: Vec<f64> = hints.iter().copied().filter(|x| x.is_finite()).collect();
    finite.sort_by(f64::total_cmp);
    let w = if finite.len() >= 4 { finite[3 * finite.len() / 4] - finite[finite.len() / 4] } else { 1.0 };
    let w = if w > 0.0 { w } else { 1.0 };
    let mut masses = Vec::new();
    for k in 0..15 {
        let r = w * 10f64.powi(k);
        let (lo, hi) = ((m - r).max(low), (m + r).min(high));
        let mass = total_mass(g, Support::Continuous { low: lo, high: hi }, hints);
        masses.push(mass.value);
    }
    let inc: Vec<f64> = masses.windows(2).map(|w| w[1] - w[0]).collect();
    let last = &inc[inc.len() - 5..];
    let growing = last.windows(2).all(|w| w[0] > 0.0 && w[1] >= 0.5 * w[0]);
    growing.then(|| last.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(m: f64, s: f64) -> impl Fn(f64) -> f64 {
        move |x: f64| (-0.5 * ((x - m) / s).powi(2)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt())
    }

    #[test]
    fn densities_integrate_to_one_at_any_scale_and_place() {
        let all = Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY };
        for (m, s) in [(0.0, 1.0), (1e6, 1e-3), (-3.0, 1e4), (1e-9, 1e-8)] {
            let hints: Vec<f64> = (0..50).map(|i| m + s * (f64::from(i) - 25.0) / 10.0).collect();
            let mass = total_mass(&normal(m, s), all, &hints);
            // Nodes near m are rounded to ulp(m), i.e. ε|m|/s in units of s:
            // the integrand's own rounding bounds the accuracy.
            let bound = 1e-12f64.max(f64::EPSILON * m.abs() / s);
            assert!(mass.resolved && (mass.value - 1.0).abs() < bound, "{m} {s}: {mass:?}");
        }
        // A Cauchy's heavy tails, found from hints far from its scale.
        let cauchy = |x: f64| 1.0 / (std::f64::consts::PI * (1.0 + x * x));
        let mass = total_mass(&cauchy, all, &[-0.5, 0.0, 0.5]);
        assert!(mass.resolved && (mass.value - 1.0).abs() < 1e-10, "{mass:?}");
        // A gamma(0.3, 1) with its x^(−0.7) singularity at 0.
        let a = 0.3f64;
        let gamma = move |x: f64| (x.powf(a - 1.0) * (-x).exp()) / statrs_gamma(a);
        let half = Support::Continuous { low: 0.0, high: f64::INFINITY };
        let mass = total_mass(&gamma, half, &[0.1, 0.5, 1.0, 2.0]);
        assert!((mass.value - 1.0).abs() < 1e-9, "{mass:?}");
    }

    fn statrs_gamma(a: f64) -> f64 {
        xent_distributions::special::ln_gamma(a).exp()
    }

    #[test]
    fn an_unnormalised_density_is_seen_and_nan_is_invalid() {
        let all = Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY };
        // A normal without its 1/σ: mass σ.
        let q = |x: f64| (-0.5 * (x / 3.0).powi(2)).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mass = total_mass(&q, all, &[-1.0, 0.0, 1.0]);
        assert!((mass.value - 3.0).abs() < 1e-10, "{mass:?}");
        let nan = |x: f64| if x > 5.0 { f64::NAN } else { normal(0.0, 1.0)(x) };
        assert!(total_mass(&nan, all, &[0.0]).invalid);
    }

    #[test]
    fn expectations_finite_and_divergent() {
        let all = Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY };
        let hints: Vec<f64> = (-20..=20).map(|i| f64::from(i) / 10.0).collect();
        let cauchy = |x: f64| 1.0 / (std::f64::consts::PI * (1.0 + x * x));
        // E[x²] under a Cauchy diverges (linearly), E[ln(1 + x²)] = 2 ln 2 is finite.
        assert!(matches!(expectation(&cauchy, &|x| x * x, all, &hints), Expectation::Divergent { .. }));
        match expectation(&cauchy, &|x| (1.0 + x * x).ln(), all, &hints) {
            Expectation::Finite { value, .. } => assert!((value - 4f64.ln()).abs() < 1e-9, "{value}"),
            e => panic!("{e:?}"),
        }
        // Under a normal, E[x²] = 1 and E[−x] = 0 (both signs integrated).
        let phi = normal(0.0, 1.0);
        match expectation(&phi, &|x| x * x - x, all, &hints) {
            Expectation::Finite { value, .. } => assert!((value - 1.0).abs() < 1e-12, "{value}"),
            e => panic!("{e:?}"),
        }
        // Student-t(3) data: E[x²] = 3, a heavy but convergent tail.
        let t3 = |x: f64| 6.0 * 3f64.sqrt() / (std::f64::consts::PI * (3.0 + x * x).powi(2));
        match expectation(&t3, &|x| x * x, all, &hints) {
            Expectation::Finite { value, .. } => assert!((value - 3.0).abs() < 1e-8, "{value}"),
            e => panic!("{e:?}"),
        }
    }

    /// The break points: the finite hints inside the support, sorted and
    /// deduplicated, then the median ± the interquartile range × 2ʲ for
    /// j = 0 … 40, where inside.
    #[test]
    fn break_points_are_the_hints_and_a_geometric_ladder_around_them() {
        let inf = f64::INFINITY;
        let ladder = |m: f64, w: f64| -> Vec<f64> {
            (0..=40).flat_map(|j| [m - w * f64::from(j).exp2(), m + w * f64::from(j).exp2()]).collect()
        };
        let sorted = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        // Hints 1 … 5 (one repeated, one NaN): median 3, spread 4 − 2.
        let got = breaks(-inf, inf, &[5.0, 1.0, 3.0, 2.0, 4.0, 3.0, f64::NAN]);
        let mut want = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        want.extend(ladder(3.0, 2.0));
        assert_eq!(got, sorted(want));
        // Only what lies strictly inside (0, 4): hints 1, 2, 3 (median 2,
        // spread 3 − 1 = 2); the ladder's first rung, 0 and 4, is outside.
        let got = breaks(0.0, 4.0, &[0.0, 1.0, 2.0, 3.0, 4.0, 9.0]);
        assert_eq!(got, [1.0, 2.0, 3.0]);
        // One hint: no spread, w = max(1, |m|)·1e-3.
        let got = breaks(-inf, inf, &[2000.0]);
        let mut want = vec![2000.0];
        want.extend(ladder(2000.0, 2.0));
        assert_eq!(got, sorted(want));
        // No hints: the middle of a bounded support, one unit inside a
        // half-line, 0 on the line.
        assert!(breaks(2.0, 4.0, &[]).contains(&3.0));
        // (w = 3·1e-3: the ladder reaches down to 3 − w·2⁸ inside (2, ∞).)
        assert_eq!(breaks(2.0, inf, &[])[0], 3.0 - 3.0 * 1e-3 * 256.0);
        assert!(breaks(2.0, inf, &[]).contains(&3.0) && breaks(2.0, inf, &[]).iter().all(|x| *x > 2.0));
        assert!(breaks(-inf, -2.0, &[]).contains(&-3.0) && breaks(-inf, -2.0, &[]).iter().all(|x| *x < -2.0));
        assert!(breaks(-inf, inf, &[]).contains(&0.0));
        // More than 512 hints: every (n/256)-th, and the last.
        let many: Vec<f64> = (0..1000).map(f64::from).collect();
        let got = breaks(-inf, inf, &many);
        for k in [0.0, 3.0, 6.0, 999.0] {
            assert!(got.contains(&k), "{k}");
        }
        assert!(!got.contains(&1.0) && !got.contains(&2.0));
    }

    /// Discrete sums: compensated (10³ terms of 1e-17 after a 1 are not
    /// lost), cut after 64 negligible terms past twice the largest hint on
    /// an unbounded support, and unresolved when the term budget runs out.
    #[test]
    fn discrete_sums_are_compensated_and_stop_where_stated() {
        let q = |k: f64| if k == 0.0 { 1.0 } else { 1e-17 };
        let m = discrete(&q, 0.0, 1000.0, &[], u64::MAX);
        assert!((m.value - (1.0 + 1e-14)).abs() < 1e-20, "{:e}", m.value - 1.0);
        assert!(m.resolved && m.error <= 1001.0 * f64::EPSILON * 1.0001, "{m:?}");
        // Geometric terms 2^-k from k = 0: Σ = 2; every term past k = 59 is
        // below 1e-18 of the sum, the run is counted past 2·0 + 64, so its
        // 64th term is k = 128: 129 terms.
        let counted = std::cell::Cell::new(0u64);
        let geo = |k: f64| {
            counted.set(counted.get() + 1);
            (-k).exp2()
        };
        let m = discrete(&geo, 0.0, f64::INFINITY, &[], u64::MAX);
        assert!((m.value - 2.0).abs() < 1e-15 && m.resolved, "{m:?}");
        assert_eq!(counted.get(), 129);
        // The run is only counted past 2·top + 64: a hint at 100 keeps it
        // going to k = 264 + 64, 329 terms.
        counted.set(0);
        let _ = discrete(&geo, 0.0, f64::INFINITY, &[100.0], u64::MAX);
        assert_eq!(counted.get(), 329);
        // The error bound: 64 times the last run's mass plus the rounding
        // of 129 terms, ε·value each.
        let run: f64 = (65..=128).map(|k| (-f64::from(k)).exp2()).sum();
        let want = 64.0 * run + 129.0 * f64::EPSILON * 2.0;
        assert!((m.error - want).abs() < 1e-6 * want, "{m:?} vs {want:e}");
        // A budget reached is unresolved, with an infinite error.
        let m = discrete(&|_| 1.0, 0.0, f64::INFINITY, &[], 1000);
        assert!(!m.resolved && m.error == f64::INFINITY && m.value == 1000.0, "{m:?}");
        // Bad supports: not summed at all (no value), whatever the budget.
        for (low, high) in [(f64::NEG_INFINITY, 3.0), (3.0, 2.0), (f64::NAN, 3.0)] {
            let m = discrete(&q, low, high, &[], 10);
            assert!(!m.resolved && m.value.is_nan() && m.error == f64::INFINITY, "{low} {high}: {m:?}");
        }
        // Non-integer ends: from ⌈low⌉ to ⌊high⌋.
        let ones = discrete(&|_| 1.0, 0.5, 3.5, &[], 100);
        assert_eq!(ones.value, 3.0);
    }

    #[test]
    fn discrete_sums_reach_the_tail() {
        // Poisson(40) from hints near 3: the sum runs on until its tail is spent.
        let lam = 40.0f64;
        let p = |k: f64| (k * lam.ln() - lam - xent_distributions::special::ln_gamma(k + 1.0)).exp();
        let mass = total_mass(&p, Support::Discrete { low: 0.0, high: f64::INFINITY }, &[2.0, 3.0, 4.0]);
        assert!(mass.resolved && (mass.value - 1.0).abs() < 1e-13, "{mass:?}");
        let b = |k: f64| if k == 0.0 { 0.7 } else { 0.3 };
        let mass = total_mass(&b, Support::Discrete { low: 0.0, high: 1.0 }, &[]);
        assert_eq!(mass.value, 1.0);
    }
}
