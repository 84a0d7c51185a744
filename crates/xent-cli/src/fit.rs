//! `xent fit`: one family, or every applicable family ranked by AIC.

use serde_json::{Map, Value, json};
use xent_distributions::AnyUnivariate;
use xent_fit::{
    FitFailure, FitMethod, FitOptions, FitReport, fit_family, fit_family_weighted, fit_summary_rescaled,
    profile_intervals_family, streaming_scale,
};
use xent_objectives::{Family, Model, Summary};

use crate::data::{Column, Dropped, Missing, read_column, stream_weighted};
use crate::error::CliError;
use crate::plot;

/// The arguments of `xent fit`.
#[derive(Debug, Clone, clap::Args)]
pub struct FitArgs {
    /// The CSV file (header line, then data rows).
    pub file: std::path::PathBuf,
    /// A family (normal, gamma, student_t, …; binomial with
    /// --fix trials=N), or `auto` for every applicable family ranked by AIC.
    #[arg(long)]
    pub family: String,
    /// The column to fit (default: the only column, or the only one
    /// besides the weights and censoring indicators).
    #[arg(long)]
    pub column: Option<String>,
    /// A column of frequency weights: each row counts that many times
    /// (a number ≥ 0, fractions allowed; a row of weight 0 is skipped
    /// unread). Standard errors, AIC and BIC take n = Σ weights.
    #[arg(long, value_name = "COL")]
    pub weights: Option<String>,
    /// A column flagging left-censored rows (1/0, true/false): where it is
    /// 1 the value is an upper limit — the measurement is at most that
    /// (below a detection limit).
    #[arg(long, value_name = "COL", conflicts_with = "interval")]
    pub censored_left: Option<String>,
    /// A column flagging right-censored rows (1/0, true/false): where it is
    /// 1 the value is a lower limit — the measurement is at least that
    /// (still alive, not yet failed, at the end of the study).
    #[arg(long, value_name = "COL", conflicts_with = "interval")]
    pub censored_right: Option<String>,
    /// Two columns LOW,HIGH holding each row as an interval (fitdistrplus'
    /// `fitdistcens` convention): LOW = HIGH is an exact value; LOW missing
    /// (or -inf) is left-censored at HIGH; HIGH missing (or inf) is
    /// right-censored at LOW; otherwise the value lies in (LOW, HIGH].
    #[arg(long, value_name = "LOW,HIGH", value_delimiter = ',', conflicts_with = "column")]
    pub interval: Option<Vec<String>>,
    /// Known truncation bounds LOW,HIGH (numbers, `-inf`, `inf`): the data
    /// were observed only in (LOW, HIGH] — claims above a deductible, an
    /// instrument's range. The fitted family is the untruncated one.
    #[arg(long, value_name = "LOW,HIGH", value_delimiter = ',', allow_hyphen_values = true)]
    pub truncate: Option<Vec<String>>,
    /// A missing value (empty, NA, NaN, null, … — pandas' list) in the
    /// column or the weights: stop with an error (the default), or drop
    /// the row and report how many were dropped.
    #[arg(long, value_enum, default_value_t = Missing::Error, value_name = "WHAT")]
    pub missing: Missing,
    /// Hold a parameter at a known value, e.g. --fix location=0.
    #[arg(long, value_name = "NAME=VALUE")]
    pub fix: Vec<String>,
    /// How the 95% intervals are computed: Wald (estimate ± 1.96 s.e.) or
    /// profile likelihood (the other parameters refitted at each point;
    /// reads the data into memory).
    #[arg(long, value_enum, default_value_t = crate::regress::CiMethod::Wald, value_name = "METHOD")]
    pub ci: crate::regress::CiMethod,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Draw the histogram with the fitted density and a Q–Q plot (SVG).
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<std::path::PathBuf>,
    /// The optimiser's iteration limit (numerical fits).
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub max_iterations: usize,
}

impl FitArgs {
    /// Whether censoring or truncation is asked for.
    fn censoring(&self) -> bool {
        self.censored_left.is_some()
            || self.censored_right.is_some()
            || self.interval.is_some()
            || self.truncate.is_some()
    }
}

/// The fit options of the command line.
pub fn options(fixed: Vec<(String, f64)>, max_iterations: usize) -> FitOptions {
    let mut opts = FitOptions { fixed, ..FitOptions::default() };
    opts.optim.max_iterations = max_iterations;
    opts
}

/// Parses `--fix name=value`.
fn parse_fixed(fix: &[String]) -> Result<Vec<(String, f64)>, CliError> {
    fix.iter()
        .map(|f| {
            let (name, value) =
                f.split_once('=').ok_or_else(|| CliError::Usage(format!("--fix takes name=value, got `{f}`")))?;
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| CliError::Usage(format!("--fix {name}: `{value}` is not a number")))?;
            if !v.is_finite() {
                return Err(CliError::Usage(format!("--fix {name}: `{value}` is not finite")));
            }
            Ok((name.trim().to_string(), v))
        })
        .collect()
}

/// The family named on the command line; `binomial` takes its number of
/// trials from `--fix trials=N`, which is then removed from the fixed list.
pub(crate) fn family_of(name: &str, fixed: &mut Vec<(String, f64)>) -> Result<Family, CliError> {
    if name == "binomial" {
        let i = fixed
            .iter()
            .position(|(n, _)| n == "trials")
            .ok_or_else(|| CliError::Usage("binomial needs its number of trials: --fix trials=N".into()))?;
        let t = fixed.remove(i).1;
        if !(t >= 1.0 && t == t.floor() && t < 1e15) {
            return Err(CliError::Usage(format!("--fix trials={t}: the number of trials must be a positive integer")));
        }
        return Ok(Family::Binomial { trials: t as u64 });
    }
    Family::from_name(name).ok_or_else(|| {
        let mut names: Vec<String> = Family::all().iter().map(Model::name).collect();
        names.push("binomial".into());
        CliError::Usage(format!("unknown family `{name}`; choose auto or one of: {}", names.join(", ")))
    })
}

/// Turns a fit failure on in-memory data into the CLI's error, naming file
/// lines instead of positions.
fn located(e: FitFailure, col: &Column) -> CliError {
    match e {
        FitFailure::OutOfSupport { family, count, first_index, first_value } => CliError::OutOfSupport {
            family,
            count,
            line: col.lines.get(first_index).copied().unwrap_or(0),
            value: first_value,
        },
        other => CliError::Fit(other),
    }
}

/// Values on their way into the statistics, divided by a power of two
/// chosen from the first [`Rescale::HEAD`] (exact; see `streaming_scale`),
/// so that data near 1e±300 neither over- nor underflow in the sums. The
/// head is held until the scale is known.
#[derive(Default)]
struct Rescale {
    head: Vec<(f64, f64, u64)>,
    scale: Option<f64>,
    /// The first value the division sent to 0 or ∞, with its line.
    lost: Option<(u64, f64)>,
}

impl Rescale {
    const HEAD: usize = 1024;

    fn push(&mut self, family: &Family, summary: &mut Summary, x: f64, w: f64, line: u64) {
        match self.scale {
            Some(s) => self.add(summary, x, w, s, line),
            None => {
                self.head.push((x, w, line));
                if self.head.len() == Self::HEAD {
                    self.flush(family, summary);
                }
            }
        }
    }

    /// Chooses the scale from the head and adds the head.
    fn flush(&mut self, family: &Family, summary: &mut Summary) -> f64 {
        let values: Vec<f64> = self.head.iter().map(|h| h.0).collect();
        let s = streaming_scale(family, &values);
        for (x, w, line) in std::mem::take(&mut self.head) {
            self.add(summary, x, w, s, line);
        }
        self.scale = Some(s);
        s
    }

    fn add(&mut self, summary: &mut Summary, x: f64, w: f64, s: f64, line: u64) {
        let z = x / s;
        if (z == 0.0 && x != 0.0) || !z.is_finite() {
            self.lost.get_or_insert((line, x));
        }
        summary.push_weighted(z, w);
    }

    /// The scale, once every value is in; an error if one was lost.
    fn finish(&mut self, family: &Family, summary: &mut Summary) -> Result<f64, CliError> {
        let s = match self.scale {
            Some(s) => s,
            None => self.flush(family, summary),
        };
        match self.lost {
            Some((line, value)) => Err(CliError::Data(format!(
                "line {line}: `{}` is more than 300 decades from the data's scale (the first {} values); \
                 the values span more than a double can hold at once",
                crate::error::short(value),
                Self::HEAD
            ))),
            None => Ok(s),
        }
    }
}

/// Streams `file` once into the family's sufficient statistics, counting
/// out-of-support values, then fits from the statistics.
fn fit_streaming(
    args: &FitArgs,
    family: &Family,
    opts: &FitOptions,
) -> Result<(FitReport<AnyUnivariate>, String, Dropped), CliError> {
    let mut summary = Summary::empty(family).map_err(FitFailure::from)?;
    let (mut bad, mut first) = (0usize, None);
    let support = family.support();
    let mut rescale = Rescale::default();
    let (name, _, dropped) =
        stream_weighted(&args.file, args.column.as_deref(), args.weights.as_deref(), args.missing, |x, w, line| {
            if support.contains(x) {
                rescale.push(family, &mut summary, x, w, line);
            } else {
                bad += 1;
                first.get_or_insert((line, x));
            }
            Ok(())
        })?;
    if let Some((line, value)) = first {
        return Err(CliError::OutOfSupport { family: family.name(), count: bad, line, value });
    }
    let s = rescale.finish(family, &mut summary)?;
    Ok((fit_summary_rescaled(&summary, s, opts)?, name, dropped))
}

/// A termination in words, and whether it converged.
pub(crate) fn termination<D>(r: &FitReport<D>) -> (String, bool, usize) {
    match &r.method {
        FitMethod::ClosedForm => ("closed form".into(), true, 0),
        FitMethod::LeastSquares => ("least squares (QR)".into(), true, 0),
        FitMethod::Numerical { method, termination, iterations, .. } => {
            (format!("{termination} ({method}, {iterations} iterations)"), termination.converged(), *iterations)
        }
        _ => ("unknown".into(), false, 0),
    }
}

/// A finite number, else `null`.
pub(crate) fn num(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

/// A sample size: a whole number as an integer (an unweighted `n`, or
/// integer frequency weights), else the number.
pub(crate) fn count(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 2f64.powi(53) { json!(n as i64) } else { num(n) }
}

/// The stable JSON of one fit.
pub fn fit_json<D>(r: &FitReport<D>) -> Value {
    let (term, converged, iterations) = termination(r);
    let mut params = Map::new();
    let mut se = Map::new();
    for (i, name) in r.names.iter().enumerate() {
        params.insert(name.clone(), num(r.estimates[i]));
        se.insert(name.clone(), num(r.std_errors[i]));
    }
    json!({
        "family": r.model,
        "n": count(r.n),
        "params": params,
        "std_errors": se,
        "log_likelihood": num(r.log_likelihood),
        "aic": num(r.aic()),
        "bic": num(r.bic()),
        "converged": converged,
        "termination": term,
        "iterations": iterations,
    })
}

/// Profile intervals as JSON: `{name: [low, high]}` (null for an infinite
/// end, or a fixed parameter).
pub(crate) fn profile_json<D>(r: &FitReport<D>, iv: &[(f64, f64)]) -> Value {
    let mut m = Map::new();
    for (name, (lo, hi)) in r.names.iter().zip(iv) {
        m.insert(name.clone(), json!([num(*lo), num(*hi)]));
    }
    Value::Object(m)
}

/// A number in a table: 6 significant digits, scientific when far from 1.
pub fn fmt(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e6).contains(&a) { format!("{v:.5e}") } else { format!("{v:.6}") }
}

/// The text report of one fit, with profile-likelihood intervals in
/// place of Wald's when given.
pub fn fit_text<D>(r: &FitReport<D>, source: &str, profile: Option<&[(f64, f64)]>) -> String {
    let mut out = format!("{} fit to {source}, n = {}\n\n", r.model, r.n);
    let head = if profile.is_some() { "95% profile interval" } else { "95% interval" };
    out += &format!("{:<12} {:>14} {:>14}   {}\n", "parameter", "estimate", "std. error", head);
    for i in 0..r.names.len() {
        let interval = if r.fixed[i] {
            "(fixed)".to_string()
        } else if let Some(&(lo, hi)) = profile.and_then(|p| p.get(i)) {
            format!("[{}, {}]", fmt(lo), fmt(hi))
        } else if r.std_errors[i].is_finite() {
            let (lo, hi) = r.wald_interval(i, 0.95);
            format!("[{}, {}]", fmt(lo), fmt(hi))
        } else {
            "—".into()
        };
        out += &format!("{:<12} {:>14} {:>14}   {interval}\n", r.names[i], fmt(r.estimates[i]), fmt(r.std_errors[i]));
    }
    let (term, _, _) = termination(r);
    out += &format!(
        "\nlog-likelihood {:>16.6}\nAIC            {:>16.6}\nBIC            {:>16.6}\nn              {:>16}\ntermination    {term}\n",
        r.log_likelihood,
        r.aic(),
        r.bic(),
        r.n
    );
    out
}

/// The candidate families for `--family auto`: the discrete families when
/// every value is a non-negative integer, the continuous ones otherwise
/// (likelihoods of densities and of probabilities are not comparable).
fn candidates(x: &[f64]) -> Vec<Family> {
    let discrete = x.iter().all(|v| *v >= 0.0 && v.fract() == 0.0);
    let is_discrete =
        |f: &Family| matches!(f, Family::Poisson | Family::Bernoulli | Family::Geometric | Family::NegativeBinomial);
    Family::all().into_iter().filter(|f| is_discrete(f) == discrete).collect()
}

/// Runs `xent fit`; returns the text to print on stdout.
pub fn run(args: &FitArgs) -> Result<String, CliError> {
    let mut fixed = parse_fixed(&args.fix)?;
    if args.family == "auto" {
        if !fixed.is_empty() {
            return Err(CliError::Usage("--fix cannot be combined with --family auto".into()));
        }
        if args.censoring() {
            return crate::censoring::auto(args);
        }
        return auto(args);
    }
    let family = family_of(&args.family, &mut fixed)?;
    let names = family.param_names();
    if let Some((bad, _)) = fixed.iter().find(|(n, _)| !names.contains(n)) {
        return Err(CliError::Usage(format!(
            "--fix {bad}: {} has no parameter `{bad}`; its parameters are {}",
            family.name(),
            names.join(", ")
        )));
    }
    let opts = options(fixed, args.max_iterations);
    if args.censoring() {
        return crate::censoring::run(args, &family, &opts);
    }
    let source = |col: &str| format!("{} (column {col})", args.file.display());
    let profile = args.ci == crate::regress::CiMethod::Profile;
    let mut intervals = None;
    let (report, text_source, dropped) = if args.plot.is_none() && !profile && Summary::empty(&family).is_ok() {
        let (r, name, dropped) = fit_streaming(args, &family, &opts)?;
        (r, source(&name), dropped)
    } else {
        let col = read_column(&args.file, args.column.as_deref(), args.weights.as_deref(), args.missing)?;
        let r = fit_column(&family, &col, &opts).map_err(|e| located(e, &col))?;
        if profile {
            intervals = Some(
                profile_intervals_family(&family, &col.values, col.weights.as_deref(), &r, 0.95, &opts)
                    .map_err(|e| located(e, &col))?,
            );
        }
        if let Some(path) = &args.plot {
            plot::fit_plot(path, &family, &r, &col.values, col.weights.as_deref())?;
        }
        (r, source(&col.name), col.dropped)
    };
    if args.json {
        let mut v = fit_json(&report);
        if let Some(iv) = &intervals {
            v["profile_intervals"] = profile_json(&report, iv);
        }
        if args.missing == Missing::Drop {
            v["dropped"] = dropped.json();
        }
        Ok(format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()))
    } else {
        Ok(fit_text(&report, &text_source, intervals.as_deref())
            + &dropped.note().map_or(String::new(), |n| format!("{n}\n")))
    }
}

/// The fit of `family` to a column read into memory, with its weights.
fn fit_column(family: &Family, col: &Column, opts: &FitOptions) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    match &col.weights {
        Some(w) => fit_family_weighted(family, &col.values, w, opts),
        None => fit_family(family, &col.values, opts),
    }
}

/// `--family auto`: every applicable family, ranked by AIC.
fn auto(args: &FitArgs) -> Result<String, CliError> {
    let col = read_column(&args.file, args.column.as_deref(), args.weights.as_deref(), args.missing)?;
    let n: f64 = col.weights.as_ref().map_or(col.values.len() as f64, |w| w.iter().sum());
    let mut fitted = Vec::new();
    let mut skipped = Vec::new();
    for family in candidates(&col.values) {
        match fit_column(&family, &col, &options(Vec::new(), args.max_iterations)) {
            Ok(r) => fitted.push(r),
            Err(e) => skipped.push((family.name(), located(e, &col).to_string())),
        }
    }
    if fitted.is_empty() {
        let why: Vec<String> = skipped.iter().map(|(f, e)| format!("{f}: {e}")).collect();
        return Err(CliError::Data(format!("no family could be fitted: {}", why.join("; "))));
    }
    fitted.sort_by(|a, b| a.aic().total_cmp(&b.aic()));
    if let Some(path) = &args.plot {
        let best = Family::from_name(&fitted[0].model).unwrap_or(Family::Normal);
        plot::fit_plot(path, &best, &fitted[0], &col.values, col.weights.as_deref())?;
    }
    Ok(ranking(args, &col.name, n, &fitted, &skipped, &col.dropped))
}

/// The `--family auto` table (or JSON) of fits sorted by AIC.
pub(crate) fn ranking(
    args: &FitArgs,
    column: &str,
    n: f64,
    fitted: &[FitReport<AnyUnivariate>],
    skipped: &[(String, String)],
    dropped: &Dropped,
) -> String {
    if args.json {
        let v = json!({
            "family": "auto",
            "n": count(n),
            "ranking": "aic",
            "fits": fitted.iter().map(fit_json).collect::<Vec<_>>(),
            "skipped": skipped.iter().map(|(f, e)| json!({"family": f, "reason": e})).collect::<Vec<_>>(),
        });
        let mut v = v;
        if args.missing == Missing::Drop {
            v["dropped"] = dropped.json();
        }
        return format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    let best = fitted[0].aic();
    let mut out = format!(
        "{} families fitted to {} (column {}), n = {}, ranked by AIC\n\n",
        fitted.len(),
        args.file.display(),
        column,
        n
    );
    out += &format!(
        "{:<4} {:<18} {:>16} {:>14} {:>10}   {}\n",
        "rank", "family", "log-likelihood", "AIC", "ΔAIC", "estimates"
    );
    for (i, r) in fitted.iter().enumerate() {
        let est: Vec<String> = r.names.iter().zip(&r.estimates).map(|(n, v)| format!("{n}={}", fmt(*v))).collect();
        out += &format!(
            "{:<4} {:<18} {:>16.4} {:>14.4} {:>10.4}   {}\n",
            i + 1,
            r.model,
            r.log_likelihood,
            r.aic(),
            r.aic() - best,
            est.join(" ")
        );
    }
    if !skipped.is_empty() {
        out += "\nnot fitted:\n";
        for (f, e) in skipped {
            out += &format!("  {f}: {e}\n");
        }
    }
    if let Some(n) = dropped.note() {
        out += &format!("\n{n}\n");
    }
    out
}

/// Used by the tests of the crate: parse and locate helpers.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_parameters_parse_and_reject_garbage() {
        assert_eq!(parse_fixed(&["shape=2".into()]).unwrap(), vec![("shape".to_string(), 2.0)]);
        assert!(parse_fixed(&["shape".into()]).is_err());
        assert!(parse_fixed(&["shape=x".into()]).is_err());
        assert!(parse_fixed(&["shape=inf".into()]).is_err());
        let mut f = vec![("trials".to_string(), 10.0)];
        assert_eq!(family_of("binomial", &mut f).unwrap(), Family::Binomial { trials: 10 });
        assert!(f.is_empty());
        assert!(family_of("binomial", &mut vec![]).is_err());
        assert!(family_of("binomial", &mut vec![("trials".into(), 2.5)]).is_err());
        assert!(family_of("gauss", &mut vec![]).unwrap_err().to_string().contains("normal"));
    }

    #[test]
    fn auto_candidates_split_discrete_from_continuous() {
        assert!(candidates(&[0.0, 3.0, 1.0]).contains(&Family::Poisson));
        assert!(!candidates(&[0.0, 3.0, 1.0]).contains(&Family::Normal));
        assert!(candidates(&[0.5, 3.0]).contains(&Family::Gamma));
        assert!(!candidates(&[0.5, 3.0]).contains(&Family::Poisson));
    }
}
