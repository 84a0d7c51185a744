//! The text report: the chain as a calculation. Grouped by step in the
//! derivation's order — the step's expression, its relation and
//! justification, one line per model with each check's key figure against
//! its bound, then the controls that attack the step — followed by a legend
//! of the checks and their bounds and a one-line summary. Lines fit in
//! [`WIDTH`] columns.

use std::fmt::Write as _;

use crate::catalogue::StepId;
use crate::controls::Kind;
use crate::run::Run;
use crate::step::Status;

/// The report's width in columns.
pub const WIDTH: usize = 100;

/// Where the model column ends and the figures start.
const FIGURES_AT: usize = 32;

/// Every check: what it establishes and where its bound comes from.
pub const LEGEND: &[(&str, &str)] = &[
    ("likelihood_defined", "L > 0 at every sampled θ, as mantissa × 2^exponent: no underflow"),
    ("density_normalised", "the harness's own ∫q (Σq) is 1 to 1e-8 at 8 seeded θ: q_θ is a density"),
    ("derivatives_match", "gradient vs differences to 1e-6, Hessian to 1e-5, at 8 seeded θ"),
    ("pointwise_identity", "|left − right| ≤ c·n·ε·scale at each sampled θ (n terms' rounding)"),
    ("order_preservation", "sampled pairs ordered alike by both sides (affine: one constant)"),
    ("same_optimiser", "finite strict minima (Newton step ≤ 1e-3·|u|), argmins within 1e-4·scale"),
    ("gradient_agreement", "the added term's gradient is 0 to 1e-12 or its round-off; both agree to 1e-12"),
    ("marginal_is_p", "the joint's x-marginal q_θ(x) is p(x) at every row, to 4ε|ln p|"),
    ("input_normalised", "the harness's own ∫p(x) dx (Σ, nested for 2 features) is 1 to 1e-8"),
    ("conditional_normalised", "∫q_θ(y | xᵢ) dy (Σ_y) is 1 to 1e-8 at 3 θ × 10 rows: the joint is proper"),
    ("process_normalised", "the harness's own ∫p (Σp) of the data process is 1 to 1e-8"),
    ("closed_form", "a claimed H(p, q_θ) against the harness's quadrature to 1e-10 at 3 θ (none: quadrature)"),
    ("sampled_limit", "|mean − limit|/(s/√n) ≤ z: 1e-6 false failures over the n ladder"),
    ("rate", "log–log slope of the error in n within −½ ± 0.15 (5 std. errors)"),
    ("consistency", "θ̂ at the largest n within z Wald standard errors of θ* (z from the 1e-6 budget)"),
    ("theta_star_minimises_cross_entropy", "no ±10 % move of θ* lowers H(p, q_θ); slope at θ* ≤ 1e-7"),
    ("decomposition", "H(p, q_θ) = H(p) + KL(p ‖ q_θ) to 8e-12 (1e-10 by quadrature), KL ≥ 0, KL(θ*) = 0"),
    ("input_rule", "a process's rule for E_p(x): weights sum to 1, moments match ∫p(x) to 1e-9"),
    ("stratified_exact", "exact stratified sums equal the limit to 64·ε·100"),
    ("tower_rule", "both sides to 1e-10 relative (closed form, quadrature, sums)"),
    ("precondition", "H(p, q_θ) shown infinite by quadrature (tails growing): not applicable"),
];

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::NotApplicable => "–",
    }
}

/// `text` after `first` (already on the line, `first` columns wide),
/// wrapped at word boundaries to [`WIDTH`] with continuation lines indented
/// to `indent`.
fn wrapped(out: &mut String, first: &str, text: &str, indent: usize) {
    let mut line = first.to_string();
    let mut len = first.chars().count();
    let mut fresh = true;
    for word in text.split(' ') {
        let w = word.chars().count();
        if !fresh && len + 1 + w > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            len = indent;
            fresh = true;
        }
        if !fresh {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        fresh = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// `label` padded to the figures column.
fn padded(label: &str) -> String {
    let n = label.chars().count();
    if n + 1 >= FIGURES_AT { format!("{label} ") } else { format!("{label}{}", " ".repeat(FIGURES_AT - n)) }
}

impl Run {
    /// The chain in calc shape (see the module docs).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let profile = if self.config.quick { "quick" } else { "default" };
        let _ = writeln!(s, "Maximum likelihood is minimal cross-entropy: the chain, checked");
        let _ = writeln!(s, "seed {}, {profile} profile; ✓ pass, ✗ fail, – not applicable\n", self.config.seed);
        let mut part_b = None;
        for id in StepId::ALL {
            let steps: Vec<_> = self.steps.iter().filter(|r| r.id == id).collect();
            let controls: Vec<_> = self.controls.iter().filter(|c| c.step == id).collect();
            if steps.is_empty() && controls.is_empty() {
                continue;
            }
            if part_b != Some(id.part_b()) {
                part_b = Some(id.part_b());
                let _ = writeln!(
                    s,
                    "{}\n",
                    if id.part_b() {
                        "Part B — conditional models q_θ(y | x), pairs (xᵢ, yᵢ) from p(x, y)"
                    } else {
                        "Part A — unconditional models q_θ, data x₁ … xₙ from p"
                    }
                );
            }
            let _ = writeln!(s, "{}  {}", id.id(), id.name());
            wrapped(&mut s, "    ", id.expression(), 6);
            wrapped(&mut s, "    ", &format!("{}, because {}", id.relation(), id.justification()), 6);
            for r in steps {
                let label = format!("  {} {}", mark(r.status), r.model);
                for (k, c) in r.checks.iter().enumerate() {
                    let head = if k == 0 { padded(&label) } else { " ".repeat(FIGURES_AT) };
                    let verdict = if c.passed { "" } else { " FAILED" };
                    wrapped(&mut s, &head, &format!("{}: {}{verdict}", c.check, c.key), FIGURES_AT + 2);
                }
            }
            if !controls.is_empty() {
                let _ = writeln!(s, "    controls — wrong steps must be rejected, valid variants accepted:");
                for c in controls {
                    let kind = match c.kind {
                        Kind::Negative => "wrong",
                        Kind::Positive => "valid",
                        Kind::BelowPower => "wrong, below the stated power (no claim)",
                    };
                    let label = format!("  {} {}", if c.behaved() { "✓" } else { "✗" }, c.model);
                    wrapped(&mut s, &padded(&label), &format!("{kind}: {} → {}", c.name, c.outcome()), FIGURES_AT + 2);
                }
            }
            s.push('\n');
        }
        for id in self.pending() {
            let _ = writeln!(s, "? {id} not yet checked by this version\n");
        }
        let _ = writeln!(s, "Checks and their bounds");
        // Only the checks this run used.
        let used = |name: &str| {
            self.steps
                .iter()
                .chain(self.controls.iter().map(|c| &c.report))
                .any(|r| r.checks.iter().any(|c| c.check == name))
        };
        for (name, what) in LEGEND.iter().filter(|(name, _)| used(name)) {
            wrapped(&mut s, &padded(&format!("  {name}")), what, FIGURES_AT + 2);
        }
        let count = |st: Status| self.steps.iter().filter(|r| r.status == st).count();
        let behaved = self.controls.iter().filter(|c| c.behaved()).count();
        let _ = writeln!(
            s,
            "\n{} steps passed, {} failed, {} not applicable; {behaved}/{} controls behaved; {} pending — {}",
            count(Status::Pass),
            count(Status::Fail),
            count(Status::NotApplicable),
            self.controls.len(),
            self.pending().len(),
            if self.success() { "verified" } else { "NOT verified" }
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::test_runs::synthetic;

    #[test]
    fn the_report_reads_as_a_calculation() {
        let run = synthetic();
        let text = run.to_text();
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        insta::assert_snapshot!(text);
        insta::assert_snapshot!(serde_json::to_string_pretty(&run.to_json()).expect("json"));
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let mut out = String::new();
        let long = "word ".repeat(60);
        wrapped(&mut out, &padded("  ✓ model"), long.trim(), FIGURES_AT + 2);
        assert!(out.lines().count() > 2);
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(out.lines().skip(1).all(|l| l.starts_with(&" ".repeat(FIGURES_AT + 2))));
        // Every word survives, in order.
        assert_eq!(out.split_whitespace().filter(|w| *w == "word").count(), 60);
    }
}
