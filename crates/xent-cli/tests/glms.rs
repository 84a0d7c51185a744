//! `xent regress` with the GLMs statsmodels users expect — `--offset`,
//! `--exposure`, `--model gamma|negbin|binomial --trials` — on every case
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
    let names: Vec<&String> = cols.keys().collect();
    let values: Vec<Vec<f64>> = names.iter().map(|k| nums(&cols[*k])).collect();
    let mut text = names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",") + "\n";
    for i in 0..values[0].len() {
        text += &values.iter().map(|c| format!("{:e}", c[i])).collect::<Vec<_>>().join(",");
        text += "\n";
    }
    let name = case["name"].as_str().expect("name");
    let path = write(&format!("glm-{name}.csv"), &text);
    let model = match case["model"].as_str().expect("model") {
        "gamma_log" => "gamma",
        m => m,
    };
    let features: Vec<&str> = names.iter().filter(|k| k.starts_with('x')).map(|s| s.as_str()).collect();
    let mut args = vec!["regress".to_string(), path.display().to_string()];
    args.extend(["--model", model, "--target", "y", "--json", "--features"].map(String::from));
    args.push(features.join(","));
    for flag in ["offset", "exposure", "trials"] {
        if cols.contains_key(flag) {
            args.push(format!("--{flag}"));
            args.push(flag.to_string());
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
        let keys: Vec<String> =
            std::iter::once("intercept".to_string()).chain((1..coef.len()).map(|j| format!("x{j}"))).collect();
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
