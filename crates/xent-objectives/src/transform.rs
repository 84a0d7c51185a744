//! Bijections from unconstrained reals to parameter domains.
//!
//! Optimisers work on `u ∈ ℝᵈ`; families have constraints. Each
//! [`Transform`] maps a block of unconstrained coordinates to a block of
//! natural parameters, generic over the scalar so that gradients flow
//! through it, and has an exact inverse for starting values and reports.

use nalgebra::DMatrix;
use xent_distributions::{Domain, Scalar};

use crate::error::ObjectiveError;

/// A bijection from `ℝᵏ` onto a parameter domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transform {
    /// `θ = u` on `ℝ`.
    Identity,
    /// `θ = eᵘ` onto `(0, ∞)` (scales, rates, shapes).
    Exp,
    /// `θ = 1/(1 + e⁻ᵘ)` onto `(0, 1)` (probabilities).
    Logit,
    /// Softmax with the last logit pinned at 0: `ℝᵏ⁻¹` onto the open simplex
    /// of `k` probabilities (additive log-ratio; `k ≥ 2`).
    Simplex {
        /// Number of probabilities `k`.
        k: usize,
    },
    /// `ℝ^(k(k+1)/2)` onto lower-triangular `k × k` factors with positive
    /// diagonal (row-major lower triangle; the diagonal is `exp` of its
    /// coordinate), the Cholesky factor of a covariance.
    Cholesky {
        /// Dimension `k`.
        k: usize,
    },
}

impl Transform {
    /// The default transform onto a scalar parameter domain: identity on
    /// `ℝ`, `exp` onto `(0, ∞)`, the logistic function onto `(0, 1)`.
    pub fn for_domain(domain: Domain) -> Transform {
        match domain {
            Domain::Real => Transform::Identity,
            Domain::Positive => Transform::Exp,
            Domain::UnitInterval => Transform::Logit,
        }
    }

    /// Number of unconstrained coordinates.
    pub fn free_dim(&self) -> usize {
        match *self {
            Transform::Identity | Transform::Exp | Transform::Logit => 1,
            Transform::Simplex { k } => k.saturating_sub(1),
            Transform::Cholesky { k } => k * (k + 1) / 2,
        }
    }

    /// Number of natural parameters produced.
    pub fn param_dim(&self) -> usize {
        match *self {
            Transform::Identity | Transform::Exp | Transform::Logit => 1,
            Transform::Simplex { k } => k,
            Transform::Cholesky { k } => k * (k + 1) / 2,
        }
    }

    /// Appends `θ = T(u)` to `out` (`u.len()` must be [`free_dim`](Self::free_dim)).
    pub fn forward<T: Scalar>(&self, u: &[T], out: &mut Vec<T>) {
        match *self {
            Transform::Identity => out.push(u[0]),
            Transform::Exp => out.push(u[0].exp()),
            Transform::Logit => {
                // 1/(1 + e^{−u}) for u ≥ 0, e^{u}/(1 + e^{u}) for u < 0: no overflow.
                let v = u[0];
                if v.value() >= 0.0 {
                    out.push((T::one() + (-v).exp()).recip());
                } else {
                    let e = v.exp();
                    out.push(e / (T::one() + e));
                }
            }
            Transform::Simplex { k } => {
                // logits (u₁, …, u_{k−1}, 0), stable softmax.
                let m = u.iter().fold(T::zero(), |a, &b| if b.value() > a.value() { b } else { a });
                let last = (-m).exp();
                let total = u.iter().fold(last, |acc, &v| acc + (v - m).exp());
                out.extend(u.iter().map(|&v| (v - m).exp() / total));
                debug_assert_eq!(u.len() + 1, k);
                out.push(last / total);
            }
            Transform::Cholesky { k } => {
                let mut idx = 0;
                for i in 0..k {
                    for j in 0..=i {
                        out.push(if i == j { u[idx].exp() } else { u[idx] });
                        idx += 1;
                    }
                }
            }
        }
    }

    /// `u = T⁻¹(θ)`; errors when `θ` is outside the open domain.
    pub fn inverse(&self, theta: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        let bad =
            |i: usize, why: &'static str| ObjectiveError::OutsideDomain { index: i, value: theta[i], domain: why };
        match *self {
            Transform::Identity => {
                if theta[0].is_finite() {
                    Ok(vec![theta[0]])
                } else {
                    Err(bad(0, "finite"))
                }
            }
            Transform::Exp => {
                if theta[0] > 0.0 && theta[0].is_finite() {
                    Ok(vec![theta[0].ln()])
                } else {
                    Err(bad(0, "> 0"))
                }
            }
            Transform::Logit => {
                let p = theta[0];
                if p > 0.0 && p < 1.0 { Ok(vec![p.ln() - (-p).ln_1p()]) } else { Err(bad(0, "in (0, 1)")) }
            }
            Transform::Simplex { k } => {
                if let Some(i) = theta.iter().position(|&p| !(p > 0.0 && p.is_finite())) {
                    return Err(bad(i, "> 0 on the simplex"));
                }
                let last = theta[k - 1].ln();
                Ok(theta[..k - 1].iter().map(|p| p.ln() - last).collect())
            }
            Transform::Cholesky { k } => {
                let mut u = Vec::with_capacity(self.free_dim());
                let mut idx = 0;
                for i in 0..k {
                    for j in 0..=i {
                        let v = theta[idx];
                        if i == j {
                            if !(v > 0.0 && v.is_finite()) {
                                return Err(bad(idx, "a positive diagonal"));
                            }
                            u.push(v.ln());
                        } else {
                            if !v.is_finite() {
                                return Err(bad(idx, "finite"));
                            }
                            u.push(v);
                        }
                        idx += 1;
                    }
                }
                Ok(u)
            }
        }
    }
}

/// A parametrisation: one transform per parameter block, with optional fixed
/// (known) natural parameters that are not optimised.
#[derive(Debug, Clone, PartialEq)]
pub struct Parametrisation {
    blocks: Vec<(Transform, Option<Vec<f64>>)>,
}

impl Parametrisation {
    /// All blocks free.
    pub fn new(transforms: Vec<Transform>) -> Self {
        Parametrisation { blocks: transforms.into_iter().map(|t| (t, None)).collect() }
    }

    /// Fixes block `block` at natural value `theta` (it leaves the free vector).
    pub fn fix(mut self, block: usize, theta: Vec<f64>) -> Result<Self, ObjectiveError> {
        let Some(b) = self.blocks.get_mut(block) else {
            return Err(ObjectiveError::Dimension {
                what: "parameter block",
                expected: self.blocks.len(),
                found: block,
            });
        };
        if theta.len() != b.0.param_dim() {
            return Err(ObjectiveError::Dimension {
                what: "fixed value",
                expected: b.0.param_dim(),
                found: theta.len(),
            });
        }
        b.1 = Some(theta);
        Ok(self)
    }

    /// The transforms, block by block.
    pub fn transforms(&self) -> impl Iterator<Item = Transform> + '_ {
        self.blocks.iter().map(|b| b.0)
    }

    /// Number of free (unconstrained) coordinates.
    pub fn free_dim(&self) -> usize {
        self.blocks.iter().filter(|b| b.1.is_none()).map(|b| b.0.free_dim()).sum()
    }

    /// Number of natural parameters.
    pub fn param_dim(&self) -> usize {
        self.blocks.iter().map(|b| b.0.param_dim()).sum()
    }

    /// `θ(u)`: free blocks transformed, fixed blocks as constants.
    pub fn forward<T: Scalar>(&self, u: &[T]) -> Result<Vec<T>, ObjectiveError> {
        if u.len() != self.free_dim() {
            return Err(ObjectiveError::Dimension {
                what: "unconstrained vector",
                expected: self.free_dim(),
                found: u.len(),
            });
        }
        if let Some(i) = u.iter().position(|v| !v.value().is_finite()) {
            return Err(ObjectiveError::NonFiniteParameter { index: i, value: u[i].value() });
        }
        let mut out = Vec::with_capacity(self.param_dim());
        let mut at = 0;
        for (t, fixed) in &self.blocks {
            match fixed {
                Some(v) => out.extend(v.iter().map(|&x| T::cst(x))),
                None => {
                    t.forward(&u[at..at + t.free_dim()], &mut out);
                    at += t.free_dim();
                }
            }
        }
        Ok(out)
    }

    /// `u(θ)` for a full natural parameter vector (fixed blocks are skipped).
    pub fn inverse(&self, theta: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        if theta.len() != self.param_dim() {
            return Err(ObjectiveError::Dimension {
                what: "parameter vector",
                expected: self.param_dim(),
                found: theta.len(),
            });
        }
        let mut u = Vec::with_capacity(self.free_dim());
        let mut at = 0;
        for (t, fixed) in &self.blocks {
            let block = &theta[at..at + t.param_dim()];
            if fixed.is_none() {
                u.extend(t.inverse(block).map_err(|e| e.shifted(at))?);
            }
            at += t.param_dim();
        }
        Ok(u)
    }

    /// The Jacobian `∂θ/∂u` (`param_dim × free_dim`), for the delta method.
    pub fn jacobian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        let d = self.free_dim();
        let mut j = DMatrix::zeros(self.param_dim(), d);
        for c in 0..d {
            for (r, t) in self.forward(&crate::seed::dual(u, c))?.iter().enumerate() {
                j[(r, c)] = t.deriv();
            }
        }
        Ok(j)
    }
}
