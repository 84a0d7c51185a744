//! `xent regress`: conditional models on a CSV table.

use std::path::PathBuf;

use nalgebra::DMatrix;
use serde_json::{Map, Value, json};
use xent_distributions::special::{ln_norm_cdf, norm_quantile};
use xent_fit::{
    Covariance, FitFailure, FitOptions, FitReport, GlmData, LrTest, fit_binomial_counts, fit_glm, fit_linear,
    fit_linear_weighted, indicators, levels_of, lr_test, ols_std_errors, ols_std_errors_weighted,
    profile_intervals_glm,
};
use xent_objectives::conditional::{
    BinomialLogit, Design, GammaLog, LinearGaussian, Logistic, NegativeBinomialLog, PoissonLog, Softmax,
};

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
    /// Gamma with log link, target positive; also reports the shape k (MLE).
    Gamma,
    /// Negative binomial (NB2: variance μ + αμ²) with log link, target a
    /// count; also reports α (MLE).
    Negbin,
    /// Binomial with logit link: the target is the successes out of the
    /// --trials column.
    Binomial,
}

impl RegressModel {
    fn log_link(self) -> bool {
        matches!(self, RegressModel::Poisson | RegressModel::Gamma | RegressModel::Negbin)
    }
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

/// `--ci`: how the 95% intervals are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CiMethod {
    /// Estimate ± 1.96 standard errors.
    Wald,
    /// Where twice the drop of the profile log-likelihood reaches χ²₁(0.95),
    /// the other parameters refitted at each point.
    Profile,
}

/// The arguments of `xent regress`.
#[derive(Debug, Clone, clap::Args)]
pub struct RegressArgs {
    /// The CSV file (header line, then data rows).
    pub file: PathBuf,
    /// The conditional model.
    #[arg(long, value_enum)]
    pub model: RegressModel,
    /// The target column (for binomial: the successes).
    #[arg(long)]
    pub target: String,
    /// Feature columns, comma-separated (default: every other numeric column).
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// A column of frequency weights: each row counts that many times
    /// (a number ≥ 0; a row of weight 0 is skipped unread). Standard
    /// errors, AIC and BIC take n = Σ weights.
    #[arg(long, value_name = "COL")]
    pub weights: Option<String>,
    /// Columns to treat as categorical even though their labels are
    /// numbers (codes such as 1, 2, 3), comma-separated. A column of text
    /// labels is categorical without it: indicator columns `col[level]`
    /// against a reference level.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub categorical: Vec<String>,
    /// The reference level of a categorical predictor, `col=level`
    /// (default: the first level in sorted order, numeric order for
    /// numbers); repeat or comma-separate for several.
    #[arg(long, value_delimiter = ',', value_name = "COL=LEVEL")]
    pub reference: Vec<String>,
    /// A column added to the linear predictor with coefficient 1 (as
    /// statsmodels' `offset`): for log-link models, the log of an exposure.
    #[arg(long, value_name = "COL", conflicts_with = "exposure")]
    pub offset: Option<String>,
    /// A column of exposures (time at risk, policy-years, population; each
    /// positive): the mean is proportional to it, `ln exposure` an offset
    /// (as statsmodels' `exposure`). Log-link models: poisson, gamma, negbin.
    #[arg(long, value_name = "COL")]
    pub exposure: Option<String>,
    /// binomial: the column of trials each row's successes (the target)
    /// are out of.
    #[arg(long, value_name = "COL")]
    pub trials: Option<String>,
    /// A missing value (empty, NA, NaN, null, … — pandas' list) in a
    /// column used: stop with an error (the default), or drop the row
    /// and report how many were dropped.
    #[arg(long, value_enum, default_value_t = Missing::Error, value_name = "WHAT")]
    pub missing: Missing,
    /// Fit without an intercept.
    #[arg(long)]
    pub no_intercept: bool,
    /// Where the standard errors come from: the observed information,
    /// the expected (Fisher) information, the sandwich (robust) estimate,
    /// or none (skips the Hessian: the fast choice for large models).
    #[arg(long, value_enum, default_value_t = StdErrors::Observed, value_name = "SOURCE")]
    pub std_errors: StdErrors,
    /// How the 95% intervals are computed: Wald (estimate ± 1.96 s.e.) or
    /// profile likelihood (refitting the other parameters; not softmax).
    #[arg(long, value_enum, default_value_t = CiMethod::Wald, value_name = "METHOD")]
    pub ci: CiMethod,
    /// Features to test, comma-separated: the model is refitted without
    /// them (every indicator of a categorical one) and the
    /// likelihood-ratio test of dropping them is reported.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub compare: Vec<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The optimiser's iteration limit.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub max_iterations: usize,
}

/// One coefficient row.
struct Coef {
    class: Option<String>,
    name: String,
    estimate: f64,
    se: f64,
    /// A profile-likelihood interval, when asked for.
    interval: Option<(f64, f64)>,
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
    /// A dispersion parameter on its natural scale: name, estimate, error.
    extra: Option<(&'static str, f64, f64)>,
    /// The profile interval of σ or of the dispersion parameter.
    extra_interval: Option<(f64, f64)>,
    /// The likelihood-ratio test of `--compare`: the features dropped.
    lr: Option<(Vec<String>, LrTest)>,
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

/// The per-row columns besides the target and the features, by flag.
struct Aux {
    weights: Option<usize>,
    offset: Option<usize>,
    exposure: Option<usize>,
    trials: Option<usize>,
}

impl Aux {
    fn read(table: &Table, args: &RegressArgs, t: usize) -> Result<Aux, CliError> {
        let find = |name: &Option<String>| name.as_deref().map(|n| table.index(n)).transpose();
        let aux = Aux {
            weights: find(&args.weights)?,
            offset: find(&args.offset)?,
            exposure: find(&args.exposure)?,
            trials: find(&args.trials)?,
        };
        let named = aux.named();
        for (k, &(flag, j)) in named.iter().enumerate() {
            if j == t {
                return Err(CliError::Usage(format!("--{flag} {}: that is the target column", args.target)));
            }
            if let Some((other, _)) = named[..k].iter().find(|(_, i)| *i == j) {
                return Err(CliError::Usage(format!(
                    "--{other} and --{flag} name the same column `{}`",
                    table.headers()[j]
                )));
            }
        }
        match (args.model, aux.trials.is_some()) {
            (RegressModel::Binomial, false) => {
                return Err(CliError::Usage(
                    "--model binomial needs --trials COL (the successes are the target)".into(),
                ));
            }
            (m, true) if m != RegressModel::Binomial => {
                return Err(CliError::Usage("--trials goes with --model binomial".into()));
            }
            _ => {}
        }
        if args.model == RegressModel::Softmax && (aux.offset.is_some() || aux.exposure.is_some()) {
            return Err(CliError::Usage("--offset and --exposure are for single-predictor models, not softmax".into()));
        }
        if aux.exposure.is_some() && !args.model.log_link() {
            return Err(CliError::Usage(
                "--exposure needs a log link (poisson, gamma, negbin); give its log as --offset otherwise".into(),
            ));
        }
        Ok(aux)
    }
    /// `(flag, column)` of each given.
    fn named(&self) -> Vec<(&'static str, usize)> {
        [("weights", self.weights), ("offset", self.offset), ("exposure", self.exposure), ("trials", self.trials)]
            .into_iter()
            .filter_map(|(f, j)| j.map(|j| (f, j)))
            .collect()
    }
}

fn run_model(args: &RegressArgs) -> Result<String, CliError> {
    let mut table = Table::read(&args.file)?;
    let t = table.index(&args.target)?;
    let aux = Aux::read(&table, args, t)?;
    let wc = aux.weights;
    let is_aux = |j: usize| aux.named().iter().any(|(_, i)| *i == j);
    let forced: Vec<usize> = args.categorical.iter().map(|n| table.index(n.trim())).collect::<Result<_, _>>()?;
    let is_categorical: Vec<bool> =
        (0..table.headers().len()).map(|j| forced.contains(&j) || table.is_text(j)).collect();
    let categorical = |j: usize| is_categorical[j];
    let features: Vec<usize> = match &args.features {
        Some(names) => names.iter().map(|n| table.index(n.trim())).collect::<Result<_, _>>()?,
        None => {
            // Labels with a different value on every row identify the rows
            // (names, ids): as indicators they would fit every row exactly.
            let identifier = |j: usize| categorical(j) && crate::regress::distinct(&table.text(j)) == table.rows();
            let usable = |j: usize| (table.is_numeric(j) || categorical(j)) && !identifier(j);
            // Columns left out of the default feature set are named, never
            // dropped in silence.
            let left: Vec<&str> = (0..table.headers().len())
                .filter(|&j| j != t && !is_aux(j) && !usable(j))
                .map(|j| table.headers()[j].as_str())
                .collect();
            if !left.is_empty() {
                eprintln!(
                    "note: left out of the features (numbers mixed with text, or a different label on every row): \
                     {}; name features with --features",
                    left.join(", ")
                );
            }
            (0..table.headers().len()).filter(|&j| j != t && !is_aux(j) && usable(j)).collect()
        }
    };
    if let Some(&j) = forced.iter().find(|j| !features.contains(j)) {
        return Err(CliError::Usage(format!("--categorical {}: not a feature", table.headers()[j])));
    }
    let mut references: Vec<(usize, String)> = Vec::new();
    for r in &args.reference {
        let Some((col, level)) = r.split_once('=') else {
            return Err(CliError::Usage(format!("--reference {r}: expected COL=LEVEL")));
        };
        let j = table.index(col.trim())?;
        if !(features.contains(&j) && categorical(j)) {
            return Err(CliError::Usage(format!("--reference {r}: `{}` is not a categorical feature", col.trim())));
        }
        references.push((j, level.trim().to_string()));
    }
    if let Some((flag, j)) = aux.named().into_iter().find(|(_, j)| features.contains(j)) {
        return Err(CliError::Usage(format!("the {flag} `{}` cannot also be a feature", table.headers()[j])));
    }
    if features.contains(&t) {
        return Err(CliError::Usage(format!("the target `{}` cannot also be a feature", args.target)));
    }
    if features.is_empty() && args.no_intercept {
        return Err(CliError::Usage("no features and no intercept: nothing to fit".into()));
    }
    // Missing values in the columns used, then rows of weight 0, leave
    // the table before anything else is read.
    let used: Vec<usize> =
        std::iter::once(t).chain(features.iter().copied()).chain(aux.named().into_iter().map(|(_, j)| j)).collect();
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
    // A softmax target may be labels; every other target is a number.
    let text_target = args.model == RegressModel::Softmax && table.is_text(t);
    let y = if text_target { vec![0.0; table.rows()] } else { table.numeric(t)? };
    let offset: Option<Vec<f64>> = match (aux.offset, aux.exposure) {
        (Some(j), _) => Some(table.numeric(j)?),
        (None, Some(j)) => {
            let e = table.numeric(j)?;
            if let Some(i) = e.iter().position(|v| !(*v > 0.0)) {
                return Err(CliError::Data(format!(
                    "line {}: exposure `{}` = {} is not positive (an exposure is a time, a size or a count at risk)",
                    table.line(i),
                    table.headers()[j],
                    e[i]
                )));
            }
            Some(e.iter().map(|v| v.ln()).collect())
        }
        (None, None) => None,
    };
    // Numeric features as they are, categorical ones as indicator columns.
    let (mut columns, mut column_names): (Vec<Vec<f64>>, Vec<String>) = (Vec::new(), Vec::new());
    for &j in &features {
        let name = &table.headers()[j];
        if categorical(j) {
            let reference = references.iter().find(|(c, _)| *c == j).map(|(_, l)| l.as_str());
            let d = indicators(name, &table.text(j), reference).map_err(|e| match e {
                FitFailure::UnknownLevel { .. } => CliError::Usage(format!("--reference: {e}")),
                other => CliError::Fit(other),
            })?;
            columns.extend(d.columns);
            column_names.extend(d.names);
        } else {
            columns.push(table.numeric(j)?);
            column_names.push(name.clone());
        }
    }
    let x = DMatrix::from_fn(table.rows(), columns.len(), |i, j| columns[j][i]);
    let design = Design::new(&x, !args.no_intercept)
        .and_then(|d| d.with_names(column_names.clone()))
        .map_err(xent_fit::FitFailure::from)?;
    let mut names: Vec<String> = Vec::new();
    if !args.no_intercept {
        names.push("intercept".into());
    }
    names.extend(column_names);
    let mut opts = crate::fit::options(Vec::new(), args.max_iterations);
    opts.covariance = args.std_errors.covariance();
    let row_error = |i: usize, what: &str| CliError::Data(format!("line {}: target `{}` {what}", table.line(i), y[i]));
    let data = {
        let d = GlmData::new(&design, &y);
        let d = match &weights {
            Some(w) => d.with_weights(w),
            None => d,
        };
        match &offset {
            Some(o) => d.with_offset(o),
            None => d,
        }
    };
    let simple = |model: &'static str, report: FitReport| Fitted {
        model,
        coefs: plain(&names, &report),
        report,
        reference: None,
        sigma: None,
        extra: None,
        extra_interval: None,
        lr: None,
    };
    let fitted = match args.model {
        RegressModel::Linear => {
            // An offset of a linear model is subtracted from the target.
            let y = match &offset {
                Some(o) => y.iter().zip(o).map(|(y, o)| y - o).collect(),
                None => y.clone(),
            };
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
                .map(|(i, n)| Coef {
                    class: None,
                    name: n.clone(),
                    estimate: report.estimates[i],
                    se: se[i],
                    interval: None,
                })
                .collect();
            let sigma = report.estimate("sigma");
            Fitted {
                model: "linear",
                report,
                coefs,
                reference: None,
                sigma,
                extra: None,
                extra_interval: None,
                lr: None,
            }
        }
        RegressModel::Logistic => {
            if let Some(i) = y.iter().position(|v| *v != 0.0 && *v != 1.0) {
                return Err(row_error(i, "is not 0 or 1 (logistic regression needs a binary target)"));
            }
            simple("logistic", fit_glm(Logistic, &data, &opts)?)
        }
        RegressModel::Poisson | RegressModel::Negbin => {
            if let Some(i) = y.iter().position(|v| *v < 0.0 || v.fract() != 0.0) {
                let model = if args.model == RegressModel::Poisson { "Poisson" } else { "negative-binomial" };
                return Err(row_error(i, &format!("is not a count ({model} regression needs non-negative integers)")));
            }
            if args.model == RegressModel::Poisson {
                simple("poisson", fit_glm(PoissonLog, &data, &opts)?)
            } else {
                with_extra(simple("negative_binomial", fit_glm(NegativeBinomialLog, &data, &opts)?), "alpha")
            }
        }
        RegressModel::Gamma => {
            if let Some(i) = y.iter().position(|v| !(*v > 0.0)) {
                return Err(row_error(i, "is not positive (gamma regression needs a positive target)"));
            }
            with_extra(simple("gamma", fit_glm(GammaLog, &data, &opts)?), "shape")
        }
        RegressModel::Binomial => {
            let trials = table.numeric(aux.trials.unwrap_or(t))?;
            let whole = |v: f64| v >= 0.0 && v.fract() == 0.0;
            if let Some(i) = (0..y.len()).find(|&i| !whole(trials[i])) {
                return Err(CliError::Data(format!(
                    "line {}: trials `{}` is not a whole number ≥ 0",
                    table.line(i),
                    trials[i]
                )));
            }
            if let Some(i) = (0..y.len()).find(|&i| !whole(y[i]) || y[i] > trials[i]) {
                return Err(row_error(i, &format!("is not a count of successes out of {} trials", trials[i])));
            }
            let report = fit_binomial_counts(&design, &y, &trials, weights.as_deref(), offset.as_deref(), &opts)?;
            simple("binomial", report)
        }
        RegressModel::Softmax => {
            // Classes in level order (numbers as numbers, labels as text).
            let text = if text_target { table.text(t) } else { y.iter().map(|v| v.to_string()).collect() };
            let labels = levels_of(&text);
            if labels.len() < 2 {
                return Err(CliError::Data(format!("the target `{}` has a single class", args.target)));
            }
            let index: Vec<f64> = text.iter().map(|v| labels.iter().position(|l| l == v).unwrap_or(0) as f64).collect();
            let model = Softmax::new(labels.len()).map_err(xent_fit::FitFailure::from)?;
            let data = GlmData::new(&design, &index);
            let data = match &weights {
                Some(w) => data.with_weights(w),
                None => data,
            };
            let report = fit_glm(model, &data, &opts)?;
            let label = |l: &String| l.clone();
            let p = names.len();
            let mut coefs = Vec::new();
            for k in 1..labels.len() {
                for (i, n) in names.iter().enumerate() {
                    let at = (k - 1) * p + i;
                    coefs.push(Coef {
                        class: Some(label(&labels[k])),
                        name: n.clone(),
                        estimate: report.estimates[at],
                        se: report.std_errors[at],
                        interval: None,
                    });
                }
            }
            Fitted {
                model: "softmax",
                coefs,
                reference: Some(label(&labels[0])),
                report,
                sigma: None,
                extra: None,
                extra_interval: None,
                lr: None,
            }
        }
    };
    let mut fitted = fitted;
    let setup = Setup {
        design: &design,
        column_names: &names,
        y: &y,
        weights: weights.as_deref(),
        offset: offset.as_deref(),
        trials: aux.trials.map(|j| table.numeric(j)).transpose()?,
    };
    if args.ci == CiMethod::Profile {
        profile(args, &setup, &opts, &mut fitted)?;
    }
    if !args.compare.is_empty() {
        let reduced = setup.without(&args.compare)?;
        let restricted = fit_report(args.model, &reduced, &setup, &opts)?;
        let t = lr_test(&restricted, &fitted.report)?;
        fitted.lr = Some((args.compare.clone(), t));
    }
    Ok(if args.json {
        let mut v = json_of(&fitted, args);
        if args.missing == Missing::Drop {
            v["dropped"] = dropped.json();
        }
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
    } else {
        text_of(&fitted, args) + &dropped.note().map_or(String::new(), |n| format!("{n}\n"))
    })
}

/// What every refit of the regression needs: the design and its column
/// names, targets, weights, offset, and the trials of a binomial.
struct Setup<'a> {
    design: &'a Design,
    column_names: &'a [String],
    y: &'a [f64],
    weights: Option<&'a [f64]>,
    offset: Option<&'a [f64]>,
    trials: Option<Vec<f64>>,
}

impl Setup<'_> {
    fn data<'d>(&'d self, design: &'d Design) -> GlmData<'d> {
        let d = GlmData::new(design, self.y);
        let d = match self.weights {
            Some(w) => d.with_weights(w),
            None => d,
        };
        match self.offset {
            Some(o) => d.with_offset(o),
            None => d,
        }
    }

    /// The design without the features `drop` (every indicator `f[level]`
    /// of a categorical feature `f`).
    fn without(&self, drop: &[String]) -> Result<Design, CliError> {
        let names = self.column_names;
        let gone = |n: &str, d: &str| n == d || (n.starts_with(d) && n[d.len()..].starts_with('['));
        for d in drop {
            if !names.iter().any(|n| gone(n, d.trim())) {
                return Err(CliError::Usage(format!(
                    "--compare {d}: not a feature of the model ({})",
                    names.join(", ")
                )));
            }
        }
        let intercept = self.design.has_intercept();
        let keep_intercept = intercept && !drop.iter().any(|d| d.trim() == "intercept");
        let first = usize::from(intercept);
        let keep: Vec<usize> =
            (first..names.len()).filter(|&j| !drop.iter().any(|d| gone(&names[j], d.trim()))).collect();
        if keep.is_empty() && !keep_intercept {
            return Err(CliError::Usage("--compare: dropping those leaves nothing to fit".into()));
        }
        let x = self.design.matrix();
        let m = DMatrix::from_fn(x.nrows(), keep.len(), |r, c| x[(r, keep[c])]);
        Ok(Design::new(&m, keep_intercept).map_err(FitFailure::from)?)
    }
}

/// The fit of `model` on `design` with the rest of `setup` (the targets
/// of a linear model less their offset, as the main fit).
fn fit_report(
    model: RegressModel,
    design: &Design,
    setup: &Setup<'_>,
    opts: &FitOptions,
) -> Result<FitReport, CliError> {
    let data = setup.data(design);
    Ok(match model {
        RegressModel::Linear => {
            let y: Vec<f64> = match setup.offset {
                Some(o) => setup.y.iter().zip(o).map(|(y, o)| y - o).collect(),
                None => setup.y.to_vec(),
            };
            match setup.weights {
                Some(w) => fit_linear_weighted(design, &y, w, opts)?,
                None => fit_linear(design, &y, opts)?,
            }
        }
        RegressModel::Logistic => fit_glm(Logistic, &data, opts)?,
        RegressModel::Poisson => fit_glm(PoissonLog, &data, opts)?,
        RegressModel::Gamma => fit_glm(GammaLog, &data, opts)?,
        RegressModel::Negbin => fit_glm(NegativeBinomialLog, &data, opts)?,
        RegressModel::Binomial => {
            let trials = setup.trials.as_deref().unwrap_or_default();
            fit_binomial_counts(design, setup.y, trials, setup.weights, setup.offset, opts)?
        }
        RegressModel::Softmax => {
            return Err(CliError::Usage("--compare is not available for softmax yet".into()));
        }
    })
}

/// `--ci profile`: profile-likelihood intervals of every coefficient and
/// of σ or the dispersion parameter, into `fitted`.
fn profile(args: &RegressArgs, setup: &Setup<'_>, opts: &FitOptions, fitted: &mut Fitted) -> Result<(), CliError> {
    let data = setup.data(setup.design);
    let level = 0.95;
    let ci = match args.model {
        RegressModel::Softmax => {
            return Err(CliError::Usage(
                "--ci profile is not available for softmax (several linear predictors)".into(),
            ));
        }
        RegressModel::Linear => {
            let r = fit_glm(LinearGaussian, &data, opts)?;
            profile_intervals_glm(LinearGaussian, &data, &r, level, opts)?
        }
        RegressModel::Logistic => profile_intervals_glm(Logistic, &data, &fitted.report, level, opts)?,
        RegressModel::Poisson => profile_intervals_glm(PoissonLog, &data, &fitted.report, level, opts)?,
        RegressModel::Gamma => profile_intervals_glm(GammaLog, &data, &fitted.report, level, opts)?,
        RegressModel::Negbin => profile_intervals_glm(NegativeBinomialLog, &data, &fitted.report, level, opts)?,
        RegressModel::Binomial => {
            // Proportions weighted by trials × weight: the binomial
            // likelihood less Σ ln C(n, s), which a profile does not see.
            let trials = setup.trials.as_deref().unwrap_or_default();
            let (mut p, mut w, mut rows) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..setup.y.len() {
                let wi = trials[i] * setup.weights.map_or(1.0, |w| w[i]);
                if wi > 0.0 {
                    p.push(setup.y[i] / trials[i]);
                    w.push(wi);
                    rows.push(i);
                }
            }
            let design = setup.design.select_rows(&rows);
            let o: Option<Vec<f64>> = setup.offset.map(|o| rows.iter().map(|&i| o[i]).collect());
            let d = GlmData::new(&design, &p).with_weights(&w);
            let d = match &o {
                Some(o) => d.with_offset(o),
                None => d,
            };
            let r = fit_glm(BinomialLogit, &d, opts)?;
            profile_intervals_glm(BinomialLogit, &d, &r, level, opts)?
        }
    };
    for (c, i) in fitted.coefs.iter_mut().zip(&ci) {
        c.interval = Some(*i);
    }
    if let Some(&(lo, hi)) = ci.get(fitted.coefs.len()) {
        // ln σ, ln k, ln α: their intervals on the natural scale.
        fitted.extra_interval = Some((lo.exp(), hi.exp()));
    }
    Ok(())
}

/// The number of distinct labels.
pub(crate) fn distinct(labels: &[String]) -> usize {
    let mut v: Vec<&String> = labels.iter().collect();
    v.sort();
    v.dedup();
    v.len()
}

/// The fit's last parameter (the log of a dispersion parameter) on its
/// natural scale: `e^s` with the delta-method error `e^s · se(s)`.
fn with_extra(mut f: Fitted, name: &'static str) -> Fitted {
    if let (Some(&s), Some(&se)) = (f.report.estimates.last(), f.report.std_errors.last()) {
        f.extra = Some((name, s.exp(), s.exp() * se));
    }
    f
}

fn plain(names: &[String], r: &FitReport) -> Vec<Coef> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| Coef {
            class: None,
            name: n.clone(),
            estimate: r.estimates[i],
            se: r.std_errors[i],
            interval: None,
        })
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

fn json_of(f: &Fitted, args: &RegressArgs) -> Value {
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
    for (key, col) in [("offset", &args.offset), ("exposure", &args.exposure), ("trials", &args.trials)] {
        if let Some(c) = col {
            v[key] = json!(c);
        }
    }
    if let Some((name, e, se)) = f.extra {
        v[name] = num(e);
        v[format!("{name}_std_error")] = num(se);
    }
    if args.ci == CiMethod::Profile {
        let mut iv = Map::new();
        for c in &f.coefs {
            if let Some((lo, hi)) = c.interval {
                iv.insert(c.name.clone(), json!([num(lo), num(hi)]));
            }
        }
        if let Some((lo, hi)) = f.extra_interval {
            let name = f.extra.map_or("sigma", |e| e.0);
            iv.insert(name.to_string(), json!([num(lo), num(hi)]));
        }
        v["profile_intervals"] = Value::Object(iv);
    }
    if let Some((dropped, t)) = &f.lr {
        v["lr_test"] =
            json!({"dropped": dropped, "statistic": num(t.statistic), "df": t.df, "p_value": num(t.p_value)});
    }
    v
}

fn text_of(f: &Fitted, args: &RegressArgs) -> String {
    let mut out =
        format!("{} regression of `{}` on {}, n = {}\n", f.model, args.target, args.file.display(), f.report.n);
    if let Some(r) = &f.reference {
        out += &format!("coefficients of each class against the reference class {r}\n");
    }
    if let Some(o) = &args.offset {
        out += &format!("offset `{o}` (coefficient 1)\n");
    }
    if let Some(t) = &args.exposure {
        out += &format!("exposure `{t}` (offset ln `{t}`)\n");
    }
    if let Some(t) = &args.trials {
        out += &format!("successes out of the trials `{t}`\n");
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
        if args.ci == CiMethod::Profile { "95% profile interval" } else { "95% interval" }
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
            fmt(c.interval.map_or(c.estimate - z * c.se, |i| i.0)),
            fmt(c.interval.map_or(c.estimate + z * c.se, |i| i.1))
        );
    }
    let extra_ci = f.extra_interval.map_or(String::new(), |(lo, hi)| format!("   profile [{}, {}]", fmt(lo), fmt(hi)));
    if let Some(s) = f.sigma {
        let note = match args.std_errors {
            StdErrors::Observed => "  (standard errors above use RSS/(n − p), as OLS does)",
            StdErrors::None => "",
            _ => "  (standard errors above use σ̂, the MLE)",
        };
        out += &format!("\nσ (MLE)        {s:>16.6}{note}{extra_ci}\n");
    }
    if let Some((name, e, se)) = f.extra {
        let (label, note) =
            if name == "alpha" { ("α", "MLE; variance μ + αμ²") } else { ("shape k", "MLE; dispersion 1/k") };
        out += &format!("\n{:<8}{label:<16} {:>14} {:>14}   ({note}){extra_ci}\n", "", fmt(e), fmt(se));
    }
    if let Some((dropped, t)) = &f.lr {
        out += &format!(
            "\nlikelihood-ratio test of dropping {}: χ² = {:.4} on {} df, p = {:.4e}\n",
            dropped.join(", "),
            t.statistic,
            t.df,
            t.p_value
        );
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
