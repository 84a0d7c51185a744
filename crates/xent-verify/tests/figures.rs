//! The figures and the loss table of the derivation document are
//! reproducible: rendered again from the default seed they are, byte for
//! byte, the SVG files committed under `docs/figures/`, their captions are
//! the ones in `docs/derivation.md`, and so is every row of its table of
//! built-in losses. (`cargo xtask docs --check` checks the whole
//! document from outside this crate; this pins the drawing code itself,
//! whose every coordinate, tick and label ends up in those bytes.)

use std::path::PathBuf;

use xent_verify::docs::{DocOptions, builtin_losses, render, standard_figures};
use xent_verify::{Config, Run};

fn committed(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask docs`)", p.display()))
}

#[test]
fn the_standard_figures_are_the_committed_ones() {
    let seed = Config::default().seed;
    let figures = standard_figures(seed).expect("the figures render");
    let names: Vec<&str> = figures.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(
        names,
        ["underflow.svg", "optimiser_path.svg", "gap.svg", "consistency.svg", "parallel_objectives.svg"],
        "the five figures, in the document's order"
    );
    let doc = committed("derivation.md");
    for f in &figures {
        let text = committed(&format!("figures/{}", f.file));
        let (header, svg) = text.split_once('\n').expect("a header line");
        assert!(header.contains(&format!("seed {seed}")), "{}: {header}", f.file);
        assert!(svg == f.svg, "{} differs from the committed figure — regenerate with `cargo xtask docs`", f.file);
        assert!(!f.caption.is_empty() && !f.title.is_empty(), "{}: no caption or title", f.file);
        assert!(doc.contains(&f.caption), "{}: caption not in derivation.md: {}", f.file, f.caption);
        assert!(doc.contains(&f.title), "{}: title not in derivation.md: {}", f.file, f.title);
    }
}

#[test]
fn the_loss_table_is_the_committed_one() {
    let cfg = Config::default();
    let mut opts = DocOptions::new("t", "c");
    opts.losses = builtin_losses(cfg.seed).expect("every built-in loss checks");
    let nothing = Run { config: cfg, steps: Vec::new(), controls: Vec::new() };
    let table = render(&nothing, Vec::new(), &opts).expect("renders").markdown;
    let doc = committed("derivation.md");
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| ") && l.contains("cross-entropy |")).collect();
    assert_eq!(rows.len(), opts.losses.len(), "one row a loss:\n{table}");
    for row in rows {
        assert!(doc.lines().any(|l| l == row), "not in derivation.md (regenerate with `cargo xtask docs`):\n{row}");
    }
}
