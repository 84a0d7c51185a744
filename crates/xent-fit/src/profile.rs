//! Profile-likelihood confidence intervals and likelihood-ratio tests.
//!
//! The profile interval of a parameter ψ at level `1 − α` is the set of
//! values `b` where `2(ℓ̂ − ℓ_p(b)) ≤ χ²₁(1 − α)`, with `ℓ_p(b)` the
//! log-likelihood maximised over every other parameter with ψ held at `b`
//! — each end found by refitting (the optimiser re-solving the nuisance
//! parameters) and root-finding on the profile. Unlike a Wald interval it
//! does not assume the log-likelihood is quadratic, and it moves with
//! any reparametrisation (the interval of `ln σ` is the log of `σ`'s), as
//! R's `confint` on MASS profiles does.

use xent_distributions::special::{gamma_q, norm_quantile};
use xent_distributions::{AnyUnivariate, Scalar};
use xent_objectives::conditional::{Design, EtaModel};
use xent_objectives::{Family, Model, Transform};

use crate::error::FitFailure;
use crate::glm::fit_glm;
use crate::glm_data::GlmData;
use crate::options::FitOptions;
use crate::report::FitReport;
use crate::unconditional::{fit_family, fit_family_weighted};

/// `χ²₁` quantile at `level`: `Φ⁻¹((1 + level)/2)²`.
fn chi2_1(level: f64) -> f64 {
    norm_quantile(0.5 + level / 2.0).powi(2)
}

/// The profile interval of one parameter from its estimate, its Wald
/// standard error (the first step's size), the transform of its domain
/// (the search runs in the unconstrained coordinate, so a positive
/// parameter's end stays positive), the maximum log-likelihood, and
/// `profile(b)`: the log-likelihood maximised with the parameter held at
/// `b`. Each end is bracketed by steps that double from one standard error
/// and then found by the Illinois method to `1e-10` relative in the
/// unconstrained coordinate; an end beyond which the profile never drops
/// by `χ²₁(level)` within 2⁴⁰ standard errors is infinite (the data do not
/// bound the parameter on that side). A refit that fails inside the
/// search is the error.
///
/// ```
/// use xent_fit::profile_interval;
/// use xent_objectives::Transform;
/// // A normal mean with known σ = 1 and n = 4: the profile is exactly
/// // quadratic, so the interval is the Wald one, x̄ ± 1.96/2.
/// let ll = |m: f64| -> Result<f64, xent_fit::FitFailure> { Ok(-2.0 * (m - 3.0).powi(2)) };
/// let (lo, hi) = profile_interval(3.0, 0.5, Transform::Identity, 0.0, 0.95, ll)?;
/// assert!((lo - (3.0 - 1.959_963_984_540_054 * 0.5)).abs() < 1e-9);
/// assert!((hi - (3.0 + 1.959_963_984_540_054 * 0.5)).abs() < 1e-9);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn profile_interval(
    estimate: f64,
    std_error: f64,
    transform: Transform,
    log_likelihood: f64,
    level: f64,
    mut profile: impl FnMut(f64) -> Result<f64, FitFailure>,
) -> Result<(f64, f64), FitFailure> {
    if !(level > 0.0 && level < 1.0) {
        return Err(xent_objectives::ObjectiveError::InvalidOption {
            name: "level",
            value: level,
            reason: "a confidence level is in (0, 1)",
        }
        .into());
    }
    let q = chi2_1(level);
    let u_hat = transform.inverse(&[estimate])?[0];
    let forward = |u: f64| {
        let mut out = Vec::new();
        transform.forward(&[u], &mut out);
        out[0]
    };
    // The standard error in the unconstrained coordinate: dθ/du by a
    // central difference of the transform (exact enough for a step size).
    let h = 1e-6 * u_hat.abs().max(1.0);
    let slope = ((forward(u_hat + h) - forward(u_hat - h)) / (2.0 * h)).abs();
    let step = if std_error.is_finite() && std_error > 0.0 && slope > 0.0 {
        std_error / slope
    } else {
        0.1 * u_hat.abs().max(1.0)
    };
    let mut deviance = |u: f64| -> Result<f64, FitFailure> { Ok(2.0 * (log_likelihood - profile(forward(u))?) - q) };
    let mut end = |sign: f64| -> Result<f64, FitFailure> {
        // Bracket: d(inside) < 0 ≤ d(outside).
        let (mut inside, mut d_in) = (u_hat, -q);
        let mut k = 0;
        let (outside, d_out) = loop {
            let u = u_hat + sign * step * 2f64.powi(k);
            let theta = forward(u);
            if !theta.is_finite() || forward(u) == forward(inside) {
                return Ok(sign * f64::INFINITY);
            }
            let d = deviance(u)?;
            if d >= 0.0 {
                break (u, d);
            }
            (inside, d_in) = (u, d);
            k += 1;
            if k > 40 {
                return Ok(sign * f64::INFINITY);
            }
        };
        // Illinois: regula falsi, halving the stale end's value.
        let (mut a, mut fa, mut b, mut fb) = (inside, d_in, outside, d_out);
        let mut side = 0;
        for _ in 0..200 {
            let c = b - fb * (b - a) / (fb - fa);
            let fc = deviance(c)?;
            if fc.abs() < 1e-12 || (b - a).abs() <= 1e-10 * c.abs().max(1.0) {
                return Ok(c);
            }
            if (fc < 0.0) == (fa < 0.0) {
                (a, fa) = (c, fc);
                if side == -1 {
                    fb /= 2.0;
                }
                side = -1;
            } else {
                (b, fb) = (c, fc);
                if side == 1 {
                    fa /= 2.0;
                }
                side = 1;
            }
        }
        Ok(b - fb * (b - a) / (fb - fa))
    };
    let (lo, hi) = (end(-1.0)?, end(1.0)?);
    let at =
        |u: f64| if u.is_infinite() { if u > 0.0 { forward(f64::MAX) } else { forward(f64::MIN) } } else { forward(u) };
    let (a, b) = (at(lo), at(hi));
    // An infinite end maps to the edge of the domain (0 for a positive parameter).
    let a = if lo == f64::NEG_INFINITY && transform == Transform::Identity { f64::NEG_INFINITY } else { a };
    let b = if hi == f64::INFINITY && matches!(transform, Transform::Identity | Transform::Exp) {
        f64::INFINITY
    } else {
        b
    };
    Ok((a.min(b), a.max(b)))
}

/// Profile intervals of every parameter of a family fit (`report` from
/// [`fit_family`] or [`fit_family_weighted`] with the same data, weights
/// and options): each parameter held fixed in turn (`opts.fixed`) while
/// the fit re-solves the others. A parameter the report holds fixed has
/// no interval (NaN, NaN).
///
/// ```
/// use xent_objectives::Family;
/// use xent_fit::{FitOptions, fit_family, profile_intervals_family};
/// let x = [0.8, 1.9, 0.4, 2.7, 1.1, 0.6, 3.5, 1.4];
/// let opts = FitOptions::default();
/// let r = fit_family(&Family::Exponential, &x, &opts)?;
/// let ci = profile_intervals_family(&Family::Exponential, &x, None, &r, 0.95, &opts)?;
/// // Asymmetric about the estimate, as the likelihood of a rate is.
/// let (lo, hi) = ci[0];
/// assert!(lo < r.estimates[0] && r.estimates[0] - lo < hi - r.estimates[0]);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn profile_intervals_family(
    family: &Family,
    data: &[f64],
    weights: Option<&[f64]>,
    report: &FitReport<AnyUnivariate>,
    level: f64,
    opts: &FitOptions,
) -> Result<Vec<(f64, f64)>, FitFailure> {
    let transforms = family.transforms();
    let names = family.param_names();
    (0..report.estimates.len())
        .map(|i| {
            if report.fixed[i] {
                return Ok((f64::NAN, f64::NAN));
            }
            let t = transforms.get(i).copied().unwrap_or(Transform::Identity);
            profile_interval(report.estimates[i], report.std_errors[i], t, report.log_likelihood, level, |b| {
                let mut o = opts.clone();
                o.fixed.push((names[i].clone(), b));
                let r = match weights {
                    Some(w) => fit_family_weighted(family, data, w, &o),
                    None => fit_family(family, data, &o),
                }?;
                Ok(r.log_likelihood)
            })
        })
        .collect()
}

/// A conditional model with its extra parameters held at known values.
#[derive(Debug, Clone)]
struct FixedExtras<M> {
    model: M,
    extra: Vec<f64>,
}

impl<M: EtaModel> EtaModel for FixedExtras<M> {
    fn name(&self) -> String {
        self.model.name()
    }
    fn predictors(&self) -> usize {
        self.model.predictors()
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        self.model.check_target(y)
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        let e: Vec<T> = self.extra.iter().map(|&v| T::cst(v)).collect();
        self.model.nll(eta, &e, y)
    }
    fn start(&self, y: &[f64], w: Option<&[f64]>, offset: Option<&[f64]>) -> Option<Vec<f64>> {
        self.model.start(y, w, offset).map(|mut s| {
            s.truncate(self.model.predictors());
            s
        })
    }
}

/// The design without column `j` (`None` when it was the only one), and
/// that column.
fn without_column(design: &Design, j: usize) -> Result<(Option<Design>, Vec<f64>), FitFailure> {
    let x = design.matrix();
    let col: Vec<f64> = x.column(j).iter().copied().collect();
    let keep: Vec<usize> = (0..x.ncols()).filter(|&c| c != j).collect();
    if keep.is_empty() {
        return Ok((None, col));
    }
    let m = nalgebra::DMatrix::from_fn(x.nrows(), keep.len(), |r, c| x[(r, keep[c])]);
    // The intercept, if kept, is a column like any other now.
    Ok((Some(Design::new(&m, false)?), col))
}

/// `Σ wᵢ ln q(yᵢ | ηᵢ = oᵢ)`: the log-likelihood of a model with no free
/// coefficient and no extra parameter.
fn offset_log_likelihood<M: EtaModel>(model: &M, data: &GlmData<'_>, offset: &[f64]) -> f64 {
    (0..data.y.len()).map(|i| -data.weights.map_or(1.0, |w| w[i]) * model.nll(&[offset[i]], &[], data.y[i])).sum()
}

/// Profile intervals of every parameter of a conditional fit (`report`
/// from [`fit_glm`] on the same data and options; one linear predictor):
/// a coefficient `βⱼ = b` is held by moving `b·xⱼ` into the offset and
/// the column out of the design, an extra parameter (`ln σ`, `ln k`,
/// `ln α`) by fixing it in the model; the rest are refitted. Reported in
/// the report's parametrisation.
pub fn profile_intervals_glm<M: EtaModel + Clone>(
    model: M,
    data: &GlmData<'_>,
    report: &FitReport,
    level: f64,
    opts: &FitOptions,
) -> Result<Vec<(f64, f64)>, FitFailure> {
    if model.predictors() != 1 {
        return Err(xent_objectives::ObjectiveError::Unavailable {
            what: "profile intervals",
            objective: "models with several linear predictors",
        }
        .into());
    }
    let p = data.design.p();
    let extras = model.extra_names().len();
    let mut out = Vec::with_capacity(p + extras);
    for j in 0..p {
        let (design, col) = without_column(data.design, j)?;
        let ci = profile_interval(
            report.estimates[j],
            report.std_errors[j],
            Transform::Identity,
            report.log_likelihood,
            level,
            |b| {
                let offset: Vec<f64> = (0..col.len()).map(|i| b * col[i] + data.offset.map_or(0.0, |o| o[i])).collect();
                match &design {
                    Some(design) => {
                        let sub = GlmData { design, y: data.y, weights: data.weights, offset: Some(&offset) };
                        Ok(fit_glm(model.clone(), &sub, opts)?.log_likelihood)
                    }
                    // Nothing left to fit: the log-likelihood at the offset alone.
                    None if extras == 0 => Ok(offset_log_likelihood(&model, data, &offset)),
                    None => Err(xent_objectives::ObjectiveError::Unavailable {
                        what: "the profile of the only coefficient",
                        objective: "a model with a dispersion parameter",
                    }
                    .into()),
                }
            },
        )?;
        out.push(ci);
    }
    for e in 0..extras {
        let i = p + e;
        let ci = profile_interval(
            report.estimates[i],
            report.std_errors[i],
            Transform::Identity,
            report.log_likelihood,
            level,
            |b| {
                let mut extra: Vec<f64> = report.estimates[p..].to_vec();
                extra[e] = b;
                let fixed = FixedExtras { model: model.clone(), extra };
                Ok(fit_glm(fixed, data, opts)?.log_likelihood)
            },
        )?;
        out.push(ci);
    }
    Ok(out)
}

/// A likelihood-ratio test of a restricted model nested in a full one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrTest {
    /// `2(ℓ_full − ℓ_restricted)`.
    pub statistic: f64,
    /// Degrees of freedom: the difference in free parameters.
    pub df: usize,
    /// `P(χ²_df ≥ statistic)`.
    pub p_value: f64,
}

/// The likelihood-ratio test of `restricted` against `full` (nested: the
/// restricted model is the full one with some parameters held): the
/// statistic `2(ℓ_full − ℓ_restricted)` and its `χ²` p-value with the
/// difference in free parameters as degrees of freedom (Wilks). Errors
/// when the two were not fitted to the same number of observations, when
/// the full model has no more free parameters, or when the restricted
/// model fits better by more than the optimisers' tolerance (then they
/// are not nested, or one fit did not reach its maximum); a statistic
/// within that tolerance below 0 is 0.
///
/// ```
/// use xent_objectives::Family;
/// use xent_fit::{FitOptions, fit_family, lr_test};
/// let x = [0.8, 1.9, 0.4, 2.7, 1.1, 0.6, 3.5, 1.4, 0.9, 2.2];
/// let full = fit_family(&Family::Gamma, &x, &FitOptions::default())?;
/// // The exponential is the gamma with shape 1.
/// let restricted = fit_family(&Family::Gamma, &x, &FitOptions::default().with_fixed("shape", 1.0))?;
/// let exponential = fit_family(&Family::Exponential, &x, &FitOptions::default())?;
/// assert!((restricted.log_likelihood - exponential.log_likelihood).abs() < 1e-9);
/// let t = lr_test(&restricted, &full)?;
/// assert_eq!(t.df, 1);
/// assert!(t.statistic > 0.0 && t.p_value > 0.0 && t.p_value < 1.0);
/// // Swapped, the models are not nested the right way round.
/// assert!(lr_test(&full, &restricted).is_err());
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn lr_test<A, B>(restricted: &FitReport<A>, full: &FitReport<B>) -> Result<LrTest, FitFailure> {
    let not_nested = |reason: String| FitFailure::NoFiniteMle { reason };
    if restricted.n != full.n {
        return Err(not_nested(format!(
            "the models were fitted to different data (n = {} and {}); a likelihood-ratio test compares fits to the same observations",
            restricted.n, full.n
        )));
    }
    if full.k <= restricted.k {
        return Err(not_nested(format!(
            "the full model has {} free parameters, the restricted one {}: the full model must have more",
            full.k, restricted.k
        )));
    }
    let statistic = 2.0 * (full.log_likelihood - restricted.log_likelihood);
    let tol = 1e-6 * full.log_likelihood.abs().max(1.0);
    if statistic < -tol {
        return Err(not_nested(format!(
            "the restricted model fits better (log-likelihood {} against {}): the models are not nested, or a fit \
             did not reach its maximum",
            restricted.log_likelihood, full.log_likelihood
        )));
    }
    let statistic = statistic.max(0.0);
    let df = full.k - restricted.k;
    Ok(LrTest { statistic, df, p_value: gamma_q(df as f64 / 2.0, statistic / 2.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_quantile() {
        assert!((chi2_1(0.95) - 3.841_458_820_694_124).abs() < 1e-9);
        assert!((chi2_1(0.99) - 6.634_896_601_021_214).abs() < 1e-9);
    }

    /// A profile that never drops far enough on one side is unbounded there.
    #[test]
    fn an_unbounded_side_is_infinite() {
        let ll = |b: f64| -> Result<f64, FitFailure> { Ok(if b < 0.0 { -b * b } else { -1e-3 * b / (1.0 + b) }) };
        let (lo, hi) = profile_interval(0.0, 1.0, Transform::Identity, 0.0, 0.95, ll).unwrap();
        assert!((lo + (3.841_458_820_694_124f64 / 2.0).sqrt()).abs() < 1e-8, "{lo}");
        assert_eq!(hi, f64::INFINITY);
        // A positive parameter's lower end never crosses 0.
        let ll = |s: f64| -> Result<f64, FitFailure> { Ok(-(s.ln()).powi(2) * 4.0) };
        let (lo, hi) = profile_interval(1.0, 0.4, Transform::Exp, 0.0, 0.95, ll).unwrap();
        let half = (3.841_458_820_694_124f64 / 8.0).sqrt();
        assert!((lo - (-half).exp()).abs() < 1e-8 && (hi - half.exp()).abs() < 1e-8, "{lo} {hi}");
    }
}
