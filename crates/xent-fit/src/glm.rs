//! Conditional fits — linear, logistic, Poisson, softmax and
//! heteroscedastic regressions on a design matrix: least squares by QR, or
//! Newton from zero (the chord method from a subsample's answer on large
//! data), separation detected.

use nalgebra::{DMatrix, DVector};
use xent_objectives::ObjectiveError;
use xent_objectives::conditional::{ConditionalNll, Design, EtaModel, HESSIAN_BUDGET_BYTES, LinearGaussian};
use xent_optim::{Method, Options, minimise};

use crate::columns::ColumnMap;
use crate::degenerate::check_design;
use crate::error::FitFailure;
use crate::glm_data::{GlmData, Rows};
use crate::information::{Sources, covariance};
use crate::options::{Covariance, FitOptions};
use crate::problem::{ObjectiveProblem, method_name, second_order_then_lbfgs};
use crate::report::{FitMethod, FitReport};

/// Report of a conditional fit from its optimum `theta` (all parameters
/// free); `known` is the value and gradient there, and the Hessian, when
/// the optimiser already has them. With [`Covariance::None`] no Hessian is
/// computed.
fn conditional_report<M: EtaModel>(
    obj: &ConditionalNll<'_, M>,
    theta: Vec<f64>,
    method: FitMethod,
    kind: Covariance,
    known: Option<(f64, Vec<f64>, Option<DMatrix<f64>>)>,
    check_bounded: bool,
    meat: Option<&[f64]>,
) -> Result<FitReport, FitFailure> {
    let n = obj.total_weight();
    let d = theta.len();
    let (v, g, h) = match (known, kind) {
        (Some((v, g, Some(h))), _) => (v, g, Some(h)),
        (Some((v, g, None)), Covariance::None) => (v, g, None),
        (None, Covariance::None) => {
            let (v, g) = obj.value_and_gradient(&theta)?;
            (v, g, None)
        }
        // The Hessian is needed: value, gradient and Hessian from one fused pass.
        (_, _) => {
            let (v, g, h) = obj.value_gradient_hessian(&theta)?;
            (v, g, Some(h))
        }
    };
    if check_bounded && let Some(h) = &h {
        unbounded_direction(obj, h, &g)?;
    }
    let h = h.map(|h| h * n);
    let fixed = vec![false; d];
    let canonical = obj.model().expected_is_observed();
    let c = covariance(
        kind,
        &obj.model().name(),
        &DMatrix::identity(d, d),
        &fixed,
        Sources {
            observed: || match &h {
                Some(h) => Ok(h.clone()),
                None => Ok(obj.value_gradient_hessian(&theta)?.2 * n),
            },
            expected: || if canonical { h.clone() } else { None },
            // Σ wᵢ sᵢsᵢᵀ, the meat of the expanded data: rows by √wᵢ (or
            // by the caller's factors: a binomial row's n trials are one
            // observation, its score n times the per-trial one).
            scores: || {
                let mut s = obj.scores(&theta)?;
                let factor: Option<Vec<f64>> = match (meat, obj.weights()) {
                    (Some(m), _) => Some(m.to_vec()),
                    (None, Some(w)) => Some(w.iter().map(|w| w.sqrt()).collect()),
                    (None, None) => None,
                };
                if let Some(f) = factor {
                    for (mut row, f) in s.row_iter_mut().zip(f) {
                        row *= f;
                    }
                }
                Ok(Some(s))
            },
        },
    )?;
    Ok(FitReport {
        model: obj.model().name(),
        names: obj.param_names(),
        estimates: theta,
        fixed,
        std_errors: c.std_errors,
        covariance: c.covariance,
        information: c.used,
        distribution: (),
        log_likelihood: -n * v,
        n,
        k: d,
        gradient_norm: g.iter().fold(0.0, |m, x| m.max(x.abs())),
        method,
    })
}

/// Quasi-complete separation (and its analogues: a class, or a group of
/// zero counts, that some direction of the coefficients pushes to
/// probability 0 or 1), found at a "converged" point by the Newton step
/// `δ = H⁻¹g` of the average NLL: at a finite MLE the gradient is small
/// because the point is near the minimum, so `δ` is as small as the
/// gradient over the curvature; at a separated fit it is small because the
/// curvature vanished along the diverging direction, and `δ` stays large
/// (80 for a softmax with one class separable at |β| = 1 395, against
/// 1e-16 … 1e-9 for healthy fits). On the standardised design this is
/// scale-free: `‖δ‖∞ > 10⁻³` with an implied curvature `‖g‖∞/‖δ‖∞` below
/// `10⁻⁶` is no finite MLE; an information matrix that is not positive
/// definite at the estimate is a flat direction, the same verdict.
fn unbounded_direction<M: EtaModel>(
    obj: &ConditionalNll<'_, M>,
    h: &DMatrix<f64>,
    g: &[f64],
) -> Result<(), FitFailure> {
    let names = obj.param_names();
    let Some(chol) = h.clone().cholesky() else {
        return Err(FitFailure::NoFiniteMle {
            reason: "the information matrix is not positive definite at the estimate: the likelihood is flat along \
                     some direction of the coefficients, so they are not determined"
                .into(),
        });
    };
    let step = chol.solve(&nalgebra::DVector::from_column_slice(g));
    let (i, big) = step.iter().enumerate().fold((0, 0.0f64), |b, (i, v)| if v.abs() > b.1 { (i, v.abs()) } else { b });
    let gmax = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if big > 1e-3 && gmax < 1e-6 * big {
        return Err(FitFailure::NoFiniteMle {
            reason: format!(
                "quasi-complete separation: the likelihood keeps increasing as `{}` grows without bound (its \
                 curvature vanishes there: fitted probabilities of some observations are 0 or 1), so no finite \
                 maximum-likelihood estimate exists",
                names.get(i).map_or("a coefficient", String::as_str)
            ),
        });
    }
    Ok(())
}

/// Linear-Gaussian regression: coefficients by a QR least-squares solve,
/// `σ̂² = RSS / n` (the MLE), standard errors from the observed information.
/// [`ols_std_errors`] gives the classical ones with `RSS / (n − p)`.
pub fn fit_linear(design: &Design, y: &[f64], opts: &FitOptions) -> Result<FitReport, FitFailure> {
    // On the standardised design (see `columns`), mapped back; σ and the
    // log-likelihood do not move.
    fit_linear_with(design, y, None, opts)
}

/// [`fit_linear`] with frequency weights: row `i` counts `wᵢ` times
/// (finite, `≥ 0`, not all 0; rows of weight 0 are left out before the
/// fit), `n = Σ wᵢ` — weighted least squares by a QR factorisation of
/// `√W X`, `σ̂² = Σ wᵢ rᵢ² / Σ wᵢ`, the expanded data's report (as
/// statsmodels' GLM with `freq_weights`).
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::Design;
/// use xent_fit::{FitOptions, fit_linear, fit_linear_weighted};
/// let x = DMatrix::from_column_slice(4, 1, &[0.0, 1.0, 2.0, 3.0]);
/// let y = [0.1, 1.2, 1.9, 3.2];
/// let w = [2.0, 1.0, 0.0, 3.0];
/// let a = fit_linear_weighted(&Design::new(&x, true)?, &y, &w, &FitOptions::default())?;
/// let xe = DMatrix::from_column_slice(6, 1, &[0.0, 0.0, 1.0, 3.0, 3.0, 3.0]);
/// let b = fit_linear(&Design::new(&xe, true)?, &[0.1, 0.1, 1.2, 3.2, 3.2, 3.2], &FitOptions::default())?;
/// assert!((a.estimates[1] - b.estimates[1]).abs() < 1e-12 && a.n == 6.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_linear_weighted(
    design: &Design,
    y: &[f64],
    weights: &[f64],
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    let data = GlmData::new(design, y).with_weights(weights);
    let rows = Rows::positive(&data)?;
    let kept = rows.data(&data);
    fit_linear_with(kept.design, kept.y, kept.weights, opts).map_err(|e| rows.reindex(e))
}

fn fit_linear_with(design: &Design, y: &[f64], w: Option<&[f64]>, opts: &FitOptions) -> Result<FitReport, FitFailure> {
    match ColumnMap::choose(design) {
        Some((map, sd)) => fit_linear_on(&sd, y, w, opts).map(|r| map.report(r, 1)),
        None => fit_linear_on(design, y, w, opts),
    }
}

fn fit_linear_on(design: &Design, y: &[f64], w: Option<&[f64]>, opts: &FitOptions) -> Result<FitReport, FitFailure> {
    let (beta, resid_norm, _) = least_squares(design, y, w)?;
    let n = w.map_or(design.n() as f64, |w| w.iter().sum());
    let sigma = resid_norm / n.sqrt();
    // Residuals at the rounding level of the targets are an exact fit: the
    // likelihood grows without bound as σ → 0. The floor is relative to
    // the targets' scale (64 ε of their root mean square), never absolute.
    let y_rms = scaled_norm(&root_weighted(y, w)) / n.sqrt();
    if !(sigma > 64.0 * f64::EPSILON * y_rms) {
        return Err(FitFailure::NoFiniteMle {
            reason: format!(
                "the fit is exact: the residuals (σ̂ = {sigma:.1e}) are at the rounding level of the targets \
                 (root mean square {y_rms:.3e}), so σ has no finite maximum-likelihood estimate"
            ),
        });
    }
    let obj = weighted_objective(LinearGaussian, design, y, w)?;
    let mut theta = beta.iter().copied().collect::<Vec<_>>();
    theta.push(sigma.ln());
    let mut r = conditional_report(&obj, theta, FitMethod::LeastSquares, opts.covariance, None, false, None)?;
    // Report σ itself (delta method: ∂σ/∂ln σ = σ scales its row and column).
    let last = r.estimates.len() - 1;
    r.names[last] = "sigma".into();
    r.estimates[last] = sigma;
    r.std_errors[last] *= sigma;
    for i in 0..=last {
        r.covariance[(last, i)] *= sigma;
        r.covariance[(i, last)] *= sigma;
    }
    Ok(r)
}

/// `√wᵢ vᵢ` (`v` itself unweighted).
fn root_weighted(v: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    match w {
        Some(w) => v.iter().zip(w).map(|(v, w)| v * w.sqrt()).collect(),
        None => v.to_vec(),
    }
}

/// The conditional NLL with its weights and offset, if any.
fn weighted_objective<'a, M: EtaModel>(
    model: M,
    design: &'a Design,
    y: &'a [f64],
    w: Option<&'a [f64]>,
) -> Result<ConditionalNll<'a, M>, FitFailure> {
    glm_objective(model, &GlmData { design, y, weights: w, offset: None })
}

/// The conditional NLL of a [`GlmData`].
fn glm_objective<'a, M: EtaModel>(model: M, data: &GlmData<'a>) -> Result<ConditionalNll<'a, M>, FitFailure> {
    let mut obj = ConditionalNll::new(model, data.design, data.y)?;
    if let Some(w) = data.weights {
        obj = obj.with_weights(w)?;
    }
    if let Some(o) = data.offset {
        obj = obj.with_offset(o)?;
    }
    Ok(obj)
}

/// The start of a conditional fit: zero, but for the model's levels of
/// its linear predictors (on the intercepts, with a design that has one)
/// and its extra parameters ([`EtaModel::start`]).
fn start_point<M: EtaModel>(model: &M, data: &GlmData<'_>, d: usize) -> Vec<f64> {
    let mut theta = vec![0.0; d];
    let (m, p) = (model.predictors(), data.design.p());
    if let Some(local) = model.start(data.y, data.weights, data.offset)
        && local.len() == m + (d - m * p)
        && local.iter().all(|v| v.is_finite())
    {
        if data.design.has_intercept() {
            for k in 0..m {
                theta[k * p] = local[k];
            }
        }
        theta[m * p..].copy_from_slice(&local[m..]);
    }
    theta
}

/// `‖v‖₂` without overflow or underflow (scaled by the largest entry).
fn scaled_norm(v: &[f64]) -> f64 {
    let m = v.iter().fold(0.0, |m: f64, x| m.max(x.abs()));
    if m > 0.0 && m.is_finite() { m * v.iter().map(|x| (x / m).powi(2)).sum::<f64>().sqrt() } else { m }
}

/// The least-squares coefficients, the norm of the residuals (scaled: no
/// underflow for data near 1e-300, no overflow near 1e300), and the R
/// factor of `X = QR` (for the standard errors); with weights, of the
/// rows scaled by `√wᵢ` (weighted least squares, `√W X = QR`).
fn least_squares(
    design: &Design,
    y: &[f64],
    w: Option<&[f64]>,
) -> Result<(DVector<f64>, f64, DMatrix<f64>), FitFailure> {
    let (n, p) = (design.n(), design.p());
    if y.len() != n {
        return Err(ObjectiveError::Dimension { what: "targets", expected: n, found: y.len() }.into());
    }
    if let Some((i, &v)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ObjectiveError::NonFinite { what: "target", index: i, value: v }.into());
    }
    if n <= p {
        return Err(FitFailure::TooFewObservations { n: n as f64, parameters: p + 1 });
    }
    check_design(design)?;
    let mut x = design.matrix().clone();
    if let Some(w) = w {
        for (mut row, w) in x.row_iter_mut().zip(w) {
            row *= w.sqrt();
        }
    }
    let qr = x.clone().qr();
    let (q, r) = (qr.q(), qr.r());
    let scale = (0..p).map(|i| r[(i, i)].abs()).fold(0.0, f64::max);
    if (0..p).any(|i| r[(i, i)].abs() <= 1e-12 * scale) {
        return Err(FitFailure::NoFiniteMle { reason: "the design matrix is rank deficient".into() });
    }
    let yv = DVector::from_vec(root_weighted(y, w));
    let qty = q.tr_mul(&yv);
    let beta = r.solve_upper_triangular(&qty).ok_or_else(|| FitFailure::NoFiniteMle { reason: "singular R".into() })?;
    let resid = &yv - x * &beta;
    Ok((beta, scaled_norm(resid.as_slice()), r))
}

/// Classical OLS standard errors `√(s² diag((XᵀX)⁻¹))`, `s² = RSS/(n − p)`,
/// from the rows of `R⁻¹` of the QR factorisation (never an inverse of XᵀX).
pub fn ols_std_errors(design: &Design, y: &[f64]) -> Result<Vec<f64>, FitFailure> {
    ols_errors(design, y, None)
}

/// [`ols_std_errors`] with frequency weights: `s² = Σ wᵢrᵢ²/(Σ wᵢ − p)`
/// and the rows of `R⁻¹` of `√W X = QR` — the classical errors of the
/// expanded data (statsmodels' WLS/GLM with `freq_weights`). Rows of
/// weight 0 are left out.
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::Design;
/// use xent_fit::{ols_std_errors, ols_std_errors_weighted};
/// let x = DMatrix::from_column_slice(4, 1, &[0.0, 1.0, 2.0, 3.0]);
/// let a = ols_std_errors_weighted(&Design::new(&x, true)?, &[0.1, 1.2, 1.9, 3.2], &[2.0, 1.0, 1.0, 1.0])?;
/// let xe = DMatrix::from_column_slice(5, 1, &[0.0, 0.0, 1.0, 2.0, 3.0]);
/// let b = ols_std_errors(&Design::new(&xe, true)?, &[0.1, 0.1, 1.2, 1.9, 3.2])?;
/// assert!((a[1] - b[1]).abs() < 1e-12 * b[1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ols_std_errors_weighted(design: &Design, y: &[f64], weights: &[f64]) -> Result<Vec<f64>, FitFailure> {
    let data = GlmData::new(design, y).with_weights(weights);
    let rows = Rows::positive(&data)?;
    let kept = rows.data(&data);
    ols_errors(kept.design, kept.y, kept.weights).map_err(|e| rows.reindex(e))
}

fn ols_errors(design: &Design, y: &[f64], w: Option<&[f64]>) -> Result<Vec<f64>, FitFailure> {
    let map = ColumnMap::choose(design);
    let design = map.as_ref().map_or(design, |(_, sd)| sd);
    let (_, resid_norm, r) = least_squares(design, y, w)?;
    let (n, p) = (w.map_or(design.n() as f64, |w| w.iter().sum()), design.p());
    if n <= p as f64 {
        return Err(FitFailure::TooFewObservations { n, parameters: p + 1 });
    }
    let s = resid_norm / (n - p as f64).sqrt();
    // diag((XᵀX)⁻¹) = squared row norms of R⁻¹ (X = QR): the condition
    // number of R, not its square.
    let rinv = r
        .solve_upper_triangular(&DMatrix::identity(p, p))
        .ok_or_else(|| FitFailure::NoFiniteMle { reason: "the design matrix is rank deficient".into() })?;
    // On a standardised design, the rows of A·R̃⁻¹ (β = Aβ̃).
    let rows = match &map {
        Some((m, _)) => m.left_multiply(&rinv),
        None => rinv,
    };
    Ok((0..p).map(|i| s * rows.row(i).norm()).collect())
}

/// Rows above which [`fit_conditional`] first fits a subsample.
const WARM_START_ROWS: usize = 100_000;

/// For large data, the full fit's start: the MLE on every 16th row (a
/// deterministic subsample) and the subsample's Hessian there. The estimate
/// lies within `O(1/√(n/16))` of the full MLE and the Hessian (of the
/// average NLL, the same scale for both) within a few per cent of the full
/// data's at its optimum, so the chord method on the full data contracts the
/// gradient by about that much per value-and-gradient pass and needs no
/// full-data Hessian until the report. `None` (Newton from zero) for small
/// data or when the subsample fit does not converge to finite values (a
/// subsample can be separated when the data are not).
fn warm_start<M: EtaModel + Clone>(
    model: &M,
    data: &GlmData<'_>,
    start: &[f64],
    opts: &FitOptions,
) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let n = data.y.len();
    if n < WARM_START_ROWS {
        return None;
    }
    let k = 16;
    let every = |v: Option<&[f64]>| -> Option<Vec<f64>> { v.map(|v| v.iter().step_by(k).copied().collect()) };
    let (sub, ys) = data.design.every_kth(data.y, k);
    let (ws, os) = (every(data.weights), every(data.offset));
    let obj =
        glm_objective(model.clone(), &GlmData { design: &sub, y: &ys, weights: ws.as_deref(), offset: os.as_deref() })
            .ok()?;
    // The subsample itself: the chord method from the Hessian at zero of
    // every 16th row of the subsample (the start is far from the answer
    // anyway; the method refreshes when it stops contracting), to a gradient
    // of 1e-8 — far below the subsample's own sampling error, which the
    // full-data phase removes — then one Hessian at its answer to hand on.
    let (sub0, ys0) = sub.every_kth(&ys, k);
    let (ws0, os0) = (every(ws.as_deref()), every(os.as_deref()));
    let h0 = glm_objective(
        model.clone(),
        &GlmData { design: &sub0, y: &ys0, weights: ws0.as_deref(), offset: os0.as_deref() },
    )
    .ok()?
    .hessian(start)
    .ok();
    let chord = Method::ChordNewton { hessian: h0, contraction: 0.5 };
    let optim = Options { gradient_tol: opts.optim.gradient_tol.max(1e-8), ..opts.optim.clone() };
    let out = minimise(&ObjectiveProblem::new(&obj), start, &chord, &optim, &mut ()).ok()?;
    let norm = out.x.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let usable = out.termination.converged() && out.x.iter().all(|v| v.is_finite()) && out.value > 1e-6 && norm < 1e3;
    if !usable {
        return None;
    }
    let h = match out.hessian {
        Some(h) => h,
        None => obj.hessian(&out.x).ok()?,
    };
    Some((out.x, h))
}

/// The optimisation of [`fit_conditional`]: the objective, the optimiser's outcome and a
/// description of the method; separation is an error.
fn optimise_conditional<'d, M: EtaModel + Clone>(
    model: M,
    data: &GlmData<'d>,
    opts: &FitOptions,
) -> Result<(ConditionalNll<'d, M>, xent_optim::Outcome, FitMethod), FitFailure> {
    let (design, y) = (data.design, data.y);
    let obj = glm_objective(model.clone(), data)?;
    let d = obj.dim();
    if y.len() < d || obj.total_weight() < d as f64 {
        return Err(FitFailure::TooFewObservations { n: obj.total_weight(), parameters: d });
    }
    check_design(design)?;
    let zero = start_point(&model, data, d);
    // A Hessian above the memory budget: no second-order method, and no
    // covariance from the information (which is that Hessian).
    let second_order = obj.hessian_bytes() <= HESSIAN_BUDGET_BYTES;
    if !second_order && opts.covariance != Covariance::None {
        return Err(FitFailure::CovarianceUnavailable {
            model: obj.model().name(),
            covariance: opts.covariance,
            reason: "the information matrix is above the memory budget (HESSIAN_BUDGET_BYTES); \
                     fit with Covariance::None",
        });
    }
    // The fallback starts from the model's start, whatever the warm start did.
    let (out, method) = match second_order.then(|| warm_start(&model, data, &zero, opts)) {
        None => {
            let method = Method::lbfgs();
            (minimise(&ObjectiveProblem::new(&obj), &zero, &method, &opts.optim, &mut ())?, method)
        }
        Some(Some((start, h))) => {
            let chord = Method::ChordNewton { hessian: Some(h), contraction: 0.5 };
            second_order_then_lbfgs(&obj, chord, &start, &zero, opts)?
        }
        Some(None) => second_order_then_lbfgs(&obj, Method::Newton, &zero, &zero, opts)?,
    };
    // Separation: the NLL approaches 0 while the coefficients blow up.
    let norm = out.x.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    if out.value < 1e-6 && norm > 10.0 && obj.model().extra_names().is_empty() {
        if y.iter().all(|v| *v == y[0]) {
            return Err(FitFailure::NoFiniteMle {
                reason: format!(
                    "every target equals {}: the fitted mean is driven to the boundary of its range, so the \
                     coefficients grow without bound",
                    y[0]
                ),
            });
        }
        return Err(FitFailure::NoFiniteMle {
            reason: format!(
                "perfect separation: the classes are separated by a hyperplane in x, so the likelihood approaches 1 \
                 as the coefficients grow without bound (average NLL {:.2e} at |β|∞ = {norm:.1})",
                out.value
            ),
        });
    }
    if out.termination.converged() && !obj.model().extra_names().is_empty() {
        let eta = obj.linear_predictors(&out.x)?;
        let top: Vec<f64> = eta.iter().map(|e| e.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v))).collect();
        if let Some(reason) = obj.model().at_boundary(&out.x[d - obj.model().extra_names().len()..], &top) {
            return Err(FitFailure::NoFiniteMle { reason });
        }
    }
    let fm = FitMethod::Numerical {
        method: method_name(&method),
        termination: out.termination.clone(),
        iterations: out.iterations,
        evaluations: out.evaluations,
    };
    Ok((obj, out, fm))
}

/// The report of an optimiser's answer (a non-converged one as the error).
fn report_outcome<M: EtaModel>(
    obj: &ConditionalNll<'_, M>,
    out: xent_optim::Outcome,
    fm: FitMethod,
    kind: Covariance,
    meat: Option<&[f64]>,
) -> Result<FitReport, FitFailure> {
    // Newton's answer carries the Hessian there (from the same fused
    // evaluation as its value and gradient): the report need not recompute it.
    let converged = out.termination.converged();
    let known = Some((out.value, out.gradient, out.hessian));
    let check = converged && obj.model().extra_names().is_empty();
    let rep = conditional_report(obj, out.x, fm, kind, known, check, meat)?;
    if converged { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep) }) }
}

/// Maximum-likelihood fit of a conditional model with its report: Newton
/// from zero coefficients, or — above 100 000 rows — the chord method from
/// a subsample's estimate and Hessian (see `warm_start`), then the
/// information of [`FitOptions::covariance`] at the estimate for the
/// standard errors ([`Covariance::None`] skips it: for large models the
/// Hessian costs more than the optimisation, see `docs/performance.md`;
/// scikit-learn's estimators stop there too). For logistic
/// and softmax models, perfectly separated classes — fitted probabilities
/// driven to 0 and 1 with coefficients growing without bound — are reported
/// as [`FitFailure::NoFiniteMle`] naming the separation. A run that does
/// not converge returns its partial report as [`FitFailure::NotConverged`].
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::{Design, Logistic};
/// use xent_fit::{Covariance, FitOptions, fit_conditional};
/// let x = DMatrix::from_fn(40, 1, |i, _| i as f64 / 10.0 - 2.0);
/// let y: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i % 3 != 0 && i > 12))).collect();
/// let design = Design::new(&x, true)?;
/// let e = fit_conditional(Logistic, &design, &y, &FitOptions::default().with_covariance(Covariance::None))?;
/// let r = fit_conditional(Logistic, &design, &y, &FitOptions::default())?;
/// assert_eq!(e.estimates, r.estimates);
/// assert!(e.std_errors.iter().all(|s| s.is_nan()) && r.std_errors.iter().all(|s| *s > 0.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_conditional<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    fit_glm(model, &GlmData::new(design, y), opts)
}

/// [`fit_conditional`] with frequency weights: row `i` counts `wᵢ` times
/// (finite, `≥ 0`, not all 0; rows of weight 0 are left out before the
/// fit, and errors name the caller's rows), `n = Σ wᵢ` — the estimates,
/// standard errors (observed, expected or sandwich), log-likelihood, AIC
/// and BIC of the expanded data, as statsmodels' GLM with `freq_weights`.
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::{Design, PoissonLog};
/// use xent_fit::{FitOptions, fit_conditional_weighted};
/// // Claims per driver, grouped: age band, number of drivers with that count.
/// let age = DMatrix::from_column_slice(6, 1, &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
/// let claims = [0.0, 1.0, 2.0, 0.0, 1.0, 2.0];
/// let drivers = [50.0, 20.0, 5.0, 70.0, 12.0, 2.0];
/// let r = fit_conditional_weighted(PoissonLog, &Design::new(&age, true)?, &claims, &drivers, &FitOptions::default())?;
/// // The rate of each band is its mean count: 30/75 and 16/84.
/// assert!((r.estimates[0].exp() - 30.0 / 75.0).abs() < 1e-10);
/// assert!(((r.estimates[0] + r.estimates[1]).exp() - 16.0 / 84.0).abs() < 1e-10);
/// assert_eq!(r.n, 159.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_conditional_weighted<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    weights: &[f64],
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    fit_glm(model, &GlmData::new(design, y).with_weights(weights), opts)
}

/// Maximum-likelihood fit of a conditional model on a [`GlmData`] — with
/// its frequency weights and offset, if any — as [`fit_conditional`] and
/// [`fit_conditional_weighted`] (which are this function without an
/// offset). A model with a [`EtaModel::start`] starts there (the log-link
/// models at the log of the mean rate), and one whose converged estimate
/// is at a boundary ([`EtaModel::at_boundary`]: a negative binomial with
/// no over-dispersion) is [`FitFailure::NoFiniteMle`] naming it.
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::{Design, PoissonLog};
/// use xent_fit::{FitOptions, GlmData, fit_glm, log_exposure};
/// // Claims of two groups of policies with their exposure in policy-years.
/// let group = DMatrix::from_column_slice(4, 1, &[0.0, 0.0, 1.0, 1.0]);
/// let (claims, years) = ([3.0, 5.0, 1.0, 2.0], [2.0, 2.0, 4.0, 2.0]);
/// let design = Design::new(&group, true)?;
/// let offset = log_exposure(&years)?;
/// let r = fit_glm(PoissonLog, &GlmData::new(&design, &claims).with_offset(&offset), &FitOptions::default())?;
/// // Each group's rate per year: 8/4 and 3/6.
/// assert!((r.estimates[0].exp() - 2.0).abs() < 1e-12);
/// assert!(((r.estimates[0] + r.estimates[1]).exp() - 0.5).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_glm<M: EtaModel + Clone>(model: M, data: &GlmData<'_>, opts: &FitOptions) -> Result<FitReport, FitFailure> {
    let rows = Rows::positive(data)?;
    fit_conditional_with(model, &rows.data(data), None, opts).map_err(|e| rows.reindex(e))
}

/// The fit of [`fit_glm`] on rows of positive weight; `meat` (one per
/// row) scales the scores of the sandwich instead of `√wᵢ`.
pub(crate) fn fit_conditional_with<M: EtaModel + Clone>(
    model: M,
    data: &GlmData<'_>,
    meat: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    // On the standardised design (see `columns`), mapped back.
    let extra = model.extra_names().len();
    match ColumnMap::choose(data.design) {
        Some((map, sd)) => optimise_conditional(model, &GlmData { design: &sd, ..*data }, opts)
            .and_then(|(obj, out, fm)| report_outcome(&obj, out, fm, opts.covariance, meat))
            .map(|r| map.report(r, extra))
            .map_err(|e| map.failure(e, extra)),
        None => {
            let (obj, out, fm) = optimise_conditional(model, data, opts)?;
            report_outcome(&obj, out, fm, opts.covariance, meat)
        }
    }
}
