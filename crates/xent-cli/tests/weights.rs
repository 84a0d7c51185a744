//! `xent fit --weights COL`: a frequency table fits as the data it counts.

mod common;

use common::{ok, write, xent};
use serde_json::Value;
use xent_reference::read_dataset;

/// A table `x,count` and the same data with each row repeated `count` times.
fn table(name: &str, values: &[f64], counts: &[u32]) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut t = String::from("x,count\n");
    let mut e = String::from("x\n");
    for (v, c) in values.iter().zip(counts) {
        t += &format!("{v},{c}\n");
        for _ in 0..*c {
            e += &format!("{v}\n");
        }
    }
    (write(&format!("{name}-table.csv"), &t), write(&format!("{name}-expanded.csv"), &e))
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(&xent(args))).expect("JSON")
}

fn fit_json(path: &std::path::Path, family: &str, weights: Option<&str>) -> Value {
    let mut args = vec!["fit", path.to_str().unwrap(), "--family", family, "--json"];
    if let Some(w) = weights {
        args.extend(["--weights", w]);
    }
    json(&args)
}

fn counts(n: usize) -> Vec<u32> {
    (0..n as u64).map(|i| ((i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61) % 5) as u32).collect()
}

#[test]
fn a_count_table_is_the_data_it_counts() {
    // Counts: exact sums, the same JSON to the last digit (streamed).
    let claims: Vec<f64> = (0..40).map(|i| f64::from(i % 7)).collect();
    let (t, e) = table("poisson", &claims, &counts(40));
    let (a, b) = (fit_json(&t, "poisson", Some("count")), fit_json(&e, "poisson", None));
    assert_eq!(a["params"], b["params"]);
    assert_eq!(a["n"], b["n"]);
    assert!(a["n"].is_u64(), "a whole n prints as an integer: {}", a["n"]);
    // Continuous data, streamed (gamma) and in memory (Weibull, Student t).
    let x: Vec<f64> = read_dataset("pub_gamma.csv").into_iter().take(300).collect();
    let (t, e) = table("gamma", &x, &counts(300));
    for family in ["gamma", "weibull", "student_t"] {
        let (a, b) = (fit_json(&t, family, Some("count")), fit_json(&e, family, None));
        assert_eq!(a["n"], b["n"], "{family}");
        for key in ["params", "std_errors"] {
            for (name, va) in a[key].as_object().unwrap() {
                let (va, vb) = (va.as_f64().unwrap(), b[key][name].as_f64().unwrap());
                assert!((va - vb).abs() <= 1e-7 * vb.abs(), "{family} {key} {name}: {va} vs {vb}");
            }
        }
        let (la, lb) = (a["log_likelihood"].as_f64().unwrap(), b["log_likelihood"].as_f64().unwrap());
        assert!((la - lb).abs() <= 1e-10 * lb.abs(), "{family}: {la} vs {lb}");
    }
}

#[test]
fn the_value_column_is_the_other_one_and_zero_weights_are_not_read() {
    // A row of weight 0 with a value no family accepts, and one that is
    // not even a number: neither is read.
    let t = write("zero-rows.csv", "count,x\n2,1.5\n0,-4\n1,2.5\n0,oops\n3,0.5\n");
    let e = write("zero-rows-expanded.csv", "x\n1.5\n1.5\n2.5\n0.5\n0.5\n0.5\n");
    let (a, b) = (fit_json(&t, "gamma", Some("count")), fit_json(&e, "gamma", None));
    assert_eq!(a["n"], 6);
    let (ra, rb) = (a["params"]["rate"].as_f64().unwrap(), b["params"]["rate"].as_f64().unwrap());
    assert!((ra - rb).abs() < 1e-12 * rb, "{ra} vs {rb}");
    // Fractional weights: n is Σw, printed as a number.
    let f = write("fractional.csv", "x,w\n1.5,0.5\n2.5,1.25\n0.5,1\n");
    let v = fit_json(&f, "exponential", Some("w"));
    assert_eq!(v["n"].as_f64(), Some(2.75));
    let rate = 2.75 / (1.5 * 0.5 + 2.5 * 1.25 + 0.5);
    assert!((v["params"]["rate"].as_f64().unwrap() - rate).abs() < 1e-15);
    // The text report and auto ranking count the weights too.
    let text = ok(&xent(&["fit", f.to_str().unwrap(), "--family", "exponential", "--weights", "w"]));
    assert!(text.contains("n = 2.75"), "{text}");
    let auto = ok(&xent(&["fit", t.to_str().unwrap(), "--family", "auto", "--weights", "count"]));
    assert!(auto.contains("n = 6, ranked by AIC"), "{auto}");
}

#[test]
fn a_weighted_plot_is_drawn() {
    let x: Vec<f64> = read_dataset("pub_gamma.csv").into_iter().take(200).collect();
    let (t, _) = table("plot", &x, &counts(200));
    let svg = common::scratch("weighted.svg");
    let args = ["fit", t.to_str().unwrap(), "--family", "gamma", "--weights", "count", "--plot", svg.to_str().unwrap()];
    ok(&xent(&args));
    let text = std::fs::read_to_string(&svg).expect("the SVG");
    let n: u32 = counts(200).iter().sum();
    assert!(text.contains(&format!("gamma fit, n = {n}")), "caption with Σw");
}

/// Exit `code` with one `error:` line containing `needle`.
fn fails(args: &[&str], code: i32, needle: &str) {
    let out = xent(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.starts_with("error: ") && (code == 2 || err.lines().count() == 1), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: `{needle}` not in {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_weights_are_one_line_errors() {
    let p = |name: &str, text: &str| write(name, text).to_str().unwrap().to_string();
    let neg = p("neg.csv", "x,w\n1,1\n2,-1\n");
    fails(&["fit", &neg, "--family", "gamma", "--weights", "w"], 1, "line 3, column `w`: weight `-1` is negative");
    fails(&["fit", &neg, "--family", "weibull", "--weights", "w"], 1, "weight `-1` is negative");
    let text = p("text.csv", "x,w\n1,1\n2,many\n");
    fails(&["fit", &text, "--family", "gamma", "--weights", "w"], 1, "line 3, column `w`: `many` is not a number");
    let nan = p("nan.csv", "x,w\n1,NaN\n");
    fails(&["fit", &nan, "--family", "gamma", "--weights", "w"], 1, "`NaN` is a missing value");
    let inf = p("inf.csv", "x,w\n1,inf\n");
    fails(&["fit", &inf, "--family", "gamma", "--weights", "w"], 1, "not finite");
    let zero = p("zero.csv", "x,w\n1,0\n2,0\n");
    fails(&["fit", &zero, "--family", "gamma", "--weights", "w"], 1, "every weight in column `w` is 0");
    fails(&["fit", &zero, "--family", "auto", "--weights", "w"], 1, "every weight in column `w` is 0");
    fails(&["fit", &zero, "--family", "gamma", "--weights", "nope"], 1, "no column `nope`");
    let three = p("three.csv", "x,y,w\n1,2,1\n");
    fails(&["fit", &three, "--family", "gamma", "--weights", "w"], 1, "choose one with --column");
    let out = xent(&["fit", &neg, "--family", "gamma", "--weights", "x", "--column", "x"]);
    assert_eq!(out.status.code(), Some(2), "the same column twice is a usage error");
    // A weight that makes an impossible value count is named by its line.
    let bad = p("bad-value.csv", "x,w\n1,1\n-2,0.5\n3,1\n");
    fails(&["fit", &bad, "--family", "gamma", "--weights", "w"], 1, "line 3");
    fails(&["fit", &bad, "--family", "weibull", "--weights", "w"], 1, "line 3");
    let little = p("little.csv", "x,w\n1,1\n2,0.5\n");
    fails(&["fit", &little, "--family", "weibull", "--weights", "w"], 1, "1.5 observations cannot determine 2");
}

/// A regression table `y,a,b,count` and its expanded file `y,a,b`.
fn regress_files(name: &str, y: &[f64], n: usize) -> (String, String) {
    let c = counts(n);
    let (mut t, mut e) = (String::from("y,a,count,b\n"), String::from("y,a,b\n"));
    for i in 0..n {
        let (a, b) = ((i as f64 * 0.61).sin(), 20.0 + (i % 7) as f64);
        t += &format!("{},{a},{},{b}\n", y[i], c[i]);
        for _ in 0..c[i] {
            e += &format!("{},{a},{b}\n", y[i]);
        }
    }
    let p = |f: &str, text: &str| write(&format!("{name}-{f}.csv"), text).to_str().unwrap().to_string();
    (p("table", &t), p("expanded", &e))
}

#[test]
fn a_weighted_regression_is_the_regression_of_the_rows_it_counts() {
    let n = 150;
    let eta: Vec<f64> = (0..n).map(|i| 0.2 + (i as f64 * 0.61).sin() - 0.05 * (i % 7) as f64).collect();
    let bits: Vec<f64> =
        (0..n).map(|i| f64::from(u8::from((i * 37 % 100) as f64 / 100.0 < 1.0 / (1.0 + (-eta[i]).exp())))).collect();
    let counts_y: Vec<f64> = (0..n).map(|i| (eta[i].exp() + (i % 3) as f64 - 1.0).max(0.0).round()).collect();
    let reals: Vec<f64> = (0..n).map(|i| eta[i] + ((i * 13 % 17) as f64 / 17.0 - 0.5)).collect();
    let classes: Vec<f64> =
        (0..n).map(|i| f64::from(((eta[i] + 1.0 + (i % 4) as f64 * 0.5) as u8).min(2) * 5)).collect();
    for (model, y) in [("logistic", &bits), ("poisson", &counts_y), ("linear", &reals), ("softmax", &classes)] {
        let (t, e) = regress_files(model, y, n);
        for se in ["observed", "sandwich"] {
            let a = json(&[
                "regress",
                &t,
                "--model",
                model,
                "--target",
                "y",
                "--weights",
                "count",
                "--std-errors",
                se,
                "--json",
            ]);
            let b = json(&["regress", &e, "--model", model, "--target", "y", "--std-errors", se, "--json"]);
            assert_eq!(a["n"], b["n"], "{model}");
            for key in ["coefficients", "std_errors"] {
                let flat = |v: &Value| -> Vec<f64> {
                    let mut out = Vec::new();
                    let mut walk = vec![v.clone()];
                    while let Some(x) = walk.pop() {
                        match x {
                            Value::Number(n) => out.push(n.as_f64().unwrap()),
                            Value::Object(m) => walk.extend(m.into_iter().map(|(_, v)| v)),
                            Value::Array(a) => walk.extend(a),
                            _ => {}
                        }
                    }
                    out
                };
                let (fa, fb) = (flat(&a[key]), flat(&b[key]));
                assert_eq!(fa.len(), fb.len(), "{model} {key}: {} vs {}", a[key], b[key]);
                assert!(!fa.is_empty());
                for (x, y) in fa.iter().zip(&fb) {
                    assert!((x - y).abs() <= 1e-6 * y.abs().max(1e-3), "{model} {se} {key}: {x} vs {y}");
                }
            }
        }
    }
    // The weights column is not a default feature; a zero-weight row with
    // an impossible target is not read.
    let t = write("reg-zero.csv", "y,a,count\n0,1.0,2\n1,2.0,1\n7.5,3.0,0\n0,4.0,1\n1,5.0,3\n1,0.5,1\n0,2.5,2\n");
    let v =
        json(&["regress", t.to_str().unwrap(), "--model", "logistic", "--target", "y", "--weights", "count", "--json"]);
    assert_eq!(v["n"], 10);
    assert_eq!(v["coefficients"].as_object().map(|m| m.len()), Some(2), "{}", v["coefficients"]);
    let text =
        ok(&xent(&["regress", t.to_str().unwrap(), "--model", "logistic", "--target", "y", "--weights", "count"]));
    assert!(text.contains("n = 10"), "{text}");
    let t = t.to_str().unwrap();
    fails(&["regress", t, "--model", "logistic", "--target", "y", "--weights", "y"], 2, "target");
    fails(
        &["regress", t, "--model", "logistic", "--target", "y", "--weights", "count", "--features", "a,count"],
        2,
        "cannot also be a feature",
    );
    let neg = write("reg-neg.csv", "y,a,w\n0,1,1\n1,2,-3\n");
    fails(
        &["regress", neg.to_str().unwrap(), "--model", "logistic", "--target", "y", "--weights", "w"],
        1,
        "line 3, column `w`: weight `-3` is negative",
    );
}
