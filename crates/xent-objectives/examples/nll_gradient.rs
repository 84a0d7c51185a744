//! The average negative log-likelihood of a gamma model — the cross-entropy
//! of the data's empirical distribution to the model — with its exact
//! gradient and Hessian (autodiff duals), checked against finite
//! differences, and the sufficient-statistics objective that gives the same
//! value in O(1).
//!
//! `cargo run -p xent-objectives --example nll_gradient`

use xent_objectives::{Family, Nll, Objective, SufficientNll, check_gradient};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1, 0.9, 1.6];
    let nll = Nll::new(&Family::Gamma, &data)?;
    // Unconstrained parameters: u = (ln shape, ln rate).
    let u = [0.5, 0.1];
    let (value, gradient) = nll.value_and_gradient(&u)?;
    let hessian = nll.hessian(&u)?;
    println!("average NLL {value:.12} at u = {u:?}");
    println!("gradient {gradient:?}");
    println!("Hessian {hessian}");
    let f = |u: &[f64]| nll.value(u).unwrap_or(f64::NAN);
    let check = check_gradient(&f, &u, &gradient, 1);
    println!(
        "finite differences agree: coordinate error {:.1e}, directional error {:.1e}",
        check.max_coordinate_error, check.directional_error
    );
    let fast = SufficientNll::new(&Family::Gamma, &data)?;
    println!("from sufficient statistics: {:.12} (n = {})", Objective::value(&fast, &u)?, fast.n());
    Ok(())
}
