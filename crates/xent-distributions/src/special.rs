//! Special functions on `f64`.
//!
//! `lnΓ` and `ψ` come from `statrs` (wrapped so that they never panic:
//! out-of-domain arguments give NaN), `erfc` from `libm` (musl's, about
//! 1 ulp; statrs' `erfc` is off by up to 1e-10 relative). This module adds
//! what they lack: polygamma of any order, Loader's saddle-point terms for
//! accurate Poisson and binomial probabilities, the log of the normal tail,
//! a scaled exponential integral, and the regularised incomplete gamma and
//! beta functions. Those are our own (statrs' lose half their digits at
//! shape 1e14 and never return at 1e16; the permissively licensed crates
//! have the same series; `rmathlib`, R's algorithms, is GPL): see
//! [`gamma_pq`] and [`beta_reg_pair`].

use statrs::function::gamma as sgamma;

/// Euler–Mascheroni constant γ.
pub const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
/// `½ ln(2π)`.
pub const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// `ln Γ(x)`; NaN for NaN, `+∞` at the poles.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x == f64::INFINITY || (x <= 0.0 && x == x.floor()) {
        f64::INFINITY
    } else if x > 0.0 && x < 1e-15 {
        // lnΓ(x) = −ln x − γx + (π²/12)x² − …: the third term is below
        // 1e-30 here. (statrs' Lanczos sum loses 1e-4 nats at subnormals.)
        -x.ln() - EULER_GAMMA * x
    } else {
        sgamma::ln_gamma(x)
    }
}

/// `ln k!` for a non-negative integer-valued `k`.
pub fn ln_factorial(k: f64) -> f64 {
    ln_gamma(k + 1.0)
}

/// Polygamma `ψ⁽ⁿ⁾(x)` for `x > 0` (NaN elsewhere; `n = 0` is digamma).
///
/// For `n ≥ 1`: upward recurrence `ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (−1)ⁿ⁺¹ n!/xⁿ⁺¹`
/// until `x ≥ 20 + 2n`, then the asymptotic series with Bernoulli numbers up
/// to `B₁₄`, whose first omitted term is below `10⁻¹⁷` relative there.
pub fn polygamma(n: u32, x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if n == 0 {
        return if x.is_infinite() { f64::INFINITY } else { sgamma::digamma(x) };
    }
    if x.is_infinite() {
        return 0.0;
    }
    let nf = f64::from(n);
    let n_fact = ln_gamma(nf + 1.0).exp();
    let x_min = 20.0 + 2.0 * nf;
    let mut x = x;
    let mut acc = 0.0;
    while x < x_min {
        acc += n_fact / x.powf(nf + 1.0);
        x += 1.0;
    }
    // B_2k for k = 1..=7.
    const B2K: [f64; 7] = [1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0, -691.0 / 2730.0, 7.0 / 6.0];
    let mut series = n_fact / (nf * x.powf(nf)) + n_fact / (2.0 * x.powf(nf + 1.0));
    // (2k + n − 1)! / (2k)! computed incrementally.
    let mut ratio = n_fact / nf; // (n−1)! for k = 0
    let mut xp = x.powf(nf);
    let x2 = x * x;
    for (k, b) in B2K.iter().enumerate() {
        let k = (k + 1) as f64;
        // from (2k+n−3)!/(2k−2)! to (2k+n−1)!/(2k)!
        ratio *= (2.0 * k + nf - 2.0) * (2.0 * k + nf - 1.0) / ((2.0 * k - 1.0) * (2.0 * k));
        xp *= x2;
        series += b * ratio / xp;
    }
    let sign = if n % 2 == 1 { 1.0 } else { -1.0 };
    sign * (acc + series)
}

/// `lnΓ(x) − ((x − ½) ln x − x + ½ ln 2π)`, the Stirling remainder, for `x ≥ 10`.
fn lgammacor(x: f64) -> f64 {
    let x2 = 1.0 / (x * x);
    (1.0 / 12.0 - x2 * (1.0 / 360.0 - x2 * (1.0 / 1260.0 - x2 * (1.0 / 1680.0 - x2 * (1.0 / 1188.0))))) / x
}

/// `ln B(a, b)` without the cancellation of `lnΓ(a) + lnΓ(b) − lnΓ(a + b)`
/// when an argument is large (the algorithm of R's `lbeta`: Stirling
/// remainders for arguments `≥ 10`, `ln1p` for the ratio).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    let (p, q) = if a < b { (a, b) } else { (b, a) };
    if !(p > 0.0) || q.is_nan() {
        return f64::NAN;
    }
    if q.is_infinite() {
        return f64::NEG_INFINITY;
    }
    if p >= 10.0 {
        let corr = lgammacor(p) + lgammacor(q) - lgammacor(p + q);
        -0.5 * q.ln() + HALF_LN_2PI + corr + (p - 0.5) * (p / (p + q)).ln() + q * (-p / (p + q)).ln_1p()
    } else if q >= 10.0 {
        let corr = lgammacor(q) - lgammacor(p + q);
        ln_gamma(p) + corr + p - p * (p + q).ln() + (q - 0.5) * (-p / (p + q)).ln_1p()
    } else {
        ln_gamma(p) + ln_gamma(q) - ln_gamma(p + q)
    }
}

/// `ln(a·B(a, b))`, the normaliser of the incomplete beta's continued
/// fraction, with relative accuracy for `a < 1` too: there `ln B ≈ −ln a`
/// is large and `ln B + ln a` would keep only its absolute accuracy, so
/// `lnΓ(a)` is never formed — `lnΓ(1+a)` takes its place, and the rest of
/// `ln B` is written without cancellation for tiny and for large `b`.
pub(crate) fn ln_a_beta(a: f64, b: f64) -> f64 {
    if !(a < 1.0) {
        return ln_beta(a, b) + a.ln();
    }
    let r = a + b;
    if b >= 10.0 {
        // lnΓ(b) − lnΓ(a+b) by Stirling with the logs merged (ln_beta's form).
        ln_gamma(1.0 + a) + lgammacor(b) - lgammacor(r) + a - a * r.ln() + (b - 0.5) * (-a / r).ln_1p()
    } else if b < 1.0 {
        ln_gamma(1.0 + a) + ln_gamma(1.0 + b) - ln_gamma(1.0 + r) + ln_ratio(r, b)
    } else {
        ln_gamma(1.0 + a) + ln_gamma(b) - ln_gamma(r)
    }
}

/// `ln x − 1/(2x) − ψ(x)` for `x ≥ 100` by its asymptotic series
/// `Σ B₂ⱼ/(2j x²ʲ)` (first omitted term below `1e-26` relative), where
/// the difference of `ln x` and `ψ(x)` would cancel.
fn digamma_remainder(x: f64) -> f64 {
    let y = 1.0 / (x * x);
    y * (1.0 / 12.0 - y * (1.0 / 120.0 - y * (1.0 / 252.0 - y * (1.0 / 240.0 - y * (1.0 / 132.0)))))
}

/// The entropy of the gamma distribution with shape `k` and rate `β`,
/// `k − ln β + lnΓ(k) + (1 − k)ψ(k)`; from `k = 100` in the form
/// `½ ln(2πk) + ½ − 1/(2k) + (lnΓ's Stirling remainder) + (k − 1)(ln k − 1/(2k) − ψ(k)) − ln β`,
/// which does not cancel terms of size `k ln k` (the direct form is off by
/// 6 nats at `k = 1e15`).
pub fn gamma_entropy(k: f64, rate: f64) -> f64 {
    if k < 100.0 {
        return k - rate.ln() + ln_gamma(k) + (1.0 - k) * polygamma(0, k);
    }
    0.5 * (2.0 * std::f64::consts::PI * k).ln() + 0.5 - 0.5 / k + lgammacor(k) + (k - 1.0) * digamma_remainder(k)
        - rate.ln()
}

/// `ψ(r) − ψ(x)` for `r ≥ x > 0`: [`scaled_digamma_gap`] with `c = 1`.
pub(crate) fn digamma_gap(r: f64, x: f64) -> f64 {
    scaled_digamma_gap(1.0, r, x)
}

/// `c·(ψ(r) − ψ(x))` for `r ≥ x > 0`:
/// - `x < 1`: `ψ(x) = ψ(x+1) − 1/x`, the pole taken out as
///   `(c/x)·((r − x)/r)` — finite whenever the product is, even where the
///   gap alone overflows (subnormal `x` and `c ≈ x`, as in the KL divergence
///   between two beta distributions with tiny parameters), `+∞` only where
///   the value exceeds the largest f64 (never −∞ − (−∞));
/// - `x ≥ 100`: `ln(r/x) − 1/(2r) + 1/(2x) − δ(r) + δ(x)`, without the
///   cancellation of two large digammas.
pub(crate) fn scaled_digamma_gap(c: f64, r: f64, x: f64) -> f64 {
    if c == 0.0 {
        return 0.0;
    }
    if x < 1.0 {
        return c * (polygamma(0, r + 1.0) - polygamma(0, x + 1.0)) + c / x * ((r - x) / r);
    }
    let gap = if x < 100.0 {
        polygamma(0, r) - polygamma(0, x)
    } else {
        ((r - x) / x).ln_1p() - 0.5 / r + 0.5 / x - digamma_remainder(r) + digamma_remainder(x)
    };
    c * gap
}

/// The entropy of the beta distribution,
/// `ln B(a, b) + (a − 1)(ψ(a+b) − ψ(a)) + (b − 1)(ψ(a+b) − ψ(b))`,
/// with the digamma differences free of cancellation at large arguments
/// and, when both parameters are ≥ 100, `ln B` and the `ln` terms merged in
/// Loader's form (the direct form loses 3 nats at `a = b = 1e15`).
pub fn beta_entropy(a: f64, b: f64) -> f64 {
    let r = a + b;
    if a.min(b) >= 100.0 {
        let two_pi = 2.0 * std::f64::consts::PI;
        return 0.5 * (a.ln() + b.ln() + two_pi.ln()) - 1.5 * r.ln() - stirlerr(r)
            + stirlerr(a)
            + stirlerr(b)
            + 0.5 * (1.0 - 1.0 / a - 1.0 / b + 2.0 / r)
            + (a - 1.0) * digamma_remainder(a)
            + (b - 1.0) * digamma_remainder(b)
            - (r - 2.0) * digamma_remainder(r);
    }
    ln_beta(a, b) + scaled_digamma_gap(a - 1.0, r, a) + scaled_digamma_gap(b - 1.0, r, b)
}

/// `lnΓ(q) − lnΓ(p) − (q − p)ψ(p)`, the shape part of the KL divergence
/// between gamma distributions (a Bregman divergence of `lnΓ`, ≥ 0), free of
/// cancellation for `p, q ≥ 100`: with `u = (q − p)/p` and `L = ln(1 + u)`
/// it is `p·u·L − p·h(u) − L/2 + u/2 + (q − p)·δ(p) + c(q) − c(p)`, `h(u) = u − ln(1 + u)`,
/// `δ` the digamma remainder and `c` Stirling's.
pub fn ln_gamma_bregman(q: f64, p: f64) -> f64 {
    ln_gamma_bregman_with_gap(q, p, q - p)
}

/// [`ln_gamma_bregman`] with `d = q − p` given by the caller, who may know
/// it more accurately than the rounded `q` does (the beta KL divergence's
/// `(α_q + β_q) − (α_p + β_p)` is `Δα + Δβ`, not a difference of two
/// rounded sums).
pub(crate) fn ln_gamma_bregman_with_gap(q: f64, p: f64, d: f64) -> f64 {
    if p < 1.0 {
        // lnΓ(x) = lnΓ(1+x) − ln x: the Bregman divergence of −ln is
        // h(u) = u − ln(1+u) at u = (q − p)/p, computed as such (the direct
        // form is ∞ − ∞ when ψ(p) ≈ −1/p overflows at a subnormal p).
        let u = d / p;
        if u == f64::INFINITY {
            return f64::INFINITY;
        }
        let smooth = ln_gamma(1.0 + q) - ln_gamma(1.0 + p) - d * polygamma(0, 1.0 + p);
        return smooth + crate::incomplete::a_h(1.0, u, q / p);
    }
    if p >= 100.0 && q < 100.0 {
        return ln_gamma_bregman_less_p(q, p) + p;
    }
    if p.min(q) < 100.0 {
        return ln_gamma(q) - ln_gamma(p) - d * polygamma(0, p);
    }
    let u = d / p;
    let l = u.ln_1p();
    p * u * l - crate::incomplete::a_h(p, d, q) - 0.5 * l + 0.5 * u + d * digamma_remainder(p) + lgammacor(q)
        - lgammacor(p)
}

/// `ln_gamma_bregman(q, p) − p` for `p ≥ 100`, `q < 100`: with Stirling's
/// `lnΓ(p) − pψ(p) = −½ ln p − p + ½ ln 2π + ½ + c(p) + p δ(p)` the terms of
/// size `p ln p` cancel analytically, leaving
/// `lnΓ(q) − qψ(p) + ½ ln p − ½ ln 2π − ½ − c(p) − p δ(p)`. (The KL divergence
/// between gamma distributions cancels the remaining `p` against its rate
/// part, so it takes the divergence without it.)
pub(crate) fn ln_gamma_bregman_less_p(q: f64, p: f64) -> f64 {
    ln_gamma(q) - q * polygamma(0, p) + 0.5 * p.ln() - HALF_LN_2PI - 0.5 - lgammacor(p) - p * digamma_remainder(p)
}

/// `ψ(x + ½) − ψ(x)` for `x > 0`, by its asymptotic series for `x ≥ 50`
/// (first omitted term below `10⁻¹⁷` relative) where the difference of two
/// digammas would cancel.
pub fn digamma_half_difference(x: f64) -> f64 {
    if x >= 50.0 {
        let y = 1.0 / (x * x);
        0.5 / x + 0.125 * y - y * y * (1.0 / 64.0 - y * (1.0 / 128.0 - y * (17.0 / 2048.0)))
    } else {
        polygamma(0, x + 0.5) - polygamma(0, x)
    }
}

/// Complementary error function.
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// Standard normal CDF `Φ(z)`, accurate in both tails.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// The standard normal quantile `Φ⁻¹(p)` for `p ∈ (0, 1)` by bisection on
/// [`norm_cdf`] (to the resolution of `f64`); `±∞` at 0 and 1, NaN outside.
pub fn norm_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if norm_cdf(m) < p {
            lo = m;
        } else {
            hi = m;
        }
    }
    0.5 * (lo + hi)
}

/// `ln Φ(z)`, finite far into the lower tail (asymptotic series below
/// −30, eight terms: the first omitted is below 5e-18 there) and without
/// cancellation in the upper one (`ln(1 − Φ(−z))` as `ln1p`).
pub fn ln_norm_cdf(z: f64) -> f64 {
    if z > 0.0 {
        (-norm_cdf(-z)).ln_1p()
    } else if z > -30.0 {
        norm_cdf(z).ln()
    } else {
        // Φ(z) = φ(z)/|z| · (1 − 1/z² + 3/z⁴ − 15/z⁶ + … ± (2k−1)!!/z^2k …)
        let t = 1.0 / (z * z);
        let mut series = 1.0;
        let mut term = 1.0;
        for k in 1..=8 {
            term *= -f64::from(2 * k - 1) * t;
            series += term;
        }
        -0.5 * z * z - HALF_LN_2PI - (-z).ln() + series.ln()
    }
}

/// Regularised lower incomplete gamma `P(a, x)`; 0 for `x ≤ 0`.
///
/// Accurate and bounded in time for every `a` from subnormal to `1e300`
/// (see [`gamma_pq`]).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    crate::incomplete::gamma_pq(a, x).0
}

/// Regularised upper incomplete gamma `Q(a, x) = 1 − P(a, x)`, computed
/// directly in the upper tail (not as `1 − P`).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    crate::incomplete::gamma_pq(a, x).1
}

/// `(P(a, x), Q(a, x))` together: series (`x < a + 1`) or continued
/// fraction with Loader's prefactor below `a = 1000`; above, adaptive
/// quadrature of the density over the smaller tail, in the offset from the
/// mean, whose cost does not grow with `a`. Measured against mpmath
/// (`tests/reference/data/extremes.csv`): within `1e-14` absolute and
/// `1e-11` relative in the tails, shapes `1e-300 … 1e300`. NaN for `a ≤ 0`
/// or NaN arguments.
pub fn gamma_pq(a: f64, x: f64) -> (f64, f64) {
    crate::incomplete::gamma_pq(a, x)
}

/// Regularised incomplete beta `I_x(a, b)`, clamped to 0 and 1 outside `[0, 1]`.
pub fn beta_reg(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    crate::incomplete::beta_pq(a, b, x, 1.0 - x).0
}

/// `(I_x(a, b), 1 − I_x(a, b))` with `y = 1 − x` passed separately, so that
/// an `x` near 1 keeps its precision (`y = 1e-20` is representable, `1 − y`
/// is not). Continued fraction with Loader's prefactor while
/// `min(a, b) < 1000`, adaptive quadrature of the density over the smaller
/// tail above; bounded time for every parameter.
pub fn beta_reg_pair(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    crate::incomplete::beta_pq(a, b, x, y)
}

/// `eˣ E₁(x)` for `x > 0`, the exponentially scaled exponential integral,
/// finite for large `x` where `E₁` underflows.
pub fn exp_e1_scaled(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x <= 1.0 {
        // E₁(x) = −γ − ln x − Σ_{k≥1} (−x)ᵏ / (k · k!)
        let mut term = 1.0;
        let mut sum = 0.0;
        for k in 1..60 {
            let kf = f64::from(k);
            term *= -x / kf;
            let add = term / kf;
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        (-EULER_GAMMA - x.ln() - sum) * x.exp()
    } else {
        // Continued fraction (modified Lentz) for eˣE₁(x) = 1/(x+1−1/(x+3−4/(x+5−…))).
        let tiny = 1e-300;
        let mut b = x + 1.0;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        let mut stop = crate::incomplete::CfStop::default();
        for i in 1..500 {
            let fi = f64::from(i);
            let a = -fi * fi;
            b += 2.0;
            d = 1.0 / (a * d + b);
            c = b + a / c;
            let del = c * d;
            h *= del;
            if stop.done(del) {
                break;
            }
        }
        h
    }
}

/// Stirling's error `ln k! − (k + ½) ln k + k − ½ ln 2π` (Loader 2000).
pub fn stirlerr(n: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15.0 {
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - HALF_LN_2PI;
    }
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// `ln(a/b)` for positive `a`, `b`: the log of the ratio where the ratio is
/// a normal number, the difference of logs where it under- or overflows.
pub(crate) fn ln_ratio(a: f64, b: f64) -> f64 {
    let r = a / b;
    if r.is_normal() { r.ln() } else { a.ln() - b.ln() }
}

/// `h(r − 1) = r − 1 − ln r ≥ 0` for a ratio `r` given with its log
/// `ln_r` (from [`ln_ratio`], so exact where `r` itself under- or
/// overflows): without cancellation near `r = 1`, `+∞` only where the
/// value exceeds the largest `f64`. The scale part of the KL divergence of
/// every scale family.
pub(crate) fn ratio_h(r: f64, ln_r: f64) -> f64 {
    if r == f64::INFINITY {
        r
    } else if (r - 1.0).abs() <= 0.5 {
        crate::incomplete::a_h(1.0, r - 1.0, r)
    } else {
        r - 1.0 - ln_r
    }
}

/// `h(t² − 1) = t² − 1 − 2 ln t` for a ratio of scales `t` given with its
/// log: [`ratio_h`] of `t²`, with `t² − 1` formed as `(t − 1)(t + 1)` (the
/// rounded square would keep only the digits of `t² − 1` above `ε`). The
/// scale part of the KL divergence between normals (halved) and Rayleighs.
pub(crate) fn square_ratio_h(t: f64, ln_t: f64) -> f64 {
    let s = t * t;
    if s == f64::INFINITY {
        return s;
    }
    let u = (t - 1.0) * (t + 1.0);
    if u.abs() <= 0.5 { crate::incomplete::a_h(1.0, u, s) } else { u - 2.0 * ln_t }
}

/// Deviance term `x ln(x/np) + np − x`, computed without cancellation (Loader 2000).
pub fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let s0 = (x - np) * v;
        let mut s = s0;
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        // ln(x/np) as a difference of logs where the ratio under- or overflows.
        x * ln_ratio(x, np) + np - x
    }
}

/// `ln P(X = k)` for `X ~ Poisson(λ)`, `k` a non-negative integer, `λ > 0`.
pub fn ln_poisson_pmf(k: f64, lambda: f64) -> f64 {
    if k == 0.0 {
        return -lambda;
    }
    -stirlerr(k) - bd0(k, lambda) - 0.5 * (2.0 * std::f64::consts::PI * k).ln()
}

/// `ln P(X = k)` for `X ~ Binomial(n, p)` with `q = 1 − p` given separately.
pub fn ln_binomial_pmf(k: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if k == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if k == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if k == 0.0 {
        return n * q.ln();
    }
    if k == n {
        return n * p.ln();
    }
    let nk = n - k;
    let lc = stirlerr(n) - stirlerr(k) - stirlerr(nk) - bd0(k, n * p) - bd0(nk, n * q);
    let lf = (2.0 * std::f64::consts::PI).ln() + k.ln() + (-k / n).ln_1p();
    lc - 0.5 * lf
}

/// `ln P(X = k)` for `X ~ NegativeBinomial(r, p)` (failures before the
/// `r`-th success), `q = 1 − p` given separately, in Loader's form
/// `ln(r/(k+r)) + ln dbinom(r; k + r, p)`: no cancellation between
/// `lnΓ(k + r)` and `ln k!` at large counts.
pub fn ln_negative_binomial_pmf(k: f64, r: f64, p: f64, q: f64) -> f64 {
    if k == 0.0 {
        return if p == 1.0 { 0.0 } else { r * p.ln() };
    }
    let n = k + r;
    r.ln() - n.ln() + ln_binomial_pmf(r, n, p, q)
}

/// `ln q(x)` of the gamma distribution with shape `k` and rate `β`, in
/// Loader's form `ln β + ln dpois(k − 1; βx)` for `k ≥ 10` (the direct
/// form loses `ε·k ln x` to cancellation: 6 nats at `k = 1e15`).
pub fn ln_gamma_density(x: f64, k: f64, rate: f64) -> f64 {
    if !(x > 0.0) || !x.is_finite() {
        return if x == 0.0 && k == 1.0 {
            rate.ln()
        } else if x == 0.0 && k < 1.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    if k < 10.0 {
        return k * rate.ln() - ln_gamma(k) + (k - 1.0) * x.ln() - rate * x;
    }
    let m = k - 1.0;
    let lambda = rate * x;
    if lambda == f64::INFINITY || lambda == 0.0 {
        // βx out of range: the log-density in logs of its factors.
        return k * rate.ln() - ln_gamma(k) + m * x.ln() - rate * x;
    }
    rate.ln()
        - stirlerr(m)
        - crate::incomplete::a_h(m, lambda - m, lambda)
        - 0.5 * (2.0 * std::f64::consts::PI * m).ln()
}

/// `ln q(x)` of the beta distribution in the deviance form
/// `ln(x₀ᵃy₀ᵇ/B) − a·h(D/a) − b·h(−D/b) − ln x − ln(1 − x)` about
/// `x₀ = a/(a+b)`, exact at every scale (the direct form cancels terms of
/// size `a ln x` once a parameter is large).
pub fn ln_beta_density(x: f64, a: f64, b: f64) -> f64 {
    crate::incomplete::ln_beta_density(x, 1.0 - x, a, b)
}

/// [`bd0`] generic over the scalar type of `np` (the observation `x` is data).
pub fn bd0_generic<T: crate::Scalar>(x: f64, np: T) -> T {
    let npv = np.value();
    if x == 0.0 {
        return np;
    }
    if (x - npv).abs() < 0.1 * (x + npv) {
        let xt = T::cst(x);
        let mut v = (xt - np) / (xt + np);
        let mut s = (xt - np) * v;
        let mut ej = T::cst(2.0 * x) * v;
        v = v * v;
        for j in 1..1000 {
            ej *= v;
            let add = ej / T::cst(f64::from(2 * j + 1));
            let s1 = s + add;
            if add.value().abs() <= 1e-18 * s.value().abs() {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        T::cst(x) * (T::cst(x.ln()) - np.ln()) + np - T::cst(x)
    }
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // reference values are quoted as computed
mod tests {
    use super::*;

    #[test]
    fn polygamma_known_values() {
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((polygamma(1, 1.0) - pi2 / 6.0).abs() < 1e-14);
        assert!((polygamma(1, 0.5) - pi2 / 2.0).abs() < 1e-13);
        // ψ''(1) = −2ζ(3)
        assert!((polygamma(2, 1.0) + 2.0 * 1.202_056_903_159_594_3).abs() < 1e-13);
        // ψ'''(1) = π⁴/15
        assert!((polygamma(3, 1.0) - pi2 * pi2 / 15.0).abs() < 1e-12);
        // statrs' digamma recurses through 11 terms before its series: ~50 ulp.
        assert!((polygamma(0, 1.0) + EULER_GAMMA).abs() < 1e-14);
        assert!(polygamma(1, -1.0).is_nan());
    }

    #[test]
    fn ln_beta_and_digamma_difference_at_large_arguments() {
        // mpmath, 40 digits.
        for (a, b, want) in [
            (0.5, 5e5, -5.988_816_495_777_464_3),
            (1000.0, 1000.0, -1_388.482_601_635_902_3),
            (30.0, 12.0, -25.274_864_968_419_808),
            (2.5, 400.0, -14.698_658_203_057_682),
        ] {
            let got = ln_beta(a, b);
            assert!((got - want).abs() <= 4.0 * f64::EPSILON * want.abs(), "ln B({a}, {b}) = {got}, want {want}");
        }
        let d = digamma_half_difference(500_000.0);
        assert!((d - 1.000_000_499_999_999_9e-6).abs() < 1e-21);
        assert!((digamma_half_difference(3.0) - (polygamma(0, 3.5) - polygamma(0, 3.0))).abs() < 1e-15);
    }

    #[test]
    fn exp_e1_scaled_known_values() {
        // E₁(1) = 0.21938393439552026, E₁(2) = 0.04890051070806112
        assert!((exp_e1_scaled(1.0) / 1f64.exp() - 0.219_383_934_395_520_26).abs() < 1e-15);
        assert!((exp_e1_scaled(2.0) / 2f64.exp() - 0.048_900_510_708_061_12).abs() < 1e-16);
        assert!((exp_e1_scaled(0.5) / 0.5f64.exp() - 0.559_773_594_776_160_8).abs() < 1e-15);
        // large x: eˣE₁(x) ≈ 1/x (1 − 1/x + 2/x²)
        let x = 1e4;
        assert!((exp_e1_scaled(x) - (1.0 - 1.0 / x + 2.0 / (x * x)) / x).abs() < 1e-15);
    }

    #[test]
    fn loader_pmfs_agree_with_direct_formula() {
        for &(k, l) in &[(0.0, 0.1), (3.0, 3.5), (40.0, 40.0), (1000.0, 1000.0), (7.0, 0.2)] {
            let direct = k * f64::ln(l) - l - ln_factorial(k);
            assert!((ln_poisson_pmf(k, l) - direct).abs() < 1e-11 * direct.abs().max(1.0));
        }
        let (n, p): (f64, f64) = (10.0, 0.3);
        for k in 0..=10 {
            let k = f64::from(k);
            let direct =
                ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k) + k * p.ln() + (n - k) * (1.0 - p).ln();
            assert!((ln_binomial_pmf(k, n, p, 1.0 - p) - direct).abs() < 1e-13);
        }
    }

    #[test]
    fn norm_quantile_inverts_the_cdf() {
        assert!((norm_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((norm_quantile(1e-7) + 5.199_337_582_192_818).abs() < 1e-9);
        assert!(norm_quantile(0.5).abs() < 1e-15);
        assert!(norm_quantile(1.5).is_nan());
    }

    #[test]
    fn ln_norm_cdf_is_continuous_at_the_switch() {
        let a = ln_norm_cdf(-30.0 + 1e-9);
        let b = ln_norm_cdf(-30.0 - 1e-9);
        assert!((a - b).abs() < 1e-6);
        assert!(ln_norm_cdf(-1e3).is_finite());
    }

    #[test]
    fn ln_gamma_at_subnormal_and_tiny_arguments() {
        // lnΓ(x) = −ln x − γx + (π²/12)x² − …; statrs was 1.9e-4 off at 2e-321.
        for x in [5e-324f64, 2.085e-321, 1e-310, 1e-300, 1e-20, 9.9e-16] {
            let want = -x.ln() - EULER_GAMMA * x;
            assert!((ln_gamma(x) - want).abs() <= 2.0 * f64::EPSILON * want, "{x:e}");
        }
        // Just above the switch, statrs' own value agrees to the same accuracy.
        let x = 1.01e-15f64;
        assert!((ln_gamma(x) - (-x.ln() - EULER_GAMMA * x)).abs() <= 4.0 * f64::EPSILON * 35.0);
    }

    #[test]
    fn incomplete_beta_with_a_tiny_first_parameter_has_relative_accuracy() {
        // I_x(a, ½) = 1 − a·∫ₓ¹ t⁻¹(1 − t)^(−½) dt·(1 + O(a)) and the integral
        // is ln((1 + √(1−x))/(1 − √(1−x))). At x = 1e-3 the continued fraction's
        // factors round to 1 − 2⁻⁵³ for ever: it used to drift to 1 − 8.9e-12.
        for a in [1e-20f64, 3.25e-163] {
            for x in [1e-10f64, 2.2e-4, 1e-3, 1e-2, 0.3] {
                let s = (1.0f64 - x).sqrt();
                let q_want = a * ((1.0 + s) / (1.0 - s)).ln();
                let (p, q) = beta_reg_pair(a, 0.5, x, 1.0 - x);
                assert!(1.0 - p <= 2.0 * f64::EPSILON, "a = {a:e}, x = {x:e}: I = {p}");
                // Where q is computed (not 1 − p), it is the small tail.
                assert!(q == 0.0 || (q - q_want).abs() <= 1e-6 * q_want, "{a:e} {x:e}: {q:e} vs {q_want:e}");
            }
        }
    }

    #[test]
    fn incomplete_beta_with_two_subnormal_parameters_is_the_two_point_limit() {
        // Beta(a, b), a, b → 0: mass b/(a+b) at 0 and a/(a+b) at 1; between
        // them F is flat to O(a). Across the switch of continued fractions at
        // x = ½ it must not jump (it moved by 3e-4 with statrs' lnΓ, by 1.5e-14
        // with lnΓ(b) − lnΓ(a+b) formed at size 738).
        let (a, b) = (2.085e-321f64, 3.305e-321f64);
        let want = b / (a + b);
        for x in [1e-300, 0.3, 0.49, 0.51, 0.9, 1.0 - 1e-11] {
            let (p, q) = beta_reg_pair(a, b, x, 1.0 - x);
            assert!((p - want).abs() <= 4.0 * f64::EPSILON, "x = {x}: {p} vs {want}");
            assert!((p + q - 1.0).abs() <= 2.0 * f64::EPSILON);
        }
    }

    #[test]
    fn digamma_gap_and_beta_entropy_at_subnormal_parameters() {
        // ψ(2x) − ψ(x) = 1/(2x) + O(1) at tiny x, +∞ once 1/(2x) overflows (never NaN).
        let x = 1e-300f64;
        assert!((digamma_gap(2.0 * x, x) - 0.5 / x).abs() <= 1e-15 * (0.5 / x));
        assert_eq!(digamma_gap(1e-323, 5e-324), f64::INFINITY);
        // H(Beta(ε, ε)) = ln(2/ε) − 1/ε + 1 + O(ε): −∞ once 1/ε overflows.
        let e = 1e-300;
        assert!((beta_entropy(e, e) - (-1.0 / e)).abs() <= 1e-14 / e);
        assert_eq!(beta_entropy(5e-324, 5e-324), f64::NEG_INFINITY);
        // c·(ψ(r) − ψ(x)) finite where the gap alone overflows.
        let (p, q) = (4.93e-321f64, 5e-324f64);
        let v = scaled_digamma_gap(q - p, 2.0 * p, p);
        assert!((v - (q - p) / p * 0.5).abs() <= 1e-12, "{v}");
    }

    #[test]
    fn lentz_stopping_rule() {
        let mut s = crate::incomplete::CfStop::default();
        assert!(!s.done(1.0 + 4.0 * f64::EPSILON));
        assert!(!s.done(1.0 - f64::EPSILON / 2.0), "one factor at an ulp is not yet converged");
        assert!(s.done(1.0 - f64::EPSILON / 2.0), "two running are");
        let mut s = crate::incomplete::CfStop::default();
        assert!(s.done(1.0), "an exact 1 is");
        assert!(!s.done(1.0 + 2.0 * f64::EPSILON));
    }

    #[test]
    fn squared_ratio_h_keeps_its_digits_near_one() {
        // t = 1 + δ: t² − 1 = δ(2 + δ) exactly in reals, h(u) = u²/2 − u³/3 + …;
        // ratio_h of the rounded t² would keep only ~7 of its digits at δ = 1e-9.
        for delta in [1e-9f64, -3e-7, 1e-5, 0.1] {
            let t = 1.0 + delta;
            let d = t - 1.0;
            let u = d * (2.0 + d);
            // The series where u − ln(1 + u) would cancel, the closed form elsewhere.
            let want = if u.abs() < 1e-4 {
                u * u * (0.5 - u * (1.0 / 3.0 - u * (0.25 - u * (0.2 - u / 6.0))))
            } else {
                u - u.ln_1p()
            };
            let got = square_ratio_h(t, t.ln());
            assert!((got - want).abs() <= 1e-12 * want, "δ = {delta:e}: {got:e} vs {want:e}");
        }
        assert_eq!(square_ratio_h(1e200, 1e200f64.ln()), f64::INFINITY);
        let t = 1e-200f64;
        assert!((square_ratio_h(t, t.ln()) - (-1.0 - 2.0 * t.ln())).abs() <= 1e-13 * 920.0);
    }
}
