//! `cargo xtask mutants`: mutation testing of xent-verify with
//! cargo-mutants, sharded and resumable, summarised in
//! `target/mutants/summary.txt`.
//!
//! The mutants are split into `--shards N` fixed slices (cargo-mutants'
//! `--shard k/N` over its discovery order, which depends only on the
//! source). Each shard writes `target/mutants/N/shard-k/mutants.out`; a
//! shard that ran to the end is marked with the hash of the crate's source
//! it ran on, so an interrupted run resumes at the first unfinished shard and
//! a shard is re-run when the source changed. `--shard k` runs one shard;
//! `--summary` only merges what has run. The summary counts caught, missed,
//! timed-out and unviable mutants over the shards of the current source,
//! gives the score (caught + timeouts) / viable, and lists every survivor;
//! `crates/xent-verify/mutants-survivors.md` explains them. Exit 0 when the
//! score is at least 90 % and every shard is current, 1 otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const PACKAGE: &str = "xent-verify";
const TARGET_SCORE: f64 = 0.9;
const USAGE: &str = "usage: cargo xtask mutants [--shards N (16)] [--shard K] [--jobs J (1)] [--summary]";

struct Args {
    shards: usize,
    shard: Option<usize>,
    jobs: usize,
    summary_only: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args { shards: 16, shard: None, jobs: 1, summary_only: false };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let v = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            v.parse().map_err(|_| format!("{name}: `{v}` is not a whole number"))
        };
        match flag.as_str() {
            "--shards" => a.shards = value("--shards")?,
            "--shard" => a.shard = Some(value("--shard")?),
            "--jobs" => a.jobs = value("--jobs")?,
            "--summary" => a.summary_only = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if a.shards == 0 || a.jobs == 0 {
        return Err("--shards and --jobs must be at least 1".into());
    }
    if let Some(k) = a.shard
        && k >= a.shards
    {
        return Err(format!("--shard {k} is not below --shards {}", a.shards));
    }
    Ok(a)
}

/// Runs the task.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let root = PathBuf::from("target/mutants").join(args.shards.to_string());
    let hash = source_hash()?;
    if !args.summary_only {
        ensure_installed()?;
        let shards: Vec<usize> = match args.shard {
            Some(k) => vec![k],
            None => (0..args.shards).collect(),
        };
        for k in shards {
            let dir = root.join(format!("shard-{k}"));
            if current(&dir, &hash) {
                eprintln!("shard {k}/{}: done on this source, skipped", args.shards);
                continue;
            }
            eprintln!("shard {k}/{}: running", args.shards);
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let _ = std::fs::remove_file(dir.join("complete"));
            // One build directory for every shard: dependencies are built once,
            // not once per shard's scratch copy of the tree.
            let build = std::env::current_dir().map_err(|e| e.to_string())?.join("target/mutants/build");
            let status = Command::new("cargo")
                .env("CARGO_TARGET_DIR", &build)
                .args(["mutants", "--package", PACKAGE, "--test-tool", "nextest", "--no-shuffle"])
                .args(["--shard", &format!("{k}/{}", args.shards)])
                .args(["--jobs", &args.jobs.to_string()])
                .arg("--output")
                .arg(&dir)
                .status()
                .map_err(|e| format!("cannot run cargo mutants: {e}"))?;
            // 0: all caught, 2: some missed, 3: some timed out — the shard ran
            // to the end. Anything else (a failing baseline, an interrupt)
            // leaves it unfinished.
            match status.code() {
                Some(0 | 2 | 3) => std::fs::write(dir.join("complete"), &hash)
                    .map_err(|e| format!("cannot mark shard {k} complete: {e}"))?,
                other => return Err(format!("cargo mutants stopped on shard {k} with status {other:?}")),
            }
        }
    }
    let summary = summarise(&root, args.shards, &hash);
    std::fs::write(PathBuf::from("target/mutants/summary.txt"), &summary.text)
        .map_err(|e| format!("cannot write target/mutants/summary.txt: {e}"))?;
    print!("{}", summary.text);
    eprintln!("wrote target/mutants/summary.txt");
    Ok(if summary.complete && summary.score >= TARGET_SCORE { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Installs cargo-mutants when `cargo mutants --version` fails.
fn ensure_installed() -> Result<(), String> {
    let have = Command::new("cargo").args(["mutants", "--version"]).output().is_ok_and(|o| o.status.success());
    if have {
        return Ok(());
    }
    eprintln!("cargo-mutants is missing: installing it (cargo install cargo-mutants --locked, ~10 min)");
    let ok = Command::new("cargo")
        .args(["install", "cargo-mutants", "--locked", "--version", "^27"])
        .status()
        .is_ok_and(|s| s.success());
    if ok { Ok(()) } else { Err("cannot install cargo-mutants".into()) }
}

/// A hash of the mutated crate's tracked sources and tests (git's tree of
/// `crates/xent-verify` plus any uncommitted change to it).
fn source_hash() -> Result<String, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let o = Command::new("git").args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
        if !o.status.success() {
            return Err(format!("git {} failed", args.join(" ")));
        }
        Ok(String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let tree = git(&["rev-parse", "HEAD:crates/xent-verify"])?;
    let diff = git(&["diff", "HEAD", "--", "crates/xent-verify"])?;
    if diff.is_empty() {
        return Ok(tree);
    }
    // FNV-1a of the uncommitted diff: enough to tell sources apart.
    let h = diff.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    Ok(format!("{tree}+{h:016x}"))
}

fn current(dir: &Path, hash: &str) -> bool {
    std::fs::read_to_string(dir.join("complete")).is_ok_and(|h| h == hash)
}

struct Summary {
    text: String,
    score: f64,
    complete: bool,
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).map(|s| s.lines().map(str::to_string).collect()).unwrap_or_default()
}

/// The file of a mutant's name (`crates/…/x.rs:12:5: replace …`).
fn file_of(name: &str) -> &str {
    name.split(':').next().unwrap_or(name)
}

fn summarise(root: &Path, shards: usize, hash: &str) -> Summary {
    let kinds = ["caught", "missed", "timeout", "unviable"];
    let mut by_kind: BTreeMap<&str, Vec<String>> = kinds.iter().map(|k| (*k, Vec::new())).collect();
    let mut done = Vec::new();
    let mut pending = Vec::new();
    for k in 0..shards {
        let dir = root.join(format!("shard-{k}"));
        if !current(&dir, hash) {
            pending.push(k);
            continue;
        }
        done.push(k);
        for kind in kinds {
            by_kind.entry(kind).or_default().extend(lines(&dir.join("mutants.out").join(format!("{kind}.txt"))));
        }
    }
    let n = |k: &str| by_kind.get(k).map_or(0, Vec::len);
    let (caught, missed, timeout, unviable) = (n("caught"), n("missed"), n("timeout"), n("unviable"));
    let viable = caught + missed + timeout;
    let score = if viable == 0 { 0.0 } else { (caught + timeout) as f64 / viable as f64 };
    let mut t = String::new();
    let _ = writeln!(t, "mutation testing of {PACKAGE} (cargo-mutants), source {hash}");
    let _ = writeln!(t, "shards: {} of {shards} current; not run or stale: {:?}", done.len(), pending);
    let _ = writeln!(
        t,
        "caught {caught}, missed {missed}, timeout {timeout}, unviable {unviable}; score (caught + timeout) / viable = \
         {:.1} % (target {:.0} %)",
        100.0 * score,
        100.0 * TARGET_SCORE
    );
    let mut per_file: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (i, kind) in ["caught", "missed", "timeout"].into_iter().enumerate() {
        for m in by_kind.get(kind).into_iter().flatten() {
            per_file.entry(file_of(m)).or_default()[i] += 1;
        }
    }
    let _ = writeln!(t, "\nper file: caught / missed / timeout");
    for (f, [c, m, to]) in &per_file {
        let _ = writeln!(t, "  {f}: {c} / {m} / {to}");
    }
    let _ = writeln!(t, "\nsurvivors (explained in crates/xent-verify/mutants-survivors.md):");
    for m in by_kind.get("missed").into_iter().flatten() {
        let _ = writeln!(t, "  {m}");
    }
    Summary { text: t, score, complete: pending.is_empty() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let a = parse(&s(&["--shards", "4", "--shard", "3", "--jobs", "2"])).expect("valid");
        assert_eq!((a.shards, a.shard, a.jobs, a.summary_only), (4, Some(3), 2, false));
        assert!(parse(&s(&["--shards", "4", "--shard", "4"])).is_err());
        assert!(parse(&s(&["--shards", "0"])).is_err());
        assert!(parse(&s(&["--shards"])).is_err());
        assert!(parse(&s(&["--bogus"])).is_err());
        assert!(parse(&s(&["--summary"])).expect("valid").summary_only);
    }

    #[test]
    fn the_summary_counts_current_shards_only() {
        let root = std::env::temp_dir().join(format!("xtask-mutants-{}", std::process::id()));
        let out = root.join("shard-0").join("mutants.out");
        std::fs::create_dir_all(&out).expect("dir");
        std::fs::write(root.join("shard-0").join("complete"), "h").expect("write");
        std::fs::write(out.join("caught.txt"), "a.rs:1:1: x\na.rs:2:1: y\nb.rs:1:1: z\n").expect("write");
        std::fs::write(out.join("missed.txt"), "b.rs:3:1: w\n").expect("write");
        std::fs::write(out.join("timeout.txt"), "a.rs:9:1: t\n").expect("write");
        std::fs::write(out.join("unviable.txt"), "a.rs:5:1: u\n").expect("write");
        let s = summarise(&root, 2, "h");
        assert!((s.score - 0.8).abs() < 1e-12, "{}", s.text);
        assert!(!s.complete, "shard 1 has not run");
        assert!(s.text.contains("b.rs:3:1: w") && s.text.contains("a.rs: 2 / 0 / 1"), "{}", s.text);
        let stale = summarise(&root, 1, "other");
        assert_eq!(stale.score, 0.0);
        assert!(!stale.complete);
        assert!(summarise(&root, 1, "h").complete);
        let _ = std::fs::remove_dir_all(&root);
    }
}
