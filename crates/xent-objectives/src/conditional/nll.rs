//! The conditional NLL on a design: batch values, gradients `Xᵀ g`,
//! Hessians `Xᵀ W X` and scores, over fixed chunks.

use nalgebra::{DMatrix, DVector};

use super::design::Design;
use super::kernels::{chunk_times, chunk_tr_times, weighted_grams};
use super::local::{Chunk, local_derivatives};
use super::models::EtaModel;
use crate::error::ObjectiveError;
use crate::parallel::{default_threads, map_ranges};

/// The most memory a Hessian pass of a [`ConditionalNll`] may allocate
/// (2 GiB): above it [`ConditionalNll::hessian`] is
/// [`ObjectiveError::TooLarge`] instead of an allocation failure that
/// aborts the process, and the fits use L-BFGS, which needs no Hessian.
pub const HESSIAN_BUDGET_BYTES: usize = 2 << 30;

/// The average conditional NLL `−(1/n) Σᵢ ln q_θ(yᵢ | xᵢ)` of an
/// [`EtaModel`], with parameters `θ = (β₁, …, β_m, extra)` (each `βₖ` of
/// length `p`).
#[derive(Debug, Clone)]
pub struct ConditionalNll<'a, M: EtaModel> {
    model: M,
    design: &'a Design,
    y: &'a [f64],
    weights: Option<&'a [f64]>,
    /// A known term added to the first linear predictor, row by row.
    offset: Option<&'a [f64]>,
    /// `Σ wᵢ`, or `n` unweighted.
    total: f64,
    threads: usize,
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
        Ok(ConditionalNll {
            model,
            design,
            y,
            weights: None,
            offset: None,
            total: y.len() as f64,
            threads: default_threads(),
        })
    }

    /// The objective with frequency weights (one per row, finite, `≥ 0`,
    /// not all 0): row `i` counts `wᵢ` times, the average is over `Σ wᵢ`,
    /// and a row of weight 0 adds nothing (its value, gradient and Hessian
    /// terms are 0, whatever they would be). A weight of 1 adds exactly
    /// the unweighted term.
    pub fn with_weights(mut self, weights: &'a [f64]) -> Result<Self, ObjectiveError> {
        self.total = crate::nll::check_weights(weights, self.y.len())?;
        self.weights = Some(weights);
        Ok(self)
    }

    /// The objective with an offset: `oᵢ` is added to the first linear
    /// predictor of row `i`, `η₁ = xᵢᵀβ₁ + oᵢ` — a term with a known
    /// coefficient of 1, such as the log of an exposure in a rate model
    /// with log link (statsmodels' `offset`; its `exposure` is the offset
    /// `ln exposure`). One finite value per row.
    pub fn with_offset(mut self, offset: &'a [f64]) -> Result<Self, ObjectiveError> {
        if offset.len() != self.y.len() {
            return Err(ObjectiveError::Dimension { what: "offset", expected: self.y.len(), found: offset.len() });
        }
        if let Some(i) = offset.iter().position(|v| !v.is_finite()) {
            return Err(ObjectiveError::NonFinite { what: "offset", index: i, value: offset[i] });
        }
        self.offset = Some(offset);
        Ok(self)
    }

    /// The offset, if any.
    pub fn offset(&self) -> Option<&'a [f64]> {
        self.offset
    }

    /// The frequency weights, if any.
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }

    /// The sample size the average is over: `Σ wᵢ`, or the number of rows.
    pub fn total_weight(&self) -> f64 {
        self.total
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

    /// The memory a Hessian pass allocates, bounded above: one `d × d`
    /// block per chunk of 4096 rows (merged in order, so all are alive at
    /// the end) and the per-sample local Hessians (`l²` per row for `l`
    /// local variables) as if every chunk ran at once — a bound that does
    /// not depend on the thread count, so neither does any decision taken
    /// on it. Saturates instead of overflowing.
    pub fn hessian_bytes(&self) -> usize {
        let d = self.dim();
        let l = self.model.predictors() + self.model.extra_names().len();
        let chunks = self.y.len().div_ceil(crate::parallel::CHUNK).max(1);
        let blocks = chunks.saturating_mul(d.saturating_mul(d));
        let local = self.y.len().saturating_mul(l.saturating_mul(l));
        blocks.saturating_add(local).saturating_mul(8)
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
        let mut eta: Vec<DVector<f64>> = (0..self.model.predictors())
            .map(|k| self.design.matrix() * DVector::from_column_slice(&theta[k * p..(k + 1) * p]))
            .collect();
        if let (Some(o), Some(e)) = (self.offset, eta.first_mut()) {
            e.iter_mut().zip(o).for_each(|(e, o)| *e += o);
        }
        Ok(eta)
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
        if order >= 2 && self.hessian_bytes() > HESSIAN_BUDGET_BYTES {
            return Err(ObjectiveError::TooLarge {
                what: "hessian",
                bytes: self.hessian_bytes(),
                budget: HESSIAN_BUDGET_BYTES,
            });
        }
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
            let mut eta = chunk_times(x, range.start, len, &b);
            if let (Some(o), Some(e)) = (self.offset, eta.first_mut()) {
                e.iter_mut().zip(&o[range.clone()]).for_each(|(e, o)| *e += o);
            }
            let mut part = Part {
                value: 0.0,
                grad: vec![0.0; if order >= 1 { dim } else { 0 }],
                hess: if order >= 2 { DMatrix::zeros(dim, dim) } else { DMatrix::zeros(0, 0) },
                g: Vec::new(),
            };
            // Per-sample derivatives, column-major by local variable.
            let mut g = vec![0.0; if order >= 1 { len * l } else { 0 }];
            let mut h = vec![0.0; if order >= 2 { len * l * l } else { 0 }];
            let w = self.weights.map(|w| &w[range.clone()]);
            let chunk = Chunk { eta: &eta, extra, y: &self.y[range.clone()], w, order };
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
        Ok(parts.iter().fold(0.0, |a, c| a + c.value) / self.total)
    }

    /// Sums the chunks' parts in order and divides by `n` (`Σ wᵢ`).
    fn reduce(&self, parts: &[Part], order: u8) -> (f64, Vec<f64>, DMatrix<f64>) {
        let n = self.total;
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
    /// and `−∂ℓᵢ/∂s`; one row per observation, unweighted (a row of weight
    /// 0 is zero).
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
                // The pass weighted the row's derivatives: undo it.
                let unweigh = self.weights.map_or(1.0, |w| if w[i] > 0.0 { 1.0 / w[i] } else { 0.0 });
                for c in 0..self.dim() {
                    out[(i, c)] = unweigh
                        * if c < m * p {
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
