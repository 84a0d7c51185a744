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

/// The streaming normal fit at a large offset (1e15 + {.1, .2, .3}, the
/// values as parsed: 1e15 + {0.125, 0.25, 0.25}) agrees with the two-pass
/// answer on the deviations — it once rounded each update's δ/n away.
#[test]
fn streaming_normal_fit_at_a_large_offset() {
    let path = common::write("offset_normal.csv", "x\n1000000000000000.1\n1000000000000000.2\n1000000000000000.3\n");
    let v = json(&["fit", path.to_str().unwrap(), "--family", "normal", "--json"]);
    let xs: Vec<f64> = ["1000000000000000.1", "1000000000000000.2", "1000000000000000.3"]
        .iter()
        .map(|s| s.parse::<f64>().unwrap() - 1e15)
        .collect();
    let mean = xs.iter().sum::<f64>() / 3.0;
    let sd = (xs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
    let got_sd = v["params"]["std_dev"].as_f64().unwrap();
    assert!((got_sd - sd).abs() <= 1e-14 * sd, "σ̂ = {got_sd}, want {sd}");
    let got_mean = v["params"]["mean"].as_f64().unwrap();
    assert!((got_mean - (1e15 + mean)).abs() <= 0.125, "μ̂ = {got_mean}");
}

/// The streaming path (exponential families, no plot) agrees with the
/// library's in-memory fit at data scales of 2^±990 (1e±298): the stream
/// is divided by a power of two chosen from its first values, the fit
/// mapped back — before, 1e300 data were "outside the support" of the
/// normal and an exponential rate had a standard error of exactly 0.
#[test]
fn streaming_fits_at_extreme_scales_match_the_in_memory_fit() {
    use xent_fit::{FitOptions, fit_family};
    use xent_objectives::Family;
    let base: Vec<f64> = (0..400u32).map(|i| 0.2 + f64::from((i * 7919) % 997) / 300.0).collect();
    for k in [-990i32, 990] {
        let c = 2f64.powi(k);
        let xs: Vec<f64> = base.iter().map(|v| v * c).collect();
        let mut csv = String::from("x\n");
        for x in &xs {
            csv += &format!("{x:e}\n");
        }
        let path = common::write(&format!("extreme_scale_{k}.csv"), &csv);
        for (name, family) in [
            ("normal", Family::Normal),
            ("exponential", Family::Exponential),
            ("gamma", Family::Gamma),
            ("rayleigh", Family::Rayleigh),
            ("inverse_gaussian", Family::InverseGaussian),
            ("log_normal", Family::LogNormal),
        ] {
            let v = json(&["fit", path.to_str().unwrap(), "--family", name, "--json"]);
            let want = fit_family(&family, &xs, &FitOptions::default()).unwrap();
            for (i, p) in want.names.iter().enumerate() {
                let got = v["params"][p.as_str()].as_f64().unwrap();
                let se = v["std_errors"][p.as_str()].as_f64().unwrap();
                let w = want.estimates[i];
                assert!((got - w).abs() <= 1e-7 * w.abs().max(1e-300), "{name} 2^{k}: {p} = {got:e}, want {w:e}");
                assert!((se - want.std_errors[i]).abs() <= 1e-6 * want.std_errors[i], "{name} 2^{k}: se({p}) = {se:e}");
            }
            let ll = v["log_likelihood"].as_f64().unwrap();
            assert!((ll - want.log_likelihood).abs() <= 1e-9 * want.log_likelihood.abs(), "{name} 2^{k}: log L {ll}");
        }
    }
}
