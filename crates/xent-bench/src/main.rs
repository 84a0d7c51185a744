//! `xent-bench TASK DATA_DIR`: loads the task's `.npy` data, runs the task
//! once with xent and prints `{"task", "seconds", "objective"}` — the
//! wall-clock time of the computation alone (data loading excluded) and the
//! average negative log-likelihood reached. `cargo xtask bench-compare`
//! runs it alternately with the Python peers.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use nalgebra::DMatrix;
use xent_distributions::families::normal::Normal;
use xent_fit::{Covariance, FitOptions, FitReport, fit_conditional, fit_family, fit_summary};
use xent_objectives::conditional::{ConditionalNll, Design, EtaModel, Logistic, Softmax};
use xent_objectives::{Family, Summary};

/// The task names, as `cargo xtask bench-compare` reports them.
const TASKS: &[&str] = &[
    "gaussian_nll_1e7",
    "gamma_fit_1e7",
    "student_t_fit_1e5",
    "logistic_fit_1e6x20",
    "logistic_estimate_1e6x20",
    "softmax_fit_2e5x20x10",
    "softmax_estimate_2e5x20x10",
];

/// The location and scale at which `gaussian_nll_1e7` evaluates the normal
/// log-density (the generating parameters of its data).
const GAUSS: (f64, f64) = (1.5, 2.0);

fn load(dir: &Path, name: &str) -> Result<(Vec<u64>, Vec<f64>), String> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let npy = npyz::NpyFile::new(&bytes[..]).map_err(|e| format!("{}: {e}", path.display()))?;
    let shape = npy.shape().to_vec();
    if npy.order() != npyz::Order::C {
        return Err(format!("{}: expected C order", path.display()));
    }
    let data = npy.into_vec::<f64>().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((shape, data))
}

fn matrix(dir: &Path, name: &str) -> Result<DMatrix<f64>, String> {
    let (shape, data) = load(dir, name)?;
    let [rows, cols] = shape[..] else { return Err(format!("{name}: expected a matrix, shape {shape:?}")) };
    Ok(DMatrix::from_row_slice(rows as usize, cols as usize, &data))
}

fn converged<D>(r: Result<FitReport<D>, xent_fit::FitFailure>) -> Result<FitReport<D>, String> {
    r.map_err(|e| e.to_string())
}

/// Times a conditional fit — the estimate alone (`Covariance::None`) or
/// with standard errors (the observed information) — and returns
/// `(seconds, average NLL at the estimate)`.
fn conditional<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    estimate: bool,
) -> Result<(f64, f64), String> {
    let covariance = if estimate { Covariance::None } else { Covariance::Observed };
    let opts = FitOptions::default().with_covariance(covariance);
    let t = Instant::now();
    let theta = converged(fit_conditional(model.clone(), design, y, &opts))?.estimates;
    let secs = t.elapsed().as_secs_f64();
    let nll = ConditionalNll::new(model, design, y).and_then(|o| o.value(&theta));
    Ok((secs, nll.map_err(|e| e.to_string())?))
}

/// Runs `task` on the data in `dir`: `(seconds, average NLL)`.
fn run(task: &str, dir: &Path) -> Result<(f64, f64), String> {
    match task {
        "gaussian_nll_1e7" => {
            let (_, x) = load(dir, "gaussian_1e7.npy")?;
            let d = Normal::new(GAUSS.0, GAUSS.1).map_err(|e| e.to_string())?;
            let t = Instant::now();
            let s = d.sum_ln_density_slice(std::hint::black_box(&x));
            Ok((t.elapsed().as_secs_f64(), -s / x.len() as f64))
        }
        "gamma_fit_1e7" => {
            let (_, x) = load(dir, "gamma_1e7.npy")?;
            let t = Instant::now();
            let s = Summary::of(&Family::Gamma, &x).map_err(|e| e.to_string())?;
            let r = converged(fit_summary(&s, &FitOptions::default()))?;
            Ok((t.elapsed().as_secs_f64(), -r.log_likelihood / r.n))
        }
        "student_t_fit_1e5" => {
            let (_, x) = load(dir, "student_t_1e5.npy")?;
            let t = Instant::now();
            let r = converged(fit_family(&Family::StudentT, &x, &FitOptions::default()))?;
            Ok((t.elapsed().as_secs_f64(), -r.log_likelihood / r.n))
        }
        "logistic_fit_1e6x20" | "logistic_estimate_1e6x20" => {
            let x = matrix(dir, "logistic_X.npy")?;
            let (_, y) = load(dir, "logistic_y.npy")?;
            let design = Design::new(&x, true).map_err(|e| e.to_string())?;
            conditional(Logistic, &design, &y, task.contains("estimate"))
        }
        "softmax_fit_2e5x20x10" | "softmax_estimate_2e5x20x10" => {
            let x = matrix(dir, "softmax_X.npy")?;
            let (_, y) = load(dir, "softmax_y.npy")?;
            let k = y.iter().fold(0.0f64, |m, v| m.max(*v)) as usize + 1;
            let design = Design::new(&x, true).map_err(|e| e.to_string())?;
            let model = Softmax::new(k).map_err(|e| e.to_string())?;
            conditional(model, &design, &y, task.contains("estimate"))
        }
        other => Err(format!("unknown task `{other}`; tasks: {}", TASKS.join(", "))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [task, dir] = &args[..] else {
        eprintln!("usage: xent-bench TASK DATA_DIR\ntasks: {}", TASKS.join(", "));
        return ExitCode::from(2);
    };
    match run(task, Path::new(dir)) {
        Ok((seconds, objective)) => {
            println!("{}", serde_json::json!({"task": task, "seconds": seconds, "objective": objective}));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {task}: {e}");
            ExitCode::FAILURE
        }
    }
}
