//! `xent verify` (and so `cargo xtask verify`, which runs this binary): the
//! terminal front end of the harness — a spinner naming the stage on a
//! terminal, the report on stdout, failures on stderr, the exit status.

use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use xent_verify::{Config, run};

/// Runs the chain with `cfg`, shows a spinner naming the stage on stderr
/// when stderr is a terminal (hidden otherwise), prints the text report —
/// or the JSON report with `json` — on stdout, names every failure on
/// stderr, and succeeds only when every applicable step passes and every
/// control behaves.
pub(crate) fn execute(cfg: &Config, json: bool) -> ExitCode {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{pos}] {msg} ({elapsed})").unwrap_or(ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let result = run(cfg, &mut |name| {
        bar.inc(1);
        bar.set_message(name.to_string());
    });
    bar.finish_and_clear();
    if result.matched_nothing() {
        // Nothing checked is not "verified": a bad argument, exit 2.
        let f = cfg.filter.as_deref().unwrap_or("");
        eprintln!("error: --filter '{f}' matches no step id and no model name");
        return ExitCode::from(2);
    }
    if json {
        match serde_json::to_string_pretty(&result.to_json()) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot serialise the report: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", result.to_text());
    }
    if result.success() {
        ExitCode::SUCCESS
    } else {
        for f in result.failures() {
            eprintln!("error: {f}");
        }
        for p in result.pending() {
            eprintln!("error: step {p} is not checked yet");
        }
        ExitCode::FAILURE
    }
}
