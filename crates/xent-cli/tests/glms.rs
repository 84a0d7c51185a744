//! `xent regress` with the GLMs statsmodels users expect — `--offset`,
//! `--exposure`, `--model gamma|negbin|binomial --trials`, text columns as
//! categorical predictors — on every case
//! of `tests/reference/data/glm_statsmodels.json` (statsmodels 0.15, from
//! `tests/reference/scripts/glm_statsmodels.py`), written out as CSV files
//! with the numbers printed to 17 digits; and the argument errors.

mod common;

use common::{ok, write, xent};
use serde_json::Value;
use xent_reference::generated_path;

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

/// The case as a CSV file (its columns in the JSON's order) and the
/// arguments that fit it.
fn csv_and_args(case: &Value) -> (std::path::PathBuf, Vec<String>) {
    let cols = case["columns"].as_object().expect("columns");
    let empty = serde_json::Map::new();
    let labels = case.get("text_columns").and_then(Value::as_object).unwrap_or(&empty);
    let names: Vec<&String> = cols.keys().chain(labels.keys()).collect();
    let cells: Vec<Vec<String>> = names
        .iter()
        .map(|k| match cols.get(*k) {
            Some(c) => nums(c).iter().map(|v| format!("{v:e}")).collect(),
            None => labels[*k].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect(),
        })
        .collect();
    let mut text = names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",") + "\n";
    for i in 0..cells[0].len() {
        text += &cells.iter().map(|c| c[i].as_str()).collect::<Vec<_>>().join(",");
        text += "\n";
    }
    let name = case["name"].as_str().expect("name");
    let path = write(&format!("glm-{name}.csv"), &text);
    let model = match case["model"].as_str().expect("model") {
        "gamma_log" => "gamma",
        m => m,
    };
    let features: Vec<&str> = match case.get("features") {
        Some(f) => f.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect(),
        None => names.iter().filter(|k| k.starts_with('x')).map(|s| s.as_str()).collect(),
    };
    let mut args = vec!["regress".to_string(), path.display().to_string()];
    args.extend(["--model", model, "--target", "y", "--json", "--features"].map(String::from));
    args.push(features.join(","));
    for flag in ["offset", "exposure", "trials"] {
        let column = case.get(flag).and_then(Value::as_str).unwrap_or(flag);
        if cols.contains_key(column) {
            args.push(format!("--{flag}"));
            args.push(column.to_string());
        }
    }
    (path, args)
}

/// Every case to the library test's tolerances (see
/// `crates/xent-fit/tests/statsmodels_glms.rs`): the CSV's 17 digits carry
/// the data exactly, so the binary must give the library's answer.
#[test]
fn every_statsmodels_case_through_the_binary() {
    let text = std::fs::read_to_string(generated_path("glm_statsmodels.json")).expect("reference");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().unwrap();
        let (_, args) = csv_and_args(case);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out: Value = serde_json::from_str(&ok(&xent(&argv))).expect("JSON output");
        let coef = nums(&case["coef"]);
        let se = nums(&case["std_err"]);
        let keys: Vec<String> = match case.get("coef_names") {
            Some(k) => k.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect(),
            None => std::iter::once("intercept".to_string()).chain((1..coef.len()).map(|j| format!("x{j}"))).collect(),
        };
        for (i, k) in keys.iter().enumerate() {
            let (g, s) = (out["coefficients"][k].as_f64().unwrap(), out["std_errors"][k].as_f64().unwrap());
            if (g - coef[i]).abs() > 1e-8 * coef[i].abs().max(1.0) || (s - se[i]).abs() > 1e-8 * se[i] {
                failures.push(format!("{name} {k}: {g} ± {s}, statsmodels {} ± {}", coef[i], se[i]));
            }
        }
        // The dispersion on its natural scale, its error by the delta method.
        for (key, printed) in [("ln_shape", "shape"), ("ln_alpha", "alpha")] {
            if let Some(v) = case.get(key) {
                let want = v.as_f64().unwrap().exp();
                let want_se = want * se[coef.len()];
                let (g, s) = (out[printed].as_f64().unwrap(), out[format!("{printed}_std_error")].as_f64().unwrap());
                if (g - want).abs() > 1e-8 * want || (s - want_se).abs() > 1e-8 * want_se {
                    failures.push(format!("{name} {printed}: {g} ± {s}, want {want} ± {want_se}"));
                }
            }
        }
        let ll = case["log_likelihood"].as_f64().unwrap();
        if (out["log_likelihood"].as_f64().unwrap() - ll).abs() > 1e-12 * ll.abs() {
            failures.push(format!("{name}: log-likelihood {} vs {ll}", out["log_likelihood"]));
        }
        if out["n"].as_u64() != case["n"].as_u64() {
            failures.push(format!("{name}: n {} vs {}", out["n"], case["n"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn err(args: &[&str]) -> (i32, String) {
    let out = xent(args);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Bad combinations are usage errors (exit 2); bad values are data
/// errors (exit 1) naming the line, in one `error:` line.
#[test]
fn offsets_exposures_and_trials_are_checked() {
    let p = write("glm-bad.csv", "y,x,t,n\n1,0.5,2,3\n0,1.5,1,4\n2,2.5,0,2\n3,0.1,3,5\n1,0.7,1.5,3\n");
    let f = p.to_str().unwrap();
    let usage = [
        vec!["--model", "poisson", "--exposure", "t", "--offset", "t"],
        vec!["--model", "logistic", "--exposure", "t"],
        vec!["--model", "softmax", "--offset", "t"],
        vec!["--model", "binomial"],
        vec!["--model", "poisson", "--trials", "n"],
        vec!["--model", "poisson", "--offset", "y"],
        vec!["--model", "poisson", "--offset", "t", "--weights", "t"],
        vec!["--model", "poisson", "--offset", "x", "--features", "x"],
    ];
    for extra in usage {
        let mut args = vec!["regress", f, "--target", "y"];
        args.extend(&extra);
        let (code, e) = err(&args);
        assert_eq!(code, 2, "{extra:?}: {e}");
        // clap's own conflicts add its usage lines; ours are one line.
        assert!(e.starts_with("error:"), "{extra:?}: {e}");
        assert!(e.contains("Usage:") || e.trim_end().lines().count() == 1, "{extra:?}: {e}");
    }
    // An exposure of 0 (line 4), a fractional count of trials (line 6),
    // more successes than trials.
    let (code, e) = err(&["regress", f, "--target", "y", "--model", "poisson", "--features", "x", "--exposure", "t"]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("line 4") && e.contains("exposure"), "{e}");
    let (code, e) = err(&["regress", f, "--target", "y", "--model", "binomial", "--features", "x", "--trials", "t"]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("line 6") && e.contains("trials"), "{e}");
    let q = write("glm-bad2.csv", "y,x,n\n1,0.5,3\n5,1.5,4\n2,2.5,2\n");
    let (code, e) = err(&[
        "regress",
        q.to_str().unwrap(),
        "--target",
        "y",
        "--model",
        "binomial",
        "--features",
        "x",
        "--trials",
        "n",
    ]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("line 3") && e.contains("successes"), "{e}");
}

/// Under-dispersed counts: the negative binomial says there is no
/// over-dispersion (exit 1, one line) instead of printing α̂ ≈ 0.
#[test]
fn negbin_without_over_dispersion_says_so() {
    let mut text = String::from("y,x\n");
    for i in 0..200 {
        text += &format!("{},{}\n", 2 + (i / 20) % 2, f64::from(i % 20) / 10.0);
    }
    let p = write("glm-underdispersed.csv", &text);
    let (code, e) = err(&["regress", p.to_str().unwrap(), "--target", "y", "--model", "negbin"]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("over-dispersion") && e.contains("Poisson"), "{e}");
}

/// Text columns are categorical (`col[level]` against the first level in
/// sorted order, or `--reference`); numeric codes with `--categorical`;
/// identifiers are left out of the default features with a note; a
/// softmax target may be labels, and the report names the classes.
#[test]
fn categorical_predictors_and_text_labels() {
    let mut text = String::from("y,region,code,id,x\n");
    let regions = ["north", "south", "east", "west"];
    for i in 0..80u32 {
        let r = regions[(i % 4) as usize];
        let x = f64::from(i % 9) / 4.0;
        let y = (i % 4 == 1 || i % 4 == 3) ^ (x > 1.0) ^ (i % 7 == 0);
        text += &format!("{},{r},{},row{i},{x}\n", u8::from(y), 1 + i % 3);
    }
    let p = write("glm-categorical.csv", &text);
    let f = p.to_str().unwrap();
    let json = |extra: &[&str]| -> (Value, String) {
        let mut args = vec!["regress", f, "--target", "y", "--model", "logistic", "--json"];
        args.extend(extra);
        let out = xent(&args);
        let v = serde_json::from_str(&ok(&out)).expect("JSON");
        (v, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (v, note) = json(&[]);
    let names: Vec<&String> = v["coefficients"].as_object().unwrap().keys().collect();
    assert!(note.contains("id"), "the identifier is named as left out: {note}");
    for k in ["intercept", "region[north]", "region[south]", "region[west]", "code", "x"] {
        assert!(names.iter().any(|n| *n == k), "{k} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("east")), "east is the reference: {names:?}");
    let (v, _) = json(&["--features", "region,code,x", "--categorical", "code", "--reference", "region=west"]);
    let names: Vec<&String> = v["coefficients"].as_object().unwrap().keys().collect();
    for k in ["region[east]", "region[north]", "region[south]", "code[2]", "code[3]"] {
        assert!(names.iter().any(|n| *n == k), "{k} in {names:?}");
    }
    // The reference coding is a reparametrisation: the same likelihood.
    let (a, _) = json(&["--features", "region,x"]);
    let (b, _) = json(&["--features", "region,x", "--reference", "region=south"]);
    let (la, lb) = (a["log_likelihood"].as_f64().unwrap(), b["log_likelihood"].as_f64().unwrap());
    assert!((la - lb).abs() < 1e-9 * la.abs(), "{la} vs {lb}");
    let d = a["coefficients"]["region[south]"].as_f64().unwrap();
    let e = b["coefficients"]["intercept"].as_f64().unwrap() - a["coefficients"]["intercept"].as_f64().unwrap();
    assert!((d - e).abs() < 1e-7, "{d} vs {e}");
    // Argument errors: exit 2.
    for bad in [
        vec!["--reference", "region=nowhere"],
        vec!["--reference", "x=1"],
        vec!["--reference", "region"],
        vec!["--features", "x", "--categorical", "code"],
    ] {
        let mut args = vec!["regress", f, "--target", "y", "--model", "logistic"];
        args.extend(&bad);
        let (code, e) = err(&args);
        assert_eq!(code, 2, "{bad:?}: {e}");
    }
    let (_, e) = err(&["regress", f, "--target", "y", "--model", "logistic", "--reference", "region=nowhere"]);
    assert!(e.contains("north") && e.contains("nowhere"), "the levels are listed: {e}");
    // A softmax over text labels names its classes.
    let out = ok(&xent(&["regress", f, "--target", "region", "--model", "softmax", "--features", "x", "--json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reference_class"], "east");
    let classes: Vec<&String> = v["coefficients"].as_object().unwrap().keys().collect();
    assert_eq!(classes, ["north", "south", "west"]);
}

/// `--ci profile` gives statsmodels + brentq's profile intervals
/// (`profile_95`); `--compare` the likelihood-ratio test of dropping
/// features, equal to twice the difference of the two fits' log-likelihoods.
#[test]
fn profile_intervals_and_likelihood_ratio_tests() {
    let text = std::fs::read_to_string(generated_path("glm_statsmodels.json")).expect("reference");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    for case in doc["cases"].as_array().unwrap().iter().filter(|c| c.get("profile_95").is_some()) {
        let (_, mut args) = csv_and_args(case);
        args.extend(["--ci", "profile"].map(String::from));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out: Value = serde_json::from_str(&ok(&xent(&argv))).unwrap();
        let keys = ["intercept", "x1", "x2"];
        for (j, w) in case["profile_95"].as_array().unwrap().iter().enumerate() {
            let got = &out["profile_intervals"][keys[j]];
            for e in 0..2 {
                let (g, want) = (got[e].as_f64().unwrap(), w[e].as_f64().unwrap());
                assert!((g - want).abs() < 1e-7 * want.abs().max(1.0), "{} {}: {g} vs {want}", case["name"], keys[j]);
            }
        }
        // Dropping x2: the statistic is 2Δℓ of the fit without it.
        let mut with = args.clone();
        with.extend(["--compare", "x2"].map(String::from));
        let argv: Vec<&str> = with.iter().map(String::as_str).collect();
        let full: Value = serde_json::from_str(&ok(&xent(&argv))).unwrap();
        let mut without: Vec<String> = args.iter().filter(|a| *a != "profile" && *a != "--ci").cloned().collect();
        let at = without.iter().position(|a| a == "--features").unwrap();
        without[at + 1] = "x1".into();
        let argv: Vec<&str> = without.iter().map(String::as_str).collect();
        let small: Value = serde_json::from_str(&ok(&xent(&argv))).unwrap();
        let stat = 2.0 * (full["log_likelihood"].as_f64().unwrap() - small["log_likelihood"].as_f64().unwrap());
        let t = &full["lr_test"];
        assert!((t["statistic"].as_f64().unwrap() - stat).abs() < 1e-8 * stat.max(1.0), "{t} vs {stat}");
        assert_eq!(t["df"], 1);
    }
    let (code, e) = err(&["regress", "/dev/null", "--target", "y", "--model", "poisson", "--compare", "nope"]);
    assert!(code != 0, "{e}");
}
