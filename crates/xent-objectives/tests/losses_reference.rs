//! Every case of `shared/reference/losses.json`, read at run time. An
//! unknown loss or option is a failure, not a skip. Tolerance: relative
//! 1e-12 (the reference README's).

mod common;

use common::reference_dir;
use nalgebra::{DMatrix, DVector};
use serde_json::Value;
use xent_objectives::losses::{
    ClassOptions, Reduction, Target, binary_cross_entropy_with_logits, cross_entropy, gaussian_nll, kl_div, poisson_nll,
};

fn vector(v: &Value) -> DVector<f64> {
    DVector::from_vec(v.as_array().expect("array").iter().map(number).collect())
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("f64"),
        Value::String(s) if s == "inf" || s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-inf" || s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

fn matrix(v: &Value) -> DMatrix<f64> {
    let rows: Vec<Vec<f64>> =
        v.as_array().expect("rows").iter().map(|r| r.as_array().expect("row").iter().map(number).collect()).collect();
    let c = rows.first().map_or(0, Vec::len);
    DMatrix::from_fn(rows.len(), c, |i, j| rows[i][j])
}

fn reduction(case: &Value) -> Result<Reduction, String> {
    match case.get("reduction").and_then(Value::as_str).unwrap_or("mean") {
        "none" => Ok(Reduction::None),
        "sum" => Ok(Reduction::Sum),
        "mean" => Ok(Reduction::Mean),
        "batchmean" => Ok(Reduction::BatchMean),
        other => Err(format!("unknown reduction {other}")),
    }
}

/// Keys each loss understands; anything else fails the case.
fn known_keys(loss: &str) -> Option<&'static [&'static str]> {
    Some(match loss {
        "cross_entropy" => &["logits", "target", "target_probs", "weight", "ignore_index", "label_smoothing"],
        "bce_with_logits" => &["input", "target", "weight", "pos_weight"],
        "gaussian_nll" => &["input", "target", "var", "full", "eps"],
        "poisson_nll" => &["input", "target", "log_input", "full", "eps"],
        "kl_div" => &["input_log_probs", "target", "log_target"],
        _ => return None,
    })
}

fn evaluate(case: &Value) -> Result<Vec<f64>, String> {
    let loss = case["loss"].as_str().ok_or("no loss name")?;
    let keys = known_keys(loss).ok_or(format!("unknown loss {loss}"))?;
    for k in case.as_object().ok_or("case is not an object")?.keys() {
        if !["loss", "reduction", "value"].contains(&k.as_str()) && !keys.contains(&k.as_str()) {
            return Err(format!("{loss}: unknown option {k}"));
        }
    }
    let red = reduction(case)?;
    let flag = |k: &str, default: bool| case.get(k).and_then(Value::as_bool).unwrap_or(default);
    let out = match loss {
        "cross_entropy" => {
            let logits = matrix(&case["logits"]);
            let weight = case.get("weight").map(vector);
            let opts = ClassOptions {
                weight: weight.as_ref(),
                ignore_index: case.get("ignore_index").and_then(Value::as_i64).unwrap_or(-100),
                label_smoothing: case.get("label_smoothing").map_or(0.0, number),
                reduction: red,
            };
            if let Some(t) = case.get("target_probs") {
                cross_entropy(&logits, Target::Probs(&matrix(t)), &opts)
            } else {
                let y: Vec<i64> =
                    case["target"].as_array().ok_or("target")?.iter().map(|v| v.as_i64().expect("int")).collect();
                cross_entropy(&logits, Target::Indices(&y), &opts)
            }
        }
        "bce_with_logits" => binary_cross_entropy_with_logits(
            &vector(&case["input"]),
            &vector(&case["target"]),
            case.get("weight").map(vector).as_ref(),
            case.get("pos_weight").map(number),
            red,
        ),
        "gaussian_nll" => gaussian_nll(
            &vector(&case["input"]),
            &vector(&case["target"]),
            &vector(&case["var"]),
            flag("full", false),
            case.get("eps").map_or(1e-6, number),
            red,
        ),
        "poisson_nll" => poisson_nll(
            &vector(&case["input"]),
            &vector(&case["target"]),
            flag("log_input", true),
            flag("full", false),
            case.get("eps").map_or(1e-8, number),
            red,
        ),
        "kl_div" => kl_div(&matrix(&case["input_log_probs"]), &matrix(&case["target"]), flag("log_target", false), red),
        other => return Err(format!("unknown loss {other}")),
    };
    out.map(|l| l.values()).map_err(|e| e.to_string())
}

#[test]
fn every_loss_case_matches_the_reference() {
    let path = reference_dir().join("losses.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let want: Vec<f64> = case["value"].as_array().expect("value").iter().map(number).collect();
        match evaluate(case) {
            Ok(got) => {
                let ok = got.len() == want.len()
                    && got.iter().zip(&want).all(|(g, w)| (g - w).abs() <= 1e-12 * w.abs() || g == w);
                if !ok {
                    failures.push(format!("case {i} ({}): got {got:?}, want {want:?}", case["loss"]));
                }
            }
            Err(e) => failures.push(format!("case {i}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n  {}", failures.len(), cases.len(), failures.join("\n  "));
}
