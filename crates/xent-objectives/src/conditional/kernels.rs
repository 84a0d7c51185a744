//! Matrix kernels over chunks of rows of column-major `X`: `X_c b`,
//! `X_cᵀ g` and the weighted Gram blocks `X_cᵀ W X_c`.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};

/// `X_cᵀ diag(w_q) X_c` for every weight vector `w_q`, side by side
/// (`p × q·p`), for the chunk of rows `start..start + len` of column-major
/// `X`: matrix products `X_cᵀ · [w_1 ∘ X_c | w_2 ∘ X_c | …]` through
/// nalgebra's `gemm`, which hands dynamic `f64` products to
/// `matrixmultiply` (packed, cache-blocked, SIMD kernels chosen at run
/// time). One wide product per slab of rows packs `X_cᵀ` once for all the
/// blocks instead of once per block. `xt` is the chunk transposed, made
/// once per chunk (a strided view of `X` as `X_cᵀ` trips nalgebra's
/// small-matrix path). Blocks are not mirrored: callers take the lower
/// triangle of a diagonal block for both halves.
pub(super) fn weighted_grams(
    x: &DMatrix<f64>,
    xt: &DMatrix<f64>,
    (start, len): (usize, usize),
    ws: &[&[f64]],
) -> DMatrix<f64> {
    let (n, p) = x.shape();
    let data = x.as_slice();
    let nb = ws.len();
    // One block: the whole chunk in one product. Several: 256-row slabs, so
    // that the scaled slab (256 × nb·p) stays in cache.
    let slab = if nb == 1 { len.max(1) } else { 256 };
    let mut out = DMatrix::zeros(p, nb * p);
    let mut scaled = DMatrix::zeros(0, 0);
    for r0 in (0..len).step_by(slab) {
        let rl = slab.min(len - r0);
        if scaled.nrows() != rl {
            scaled = DMatrix::zeros(rl, nb * p);
        }
        // Column-major: column c of the slab is the contiguous `c·rl..(c+1)·rl`
        // (slices, not nalgebra's strided iterators, so that this vectorises).
        let dst = scaled.as_mut_slice();
        for (q, w) in ws.iter().enumerate() {
            let w = &w[r0..r0 + rl];
            for j in 0..p {
                let col = &data[j * n + start + r0..j * n + start + r0 + rl];
                let c = q * p + j;
                for ((t, &xa), &wi) in dst[c * rl..(c + 1) * rl].iter_mut().zip(col).zip(w) {
                    *t = xa * wi;
                }
            }
        }
        out.gemm(1.0, &xt.columns(r0, rl), &scaled, 1.0);
    }
    out
}

/// `X_c bₖ` for every coefficient vector `bₖ`, for the chunk of rows
/// `start..start + len` of column-major `X`: column-by-column `axpy` over
/// contiguous segments (vectorised by the compiler; nalgebra's generic
/// product over a row view is not). Each column segment is read once for
/// all `k` while it sits in L1, so the chunk streams from memory once
/// however many linear predictors the model has.
pub(super) fn chunk_times(x: &DMatrix<f64>, start: usize, len: usize, b: &[&[f64]]) -> Vec<Vec<f64>> {
    let (n, p) = x.shape();
    let data = x.as_slice();
    if wide(len, p, b.len()) {
        // X_c (a strided view of X) times [b₁ … b_m], packed by matrixmultiply.
        let xc = DMatrixView::from_slice_with_strides(&data[start..], len, p, 1, n);
        let bm = DMatrix::from_fn(p, b.len(), |j, k| b[k][j]);
        let mut out = DMatrix::zeros(len, b.len());
        out.gemm(1.0, &xc, &bm, 0.0);
        return out.column_iter().map(|c| c.iter().copied().collect()).collect();
    }
    let mut out = vec![vec![0.0; len]; b.len()];
    for j in 0..x.ncols() {
        let col = &data[j * n + start..j * n + start + len];
        for (o, bk) in out.iter_mut().zip(b) {
            let bj = bk[j];
            for (o, &v) in o.iter_mut().zip(col) {
                *o += bj * v;
            }
        }
    }
    out
}

/// Whether a chunk product is large enough in every dimension for
/// nalgebra to hand it to `matrixmultiply` (its threshold is 5); smaller
/// ones — one linear predictor, few columns — use the column kernels.
fn wide(len: usize, p: usize, m: usize) -> bool {
    len > 5 && p > 5 && m > 5
}

/// `X_cᵀ gₖ` into `out[k·p..(k + 1)·p]` for every `gₖ` (consecutive
/// segments of `g` of the chunk's length): one dot product per column and
/// `k`, four accumulators, each column segment read once for all `k`.
pub(super) fn chunk_tr_times(x: &DMatrix<f64>, start: usize, len: usize, g: &[f64], out: &mut [f64]) {
    let (n, p) = x.shape();
    let data = x.as_slice();
    let m = g.len() / len.max(1);
    if wide(len, p, m) {
        // X_cᵀ (X read column by column as rows) times [g₁ … g_m].
        let xct = DMatrixView::from_slice_with_strides(&data[start..], p, len, n, 1);
        let gm = DMatrixView::from_slice(g, len, m);
        DMatrixViewMut::from_slice(out, p, m).gemm(1.0, &xct, &gm, 0.0);
        return;
    }
    for j in 0..p {
        let col = &data[j * n + start..j * n + start + len];
        for (k, gk) in g.chunks_exact(len).enumerate() {
            let mut acc = [0.0f64; 4];
            for (u, v) in col.chunks_exact(4).zip(gk.chunks_exact(4)) {
                for a in 0..4 {
                    acc[a] += u[a] * v[a];
                }
            }
            let rest = len - len % 4;
            let tail: f64 = col[rest..].iter().zip(&gk[rest..]).map(|(u, v)| u * v).sum();
            out[k * p + j] = (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocked product equals the definition `Σᵢ wᵢ xᵢₐ xᵢᵦ` to rounding:
    /// each entry is a sum of `len` products, so the two summation orders
    /// differ by at most `len · ε · Σ |wᵢ xᵢₐ xᵢᵦ|`.
    #[test]
    fn weighted_grams_are_the_weighted_cross_products() {
        let (n, p) = (777, 9);
        let x = DMatrix::from_fn(n, p, |i, j| ((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.5);
        let w: Vec<f64> = (0..n).map(|i| ((i * 13) % 11) as f64 / 5.0 - 0.4).collect();
        let (start, len) = (101, 500);
        let xt = x.rows(start, len).transpose();
        let w2: Vec<f64> = w.iter().map(|v| 2.0 * v).collect();
        let both = weighted_grams(&x, &xt, (start, len), &[&w[start..start + len], &w2[start..start + len]]);
        let g = both.columns(0, p).into_owned();
        // The second block, with doubled weights, is twice the first (exact).
        assert_eq!(both.columns(p, p), &g * 2.0);
        for a in 0..p {
            for b in 0..p {
                let terms = (start..start + len).map(|i| w[i] * x[(i, a)] * x[(i, b)]);
                let (exact, scale) = terms.fold((0.0, 0.0), |(s, m), t| (s + t, m + t.abs()));
                let bound = len as f64 * f64::EPSILON * scale;
                assert!((g[(a, b)] - exact).abs() <= bound, "({a}, {b}): {} vs {exact}", g[(a, b)]);
            }
        }
    }
}
