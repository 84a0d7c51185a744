//! Unconditional objectives: likelihood, log-likelihood, average negative
//! log-likelihood, and their derivatives in the unconstrained parameters.

use nalgebra::DMatrix;
use xent_distributions::tangent::{DualN, HyperDualN, seed_gradient, seed_hessian};
use xent_distributions::{Dual, HyperDual, LogDensity, Scalar};

use crate::error::ObjectiveError;
use crate::likelihood::ScaledFloat;
use crate::model::Model;
use crate::parallel::{default_threads, map_chunks, map_ranges};
use crate::seed;
use crate::transform::Parametrisation;

/// The average negative log-likelihood `−(1/n) Σᵢ ln q_θ(u)(xᵢ)` of a model on
/// a data set, as a function of the unconstrained parameters `u` — the
/// "cross-entropy loss" of the empirical distribution to the model.
///
/// Gradients are exact forward-mode derivatives with every direction in one
/// sweep over each chunk of data: vector-tangent duals (one log-density
/// evaluation per observation) up to 8 parameters, one scalar dual per
/// direction beyond. Hessians use nested duals (vector tangents up to 3
/// parameters). Every pass runs over fixed chunks of 4096 observations on
/// `threads` threads and combines chunk results in order, so values are
/// bitwise identical for any thread count.
///
/// With frequency weights ([`Nll::with_weights`]) the objective is
/// `−Σᵢ wᵢ ln q(xᵢ) / Σᵢ wᵢ`, the average over the data set in which
/// observation `i` occurs `wᵢ` times; an observation of weight 0 is not
/// looked at, and one of weight 1 adds exactly what it adds unweighted.
#[derive(Debug, Clone)]
pub struct Nll<'a, M: Model> {
    model: &'a M,
    data: &'a [M::Obs],
    weights: Option<&'a [f64]>,
    /// `Σ wᵢ`, or `n` unweighted.
    total: f64,
    param: Parametrisation,
    threads: usize,
}

/// The value, gradient and Hessian of the average NLL at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct Derivatives {
    /// Average NLL.
    pub value: f64,
    /// Its gradient in `u`.
    pub gradient: Vec<f64>,
    /// Its Hessian in `u` (`None` when only the gradient was asked for).
    pub hessian: Option<DMatrix<f64>>,
}

impl<'a, M: Model> Nll<'a, M> {
    /// The objective of `model` on `data`, in the model's default parametrisation.
    pub fn new(model: &'a M, data: &'a [M::Obs]) -> Result<Self, ObjectiveError> {
        Self::with_parametrisation(model, data, Parametrisation::new(model.transforms()))
    }

    /// The objective in a chosen parametrisation (e.g. with fixed parameters).
    pub fn with_parametrisation(
        model: &'a M,
        data: &'a [M::Obs],
        param: Parametrisation,
    ) -> Result<Self, ObjectiveError> {
        if data.is_empty() {
            return Err(ObjectiveError::EmptyData);
        }
        let names = model.param_names().len();
        if param.param_dim() != names {
            return Err(ObjectiveError::Dimension {
                what: "parametrisation",
                expected: names,
                found: param.param_dim(),
            });
        }
        Ok(Nll { model, data, weights: None, total: data.len() as f64, param, threads: default_threads() })
    }

    /// The objective with frequency weights `weights` (one per observation,
    /// finite and `≥ 0`, not all 0): observation `i` counts `wᵢ` times.
    ///
    /// ```
    /// use xent_objectives::{Family, Nll};
    /// let (data, w) = ([1.0, 2.0, 4.0], [2.0, 0.0, 1.0]);
    /// let expanded = [1.0, 1.0, 4.0];
    /// let weighted = Nll::new(&Family::Exponential, &data)?.with_weights(&w)?;
    /// let plain = Nll::new(&Family::Exponential, &expanded)?;
    /// let u = [0.3];
    /// assert!((weighted.value(&u)? - plain.value(&u)?).abs() < 1e-15);
    /// assert_eq!(weighted.total_weight(), 3.0);
    /// # Ok::<(), xent_objectives::ObjectiveError>(())
    /// ```
    pub fn with_weights(mut self, weights: &'a [f64]) -> Result<Self, ObjectiveError> {
        self.total = check_weights(weights, self.data.len())?;
        self.weights = Some(weights);
        Ok(self)
    }

    /// Uses `threads` threads for data passes (results do not depend on it).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The model.
    pub fn model(&self) -> &M {
        self.model
    }
    /// The parametrisation.
    pub fn parametrisation(&self) -> &Parametrisation {
        &self.param
    }
    /// Number of observations `n` (rows, whatever their weights).
    pub fn n(&self) -> usize {
        self.data.len()
    }
    /// The sample size the average is over: `Σ wᵢ`, or `n` unweighted.
    pub fn total_weight(&self) -> f64 {
        self.total
    }
    /// The frequency weights, if any.
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }

    /// `step(acc, x, w)` over every observation of positive weight (`w` = 1
    /// unweighted), chunk by chunk from `init()`: the chunk results in
    /// data order.
    fn fold<R, I, S>(&self, init: I, step: S) -> Vec<R>
    where
        R: Send,
        I: Fn() -> R + Sync,
        S: Fn(&mut R, &M::Obs, f64) + Sync,
    {
        map_ranges(self.data.len(), self.threads, |r| {
            let mut acc = init();
            match self.weights {
                None => self.data[r].iter().for_each(|x| step(&mut acc, x, 1.0)),
                Some(w) => {
                    for (x, &w) in self.data[r.clone()].iter().zip(&w[r]) {
                        if w != 0.0 {
                            step(&mut acc, x, w);
                        }
                    }
                }
            }
            acc
        })
    }
    /// Number of free parameters `d`.
    pub fn dim(&self) -> usize {
        self.param.free_dim()
    }

    /// Natural parameters `θ(u)`.
    pub fn theta(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        self.param.forward(u)
    }

    fn dist<T: Scalar>(&self, u: &[T]) -> Result<M::Dist<T>, ObjectiveError> {
        Ok(self.model.build(&self.param.forward(u)?)?)
    }

    /// `Σᵢ ln q(xᵢ)` (`−∞` if an observation is outside the support).
    pub fn log_likelihood(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        Ok(self.sum_ln_density(&self.dist(u)?))
    }

    /// `Σᵢ ln q(xᵢ)` in any scalar: chunk sums, combined in chunk order.
    fn sum_ln_density<T: Scalar>(&self, dist: &M::Dist<T>) -> T {
        let parts = self.fold(T::zero, |acc, x, w| *acc += weigh(dist.ln_density(x), w));
        parts.into_iter().fold(T::zero(), |a, b| a + b)
    }

    /// The average NLL `−(1/n) Σᵢ ln q(xᵢ)`.
    pub fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        Ok(-self.log_likelihood(u)? / self.total)
    }

    /// The likelihood `Π q(xᵢ)` as mantissa and binary exponent (no underflow).
    pub fn likelihood(&self, u: &[f64]) -> Result<ScaledFloat, ObjectiveError> {
        let dist = self.dist(u)?;
        let parts = self.fold(ScaledFloat::one, |acc, x, w| {
            *acc = *acc * ScaledFloat::from_ln(weigh(dist.ln_density(x), w));
        });
        Ok(parts.into_iter().fold(ScaledFloat::one(), |a, b| a * b))
    }

    /// The likelihood `Π q(xᵢ)` as a plain `f64` product, left to right: it
    /// underflows to 0 after a few hundred observations. Kept to exhibit
    /// why the log is taken (step (1) → (2) of the derivation).
    pub fn naive_likelihood(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        let dist = self.dist(u)?;
        let w = |i: usize| self.weights.map_or(1.0, |w| w[i]);
        Ok(self
            .data
            .iter()
            .enumerate()
            .filter(|(i, _)| w(*i) != 0.0)
            .fold(1.0, |acc, (i, x)| acc * weigh(dist.ln_density(x), w(i)).exp()))
    }

    /// Dual-number distributions seeded along each coordinate of `u`.
    fn dual_dists(&self, u: &[f64]) -> Result<Vec<M::Dist<Dual>>, ObjectiveError> {
        (0..u.len()).map(|i| self.dist(&seed::dual(u, i))).collect()
    }

    /// Value and gradient of the average NLL in one sweep over the data:
    /// every direction at once in a vector-tangent dual ([`DualN`]) — one
    /// log-density evaluation per observation — for up to 8 parameters;
    /// beyond, one scalar dual per direction, all in the same sweep.
    pub fn value_and_gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        match u.len() {
            0 => Ok((self.value(u)?, Vec::new())),
            // Two widths only: each is compiled for every family's density.
            1..=3 => self.value_and_gradient_n::<3>(u),
            4..=8 => self.value_and_gradient_n::<8>(u),
            _ => self.value_and_gradient_scalar(u),
        }
    }

    /// [`Nll::value_and_gradient`] with tangents of width `N ≥ u.len()`.
    fn value_and_gradient_n<const N: usize>(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        let mut seeded = vec![<DualN<N> as Scalar>::cst(0.0); u.len()];
        seed_gradient(u, 0, &mut seeded);
        let total = self.sum_ln_density(&self.dist(&seeded)?);
        let n = self.total;
        let grad = (0..u.len()).map(|i| nan_free(-total.dx.0[i] / n, total.x)).collect();
        Ok((-total.x / n, grad))
    }

    /// [`Nll::value_and_gradient`] with one scalar dual per direction.
    fn value_and_gradient_scalar(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        let d = u.len();
        let dists = self.dual_dists(u)?;
        let parts = self.fold(
            || vec![Dual::new(0.0, 0.0); d],
            |acc, x, w| {
                for (a, dist) in acc.iter_mut().zip(&dists) {
                    *a += weigh(dist.ln_density(x), w);
                }
            },
        );
        let mut total = vec![Dual::new(0.0, 0.0); d];
        for p in parts {
            for (t, v) in total.iter_mut().zip(p) {
                *t += v;
            }
        }
        let n = self.total;
        let grad = total.iter().map(|t| nan_free(-t.deriv() / n, t.value())).collect();
        Ok((-total[0].value() / n, grad))
    }

    /// The gradient of the average NLL in `u`.
    pub fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        Ok(self.value_and_gradient(u)?.1)
    }

    /// Value, gradient and Hessian of the average NLL in one sweep over the
    /// data: nested vector-tangent duals ([`HyperDualN`], one evaluation per
    /// observation) for up to 3 parameters; beyond, nested scalar duals, one
    /// per pair `i ≤ j`, all pairs in the same sweep.
    pub fn derivatives(&self, u: &[f64]) -> Result<Derivatives, ObjectiveError> {
        match u.len() {
            0 => Ok(Derivatives { value: self.value(u)?, gradient: Vec::new(), hessian: Some(DMatrix::zeros(0, 0)) }),
            1..=3 => self.derivatives_n::<3>(u),
            _ => self.derivatives_scalar(u),
        }
    }

    /// [`Nll::derivatives`] with tangents of width `N ≥ u.len()`.
    fn derivatives_n<const N: usize>(&self, u: &[f64]) -> Result<Derivatives, ObjectiveError> {
        let d = u.len();
        let mut seeded = vec![<HyperDualN<N> as Scalar>::cst(0.0); d];
        seed_hessian(u, 0, 0, &mut seeded);
        let total = self.sum_ln_density(&self.dist(&seeded)?);
        let n = self.total;
        let v = total.x.x;
        let gradient = (0..d).map(|i| nan_free(-total.x.dx.0[i] / n, v)).collect();
        // Symmetric by construction up to rounding: mirror the upper triangle.
        let h = DMatrix::from_fn(d, d, |i, j| nan_free(-total.dx.0[i.max(j)].dx.0[i.min(j)] / n, v));
        Ok(Derivatives { value: -v / n, gradient, hessian: Some(h) })
    }

    /// [`Nll::derivatives`] with nested scalar duals, one per pair.
    fn derivatives_scalar(&self, u: &[f64]) -> Result<Derivatives, ObjectiveError> {
        let d = u.len();
        let pairs: Vec<(usize, usize)> = (0..d).flat_map(|i| (i..d).map(move |j| (i, j))).collect();
        let dists: Vec<M::Dist<HyperDual>> =
            pairs.iter().map(|&(i, j)| self.dist(&seed::dual2(u, i, j))).collect::<Result<_, _>>()?;
        let parts = self.fold(
            || vec![HyperDual::new(Dual::new(0.0, 0.0), Dual::new(0.0, 0.0)); pairs.len()],
            |acc, x, w| {
                for (a, dist) in acc.iter_mut().zip(&dists) {
                    *a += weigh(dist.ln_density(x), w);
                }
            },
        );
        let mut total = vec![HyperDual::new(Dual::new(0.0, 0.0), Dual::new(0.0, 0.0)); pairs.len()];
        for p in parts {
            for (t, v) in total.iter_mut().zip(p) {
                *t += v;
            }
        }
        let n = self.total;
        let value = -total[0].x.x / n;
        let mut gradient = vec![0.0; d];
        let mut h = DMatrix::zeros(d, d);
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let t = total[k];
            if i == j {
                gradient[i] = nan_free(-t.x.dx / n, t.x.x);
            }
            let v = nan_free(-t.dx.dx / n, t.x.x);
            h[(i, j)] = v;
            h[(j, i)] = v;
        }
        Ok(Derivatives { value, gradient, hessian: Some(h) })
    }

    /// The Hessian of the average NLL in `u`.
    pub fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        Ok(self.derivatives(u)?.hessian.unwrap_or_else(|| DMatrix::zeros(0, 0)))
    }

    /// Per-sample scores `∂ ln q(xᵢ) / ∂u` as an `n × d` matrix (for sandwich
    /// standard errors): one row per observation, unweighted (a row of
    /// weight 0 is zero).
    pub fn scores(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        let d = u.len();
        let dists = self.dual_dists(u)?;
        let rows = map_chunks(self.data, self.threads, |c| {
            let mut out = Vec::with_capacity(c.len() * d);
            for x in c {
                for dist in &dists {
                    let v = dist.ln_density(x);
                    out.push(nan_free(v.deriv(), v.value()));
                }
            }
            out
        });
        let mut flat: Vec<f64> = rows.into_iter().flatten().collect();
        if let Some(w) = self.weights {
            for (row, _) in flat.chunks_mut(d.max(1)).zip(w).filter(|(_, w)| **w == 0.0) {
                row.fill(0.0);
            }
        }
        Ok(DMatrix::from_row_slice(self.n(), d, &flat))
    }
}

/// `v·w`, exactly `v` for `w = 1` (an unweighted sum is unchanged bit for
/// bit).
fn weigh<T: Scalar>(v: T, w: f64) -> T {
    if w == 1.0 { v } else { v * T::cst(w) }
}

/// Checks frequency weights for `n` observations (one each, finite and
/// `≥ 0`, a positive finite sum) and returns their sum `Σ wᵢ`.
///
/// ```
/// use xent_objectives::check_weights;
/// assert_eq!(check_weights(&[2.0, 0.0, 1.5], 3)?, 3.5);
/// assert!(check_weights(&[1.0, -1.0], 2).is_err());
/// # Ok::<(), xent_objectives::ObjectiveError>(())
/// ```
pub fn check_weights(weights: &[f64], n: usize) -> Result<f64, ObjectiveError> {
    if weights.len() != n {
        return Err(ObjectiveError::Dimension { what: "weights", expected: n, found: weights.len() });
    }
    if let Some((index, &value)) = weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
        let reason = if value.is_finite() { "a frequency weight is not negative" } else { "it is not finite" };
        return Err(ObjectiveError::InvalidWeight { index, value, reason });
    }
    let total: f64 = weights.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(ObjectiveError::InvalidWeight {
            index: n,
            value: total,
            reason: if total > 0.0 { "the weights' sum overflows" } else { "the weights add up to 0" },
        });
    }
    Ok(total)
}

/// A derivative of a total whose value is infinite is reported as NaN-free:
/// `±∞` of the value's sign convention, since `∞ − ∞` parts carry no
/// information (the data lie outside the support).
fn nan_free(deriv: f64, value: f64) -> f64 {
    if deriv.is_nan() && value.is_infinite() { f64::INFINITY } else { deriv }
}
