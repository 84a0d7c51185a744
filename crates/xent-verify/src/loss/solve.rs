//! The base term `b` on a finite target space: with `βᵧ = b(y)/a`,
//! `ln Z(oⱼ) = log-sum-expᵧ (βᵧ − ℓ(oⱼ, y)/a)` must not depend on `j`.
//! Levenberg–Marquardt on the variance of `ln Z(oⱼ)` over the outputs,
//! `β` at the smallest target fixed at 0 (a shift of `β` is a shift of
//! `ln Z`, i.e. of `c`).

use nalgebra::{DMatrix, DVector};

/// `ln Z(oⱼ)` and the softmax weights `∂ ln Z(oⱼ)/∂βᵧ` for one row.
fn row(beta: &[f64], losses: &[f64], a: f64, weights: &mut [f64]) -> f64 {
    let m = beta.iter().zip(losses).map(|(b, l)| b - l / a).fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for ((w, b), l) in weights.iter_mut().zip(beta).zip(losses) {
        *w = (b - l / a - m).exp();
        s += *w;
    }
    weights.iter_mut().for_each(|w| *w /= s);
    m + s.ln()
}

fn profile(table: &[Vec<f64>], beta: &[f64], a: f64) -> (Vec<f64>, DMatrix<f64>) {
    let k = beta.len();
    let mut jac = DMatrix::zeros(table.len(), k);
    let mut w = vec![0.0; k];
    let lnz = table
        .iter()
        .enumerate()
        .map(|(j, losses)| {
            let v = row(beta, losses, a, &mut w);
            for (y, wy) in w.iter().enumerate() {
                jac[(j, y)] = *wy;
            }
            v
        })
        .collect();
    (lnz, jac)
}

fn spread(v: &[f64]) -> f64 {
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    hi - lo
}

fn centred_ss(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean).powi(2)).sum()
}

/// The `β` (per target, `β₀ = 0`) that makes `ln Z(oⱼ)` most nearly
/// constant at scale `a`, the spread of `ln Z` it leaves, and `ln Z(oⱼ)`.
pub(super) fn base_for_scale(table: &[Vec<f64>], a: f64) -> (Vec<f64>, f64, Vec<f64>) {
    let k = table.first().map_or(0, Vec::len);
    let mut beta = vec![0.0; k];
    let (mut lnz, mut jac) = profile(table, &beta, a);
    if k < 2 {
        let s = spread(&lnz);
        return (beta, s, lnz);
    }
    let mut ss = centred_ss(&lnz);
    let mut lambda = 1e-3;
    let n = table.len() as f64;
    for _ in 0..200 {
        if !ss.is_finite() || spread(&lnz) <= 1e-13 {
            break;
        }
        let mean = lnz.iter().sum::<f64>() / n;
        let e = DVector::from_iterator(lnz.len(), lnz.iter().map(|v| v - mean));
        // Centre the Jacobian's columns and drop β₀.
        let mut jc = jac.columns(1, k - 1).into_owned();
        for mut col in jc.column_iter_mut() {
            let m = col.sum() / n;
            col.add_scalar_mut(-m);
        }
        let jtj = jc.transpose() * &jc;
        let g = jc.transpose() * &e;
        let mut improved = false;
        for _ in 0..30 {
            let mut lhs = jtj.clone();
            for i in 0..k - 1 {
                lhs[(i, i)] += lambda * (jtj[(i, i)] + 1e-12);
            }
            let Some(step) = lhs.cholesky().map(|c| c.solve(&(-&g))) else {
                lambda *= 10.0;
                continue;
            };
            let trial: Vec<f64> =
                std::iter::once(0.0).chain(beta[1..].iter().zip(step.iter()).map(|(b, s)| b + s)).collect();
            let (tz, tj) = profile(table, &trial, a);
            let tss = centred_ss(&tz);
            if tss < ss {
                beta = trial;
                lnz = tz;
                jac = tj;
                ss = tss;
                lambda = (lambda / 10.0).max(1e-12);
                improved = true;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    let s = spread(&lnz);
    (beta, s, lnz)
}
