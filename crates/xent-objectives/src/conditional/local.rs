//! Per-sample derivatives in the local variables `(η₁, …, η_m, extra…)`,
//! all directions in one vector-tangent evaluation.

use xent_distributions::Scalar;
use xent_distributions::tangent::{DualN, HyperDualN, seed_gradient, seed_hessian};

use super::models::EtaModel;

/// One chunk's inputs to [`local_derivatives`].
pub(super) struct Chunk<'c> {
    /// Linear predictors, one vector of the chunk's length per predictor.
    pub(super) eta: &'c [Vec<f64>],
    /// The extra parameters.
    pub(super) extra: &'c [f64],
    /// The chunk's targets.
    pub(super) y: &'c [f64],
    /// The chunk's frequency weights, if any.
    pub(super) w: Option<&'c [f64]>,
    /// 0 = value, 1 = gradient, 2 = Hessian.
    pub(super) order: u8,
}

/// The tangent width used for `l` local variables: the smallest of a few
/// compiled widths that holds them all, else 16 (covered block by block).
/// Each width is compiled for every model, so there are few: 1 and 2 for
/// the one- and two-predictor models, 9 for ten classes.
fn tangent_width(l: usize) -> usize {
    [1, 2, 4, 9, 16].into_iter().find(|&w| w >= l).unwrap_or(16)
}

impl Chunk<'_> {
    /// Row `r`'s term `v` times its weight: exactly `v` for weight 1 (and
    /// unweighted), 0 for weight 0 whatever `v` is.
    fn weigh(&self, r: usize, v: f64) -> f64 {
        let w = self.w.map_or(1.0, |w| w[r]);
        if w == 1.0 {
            v
        } else if w == 0.0 {
            0.0
        } else {
            w * v
        }
    }
}

/// The chunk's summed NLL (each row times its weight) and, per sample, the
/// derivatives of the NLL (times the row's weight) in
/// its local variables `z = (η₁, …, η_m, extra…)`: `g[d·len + r]` and,
/// for `a ≤ b` (the upper triangle), `h[(a·l + b)·len + r]`. All directions travel through one evaluation as
/// vector tangents ([`DualN`], [`HyperDualN`]) — one evaluation per sample
/// for the gradient and one for the Hessian, whatever `l` (up to 16; beyond,
/// one per block of 16 directions or pair of blocks).
pub(super) fn local_derivatives<M: EtaModel>(model: &M, c: &Chunk<'_>, g: &mut [f64], h: &mut [f64]) -> f64 {
    let l = c.eta.len() + c.extra.len();
    let closed = if c.order >= 1 { closed_form(model, c, g, h) } else { None };
    let value = match closed {
        Some(v) => v,
        None => match tangent_width(l) {
            1 => derivatives_n::<M, 1>(model, c, g, h),
            2 => derivatives_n::<M, 2>(model, c, g, h),
            4 => derivatives_n::<M, 4>(model, c, g, h),
            9 => derivatives_n::<M, 9>(model, c, g, h),
            _ => derivatives_n::<M, 16>(model, c, g, h),
        },
    };
    if c.w.is_some() {
        let len = c.y.len();
        for r in 0..len {
            for d in 0..l {
                if d * len + r < g.len() {
                    g[d * len + r] = c.weigh(r, g[d * len + r]);
                }
                for e in d..l {
                    let i = (d * l + e) * len + r;
                    if i < h.len() {
                        h[i] = c.weigh(r, h[i]);
                    }
                }
            }
        }
    }
    value
}

/// [`local_derivatives`] from the model's [`EtaModel::local_closed_form`],
/// `None` if it has none.
fn closed_form<M: EtaModel>(model: &M, c: &Chunk<'_>, g: &mut [f64], h: &mut [f64]) -> Option<f64> {
    let (m, len) = (c.eta.len(), c.y.len());
    let l = m + c.extra.len();
    let mut eta = vec![0.0; m];
    let mut grad = vec![0.0; l];
    let mut hess = vec![0.0; if c.order >= 2 { l * l } else { 0 }];
    let mut value = 0.0;
    for (r, &y) in c.y.iter().enumerate() {
        for k in 0..m {
            eta[k] = c.eta[k][r];
        }
        let h_out = if c.order >= 2 { Some(hess.as_mut_slice()) } else { None };
        value += c.weigh(r, model.local_closed_form(&eta, c.extra, y, &mut grad, h_out)?);
        for (d, v) in grad.iter().enumerate() {
            g[d * len + r] = *v;
        }
        if c.order >= 2 {
            for a in 0..l {
                for b in a..l {
                    h[(a * l + b) * len + r] = hess[a * l + b];
                }
            }
        }
    }
    Some(value)
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
            0 => value += c.weigh(r, model.nll(&z[..m], &z[m..], y)),
            1 => {
                for b in 0..blocks {
                    if once {
                        z1.iter_mut().zip(&z).for_each(|(o, &v)| o.x = v);
                    } else {
                        seed_gradient(&z, b * N, &mut z1);
                    }
                    let v = model.nll(&z1[..m], &z1[m..], y);
                    if b == 0 {
                        value += c.weigh(r, v.x);
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
                            value += c.weigh(r, v.x.x);
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
