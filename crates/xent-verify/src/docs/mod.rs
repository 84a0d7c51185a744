//! The derivation document: the chain in the source's order, each step with
//! its relation, justification and evidence, figures where a picture says
//! more, then the controls — as Markdown and as one self-contained HTML page
//! (MathML converted from LaTeX at generation time, inline SVG figures, no
//! scripts, no network).
//!
//! [`render`] works on any [`Run`], so a user who checked their own model can
//! write the same document for it:
//!
//! ```
//! use xent_distributions::{LogDensity, ParamError, Scalar, Support};
//! use xent_objectives::{Model, Transform};
//! use xent_verify::docs::{DocOptions, render};
//! use xent_verify::premises::DensityModel;
//! use xent_verify::{Config, Instance, Run, part_a_exact};
//!
//! struct ExpMean;
//! struct ExpMeanDist<T>(T);
//! impl<T: Scalar> LogDensity<T> for ExpMeanDist<T> {
//!     type Obs = f64;
//!     fn ln_density(&self, &x: &f64) -> T {
//!         if x < 0.0 { T::neg_infinity() } else { -self.0.ln() - T::cst(x) / self.0 }
//!     }
//! }
//! impl Model for ExpMean {
//!     type Obs = f64;
//!     type Dist<T: Scalar> = ExpMeanDist<T>;
//!     fn name(&self) -> String { "exponential(mean)".into() }
//!     fn param_names(&self) -> Vec<String> { vec!["mean".into()] }
//!     fn transforms(&self) -> Vec<Transform> { vec![Transform::Exp] }
//!     fn build<T: Scalar>(&self, t: &[T]) -> Result<ExpMeanDist<T>, ParamError> { Ok(ExpMeanDist(t[0])) }
//! }
//! impl DensityModel for ExpMean {
//!     fn sample_space(&self, _t: &[f64]) -> Option<Support> {
//!         Some(Support::Continuous { low: 0.0, high: f64::INFINITY })
//!     }
//! }
//!
//! let data: Vec<f64> = (1..=400).map(|i| -(1.0 - f64::from(i) / 401.0).ln() * 2.0).collect();
//! let inst = Instance::new(&ExpMean, &data, 30, 7)?;
//! let run = Run { config: Config::default(), steps: part_a_exact(&inst), controls: Vec::new() };
//! let doc = render(&run, Vec::new(), &DocOptions::new("my model, checked", "my-tool docs"))?;
//! assert!(doc.markdown.contains("exponential(mean)") && doc.html.contains("<math"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod figures;

use std::fmt::Write as _;

use latex2mathml::{DisplayStyle, latex_to_mathml};
use thiserror::Error;

use crate::catalogue::StepId;
use crate::loss::builtin::BuiltinLoss;
use crate::loss::render::{base_text, num, snapped};
use crate::loss::{self, Base, LossCheck, LossReport, Verdict};
use crate::run::Run;
use crate::step::{Status, StepReport};

/// Why a document could not be written.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DocError {
    /// A LaTeX expression did not convert to MathML.
    #[error("cannot convert the LaTeX of {id} to MathML: {message}")]
    Latex {
        /// The step whose expression failed.
        id: String,
        /// The converter's message.
        message: String,
    },
    /// A figure could not be computed or drawn.
    #[error("cannot draw a figure: {0}")]
    Plot(String),
    /// A loss of the loss table could not be checked.
    #[error("cannot check a loss: {0}")]
    Loss(String),
}

/// A figure: an SVG drawing attached to a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File name under the figure directory, e.g. `gap.svg`.
    pub file: String,
    /// The step id it belongs to (the figure is shown after that step).
    pub step: String,
    /// A short title.
    pub title: String,
    /// What it shows, with its numbers.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// Options of [`render`].
#[derive(Debug, Clone, PartialEq)]
pub struct DocOptions {
    /// The document's title.
    pub title: String,
    /// The command that generates it (named in the header of each file).
    pub command: String,
    /// The figures' directory, relative to the Markdown file.
    pub figure_dir: String,
    /// Losses to tabulate in a section "Is the loss a cross-entropy?" after
    /// the steps (none by default; [`builtin_losses`] gives the built-in
    /// ones).
    pub losses: Vec<LossEntry>,
}

impl DocOptions {
    /// Options with figures under `figures/` and no loss table.
    pub fn new(title: &str, command: &str) -> Self {
        DocOptions { title: title.into(), command: command.into(), figure_dir: "figures".into(), losses: Vec::new() }
    }
}

/// One row of the loss table: the checker's report and what the loss is
/// documented to drop relative to the exact NLL.
#[derive(Debug, Clone, PartialEq)]
pub struct LossEntry {
    /// The report of [`loss::check`].
    pub report: LossReport,
    /// What the loss's documentation says it drops (the report is the
    /// evidence).
    pub drops: String,
}

/// Every built-in loss and option ([`BuiltinLoss::catalogue`]) checked with
/// `seed`.
pub fn builtin_losses(seed: u64) -> Result<Vec<LossEntry>, DocError> {
    let cfg = LossCheck { seed, ..LossCheck::default() };
    BuiltinLoss::catalogue()
        .into_iter()
        .map(|l| {
            let report = loss::check(&l, &cfg).map_err(|e| DocError::Loss(e.to_string()))?;
            Ok(LossEntry { report, drops: l.documented_drop().into() })
        })
        .collect()
}

/// The cells of one loss row: loss, verdict, a, b(y), c, ln Z, spread,
/// drops.
fn loss_row(e: &LossEntry) -> [String; 8] {
    let r = &e.report;
    let verdict = match &r.verdict {
        Verdict::CrossEntropy => "✓ cross-entropy".to_string(),
        Verdict::NotCrossEntropy => "✗ not a cross-entropy".to_string(),
        Verdict::NoDensity { reason, .. } => format!("✗ no density ({reason})"),
    };
    if matches!(r.verdict, Verdict::NoDensity { .. }) {
        let dash = || "–".to_string();
        return [r.name.clone(), verdict, dash(), dash(), dash(), dash(), dash(), e.drops.clone()];
    }
    let scale = if r.scale_identified { num(r.scale) } else { format!("{} (not identified)", num(r.scale)) };
    [
        r.name.clone(),
        verdict,
        scale,
        if r.base == Base::Zero { "0 (declared)".into() } else { base_text(r) },
        num(snapped(r.constant, r.tolerance)),
        num(snapped(r.ln_z, r.tolerance)),
        format!("{} ({} outputs)", num(r.deviation), r.evidence.len()),
        e.drops.clone(),
    ]
}

/// The rendered document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `derivation.md`.
    pub markdown: String,
    /// `derivation.html`, self-contained.
    pub html: String,
    /// The figures, to be written under [`DocOptions::figure_dir`].
    pub figures: Vec<Figure>,
}

impl Document {
    /// Writes `derivation.md`, `derivation.html` and the figures (under
    /// `dir/figure_dir`, the [`DocOptions::figure_dir`] it was rendered
    /// with) into `dir`, creating the directories; the paths written.
    ///
    /// # Errors
    /// A directory or file could not be written.
    pub fn write(&self, dir: &std::path::Path, figure_dir: &str) -> std::io::Result<Vec<std::path::PathBuf>> {
        let mut files = vec![(dir.join("derivation.md"), &self.markdown), (dir.join("derivation.html"), &self.html)];
        files.extend(self.figures.iter().map(|f| (dir.join(figure_dir).join(&f.file), &f.svg)));
        for (path, text) in &files {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        Ok(files.into_iter().map(|(p, _)| p).collect())
    }
}

/// The five standard figures, computed from seeded runs with `seed`.
pub fn standard_figures(seed: u64) -> Result<Vec<Figure>, DocError> {
    Ok(vec![
        figures::underflow(seed)?,
        figures::optimiser_path(seed)?,
        figures::gap(seed, 16)?,
        figures::consistency(seed, 16)?,
        figures::parallel_objectives(seed)?,
    ])
}

/// The convergence figure of `(2b)->(3)` for your own scenario (data from
/// its process, its model at θ*, `H(p, q_θ*)` as the steps use it), with
/// `replicates` seeded replicates at each n from 10² to 10⁶.
///
/// # Errors
/// θ* is not a valid parameter, `H(p, q_θ*)` is not finite, or drawing
/// failed.
pub fn scenario_figure<M: xent_objectives::Model<Obs = f64>>(
    s: &crate::asymptotic::Scenario<M>,
    seed: u64,
    replicates: usize,
) -> Result<Figure, DocError> {
    figures::scenario_gap(s, seed, replicates)
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓ pass",
        Status::Fail => "✗ fail",
        Status::NotApplicable => "– not applicable",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The checks of a step, by name and verdict.
fn checks(step: &StepReport) -> String {
    step.checks
        .iter()
        .map(|c| format!("{} {}", c.check, if c.passed { "✓" } else { "✗" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The steps of the run in the derivation's order.
fn ordered_ids(run: &Run) -> Vec<StepId> {
    StepId::ALL.into_iter().filter(|id| run.steps.iter().any(|s| s.id == *id)).collect()
}

/// Renders `run` (and `figures`, each shown after its step) as Markdown and
/// HTML.
pub fn render(run: &Run, figures: Vec<Figure>, opts: &DocOptions) -> Result<Document, DocError> {
    let j = run.to_json();
    let sm = &j["summary"];
    let profile = if run.config.quick { "quick" } else { "default" };
    let summary = format!(
        "{} steps passed, {} failed, {} not applicable; {}/{} controls behaved — {}",
        sm["steps_passed"],
        sm["steps_failed"],
        sm["steps_not_applicable"],
        sm["controls_behaved"],
        sm["controls"],
        if run.success() { "verified" } else { "NOT verified" }
    );
    let header = format!("generated by `{}` (seed {}, {profile} profile); do not edit", opts.command, run.config.seed);
    let intro = format!(
        "Every step below was checked numerically by the harness with seed {} ({profile} profile): {summary}. Each \
         step shows the expression it arrives at, its relation to the line before, its justification, and for each \
         model it was checked on, the status and the key figures of its checks (deviation against a stated bound, \
         pairs whose order is preserved, |L̂ − H| in standard errors, fitted log–log slope …).",
        run.config.seed
    );
    let mut md = String::new();
    let mut html = String::new();
    let _ = writeln!(md, "<!-- {header} -->\n\n# {}\n\n{intro}\n", opts.title);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<!-- {} -->\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{}</p>\n",
        escape(&header),
        escape(&opts.title),
        CSS,
        escape(&opts.title),
        escape(&intro)
    );
    let mut part = None;
    for step in ordered_ids(run) {
        let id = step.id().to_string();
        let this_part = Some(if step.part_b() { "B" } else { "A" });
        if this_part != part {
            let title = match this_part {
                Some("A") => "Part A — unconditional maximum likelihood",
                Some(_) => "Part B — conditional maximum likelihood (the deep-learning loss)",
                None => "Further steps",
            };
            let _ = writeln!(md, "## {title}\n");
            let _ = writeln!(html, "<h2>{}</h2>", escape(title));
            part = this_part;
        }
        let steps: Vec<&StepReport> = run.steps.iter().filter(|s| s.id == step).collect();
        let name = step.name();
        let _ = writeln!(md, "### <a id=\"{}\"></a>{id} — {name}\n", escape(&id));
        let _ = writeln!(html, "<section id=\"{}\">\n<h3>{} — {}</h3>", escape(&id), escape(&id), escape(name));
        let _ = writeln!(md, "$$\n{}\n$$\n", step.latex());
        let math = latex_to_mathml(step.latex(), DisplayStyle::Block)
            .map_err(|e| DocError::Latex { id: id.clone(), message: e.to_string() })?;
        let _ = writeln!(html, "<div class=\"eq\">{math}</div>");
        let _ = writeln!(md, "*Relation:* {} · *justification:* {}\n", step.relation(), step.justification());
        let _ = writeln!(
            html,
            "<p class=\"rel\"><em>Relation:</em> {} · <em>justification:</em> {}</p>",
            escape(&step.relation().to_string()),
            escape(step.justification())
        );
        let _ = writeln!(md, "| model | status | checks | key figures |\n|---|---|---|---|");
        let _ = writeln!(
            html,
            "<table>\n<thead><tr><th>model</th><th>status</th><th>checks</th><th>key figures</th></tr></thead>\n<tbody>"
        );
        for s in &steps {
            let (m, c, k) = (s.model.clone(), checks(s), s.key_figure());
            let _ = writeln!(md, "| {} | {} | {} | {} |", cell(&m), mark(s.status), cell(&c), cell(&k));
            let class = match s.status {
                Status::Pass => "pass",
                Status::Fail => "fail",
                Status::NotApplicable => "na",
            };
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&m),
                mark(s.status),
                escape(&c),
                escape(&k)
            );
        }
        let _ = writeln!(md);
        let _ = writeln!(html, "</tbody>\n</table>");
        for f in figures.iter().filter(|f| f.step == id) {
            let _ = writeln!(md, "![{}]({}/{})\n\n*{}.* {}\n", f.title, opts.figure_dir, f.file, f.title, f.caption);
            let stem = f.file.trim_end_matches(".svg");
            let _ = writeln!(
                html,
                "<figure id=\"fig-{}\">\n{}\n<figcaption><strong>{}</strong> {}</figcaption>\n</figure>",
                escape(stem),
                svg_body(&f.svg),
                escape(&f.title),
                escape(&f.caption)
            );
        }
        let _ = writeln!(html, "</section>");
    }
    // Figures whose step is not in the run go last.
    let orphans: Vec<&Figure> = figures.iter().filter(|f| !run.steps.iter().any(|s| s.id.id() == f.step)).collect();
    if !orphans.is_empty() {
        let _ = writeln!(md, "## Further figures\n");
        let _ = writeln!(html, "<h2>Further figures</h2>");
        for f in orphans {
            let _ = writeln!(md, "![{}]({}/{})\n\n*{}.* {}\n", f.title, opts.figure_dir, f.file, f.title, f.caption);
            let _ = writeln!(
                html,
                "<figure>\n{}\n<figcaption><strong>{}</strong> {}</figcaption>\n</figure>",
                svg_body(&f.svg),
                escape(&f.title),
                escape(&f.caption)
            );
        }
    }
    if !opts.losses.is_empty() {
        let tol = opts.losses.iter().map(|e| e.report.tolerance).fold(0.0, f64::max);
        let text = format!(
            "Equations (6)–(7) hold for a loss ℓ(o, y) exactly when ℓ = a·(−ln q(y | o)) + b(y) + c for a proper \
             conditional density q, a scale a > 0, a base term b(y) free of the output and a constant c: then \
             minimising the loss is minimising a cross-entropy. The checker (`xent check-loss`, \
             `xent_verify::loss`) computes ln Z(o) = ln ∫ exp(−(ℓ(o, y) − b(y))/a) dy (Σ over discrete targets) by \
             quadrature at seeded outputs spread over the output space, and calls the loss a cross-entropy when ln \
             Z(o) varies by at most {} across them; then c = −a·ln Z. The last column is what the loss's \
             documentation says it drops.",
            num(tol)
        );
        let heads = ["loss", "verdict", "a", "b(y)", "c", "ln Z", "spread of ln Z(o)", "drops"];
        let _ = writeln!(
            md,
            "## <a id=\"losses\"></a>Is the loss a cross-entropy?\n\n{text}\n\n| {} |\n|{}",
            heads.join(" | "),
            "---|".repeat(heads.len())
        );
        let _ = writeln!(
            html,
            "<h2 id=\"losses\">Is the loss a cross-entropy?</h2>\n<p>{}</p>\n<table>\n<thead><tr>{}</tr></thead>\n<tbody>",
            escape(&text).replace('`', ""),
            heads.iter().map(|h| format!("<th>{}</th>", escape(h))).collect::<String>()
        );
        for e in &opts.losses {
            let row = loss_row(e);
            let _ = writeln!(md, "| {} |", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
            let class = if e.report.is_cross_entropy() { "pass" } else { "na" };
            let cells: String = row
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 1 {
                        format!("<td class=\"{class}\">{}</td>", escape(c))
                    } else {
                        format!("<td>{}</td>", escape(c))
                    }
                })
                .collect();
            let _ = writeln!(html, "<tr>{cells}</tr>");
        }
        let _ = writeln!(md);
        let _ = writeln!(html, "</tbody>\n</table>");
    }
    if !run.controls.is_empty() {
        let text = "Deliberately wrong steps the harness must reject (negative) and valid variants that look wrong, \
                    which it must accept (positive).";
        let _ = writeln!(
            md,
            "## Controls\n\n{text}\n\n| | kind | control | step | model | outcome |\n|---|---|---|---|---|---|"
        );
        let _ = writeln!(
            html,
            "<h2 id=\"controls\">Controls</h2>\n<p>{}</p>\n<table>\n<thead><tr><th></th><th>kind</th><th>control</th><th>step</th><th>model</th><th>outcome</th></tr></thead>\n<tbody>",
            escape(text)
        );
        for c in &run.controls {
            let ok = if c.behaved() { "✓" } else { "✗" };
            let kind = c.kind.label();
            let outcome = c.outcome();
            let _ = writeln!(
                md,
                "| {ok} | {kind} | {} | [{}](<#{}>) | {} | {} |",
                cell(c.name),
                c.step,
                c.step,
                cell(&c.model),
                cell(outcome)
            );
            let _ = writeln!(
                html,
                "<tr><td>{ok}</td><td>{kind}</td><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                escape(c.name),
                escape(c.step.id()),
                escape(c.step.id()),
                escape(&c.model),
                escape(outcome)
            );
        }
        let _ = writeln!(md);
        let _ = writeln!(html, "</tbody>\n</table>");
    }
    let repro = format!(
        "Regenerate with `{}`; check the chain alone with `cargo xtask verify --seed {}`.",
        opts.command, run.config.seed
    );
    let _ = writeln!(md, "## Reproduce\n\n{repro}");
    let _ = writeln!(html, "<h2>Reproduce</h2>\n<p>{}</p>\n</body>\n</html>", escape(&repro).replace('`', ""));
    Ok(Document { markdown: md, html, figures })
}

/// The `<svg>` element of a plotters document (without an XML prolog).
fn svg_body(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

const CSS: &str = "body { font-family: Georgia, serif; max-width: 980px; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; }
h3 { margin-top: 2em; border-top: 1px solid #ddd; padding-top: 0.8em; }
.eq { margin: 1em 0; }
math { font-size: 1.15em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
td.pass { color: #176b2c; } td.fail { color: #b00020; font-weight: bold; } td.na { color: #666; }
figure { margin: 1.5em 0; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9em; color: #444; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_converts_to_mathml_without_unknown_commands() {
        for step in StepId::ALL {
            let m = latex_to_mathml(step.latex(), DisplayStyle::Block).unwrap_or_else(|e| panic!("{step}: {e}"));
            assert!(m.starts_with("<math") && !m.contains("Undefined") && !m.contains("merror"), "{step}: {m}");
        }
    }

    #[test]
    fn the_loss_table_shows_each_verdict_with_its_constant() {
        let cfg = LossCheck { outputs: 12, ..LossCheck::default() };
        let entry = |l: BuiltinLoss| LossEntry {
            report: loss::check(&l, &cfg).expect("checkable"),
            drops: l.documented_drop().into(),
        };
        let mut opts = DocOptions::new("t", "c");
        opts.losses = vec![entry(BuiltinLoss::gaussian_nll(false)), entry(BuiltinLoss::bce_with_logits(Some(2.0)))];
        let run = Run { config: crate::Config::default(), steps: Vec::new(), controls: Vec::new() };
        let doc = render(&run, Vec::new(), &opts).expect("renders");
        let md = &doc.markdown;
        let row = |name: &str| md.lines().find(|l| l.starts_with(&format!("| {name}"))).expect(name).to_string();
        let gauss = row("gaussian_nll(full=false");
        // ½ ln 2π dropped: c = −0.9189385332, ln Z = +0.9189385332.
        assert!(gauss.contains("✓ cross-entropy") && gauss.contains("| -0.9189385332 | 0.9189385332 |"), "{gauss}");
        assert!(gauss.contains("0 (declared)") && gauss.ends_with("½ ln 2π per element |"), "{gauss}");
        let bce = row("binary_cross_entropy_with_logits(pos_weight=2");
        assert!(bce.contains("✗ not a cross-entropy") && bce.contains("solved: b(0)=0"), "{bce}");
        assert!(doc.html.contains("<h2 id=\"losses\">") && doc.html.contains("<td class=\"na\">✗ not a cross-entropy"));
        // No losses, no section.
        let plain = render(&run, Vec::new(), &DocOptions::new("t", "c")).expect("renders");
        assert!(!plain.markdown.contains("Is the loss a cross-entropy?"));
    }

    /// The document as users read it, Markdown and HTML, for a run with a
    /// step of each status and a control of each kind in both parts, a
    /// figure after its step, and one loss in the table.
    #[test]
    fn the_document_reads_as_written() {
        let run = crate::run::test_runs::synthetic();
        let figure = Figure {
            file: "gap.svg".into(),
            step: "(2b)->(3)".into(),
            title: "the gap closes".into(),
            caption: "|L̂ − H| against n <with markup & \"quotes\">".into(),
            svg: "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>\n"
                .into(),
        };
        let mut opts = DocOptions::new("A <checked> derivation", "cargo xtask docs");
        let cfg = LossCheck { outputs: 12, ..LossCheck::default() };
        let l = BuiltinLoss::gaussian_nll(true);
        opts.losses =
            vec![LossEntry { report: loss::check(&l, &cfg).expect("checkable"), drops: l.documented_drop().into() }];
        let doc = render(&run, vec![figure], &opts).expect("renders");
        insta::assert_snapshot!("markdown", doc.markdown);
        insta::assert_snapshot!("html", doc.html.replace(CSS, "/* the stylesheet */\n"));
        assert!(doc.html.contains(CSS), "the stylesheet is inlined");
        assert_eq!(doc.figures.len(), 1);
    }

    #[test]
    fn escaping_covers_markup() {
        assert_eq!(escape("(1)->(2a) & <b>\"x\""), "(1)-&gt;(2a) &amp; &lt;b&gt;&quot;x&quot;");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
