//! `xent regress`: conditional models on a CSV table.

use std::path::PathBuf;

use nalgebra::DMatrix;
use serde_json::{Map, Value, json};
use xent_distributions::special::{ln_norm_cdf, norm_quantile};
use xent_fit::{
    Covariance, FitFailure, FitOptions, FitReport, fit_conditional, fit_conditional_weighted, fit_linear,
    fit_linear_weighted, ols_std_errors, ols_std_errors_weighted,
};
use xent_objectives::conditional::EtaModel;
use xent_objectives::conditional::{Design, Logistic, PoissonLog, Softmax};

use crate::data::{Missing, Table};
use crate::error::CliError;
use crate::fit::{count, fmt, num};

/// The models of `xent regress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegressModel {
    /// Linear-Gaussian (least squares, OLS standard errors).
    Linear,
    /// Logistic (Bernoulli-logit), target 0/1.
    Logistic,
    /// Poisson with log link, target a count.
    Poisson,
    /// Softmax (multinomial logit) over the target's distinct values.
    Softmax,
}

/// `--std-errors`: which information the standard errors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StdErrors {
    /// The observed information (the Hessian of the NLL at the estimate).
    Observed,
    /// The expected (Fisher) information.
    Expected,
    /// The sandwich (robust, Huber–White) covariance.
    Sandwich,
    /// No standard errors: the Hessian is never formed.
    None,
}

impl StdErrors {
    fn covariance(self) -> Covariance {
        match self {
            StdErrors::Observed => Covariance::Observed,
            StdErrors::Expected => Covariance::Expected,
            StdErrors::Sandwich => Covariance::Sandwich,
            StdErrors::None => Covariance::None,
        }
    }
}

/// The arguments of `xent regress`.
#[derive(Debug, Clone)]
pub struct RegressArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The model.
    pub model: RegressModel,
    /// The target column.
    pub target: String,
    /// Feature columns (default: every other numeric column).
    pub features: Option<Vec<String>>,
    /// The column of frequency weights, if any.
    pub weights: Option<String>,
    /// What a missing value does.
    pub missing: Missing,
    /// No intercept column.
    pub no_intercept: bool,
    /// Where the standard errors come from.
    pub std_errors: StdErrors,
    /// JSON output.
    pub json: bool,
    /// The optimiser's iteration limit.
    pub max_iterations: usize,
}

/// One coefficient row.
struct Coef {
    class: Option<String>,
    name: String,
    estimate: f64,
    se: f64,
}

impl Coef {
    fn z(&self) -> f64 {
        self.estimate / self.se
    }
    /// Two-sided normal p-value `2 Φ(−|z|)`, in log space until the end.
    fn p(&self) -> f64 {
        (std::f64::consts::LN_2 + ln_norm_cdf(-self.z().abs())).exp()
    }
}

/// The fitted regression, ready to print.
struct Fitted {
    model: &'static str,
    report: FitReport,
    coefs: Vec<Coef>,
    reference: Option<String>,
    sigma: Option<f64>,
}

/// Runs `xent regress`; returns the text to print on stdout.
pub fn run(args: &RegressArgs) -> Result<String, CliError> {
    run_model(args).map_err(|e| match e {
        // The library names its option; the user needs ours.
        CliError::Fit(FitFailure::CovarianceUnavailable { model, covariance, reason }) => CliError::Data(format!(
            "{covariance} standard errors are not available for {model} ({}); rerun with --std-errors none",
            reason.split(';').next().unwrap_or(reason).trim()
        )),
        other => other,
    })
}

fn run_model(args: &RegressArgs) -> Result<String, CliError> {
    let mut table = Table::read(&args.file)?;
    let t = table.index(&args.target)?;
    let wc = args.weights.as_deref().map(|name| table.index(name)).transpose()?;
    if wc == Some(t) {
        return Err(CliError::Usage(format!("--weights {}: that is the target column", args.target)));
    }
    let features: Vec<usize> = match &args.features {
        Some(names) => names.iter().map(|n| table.index(n.trim())).collect::<Result<_, _>>()?,
        None => {
            // Columns left out of the default feature set are named, never
            // dropped in silence.
            let left: Vec<&str> = (0..table.headers().len())
                .filter(|&j| j != t && Some(j) != wc && !table.is_numeric(j))
                .map(|j| table.headers()[j].as_str())
                .collect();
            if !left.is_empty() {
                eprintln!(
                    "note: left out of the features (not every cell is a finite number): {}; name features with --features",
                    left.join(", ")
                );
            }
            (0..table.headers().len()).filter(|&j| j != t && Some(j) != wc && table.is_numeric(j)).collect()
        }
    };
    if let Some(j) = wc.filter(|j| features.contains(j)) {
        return Err(CliError::Usage(format!("the weights `{}` cannot also be a feature", table.headers()[j])));
    }
    if features.contains(&t) {
        return Err(CliError::Usage(format!("the target `{}` cannot also be a feature", args.target)));
    }
    if features.is_empty() && args.no_intercept {
        return Err(CliError::Usage("no features and no intercept: nothing to fit".into()));
    }
    // Missing values in the columns used, then rows of weight 0, leave
    // the table before anything else is read.
    let used: Vec<usize> = std::iter::once(t).chain(features.iter().copied()).chain(wc).collect();
    let dropped = match args.missing {
        Missing::Drop => table.drop_missing(&used),
        Missing::Error => Default::default(),
    };
    if table.rows() == 0 {
        return Err(CliError::Data(format!(
            "every row of {} has a missing value in the columns used; nothing is left to fit",
            args.file.display()
        )));
    }
    let weights = match wc {
        Some(j) => {
            let w = table.weights(j)?;
            table.retain_rows(|i| w[i] > 0.0);
            Some(w.into_iter().filter(|w| *w > 0.0).collect::<Vec<f64>>())
        }
        None => None,
    };
    let y = table.numeric(t)?;
    let columns: Vec<Vec<f64>> = features.iter().map(|&j| table.numeric(j)).collect::<Result<_, _>>()?;
    let x = DMatrix::from_fn(table.rows(), features.len(), |i, j| columns[j][i]);
    let design = Design::new(&x, !args.no_intercept)
        .and_then(|d| d.with_names(features.iter().map(|&j| table.headers()[j].clone()).collect()))
        .map_err(xent_fit::FitFailure::from)?;
    let mut names: Vec<String> = Vec::new();
    if !args.no_intercept {
        names.push("intercept".into());
    }
    names.extend(features.iter().map(|&j| table.headers()[j].clone()));
    let mut opts = crate::fit::options(Vec::new(), args.max_iterations);
    opts.covariance = args.std_errors.covariance();
    let row_error = |i: usize, what: &str| CliError::Data(format!("line {}: target `{}` {what}", table.line(i), y[i]));
    let fitted = match args.model {
        RegressModel::Linear => {
            let report = match &weights {
                Some(w) => fit_linear_weighted(&design, &y, w, &opts)?,
                None => fit_linear(&design, &y, &opts)?,
            };
            // OLS errors (RSS/(n − p)) where the observed information is
            // asked for, as statsmodels prints; otherwise the fit's own.
            let se = match (args.std_errors, &weights) {
                (StdErrors::Observed, Some(w)) => ols_std_errors_weighted(&design, &y, w)?,
                (StdErrors::Observed, None) => ols_std_errors(&design, &y)?,
                _ => report.std_errors[..names.len()].to_vec(),
            };
            let coefs = names
                .iter()
                .enumerate()
                .map(|(i, n)| Coef { class: None, name: n.clone(), estimate: report.estimates[i], se: se[i] })
                .collect();
            let sigma = report.estimate("sigma");
            Fitted { model: "linear", report, coefs, reference: None, sigma }
        }
        RegressModel::Logistic => {
            if let Some(i) = y.iter().position(|v| *v != 0.0 && *v != 1.0) {
                return Err(row_error(i, "is not 0 or 1 (logistic regression needs a binary target)"));
            }
            let report = regress(Logistic, &design, &y, weights.as_deref(), &opts)?;
            Fitted { model: "logistic", coefs: plain(&names, &report), report, reference: None, sigma: None }
        }
        RegressModel::Poisson => {
            if let Some(i) = y.iter().position(|v| *v < 0.0 || v.fract() != 0.0) {
                return Err(row_error(i, "is not a count (Poisson regression needs non-negative integers)"));
            }
            let report = regress(PoissonLog, &design, &y, weights.as_deref(), &opts)?;
            Fitted { model: "poisson", coefs: plain(&names, &report), report, reference: None, sigma: None }
        }
        RegressModel::Softmax => {
            let mut labels = y.clone();
            labels.sort_by(f64::total_cmp);
            labels.dedup();
            if labels.len() < 2 {
                return Err(CliError::Data(format!("the target `{}` has a single class", args.target)));
            }
            let index: Vec<f64> = y.iter().map(|v| labels.partition_point(|l| l < v) as f64).collect();
            let model = Softmax::new(labels.len()).map_err(xent_fit::FitFailure::from)?;
            let report = regress(model, &design, &index, weights.as_deref(), &opts)?;
            let label = |v: f64| format!("{v}");
            let p = names.len();
            let mut coefs = Vec::new();
            for k in 1..labels.len() {
                for (i, n) in names.iter().enumerate() {
                    let at = (k - 1) * p + i;
                    coefs.push(Coef {
                        class: Some(label(labels[k])),
                        name: n.clone(),
                        estimate: report.estimates[at],
                        se: report.std_errors[at],
                    });
                }
            }
            Fitted { model: "softmax", coefs, reference: Some(label(labels[0])), report, sigma: None }
        }
    };
    Ok(if args.json {
        let mut v = json_of(&fitted);
        if args.missing == Missing::Drop {
            v["dropped"] = dropped.json();
        }
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
    } else {
        text_of(&fitted, args) + &dropped.note().map_or(String::new(), |n| format!("{n}\n"))
    })
}

/// The fit of a conditional model, with its frequency weights if any.
fn regress<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    match weights {
        Some(w) => fit_conditional_weighted(model, design, y, w, opts),
        None => fit_conditional(model, design, y, opts),
    }
}

fn plain(names: &[String], r: &FitReport) -> Vec<Coef> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| Coef { class: None, name: n.clone(), estimate: r.estimates[i], se: r.std_errors[i] })
        .collect()
}

fn termination(r: &FitReport) -> (String, bool) {
    match &r.method {
        xent_fit::FitMethod::Numerical { termination, method, iterations, .. } => {
            (format!("{termination} ({method}, {iterations} iterations)"), termination.converged())
        }
        _ => ("least squares (QR)".into(), true),
    }
}

fn json_of(f: &Fitted) -> Value {
    let (mut coef, mut se) = (Map::new(), Map::new());
    for c in &f.coefs {
        let (cm, sm) = match &c.class {
            Some(k) => (
                coef.entry(k.clone()).or_insert_with(|| Value::Object(Map::new())).as_object_mut(),
                se.entry(k.clone()).or_insert_with(|| Value::Object(Map::new())).as_object_mut(),
            ),
            None => (Some(&mut coef), Some(&mut se)),
        };
        if let (Some(cm), Some(sm)) = (cm, sm) {
            cm.insert(c.name.clone(), num(c.estimate));
            sm.insert(c.name.clone(), num(c.se));
        }
    }
    let (term, converged) = termination(&f.report);
    let mut v = json!({
        "model": f.model,
        "n": count(f.report.n),
        "coefficients": coef,
        "std_errors": se,
        "log_likelihood": num(f.report.log_likelihood),
        "aic": num(f.report.aic()),
        "bic": num(f.report.bic()),
        "converged": converged,
        "termination": term,
    });
    if let Some(r) = &f.reference {
        v["reference_class"] = json!(r);
    }
    if let Some(s) = f.sigma {
        v["sigma"] = num(s);
    }
    v
}

fn text_of(f: &Fitted, args: &RegressArgs) -> String {
    let mut out =
        format!("{} regression of `{}` on {}, n = {}\n", f.model, args.target, args.file.display(), f.report.n);
    if let Some(r) = &f.reference {
        out += &format!("coefficients of each class against the reference class {r}\n");
    }
    let z = norm_quantile(0.975);
    out += &format!(
        "\n{:<8}{:<16} {:>14} {:>14} {:>10} {:>10}   {}\n",
        if f.reference.is_some() { "class" } else { "" },
        "coefficient",
        "estimate",
        "std. error",
        "z",
        "P>|z|",
        "95% interval"
    );
    for c in &f.coefs {
        // Without a standard error, z and p are not numbers either: dashes.
        let (zc, pc) = if c.se.is_finite() {
            (format!("{:.3}", c.z()), format!("{:.3e}", c.p()))
        } else {
            ("—".to_string(), "—".to_string())
        };
        out += &format!(
            "{:<8}{:<16} {:>14} {:>14} {:>10} {:>10}   [{}, {}]\n",
            c.class.as_deref().unwrap_or(""),
            c.name,
            fmt(c.estimate),
            fmt(c.se),
            zc,
            pc,
            fmt(c.estimate - z * c.se),
            fmt(c.estimate + z * c.se)
        );
    }
    if let Some(s) = f.sigma {
        let note = match args.std_errors {
            StdErrors::Observed => "  (standard errors above use RSS/(n − p), as OLS does)",
            StdErrors::None => "",
            _ => "  (standard errors above use σ̂, the MLE)",
        };
        out += &format!("\nσ (MLE)        {s:>16.6}{note}\n");
    }
    let (term, _) = termination(&f.report);
    out += &format!(
        "\nlog-likelihood {:>16.6}\nAIC            {:>16.6}\nBIC            {:>16.6}\nn              {:>16}\ntermination    {term}\n",
        f.report.log_likelihood,
        f.report.aic(),
        f.report.bic(),
        f.report.n
    );
    out
}
