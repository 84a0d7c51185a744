//! Log-CDFs and log-survival functions, generic over the scalar: what
//! censored and truncated likelihoods are made of.
//!
//! Every continuous family implements [`LogCdf`]: `ln F(x)` and
//! `ln S(x) = ln(1 − F(x))`, each computed on its own (`ln Φ(−z)` for a
//! normal's survival, never `ln(1 − Φ(z))`), so both tails keep their
//! digits, and the probability of an interval from whichever tail it lies
//! in ([`LogCdf::ln_interval`]). Derivatives come from the duals: closed
//! forms where the distribution function has one, the chain rules of
//! [`Scalar::ln_norm_cdf`], [`Scalar::ln_gamma_inc`] and
//! [`Scalar::ln_beta_inc`] otherwise.

use crate::scalar::Scalar;

/// `ln F(x)` and `ln S(x)` of a univariate distribution, generic over the
/// scalar of its parameters (the observation is data).
pub trait LogCdf<T: Scalar> {
    /// `ln P(X ≤ x)`.
    fn ln_cdf(&self, x: f64) -> T;
    /// `ln P(X > x)`, computed directly (not as `ln(1 − F)`).
    fn ln_sf(&self, x: f64) -> T;
    /// `ln P(low < X ≤ high)` for `low < high`: from the lower tail
    /// (`ln F(high) + ln(1 − F(low)/F(high))`) when `high` is below the
    /// median, from the upper tail when `low` is above it, and as
    /// `ln(1 − F(low) − S(high))` across it — a difference of two close
    /// numbers only where the interval's probability is itself close to
    /// either's.
    fn ln_interval(&self, low: f64, high: f64) -> T {
        ln_interval_from(|x| self.ln_cdf(x), |x| self.ln_sf(x), low, high)
    }
}

/// [`LogCdf::ln_interval`] from any `ln F` and `ln S` (for models that
/// are not [`LogCdf`] types themselves). `low ≥ high` is `−∞` (an empty
/// interval), a NaN end NaN.
pub fn ln_interval_from<T: Scalar>(ln_cdf: impl Fn(f64) -> T, ln_sf: impl Fn(f64) -> T, low: f64, high: f64) -> T {
    if low.is_nan() || high.is_nan() {
        return T::cst(f64::NAN);
    }
    if low >= high {
        return T::neg_infinity();
    }
    let (fl, fh) = (ln_cdf(low), ln_cdf(high));
    let ln_half = -std::f64::consts::LN_2;
    if fh.value() <= ln_half {
        return crate::families::underflow(fh + log1mexp(fl - fh));
    }
    let (sl, sh) = (ln_sf(low), ln_sf(high));
    if sl.value() <= ln_half {
        return crate::families::underflow(sl + log1mexp(sh - sl));
    }
    (-(fl.exp() + sh.exp())).ln_1p()
}

/// The value of `ln F(x)` (`lower`) or `ln S(x)` outside the open support
/// `(low, high)`: `−∞` or 0; `None` inside, and for NaN (whose value is NaN).
pub(crate) fn outside<T: Scalar>(x: f64, low: f64, high: f64, lower: bool) -> Option<T> {
    if x.is_nan() {
        return Some(T::cst(f64::NAN));
    }
    if x <= low {
        Some(if lower { T::neg_infinity() } else { T::zero() })
    } else if x >= high {
        Some(if lower { T::zero() } else { T::neg_infinity() })
    } else {
        None
    }
}

/// `ln(1 − eᵃ)` for `a ≤ 0` (Mächler's split at `−ln 2`): `−∞` at 0.
pub fn log1mexp<T: Scalar>(a: T) -> T {
    if a.value() > -std::f64::consts::LN_2 { (-a.exp_m1()).ln() } else { (-a.exp()).ln_1p() }
}

/// `ln(eᵃ + eᵇ)` without overflow.
pub fn log_add_exp<T: Scalar>(a: T, b: T) -> T {
    let (hi, lo) = if a.value() >= b.value() { (a, b) } else { (b, a) };
    if lo.value() == f64::NEG_INFINITY { hi } else { hi + (lo - hi).exp().ln_1p() }
}

/// `φ(z)/Φ(z)`, the derivative of `ln Φ(z)`: for `z < −5` as `1/R(−z)`
/// with Mills' ratio `R(x) = Φ(−x)/φ(x)` by its continued fraction
/// `1/(x + 1/(x + 2/(x + …)))` (60 levels: converged to rounding for
/// `x ≥ 5`), so it tends to `−z` without the cancellation of
/// `exp(−z²/2 − ln Φ(z))`; directly above.
pub(crate) fn norm_hazard<T: Scalar>(z: T) -> T {
    if z.value() < -5.0 {
        let x = -z;
        let mut tail = x;
        for k in (1..=60).rev() {
            tail = x + T::cst(f64::from(k)) / tail;
        }
        // R(x) = 1 / tail.
        return tail;
    }
    (-(z * z) * T::cst(0.5) - T::cst(crate::special::HALF_LN_2PI) - z.ln_norm_cdf()).exp()
}

/// `f'(a)` by the five-point stencil `(f(a−2h) − 8f(a−h) + 8f(a+h) −
/// f(a+2h)) / 12h`, `h = a/500`: truncation `O(h⁴)`, rounding `ε|f|/h`,
/// both near 1e-11 relative for the incomplete gamma and beta functions
/// (tests compare with central differences of higher precision). Generic,
/// so that nested duals get the derivative of the derivative.
pub(crate) fn stencil<T: Scalar>(a: T, f: impl Fn(T) -> T) -> T {
    let h = a.value() / 500.0;
    let at = |k: f64| f(a + T::cst(k * h));
    (at(-2.0) - at(-1.0) * T::cst(8.0) + at(1.0) * T::cst(8.0) - at(2.0)) / T::cst(12.0 * h)
}

/// `ln P(a, x)` or `ln Q(a, x)` in `f64`: the log of
/// [`crate::special::gamma_pq`]'s value, or — where that underflows — the
/// log of the series (`P`, `x < a`) or the continued fraction (`Q`) with its
/// prefactor `xᵃ e⁻ˣ / Γ(a)` in log space.
pub(crate) fn ln_gamma_inc_f64(a: f64, x: f64, upper: bool) -> f64 {
    if !(a > 0.0) || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return if upper { 0.0 } else { f64::NEG_INFINITY };
    }
    if x == f64::INFINITY {
        return if upper { f64::NEG_INFINITY } else { 0.0 };
    }
    let (p, q) = crate::special::gamma_pq(a, x);
    let (v, other) = if upper { (q, p) } else { (p, q) };
    // Near 1, the log of the complement's deficit: digits of ln v ≈ −(1 − v).
    if v > 0.5 {
        return (-other).ln_1p();
    }
    if v > 1e-290 {
        return v.ln();
    }
    let prefix = a * x.ln() - x - crate::special::ln_gamma(a);
    if !upper && x < a + 1.0 {
        // P = xᵃe⁻ˣ/Γ(a+1) · Σₙ xⁿ / ((a+1)…(a+n)).
        let (mut term, mut sum) = (1.0, 1.0);
        for n in 1..100_000 {
            term *= x / (a + f64::from(n));
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        return prefix - a.ln() + sum.ln();
    }
    if upper && x > a {
        // Q = xᵃe⁻ˣ/Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)), modified Lentz.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        return prefix + h.ln();
    }
    v.ln()
}

/// `ln I_x(a, b)` or `ln(1 − I_x(a, b))` in `f64`, each from
/// [`crate::special::beta_reg_pair`]'s own tail.
pub(crate) fn ln_beta_inc_f64(a: f64, b: f64, x: f64, upper: bool) -> f64 {
    if !(a > 0.0 && b > 0.0) || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return if upper { 0.0 } else { f64::NEG_INFINITY };
    }
    if x >= 1.0 {
        return if upper { f64::NEG_INFINITY } else { 0.0 };
    }
    let (i, j) = crate::special::beta_reg_pair(a, b, x, 1.0 - x);
    let (v, other) = if upper { (j, i) } else { (i, j) };
    if v > 0.5 { (-other).ln_1p() } else { v.ln() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dual, HyperDual};

    #[test]
    fn log1mexp_and_log_add_exp() {
        for a in [-1e-300, -1e-10, -0.5, -0.7, -1.0, -50.0, -800.0] {
            let want = (-f64::exp_m1(a)).ln();
            let got: f64 = log1mexp(a);
            assert!((got - want).abs() <= 1e-15 * want.abs().max(1.0), "{a}: {got} vs {want}");
        }
        assert_eq!(log1mexp(0.0f64), f64::NEG_INFINITY);
        let v: f64 = log_add_exp(1000.0, 1000.0);
        assert!((v - (1000.0 + std::f64::consts::LN_2)).abs() < 1e-12);
        assert_eq!(log_add_exp(3.0, f64::NEG_INFINITY), 3.0);
    }

    #[test]
    fn the_normal_hazard_is_continuous_and_tends_to_minus_z() {
        let (a, b): (f64, f64) = (norm_hazard(-5.0 - 1e-12), norm_hazard(-5.0 + 1e-12));
        assert!((a - b).abs() < 1e-12 * a, "{a} vs {b}");
        let h: f64 = norm_hazard(-1e8);
        assert!((h - 1e8).abs() < 1e-6, "{h}");
        let h0: f64 = norm_hazard(0.0);
        assert!((h0 - 2.0 * (-crate::special::HALF_LN_2PI).exp()).abs() < 1e-15);
    }

    /// The derivatives of the generic functions against central differences
    /// of their `f64` values (step 1e-6 relative: ~1e-9 agreement), and the
    /// second derivative by nested duals against differences of the first.
    #[test]
    fn derivatives_of_the_incomplete_functions() {
        let fd = |f: &dyn Fn(f64) -> f64, x: f64| {
            let h = 1e-6 * x.abs().max(1e-3);
            (f(x + h) - f(x - h)) / (2.0 * h)
        };
        for (a, x) in [(0.5, 0.2), (2.5, 1.0), (2.5, 7.0), (40.0, 30.0), (3.0, 80.0)] {
            for upper in [false, true] {
                let da = Dual::var(a).ln_gamma_inc(Dual::cst(x), upper).deriv();
                let want = fd(&|t| ln_gamma_inc_f64(t, x, upper), a);
                assert!((da - want).abs() < 1e-7 * want.abs().max(1.0), "∂a {a} {x} {upper}: {da} vs {want}");
                let dx = Dual::cst(a).ln_gamma_inc(Dual::var(x), upper).deriv();
                let want = fd(&|t| ln_gamma_inc_f64(a, t, upper), x);
                assert!((dx - want).abs() < 1e-7 * want.abs().max(1.0), "∂x {a} {x} {upper}: {dx} vs {want}");
                // Second derivative in a.
                let h = HyperDual::new(Dual::new(a, 1.0), Dual::new(1.0, 0.0));
                let d2 = h.ln_gamma_inc(HyperDual::cst(x), upper).dx.dx;
                let want = fd(&|t| Dual::var(t).ln_gamma_inc(Dual::cst(x), upper).deriv(), a);
                assert!((d2 - want).abs() < 1e-5 * want.abs().max(1.0), "∂²a {a} {x} {upper}: {d2} vs {want}");
            }
        }
        for (a, b, x) in [(0.5, 2.0, 0.1), (2.0, 3.0, 0.6), (30.0, 4.0, 0.9)] {
            for upper in [false, true] {
                let da = Dual::var(a).ln_beta_inc(Dual::cst(b), Dual::cst(x), upper).deriv();
                let want = fd(&|t| ln_beta_inc_f64(t, b, x, upper), a);
                assert!((da - want).abs() < 1e-7 * want.abs().max(1.0), "∂a {a} {b} {x}: {da} vs {want}");
                let db = Dual::cst(a).ln_beta_inc(Dual::var(b), Dual::cst(x), upper).deriv();
                let want = fd(&|t| ln_beta_inc_f64(a, t, x, upper), b);
                assert!((db - want).abs() < 1e-7 * want.abs().max(1.0), "∂b {a} {b} {x}: {db} vs {want}");
                let dx = Dual::cst(a).ln_beta_inc(Dual::cst(b), Dual::var(x), upper).deriv();
                let want = fd(&|t| ln_beta_inc_f64(a, b, t, upper), x);
                assert!((dx - want).abs() < 1e-7 * want.abs().max(1.0), "∂x {a} {b} {x}: {dx} vs {want}");
            }
        }
        for z in [-40.0, -6.0, -1.0, 0.0, 2.0, 9.0] {
            let d = Dual::var(z).ln_norm_cdf().deriv();
            let want = fd(&crate::special::ln_norm_cdf, z);
            assert!((d - want).abs() < 1e-7 * want.abs().max(1e-12), "ln Φ' at {z}: {d} vs {want}");
        }
    }

    /// Where the direct value underflows, the log-space forms continue it.
    #[test]
    fn log_incomplete_gamma_beyond_underflow() {
        // Continuity across the switch: a = 50, P(50, x) passes 1e-290 near x ≈ 1e-4.
        let lp = |x: f64| ln_gamma_inc_f64(50.0, x, false);
        assert!(lp(1e-10).is_finite() && lp(1e-10) < -900.0);
        // ln P(a, x) ≈ a ln x − x − lnΓ(a+1) for x ≪ a.
        let want = 50.0 * (1e-10f64).ln() - 1e-10 - crate::special::ln_gamma(51.0);
        assert!((lp(1e-10) - want).abs() < 1e-12 * want.abs());
        let lq = ln_gamma_inc_f64(2.0, 800.0, true);
        // Q(2, x) = (1 + x) e^(−x).
        assert!((lq - (801f64.ln() - 800.0)).abs() < 1e-12 * 800.0, "{lq}");
    }
}
