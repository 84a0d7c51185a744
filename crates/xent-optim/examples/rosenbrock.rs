//! Every method on the Rosenbrock function, with its typed termination and
//! its evaluation counts.
//!
//! `cargo run -p xent-optim --example rosenbrock`

use nalgebra::DMatrix;
use xent_optim::{FnProblem, Method, Options, minimise};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let problem = FnProblem::with_hessian(
        2,
        |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2),
        |x: &[f64]| vec![-2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]), 200.0 * (x[1] - x[0] * x[0])],
        |x: &[f64]| {
            DMatrix::from_row_slice(
                2,
                2,
                &[2.0 - 400.0 * x[1] + 1200.0 * x[0] * x[0], -400.0 * x[0], -400.0 * x[0], 200.0],
            )
        },
    );
    let methods = [
        Method::GradientDescent,
        Method::adam(0.02),
        Method::lbfgs(),
        Method::LbfgsB { memory: 10, lower: vec![-2.0, -2.0], upper: vec![0.5, 2.0] },
        Method::Newton,
        Method::ChordNewton { hessian: None, contraction: 0.5 },
    ];
    let options = Options { max_iterations: 20_000, ..Options::default() };
    for method in &methods {
        let out = minimise(&problem, &[-1.2, 1.0], method, &options, &mut ())?;
        let name = format!("{method:?}");
        let name = name.split([' ', '{']).next().unwrap_or("");
        println!(
            "{name:<16} x = ({:.6}, {:.6})  f = {:.2e}  {} iterations, {} evaluations, {} Hessians — {}",
            out.x[0], out.x[1], out.value, out.iterations, out.evaluations, out.hessian_evaluations, out.termination
        );
    }
    Ok(())
}
