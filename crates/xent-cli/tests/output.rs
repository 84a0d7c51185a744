//! What `xent` prints: text snapshots, the stable JSON shape, `--family
//! auto`'s ranking, and `xent verify` being `cargo xtask verify`.

mod common;

use common::{dataset, ok, reference_dir, xent, xent_in};
use serde_json::Value;

/// Runs `xent args…` and parses its JSON output.
fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(&xent(args))).expect("JSON output")
}

fn datasets() -> std::path::PathBuf {
    reference_dir().join("datasets")
}

#[test]
fn fit_text_snapshot() {
    insta::assert_snapshot!("fit_gamma", ok(&xent_in(&datasets(), &["fit", "pub_gamma.csv", "--family", "gamma"])));
    insta::assert_snapshot!(
        "fit_student_t_fixed",
        ok(&xent_in(&datasets(), &["fit", "pub_student_t.csv", "--family", "student_t", "--fix", "dof=4"]))
    );
}

#[test]
fn auto_text_snapshot_and_ranking() {
    let text = ok(&xent_in(&datasets(), &["fit", "pub_weibull.csv", "--family", "auto"]));
    insta::assert_snapshot!("fit_auto_weibull", text);
    let v = json(&["fit", dataset("pub_weibull.csv").to_str().unwrap(), "--family", "auto", "--json"]);
    let fits = v["fits"].as_array().unwrap();
    assert_eq!(fits[0]["family"], "weibull", "the generating family ranks first");
    let aics: Vec<f64> = fits.iter().map(|f| f["aic"].as_f64().unwrap()).collect();
    assert!(aics.windows(2).all(|w| w[0] <= w[1]), "ranked by AIC: {aics:?}");
    assert!(fits.iter().all(|f| !["poisson", "geometric"].contains(&f["family"].as_str().unwrap())));
    // Count data get the discrete families only.
    let v = json(&["fit", dataset("pub_poisson.csv").to_str().unwrap(), "--family", "auto", "--json"]);
    let names: Vec<&str> = v["fits"].as_array().unwrap().iter().map(|f| f["family"].as_str().unwrap()).collect();
    assert!(names.contains(&"poisson") && !names.contains(&"normal"), "{names:?}");
}

#[test]
fn regress_text_snapshots() {
    for (name, file, model) in [
        ("regress_linear", "pub_linear.csv", "linear"),
        ("regress_logistic", "pub_logistic.csv", "logistic"),
        ("regress_softmax", "pub_softmax.csv", "softmax"),
    ] {
        insta::assert_snapshot!(name, ok(&xent_in(&datasets(), &["regress", file, "--model", model, "--target", "y"])));
    }
}

#[test]
fn json_shapes_are_stable() {
    let v = json(&["fit", dataset("pub_normal.csv").to_str().unwrap(), "--family", "normal", "--json"]);
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "aic",
            "bic",
            "converged",
            "family",
            "iterations",
            "log_likelihood",
            "n",
            "params",
            "std_errors",
            "termination"
        ]
    );
    let v = json(&[
        "regress",
        dataset("pub_logistic.csv").to_str().unwrap(),
        "--model",
        "logistic",
        "--target",
        "y",
        "--features",
        "x1,x3",
        "--json",
    ]);
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["aic", "bic", "coefficients", "converged", "log_likelihood", "model", "n", "std_errors", "termination"]
    );
    let names: Vec<&String> = v["coefficients"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["intercept", "x1", "x3"]);
    // Without an intercept.
    let v = json(&[
        "regress",
        dataset("pub_linear.csv").to_str().unwrap(),
        "--model",
        "linear",
        "--target",
        "y",
        "--no-intercept",
        "--json",
    ]);
    assert!(v["coefficients"].get("intercept").is_none() && v["coefficients"].get("x1").is_some());
}

/// `xent verify` prints exactly what the harness (and so `cargo xtask
/// verify`) prints for the same flags.
#[test]
fn verify_is_the_harness() {
    let out = xent(&["verify", "--quick", "--json", "--filter", "(1)->(2a)"]);
    let cfg = xent_verify::Config { quick: true, filter: Some("(1)->(2a)".into()), ..xent_verify::Config::default() };
    let want = serde_json::to_string_pretty(&xent_verify::run(&cfg, &mut |_| {}).to_json()).unwrap() + "\n";
    assert_eq!(ok(&out), want);
    let text = ok(&xent(&["verify", "--quick", "--filter", "(1)->(2a)"]));
    assert!(text.contains("(1)->(2a)") && text.contains('✓'), "{text}");
}

/// `--std-errors`: `none` prints dashes (JSON nulls) for the errors, z and
/// p; `sandwich` and `expected` differ from the default where they should.
#[test]
fn standard_errors_can_be_chosen_or_skipped() {
    let mut csv = String::from("x,y\n");
    for i in 0..60u32 {
        let x = f64::from(i) / 10.0 - 3.0;
        csv += &format!("{x},{}\n", u8::from((i * 7) % 10 < 3 + 3 * u32::from(x > 0.0)));
    }
    let path = common::write("std_errors_choice.csv", &csv);
    let p = path.to_str().unwrap();
    let base = ["regress", p, "--model", "logistic", "--target", "y"];
    let with = |src: &str| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--std-errors", src, "--json"]);
        json(&a)
    };
    let none = with("none");
    assert!(none["std_errors"]["x"].is_null() && none["std_errors"]["intercept"].is_null());
    let observed = with("observed");
    assert_eq!(none["coefficients"], observed["coefficients"], "the estimate does not depend on the errors");
    let se = |v: &Value| v["std_errors"]["x"].as_f64().unwrap();
    assert_eq!(se(&with("expected")), se(&observed), "canonical link: expected = observed");
    let sandwich = se(&with("sandwich"));
    assert!(sandwich != se(&observed) && (sandwich / se(&observed) - 1.0).abs() < 0.5);
    let text = ok(&xent(&[&base[..], &["--std-errors", "none"]].concat()));
    let row = text.lines().find(|l| l.trim_start().starts_with("x ")).unwrap();
    assert_eq!(row.matches('—').count(), 5, "error, z, p and both ends of the interval: {row}");
}
