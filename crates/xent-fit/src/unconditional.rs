//! Unconditional fits: a univariate family on a sample — the closed form
//! where one exists, else moment starts and Newton (falling back to L-BFGS)
//! on the unconstrained parameters.

use nalgebra::DMatrix;
use xent_distributions::{AnyUnivariate, Family as _, LogDensity};
use xent_objectives::{Family, Model, Nll, ObjectiveError, Parametrisation};
use xent_optim::Method;

use crate::error::FitFailure;
use crate::information::{delta, invert, sandwich, std_errors};
use crate::options::FitOptions;
use crate::problem::{method_name, second_order_then_lbfgs};
use crate::report::{FitMethod, FitReport};

/// Moment-based starting values for the families without a closed form.
fn starting_values(family: &Family, x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| sorted[((p * (n - 1.0)).round() as usize).min(sorted.len() - 1)];
    let (median, iqr) = (q(0.5), (q(0.75) - q(0.25)).max(1e-12));
    match family {
        Family::Gamma => vec![mean * mean / var, mean / var],
        Family::Beta => {
            let c = (mean * (1.0 - mean) / var - 1.0).max(1e-3);
            vec![mean * c, (1.0 - mean) * c]
        }
        Family::Weibull => {
            let logs: Vec<f64> = x.iter().filter(|v| **v > 0.0).map(|v| v.ln()).collect();
            let lm = logs.iter().sum::<f64>() / logs.len().max(1) as f64;
            let ls = (logs.iter().map(|v| (v - lm).powi(2)).sum::<f64>() / logs.len().max(1) as f64).sqrt().max(1e-6);
            let k = std::f64::consts::PI / (6f64.sqrt() * ls);
            vec![k, (lm + 0.577_215_664_901_532_9 / k).exp()]
        }
        Family::StudentT => vec![median, iqr / 1.349, 5.0],
        Family::Cauchy => vec![median, iqr / 2.0],
        Family::NegativeBinomial => {
            let p = if var > mean { (mean / var).clamp(1e-6, 0.999) } else { 0.999 };
            vec![(mean * p / (1.0 - p)).max(1e-3), p]
        }
        Family::Binomial { trials } => vec![(mean / *trials as f64).clamp(1e-6, 1.0 - 1e-6)],
        _ => match AnyUnivariate::fit_closed_form(&family.name(), x, None, &[]) {
            Ok(d) => d.named_params().into_iter().map(|p| p.1).collect(),
            Err(_) => vec![mean, var.sqrt().max(1e-6)],
        },
    }
}

/// The maximum-likelihood fit of a univariate family to `data`.
///
/// ```
/// use xent_objectives::Family;
/// use xent_fit::{FitOptions, fit_family};
/// let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1];
/// let r = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
/// assert!(r.gradient_norm < 1e-9 && r.std_errors.iter().all(|s| *s > 0.0));
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn fit_family(family: &Family, data: &[f64], opts: &FitOptions) -> Result<FitReport, FitFailure> {
    let names = family.param_names();
    let (param, fixed, k) = parametrise(family, opts)?;
    if data.is_empty() {
        return Err(FitFailure::Objective(ObjectiveError::EmptyData));
    }
    if let Some((i, &v)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(FitFailure::Objective(ObjectiveError::NonFinite { what: "observation", index: i, value: v }));
    }
    if data.len() < k {
        return Err(FitFailure::TooFewObservations { n: data.len(), parameters: k });
    }
    // Closed form, when nothing is fixed and one exists.
    if opts.fixed.is_empty() {
        match AnyUnivariate::fit_closed_form(&family.name(), data, None, &[]) {
            Ok(d) => {
                let theta: Vec<f64> = d.named_params().into_iter().map(|p| p.1).collect();
                return report(family, data, param, fixed, theta, FitMethod::ClosedForm, opts);
            }
            Err(xent_distributions::FitError::NoClosedForm { .. }) => {}
            Err(xent_distributions::FitError::OutOfSupport { index, .. }) => {
                return Err(out_of_support(family, data, index));
            }
            Err(xent_distributions::FitError::Degenerate { reason, .. }) => {
                return Err(FitFailure::NoFiniteMle { reason });
            }
            Err(e) => return Err(FitFailure::Distribution(e)),
        }
    }
    // Support: every observation must have a finite log-density under a
    // canonical member of the family (u = 0).
    let base = Parametrisation::new(family.transforms());
    let canonical = family.build(&base.forward(&vec![0.0; base.free_dim()])?)?;
    if let Some(i) = data.iter().position(|x| !canonical.ln_density(x).is_finite()) {
        return Err(out_of_support(family, data, i));
    }
    let mean = data.iter().sum::<f64>() / data.len() as f64;
    if data.iter().all(|x| *x == data[0])
        && !matches!(family, Family::Bernoulli | Family::Geometric | Family::Binomial { .. })
    {
        return Err(FitFailure::NoFiniteMle {
            reason: format!("all {} observations equal {mean}: zero variance", data.len()),
        });
    }
    let mut start = starting_values(family, data);
    for (name, v) in names.iter().zip(start.iter_mut()) {
        if let Some((_, f)) = opts.fixed.iter().find(|(n, _)| n == name) {
            *v = *f;
        }
    }
    let u0 = param.inverse(&start)?;
    let nll = Nll::with_parametrisation(family, data, param.clone())?;
    let (out, method) = second_order_then_lbfgs(&nll, Method::Newton, &u0, &u0, opts)?;
    let theta = param.forward(&out.x)?;
    let fm = FitMethod::Numerical {
        method: method_name(&method),
        termination: out.termination.clone(),
        iterations: out.iterations,
        evaluations: out.evaluations,
    };
    let rep = report(family, data, param, fixed, theta, fm, opts)?;
    if out.termination.converged() { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep) }) }
}

/// The failure for data the family cannot fit, `hint` the position of an
/// observation that was rejected: out of the support (counted), or inside
/// it with a non-finite log-density at the start.
fn out_of_support(family: &Family, data: &[f64], hint: usize) -> FitFailure {
    let support = family.support();
    let bad: Vec<(usize, f64)> = data.iter().copied().enumerate().filter(|(_, x)| !support.contains(*x)).collect();
    match bad.first() {
        Some(&(i, v)) => {
            FitFailure::OutOfSupport { family: family.name(), count: bad.len(), first_index: i, first_value: v }
        }
        None => FitFailure::NonFiniteStart {
            family: family.name(),
            index: hint.min(data.len().saturating_sub(1)),
            value: data.get(hint).copied().unwrap_or(f64::NAN),
        },
    }
}

/// Builds the report at natural parameters `theta`.
fn report(
    family: &Family,
    data: &[f64],
    param: Parametrisation,
    fixed: Vec<bool>,
    theta: Vec<f64>,
    method: FitMethod,
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    let nll = Nll::with_parametrisation(family, data, param.clone())?;
    let n = data.len();
    let k = fixed.iter().filter(|f| !**f).count();
    let k_all = theta.len();
    let log_likelihood = nll.model().build(&theta).map(|d| data.iter().map(|x| d.ln_density(x)).sum::<f64>())?;
    let mut se = vec![f64::NAN; k_all];
    let mut cov = DMatrix::from_element(k_all, k_all, f64::NAN);
    let mut robust: Option<Vec<f64>> = None;
    let mut gradient_norm = f64::NAN;
    // Estimates on the boundary of the domain have no unconstrained image.
    if let Ok(u) = param.inverse(&theta) {
        let (_, g) = nll.value_and_gradient(&u)?;
        gradient_norm = g.iter().fold(0.0, |m, v| m.max(v.abs()));
        let h = nll.hessian(&u)? * n as f64; // observed information in u
        let j = param.jacobian(&u)?; // ∂θ/∂u
        // The Laplace log-density is piecewise linear in the location: its
        // observed information is 0 almost surely, so the expected
        // information diag(n/b², n/b²) stands in (the usual asymptotic
        // result for the median and mean absolute deviation).
        let h = if *family == Family::Laplace && !fixed.iter().any(|f| *f) {
            let b = theta[1];
            j.transpose() * DMatrix::from_diagonal_element(2, 2, n as f64 / (b * b)) * &j
        } else {
            h
        };
        if let Some(inv) = invert(h) {
            let c = delta(&j, &inv);
            se = std_errors(&c, &fixed);
            cov = c;
            if opts.robust {
                robust = Some(std_errors(&delta(&j, &sandwich(&inv, &nll.scores(&u)?)), &fixed));
            }
        }
    }
    Ok(FitReport {
        model: family.name(),
        names: family.param_names(),
        estimates: theta,
        fixed,
        std_errors: se,
        covariance: cov,
        robust_std_errors: robust,
        log_likelihood,
        n,
        k,
        gradient_norm,
        method,
    })
}

/// The parametrisation of `family` with the known parameters of `opts`
/// fixed, which parameters are fixed, and how many are free.
pub(crate) fn parametrise(
    family: &Family,
    opts: &FitOptions,
) -> Result<(Parametrisation, Vec<bool>, usize), FitFailure> {
    let names = family.param_names();
    let mut param = Parametrisation::new(family.transforms());
    let mut fixed = vec![false; names.len()];
    for (name, value) in &opts.fixed {
        let i = names.iter().position(|n| n == name).ok_or(FitFailure::Objective(ObjectiveError::InvalidOption {
            name: "fixed",
            value: *value,
            reason: "no such parameter",
        }))?;
        param = param.fix(i, vec![*value])?;
        fixed[i] = true;
    }
    let k = fixed.iter().filter(|f| !**f).count();
    Ok((param, fixed, k))
}
