//! `cargo xtask mutants`: mutation testing of xent-verify with
//! cargo-mutants, resumable across sessions and source changes, summarised
//! in `target/mutants/summary.txt`.
//!
//! A full run takes many hours on two cores (some 3 200 mutants at 15–40 s
//! each), longer than any one sitting, and the crate changes between
//! sittings. So outcomes are kept in a ledger, `xtask/mutants-ledger.tsv`,
//! committed (a new machine starts with an empty `target/`, and the
//! campaign spans sessions and machines), one line per mutant of the
//! current source, sorted, so its diff shows what a run found. Keys are
//! what a mutant *is* rather than its line number: the file,
//! the enclosing function's name and a hash of its source text, the
//! mutant's position inside it and its replacement. An outcome stays valid
//! while that function's text is unchanged, so editing one function re-runs
//! its mutants only; `--retry-missed` re-runs the missed ones after new
//! tests (a caught outcome assumes the tests were not weakened since: a
//! change that removes tests should clear the ledger's lines for the files
//! those tests covered). Mutants are run in batches (`cargo mutants -F <exact names>`),
//! each batch's outcomes entering the ledger as it ends — also after an
//! interruption, from the files cargo-mutants writes as it goes, when the
//! next invocation starts.
//!
//! cargo-mutants runs `--in-place` in `target/mutants/tree`, a copy of the
//! project's files kept at that one path and synced before each run (only
//! changed files are written, and a file a killed run left mutated is
//! restored): a copy at a new path every time would rebuild every crate of
//! the workspace (~4 min here) before the first mutant.
//!
//! Mutants run in a fixed pseudo-random order (by a hash of their keys less
//! the function's text hash, so an edit does not reshuffle them), so
//! whatever has run after any interruption is, up to the first mutant not
//! yet run, a uniform random sample of the crate's mutants: the summary
//! gives the score over that prefix with a 95 % (Wilson) interval as well as
//! the counts over everything. One mutant at a time (in place); `--minutes M`
//! starts no batch after M minutes; `--shard K/N` takes only every N-th
//! pending mutant (several machines); `--summary` only summarises. Only
//! test targets are built (`--tests`: the examples are built and run by the
//! workspace's own tests). The summary counts caught, missed, timed-out and
//! unviable mutants of the current source, gives the score (caught +
//! timeouts) / viable and what has not run yet, and lists every survivor;
//! `crates/xent-verify/mutants-survivors.md` explains them. Exit 0 when
//! every mutant has an outcome and the score is at least 90 %, 1 otherwise.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use serde_json::Value;

const PACKAGE: &str = "xent-verify";
/// The committed ledger of outcomes (relative to the workspace root).
const LEDGER: &str = "xtask/mutants-ledger.tsv";
const TARGET_SCORE: f64 = 0.9;
/// Mutants per cargo-mutants invocation: the outcomes are written as they
/// come, so an interruption loses one mutant; each invocation also reruns
/// the handful of mutants `-F` cannot exclude.
const BATCH: usize = 120;
const USAGE: &str = "usage: cargo xtask mutants [--minutes M] [--shard K/N] [--retry-missed] [--summary]";
const KINDS: [&str; 4] = ["caught", "missed", "timeout", "unviable"];

struct Args {
    minutes: Option<u64>,
    shard: (usize, usize),
    summary_only: bool,
    retry_missed: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args { minutes: None, shard: (0, 1), summary_only: false, retry_missed: false };
    let mut it = args.iter();
    let whole = |name: &str, v: &str| -> Result<u64, String> {
        v.parse().map_err(|_| format!("{name}: `{v}` is not a whole number"))
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--minutes" => a.minutes = Some(whole("--minutes", &value("--minutes")?)?),
            "--shard" => {
                let v = value("--shard")?;
                let (k, n) = v.split_once('/').ok_or_else(|| format!("--shard: `{v}` is not K/N"))?;
                a.shard = (whole("--shard", k)? as usize, whole("--shard", n)? as usize);
            }
            "--summary" => a.summary_only = true,
            "--retry-missed" => a.retry_missed = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if a.shard.1 == 0 || a.shard.0 >= a.shard.1 {
        return Err(format!("--shard {}/{}: K must be below N", a.shard.0, a.shard.1));
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

/// One mutant of the current source: its cargo-mutants name and its key.
#[derive(Debug, Clone, PartialEq)]
struct Mutant {
    name: String,
    key: String,
    file: String,
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let root = PathBuf::from("target/mutants");
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let ledger_path = PathBuf::from(LEDGER);
    if !args.summary_only {
        ensure_installed()?;
    }
    ingest_batches(&root, &ledger_path)?;
    let tree = root.join("tree");
    if !args.summary_only {
        sync_tree(&tree)?;
    }
    let mutants = list(if args.summary_only { Path::new(".") } else { &tree })?;
    if !args.summary_only {
        let started = Instant::now();
        let budget = args.minutes.map(|m| Duration::from_secs(60 * m));
        let ledger = read_ledger(&ledger_path);
        // Missed mutants first when retried (they are what new tests are
        // for), then the rest in the sample order.
        let mut order = in_sample_order(&mutants);
        order.sort_by_key(|m| ledger.get(&m.key).is_none_or(|o| o != "missed"));
        let pending: Vec<&Mutant> = order
            .into_iter()
            .filter(|m| ledger.get(&m.key).is_none_or(|o| args.retry_missed && o == "missed"))
            .enumerate()
            .filter(|(i, _)| i % args.shard.1 == args.shard.0)
            .map(|(_, m)| m)
            .collect();
        eprintln!("{} mutants, {} to run in this shard", mutants.len(), pending.len());
        // cargo-mutants runs a batch in file order, not in ours: the
        // retried mutants are a batch of their own, so they all run first.
        let retried = pending.iter().take_while(|m| ledger.get(&m.key).is_some_and(|o| o == "missed")).count();
        let (first, rest) = pending.split_at(retried);
        let batches: Vec<&[&Mutant]> =
            std::iter::once(first).filter(|b| !b.is_empty()).chain(rest.chunks(BATCH)).collect();
        let mut baseline = true;
        for (b, batch) in batches.into_iter().enumerate() {
            if budget.is_some_and(|d| started.elapsed() >= d) {
                eprintln!("time budget spent: stopping before batch {b}");
                break;
            }
            run_batch(&root, &tree, &mutants, batch, baseline)?;
            baseline = false;
            ingest_batches(&root, &ledger_path)?;
        }
    }
    // Compacted also by --summary: outcomes a killed run left in its batch
    // directory are in the ledger as committed.
    let ledger = read_ledger(&ledger_path);
    std::fs::write(&ledger_path, compact(&mutants, &ledger))
        .map_err(|e| format!("cannot write {}: {e}", ledger_path.display()))?;
    let summary = summarise(&mutants, &ledger);
    std::fs::write(root.join("summary.txt"), &summary.text)
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

/// The project's files (tracked, and untracked ones git does not ignore).
fn project_files() -> Result<Vec<String>, String> {
    let o = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !o.status.success() {
        return Err("git ls-files failed".into());
    }
    Ok(o.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect())
}

/// Makes `tree` hold exactly the project's files: writes those that differ
/// (so unchanged files keep their times and cargo rebuilds only what
/// changed) and removes files the project no longer has.
fn sync_tree(tree: &Path) -> Result<(), String> {
    let files = project_files()?;
    let keep: std::collections::HashSet<PathBuf> = files.iter().map(|f| tree.join(f)).collect();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else { continue }; // deleted, not yet committed
        let dest = tree.join(f);
        if std::fs::read(&dest).is_ok_and(|old| old == bytes) {
            continue;
        }
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&dest, bytes).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    }
    let mut stack = vec![tree.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target" && n != "mutants.out") {
                    stack.push(p);
                }
            } else if !keep.contains(&p) {
                std::fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            }
        }
    }
    Ok(())
}

/// The current mutants of the project in `dir`, with their keys.
fn list(dir: &Path) -> Result<Vec<Mutant>, String> {
    let o = Command::new("cargo")
        .current_dir(dir)
        .args(["mutants", "--list", "--json", "--package", PACKAGE])
        .output()
        .map_err(|e| format!("cannot run cargo mutants --list: {e}"))?;
    if !o.status.success() {
        return Err(format!("cargo mutants --list failed: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    let v: Value = serde_json::from_slice(&o.stdout).map_err(|e| format!("cannot read the mutant list: {e}"))?;
    let mut sources: HashMap<String, Vec<String>> = HashMap::new();
    let mut out = Vec::new();
    for m in v.as_array().ok_or("the mutant list is not an array")? {
        let file = m["file"].as_str().ok_or("a mutant without a file")?.to_string();
        let lines = match sources.get(&file) {
            Some(l) => l,
            None => {
                let text = std::fs::read_to_string(dir.join(&file)).map_err(|e| format!("cannot read {file}: {e}"))?;
                sources.entry(file.clone()).or_insert_with(|| text.lines().map(str::to_string).collect())
            }
        };
        out.push(Mutant {
            name: m["name"].as_str().ok_or("a mutant without a name")?.to_string(),
            key: key(m, lines),
            file,
        });
    }
    Ok(out)
}

/// What a mutant is, independent of where its function sits in the file:
/// file, function, a hash of the function's text, the position inside it,
/// the replacement. Outside any function: the whole file's hash.
fn key(m: &Value, lines: &[String]) -> String {
    let line = |v: &Value| v["line"].as_u64().unwrap_or(0) as usize;
    let (start, end, function) = match m.get("function").filter(|f| !f.is_null()) {
        Some(f) => (line(&f["span"]["start"]), line(&f["span"]["end"]), f["function_name"].as_str().unwrap_or("")),
        None => (1, lines.len(), ""),
    };
    let body = lines.get(start.saturating_sub(1)..end.min(lines.len())).unwrap_or(&[]);
    let hash = body.iter().flat_map(|l| l.bytes().chain(std::iter::once(b'\n'))).fold(FNV_OFFSET, fnv);
    let at = format!(
        "{}:{}",
        line(&m["span"]["start"]).saturating_sub(start),
        m["span"]["start"]["column"].as_u64().unwrap_or(0)
    );
    format!(
        "{}|{function}|{hash:016x}|{at}|{}|{}",
        m["file"].as_str().unwrap_or(""),
        m["genre"].as_str().unwrap_or(""),
        m["replacement"].as_str().unwrap_or("")
    )
    .replace(['\t', '\n'], " ")
}

/// The mutants in the order they run: sorted by a hash of their keys
/// without the function's text hash — a fixed pseudo-random permutation
/// that editing a function does not reshuffle (its mutants keep their
/// places and run again there), so any prefix is a uniform sample.
fn in_sample_order(mutants: &[Mutant]) -> Vec<&Mutant> {
    let place = |key: &str| -> String {
        let mut f: Vec<&str> = key.split('|').collect();
        if f.len() > 2 {
            f.remove(2);
        }
        f.join("|")
    };
    let mut v: Vec<&Mutant> = mutants.iter().collect();
    v.sort_by_cached_key(|m| {
        let p = place(&m.key);
        (p.bytes().fold(FNV_OFFSET, fnv), p, m.key.clone())
    });
    v
}

/// Wilson's 95 % interval for a proportion of `k` in `n`.
fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (z, nf) = (1.959_963_984_540_054_f64, n as f64);
    let p = k as f64 / nf;
    let centre = (p + z * z / (2.0 * nf)) / (1.0 + z * z / nf);
    let half = z / (1.0 + z * z / nf) * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// Runs one batch in `tree`, into `target/mutants/batch-<time>`, with the
/// keys of every current mutant beside cargo-mutants' output (it also runs
/// some mutants no `-F` selects — struct-field deletions, in version 27 —
/// and their outcomes count too).
fn run_batch(root: &Path, tree: &Path, all: &[Mutant], batch: &[&Mutant], baseline: bool) -> Result<(), String> {
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let dir = here.join(root).join(format!("batch-{stamp}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let keys: String = all.iter().map(|m| format!("{}\t{}\n", m.name, m.key)).collect();
    std::fs::write(dir.join("keys.tsv"), keys).map_err(|e| format!("cannot write the batch's keys: {e}"))?;
    // One build directory for every batch: dependencies are built once.
    let build = here.join("target/mutants/build");
    let mut cmd = Command::new("cargo");
    cmd.current_dir(tree)
        .env("CARGO_TARGET_DIR", &build)
        .args(["mutants", "--in-place", "--package", PACKAGE, "--test-tool", "nextest", "--no-shuffle"])
        .arg("--cargo-arg=--tests")
        // The suite takes ~30 s; a mutant that makes it take 4× as long hangs.
        .args(["--timeout", "150", "--build-timeout", "600"])
        .args(["--baseline", if baseline { "run" } else { "skip" }])
        .arg("--output")
        .arg(&dir);
    for m in batch {
        cmd.arg("-F").arg(format!("^{}$", regex_escape(&m.name)));
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo mutants: {e}"))?;
    // 0: all caught, 2: some missed, 3: some timed out — the batch ran to
    // the end. Anything else (a failing baseline, an interrupt) is an error;
    // what did run is still in the batch's files.
    match status.code() {
        Some(0 | 2 | 3) => Ok(()),
        other => Err(format!("cargo mutants stopped with status {other:?} (outcomes so far are kept)")),
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Moves the outcomes of every batch directory into the ledger and removes
/// the directory.
fn ingest_batches(root: &Path, ledger: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(()) };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("batch-")))
        .collect();
    dirs.sort();
    for dir in dirs {
        let keys: HashMap<String, String> = lines(&dir.join("keys.tsv"))
            .into_iter()
            .filter_map(|l| l.split_once('\t').map(|(n, k)| (n.to_string(), k.to_string())))
            .collect();
        let mut add = String::new();
        for kind in KINDS {
            for name in lines(&dir.join("mutants.out").join(format!("{kind}.txt"))) {
                if let Some(k) = keys.get(&name) {
                    let _ = writeln!(add, "{k}\t{kind}\t{name}");
                }
            }
        }
        append(ledger, &add)?;
        std::fs::remove_dir_all(&dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    Ok(())
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).map(|s| s.lines().map(str::to_string).collect()).unwrap_or_default()
}

/// The ledger: the latest outcome of every key.
fn read_ledger(path: &Path) -> HashMap<String, String> {
    lines(path)
        .into_iter()
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

/// The ledger as committed: the latest outcome of each current mutant, one
/// line each (`key`, outcome, name), sorted by key. Outcomes of mutants the
/// source no longer has are dropped: their functions have changed.
fn compact(mutants: &[Mutant], ledger: &HashMap<String, String>) -> String {
    let mut rows: Vec<String> =
        mutants.iter().filter_map(|m| ledger.get(&m.key).map(|o| format!("{}\t{o}\t{}\n", m.key, m.name))).collect();
    rows.sort();
    rows.dedup();
    rows.concat()
}

struct Summary {
    text: String,
    score: f64,
    complete: bool,
}

fn summarise(mutants: &[Mutant], ledger: &HashMap<String, String>) -> Summary {
    let mut by_kind: BTreeMap<&str, Vec<&Mutant>> = BTreeMap::new();
    let mut per_file: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for m in mutants {
        let kind = ledger.get(&m.key).map_or("not run", String::as_str);
        by_kind.entry(kind).or_default().push(m);
        if let Some(i) = ["caught", "missed", "timeout"].iter().position(|k| *k == kind) {
            per_file.entry(&m.file).or_default()[i] += 1;
        } else if kind == "not run" {
            per_file.entry(&m.file).or_default()[3] += 1;
        }
    }
    let n = |k: &str| by_kind.get(k).map_or(0, Vec::len);
    let (caught, missed, timeout, unviable, not_run) =
        (n("caught"), n("missed"), n("timeout"), n("unviable"), n("not run"));
    let viable = caught + missed + timeout;
    let score = if viable == 0 { 0.0 } else { (caught + timeout) as f64 / viable as f64 };
    let mut t = String::new();
    let _ = writeln!(t, "mutation testing of {PACKAGE} (cargo-mutants): {} mutants", mutants.len());
    let _ = writeln!(
        t,
        "caught {caught}, missed {missed}, timeout {timeout}, unviable {unviable}, not run yet {not_run}; score \
         (caught + timeout) / viable = {:.1} % (target {:.0} %)",
        100.0 * score,
        100.0 * TARGET_SCORE
    );
    // The random-order prefix: every mutant before the first not yet run.
    let order = in_sample_order(mutants);
    let prefix: Vec<&str> =
        order.iter().map_while(|m| ledger.get(&m.key).map(String::as_str)).filter(|k| *k != "unviable").collect();
    let hits = prefix.iter().filter(|k| matches!(**k, "caught" | "timeout")).count();
    if !prefix.is_empty() && not_run > 0 {
        let (lo, hi) = wilson(hits, prefix.len());
        let _ = writeln!(
            t,
            "uniform random sample (the first mutants of the fixed random order): {hits} of {} viable caught, \
             {:.1} % (95 % interval {:.1}–{:.1} %)",
            prefix.len(),
            100.0 * hits as f64 / prefix.len() as f64,
            100.0 * lo,
            100.0 * hi
        );
    }
    let _ = writeln!(t, "\nper file: caught / missed / timeout / not run");
    for (f, [c, m, to, nr]) in &per_file {
        let _ = writeln!(t, "  {f}: {c} / {m} / {to} / {nr}");
    }
    let _ = writeln!(t, "\nsurvivors (explained in crates/xent-verify/mutants-survivors.md):");
    for m in by_kind.get("missed").into_iter().flatten() {
        let _ = writeln!(t, "  {}", m.name);
    }
    Summary { text: t, score, complete: not_run == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let a = parse(&s(&["--minutes", "90", "--shard", "3/4"])).expect("valid");
        assert_eq!((a.minutes, a.shard, a.summary_only), (Some(90), (3, 4), false));
        assert!(parse(&s(&["--shard", "4/4"])).is_err());
        assert!(parse(&s(&["--shard", "1"])).is_err());
        assert!(parse(&s(&["--jobs", "2"])).is_err(), "in place: one job");
        assert!(parse(&s(&["--minutes"])).is_err());
        assert!(parse(&s(&["--bogus"])).is_err());
        assert!(parse(&s(&["--summary"])).expect("valid").summary_only);
        assert!(parse(&s(&["--retry-missed"])).expect("valid").retry_missed);
        assert!(!parse(&s(&[])).expect("valid").retry_missed);
    }

    fn mutant(name: &str, file: &str, fn_start: u64, line: u64, replacement: &str) -> Value {
        serde_json::json!({
            "name": name, "file": file, "genre": "BinaryOperator", "replacement": replacement,
            "function": {"function_name": "f", "span": {"start": {"line": fn_start, "column": 1}, "end": {"line": fn_start + 2, "column": 2}}},
            "span": {"start": {"line": line, "column": 9}, "end": {"line": line, "column": 10}},
        })
    }

    #[test]
    fn keys_follow_the_function_not_its_line() {
        let src: Vec<String> = ["fn f() {", "    a + b", "}"].iter().map(|s| s.to_string()).collect();
        let shifted: Vec<String> =
            ["// a new comment", "fn f() {", "    a + b", "}"].iter().map(|s| s.to_string()).collect();
        let edited: Vec<String> = ["fn f() {", "    a + c", "}"].iter().map(|s| s.to_string()).collect();
        let k = key(&mutant("x", "a.rs", 1, 2, "-"), &src);
        assert_eq!(k, key(&mutant("y", "a.rs", 2, 3, "-"), &shifted), "moved down a line: same mutant");
        assert_ne!(k, key(&mutant("x", "a.rs", 1, 2, "-"), &edited), "the function changed");
        assert_ne!(k, key(&mutant("x", "a.rs", 1, 2, "*"), &src), "another replacement");
    }

    #[test]
    fn the_summary_counts_the_ledger_and_what_has_not_run() {
        let m = |name: &str, file: &str| Mutant { name: name.into(), key: format!("k-{name}"), file: file.into() };
        let mutants = vec![m("a1", "a.rs"), m("a2", "a.rs"), m("b1", "b.rs"), m("b2", "b.rs"), m("c", "a.rs")];
        let mut ledger: HashMap<String, String> =
            [("k-a1", "caught"), ("k-a2", "timeout"), ("k-b1", "missed"), ("k-b2", "caught"), ("k-zz", "missed")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let s = summarise(&mutants, &ledger);
        assert!((s.score - 0.75).abs() < 1e-12, "{}", s.text);
        assert!(!s.complete, "c has not run");
        assert!(s.text.contains("  b1\n") && s.text.contains("a.rs: 1 / 0 / 1 / 1"), "{}", s.text);
        ledger.insert("k-c".into(), "unviable".into());
        assert!(summarise(&mutants, &ledger).complete);
    }

    #[test]
    fn the_sample_is_a_prefix_of_a_fixed_random_order() {
        let m = |i: usize| Mutant { name: format!("m{i}"), key: format!("file.rs|f|hash|{i}"), file: "file.rs".into() };
        let mutants: Vec<Mutant> = (0..200).map(m).collect();
        let order: Vec<&str> = in_sample_order(&mutants).iter().map(|m| m.name.as_str()).collect();
        let reversed: Vec<Mutant> = mutants.iter().rev().cloned().collect();
        let again: Vec<&str> = in_sample_order(&reversed).iter().map(|m| m.name.as_str()).collect();
        assert_eq!(order, again, "the order depends on the keys only");
        // Functions edited (their text hashes change): the same places.
        let with_hash = |h: &str| -> Vec<Mutant> {
            (0..200)
                .map(|i| Mutant {
                    name: format!("m{i}"),
                    key: format!("file.rs|f{i}|{h}|0:1|G|x"),
                    file: "file.rs".into(),
                })
                .collect()
        };
        let (before, after) = (with_hash("aaaa"), with_hash("bbbb"));
        let a: Vec<&str> = in_sample_order(&before).iter().map(|m| m.name.as_str()).collect();
        let b: Vec<&str> = in_sample_order(&after).iter().map(|m| m.name.as_str()).collect();
        assert_eq!(a, b);
        assert_ne!(a, (0..200).map(|i| format!("m{i}")).collect::<Vec<_>>(), "shuffled");
        let in_file_order = order.windows(2).filter(|w| w[0] < w[1]).count();
        assert!((60..140).contains(&in_file_order), "shuffled: {in_file_order} of 199 pairs ascending");
        // The first three of the order have run: two caught, one missed; a
        // later one has run too but is not part of the sample.
        let first: Vec<String> = in_sample_order(&mutants)[..4].iter().map(|m| m.key.clone()).collect();
        let ledger: HashMap<String, String> = [(&first[0], "caught"), (&first[1], "missed"), (&first[2], "caught")]
            .into_iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .chain([(in_sample_order(&mutants)[9].key.clone(), "missed".to_string())])
            .collect();
        let s = summarise(&mutants, &ledger);
        assert!(s.text.contains("2 of 3 viable caught, 66.7 %"), "{}", s.text);
    }

    #[test]
    fn the_committed_ledger_keeps_the_latest_outcome_of_current_mutants_sorted() {
        let m = |name: &str| Mutant { name: name.into(), key: format!("k-{name}"), file: "a.rs".into() };
        let mutants = vec![m("b"), m("a"), m("c")];
        let dir = std::env::temp_dir().join(format!("xent-ledger-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("ledger.tsv");
        // Appended over two runs: b missed, then caught; a stale key.
        std::fs::write(&path, "k-b\tmissed\tb\nk-gone\tcaught\tgone\nk-a\tunviable\ta\nk-b\tcaught\tb\n")
            .expect("write");
        let text = compact(&mutants, &read_ledger(&path));
        assert_eq!(text, "k-a\tunviable\ta\nk-b\tcaught\tb\n");
        std::fs::write(&path, &text).expect("write");
        assert_eq!(compact(&mutants, &read_ledger(&path)), text, "compacting is idempotent");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn wilson_intervals_match_the_textbook() {
        // 81 of 100: 0.7222–0.8750 (Wilson, z = 1.96).
        let (lo, hi) = wilson(81, 100);
        assert!((lo - 0.7222).abs() < 5e-4 && (hi - 0.8750).abs() < 5e-4, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        let (lo, hi) = wilson(10, 10);
        assert!((hi - 1.0).abs() < 1e-12 && (lo - 0.7225).abs() < 5e-4, "{lo} {hi}");
    }

    #[test]
    fn names_are_matched_exactly() {
        let name = "crates/x/src/a.rs:3:9: replace + with - in Scenario<Family>::f";
        let re = regex_escape(name);
        assert!(re.contains("\\+") && re.contains("a\\.rs") && !re.contains("\\ "), "{re}");
    }
}
