//! Unconditional fits: a univariate family on a sample — the closed form
//! where one exists, else the family's starting values and Newton (falling
//! back to L-BFGS) on the unconstrained parameters — and any [`Model`] from
//! a start the caller gives.

use xent_distributions::{AnyUnivariate, LogDensity, Named as _};
use xent_objectives::{Family, Model, Nll, ObjectiveError, Parametrisation};
use xent_optim::Method;

use crate::error::FitFailure;
use crate::information::{Sources, covariance};
use crate::options::FitOptions;
use crate::problem::{method_name, newton_confirmed, second_order_then_lbfgs};
use crate::report::{FitMethod, FitReport};
use crate::standardise::{Standardised, relocate};

/// The maximum-likelihood fit of a univariate family to `data`, with the
/// fitted distribution in the report.
///
/// ```
/// use xent_distributions::Univariate;
/// use xent_objectives::Family;
/// use xent_fit::{FitOptions, fit_family};
/// let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1];
/// let r = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
/// assert!(r.gradient_norm < 1e-9 && r.std_errors.iter().all(|s| *s > 0.0));
/// // The fitted distribution is a typed value: its mean is the sample mean.
/// assert!((r.distribution.mean().unwrap() - 1.675).abs() < 1e-9);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn fit_family(family: &Family, data: &[f64], opts: &FitOptions) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    let (_, _, k) = parametrise(family, opts)?;
    check_sample(data, k)?;
    fit_sample(family, data, None, opts)
}

/// [`fit_family`] with frequency weights: observation `i` counts `wᵢ`
/// times (finite, `≥ 0`, not all 0; a weight of 0 is no observation, and
/// its value is not looked at). The estimate, standard errors,
/// log-likelihood, AIC and BIC are those of the data set in which each
/// observation is repeated `wᵢ` times, with `n = Σ wᵢ` (as statsmodels'
/// `freq_weights`); fractional weights are allowed and mean the same
/// proportions.
///
/// ```
/// use xent_objectives::Family;
/// use xent_fit::{FitOptions, fit_family, fit_family_weighted};
/// // A frequency table: 0 claims 120 times, 1 claim 45 times, 2 claims 9 times …
/// let claims = [0.0, 1.0, 2.0, 3.0, 4.0];
/// let count = [120.0, 45.0, 9.0, 3.0, 0.0];
/// let r = fit_family_weighted(&Family::Poisson, &claims, &count, &FitOptions::default())?;
/// assert_eq!(r.n, 177.0);
/// assert!((r.estimates[0] - 72.0 / 177.0).abs() < 1e-15);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn fit_family_weighted(
    family: &Family,
    data: &[f64],
    weights: &[f64],
    opts: &FitOptions,
) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    let (_, _, k) = parametrise(family, opts)?;
    let (x, w, kept) = positive_weights(data, weights, k)?;
    fit_sample(family, &x, Some(&w), opts).map_err(|e| reindex(e, &kept, data))
}

/// The rows of positive weight (the data and weights checked, errors
/// naming the caller's rows) and their indices in the caller's data.
fn positive_weights(data: &[f64], weights: &[f64], k: usize) -> Result<(Vec<f64>, Vec<f64>, Vec<usize>), FitFailure> {
    if data.is_empty() {
        return Err(FitFailure::Objective(ObjectiveError::EmptyData));
    }
    let total = xent_objectives::check_weights(weights, data.len())?;
    let kept: Vec<usize> = (0..data.len()).filter(|&i| weights[i] > 0.0).collect();
    if let Some(&i) = kept.iter().find(|&&i| !data[i].is_finite()) {
        return Err(FitFailure::Objective(ObjectiveError::NonFinite { what: "observation", index: i, value: data[i] }));
    }
    if total < k as f64 {
        return Err(FitFailure::TooFewObservations { n: total, parameters: k });
    }
    Ok((kept.iter().map(|&i| data[i]).collect(), kept.iter().map(|&i| weights[i]).collect(), kept))
}

/// A failure on the rows of positive weight, with the observation it names
/// given by its index and value in the caller's data.
fn reindex(e: FitFailure, kept: &[usize], data: &[f64]) -> FitFailure {
    let at = |i: usize| kept.get(i).copied().unwrap_or(i);
    let e = match e {
        FitFailure::OutOfSupport { family, count, first_index, first_value } => {
            FitFailure::OutOfSupport { family, count, first_index: at(first_index), first_value }
        }
        FitFailure::NonFiniteStart { family, index, value } => {
            FitFailure::NonFiniteStart { family, index: at(index), value }
        }
        FitFailure::Objective(ObjectiveError::NonFinite { what, index, value }) => {
            FitFailure::Objective(ObjectiveError::NonFinite { what, index: at(index), value })
        }
        other => other,
    };
    relocate(e, data)
}

/// `Σ wᵢ ln q(xᵢ)` over the rows of positive weight (`wᵢ = 1` unweighted).
pub(crate) fn weighted_log_likelihood<D: LogDensity<f64, Obs = O>, O>(
    dist: &D,
    data: &[O],
    weights: Option<&[f64]>,
) -> f64 {
    match weights {
        None => data.iter().map(|x| dist.ln_density(x)).sum(),
        Some(w) => data.iter().zip(w).filter(|(_, w)| **w != 0.0).map(|(x, w)| w * dist.ln_density(x)).sum(),
    }
}

/// The fit of a checked sample (weights, if any, positive).
fn fit_sample(
    family: &Family,
    data: &[f64],
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    // Closed form, when nothing is fixed and one exists: on the data
    // rescaled by a power of two (exact, so the estimate is the one of the
    // data themselves, without over- or underflow in its sums).
    if opts.fixed.is_empty() {
        let scaled = Standardised::choose(family, data, false);
        let z = scaled.as_ref().and_then(|st| st.apply(data));
        let result = match (&scaled, &z) {
            (Some(st), Some(z)) => {
                closed_form(family, z, weights, data, opts).map(|r| r.and_then(|r| st.report(family, r, data, weights)))
            }
            _ => closed_form(family, data, weights, data, opts),
        };
        if let Some(r) = result {
            return r;
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
    // Numerically: on data centred and scaled to spread ~1, where the
    // optimiser's tolerances and steps mean the same whatever the units.
    if let Some((st, z)) = Standardised::choose(family, data, true).and_then(|st| st.apply(data).map(|z| (st, z))) {
        let zopts = st.options(family, opts);
        let (param, fixed, _) = parametrise(family, &zopts)?;
        return match numerical(family, &z, weights, param, fixed, family.starting_values(&z), &zopts) {
            Ok(r) => st.report(family, r, data, weights),
            Err(e) => Err(st.failure(e, data)),
        };
    }
    let (param, fixed, _) = parametrise(family, opts)?;
    numerical(family, data, weights, param, fixed, family.starting_values(data), opts).map_err(|e| relocate(e, data))
}

/// The closed-form fit of `family` to `fit_data` (the data, or the data
/// rescaled), `None` if the family has none; errors name observations of
/// `original`.
fn closed_form(
    family: &Family,
    fit_data: &[f64],
    weights: Option<&[f64]>,
    original: &[f64],
    opts: &FitOptions,
) -> Option<Result<FitReport<AnyUnivariate>, FitFailure>> {
    // The binomial's known trials are a structural setting, not a parameter.
    let (name, structural) = match family {
        Family::Binomial { trials } => ("binomial".to_string(), vec![("trials", *trials as f64)]),
        other => (other.name(), Vec::new()),
    };
    Some(match AnyUnivariate::fit_closed_form(&name, fit_data, weights, &structural) {
        Ok(d) => {
            // The model's parameters by name (the binomial's trials are not one).
            let named = d.named_params();
            let theta: Vec<f64> =
                family.param_names().iter().filter_map(|n| named.iter().find(|(m, _)| m == n).map(|p| p.1)).collect();
            parametrise(family, opts).and_then(|(param, fixed, _)| {
                report(family, fit_data, weights, param, fixed, theta, FitMethod::ClosedForm, opts)
            })
        }
        Err(xent_distributions::FitError::NoClosedForm { .. }) => return None,
        Err(xent_distributions::FitError::OutOfSupport { index, .. }) => Err(out_of_support(family, original, index)),
        Err(xent_distributions::FitError::Degenerate { reason, .. }) => Err(FitFailure::NoFiniteMle { reason }),
        Err(e) => Err(FitFailure::Distribution(e)),
    })
}

/// The maximum-likelihood fit of any [`Model`] — the multivariate normal,
/// the Dirichlet, your own — from natural parameters `start`, with
/// standard errors from the information of [`FitOptions::covariance`] and
/// the fitted distribution in the report. Known parameters in
/// `opts.fixed` are held fixed (for models whose parameters are scalar
/// blocks). Newton, falling back to L-BFGS; a run that does not converge
/// is [`FitFailure::NotConverged`] with its partial report.
///
/// ```
/// use nalgebra::DVector;
/// use rand::SeedableRng;
/// use rand_distr::Distribution;
/// use xent_distributions::Dirichlet;
/// use xent_objectives::DirichletModel;
/// use xent_fit::{FitOptions, fit_model};
/// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
/// let truth = Dirichlet::new(vec![2.0, 3.0, 5.0])?;
/// let data: Vec<DVector<f64>> = (0..200).map(|_| truth.sample(&mut rng)).collect();
/// let r = fit_model(&DirichletModel { k: 3 }, &data, &[1.0, 1.0, 1.0], &FitOptions::default())?;
/// assert!(r.gradient_norm < 1e-9);
/// assert!(r.std_errors.iter().all(|s| s.is_finite() && *s > 0.0));
/// assert_eq!(r.names, ["alpha[0]", "alpha[1]", "alpha[2]"]);
/// // Each concentration within three standard errors of the truth.
/// for (i, a) in [2.0, 3.0, 5.0].iter().enumerate() {
///     assert!((r.estimates[i] - a).abs() < 3.0 * r.std_errors[i]);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_model<M: Model>(
    model: &M,
    data: &[M::Obs],
    start: &[f64],
    opts: &FitOptions,
) -> Result<FitReport<M::Dist<f64>>, FitFailure> {
    fit_model_with(model, data, None, start, opts)
}

/// [`fit_model`] with frequency weights: observation `i` counts `wᵢ` times
/// (finite, `≥ 0`, not all 0; a weight of 0 is no observation), `n = Σ wᵢ`.
///
/// ```
/// use nalgebra::DVector;
/// use xent_objectives::DirichletModel;
/// use xent_fit::{FitOptions, fit_model, fit_model_weighted};
/// let rows = [[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.4, 0.4, 0.2], [0.3, 0.2, 0.5]];
/// let data: Vec<DVector<f64>> = rows.iter().map(|r| DVector::from_row_slice(r)).collect();
/// let w = [2.0, 1.0, 3.0, 1.0];
/// let expanded: Vec<DVector<f64>> =
///     data.iter().zip(w).flat_map(|(x, w)| std::iter::repeat_n(x.clone(), w as usize)).collect();
/// let (m, o) = (DirichletModel { k: 3 }, FitOptions::default());
/// let a = fit_model_weighted(&m, &data, &w, &[1.0, 1.0, 1.0], &o)?;
/// let b = fit_model(&m, &expanded, &[1.0, 1.0, 1.0], &o)?;
/// assert!((a.estimates[0] - b.estimates[0]).abs() < 1e-9 && a.n == 7.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_model_weighted<M: Model>(
    model: &M,
    data: &[M::Obs],
    weights: &[f64],
    start: &[f64],
    opts: &FitOptions,
) -> Result<FitReport<M::Dist<f64>>, FitFailure> {
    fit_model_with(model, data, Some(weights), start, opts)
}

/// [`fit_model`] with frequency weights, if any: the checks, then Newton.
pub(crate) fn fit_model_with<M: Model>(
    model: &M,
    data: &[M::Obs],
    weights: Option<&[f64]>,
    start: &[f64],
    opts: &FitOptions,
) -> Result<FitReport<M::Dist<f64>>, FitFailure> {
    let (param, fixed, k) = parametrise(model, opts)?;
    if data.is_empty() {
        return Err(FitFailure::Objective(ObjectiveError::EmptyData));
    }
    let n = match weights {
        Some(w) => xent_objectives::check_weights(w, data.len())?,
        None => data.len() as f64,
    };
    if n < k as f64 {
        return Err(FitFailure::TooFewObservations { n, parameters: k });
    }
    let want = fixed.len();
    if start.len() != want {
        return Err(ObjectiveError::Dimension { what: "start", expected: want, found: start.len() }.into());
    }
    numerical(model, data, weights, param, fixed, start.to_vec(), opts)
}

/// No data, non-finite data, or fewer observations than free parameters.
fn check_sample(data: &[f64], k: usize) -> Result<(), FitFailure> {
    if data.is_empty() {
        return Err(FitFailure::Objective(ObjectiveError::EmptyData));
    }
    if let Some((i, &v)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(FitFailure::Objective(ObjectiveError::NonFinite { what: "observation", index: i, value: v }));
    }
    if data.len() < k {
        return Err(FitFailure::TooFewObservations { n: data.len() as f64, parameters: k });
    }
    Ok(())
}

/// Newton (then L-BFGS) from natural parameters `start`, the fixed values
/// of `opts` put in place, and the report at the answer.
fn numerical<M: Model>(
    model: &M,
    data: &[M::Obs],
    weights: Option<&[f64]>,
    param: Parametrisation,
    fixed: Vec<bool>,
    mut start: Vec<f64>,
    opts: &FitOptions,
) -> Result<FitReport<M::Dist<f64>>, FitFailure> {
    let names = model.param_names();
    for (name, v) in names.iter().zip(start.iter_mut()) {
        if let Some((_, f)) = opts.fixed.iter().find(|(n, _)| n == name) {
            *v = *f;
        }
    }
    let u0 = param.inverse(&start)?;
    let nll = weighted_nll(model, data, weights, param.clone())?;
    let (mut out, method) = second_order_then_lbfgs(&nll, Method::Newton, &u0, &u0, opts)?;
    if out.termination.converged() {
        let free: Vec<String> = names.iter().zip(&fixed).filter(|(_, f)| !**f).map(|(n, _)| n.clone()).collect();
        if let Some(polished) = newton_confirmed(&nll, &free, &out.x)? {
            out.x = polished;
        }
    }
    let theta = param.forward(&out.x)?;
    let fm = FitMethod::Numerical {
        method: method_name(&method),
        termination: out.termination.clone(),
        iterations: out.iterations,
        evaluations: out.evaluations,
    };
    let rep = report(model, data, weights, param, fixed, theta, fm, opts)?;
    if out.termination.converged() {
        Ok(rep)
    } else {
        Err(FitFailure::NotConverged { report: Box::new(rep.without_distribution()) })
    }
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
#[allow(clippy::too_many_arguments)]
fn report<M: Model>(
    model: &M,
    data: &[M::Obs],
    weights: Option<&[f64]>,
    param: Parametrisation,
    fixed: Vec<bool>,
    theta: Vec<f64>,
    method: FitMethod,
    opts: &FitOptions,
) -> Result<FitReport<M::Dist<f64>>, FitFailure> {
    let nll = weighted_nll(model, data, weights, param.clone())?;
    let n = nll.total_weight();
    let k = fixed.iter().filter(|f| !**f).count();
    let distribution = model.build(&theta)?;
    let log_likelihood = weighted_log_likelihood(&distribution, data, weights);
    let k_all = theta.len();
    let mut gradient_norm = f64::NAN;
    let mut cov = nalgebra::DMatrix::from_element(k_all, k_all, f64::NAN);
    let mut se = vec![f64::NAN; k_all];
    let mut information = opts.covariance;
    // Estimates on the boundary of the domain have no unconstrained image.
    if let Ok(u) = param.inverse(&theta) {
        let (_, g) = nll.value_and_gradient(&u)?;
        gradient_norm = g.iter().fold(0.0, |m, v| m.max(v.abs()));
        let j = param.jacobian(&u)?; // ∂θ/∂u
        let c = covariance(
            opts.covariance,
            &model.name(),
            &j,
            &fixed,
            Sources {
                observed: || Ok(nll.hessian(&u)? * n),
                expected: || model.expected_information(&theta).map(|i| j.transpose() * (i * n) * &j),
                // Σ wᵢ sᵢsᵢᵀ, the meat of the expanded data: rows by √wᵢ.
                scores: || {
                    let mut s = nll.scores(&u)?;
                    if let Some(w) = weights {
                        for (mut row, w) in s.row_iter_mut().zip(w) {
                            row *= w.sqrt();
                        }
                    }
                    Ok(Some(s))
                },
            },
        )?;
        (cov, se, information) = (c.covariance, c.std_errors, c.used);
    }
    Ok(FitReport {
        model: model.name(),
        names: model.param_names(),
        estimates: theta,
        fixed,
        std_errors: se,
        covariance: cov,
        information,
        distribution,
        log_likelihood,
        n,
        k,
        gradient_norm,
        method,
    })
}

/// The NLL of `model` on `data` with its weights, if any.
fn weighted_nll<'a, M: Model>(
    model: &'a M,
    data: &'a [M::Obs],
    weights: Option<&'a [f64]>,
    param: Parametrisation,
) -> Result<Nll<'a, M>, FitFailure> {
    let nll = Nll::with_parametrisation(model, data, param)?;
    Ok(match weights {
        Some(w) => nll.with_weights(w)?,
        None => nll,
    })
}

/// The parametrisation of `model` with the known parameters of `opts`
/// fixed, which parameters are fixed, and how many are free. Fixing needs
/// one scalar block per parameter name.
pub(crate) fn parametrise<M: Model>(
    model: &M,
    opts: &FitOptions,
) -> Result<(Parametrisation, Vec<bool>, usize), FitFailure> {
    let names = model.param_names();
    let transforms = model.transforms();
    let scalar_blocks = transforms.len() == names.len();
    let mut param = Parametrisation::new(transforms);
    let mut fixed = vec![false; names.len()];
    for (name, value) in &opts.fixed {
        let i = names.iter().position(|n| n == name).filter(|_| scalar_blocks).ok_or(FitFailure::Objective(
            ObjectiveError::InvalidOption {
                name: "fixed",
                value: *value,
                reason: if scalar_blocks {
                    "no such parameter"
                } else {
                    "the model's parameters are not scalar blocks"
                },
            },
        ))?;
        param = param.fix(i, vec![*value])?;
        fixed[i] = true;
    }
    let k = fixed.iter().filter(|f| !**f).count();
    Ok((param, fixed, k))
}
