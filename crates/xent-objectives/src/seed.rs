//! Dual-number seeds: a point with unit tangents along chosen coordinates.

use xent_distributions::{Dual, HyperDual};

/// `u` as first-order duals with tangent `eᵢ`.
pub(crate) fn dual(u: &[f64], i: usize) -> Vec<Dual> {
    u.iter().enumerate().map(|(k, &v)| Dual::new(v, if k == i { 1.0 } else { 0.0 })).collect()
}

/// `u` as nested duals with inner tangent `eᵢ` and outer tangent `eⱼ`: the
/// `dx.dx` part of any function of them is `∂²f/∂uᵢ∂uⱼ`.
pub(crate) fn dual2(u: &[f64], i: usize, j: usize) -> Vec<HyperDual> {
    u.iter()
        .enumerate()
        .map(|(k, &v)| {
            HyperDual::new(Dual::new(v, if k == i { 1.0 } else { 0.0 }), Dual::new(if k == j { 1.0 } else { 0.0 }, 0.0))
        })
        .collect()
}
