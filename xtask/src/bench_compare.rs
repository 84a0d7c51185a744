//! `cargo xtask bench-compare [--json] [--quick]`: xent against SciPy,
//! scikit-learn and statsmodels, same data, same optimum, one run.
//!
//! 1. a Python virtual environment under `target/bench-venv` (created and
//!    filled from PyPI when missing);
//! 2. the data sets, generated once with fixed seeds as `.npy` files under
//!    `target/bench-data/` (read on the Rust side with `npyz`);
//! 3. each task run alternately by the release binary `xent-bench` and by
//!    the peer (a fresh process each, the computation timed inside it, data
//!    loading excluded), several times; medians reported;
//! 4. a table (or `--json`), and `docs/performance.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::{Value, json};

const GEN: &str = include_str!("bench/gen.py");
const PEER: &str = include_str!("bench/peer.py");
const PACKAGES: &[&str] = &["numpy", "scipy", "scikit-learn", "statsmodels"];

/// `(xent task, peer's task, peer, peer's call, target ratio peer/xent)`;
/// a target of 0 is a row for information. scikit-learn computes estimates
/// only, so it is compared with xent's estimate alone; statsmodels computes
/// standard errors too, so it is compared with the full fit report.
const TASKS: &[(&str, &str, &str, &str, f64)] = &[
    ("gaussian_nll_1e7", "gaussian_nll_1e7", "scipy", "scipy.stats.norm.logpdf(x).sum()", 10.0),
    ("gamma_fit_1e7", "gamma_fit_1e7", "scipy", "scipy.stats.gamma.fit(x, floc=0)", 1.5),
    ("student_t_fit_1e5", "student_t_fit_1e5", "scipy", "scipy.stats.t.fit(x)", 10.0),
    (
        "logistic_estimate_1e6x20",
        "logistic_fit_1e6x20",
        "scikit-learn",
        "LogisticRegression(penalty=None, lbfgs, tol=1e-10)",
        3.0,
    ),
    ("logistic_fit_1e6x20", "logistic_fit_1e6x20", "statsmodels", "Logit(y, X).fit(method='newton')", 3.0),
    (
        "softmax_estimate_2e5x20x10",
        "softmax_fit_2e5x20x10",
        "scikit-learn",
        "LogisticRegression(penalty=None, lbfgs, tol=1e-10), multinomial",
        5.0,
    ),
    (
        "softmax_fit_2e5x20x10",
        "softmax_fit_2e5x20x10",
        "scikit-learn",
        "LogisticRegression(penalty=None, lbfgs, tol=1e-10), multinomial",
        0.0,
    ),
];

fn sh(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The venv's python, creating the venv and installing the peers if needed.
fn venv(target: &Path) -> Result<PathBuf, String> {
    let dir = target.join("bench-venv");
    let python = dir.join("bin/python");
    let marker = dir.join("PEERS_INSTALLED");
    if !marker.exists() {
        eprintln!("creating {} and installing {} from PyPI …", dir.display(), PACKAGES.join(", "));
        sh(Command::new("python3").args(["-m", "venv"]).arg(&dir), "python3 -m venv")?;
        sh(Command::new(&python).args(["-m", "pip", "install", "-q", "--upgrade", "pip"]), "pip upgrade")?;
        sh(Command::new(&python).args(["-m", "pip", "install", "-q"]).args(PACKAGES), "pip install")?;
        std::fs::write(&marker, "").map_err(|e| e.to_string())?;
    }
    Ok(python)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) }
}

/// The peers' versions, for the report.
fn versions(python: &Path) -> String {
    let code = "import numpy, scipy, sklearn, statsmodels, sys; print(f'Python {sys.version.split()[0]}, numpy {numpy.__version__}, SciPy {scipy.__version__}, scikit-learn {sklearn.__version__}, statsmodels {statsmodels.__version__}')";
    sh(Command::new(python).args(["-c", code]), "python").map(|s| s.trim().to_string()).unwrap_or_default()
}

/// The machine, for the report.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok()))
        .map_or(String::new(), |kb| format!(", {:.0} GiB", kb / 1048576.0));
    let os = sh(Command::new("uname").args(["-sr"]), "uname").map(|s| s.trim().to_string()).unwrap_or_default();
    format!("{cpu}, {cores} logical cores{mem}, {os}")
}

/// Runs the comparison.
pub(crate) fn main(args: &[String]) -> ExitCode {
    let (mut json_out, mut quick) = (false, false);
    for a in args {
        match a.as_str() {
            "--json" => json_out = true,
            "--quick" => quick = true,
            other => {
                eprintln!("error: unknown flag `{other}`\nusage: cargo xtask bench-compare [--json] [--quick]");
                return ExitCode::from(2);
            }
        }
    }
    match compare(json_out, quick) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn compare(json_out: bool, quick: bool) -> Result<(), String> {
    let target = PathBuf::from("target");
    let python = venv(&target)?;
    let work = target.join("bench-compare");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let (gen_py, peer_py) = (work.join("gen.py"), work.join("peer.py"));
    std::fs::write(&gen_py, GEN).map_err(|e| e.to_string())?;
    std::fs::write(&peer_py, PEER).map_err(|e| e.to_string())?;
    let data = target.join("bench-data");
    if !data.join("COMPLETE").exists() {
        eprintln!("generating the data sets in {} …", data.display());
        sh(Command::new(&python).arg(&gen_py).arg(&data), "gen.py")?;
    }
    eprintln!("building xent-bench (release) …");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    sh(Command::new(&cargo).args(["build", "--release", "--locked", "-q", "-p", "xent-bench"]), "cargo build")?;
    let xent = target.join("release/xent-bench");
    let reps = if quick { 1 } else { 5 };
    let mut rows = Vec::new();
    for &(task, peer_task, peer, call, goal) in TASKS {
        let (mut xs, mut ps, mut xo, mut po) = (Vec::new(), Vec::new(), f64::NAN, f64::NAN);
        for rep in 0..reps {
            eprintln!("{task} / {peer}: repetition {} of {reps}", rep + 1);
            let v: Value = serde_json::from_str(&sh(Command::new(&xent).arg(task).arg(&data), "xent-bench")?)
                .map_err(|e| e.to_string())?;
            xs.push(v["seconds"].as_f64().unwrap_or(f64::NAN));
            xo = v["objective"].as_f64().unwrap_or(f64::NAN);
            let v: Value = serde_json::from_str(&sh(
                Command::new(&python).arg(&peer_py).args([peer_task, peer]).arg(&data),
                "peer.py",
            )?)
            .map_err(|e| e.to_string())?;
            ps.push(v["seconds"].as_f64().unwrap_or(f64::NAN));
            po = v["objective"].as_f64().unwrap_or(f64::NAN);
        }
        let (x, p) = (median(&mut xs), median(&mut ps));
        rows.push((task, peer, call, goal, x, p, xo, po));
    }
    let table = rows
        .iter()
        .map(|(task, peer, _, goal, x, p, xo, po)| {
            let ratio = p / x;
            let met = if ratio >= *goal && *xo <= po + 1e-9 * po.abs().max(1.0) { "met" } else { "missed" };
            let target = if *goal > 0.0 { format!("≥ {goal}× ({met})") } else { "(information)".to_string() };
            format!("| `{task}` | {peer} | {x:.4} | {p:.4} | {ratio:.2}× | {target} | {xo:.10} | {po:.10} |")
        })
        .collect::<Vec<_>>();
    let header = "| task | peer | xent (s) | peer (s) | ratio peer/xent | target | xent objective | peer objective |\n|---|---|---|---|---|---|---|---|";
    if json_out {
        let tasks: Vec<Value> = rows
            .iter()
            .map(|(task, peer, _, _, x, p, xo, po)| {
                json!({"task": task, "peer": peer, "xent_s": x, "peer_s": p, "xent_objective": xo, "peer_objective": po})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json!({"tasks": tasks})).map_err(|e| e.to_string())?);
    } else {
        println!("{header}\n{}", table.join("\n"));
    }
    let calls: Vec<String> = rows.iter().map(|(t, p, c, ..)| format!("- `{t}` / {p}: `{c}`")).collect();
    let doc = format!(
        "<!-- generated by `cargo xtask bench-compare{}`; do not edit -->\n\n# Performance against SciPy, scikit-learn and statsmodels\n\n\
         Median wall-clock seconds of {reps} alternating runs per task (xent, peer, xent, peer, …), each in a fresh \
         process, timing the computation alone (data loading excluded), on the same `.npy` data generated once with \
         fixed seeds. Objectives are average negative log-likelihoods at each side's estimate; lower is better, and a \
         target counts as met only when xent's objective is no worse.\n\n{header}\n{}\n\n\
         Peers' calls:\n\n{}\n\n\
         xent runs the library calls the README documents: the normal slice kernel, the gamma fit from sufficient \
         statistics in one pass, `fit_family` (Newton on autodiff Hessians) for Student t; for the logistic and \
         softmax models `fit_conditional` with `Covariance::None` (`*_estimate_*`: the estimate alone, as scikit-learn computes) and \
         `fit_conditional` (`*_fit_*`: the estimate and its standard errors, as statsmodels computes). Both fit \
         every 16th row first (Newton-type, from zero) and hand its estimate and Hessian to the chord method on the \
         full data (value-and-gradient passes with L-BFGS corrections); the full report adds one Hessian \
         Xᵀ W X at the estimate.\n\n\
         Machine: {}.\nPeers: {}.\n\nReproduce: `cargo xtask bench-compare` (creates `target/bench-venv` from PyPI \
         and `target/bench-data/` on first use).\n",
        if quick { " --quick" } else { "" },
        table.join("\n"),
        calls.join("\n"),
        machine(),
        versions(&python),
    );
    std::fs::write("docs/performance.md", doc).map_err(|e| format!("cannot write docs/performance.md: {e}"))?;
    eprintln!("wrote docs/performance.md");
    Ok(())
}
