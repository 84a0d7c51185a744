//! The regularised incomplete gamma and beta functions, accurate and
//! bounded in time for every parameter from subnormal to `1e300`.
//!
//! Moderate parameters use the classical series and continued fractions,
//! with prefactors `xᵃe⁻ˣ/Γ(a+1)` and `xᵃyᵇ/B(a,b)` computed in Loader's
//! deviance form (no cancellation between terms of size `a ln x`). Large
//! parameters, where the series would need `O(√a)` terms and lose digits,
//! integrate the density over the smaller tail instead: in the offset
//! `D = t − a` (gamma) or `D = (a+b)t − a` (beta) from the mean, whose
//! log-density `−a·h(D/a) − …` with `h(u) = u − ln(1+u)` is evaluated
//! without cancellation at any scale, by adaptive Gauss–Legendre over at
//! most 50 decay lengths. So the cost is bounded by a constant, and a
//! shape of `1e300` is as cheap as a shape of `1e3`.

use crate::quadrature::integrate;
use crate::special::{HALF_LN_2PI, ln_a_beta, ln_beta, ln_gamma, stirlerr};

/// Shapes from which the incomplete functions integrate the density.
const LARGE: f64 = 1000.0;
/// Iteration budget of the series and continued fractions (they need
/// `O(√LARGE)` terms below `LARGE`, and a few hundred at most in practice).
const MAX_ITER: usize = 20_000;
const FPMIN: f64 = 1e-300;
/// The stopping test of a continued fraction evaluated by Lentz's method:
/// its last factor within `1e-16` of 1, or within one ulp (`ε`) of 1 twice
/// running. The test `|Δ − 1| < 1e-16` alone can never pass once rounding
/// leaves every factor at `1 − 2⁻⁵³` (`I_x(a, ½)` at `x = 10⁻³`), and the
/// product then drifts by an ulp per term for the whole iteration budget;
/// one factor within `ε` alone stops slowly converging fractions early.
#[derive(Default)]
pub(crate) struct CfStop {
    near_last: bool,
}

impl CfStop {
    /// Whether the fraction has converged after a factor `del`.
    pub(crate) fn done(&mut self, del: f64) -> bool {
        let off = (del - 1.0).abs();
        let near = off <= f64::EPSILON;
        let stop = off < 1e-16 || (near && self.near_last);
        self.near_last = near;
        stop
    }
}

/// `a·h(d/a)` with `h(u) = u − ln(1 + u)`, for `a > 0`, `d ≥ −a`, `s = a + d`
/// (passed separately, as callers know it more accurately than `a + d`).
/// Accurate to a few ulp for every `d`: a series in `y = u/(2 + u)` for
/// `|u| ≤ ½`, where `u − ln(1 + u) = u·y − 2y³(1/3 + y²/5 + …)`.
pub(crate) fn a_h(a: f64, d: f64, s: f64) -> f64 {
    if !(s > 0.0) {
        return f64::INFINITY;
    }
    let u = d / a;
    if u.abs() <= 0.5 {
        let y = u / (2.0 + u);
        let y2 = y * y;
        let mut term = 1.0 / 3.0;
        let mut sum = term;
        let mut yk = 1.0;
        for k in 1..40 {
            yk *= y2;
            term = yk / f64::from(2 * k + 3);
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        a * (u * y - 2.0 * y * y2 * sum)
    } else {
        // ln(s/a), not ln(1 + u): u near −1 has lost the digits s keeps.
        d - a * crate::special::ln_ratio(s, a)
    }
}

// ---------------------------------------------------------------- gamma

/// `(P(a, x), Q(a, x))`, the regularised lower and upper incomplete gamma
/// functions, each computed directly where it is the smaller (so both
/// tails keep their relative accuracy).
pub(crate) fn gamma_pq(a: f64, x: f64) -> (f64, f64) {
    if a.is_nan() || x.is_nan() || !(a > 0.0) {
        return (f64::NAN, f64::NAN);
    }
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if x == f64::INFINITY {
        return (1.0, 0.0);
    }
    if a == f64::INFINITY {
        return (0.0, 1.0);
    }
    if a >= LARGE {
        return gamma_by_quadrature(a, x);
    }
    // ln(xᵃ e⁻ˣ / Γ(a + 1)), Loader's form from a = 10 on.
    let ln_f = if a < 10.0 {
        a * x.ln() - x - ln_gamma(a + 1.0)
    } else {
        -stirlerr(a) - a_h(a, x - a, x) - 0.5 * (2.0 * std::f64::consts::PI * a).ln()
    };
    let f = ln_f.exp();
    if x < a + 1.0 {
        // P = F · Σₙ xⁿ / ((a+1)…(a+n))
        let (mut term, mut sum) = (1.0, 1.0);
        for n in 1..MAX_ITER {
            term *= x / (a + n as f64);
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        let p = (f * sum).min(1.0);
        (p, 1.0 - p)
    } else {
        // Q = a·F · 1/(x+1−a− 1(1−a)/(x+3−a− 2(2−a)/(x+5−a− …))) (modified Lentz)
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / FPMIN;
        let mut d = 1.0 / b;
        let mut h = d;
        let mut stop = crate::incomplete::CfStop::default();
        for i in 1..MAX_ITER {
            let fi = i as f64;
            let an = -fi * (fi - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < FPMIN {
                d = FPMIN;
            }
            c = b + an / c;
            if c.abs() < FPMIN {
                c = FPMIN;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if stop.done(del) {
                break;
            }
        }
        let q = (a * f * h).clamp(0.0, 1.0);
        (1.0 - q, q)
    }
}

/// The smaller tail of a concave log-density `g` of the offset `D`,
/// `∫ e^{g}` from `x` outward: `lower` integrates `(lo, x]`, otherwise
/// `[x, hi)`. `mode` and `sd` locate the bulk; `slope(x)` is `g′(x)`.
/// The interval reaches 50 decay lengths beyond `x` (`1/|g′|` in the
/// tails, `sd` near the mode), where the integrand has fallen below e⁻⁵⁰
/// of its largest value on the interval.
#[allow(clippy::too_many_arguments)]
fn tail(
    g: impl Fn(f64) -> f64,
    slope: f64,
    x: f64,
    lower: bool,
    mode: f64,
    sd: f64,
    support: (f64, f64),
    ln_scale: f64,
) -> f64 {
    const REACH: f64 = 50.0;
    let (lo, hi) = if lower {
        let mut lo = (mode - REACH * sd).max(support.0);
        if slope > 0.0 {
            lo = lo.max(x - REACH / slope);
        }
        (lo.min(x), x)
    } else {
        let mut hi = (mode + REACH * sd).min(support.1);
        if slope < 0.0 {
            hi = hi.min(x - REACH / slope);
        }
        (x, hi.max(x))
    };
    // The largest value of the integrand on the interval.
    let peak = if mode > lo && mode < hi {
        mode
    } else if lower {
        hi
    } else {
        lo
    };
    let g_ref = g(peak);
    if !g_ref.is_finite() {
        return 0.0;
    }
    let scale = (ln_scale + g_ref).exp();
    if scale == 0.0 {
        return 0.0;
    }
    let breaks: Vec<f64> = (1..16).map(|i| lo + (hi - lo) * f64::from(i) / 16.0).chain([mode]).collect();
    let integral = integrate(|d| (g(d) - g_ref).exp(), lo, hi, &breaks, 1e-15);
    (scale * integral).clamp(0.0, 1.0)
}

fn gamma_by_quadrature(a: f64, x: f64) -> (f64, f64) {
    // t = a + D: density e^{C} e^{−a h(D/a)} / (1 + D/a), C = −½ln(2πa) − stirlerr(a).
    let dx = x - a;
    let g = |d: f64| {
        let s = a + d;
        if !(s > 0.0) { f64::NEG_INFINITY } else { -a_h(a, d, s) - (d / a).ln_1p() }
    };
    let slope = -(dx + 1.0) / x;
    let ln_c = -stirlerr(a) - HALF_LN_2PI - 0.5 * a.ln();
    let lower = dx <= 0.0;
    let t = tail(g, slope, dx, lower, -1.0, a.sqrt(), (-a, f64::INFINITY), ln_c);
    if lower { (t, 1.0 - t) } else { (1.0 - t, t) }
}

// ----------------------------------------------------------------- beta

/// `x·b − y·a` to a few ulp (an fma-compensated difference of products).
fn offset(x: f64, y: f64, a: f64, b: f64) -> f64 {
    let w = y * a;
    let err = (-y).mul_add(a, w);
    x.mul_add(b, -w) + err
}

/// `ln(x₀ᵃ y₀ᵇ / B(a, b))` at `x₀ = a/(a+b)`, `y₀ = b/(a+b)`, exact in
/// Loader's form: `½ ln(ab/(2π(a+b))) + stirlerr(a+b) − stirlerr(a) − stirlerr(b)`.
fn ln_beta_peak(a: f64, b: f64) -> f64 {
    let r = a + b;
    0.5 * (a.ln() + b.ln() - r.ln()) - HALF_LN_2PI + stirlerr(r) - stirlerr(a) - stirlerr(b)
}

/// `(I_x(a, b), 1 − I_x(a, b))` with `y = 1 − x` given separately (so that
/// `x` close to 1 keeps its precision); each computed directly where it is
/// the smaller.
pub(crate) fn beta_pq(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    if a.is_nan() || b.is_nan() || x.is_nan() || y.is_nan() || !(a > 0.0 && b > 0.0) {
        return (f64::NAN, f64::NAN);
    }
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if y <= 0.0 {
        return (1.0, 0.0);
    }
    if a == f64::INFINITY || b == f64::INFINITY {
        // All mass at 1 (a = ∞), at 0 (b = ∞); both: at the limit a/(a+b) is undefined.
        return match (a.is_infinite(), b.is_infinite()) {
            (true, false) => (0.0, 1.0),
            (false, true) => (1.0, 0.0),
            _ => (f64::NAN, f64::NAN),
        };
    }
    if a.min(b) >= LARGE {
        return beta_by_quadrature(a, b, x, y);
    }
    if a.max(b) >= LARGE {
        // One small, one large parameter: the continued fraction is fast
        // only with the small one first and x below the mean; beyond, the
        // far tail is integrated.
        return if a < b {
            small_large(a, b, x, y)
        } else {
            let (i, j) = small_large(b, a, y, x);
            (j, i)
        };
    }
    if x * (a + b + 2.0) < a + 1.0 {
        let i = beta_cf(a, b, x, y);
        (i, 1.0 - i)
    } else if b < 1.0 && a >= 1.0 {
        // I is the small tail here, but 1 − (the continued fraction of the
        // other tail) would leave it only absolute accuracy: integrate it in
        // s = −ln(1 − t), where tᵃ⁻¹(1−t)ᵇ⁻¹dt = (1 − e⁻ˢ)ᵃ⁻¹e⁻ˢᵇ ds is smooth.
        let top = -y.ln();
        let mut breaks = vec![];
        let mut c = top;
        while c > 1e-3 {
            c *= 0.5;
            breaks.push(c);
        }
        let f = |s: f64| ((a - 1.0) * (-(-s).exp_m1()).ln() - s * b).exp();
        let i = ((-ln_beta(a, b)).exp() * integrate(f, 0.0, top, &breaks, 1e-15)).clamp(0.0, 1.0);
        (i, 1.0 - i)
    } else {
        let j = beta_cf(b, a, y, x);
        (1.0 - j, j)
    }
}

/// `(I_x(a, b), 1 − I_x(a, b))` for `a < LARGE ≤ b`.
fn small_large(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    if x * (a + b + 2.0) < a + 1.0 {
        let i = beta_cf(a, b, x, y);
        return (i, 1.0 - i);
    }
    // x is past the mode: the density decreases on [x, 1), at least as fast
    // as e^{−(b−1)(t−x)} (and, for a ≥ 1, concavely), so 50 decay lengths
    // from x hold all but e⁻⁵⁰ of the upper tail.
    let ln_f = |t: f64| ln_beta_density(t, 1.0 - t, a, b);
    let slope = (a - 1.0) / x - (b - 1.0) / y;
    let decay = if a >= 1.0 { -slope } else { b - 1.0 };
    let hi = (x + 50.0 / decay).min(1.0);
    let top = ln_beta_density(x, y, a, b);
    if !top.is_finite() {
        return (1.0, 0.0);
    }
    let breaks: Vec<f64> = (1..16).map(|i| x + (hi - x) * f64::from(i) / 16.0).collect();
    let upper = (top.exp() * integrate(|t| (ln_f(t) - top).exp(), x, hi, &breaks, 1e-15)).clamp(0.0, 1.0);
    (1.0 - upper, upper)
}

/// `I_x(a, b)` by its continued fraction (modified Lentz), for
/// `x < (a+1)/(a+b+2)`, times the prefactor `xᵃyᵇ/(a B(a,b))`.
fn beta_cf(a: f64, b: f64, x: f64, y: f64) -> f64 {
    // ln x and ln y each from the smaller of x, y (the one that carries its
    // digits): `y.ln()` at y = 1 − 5e-13 would keep only 4 of them.
    let (ln_x, ln_y) = if x < y { (x.ln(), (-x).ln_1p()) } else { ((-y).ln_1p(), y.ln()) };
    let ln_pre = if a < 1.0 {
        // Here the prefactor is near 1 while ln B ≈ −ln a is large: see ln_a_beta.
        a * ln_x + b * ln_y - ln_a_beta(a, b)
    } else if b >= LARGE || a >= LARGE {
        let d = offset(x, y, a, b);
        let r = a + b;
        ln_beta_peak(a, b) - a_h(a, d, x * r) - a_h(b, -d, y * r) - a.ln()
    } else {
        a * ln_x + b * ln_y - ln_a_beta(a, b)
    };
    let pre = ln_pre.exp();
    if pre == 0.0 {
        return 0.0;
    }
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let guard = |v: f64| if v.abs() < FPMIN { FPMIN } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    let mut stop = crate::incomplete::CfStop::default();
    for m in 1..MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if stop.done(del) {
            break;
        }
    }
    (pre * h).clamp(0.0, 1.0)
}

/// `P(T ≤ z)` for Student's t with `ν` degrees of freedom, by quadrature of
/// the density over the lower tail (for large `ν`, where the incomplete
/// beta `I(ν/2, ½)` has one huge and one small parameter and its continued
/// fraction needs `O(√ν)` terms).
pub(crate) fn student_t_cdf_by_quadrature(z: f64, nu: f64) -> f64 {
    if z > 0.0 {
        return 1.0 - student_t_cdf_by_quadrature(-z, nu);
    }
    let ln_c = -ln_beta(0.5 * nu, 0.5) - 0.5 * nu.ln();
    let g = |t: f64| -0.5 * (nu + 1.0) * (t / nu.sqrt()).powi(2).ln_1p();
    if z > -1.0 {
        // ½ − ∫_z^0 exactly about the centre (the mass below 0 is ½ by
        // symmetry), so the CDF is monotone to the last ulp there.
        return 0.5 - integrate(|t| (ln_c + g(t)).exp(), z, 0.0, &[], 1e-16);
    }
    let slope = -(nu + 1.0) * z / (nu + z * z);
    tail(g, slope, z, true, 0.0, 1.0, (f64::NEG_INFINITY, f64::INFINITY), ln_c)
}

/// See [`crate::special::ln_beta_density`]; `y = 1 − x`.
pub(crate) fn ln_beta_density(x: f64, y: f64, a: f64, b: f64) -> f64 {
    if !(x > 0.0 && y > 0.0) {
        return f64::NEG_INFINITY;
    }
    if a.max(b) < 100.0 {
        return (a - 1.0) * x.ln() + (b - 1.0) * y.ln() - ln_beta(a, b);
    }
    let d = offset(x, y, a, b);
    let r = a + b;
    ln_beta_peak(a, b) - a_h(a, d, x * r) - a_h(b, -d, y * r) - x.ln() - y.ln()
}

fn beta_by_quadrature(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    // t = (a + D)/(a + b): density dt = e^{C} e^{−a h(D/a) − b h(−D/b)} / ((1 + D/a)(1 − D/b)) dD
    // with C = ln(x₀ᵃy₀ᵇ/B) + ln((a+b)/(ab)).
    let r = a + b;
    let dx = offset(x, y, a, b);
    let g = |d: f64| {
        let (s, t) = (a + d, b - d);
        if !(s > 0.0 && t > 0.0) {
            f64::NEG_INFINITY
        } else {
            -a_h(a, d, s) - a_h(b, -d, t) - (d / a).ln_1p() - (-d / b).ln_1p()
        }
    };
    let slope = (a - 1.0) / (a + dx) - (b - 1.0) / (b - dx);
    let ln_c = ln_beta_peak(a, b) + r.ln() - a.ln() - b.ln();
    let mode = (a - b) / (r - 2.0);
    let sd = a.sqrt() * (b / r).sqrt();
    let lower = dx <= 0.0;
    let t = tail(g, slope, dx, lower, mode, sd, (-a, b), ln_c);
    if lower { (t, 1.0 - t) } else { (1.0 - t, t) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_h_agrees_with_the_direct_form_where_that_is_accurate() {
        for &(a, d) in &[(1.0f64, 0.3f64), (5.0, -2.0), (1e3, 400.0), (2.0, 0.9)] {
            let direct = d - a * (d / a).ln_1p();
            assert!((a_h(a, d, a + d) - direct).abs() <= 8.0 * f64::EPSILON * direct, "{a} {d}");
        }
        // d ≪ a: a·h ≈ d²/(2a) − d³/(3a²)
        let (a, d) = (1e300, 1e290);
        let want = d * d / (2.0 * a) * (1.0 - 2.0 * d / (3.0 * a));
        assert!((a_h(a, d, a + d) - want).abs() <= 4.0 * f64::EPSILON * want);
        assert_eq!(a_h(2.0, -2.0, 0.0), f64::INFINITY);
    }

    #[test]
    fn tails_are_complementary_across_the_switches() {
        for &(a, x) in &[(999.0, 1000.0), (1000.0, 1000.0), (12.0, 13.5), (0.5, 1.4), (0.5, 1.6)] {
            let (p, q) = gamma_pq(a, x);
            assert!((p + q - 1.0).abs() < 1e-15, "{a} {x}");
        }
        // continuity at a = LARGE: P(999.999…, x) ≈ P(1000, x)
        let below = gamma_pq(LARGE * (1.0 - 1e-15), 1010.0).0;
        let at = gamma_pq(LARGE, 1010.0).0;
        assert!((below - at).abs() < 1e-13, "{below} vs {at}");
        let below = beta_pq(LARGE * (1.0 - 1e-15), 2000.0, 0.33, 0.67).0;
        let at = beta_pq(LARGE, 2000.0, 0.33, 0.67).0;
        assert!((below - at).abs() < 1e-13, "{below} vs {at}");
    }
}
