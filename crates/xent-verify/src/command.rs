//! The `verify` command shared by `cargo xtask verify` and `xent verify`:
//! flag parsing, a progress bar on a terminal, the report on stdout, and
//! the exit status.

use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::run::{Config, run};

/// The flags both front ends accept.
pub const USAGE: &str = "[--json] [--seed N] [--quick] [--filter STEP|MODEL]";

/// Parses `--json`, `--seed N`, `--quick` and `--filter STEP|MODEL`;
/// returns the configuration and whether JSON was asked for.
///
/// ```
/// let args: Vec<String> = ["--quick", "--seed", "7"].iter().map(|s| s.to_string()).collect();
/// let (cfg, json) = xent_verify::command::parse_flags(&args)?;
/// assert!(cfg.quick && cfg.seed == 7 && !json);
/// assert!(xent_verify::command::parse_flags(&["--seed".into(), "x".into()]).is_err());
/// # Ok::<(), String>(())
/// ```
pub fn parse_flags(args: &[String]) -> Result<(Config, bool), String> {
    let mut cfg = Config::default();
    let mut json = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--quick" => cfg.quick = true,
            "--seed" => match it.next().map(|v| v.parse::<u64>()) {
                Some(Ok(s)) => cfg.seed = s,
                Some(Err(_)) | None => return Err("--seed needs a non-negative integer".into()),
            },
            "--filter" => match it.next() {
                Some(f) => cfg.filter = Some(f.clone()),
                None => return Err("--filter needs a step id or model name".into()),
            },
            other => return Err(format!("unknown flag `{other}`")),
        }
    }
    Ok((cfg, json))
}

/// Runs the chain with `cfg`, shows a spinner naming the stage on stderr
/// when stderr is a terminal (hidden otherwise), prints the text report —
/// or the JSON report with `json` — on stdout, names every failure on
/// stderr, and returns success only when every applicable step passes and
/// every control behaves.
pub fn execute(cfg: &Config, json: bool) -> ExitCode {
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
