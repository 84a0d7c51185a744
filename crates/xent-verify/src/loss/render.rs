//! A [`LossReport`] as text (`xent check-loss`) and as JSON (`--json`).

use serde_json::{Value, json};

use super::{Base, LossReport, Verdict};

/// A number for people: up to 10 significant digits, no noise below the
/// tolerance of the check.
pub(crate) fn num(v: f64) -> String {
    if v == 0.0 || (v.abs() >= 1e-4 && v.abs() < 1e7) {
        let s = format!("{v:.10}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    } else {
        let s = format!("{v:.6e}");
        match s.split_once('e') {
            Some((m, e)) if m.contains('.') => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            _ => s,
        }
    }
}

fn vector(v: &[f64]) -> String {
    format!("({})", v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", "))
}

/// A value within `tol` of 0 printed as 0: the check cannot tell it apart.
pub(crate) fn snapped(v: f64, tol: f64) -> f64 {
    if v.abs() <= tol { 0.0 } else { v }
}

/// The verdict in words.
pub fn verdict_text(r: &LossReport) -> String {
    match &r.verdict {
        Verdict::CrossEntropy => "a cross-entropy: ℓ(o, y) = a·(−ln q(y | o)) + b(y) + c for a proper q".into(),
        Verdict::NotCrossEntropy => format!(
            "not a cross-entropy: no scale a{} makes ln Z(o) the same for every output (it varies by {})",
            if r.solved_base.is_empty() { "" } else { " (and no base term b)" },
            num(r.deviation)
        ),
        Verdict::NoDensity { output, reason } => {
            format!("no density: at output o = {}, {reason}", vector(output))
        }
    }
}

/// How `b` was obtained, in words.
pub fn base_text(r: &LossReport) -> String {
    match &r.base {
        Base::Zero => "0 (declared: nothing that depends on y is dropped)".into(),
        Base::Declared(what) => format!("{what} (declared)"),
        Base::Solve if r.solved_base.is_empty() => "0 (assumed)".into(),
        Base::Solve => format!(
            "solved: {}",
            r.solved_base
                .iter()
                .map(|(y, b)| format!("b({})={}", num(*y), num(snapped(*b, r.tolerance))))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The report as `xent check-loss` prints it.
pub fn text(r: &LossReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("loss        {}\n", r.name));
    out.push_str(&format!("verdict     {}\n", verdict_text(r)));
    if !matches!(r.verdict, Verdict::NoDensity { .. }) {
        let scale = if r.scale_identified { num(r.scale) } else { format!("{} (not identified)", num(r.scale)) };
        out.push_str(&format!("scale a     {scale}\n"));
        out.push_str(&format!("base b(y)   {}\n", base_text(r)));
        out.push_str(&format!("constant c  {}   (c = −a·ln Z)\n", num(snapped(r.constant, r.tolerance))));
        out.push_str(&format!("ln Z        {}\n", num(snapped(r.ln_z, r.tolerance))));
        out.push_str(&format!(
            "evidence    ln Z(o) over {} seeded outputs varies by {} (tolerance {})\n",
            r.evidence.len(),
            num(r.deviation),
            num(r.tolerance)
        ));
        if let Some((lo, hi)) = r.extremes() {
            out.push_str(&format!("            lowest  {} at o = {}\n", num(lo.ln_z), vector(&lo.output)));
            out.push_str(&format!("            highest {} at o = {}\n", num(hi.ln_z), vector(&hi.output)));
            if r.verdict == Verdict::NotCrossEntropy {
                // q = exp(−(ℓ − b − c)/a) with c from the mean ln Z: its mass
                // at each output is exp(ln Z(o) − ln Z).
                out.push_str(&format!(
                    "mass of q   from {} to {} across the outputs (1 for a proper q)\n",
                    num((lo.ln_z - r.ln_z).exp()),
                    num((hi.ln_z - r.ln_z).exp())
                ));
            }
        }
    }
    for n in &r.notes {
        out.push_str(&format!("note        {n}\n"));
    }
    out
}

/// The report as JSON.
pub fn to_json(r: &LossReport) -> Value {
    let (verdict, detail) = match &r.verdict {
        Verdict::CrossEntropy => ("cross_entropy", Value::Null),
        Verdict::NotCrossEntropy => ("not_cross_entropy", Value::Null),
        Verdict::NoDensity { output, reason } => ("no_density", json!({ "output": output, "reason": reason })),
    };
    let base = match &r.base {
        Base::Zero => json!({ "kind": "zero" }),
        Base::Declared(what) => json!({ "kind": "declared", "description": what }),
        _ => json!({
            "kind": "solved",
            "values": r.solved_base.iter().map(|(y, b)| json!({ "target": y, "b": b })).collect::<Vec<_>>(),
        }),
    };
    let finite = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
    json!({
        "loss": r.name,
        "verdict": verdict,
        "no_density": detail,
        "scale": finite(r.scale),
        "scale_identified": r.scale_identified,
        "base": base,
        "constant": finite(r.constant),
        "ln_z": finite(r.ln_z),
        "deviation": finite(r.deviation),
        "tolerance": r.tolerance,
        "evidence": r.evidence.iter().map(|e| json!({ "output": e.output, "ln_z": finite(e.ln_z) })).collect::<Vec<_>>(),
        "notes": r.notes,
    })
}
