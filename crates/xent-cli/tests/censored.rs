//! `xent fit` on censored and truncated data: every censored case of
//! `tests/reference/data/censored_fits.json` (SciPy, from
//! `tests/reference/scripts/censored_scipy.py`) written as a LOW,HIGH
//! table and fitted through the binary, the indicator columns, and the
//! argument and data errors.

mod common;

use common::{ok, write, xent};
use serde_json::Value;
use xent_reference::generated_path;

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(&xent(args))).expect("JSON")
}

fn err(args: &[&str]) -> (i32, String) {
    let out = xent(args);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Each observation as a row of the `--interval` convention: exact
/// `x,x`; left `,x`; right `x,`; interval `a,b`. Parameters to 1e-6
/// relative, the log-likelihood no lower than SciPy's minus 1e-9.
#[test]
fn every_censored_case_through_the_binary() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(generated_path("censored_fits.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for c in doc["cases"].as_array().unwrap().iter().filter(|c| c["kind"] == "censored") {
        let family = c["family"].as_str().unwrap();
        let mut text = String::from("low,high\n");
        for o in c["observations"].as_array().unwrap() {
            let a = o[1].as_f64().unwrap();
            text += &match o[0].as_str().unwrap() {
                "exact" => format!("{a:e},{a:e}\n"),
                "left" => format!(",{a:e}\n"),
                "right" => format!("{a:e},\n"),
                _ => format!("{a:e},{:e}\n", o[2].as_f64().unwrap()),
            };
        }
        let p = write(&format!("censored-{family}.csv"), &text);
        let v = json(&["fit", p.to_str().unwrap(), "--family", family, "--interval", "low,high", "--json"]);
        for (name, want) in c["params"].as_object().unwrap() {
            let (got, want) = (v["params"][name].as_f64().unwrap_or(f64::NAN), want.as_f64().unwrap());
            if !((got - want).abs() <= 1e-6 * want.abs().max(1e-3)) {
                failures.push(format!("{family}: {name} = {got}, SciPy {want}"));
            }
        }
        let ll = c["log_likelihood"].as_f64().unwrap();
        if v["log_likelihood"].as_f64().unwrap() < ll - 1e-9 * ll.abs() {
            failures.push(format!("{family}: log-likelihood {} < {ll}", v["log_likelihood"]));
        }
        let counts = &v["censoring"];
        let total: u64 = ["exact", "left", "right", "interval"].iter().map(|k| counts[k].as_u64().unwrap()).sum();
        assert_eq!(total, c["observations"].as_array().unwrap().len() as u64);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Indicator columns: right-censored lifetimes give events / time on test.
#[test]
fn indicator_columns_and_truncation() {
    let p = write("life.csv", "hours,running,below\n2,0,no\n3,0,no\n1,0,no\n4,0,no\n5,1,no\n5,true,no\n");
    let f = p.to_str().unwrap();
    let v = json(&["fit", f, "--family", "exponential", "--column", "hours", "--censored-right", "running", "--json"]);
    assert!((v["params"]["rate"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    assert_eq!(v["censoring"]["right"], 2);
    assert_eq!(v["n"], 6);
    // Truncated below 0.5: memoryless, rate = 1 / mean excess = 6 / (20 − 3).
    let v = json(&["fit", f, "--family", "exponential", "--column", "hours", "--truncate", "0.5,inf", "--json"]);
    assert!((v["params"]["rate"].as_f64().unwrap() - 6.0 / 17.0).abs() < 1e-9);
    assert!(v["truncation"]["high"].is_null(), "an infinite bound prints as null");
    // auto: every continuous family, ranked.
    let v = json(&["fit", f, "--family", "auto", "--column", "hours", "--censored-right", "running", "--json"]);
    assert!(v["fits"].as_array().unwrap().len() >= 8);
}

#[test]
fn censoring_errors() {
    let p = write("life-bad.csv", "hours,running,left\n2,0,0\n3,maybe,0\n1,0,0\n4,1,1\n");
    let f = p.to_str().unwrap();
    let (code, e) = err(&["fit", f, "--family", "weibull", "--column", "hours", "--censored-right", "running"]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("line 3") && e.contains("maybe"), "{e}");
    let q = write("life-both.csv", "hours,running,left\n2,0,0\n3,0,0\n1,0,0\n4,1,1\n");
    let g = q.to_str().unwrap();
    let (code, e) = err(&[
        "fit",
        g,
        "--family",
        "weibull",
        "--column",
        "hours",
        "--censored-right",
        "running",
        "--censored-left",
        "left",
    ]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("line 5") && e.contains("both"), "{e}");
    let r = write("iv-bad.csv", "low,high\n1,1\n3,2\n2,4\n");
    let (code, e) = err(&["fit", r.to_str().unwrap(), "--family", "gamma", "--interval", "low,high"]);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("line 3") && e.contains("empty"), "{e}");
    for bad in [
        vec!["--family", "poisson", "--censored-right", "running"],
        vec!["--family", "gamma", "--censored-right", "running", "--plot", "/tmp/x.svg"],
        vec!["--family", "gamma", "--truncate", "5,1"],
        vec!["--family", "gamma", "--truncate", "1"],
        vec!["--family", "gamma", "--truncate", "0,inf", "--censored-right", "running"],
    ] {
        let mut args = vec!["fit", g, "--column", "hours"];
        args.extend(&bad);
        let (code, e) = err(&args);
        assert_eq!(code, 2, "{bad:?}: {e}");
    }
}
