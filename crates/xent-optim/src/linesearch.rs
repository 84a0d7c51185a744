//! Line searches: backtracking (Armijo) and Moré–Thuente (strong Wolfe).

/// A point on a search line: step, value and directional derivative.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinePoint {
    pub stp: f64,
    pub f: f64,
    pub g: f64,
}

/// Outcome of a line search.
#[derive(Debug)]
pub(crate) enum Search<E> {
    /// An acceptable step; the evaluation at it is returned by the caller's closure state.
    Found(f64),
    /// No acceptable step was found (the best step is given, may be 0).
    Failed,
    /// The function could not be evaluated.
    Error(E),
    /// The function returned a non-finite value everywhere tried.
    NonFinite,
}

/// Backtracking until `φ(t) ≤ φ(0) + c₁ t φ′(0)`, halving from `t0`; `phi`
/// returns the value and the directional derivative `φ′(t)` at a trial step.
///
/// Near a minimum the decrease `c₁ t φ′(0)` the test asks for falls below
/// the rounding error of `φ` itself, which is set by the size of the terms
/// `φ` sums (an average negative log-likelihood of 0.19 made of terms of
/// size 10 is noisy at 1e-14, fifty times `ε|φ(0)|`), not by `|φ(0)|`. There
/// the search also accepts a step that satisfies Hager and Zhang's
/// *approximate Wolfe* conditions, `σ φ′(0) ≤ φ′(t) ≤ (2δ − 1) φ′(0)`, which
/// for a quadratic are the Armijo test written with derivatives (exact
/// where values are not), provided `φ` does not rise by more than
/// `ε_f = 1e-10 (1 + |φ(0)|)` — far above rounding noise, far below any
/// decrease that matters. (Hager & Zhang, SIAM J. Optim. 16, 2005, §4,
/// with δ = 0.1, σ = 0.9.)
pub(crate) fn backtracking<E>(
    phi0: f64,
    dphi0: f64,
    t0: f64,
    mut phi: impl FnMut(f64) -> Result<(f64, f64), E>,
) -> Search<E> {
    const C1: f64 = 1e-4;
    const DELTA: f64 = 0.1;
    const SIGMA: f64 = 0.9;
    let eps_f = 1e-10 * (1.0 + phi0.abs());
    let mut t = t0;
    for _ in 0..60 {
        match phi(t) {
            Err(e) => return Search::Error(e),
            Ok((v, _)) if v.is_finite() && v <= phi0 + C1 * t * dphi0 => return Search::Found(t),
            Ok((v, dv))
                if v.is_finite() && v <= phi0 + eps_f && SIGMA * dphi0 <= dv && dv <= (2.0 * DELTA - 1.0) * dphi0 =>
            {
                return Search::Found(t);
            }
            Ok(_) => t *= 0.5,
        }
    }
    Search::Failed
}

/// Moré–Thuente line search (MINPACK-2 `dcsrch`): finds a step satisfying
/// the strong Wolfe conditions `φ(t) ≤ φ(0) + ftol·t·φ′(0)` and
/// `|φ′(t)| ≤ gtol·|φ′(0)|`, with safeguarded cubic/quadratic interpolation
/// inside a bracketing interval. Non-finite trial values shrink the step
/// towards the best point.
pub(crate) fn more_thuente<E>(
    phi0: f64,
    dphi0: f64,
    t0: f64,
    ftol: f64,
    gtol: f64,
    mut phi: impl FnMut(f64) -> Result<(f64, f64), E>,
) -> Search<E> {
    const XTOL: f64 = 1e-10;
    const STPMIN: f64 = 0.0;
    const STPMAX: f64 = 1e20;
    if !(dphi0 < 0.0) {
        return Search::Failed;
    }
    let gtest = ftol * dphi0;
    let mut width = STPMAX - STPMIN;
    let mut width1 = 2.0 * width;
    let mut brackt = false;
    let mut stage1 = true;
    let (mut stx, mut fx, mut gx) = (0.0, phi0, dphi0);
    let (mut sty, mut fy, mut gy) = (0.0, phi0, dphi0);
    let mut stmin = 0.0;
    let mut stmax = t0 + 4.0 * t0;
    let mut stp = t0;
    for _ in 0..40 {
        let (f, g) = match phi(stp) {
            Err(e) => return Search::Error(e),
            Ok((f, g)) if f.is_finite() && g.is_finite() => (f, g),
            Ok(_) => {
                // Step into a region where the function is not finite: retreat.
                brackt = true;
                sty = stp;
                fy = f64::INFINITY;
                gy = f64::INFINITY;
                stp = stx + 0.5 * (stp - stx);
                if (stp - stx).abs() <= XTOL * stp.abs().max(1e-300) {
                    return if stx > 0.0 { Search::Found(stx) } else { Search::NonFinite };
                }
                let _ = (fy, gy);
                continue;
            }
        };
        let ftest = phi0 + stp * gtest;
        if stage1 && f <= ftest && g >= 0.0 {
            stage1 = false;
        }
        if brackt && (stp <= stmin || stp >= stmax) {
            return if stx > 0.0 { Search::Found(stx) } else { Search::Failed };
        }
        if brackt && stmax - stmin <= XTOL * stmax {
            return if stx > 0.0 { Search::Found(stx) } else { Search::Failed };
        }
        if stp == STPMAX && f <= ftest && g <= gtest {
            return Search::Found(stp);
        }
        if f <= ftest && g.abs() <= gtol * (-dphi0) {
            return Search::Found(stp);
        }
        if stage1 && f <= fx && f > ftest {
            let fm = f - stp * gtest;
            let (mut fxm, mut fym) = (fx - stx * gtest, fy - sty * gtest);
            let (mut gxm, mut gym) = (gx - gtest, gy - gtest);
            let gm = g - gtest;
            let mut p = LinePoint { stp, f: fm, g: gm };
            dcstep(&mut stx, &mut fxm, &mut gxm, &mut sty, &mut fym, &mut gym, &mut p, &mut brackt, stmin, stmax);
            stp = p.stp;
            fx = fxm + stx * gtest;
            fy = fym + sty * gtest;
            gx = gxm + gtest;
            gy = gym + gtest;
        } else {
            let mut p = LinePoint { stp, f, g };
            dcstep(&mut stx, &mut fx, &mut gx, &mut sty, &mut fy, &mut gy, &mut p, &mut brackt, stmin, stmax);
            stp = p.stp;
        }
        if brackt {
            if (sty - stx).abs() >= 0.66 * width1 {
                stp = stx + 0.5 * (sty - stx);
            }
            width1 = width;
            width = (sty - stx).abs();
            stmin = stx.min(sty);
            stmax = stx.max(sty);
        } else {
            stmin = stp + 1.1 * (stp - stx);
            stmax = stp + 4.0 * (stp - stx);
        }
        stp = stp.clamp(STPMIN, STPMAX);
        if brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= XTOL * stmax) {
            stp = stx;
        }
    }
    if stx > 0.0 { Search::Found(stx) } else { Search::Failed }
}

/// `γ = ±s·√((θ/s)² − (a/s)(b/s))`, `s = max(|θ|, |a|, |b|)`: the root term of
/// the cubic interpolating two points (scaled against overflow), negated
/// when `flip`.
fn cubic_gamma(theta: f64, a: f64, b: f64, flip: bool) -> f64 {
    let s = theta.abs().max(a.abs()).max(b.abs());
    let g = s * ((theta / s).powi(2) - (a / s) * (b / s)).max(0.0).sqrt();
    if flip { -g } else { g }
}

/// MINPACK-2 `dcstep`: safeguarded step update of the Moré–Thuente search.
#[allow(clippy::too_many_arguments)]
fn dcstep(
    stx: &mut f64,
    fx: &mut f64,
    dx: &mut f64,
    sty: &mut f64,
    fy: &mut f64,
    dy: &mut f64,
    p: &mut LinePoint,
    brackt: &mut bool,
    stpmin: f64,
    stpmax: f64,
) {
    let (stp, fp, dp) = (p.stp, p.f, p.g);
    let sgnd = dp * (*dx / dx.abs());
    let stpf;
    if fp > *fx {
        let theta = 3.0 * (*fx - fp) / (stp - *stx) + *dx + dp;
        let gamma = cubic_gamma(theta, *dx, dp, stp < *stx);
        let pp = (gamma - *dx) + theta;
        let q = ((gamma - *dx) + gamma) + dp;
        let r = pp / q;
        let stpc = *stx + r * (stp - *stx);
        let stpq = *stx + ((*dx / ((*fx - fp) / (stp - *stx) + *dx)) / 2.0) * (stp - *stx);
        stpf = if (stpc - *stx).abs() < (stpq - *stx).abs() { stpc } else { stpc + (stpq - stpc) / 2.0 };
        *brackt = true;
    } else if sgnd < 0.0 {
        let theta = 3.0 * (*fx - fp) / (stp - *stx) + *dx + dp;
        let gamma = cubic_gamma(theta, *dx, dp, stp > *stx);
        let pp = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + *dx;
        let r = pp / q;
        let stpc = stp + r * (*stx - stp);
        let stpq = stp + (dp / (dp - *dx)) * (*stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() { stpc } else { stpq };
        *brackt = true;
    } else if dp.abs() < dx.abs() {
        let theta = 3.0 * (*fx - fp) / (stp - *stx) + *dx + dp;
        let gamma = cubic_gamma(theta, *dx, dp, stp > *stx);
        let pp = (gamma - dp) + theta;
        let q = (gamma + (*dx - dp)) + gamma;
        let r = pp / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (*stx - stp)
        } else if stp > *stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - *dx)) * (*stx - stp);
        if *brackt {
            let mut f = if (stpc - stp).abs() < (stpq - stp).abs() { stpc } else { stpq };
            f = if stp > *stx { f.min(stp + 0.66 * (*sty - stp)) } else { f.max(stp + 0.66 * (*sty - stp)) };
            stpf = f;
        } else {
            let f = if (stpc - stp).abs() > (stpq - stp).abs() { stpc } else { stpq };
            stpf = f.min(stpmax).max(stpmin);
        }
    } else if *brackt {
        let theta = 3.0 * (fp - *fy) / (*sty - stp) + *dy + dp;
        let gamma = cubic_gamma(theta, *dy, dp, stp > *sty);
        let pp = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + *dy;
        let r = pp / q;
        stpf = stp + r * (*sty - stp);
    } else if stp > *stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    if fp > *fx {
        *sty = stp;
        *fy = fp;
        *dy = dp;
    } else {
        if sgnd < 0.0 {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = stp;
        *fx = fp;
        *dx = dp;
    }
    p.stp = stpf;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// φ(t) = ½(t − 1)² g² + noise: a quadratic along a Newton direction
    /// with `φ′(0) = −g²`, its values perturbed by a fixed rounding-like
    /// noise of `amp`.
    fn noisy(g2: f64, amp: f64) -> impl FnMut(f64) -> Result<(f64, f64), ()> {
        move |t: f64| {
            let noise = amp * (1e3 * t).sin();
            Ok((0.5 * (t - 1.0).powi(2) * g2 + noise, (t - 1.0) * g2))
        }
    }

    #[test]
    fn approximate_wolfe_accepts_a_good_step_that_values_cannot_see() {
        // Predicted decrease ½g² = 5e-15, noise 3e-14: Armijo fails at every t,
        // the slope at t = 1 is 0 and the value rose by less than ε_f.
        let (g2, amp) = (1e-14, 3e-14);
        let phi0 = 0.5 * g2 + amp * 0.0;
        assert!(matches!(backtracking(phi0, -g2, 1.0, noisy(g2, amp)), Search::Found(t) if t == 1.0));
    }

    #[test]
    fn approximate_wolfe_still_rejects_a_rise_beyond_its_value_tolerance() {
        // The same slopes, but every trial value 1e-9 above φ(0) (> ε_f = 1e-10):
        // a real increase, which the derivatives must not overrule.
        let g2 = 1e-14;
        let search = backtracking(0.0, -g2, 1.0, |t: f64| Ok::<_, ()>((1e-9, (t - 1.0) * g2)));
        assert!(matches!(search, Search::Failed));
        // And a step whose slope has not come down enough (t tiny) is not taken
        // on the derivative test: φ′(t) ≈ φ′(0) < σφ′(0).
        let search = backtracking(0.0, -1.0, 1e-30, |t: f64| Ok::<_, ()>((1e-12, -1.0 + t)));
        assert!(matches!(search, Search::Failed));
    }

    #[test]
    fn armijo_is_taken_when_values_show_the_decrease() {
        let search = backtracking(1.0, -2.0, 1.0, |t: f64| Ok::<_, ()>(((1.0 - t).powi(2), -2.0 * (1.0 - t))));
        assert!(matches!(search, Search::Found(t) if t == 1.0));
    }
}
