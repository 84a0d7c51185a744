//! `cargo xtask verify`: runs the chain and prints it.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use xent_verify::{Config, run};

const USAGE: &str = "usage: cargo xtask verify [--json] [--seed N] [--quick] [--filter STEP|MODEL]";

/// Parses the flags, runs the chain, prints text (or JSON with `--json`)
/// and exits 0 only when every applicable step passes and every control
/// behaves.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let mut cfg = Config::default();
    let mut json = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--quick" => cfg.quick = true,
            "--seed" => match it.next().and_then(|v| v.parse().ok()) {
                Some(s) => cfg.seed = s,
                None => return usage("--seed needs a non-negative integer"),
            },
            "--filter" => match it.next() {
                Some(f) => cfg.filter = Some(f.clone()),
                None => return usage("--filter needs a step id or model name"),
            },
            other => return usage(&format!("unknown flag `{other}`")),
        }
    }
    let tty = std::io::stderr().is_terminal();
    let start = Instant::now();
    let mut stage = 0;
    let result = run(&cfg, &mut |name| {
        stage += 1;
        if tty {
            eprint!("\r\x1b[2K[{stage}] {name} ({:.1} s)", start.elapsed().as_secs_f64());
            let _ = std::io::stderr().flush();
        }
    });
    if tty {
        eprintln!("\r\x1b[2Kdone in {:.1} s", start.elapsed().as_secs_f64());
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

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}
