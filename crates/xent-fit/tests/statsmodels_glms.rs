//! The GLMs statsmodels users expect — offsets and exposures, binomial
//! counts, Gamma with log link, negative binomial — against every case of
//! `tests/reference/data/glm_statsmodels.json` (statsmodels 0.15, from
//! `tests/reference/scripts/glm_statsmodels.py`, read at run time), and
//! their own properties: offsets as known coefficients, counts as expanded
//! trials, the negative binomial's Poisson boundary, scale equivariance.

use nalgebra::DMatrix;
use serde_json::Value;
use xent_fit::{
    Covariance, FitFailure, FitOptions, FitReport, GlmData, fit_binomial_counts, fit_conditional, fit_glm, indicators,
    log_exposure,
};
use xent_objectives::conditional::{Design, GammaLog, Logistic, NegativeBinomialLog, PoissonLog};
use xent_reference::generated_path;

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

/// A case's design (`x1, x2, …` with an intercept), target and named columns.
struct Case {
    name: String,
    model: String,
    design: Design,
    cols: serde_json::Map<String, Value>,
    v: Value,
}

impl Case {
    fn col(&self, name: &str) -> Option<Vec<f64>> {
        self.cols.get(name).map(nums)
    }
    /// The offset of the case: its `offset` column, or `ln exposure` (the
    /// column `exposure`, or the one the case's `exposure` names).
    fn offset(&self) -> Option<Vec<f64>> {
        let exposure = self.v.get("exposure").and_then(Value::as_str).unwrap_or("exposure");
        match (self.col("offset"), self.col(exposure)) {
            (Some(o), None) => Some(o),
            (None, Some(t)) => Some(log_exposure(&t).expect("exposure")),
            (None, None) => None,
            (Some(_), Some(_)) => panic!("{}: both offset and exposure", self.name),
        }
    }
    fn fit(&self, covariance: Covariance) -> Result<FitReport, FitFailure> {
        let y = self.col("y").expect("y");
        let off = self.offset();
        let opts = FitOptions::default().with_covariance(covariance);
        let data = GlmData::new(&self.design, &y);
        let data = match &off {
            Some(o) => data.with_offset(o),
            None => data,
        };
        match self.model.as_str() {
            "poisson" => fit_glm(PoissonLog, &data, &opts),
            "logistic" => fit_glm(Logistic, &data, &opts),
            "gamma_log" => fit_glm(GammaLog, &data, &opts),
            "negbin" => fit_glm(NegativeBinomialLog, &data, &opts),
            "binomial" => {
                let trials = self.col("trials").expect("trials");
                fit_binomial_counts(&self.design, &y, &trials, None, off.as_deref(), &opts)
            }
            other => panic!("{}: unknown model {other}", self.name),
        }
    }
}

fn cases() -> Vec<Case> {
    let path = generated_path("glm_statsmodels.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let list = doc["cases"].as_array().expect("cases").clone();
    assert!(!list.is_empty());
    list.into_iter()
        .map(|v| {
            let cols = v["columns"].as_object().expect("columns").clone();
            let n = v["n"].as_u64().expect("n") as usize;
            // The features: x1, x2, … or the case's list, text columns as
            // indicators (treatment coding, as statsmodels' C(col)).
            let features: Vec<String> = match v.get("features") {
                Some(f) => f.as_array().expect("features").iter().map(|s| s.as_str().unwrap().to_string()).collect(),
                None => (1..).map(|j| format!("x{j}")).take_while(|k| cols.contains_key(k)).collect(),
            };
            let (mut xs, mut names): (Vec<Vec<f64>>, Vec<String>) = (Vec::new(), Vec::new());
            for f in &features {
                match v.get("text_columns").and_then(|t| t.get(f)) {
                    Some(labels) => {
                        let labels: Vec<String> =
                            labels.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
                        let d = indicators(f, &labels, None).expect("indicators");
                        xs.extend(d.columns);
                        names.extend(d.names);
                    }
                    None => {
                        xs.push(nums(&cols[f]));
                        names.push(f.clone());
                    }
                }
            }
            let x = DMatrix::from_fn(n, xs.len(), |i, j| xs[j][i]);
            let design = Design::new(&x, true).expect("design").with_names(names).expect("names");
            Case {
                name: v["name"].as_str().expect("name").to_string(),
                model: v["model"].as_str().expect("model").to_string(),
                design,
                cols,
                v,
            }
        })
        .collect()
}

/// `|a − b| ≤ rel · max(1, |b|)`.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

/// Every case: coefficients and the extra parameter to 1e-8 (statsmodels
/// stops Newton at a step of 1e-14, xent at an average gradient of 1e-10,
/// which moves an estimate by the gradient over the curvature, ~1e-10 here),
/// standard errors to 1e-8 relative (analytic observed information on both
/// sides: the Hessian at estimates 1e-10 apart; the script checks them
/// against a numerical Hessian to 1e-5), the log-likelihood to 1e-12
/// relative (flat at the optimum: second order in the estimates' error);
/// HC0 sandwich errors to 1e-8. Seen: 1.2e-11, 9e-12, 4e-15.
#[test]
fn every_case_matches_statsmodels() {
    let mut failures = Vec::new();
    let mut worst = [0.0f64; 3];
    let all = cases();
    for c in &all {
        let r = match c.fit(Covariance::Observed) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", c.name));
                continue;
            }
        };
        let mut want = nums(&c.v["coef"]);
        for extra in ["ln_shape", "ln_alpha"] {
            if let Some(v) = c.v.get(extra) {
                want.push(v.as_f64().expect("extra"));
            }
        }
        assert_eq!(r.estimates.len(), want.len(), "{}: parameters {:?}", c.name, r.names);
        if let Some(names) = c.v.get("coef_names") {
            // statsmodels' columns in xent's names, in the same order.
            let want: Vec<&str> = names.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            let got = c.design.column_names();
            assert_eq!(got, want, "{}", c.name);
        }
        for (i, (g, w)) in r.estimates.iter().zip(&want).enumerate() {
            worst[0] = worst[0].max((g - w).abs() / w.abs().max(1.0));
            if !close(*g, *w, 1e-8) {
                failures.push(format!("{}: {} = {g}, statsmodels {w}", c.name, r.names[i]));
            }
        }
        for (i, (g, w)) in r.std_errors.iter().zip(nums(&c.v["std_err"])).enumerate() {
            worst[1] = worst[1].max((g - w).abs() / w);
            if !((g - w).abs() <= 1e-8 * w) {
                failures.push(format!("{}: se({}) = {g}, statsmodels {w}", c.name, r.names[i]));
            }
        }
        let ll = c.v["log_likelihood"].as_f64().expect("llf");
        worst[2] = worst[2].max((r.log_likelihood - ll).abs() / ll.abs());
        if !((r.log_likelihood - ll).abs() <= 1e-12 * ll.abs()) {
            failures.push(format!("{}: log-likelihood {} vs {ll}", c.name, r.log_likelihood));
        }
        if let Some(hc0) = c.v.get("std_err_hc0") {
            let s = c.fit(Covariance::Sandwich).expect("sandwich fit");
            for (i, (g, w)) in s.std_errors.iter().zip(nums(hc0)).enumerate() {
                if !((g - w).abs() <= 1e-8 * w) {
                    failures.push(format!("{}: HC0 se({}) = {g}, statsmodels {w}", c.name, r.names[i]));
                }
            }
        }
    }
    eprintln!("worst: estimates {:.1e}, errors {:.1e}, log-likelihood {:.1e}", worst[0], worst[1], worst[2]);
    assert!(all.len() >= 9, "{} cases", all.len());
    assert!(failures.is_empty(), "{} failures:\n  {}", failures.len(), failures.join("\n  "));
}

fn claims(n: usize) -> (DMatrix<f64>, Vec<f64>, Vec<f64>) {
    // A deterministic scatter: x in [−1, 1], exposure in [0.5, 3.5], counts
    // spread about their mean by factors 0.1 … 3 (over-dispersed; no random
    // numbers needed for these properties).
    let x = DMatrix::from_fn(n, 1, |i, _| ((i * 37 % 101) as f64 / 50.0) - 1.0);
    let t: Vec<f64> = (0..n).map(|i| 0.5 + (i * 53 % 97) as f64 / 32.0).collect();
    let spread = [0.1, 0.5, 1.0, 1.6, 3.0];
    let y: Vec<f64> = (0..n).map(|i| (2.0 * t[i] * (0.3 + 0.5 * x[(i, 0)]).exp() * spread[i % 5]).round()).collect();
    (x, y, t)
}

/// A constant offset `c` is the intercept shifted by `−c`: the same
/// likelihood, slopes and errors (to the optimiser's tolerance).
#[test]
fn a_constant_offset_moves_only_the_intercept() {
    let (x, y, _) = claims(300);
    let design = Design::new(&x, true).unwrap();
    let plain = fit_conditional(PoissonLog, &design, &y, &FitOptions::default()).unwrap();
    let c = vec![2.5; y.len()];
    let off = fit_glm(PoissonLog, &GlmData::new(&design, &y).with_offset(&c), &FitOptions::default()).unwrap();
    assert!((off.estimates[0] - (plain.estimates[0] - 2.5)).abs() < 1e-9);
    assert!((off.estimates[1] - plain.estimates[1]).abs() < 1e-9);
    assert!((off.log_likelihood - plain.log_likelihood).abs() < 1e-9 * plain.log_likelihood.abs());
    for (a, b) in off.std_errors.iter().zip(&plain.std_errors) {
        assert!((a - b).abs() < 1e-7 * b, "{a} vs {b}");
    }
}

/// An offset with weights is the offset on the expanded rows; a weight of
/// 0 drops the row, whatever its offset.
#[test]
fn offsets_with_weights_are_the_expanded_data() {
    let (x, y, t) = claims(120);
    let w: Vec<f64> = (0..y.len()).map(|i| (i % 4) as f64).collect();
    let o = log_exposure(&t).unwrap();
    let design = Design::new(&x, true).unwrap();
    let opts = FitOptions::default();
    for model in ["poisson", "negbin", "gamma"] {
        let mut idx = Vec::new();
        for (i, &wi) in w.iter().enumerate() {
            idx.extend(std::iter::repeat_n(i, wi as usize));
        }
        let ye: Vec<f64> = idx.iter().map(|&i| if model == "gamma" { y[i] + 0.5 } else { y[i] }).collect();
        let yw: Vec<f64> = y.iter().map(|v| if model == "gamma" { v + 0.5 } else { *v }).collect();
        let oe: Vec<f64> = idx.iter().map(|&i| o[i]).collect();
        let de = Design::new(&DMatrix::from_fn(idx.len(), 1, |r, _| x[(idx[r], 0)]), true).unwrap();
        let weighted = GlmData::new(&design, &yw).with_weights(&w).with_offset(&o);
        let expanded = GlmData::new(&de, &ye).with_offset(&oe);
        let (a, b) = match model {
            "poisson" => (fit_glm(PoissonLog, &weighted, &opts), fit_glm(PoissonLog, &expanded, &opts)),
            "negbin" => {
                (fit_glm(NegativeBinomialLog, &weighted, &opts), fit_glm(NegativeBinomialLog, &expanded, &opts))
            }
            _ => (fit_glm(GammaLog, &weighted, &opts), fit_glm(GammaLog, &expanded, &opts)),
        };
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.n, b.n);
        for i in 0..a.estimates.len() {
            assert!((a.estimates[i] - b.estimates[i]).abs() < 1e-8, "{model} {}: {a:?} {b:?}", a.names[i]);
            assert!((a.std_errors[i] - b.std_errors[i]).abs() < 1e-6 * b.std_errors[i], "{model}");
        }
        assert!((a.log_likelihood - b.log_likelihood).abs() < 1e-9 * b.log_likelihood.abs(), "{model}");
    }
}

/// Binomial counts are their trials expanded into 0/1 rows of a logistic
/// regression: the same coefficients and errors, the log-likelihood apart
/// by Σ ln C(n, s); n counts rows; bad counts name the row.
#[test]
fn binomial_counts_are_expanded_trials() {
    let x = DMatrix::from_fn(30, 1, |i, _| i as f64 / 10.0 - 1.5);
    let trials: Vec<f64> = (0..30).map(|i| (1 + i % 7) as f64).collect();
    let succ: Vec<f64> = (0..30).map(|i| ((trials[i] * (0.3 + 0.02 * i as f64)).round()).min(trials[i])).collect();
    let design = Design::new(&x, true).unwrap();
    let opts = FitOptions::default();
    let counts = fit_binomial_counts(&design, &succ, &trials, None, None, &opts).unwrap();
    let (mut xe, mut ye) = (Vec::new(), Vec::new());
    let mut ln_c = 0.0;
    for i in 0..30 {
        for k in 0..trials[i] as usize {
            xe.push(x[(i, 0)]);
            ye.push(f64::from(u8::from((k as f64) < succ[i])));
        }
        ln_c += xent_objectives::conditional::ln_choose(trials[i], succ[i]);
    }
    let de = Design::new(&DMatrix::from_column_slice(xe.len(), 1, &xe), true).unwrap();
    let bern = fit_conditional(Logistic, &de, &ye, &opts).unwrap();
    for i in 0..2 {
        assert!((counts.estimates[i] - bern.estimates[i]).abs() < 1e-9);
        assert!((counts.std_errors[i] - bern.std_errors[i]).abs() < 1e-8 * bern.std_errors[i]);
    }
    assert!((counts.log_likelihood - (bern.log_likelihood + ln_c)).abs() < 1e-9 * counts.log_likelihood.abs());
    assert_eq!(counts.n, 30.0);
    // Rows of zero trials carry nothing.
    let (mut t0, mut s0) = (trials.clone(), succ.clone());
    t0[3] = 0.0;
    s0[3] = 0.0;
    let dropped = fit_binomial_counts(&design, &s0, &t0, None, None, &opts).unwrap();
    assert_eq!(dropped.n, 29.0);
    let mut bad = succ.clone();
    bad[7] = trials[7] + 1.0;
    match fit_binomial_counts(&design, &bad, &trials, None, None, &opts) {
        Err(FitFailure::InvalidValue { what: "successes", index: 7, .. }) => {}
        other => panic!("{other:?}"),
    }
    let mut frac = trials.clone();
    frac[2] = 2.5;
    assert!(matches!(
        fit_binomial_counts(&design, &succ, &frac, None, None, &opts),
        Err(FitFailure::InvalidValue { what: "trials", index: 2, .. })
    ));
    assert!(matches!(log_exposure(&[1.0, -2.0]), Err(FitFailure::InvalidValue { what: "exposure", index: 1, .. })));
}

/// Counts no more dispersed than Poisson's: the negative binomial's α̂ is
/// at the boundary 0 — an error that says so, never a "converged" α̂ of
/// 1e-9 with an enormous standard error.
#[test]
fn negative_binomial_without_over_dispersion_is_the_poisson_boundary() {
    let n = 400;
    let x = DMatrix::from_fn(n, 1, |i, _| (i % 20) as f64 / 10.0 - 1.0);
    // Under-dispersed counts: 2 or 3 around a mean that varies a little.
    let y: Vec<f64> = (0..n).map(|i| 2.0 + ((i / 20) % 2) as f64).collect();
    let design = Design::new(&x, true).unwrap();
    match fit_conditional(NegativeBinomialLog, &design, &y, &FitOptions::default()) {
        Err(FitFailure::NoFiniteMle { reason }) => assert!(reason.contains("over-dispersion"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

/// Gamma and negative-binomial fits are equivariant: Gamma targets times
/// 2⁶⁰⁰ (and 2⁻⁶⁰⁰) move only the intercept (by 600 ln 2) with the same
/// shape and errors; features times 1e150 divide their slopes.
#[test]
fn gamma_fits_are_scale_equivariant() {
    let c = cases();
    let case = c.iter().find(|c| c.name == "gamma_log").expect("gamma_log case");
    let y = case.col("y").unwrap();
    let base = fit_conditional(GammaLog, &case.design, &y, &FitOptions::default()).unwrap();
    for e in [600, -600] {
        let s = 2f64.powi(e);
        let ys: Vec<f64> = y.iter().map(|v| v * s).collect();
        let r = fit_conditional(GammaLog, &case.design, &ys, &FitOptions::default()).unwrap();
        assert!((r.estimates[0] - base.estimates[0] - f64::from(e) * std::f64::consts::LN_2).abs() < 1e-8);
        for i in 1..base.estimates.len() {
            assert!((r.estimates[i] - base.estimates[i]).abs() < 1e-8, "{e}: {}", r.names[i]);
            assert!((r.std_errors[i] - base.std_errors[i]).abs() < 1e-6 * base.std_errors[i]);
        }
    }
    let xs = DMatrix::from_fn(case.design.n(), case.design.p() - 1, |i, j| case.design.matrix()[(i, j + 1)] * 1e150);
    let r = fit_conditional(GammaLog, &Design::new(&xs, true).unwrap(), &y, &FitOptions::default()).unwrap();
    for j in 1..case.design.p() {
        assert!((r.estimates[j] * 1e150 - base.estimates[j]).abs() < 1e-8 * base.estimates[j].abs().max(1.0));
    }
}
