//! Argmin invariance, written as a reuser would, through the public APIs of
//! three crates: minimising an objective of `xent-objectives` with a solver
//! of `xent-optim` (through `xent-fit`'s adapter) gives the same argmin as
//! minimising any positive multiple of it plus any constant — the fact steps
//! (2)->(2b) and (6)->(7) of the derivation rest on — and the same argmin
//! as `xent-fit`'s own fit.

use proptest::prelude::*;
use xent_fit::{FitOptions, ObjectiveProblem, fit_family};
use xent_objectives::{Family, Model, Nll, Objective, ObjectiveError};
use xent_optim::{FnProblem, Method, Options, minimise};

/// `a · f + b` as a problem, gradients scaled alike.
fn affine<'o>(
    f: &'o dyn Objective,
    a: f64,
    b: f64,
) -> FnProblem<impl Fn(&[f64]) -> f64 + 'o, impl Fn(&[f64]) -> Vec<f64> + 'o, fn(&[f64]) -> nalgebra::DMatrix<f64>> {
    FnProblem::new(
        f.dim(),
        move |u: &[f64]| a * f.value(u).unwrap_or(f64::INFINITY) + b,
        move |u: &[f64]| {
            f.gradient(u).map(|g| g.iter().map(|v| a * v).collect()).unwrap_or_else(|_| vec![f64::NAN; u.len()])
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, rng_seed: proptest::test_runner::RngSeed::Fixed(17), ..ProptestConfig::default() })]

    #[test]
    fn scaling_and_shifting_keep_the_argmin(
        xs in prop::collection::vec(0.05f64..20.0, 30..200),
        a in 1e-3f64..1e3,
        b in -1e6f64..1e6,
    ) {
        let nll = Nll::new(&Family::Gamma, &xs).map_err(|e: ObjectiveError| TestCaseError::fail(e.to_string()))?;
        let opts = Options { gradient_tol: 1e-10, max_iterations: 2000, ..Options::default() };
        let start = vec![0.0; nll.dim()];
        let base = minimise(&ObjectiveProblem::new(&nll), &start, &Method::Newton, &opts, &mut ()).unwrap();
        prop_assume!(base.termination.converged());
        // The same problem scaled: the gradient test scales too, so ask for a·tol.
        let scaled_opts = Options { gradient_tol: 1e-10 * a, ..opts.clone() };
        let moved = minimise(&affine(&nll, a, b), &start, &Method::lbfgs(), &scaled_opts, &mut ()).unwrap();
        prop_assert!(moved.termination.converged(), "{}", moved.termination);
        // Both stop with a gradient of the average NLL below 1e-10; the
        // curvature in u is at least ~1e-3 here, so the argmins agree to ~1e-6.
        for (p, q) in base.x.iter().zip(&moved.x) {
            prop_assert!((p - q).abs() <= 1e-5 * p.abs().max(1.0), "{:?} vs {:?}", base.x, moved.x);
        }
        // And xent-fit's estimate is the same point, in natural parameters.
        let fit = fit_family(&Family::Gamma, &xs, &FitOptions::default()).unwrap();
        let theta = nll.theta(&base.x).unwrap();
        for (p, q) in fit.estimates.iter().zip(&theta) {
            prop_assert!((p - q).abs() <= 1e-5 * p.abs().max(1.0), "{:?} vs {:?}", fit.estimates, theta);
        }
        prop_assert_eq!(fit.names, Family::Gamma.param_names());
    }
}
