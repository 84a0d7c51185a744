//! `xent fit` on censored and truncated data: the observations read from
//! the table (indicator columns, or an interval per row), checked with
//! their file lines, fitted in memory.

use serde_json::json;
use xent_distributions::AnyUnivariate;
use xent_fit::{FitFailure, FitOptions, FitReport, fit_censored, fit_truncated, profile_interval};
use xent_objectives::{CdfModel, Family, Model, Observation, Transform};

use crate::data::{Dropped, Missing, Table, is_missing};
use crate::error::CliError;
use crate::fit::{FitArgs, fit_json, options, ranking};

/// What was read: the observations with their lines, weights, the column
/// description and the rows dropped.
struct Read {
    obs: Vec<Observation>,
    lines: Vec<u64>,
    weights: Option<Vec<f64>>,
    name: String,
    dropped: Dropped,
}

impl Read {
    fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for o in &self.obs {
            c[match o {
                Observation::Exact(_) => 0,
                Observation::Left(_) => 1,
                Observation::Right(_) => 2,
                Observation::Interval(..) => 3,
            }] += 1;
        }
        c
    }
    fn n(&self) -> f64 {
        self.weights.as_ref().map_or(self.obs.len() as f64, |w| w.iter().sum())
    }
}

/// A censoring indicator cell: 1/0, true/false, yes/no.
fn flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "t" | "y" => Some(true),
        "0" | "false" | "no" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// `--truncate LOW,HIGH`: numbers, `-inf`, `inf`, `low < high`.
fn bounds(args: &FitArgs) -> Result<Option<(f64, f64)>, CliError> {
    let Some(b) = &args.truncate else { return Ok(None) };
    if b.len() != 2 {
        return Err(CliError::Usage(format!("--truncate takes two bounds LOW,HIGH, got {}", b.join(","))));
    }
    let parse =
        |s: &str| -> Result<f64, CliError> {
            s.trim().parse::<f64>().ok().filter(|v| !v.is_nan()).ok_or_else(|| {
                CliError::Usage(format!("--truncate: `{s}` is not a number (use -inf or inf for no bound)"))
            })
        };
    let (lo, hi) = (parse(&b[0])?, parse(&b[1])?);
    if lo >= hi {
        return Err(CliError::Usage(format!("--truncate {lo},{hi}: the low bound must be below the high one")));
    }
    Ok(Some((lo, hi)))
}

/// Reads the observations of `args` from its table.
fn read(args: &FitArgs) -> Result<Read, CliError> {
    let mut table = Table::read(&args.file)?;
    let find = |n: &Option<String>| n.as_deref().map(|c| table.index(c.trim())).transpose();
    let (wc, lc, rc) = (find(&args.weights)?, find(&args.censored_left)?, find(&args.censored_right)?);
    let interval = match &args.interval {
        Some(v) if v.len() == 2 => Some((table.index(v[0].trim())?, table.index(v[1].trim())?)),
        Some(v) => return Err(CliError::Usage(format!("--interval takes two columns LOW,HIGH, got {}", v.join(",")))),
        None => None,
    };
    let aux: Vec<usize> = [wc, lc, rc].into_iter().flatten().collect();
    let value = match (&interval, &args.column) {
        (Some(_), _) => None,
        (None, Some(c)) => Some(table.index(c)?),
        (None, None) => {
            let rest: Vec<usize> = (0..table.headers().len()).filter(|j| !aux.contains(j)).collect();
            match rest.as_slice() {
                [j] => Some(*j),
                _ => {
                    return Err(CliError::Usage(format!(
                        "{} has several columns ({}); name one with --column",
                        args.file.display(),
                        table.headers().join(", ")
                    )));
                }
            }
        }
    };
    let used: Vec<usize> = value.into_iter().chain(aux.iter().copied()).collect();
    if used.len() != used.iter().collect::<std::collections::BTreeSet<_>>().len() {
        return Err(CliError::Usage("the value, weights and censoring columns must be different columns".into()));
    }
    // Interval ends may be missing (an unbounded end); a row missing both is missing.
    let mut dropped = match args.missing {
        Missing::Drop => table.drop_missing(&used),
        Missing::Error => Dropped::default(),
    };
    if let Some((a, b)) = interval {
        let (ta, tb) = (table.text(a), table.text(b));
        let both: Vec<usize> = (0..table.rows()).filter(|&i| is_missing(&ta[i]) && is_missing(&tb[i])).collect();
        if let Some(&i) = both.first() {
            if args.missing == Missing::Error {
                return Err(CliError::Missing {
                    line: table.line(i),
                    column: format!("{} and {}", table.headers()[a], table.headers()[b]),
                    cell: ta[i].clone(),
                });
            }
            let gone: std::collections::BTreeSet<usize> = both.into_iter().collect();
            dropped.rows += gone.len() as u64;
            *dropped.columns.entry(format!("{} and {}", table.headers()[a], table.headers()[b])).or_default() +=
                gone.len() as u64;
            table.retain_rows(|i| !gone.contains(&i));
        }
    }
    if table.rows() == 0 {
        return Err(CliError::Data(format!("no row of {} is left to fit", args.file.display())));
    }
    let weights = match wc {
        Some(j) => Some(table.weights(j)?),
        None => None,
    };
    let flags = |j: Option<usize>| -> Result<Vec<bool>, CliError> {
        let Some(j) = j else { return Ok(vec![false; table.rows()]) };
        table
            .text(j)
            .iter()
            .enumerate()
            .map(|(i, t)| {
                flag(t).ok_or_else(|| {
                    CliError::Data(format!(
                        "line {}: censoring indicator `{}` is `{t}`; expected 1 or 0 (true or false)",
                        table.line(i),
                        table.headers()[j]
                    ))
                })
            })
            .collect()
    };
    let (left, right) = (flags(lc)?, flags(rc)?);
    let lines: Vec<u64> = (0..table.rows()).map(|i| table.line(i)).collect();
    let obs: Vec<Observation> = match (value, interval) {
        (Some(j), _) => {
            let x = table.numeric(j)?;
            let mut obs = Vec::with_capacity(x.len());
            for i in 0..x.len() {
                obs.push(match (left[i], right[i]) {
                    (true, true) => {
                        return Err(CliError::Data(format!(
                            "line {}: flagged both left- and right-censored",
                            lines[i]
                        )));
                    }
                    (true, false) => Observation::Left(x[i]),
                    (false, true) => Observation::Right(x[i]),
                    (false, false) => Observation::Exact(x[i]),
                });
            }
            obs
        }
        (None, Some((a, b))) => {
            let end = |j: usize, i: usize, missing_is: f64| -> Result<f64, CliError> {
                let t = &table.text(j)[i];
                if is_missing(t) {
                    return Ok(missing_is);
                }
                t.trim().parse::<f64>().ok().filter(|v| !v.is_nan()).ok_or_else(|| CliError::NotNumeric {
                    line: lines[i],
                    column: table.headers()[j].clone(),
                    cell: t.clone(),
                })
            };
            let mut obs = Vec::with_capacity(table.rows());
            for i in 0..table.rows() {
                let (lo, hi) = (end(a, i, f64::NEG_INFINITY)?, end(b, i, f64::INFINITY)?);
                obs.push(if lo == hi {
                    Observation::Exact(lo)
                } else if lo == f64::NEG_INFINITY {
                    Observation::Left(hi)
                } else if hi == f64::INFINITY {
                    Observation::Right(lo)
                } else if lo < hi {
                    Observation::Interval(lo, hi)
                } else {
                    return Err(CliError::Data(format!(
                        "line {}: the interval ({lo}, {hi}] is empty (`{}` must be below `{}`)",
                        lines[i],
                        table.headers()[a],
                        table.headers()[b]
                    )));
                });
            }
            obs
        }
        (None, None) => unreachable!("a value column or an interval"),
    };
    for (i, o) in obs.iter().enumerate() {
        if let Observation::Exact(x) | Observation::Left(x) | Observation::Right(x) = o
            && !x.is_finite()
        {
            return Err(CliError::Data(format!("line {}: `{x}` is not a finite number", lines[i])));
        }
    }
    let name = match (value, interval) {
        (Some(j), _) => table.headers()[j].clone(),
        (None, Some((a, b))) => format!("({}, {}]", table.headers()[a], table.headers()[b]),
        (None, None) => String::new(),
    };
    Ok(Read { obs, lines, weights, name, dropped })
}

/// The fit of one family to what was read (censored, or truncated).
fn fit_one(
    family: &Family,
    r: &Read,
    truncate: Option<(f64, f64)>,
    opts: &FitOptions,
) -> Result<FitReport<AnyUnivariate>, CliError> {
    let located = |e: FitFailure| match e {
        FitFailure::OutOfSupport { family, count, first_index, first_value } => CliError::OutOfSupport {
            family,
            count,
            line: r.lines.get(first_index).copied().unwrap_or(0),
            value: first_value,
        },
        other => CliError::Fit(other),
    };
    match truncate {
        Some((lo, hi)) => {
            if let Some(i) = r.obs.iter().position(|o| !matches!(o, Observation::Exact(_))) {
                return Err(CliError::Usage(format!(
                    "line {}: censored rows cannot be combined with --truncate (not yet supported)",
                    r.lines[i]
                )));
            }
            let x: Vec<f64> = r.obs.iter().map(Observation::representative).collect();
            fit_truncated(family, &x, lo, hi, r.weights.as_deref(), opts).map_err(located)
        }
        None => fit_censored(family, &r.obs, r.weights.as_deref(), opts).map_err(located),
    }
}

/// The description of the censoring for the report's first line.
fn describe(r: &Read, truncate: Option<(f64, f64)>) -> String {
    let [_, l, rt, iv] = r.counts();
    let mut parts = Vec::new();
    for (k, what) in [(l, "left-censored"), (rt, "right-censored"), (iv, "interval-censored")] {
        if k > 0 {
            parts.push(format!("{k} {what}"));
        }
    }
    if let Some((lo, hi)) = truncate {
        parts.push(format!("truncated to ({lo}, {hi}]"));
    }
    parts.join(", ")
}

fn check(args: &FitArgs) -> Result<(), CliError> {
    if args.plot.is_some() {
        return Err(CliError::Usage(
            "--plot is not available for censored or truncated data yet (it would need a Kaplan–Meier or \
             Turnbull estimate to draw against)"
                .into(),
        ));
    }
    if args.truncate.is_some()
        && (args.censored_left.is_some() || args.censored_right.is_some() || args.interval.is_some())
    {
        return Err(CliError::Usage("--truncate cannot be combined with censoring (not yet supported)".into()));
    }
    Ok(())
}

/// `xent fit --family F` with censoring or truncation.
pub fn run(args: &FitArgs, family: &Family, opts: &FitOptions) -> Result<String, CliError> {
    check(args)?;
    if !family.has_cdf() {
        return Err(CliError::Usage(format!(
            "{} is discrete: censored and truncated fits take a continuous family",
            family.name()
        )));
    }
    let truncate = bounds(args)?;
    let r = read(args)?;
    let report = fit_one(family, &r, truncate, opts)?;
    let intervals = if args.ci == crate::regress::CiMethod::Profile {
        let transforms = family.transforms();
        let names = family.param_names();
        let iv: Result<Vec<(f64, f64)>, CliError> = (0..report.estimates.len())
            .map(|i| {
                if report.fixed[i] {
                    return Ok((f64::NAN, f64::NAN));
                }
                let t = transforms.get(i).copied().unwrap_or(Transform::Identity);
                profile_interval(report.estimates[i], report.std_errors[i], t, report.log_likelihood, 0.95, |b| {
                    let o = opts.clone().with_fixed(&names[i], b);
                    fit_one(family, &r, truncate, &o).map(|f| f.log_likelihood).map_err(|e| match e {
                        CliError::Fit(f) => f,
                        other => FitFailure::NoFiniteMle { reason: other.to_string() },
                    })
                })
                .map_err(CliError::Fit)
            })
            .collect();
        Some(iv?)
    } else {
        None
    };
    let [exact, left, right, interval] = r.counts();
    if args.json {
        let mut v = fit_json(&report);
        if let Some(iv) = &intervals {
            v["profile_intervals"] = crate::fit::profile_json(&report, iv);
        }
        match truncate {
            Some((lo, hi)) => v["truncation"] = json!({"low": crate::fit::num(lo), "high": crate::fit::num(hi)}),
            None => v["censoring"] = json!({"exact": exact, "left": left, "right": right, "interval": interval}),
        }
        if args.missing == Missing::Drop {
            v["dropped"] = r.dropped.json();
        }
        return Ok(format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let what = describe(&r, truncate);
    let source = format!("{} (column {}; {what})", args.file.display(), r.name);
    Ok(crate::fit::fit_text(&report, &source, intervals.as_deref())
        + &r.dropped.note().map_or(String::new(), |n| format!("{n}\n")))
}

/// `xent fit --family auto` with censoring or truncation: every continuous
/// family, ranked by AIC.
pub fn auto(args: &FitArgs) -> Result<String, CliError> {
    check(args)?;
    let truncate = bounds(args)?;
    let r = read(args)?;
    let opts = options(Vec::new(), args.max_iterations);
    let (mut fitted, mut skipped) = (Vec::new(), Vec::new());
    for family in Family::all().into_iter().filter(CdfModel::has_cdf) {
        match fit_one(&family, &r, truncate, &opts) {
            // The header says how the data are censored; the table names families.
            Ok(rep) => fitted.push(FitReport { model: family.name(), ..rep }),
            Err(e) => skipped.push((family.name(), e.to_string())),
        }
    }
    if fitted.is_empty() {
        let why: Vec<String> = skipped.iter().map(|(f, e)| format!("{f}: {e}")).collect();
        return Err(CliError::Data(format!("no family could be fitted: {}", why.join("; "))));
    }
    fitted.sort_by(|a, b| a.aic().total_cmp(&b.aic()));
    let name = format!("{}; {}", r.name, describe(&r, truncate));
    Ok(ranking(args, &name, r.n(), &fitted, &skipped, &r.dropped))
}
