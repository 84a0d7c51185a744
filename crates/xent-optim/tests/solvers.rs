//! Solvers on Rosenbrock, on quadratics with condition number 10⁶, under
//! box bounds, and on failure paths. Optima are certified by value (no
//! worse than the known optimum plus a stated slack) and by gradient norm.

use nalgebra::DMatrix;
use xent_optim::{FnProblem, Method, OptimError, Options, Termination, Trace, minimise};

fn rosenbrock() -> FnProblem<impl Fn(&[f64]) -> f64, impl Fn(&[f64]) -> Vec<f64>, impl Fn(&[f64]) -> DMatrix<f64>> {
    FnProblem::with_hessian(
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
    )
}

/// `½ Σ λᵢ (xᵢ − 1)²` with `λ` log-spaced from 1 to 10⁶ in `n` dimensions.
fn quadratic(n: usize) -> impl Fn(&[f64]) -> (f64, Vec<f64>) + Clone {
    let lambda: Vec<f64> = (0..n).map(|i| 10f64.powf(6.0 * i as f64 / (n - 1) as f64)).collect();
    move |x: &[f64]| {
        let f = 0.5 * x.iter().zip(&lambda).map(|(v, l)| l * (v - 1.0).powi(2)).sum::<f64>();
        (f, x.iter().zip(&lambda).map(|(v, l)| l * (v - 1.0)).collect())
    }
}

#[test]
fn rosenbrock_is_solved_by_lbfgs_and_newton() {
    let p = rosenbrock();
    let chord = Method::ChordNewton { hessian: None, contraction: 0.5 };
    for method in [Method::lbfgs(), Method::Newton, chord] {
        let mut trace = Trace::default();
        let out = minimise(&p, &[-1.2, 1.0], &method, &Options::default(), &mut trace).unwrap();
        assert_eq!(out.termination, Termination::ConvergedGradient, "{method:?}: {}", out.termination);
        assert!(out.value <= 1e-14, "{method:?}: f = {}", out.value);
        assert!(out.gradient_norm <= 1e-8);
        assert!((out.x[0] - 1.0).abs() < 1e-6 && (out.x[1] - 1.0).abs() < 1e-6);
        assert_eq!(trace.iterates.len(), out.iterations);
        assert!(trace.iterates.windows(2).all(|w| w[1].2 <= w[0].2), "{method:?}: value increased");
    }
}

#[test]
fn gradient_descent_makes_monotone_progress_on_rosenbrock() {
    let p = rosenbrock();
    let opts = Options { max_iterations: 20_000, gradient_tol: 1e-5, ..Options::default() };
    let out = minimise(&p, &[-1.2, 1.0], &Method::GradientDescent, &opts, &mut ()).unwrap();
    assert!(out.termination.converged(), "{}", out.termination);
    assert!(out.value < 1e-8);
}

#[test]
fn ill_conditioned_quadratics_converge() {
    let q = quadratic(20);
    let qv = q.clone();
    let p = FnProblem::with_hessian(
        20,
        move |x: &[f64]| qv(x).0,
        move |x: &[f64]| q(x).1,
        |_x: &[f64]| DMatrix::from_diagonal(&nalgebra::DVector::from_fn(20, |i, _| 10f64.powf(6.0 * i as f64 / 19.0))),
    );
    let x0 = vec![0.0; 20];
    // Newton solves it in one step; L-BFGS (memory 10) creeps at this
    // conditioning — SciPy's L-BFGS-B stops at ‖g‖∞ = 1.5e-6 after 5000
    // iterations from the same start — so it gets a gradient tolerance of
    // 1e-5. Certificates: f* = 0 and f − f* ≤ n‖g‖∞²/(2λ_min).
    for (method, gtol) in [(Method::lbfgs(), 1e-5), (Method::Newton, 1e-8)] {
        let opts = Options { max_iterations: 20_000, gradient_tol: gtol, ..Options::default() };
        let out = minimise(&p, &x0, &method, &opts, &mut ()).unwrap();
        assert_eq!(
            out.termination,
            Termination::ConvergedGradient,
            "{method:?} f={} g={}",
            out.value,
            out.gradient_norm
        );
        let bound = 20.0 * gtol * gtol / 2.0;
        assert!(out.value <= bound, "{method:?}: f = {} > {bound}", out.value);
    }
}

#[test]
fn momentum_nesterov_and_adam_solve_a_well_conditioned_quadratic() {
    let p = FnProblem::new(
        3,
        |x: &[f64]| 0.5 * (x[0] * x[0] + 2.0 * x[1] * x[1] + 4.0 * x[2] * x[2]) - x[0],
        |x: &[f64]| vec![x[0] - 1.0, 2.0 * x[1], 4.0 * x[2]],
    );
    let opts = Options { max_iterations: 20_000, gradient_tol: 1e-8, ..Options::default() };
    for method in [
        Method::Momentum { learning_rate: 0.1, beta: 0.8, nesterov: false },
        Method::Momentum { learning_rate: 0.1, beta: 0.8, nesterov: true },
        Method::adam(0.05),
    ] {
        let out = minimise(&p, &[3.0, -2.0, 1.0], &method, &opts, &mut ()).unwrap();
        assert!(out.termination.converged(), "{method:?}: {}", out.termination);
        assert!((out.x[0] - 1.0).abs() < 1e-6 && out.x[1].abs() < 1e-6, "{method:?}: {:?}", out.x);
    }
}

#[test]
fn box_bounds_hold_and_the_projected_gradient_vanishes() {
    let q = quadratic(5);
    let qv = q.clone();
    let p = FnProblem::new(5, move |x: &[f64]| qv(x).0, move |x: &[f64]| q(x).1);
    // The unconstrained optimum is x = 1; cap the last two variables at 0.5.
    let lower = vec![-10.0; 5];
    let upper = vec![10.0, 10.0, 10.0, 0.5, 0.5];
    let m = Method::LbfgsB { memory: 10, lower: lower.clone(), upper: upper.clone() };
    let out = minimise(&p, &[5.0; 5], &m, &Options { max_iterations: 2000, ..Options::default() }, &mut ()).unwrap();
    assert!(out.termination.converged(), "{}", out.termination);
    for i in 0..3 {
        assert!((out.x[i] - 1.0).abs() < 1e-8, "x = {:?}", out.x);
    }
    assert_eq!(&out.x[3..], &[0.5, 0.5]);
    assert!(out.x.iter().zip(&lower).zip(&upper).all(|((x, l), u)| l <= x && x <= u));
}

#[test]
fn non_finite_values_are_reported_with_their_iteration() {
    // f = x² for x > −1, NaN beyond: a fixed-rate method steps into the NaN region.
    let p =
        FnProblem::new(1, |x: &[f64]| if x[0] > -1.0 { x[0] * x[0] } else { f64::NAN }, |x: &[f64]| vec![2.0 * x[0]]);
    let m = Method::Momentum { learning_rate: 1.5, beta: 0.0, nesterov: false };
    let out = minimise(&p, &[0.8], &m, &Options::default(), &mut ()).unwrap();
    assert_eq!(out.termination, Termination::NonFinite { iteration: 1 });
    assert_eq!(out.x, vec![0.8], "the last finite iterate is kept");
    assert_eq!(out.termination.to_string(), "stopped: non-finite value at iteration 1");
    // Line-search methods back off from the NaN region instead.
    let out = minimise(&p, &[0.8], &Method::lbfgs(), &Options::default(), &mut ()).unwrap();
    assert!(out.termination.converged(), "{}", out.termination);
}

#[test]
fn bad_starts_and_settings_are_errors() {
    let p = rosenbrock();
    assert!(matches!(
        minimise(&p, &[0.0], &Method::lbfgs(), &Options::default(), &mut ()),
        Err(OptimError::Dimension { .. })
    ));
    let nan = FnProblem::new(1, |_x: &[f64]| f64::NAN, |_x: &[f64]| vec![0.0]);
    assert!(matches!(
        minimise(&nan, &[0.0], &Method::lbfgs(), &Options::default(), &mut ()),
        Err(OptimError::NonFiniteStart)
    ));
    let no_h = FnProblem::new(1, |x: &[f64]| x[0] * x[0], |x: &[f64]| vec![2.0 * x[0]]);
    assert!(matches!(
        minimise(&no_h, &[1.0], &Method::Newton, &Options::default(), &mut ()),
        Err(OptimError::NoHessian)
    ));
    assert!(matches!(
        minimise(&no_h, &[1.0], &Method::ChordNewton { hessian: None, contraction: 0.5 }, &Options::default(), &mut ()),
        Err(OptimError::NoHessian)
    ));
    for bad in [
        Method::ChordNewton { hessian: None, contraction: 1.0 },
        Method::ChordNewton { hessian: Some(DMatrix::identity(2, 2)), contraction: 0.5 },
        Method::ChordNewton { hessian: Some(DMatrix::from_element(1, 1, f64::NAN)), contraction: 0.5 },
    ] {
        assert!(matches!(minimise(&no_h, &[1.0], &bad, &Options::default(), &mut ()), Err(OptimError::Setting(_))));
    }
    let bad = Method::LbfgsB { memory: 5, lower: vec![1.0], upper: vec![0.0] };
    assert!(matches!(minimise(&no_h, &[1.0], &bad, &Options::default(), &mut ()), Err(OptimError::Setting(_))));
    let adam = Method::adam(-1.0);
    assert!(matches!(minimise(&no_h, &[1.0], &adam, &Options::default(), &mut ()), Err(OptimError::Setting(_))));
    let out =
        minimise(&p, &[-1.2, 1.0], &Method::lbfgs(), &Options { max_iterations: 3, ..Options::default() }, &mut ())
            .unwrap();
    assert_eq!(out.termination, Termination::MaxIterations);
    assert_eq!(out.iterations, 3);
}

/// Newton hands back the Hessian at its answer; the chord method started
/// from a perturbed Hessian of the ill-conditioned quadratic converges
/// linearly without evaluating one, and refreshes when the given Hessian is
/// too far off to contract.
#[test]
fn newton_returns_its_final_hessian_and_the_chord_method_reuses_one() {
    let n = 20;
    let lambda: Vec<f64> = (0..n).map(|i| 10f64.powf(6.0 * i as f64 / (n - 1) as f64)).collect();
    let q = quadratic(n);
    let qv = q.clone();
    let l2 = lambda.clone();
    let p = FnProblem::with_hessian(
        n,
        move |x: &[f64]| qv(x).0,
        move |x: &[f64]| q(x).1,
        move |_x: &[f64]| DMatrix::from_diagonal(&nalgebra::DVector::from_vec(l2.clone())),
    );
    let x0 = vec![0.0; n];
    let opts = Options { gradient_tol: 1e-8, ..Options::default() };
    let out = minimise(&p, &x0, &Method::Newton, &opts, &mut ()).unwrap();
    let h = out.hessian.expect("newton evaluates the hessian at its answer");
    assert_eq!(h[(n - 1, n - 1)], 1e6);

    // 10 % off on every eigenvalue: each chord step multiplies the gradient's
    // components by 1 − 1/1.1 or 1 − 1/0.9, so |·| ≤ 1/9 per step and no fresh
    // Hessian is needed; from ‖g‖∞ = 10⁶ to 10⁻⁸ takes ⌈14 / log₁₀ 9⌉ = 15.
    let near =
        DMatrix::from_diagonal(&nalgebra::DVector::from_fn(n, |i, _| lambda[i] * if i % 2 == 0 { 1.1 } else { 0.9 }));
    let chord = Method::ChordNewton { hessian: Some(near), contraction: 0.5 };
    let out = minimise(&p, &x0, &chord, &opts, &mut ()).unwrap();
    assert_eq!(out.termination, Termination::ConvergedGradient, "{}", out.termination);
    assert_eq!(out.hessian_evaluations, 0);
    assert!(out.iterations <= 15, "{} iterations", out.iterations);
    assert!(out.value <= n as f64 * 1e-16 / 2.0);

    // Eigenvalues off by a factor 3 contract by only 2/3: it must refresh.
    let far = DMatrix::from_diagonal(&nalgebra::DVector::from_fn(n, |i, _| lambda[i] * 3.0));
    let chord = Method::ChordNewton { hessian: Some(far), contraction: 0.5 };
    let out = minimise(&p, &x0, &chord, &opts, &mut ()).unwrap();
    assert_eq!(out.termination, Termination::ConvergedGradient, "{}", out.termination);
    assert!(out.hessian_evaluations >= 1);
}

/// L-BFGS-B on problems whose constrained optimum is known: a diagonal
/// quadratic (condition 10³) whose box holds half the variables at a bound,
/// certified by the solution `clamp(1, l, u)` and the projected gradient;
/// and Rosenbrock with `x ≤ ½`, whose optimum `(½, ¼)` lies on the bound
/// with the gradient pushing outwards.
#[test]
fn lbfgsb_finds_constrained_optima_on_and_off_the_bounds() {
    let n = 20;
    let lambda: Vec<f64> = (0..n).map(|i| 10f64.powf(3.0 * i as f64 / (n - 1) as f64)).collect();
    let l2 = lambda.clone();
    let p = FnProblem::new(
        n,
        move |x: &[f64]| 0.5 * x.iter().zip(&lambda).map(|(v, l)| l * (v - 1.0).powi(2)).sum::<f64>(),
        move |x: &[f64]| x.iter().zip(&l2).map(|(v, l)| l * (v - 1.0)).collect(),
    );
    let lower: Vec<f64> = (0..n).map(|i| if i % 4 == 0 { 1.5 } else { -3.0 }).collect();
    let upper: Vec<f64> = (0..n).map(|i| if i % 4 == 1 { 0.25 } else { 3.0 }).collect();
    let m = Method::LbfgsB { memory: 10, lower: lower.clone(), upper: upper.clone() };
    let opts = Options { gradient_tol: 1e-9, max_iterations: 500, ..Options::default() };
    let out = minimise(&p, &[-2.0; 20], &m, &opts, &mut ()).unwrap();
    assert_eq!(out.termination, Termination::ConvergedGradient, "{}", out.termination);
    for i in 0..n {
        let want = 1.0f64.clamp(lower[i], upper[i]);
        assert!((out.x[i] - want).abs() <= 1e-9, "x[{i}] = {} vs {want}", out.x[i]);
    }
    // 100 iterations here; the Cauchy point alone (no subspace step) does
    // not converge within the 500 allowed.
    assert!(out.iterations <= 150, "{} iterations", out.iterations);

    let bound = Method::LbfgsB { memory: 5, lower: vec![-2.0, -2.0], upper: vec![0.5, 2.0] };
    let out = minimise(&rosenbrock(), &[-1.2, 1.0], &bound, &Options::default(), &mut ()).unwrap();
    assert!(out.termination.converged(), "{}", out.termination);
    assert_eq!(out.x[0], 0.5);
    assert!((out.x[1] - 0.25).abs() < 1e-8, "{:?}", out.x);
    assert!((out.value - 0.25).abs() < 1e-12);
    assert!(out.gradient[0] < 0.0, "the gradient pushes against the bound");
}

/// A problem whose gradient or Hessian has the wrong shape stops every
/// method with a typed reason — never an index panic, never a coordinate
/// left untouched and called converged.
#[test]
fn wrong_shapes_are_typed_errors_for_every_method() {
    let short = FnProblem::with_hessian(
        2,
        |x: &[f64]| x[0] * x[0] + x[1] * x[1],
        |x: &[f64]| vec![2.0 * x[0]],
        |_x: &[f64]| DMatrix::identity(2, 2) * 2.0,
    );
    let wide_h = FnProblem::with_hessian(
        2,
        |x: &[f64]| x[0] * x[0] + x[1] * x[1],
        |x: &[f64]| vec![2.0 * x[0], 2.0 * x[1]],
        |_x: &[f64]| DMatrix::identity(3, 3),
    );
    let methods = [
        Method::GradientDescent,
        Method::Momentum { learning_rate: 0.1, beta: 0.9, nesterov: true },
        Method::adam(0.1),
        Method::lbfgs(),
        Method::LbfgsB { memory: 5, lower: vec![-5.0; 2], upper: vec![5.0; 2] },
        Method::Newton,
        Method::ChordNewton { hessian: None, contraction: 0.5 },
    ];
    for m in &methods {
        match minimise(&short, &[1.0, 1.0], m, &Options::default(), &mut ()) {
            Err(OptimError::Shape { what: "gradient", dim: 2, found }) => assert_eq!(found, "1"),
            other => panic!("{m:?}: {other:?}"),
        }
    }
    for m in [Method::Newton, Method::ChordNewton { hessian: None, contraction: 0.5 }] {
        match minimise(&wide_h, &[1.0, 1.0], &m, &Options::default(), &mut ()) {
            Err(e @ OptimError::Shape { what: "hessian", .. }) => {
                assert!(e.to_string().contains("3 × 3") && e.to_string().contains("dimension is 2"), "{e}")
            }
            other => panic!("{m:?}: {other:?}"),
        }
    }
    // A gradient that goes wrong later, inside a line search.
    let later = FnProblem::new(
        2,
        |x: &[f64]| x[0] * x[0] + x[1] * x[1],
        |x: &[f64]| if x[0] > 0.5 { vec![2.0 * x[0], 2.0 * x[1]] } else { vec![2.0 * x[0]] },
    );
    let out = minimise(&later, &[1.0, 1.0], &Method::lbfgs(), &Options::default(), &mut ()).unwrap();
    match &out.termination {
        Termination::EvaluationFailed { message, .. } => assert!(message.contains("gradient has shape 1"), "{message}"),
        t => panic!("{t:?}"),
    }
    assert!(!out.termination.converged());
}

/// "Converged" means a convergence test passed: a run whose steps vanish
/// while the gradient stays large has stalled.
#[test]
fn vanishing_steps_with_a_large_gradient_are_a_stall() {
    // A kink: f = |x − 0.3|, whose gradient is ±1 everywhere. The steps
    // shrink to nothing around the kink with ‖g‖ = 1.
    let kink =
        FnProblem::new(1, |x: &[f64]| (x[0] - 0.3).abs(), |x: &[f64]| vec![if x[0] >= 0.3 { 1.0 } else { -1.0 }]);
    let out = minimise(&kink, &[1.7], &Method::GradientDescent, &Options::default(), &mut ()).unwrap();
    assert_eq!(out.gradient_norm, 1.0);
    assert!(matches!(out.termination, Termination::Stalled { .. }), "{}", out.termination);
    assert!(!out.termination.converged(), "{} at x = {:?}", out.termination, out.x);
    // At the floor the step test still counts: f = (x − 1)² + 1e6 has a
    // gradient that rounding keeps near √ε·|f| at best.
    let ok = FnProblem::new(1, |x: &[f64]| (x[0] - 1.0).powi(2) + 1e6, |x: &[f64]| vec![2.0 * (x[0] - 1.0)]);
    let out = minimise(&ok, &[3.0], &Method::lbfgs(), &Options { gradient_tol: 0.0, ..Options::default() }, &mut ());
    let out = out.unwrap();
    assert!(out.termination.converged(), "{}", out.termination);
    assert!((out.x[0] - 1.0).abs() < 1e-4);
}

/// Adam with ε = 0 on a coordinate whose gradient is always 0 leaves it
/// where it is instead of stepping to 0/0 = NaN.
#[test]
fn adam_without_epsilon_keeps_flat_coordinates() {
    let p = FnProblem::new(2, |x: &[f64]| (x[0] - 2.0).powi(2), |x: &[f64]| vec![2.0 * (x[0] - 2.0), 0.0]);
    let Method::Adam { learning_rate, beta1, beta2, .. } = Method::adam(0.05) else { panic!() };
    let m = Method::Adam { learning_rate, beta1, beta2, epsilon: 0.0 };
    let out = minimise(&p, &[0.0, 7.0], &m, &Options { max_iterations: 5000, ..Options::default() }, &mut ()).unwrap();
    assert!(out.x.iter().all(|v| v.is_finite()), "{:?}", out.x);
    assert_eq!(out.x[1], 7.0);
}
