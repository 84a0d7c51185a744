//! Conditional models `q_θ(y | x)` with a design matrix.
//!
//! Each model's per-sample negative log-likelihood is written once, as a
//! function of its linear predictors `η = X βₖ` (and of any extra scalar
//! parameters such as `ln σ`), generic over the scalar. Its derivatives in
//! `η` come from `autodiff` duals, and batch gradients and Hessians are
//! assembled with matrix products — `Xᵀ g` and `Xᵀ W X` — never with a pass
//! over the data per parameter.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector};
use xent_distributions::Scalar;
use xent_distributions::special::ln_factorial;
use xent_distributions::tangent::{DualN, HyperDualN, seed_gradient, seed_hessian};

use crate::error::ObjectiveError;
use crate::parallel::{default_threads, map_ranges};

/// `½ ln 2π`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The per-sample negative log-likelihood of a conditional model, as a
/// function of `m` linear predictors and `e` extra parameters.
pub trait EtaModel: Sync {
    /// A name for reports.
    fn name(&self) -> String;
    /// Number of linear predictors `m` per sample.
    fn predictors(&self) -> usize;
    /// Names of the extra (non-linear-predictor) parameters.
    fn extra_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// Checks one target, returning a reason if it is invalid.
    fn check_target(&self, y: f64) -> Result<(), &'static str>;
    /// `−ln q(y | η, extra)`, generic over the scalar.
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T;
}

/// `softplus(x) = ln(1 + eˣ)`, stable, generic.
fn softplus<T: Scalar>(x: T) -> T {
    if x.value() > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() }
}

/// Linear-Gaussian regression: `y ~ N(η, σ²)`, extra parameter `ln σ`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinearGaussian;

impl EtaModel for LinearGaussian {
    fn name(&self) -> String {
        "linear_gaussian".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn extra_names(&self) -> Vec<String> {
        vec!["ln_sigma".into()]
    }
    fn check_target(&self, _y: f64) -> Result<(), &'static str> {
        Ok(())
    }
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T {
        let r = (T::cst(y) - eta[0]) * (-extra[0]).exp();
        extra[0] + T::cst(HALF_LN_2PI) + r * r * T::cst(0.5)
    }
}

/// Logistic regression: `y ~ Bernoulli(σ(η))`, `y ∈ {0, 1}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Logistic;

impl EtaModel for Logistic {
    fn name(&self) -> String {
        "logistic".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y == 0.0 || y == 1.0 { Ok(()) } else { Err("must be 0 or 1") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        softplus(eta[0]) - T::cst(y) * eta[0]
    }
}

/// Softmax regression over `K` classes with class 0 as reference:
/// `ηₖ = X βₖ` for `k = 1..K`, `η₀ = 0`; `y ∈ {0, …, K−1}`.
#[derive(Debug, Clone, Copy)]
pub struct Softmax {
    classes: usize,
}

impl Softmax {
    /// A softmax model over `classes ≥ 2` classes.
    pub fn new(classes: usize) -> Result<Self, ObjectiveError> {
        if classes < 2 {
            return Err(ObjectiveError::Dimension { what: "classes", expected: 2, found: classes });
        }
        Ok(Softmax { classes })
    }
    /// Number of classes `K`.
    pub fn classes(&self) -> usize {
        self.classes
    }
}

impl EtaModel for Softmax {
    fn name(&self) -> String {
        format!("softmax(K = {})", self.classes)
    }
    fn predictors(&self) -> usize {
        self.classes - 1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y >= 0.0 && y == y.floor() && y < self.classes as f64 { Ok(()) } else { Err("must be a class index 0..K") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        let m = eta.iter().fold(T::zero(), |a, &b| if b.value() > a.value() { b } else { a });
        let lse = m + eta.iter().fold((-m).exp(), |acc, &v| acc + (v - m).exp()).ln();
        let k = y as usize;
        if k == 0 { lse } else { lse - eta[k - 1] }
    }
}

/// Poisson regression with log link: `y ~ Poisson(e^η)`, `y ∈ {0, 1, …}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoissonLog;

impl EtaModel for PoissonLog {
    fn name(&self) -> String {
        "poisson_log".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y >= 0.0 && y == y.floor() { Ok(()) } else { Err("must be a count 0, 1, 2, ...") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        eta[0].exp() - T::cst(y) * eta[0] + T::cst(ln_factorial(y))
    }
}

/// Heteroscedastic Gaussian: `y ~ N(η₁, e^{η₂})`, mean and log-variance
/// both linear in `x`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeteroscedasticGaussian;

impl EtaModel for HeteroscedasticGaussian {
    fn name(&self) -> String {
        "heteroscedastic_gaussian".into()
    }
    fn predictors(&self) -> usize {
        2
    }
    fn check_target(&self, _y: f64) -> Result<(), &'static str> {
        Ok(())
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        let r = T::cst(y) - eta[0];
        (eta[1] + r * r * (-eta[1]).exp()) * T::cst(0.5) + T::cst(HALF_LN_2PI)
    }
}

/// One chunk's inputs to [`local_derivatives`].
struct Chunk<'c> {
    /// Linear predictors, one vector of the chunk's length per predictor.
    eta: &'c [Vec<f64>],
    /// The extra parameters.
    extra: &'c [f64],
    /// The chunk's targets.
    y: &'c [f64],
    /// 0 = value, 1 = gradient, 2 = Hessian.
    order: u8,
}

/// The tangent width used for `l` local variables: the smallest of a few
/// compiled widths that holds them all, else 16 (covered block by block).
/// Each width is compiled for every model, so there are few: 1 and 2 for
/// the one- and two-predictor models, 9 for ten classes.
fn tangent_width(l: usize) -> usize {
    [1, 2, 4, 9, 16].into_iter().find(|&w| w >= l).unwrap_or(16)
}

/// The chunk's summed NLL and, per sample, the derivatives of the NLL in
/// its local variables `z = (η₁, …, η_m, extra…)`: `g[d·len + r]` and,
/// for `a ≤ b` (the upper triangle), `h[(a·l + b)·len + r]`. All directions travel through one evaluation as
/// vector tangents ([`DualN`], [`HyperDualN`]) — one evaluation per sample
/// for the gradient and one for the Hessian, whatever `l` (up to 16; beyond,
/// one per block of 16 directions or pair of blocks).
fn local_derivatives<M: EtaModel>(model: &M, c: &Chunk<'_>, g: &mut [f64], h: &mut [f64]) -> f64 {
    let l = c.eta.len() + c.extra.len();
    match tangent_width(l) {
        1 => derivatives_n::<M, 1>(model, c, g, h),
        2 => derivatives_n::<M, 2>(model, c, g, h),
        4 => derivatives_n::<M, 4>(model, c, g, h),
        9 => derivatives_n::<M, 9>(model, c, g, h),
        _ => derivatives_n::<M, 16>(model, c, g, h),
    }
}

/// [`local_derivatives`] at tangent width `N`.
fn derivatives_n<M: EtaModel, const N: usize>(model: &M, c: &Chunk<'_>, g: &mut [f64], h: &mut [f64]) -> f64 {
    let (m, len) = (c.eta.len(), c.y.len());
    let l = m + c.extra.len();
    let blocks = l.div_ceil(N);
    let mut z = vec![0.0; l];
    z[m..].copy_from_slice(c.extra);
    let mut z1 = vec![<DualN<N> as Scalar>::cst(0.0); if c.order == 1 { l } else { 0 }];
    let mut z2 = vec![<HyperDualN<N> as Scalar>::cst(0.0); if c.order >= 2 { l } else { 0 }];
    // With one block of directions the tangents never change: seed them
    // once and only move the values from sample to sample (seeding writes
    // N + 1 numbers per variable for a gradient, (N + 1)² for a Hessian).
    let once = blocks == 1;
    if once {
        seed_gradient(&z, 0, &mut z1);
        seed_hessian(&z, 0, 0, &mut z2);
    }
    let mut value = 0.0;
    for (r, &y) in c.y.iter().enumerate() {
        for k in 0..m {
            z[k] = c.eta[k][r];
        }
        match c.order {
            0 => value += model.nll(&z[..m], &z[m..], y),
            1 => {
                for b in 0..blocks {
                    if once {
                        z1.iter_mut().zip(&z).for_each(|(o, &v)| o.x = v);
                    } else {
                        seed_gradient(&z, b * N, &mut z1);
                    }
                    let v = model.nll(&z1[..m], &z1[m..], y);
                    if b == 0 {
                        value += v.x;
                    }
                    for (i, d) in (b * N..l.min((b + 1) * N)).enumerate() {
                        g[d * len + r] = v.dx.0[i];
                    }
                }
            }
            _ => {
                for bi in 0..blocks {
                    for bo in bi..blocks {
                        if once {
                            z2.iter_mut().zip(&z).for_each(|(o, &v)| o.x.x = v);
                        } else {
                            seed_hessian(&z, bi * N, bo * N, &mut z2);
                        }
                        let v = model.nll(&z2[..m], &z2[m..], y);
                        if bi == 0 && bo == 0 {
                            value += v.x.x;
                        }
                        for (i, a) in (bi * N..l.min((bi + 1) * N)).enumerate() {
                            if bo == bi {
                                g[a * len + r] = v.x.dx.0[i];
                            }
                            // The upper triangle only (b ≥ a): readers take (min, max).
                            let skip = if bo == bi { i } else { 0 };
                            for (o, b) in (bo * N..l.min((bo + 1) * N)).enumerate().skip(skip) {
                                h[(a * l + b) * len + r] = v.dx.0[o].dx.0[i];
                            }
                        }
                    }
                }
            }
        }
    }
    value
}

/// A design matrix (`n × p`), with a leading column of ones when built
/// with an intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    x: DMatrix<f64>,
    intercept: bool,
}

impl Design {
    /// A design from features (`n × d`); with `intercept` a column of ones
    /// is put first. Non-finite entries are an error.
    pub fn new(features: &DMatrix<f64>, intercept: bool) -> Result<Self, ObjectiveError> {
        if let Some((i, &v)) = features.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ObjectiveError::NonFinite { what: "design entry", index: i, value: v });
        }
        let x = if intercept { features.clone().insert_column(0, 1.0) } else { features.clone() };
        Ok(Design { x, intercept })
    }
    /// Every `k`-th row (`0, k, 2k, …`) of the design and of the targets `y`
    /// — a deterministic subsample (e.g. for a warm start).
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use xent_objectives::conditional::Design;
    /// let d = Design::new(&DMatrix::from_fn(10, 1, |i, _| i as f64), true)?;
    /// let y: Vec<f64> = (0..10).map(f64::from).collect();
    /// let (sub, ys) = d.every_kth(&y, 4);
    /// assert_eq!((sub.n(), ys), (3, vec![0.0, 4.0, 8.0]));
    /// assert_eq!(sub.matrix()[(2, 1)], 8.0);
    /// # Ok::<(), xent_objectives::ObjectiveError>(())
    /// ```
    pub fn every_kth(&self, y: &[f64], k: usize) -> (Design, Vec<f64>) {
        let rows: Vec<usize> = (0..self.x.nrows().min(y.len())).step_by(k.max(1)).collect();
        let ys = rows.iter().map(|&i| y[i]).collect();
        (Design { x: self.x.select_rows(&rows), intercept: self.intercept }, ys)
    }
    /// The matrix `X`.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.x
    }
    /// Rows `n`.
    pub fn n(&self) -> usize {
        self.x.nrows()
    }
    /// Columns `p` (including the intercept).
    pub fn p(&self) -> usize {
        self.x.ncols()
    }
    /// Whether the first column is the intercept.
    pub fn has_intercept(&self) -> bool {
        self.intercept
    }
}

/// The average conditional NLL `−(1/n) Σᵢ ln q_θ(yᵢ | xᵢ)` of an
/// [`EtaModel`], with parameters `θ = (β₁, …, β_m, extra)` (each `βₖ` of
/// length `p`).
#[derive(Debug, Clone)]
pub struct ConditionalNll<'a, M: EtaModel> {
    model: M,
    design: &'a Design,
    y: &'a [f64],
    threads: usize,
}

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
fn weighted_grams(x: &DMatrix<f64>, xt: &DMatrix<f64>, (start, len): (usize, usize), ws: &[&[f64]]) -> DMatrix<f64> {
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
fn chunk_times(x: &DMatrix<f64>, start: usize, len: usize, b: &[&[f64]]) -> Vec<Vec<f64>> {
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
fn chunk_tr_times(x: &DMatrix<f64>, start: usize, len: usize, g: &[f64], out: &mut [f64]) {
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

/// One chunk's contribution: summed value, `X_cᵀ g`, `X_cᵀ W X_c`, and
/// (for scores) the per-sample local gradients, column-major.
struct Part {
    value: f64,
    grad: Vec<f64>,
    hess: DMatrix<f64>,
    g: Vec<f64>,
}

impl<'a, M: EtaModel> ConditionalNll<'a, M> {
    /// The objective of `model` on `design` and targets `y` (checked).
    pub fn new(model: M, design: &'a Design, y: &'a [f64]) -> Result<Self, ObjectiveError> {
        if y.len() != design.n() {
            return Err(ObjectiveError::Dimension { what: "targets", expected: design.n(), found: y.len() });
        }
        if y.is_empty() {
            return Err(ObjectiveError::EmptyData);
        }
        for (i, &v) in y.iter().enumerate() {
            if !v.is_finite() {
                return Err(ObjectiveError::NonFinite { what: "target", index: i, value: v });
            }
            model.check_target(v).map_err(|reason| ObjectiveError::InvalidTarget { index: i, value: v, reason })?;
        }
        Ok(ConditionalNll { model, design, y, threads: default_threads() })
    }

    /// Uses `threads` threads (results do not depend on it).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Number of observations.
    pub fn design_rows(&self) -> usize {
        self.y.len()
    }

    /// Number of parameters `m·p + e`.
    pub fn dim(&self) -> usize {
        self.model.predictors() * self.design.p() + self.model.extra_names().len()
    }

    /// Parameter names: `b{k}[{j}]` for coefficient `j` of predictor `k`,
    /// then the extra parameters.
    pub fn param_names(&self) -> Vec<String> {
        let m = self.model.predictors();
        let mut v: Vec<String> = (0..m)
            .flat_map(|k| {
                (0..self.design.p()).map(move |j| {
                    if self.design.has_intercept() && j == 0 {
                        format!("b{k}[intercept]")
                    } else {
                        format!("b{k}[{j}]")
                    }
                })
            })
            .collect();
        v.extend(self.model.extra_names());
        v
    }

    fn check(&self, theta: &[f64]) -> Result<(), ObjectiveError> {
        if theta.len() != self.dim() {
            return Err(ObjectiveError::Dimension {
                what: "parameter vector",
                expected: self.dim(),
                found: theta.len(),
            });
        }
        if let Some(i) = theta.iter().position(|v| !v.is_finite()) {
            return Err(ObjectiveError::NonFiniteParameter { index: i, value: theta[i] });
        }
        Ok(())
    }

    /// The linear predictors `ηₖ = X βₖ`, one vector per predictor.
    pub fn linear_predictors(&self, theta: &[f64]) -> Result<Vec<DVector<f64>>, ObjectiveError> {
        self.check(theta)?;
        let p = self.design.p();
        Ok((0..self.model.predictors())
            .map(|k| self.design.matrix() * DVector::from_column_slice(&theta[k * p..(k + 1) * p]))
            .collect())
    }

    fn extras<'t>(&self, theta: &'t [f64]) -> &'t [f64] {
        &theta[self.model.predictors() * self.design.p()..]
    }

    /// One fused pass over the rows, chunk by chunk: the chunk's linear
    /// predictors `η = X_c βₖ`, per-sample derivatives of the NLL in the
    /// local variables `z = (η₁, …, η_m, extra…)` (duals, buffers reused),
    /// and the chunk's contributions `X_cᵀ g` and `X_cᵀ W X_c` while the
    /// chunk's rows are still in cache. `order` 0 = value, 1 = gradient,
    /// 2 = Hessian; `keep` keeps the per-sample `g` (for scores).
    fn pass(&self, theta: &[f64], order: u8, keep: bool) -> Result<Vec<Part>, ObjectiveError> {
        self.check(theta)?;
        let (m, p) = (self.model.predictors(), self.design.p());
        let extra = self.extras(theta);
        let l = m + extra.len();
        let dim = self.dim();
        let x = self.design.matrix();
        let betas: Vec<DVector<f64>> = (0..m).map(|k| DVector::from_column_slice(&theta[k * p..(k + 1) * p])).collect();
        Ok(map_ranges(self.y.len(), self.threads, |range| {
            let len = range.len();
            let xc = x.rows(range.start, len);
            let b: Vec<&[f64]> = betas.iter().map(|b| b.as_slice()).collect();
            let eta = chunk_times(x, range.start, len, &b);
            let mut part = Part {
                value: 0.0,
                grad: vec![0.0; if order >= 1 { dim } else { 0 }],
                hess: if order >= 2 { DMatrix::zeros(dim, dim) } else { DMatrix::zeros(0, 0) },
                g: Vec::new(),
            };
            // Per-sample derivatives, column-major by local variable.
            let mut g = vec![0.0; if order >= 1 { len * l } else { 0 }];
            let mut h = vec![0.0; if order >= 2 { len * l * l } else { 0 }];
            let chunk = Chunk { eta: &eta, extra, y: &self.y[range.clone()], order };
            part.value = local_derivatives(&self.model, &chunk, &mut g, &mut h);
            if order >= 1 {
                chunk_tr_times(x, range.start, len, &g[..m * len], &mut part.grad[..m * p]);
                for s in m..l {
                    part.grad[m * p + s - m] = g[s * len..(s + 1) * len].iter().sum();
                }
            }
            if order >= 2 {
                let xt = xc.transpose();
                let w = |a: usize, b: usize| DVector::from_column_slice(&h[(a * l + b) * len..(a * l + b + 1) * len]);
                let pairs: Vec<(usize, usize)> = (0..m).flat_map(|a| (a..m).map(move |b| (a, b))).collect();
                let ws: Vec<&[f64]> =
                    pairs.iter().map(|&(a, b)| &h[(a * l + b) * len..(a * l + b + 1) * len]).collect();
                let grams = weighted_grams(x, &xt, (range.start, len), &ws);
                for (q, &(a, b)) in pairs.iter().enumerate() {
                    for (i, j) in (0..p).flat_map(|i| (0..p).map(move |j| (i, j))) {
                        // A diagonal block is symmetric: its lower triangle for both halves.
                        let v = if a == b { grams[(i.max(j), q * p + i.min(j))] } else { grams[(i, q * p + j)] };
                        part.hess[(a * p + i, b * p + j)] = v;
                        part.hess[(b * p + j, a * p + i)] = v;
                    }
                }
                for a in 0..m {
                    for s in m..l {
                        let col = xc.tr_mul(&w(a, s));
                        let r = m * p + (s - m);
                        for j in 0..p {
                            part.hess[(a * p + j, r)] = col[j];
                            part.hess[(r, a * p + j)] = col[j];
                        }
                    }
                }
                for s in m..l {
                    for t in m..l {
                        part.hess[(m * p + s - m, m * p + t - m)] = w(s.min(t), s.max(t)).sum();
                    }
                }
            }
            if keep {
                part.g = g;
            }
            part
        }))
    }

    /// The per-sample NLLs `−ln q_θ(yᵢ | xᵢ)`, in data order.
    pub fn sample_nlls(&self, theta: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        let eta = self.linear_predictors(theta)?;
        let extra = self.extras(theta);
        let m = eta.len();
        let mut z = vec![0.0; m];
        Ok(self
            .y
            .iter()
            .enumerate()
            .map(|(i, &y)| {
                for k in 0..m {
                    z[k] = eta[k][i];
                }
                self.model.nll(&z, extra, y)
            })
            .collect())
    }

    /// The average conditional NLL.
    pub fn value(&self, theta: &[f64]) -> Result<f64, ObjectiveError> {
        let parts = self.pass(theta, 0, false)?;
        Ok(parts.iter().fold(0.0, |a, c| a + c.value) / self.y.len() as f64)
    }

    /// Sums the chunks' parts in order and divides by `n`.
    fn reduce(&self, parts: &[Part], order: u8) -> (f64, Vec<f64>, DMatrix<f64>) {
        let n = self.y.len() as f64;
        let d = self.dim();
        let mut grad = vec![0.0; if order >= 1 { d } else { 0 }];
        let mut h = DMatrix::zeros(if order >= 2 { d } else { 0 }, if order >= 2 { d } else { 0 });
        let mut value = 0.0;
        for part in parts {
            value += part.value;
            for (t, v) in grad.iter_mut().zip(&part.grad) {
                *t += v;
            }
            if order >= 2 {
                h += &part.hess;
            }
        }
        grad.iter_mut().for_each(|v| *v /= n);
        (value / n, grad, h / n)
    }

    /// Value and gradient: per-sample `g = ∂ℓ/∂η` by duals, then `Xᵀ g / n`
    /// accumulated chunk by chunk.
    pub fn value_and_gradient(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        let (v, g, _) = self.reduce(&self.pass(theta, 1, false)?, 1);
        Ok((v, g))
    }

    /// The gradient of the average conditional NLL.
    pub fn gradient(&self, theta: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        Ok(self.value_and_gradient(theta)?.1)
    }

    /// The Hessian: blocks `Xᵀ diag(∂²ℓ/∂ηₖ∂ηₗ) X / n`, cross terms with the
    /// extra parameters `Xᵀ (∂²ℓ/∂ηₖ∂s) / n`, and `Σ ∂²ℓ/∂s∂t / n`.
    pub fn hessian(&self, theta: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        Ok(self.reduce(&self.pass(theta, 2, false)?, 2).2)
    }

    /// Value, gradient and Hessian from one fused pass over the data —
    /// what a fit report needs at the optimum, for the price of the Hessian.
    pub fn value_gradient_hessian(&self, theta: &[f64]) -> Result<(f64, Vec<f64>, DMatrix<f64>), ObjectiveError> {
        Ok(self.reduce(&self.pass(theta, 2, false)?, 2))
    }

    /// Per-sample scores `∂ ln q(yᵢ | xᵢ) / ∂θ` (`n × dim`): `−gᵢₖ xᵢ` blocks
    /// and `−∂ℓᵢ/∂s`.
    pub fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        let parts = self.pass(theta, 1, true)?;
        let (m, p) = (self.model.predictors(), self.design.p());
        let l = m + self.model.extra_names().len();
        let x = self.design.matrix();
        let mut out = DMatrix::zeros(self.y.len(), self.dim());
        let mut row0 = 0;
        for part in &parts {
            let len = part.g.len() / l;
            for r in 0..len {
                let i = row0 + r;
                for c in 0..self.dim() {
                    out[(i, c)] = if c < m * p {
                        -part.g[(c / p) * len + r] * x[(i, c % p)]
                    } else {
                        -part.g[(m + c - m * p) * len + r]
                    };
                }
            }
            row0 += len;
        }
        Ok(out)
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
