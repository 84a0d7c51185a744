//! Fits from sufficient statistics — the streaming path: one pass gathers a
//! [`Summary`], then the fit costs O(1) memory whatever `n` is.

use nalgebra::DMatrix;
use xent_objectives::{Model, ObjectiveError, SufficientNll, Summary};
use xent_optim::Method;

use crate::error::FitFailure;
use crate::information::{delta, invert, std_errors};
use crate::options::FitOptions;
use crate::problem::{method_name, second_order_then_lbfgs};
use crate::report::{FitMethod, FitReport};
use crate::unconditional::parametrise;

/// Closed-form estimates from the statistics, or — for gamma and beta,
/// whose MLE solves a digamma equation — the standard approximations from
/// the same statistics, used as Newton's start. `Err` names degenerate data.
fn summary_start(summary: &Summary) -> Result<(Vec<f64>, bool), FitFailure> {
    use xent_distributions::ClosedFormMle;
    use xent_distributions::families::{
        bernoulli::Bernoulli, exponential::Exponential, geometric::Geometric, inverse_gaussian::InverseGaussian,
        log_normal::LogNormal, normal::Normal, poisson::Poisson, rayleigh::Rayleigh,
    };
    fn closed<D: xent_distributions::Family>(
        r: Result<D, xent_distributions::FitError>,
    ) -> Result<Vec<f64>, FitFailure> {
        match r {
            Ok(d) => Ok(d.named_params().into_iter().map(|p| p.1).collect()),
            Err(xent_distributions::FitError::Degenerate { reason, .. }) => Err(FitFailure::NoFiniteMle { reason }),
            Err(e) => Err(FitFailure::Distribution(e)),
        }
    }
    let n = summary.n();
    Ok(match summary {
        Summary::Normal(s) => (closed(Normal::mle(s))?, true),
        Summary::LogNormal(s) => (closed(LogNormal::mle(s))?, true),
        Summary::Exponential(s) => (closed(Exponential::mle(s))?, true),
        Summary::Poisson(s) => (closed(Poisson::mle(s))?, true),
        Summary::Bernoulli(s) => (closed(Bernoulli::mle(s))?, true),
        Summary::Geometric(s) => (closed(Geometric::mle(s))?, true),
        Summary::Rayleigh(s) => (closed(Rayleigh::mle(s))?, true),
        Summary::InverseGaussian(s) => (closed(InverseGaussian::mle(s))?, true),
        Summary::Gamma(s) => {
            // Minka's approximation from s = ln x̄ − mean(ln x) ≥ 0 (Jensen),
            // which is 0 exactly when every observation is equal.
            let mean = s.sum(0) / n;
            let gap = mean.ln() - s.sum(1) / n;
            if !(gap > 4.0 * f64::EPSILON * mean.ln().abs().max(1.0)) {
                return Err(FitFailure::NoFiniteMle {
                    reason: format!("all {n} observations are (numerically) equal: zero variance"),
                });
            }
            let shape = (3.0 - gap + ((gap - 3.0).powi(2) + 24.0 * gap).sqrt()) / (12.0 * gap);
            (vec![shape, shape / mean], false)
        }
        Summary::Beta(s) => {
            // The geometric-mean approximation α ≈ ½ + G₀/(2(1 − G₀ − G₁)).
            let (g0, g1) = ((s.sum(0) / n).exp(), (s.sum(1) / n).exp());
            let d = 1.0 - g0 - g1;
            if !(d > 4.0 * f64::EPSILON) {
                return Err(FitFailure::NoFiniteMle {
                    reason: format!("all {n} observations are (numerically) equal: zero variance"),
                });
            }
            (vec![0.5 + g0 / (2.0 * d), 0.5 + g1 / (2.0 * d)], false)
        }
        other => {
            return Err(FitFailure::Objective(ObjectiveError::NoSufficientStatistics { model: other.family().name() }));
        }
    })
}

/// The maximum-likelihood fit of an exponential family from its sufficient
/// statistics — the streaming path: gather a [`Summary`] with
/// [`Summary::push`] while reading the data once, then fit in O(1) memory.
/// The closed form where one exists; otherwise Newton on the statistics.
/// Standard errors come from the observed information as in [`fit_family`](crate::fit_family);
/// sandwich errors need per-observation scores and are not available here.
///
/// ```
/// use xent_objectives::{Family, Summary};
/// use xent_fit::{FitOptions, fit_family, fit_summary};
/// let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1];
/// let mut s = Summary::empty(&Family::Gamma)?;
/// for x in data {
///     s.push(x);
/// }
/// let streamed = fit_summary(&s, &FitOptions::default())?;
/// let in_memory = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
/// assert!((streamed.estimates[0] - in_memory.estimates[0]).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_summary(summary: &Summary, opts: &FitOptions) -> Result<FitReport, FitFailure> {
    summary.check()?;
    let family = summary.family();
    let (param, fixed, k) = parametrise(&family, opts)?;
    let n = summary.n();
    if n < k as f64 {
        return Err(FitFailure::TooFewObservations { n: n as usize, parameters: k });
    }
    let (mut start, closed) = summary_start(summary)?;
    for (name, v) in family.param_names().iter().zip(start.iter_mut()) {
        if let Some((_, f)) = opts.fixed.iter().find(|(m, _)| m == name) {
            *v = *f;
        }
    }
    let nll = SufficientNll::from_summary(summary.clone(), param.clone())?;
    let (theta, method, converged) = if closed && opts.fixed.is_empty() {
        (start, FitMethod::ClosedForm, true)
    } else {
        let u0 = param.inverse(&start)?;
        let (out, method) = second_order_then_lbfgs(&nll, Method::Newton, &u0, &u0, opts)?;
        let converged = out.termination.converged();
        let fm = FitMethod::Numerical {
            method: method_name(&method),
            termination: out.termination.clone(),
            iterations: out.iterations,
            evaluations: out.evaluations,
        };
        (param.forward(&out.x)?, fm, converged)
    };
    let k_all = theta.len();
    let (mut se, mut cov, mut gradient_norm) =
        (vec![f64::NAN; k_all], DMatrix::from_element(k_all, k_all, f64::NAN), f64::NAN);
    if let Ok(u) = param.inverse(&theta) {
        gradient_norm = nll.gradient(&u)?.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        let h = nll.hessian(&u)? * n;
        let j = param.jacobian(&u)?;
        if let Some(inv) = invert(h) {
            let c = delta(&j, &inv);
            se = std_errors(&c, &fixed);
            cov = c;
        }
    }
    let rep = FitReport {
        model: family.name(),
        names: family.param_names(),
        log_likelihood: summary.log_likelihood(&theta),
        estimates: theta,
        fixed,
        std_errors: se,
        covariance: cov,
        robust_std_errors: None,
        n: n as usize,
        k,
        gradient_norm,
        method,
    };
    if converged { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep) }) }
}
