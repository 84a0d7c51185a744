//! The checker against constants derived by hand, and at the boundary of
//! its tolerance.

use std::f64::consts::PI;

use xent_distributions::Support;
use xent_distributions::special::ln_factorial;
use xent_objectives::losses::Reduction;

use super::builtin::BuiltinLoss;
use super::*;

fn run(loss: &dyn PerSampleLoss) -> LossReport {
    check(loss, &LossCheck::default()).expect("a valid configuration")
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn gaussian_nll_drops_half_ln_two_pi_unless_full() {
    let r = run(&BuiltinLoss::gaussian_nll(false));
    assert_eq!(r.verdict, Verdict::CrossEntropy, "{r:?}");
    assert!(r.scale_identified);
    assert!(close(r.scale, 1.0, 1e-12), "{}", r.scale);
    assert!(close(r.ln_z, 0.5 * (2.0 * PI).ln(), 1e-9), "{}", r.ln_z);
    assert!(close(r.constant, -0.5 * (2.0 * PI).ln(), 1e-9));
    let r = run(&BuiltinLoss::gaussian_nll(true));
    assert_eq!(r.verdict, Verdict::CrossEntropy);
    assert!(close(r.constant, 0.0, 1e-9), "{}", r.constant);
}

#[test]
fn poisson_nll_drops_ln_factorial() {
    let r = run(&BuiltinLoss::poisson_nll(true, false));
    assert_eq!(r.verdict, Verdict::CrossEntropy, "{r:?}");
    assert!(close(r.scale, 1.0, 1e-12) && close(r.constant, 0.0, 1e-9), "{} {}", r.scale, r.constant);
    assert_eq!(r.base, Base::Declared("−ln y!".into()));
    let base = &crate::loss::render::to_json(&r)["base"];
    assert_eq!(base, &serde_json::json!({ "kind": "declared", "description": "−ln y!" }), "{base}");
    // Rate input: x − y ln(x + ε) is the Poisson NLL at rate x + ε less ε.
    let r = run(&BuiltinLoss::poisson_nll(false, false));
    assert_eq!(r.verdict, Verdict::CrossEntropy, "{r:?}");
    assert!(close(r.constant, -1e-8, 1e-11), "{}", r.constant);
}

/// `full` adds Stirling's approximation `S(y)` for `y > 1`, so with
/// nothing dropped `Z(λ) = Σ_y Pois(y; λ)·exp(ln y! − S(y))`.
#[test]
fn poisson_nll_full_is_only_approximately_proper() {
    let loss = BuiltinLoss::poisson_nll(true, true);
    let cfg = LossCheck { scale: Some(1.0), ..LossCheck::default() };
    let r = check(&loss, &cfg).unwrap();
    assert_eq!(r.verdict, Verdict::NotCrossEntropy);
    let stirling = |y: f64| y * y.ln() - y + 0.5 * (2.0 * PI * y).ln();
    for e in &r.evidence {
        let lam = e.output[0].exp();
        let z: f64 = (0..2000)
            .map(|y| {
                let y = f64::from(y);
                let pois = (-lam + y * lam.ln() - ln_factorial(y)).exp();
                if y > 1.0 { pois * (ln_factorial(y) - stirling(y)).exp() } else { pois }
            })
            .sum();
        assert!(close(e.ln_z, z.ln(), 1e-10), "λ = {lam}: {} vs {}", e.ln_z, z.ln());
    }
    assert!(r.deviation > 1e-3 && r.deviation < 0.05, "{}", r.deviation);
    // Searching the scale does not make it proper either.
    let free = run(&loss);
    assert_eq!(free.verdict, Verdict::NotCrossEntropy);
    assert!(free.deviation > 1e-4, "{}", free.deviation);
}

#[test]
fn poisson_nll_without_its_base_term_has_no_density() {
    // Σ_y exp(−e^x + y x) diverges for e^x ≥ 1.
    let r = run(&WithBase(BuiltinLoss::poisson_nll(true, false), Base::Zero));
    assert!(matches!(r.verdict, Verdict::NoDensity { ref output, .. } if output[0] >= 0.0), "{:?}", r.verdict);
}

#[test]
fn bce_is_proper_only_without_pos_weight() {
    for p in [None, Some(1.0)] {
        let r = run(&BuiltinLoss::bce_with_logits(p));
        assert_eq!(r.verdict, Verdict::CrossEntropy, "{p:?}: {r:?}");
        assert!(close(r.scale, 1.0, 1e-12) && close(r.constant, 0.0, 1e-9));
        assert!(r.solved_base.iter().all(|(_, b)| b.abs() < 1e-9), "{:?}", r.solved_base);
    }
    for p in [2.0, 0.5, 1.0 + 1e-4] {
        let r = run(&BuiltinLoss::bce_with_logits(Some(p)));
        assert_eq!(r.verdict, Verdict::NotCrossEntropy, "{p}: {r:?}");
    }
}

#[test]
fn cross_entropy_is_the_nll_only_without_label_smoothing() {
    let r = run(&BuiltinLoss::cross_entropy(4, 0.0));
    assert_eq!(r.verdict, Verdict::CrossEntropy, "{r:?}");
    assert!(close(r.scale, 1.0, 1e-12) && close(r.constant, 0.0, 1e-9));
    assert_eq!(r.solved_base.len(), 4);
    assert!(r.solved_base.iter().all(|(_, b)| b.abs() < 1e-8), "{:?}", r.solved_base);
    for eps in [0.1, 1e-3] {
        let r = run(&BuiltinLoss::cross_entropy(4, eps));
        assert_eq!(r.verdict, Verdict::NotCrossEntropy, "{eps}");
        assert!(r.deviation > 1e-6, "{eps}: {}", r.deviation);
    }
}

#[test]
fn kl_div_mean_divides_by_the_classes() {
    for (red, a) in [(Reduction::None, 1.0), (Reduction::Sum, 1.0), (Reduction::BatchMean, 1.0), (Reduction::Mean, 0.2)]
    {
        let r = run(&BuiltinLoss::kl_div(5, red));
        assert_eq!(r.verdict, Verdict::CrossEntropy, "{red:?}: {r:?}");
        assert!(close(r.scale, a, 1e-8 * a), "{red:?}: a = {}", r.scale);
        assert!(close(r.constant, 0.0, 1e-9), "{red:?}: c = {}", r.constant);
    }
}

/// `½ (y − μ)² + ½ ln 2π + δ·tanh μ`: `ln Z(μ) = −δ tanh μ` exactly (the
/// scale declared as 1), so the spread over the outputs is known.
struct Tilted {
    delta: f64,
}
impl PerSampleLoss for Tilted {
    fn name(&self) -> String {
        "tilted normal".into()
    }
    fn output_space(&self) -> OutputSpace {
        OutputSpace::Box(vec![(f64::NEG_INFINITY, f64::INFINITY)])
    }
    fn target_space(&self) -> Support {
        Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
    }
    fn loss(&self, o: &[f64], y: f64) -> f64 {
        0.5 * (y - o[0]).powi(2) + 0.5 * (2.0 * PI).ln() + self.delta * o[0].tanh()
    }
    fn base(&self) -> Base {
        Base::Zero
    }
    fn target_hints(&self, o: &[f64]) -> Vec<f64> {
        vec![o[0]]
    }
}

/// The same tilt on a softmax over three classes, `b` solved for.
struct TiltedSoftmax {
    delta: f64,
}
impl PerSampleLoss for TiltedSoftmax {
    fn name(&self) -> String {
        "tilted softmax".into()
    }
    fn output_space(&self) -> OutputSpace {
        OutputSpace::Box(vec![(f64::NEG_INFINITY, f64::INFINITY); 3])
    }
    fn target_space(&self) -> Support {
        Support::Discrete { low: 0.0, high: 2.0 }
    }
    fn loss(&self, o: &[f64], y: f64) -> f64 {
        BuiltinLoss::cross_entropy(3, 0.0).loss(o, y) + self.delta * o[0].tanh()
    }
}

fn tanh_range(cfg: &LossCheck, dim: usize, n: usize) -> f64 {
    let outs = draw_outputs(&OutputSpace::Box(vec![(f64::NEG_INFINITY, f64::INFINITY); dim]), n, cfg.seed);
    let t: Vec<f64> = outs.iter().map(|o| o[0].tanh()).collect();
    t.iter().copied().fold(f64::NEG_INFINITY, f64::max) - t.iter().copied().fold(f64::INFINITY, f64::min)
}

#[test]
fn the_tolerance_is_the_boundary_for_a_declared_base() {
    let cfg = LossCheck { scale: Some(1.0), ..LossCheck::default() };
    let range = tanh_range(&cfg, 1, cfg.outputs);
    for (factor, want) in [(0.5, Verdict::CrossEntropy), (2.0, Verdict::NotCrossEntropy)] {
        let loss = Tilted { delta: factor * LOSS_TOL / range };
        let r = check(&loss, &cfg).unwrap();
        assert_eq!(r.verdict, want, "factor {factor}: deviation {}", r.deviation);
        assert!(close(r.deviation, factor * LOSS_TOL, 1e-11), "{}", r.deviation);
    }
}

#[test]
fn the_tolerance_is_the_boundary_for_a_solved_base() {
    let cfg = LossCheck { scale: Some(1.0), ..LossCheck::default() };
    let range = tanh_range(&cfg, 3, cfg.outputs.max(12));
    for (factor, want) in [(0.5, Verdict::CrossEntropy), (2.0, Verdict::NotCrossEntropy)] {
        let loss = TiltedSoftmax { delta: factor * LOSS_TOL / range };
        let r = check(&loss, &cfg).unwrap();
        assert_eq!(r.verdict, want, "factor {factor}: deviation {}", r.deviation);
        // b minimises the variance of ln Z, not its range: the range may
        // exceed the exact tilt's by a little.
        let d = r.deviation / (factor * LOSS_TOL);
        assert!((0.95..1.1).contains(&d), "{}", r.deviation);
    }
}

#[test]
fn a_nan_loss_has_no_density() {
    struct Nan;
    impl PerSampleLoss for Nan {
        fn name(&self) -> String {
            "nan".into()
        }
        fn output_space(&self) -> OutputSpace {
            OutputSpace::Box(vec![(f64::NEG_INFINITY, f64::INFINITY)])
        }
        fn target_space(&self) -> Support {
            Support::Discrete { low: 0.0, high: 1.0 }
        }
        fn loss(&self, o: &[f64], y: f64) -> f64 {
            if o[0] > 1.0 && y == 1.0 { f64::NAN } else { 0.0 }
        }
    }
    assert!(matches!(run(&Nan).verdict, Verdict::NoDensity { .. }));
}

#[test]
fn a_scaled_and_shifted_nll_is_found() {
    struct Scaled;
    impl PerSampleLoss for Scaled {
        fn name(&self) -> String {
            "3·gaussian + 7".into()
        }
        fn output_space(&self) -> OutputSpace {
            BuiltinLoss::gaussian_nll(true).output_space()
        }
        fn target_space(&self) -> Support {
            BuiltinLoss::gaussian_nll(true).target_space()
        }
        fn loss(&self, o: &[f64], y: f64) -> f64 {
            3.0 * BuiltinLoss::gaussian_nll(true).loss(o, y) + 7.0
        }
        fn base(&self) -> Base {
            Base::Zero
        }
        fn target_hints(&self, o: &[f64]) -> Vec<f64> {
            vec![o[0]]
        }
    }
    let r = run(&Scaled);
    assert_eq!(r.verdict, Verdict::CrossEntropy, "{r:?}");
    // Unless a loss says where its targets lie, the checker's own grid is
    // all there is: no made-up hints.
    assert!(WithBase(BuiltinLoss::gaussian_nll(true), Base::Zero).target_hints(&[0.5, 1.0]).is_empty());
    assert!(close(r.scale, 3.0, 1e-7), "{}", r.scale);
    assert!(close(r.constant, 7.0, 1e-6), "{}", r.constant);
}

#[test]
fn bad_configurations_are_typed_errors() {
    let l = BuiltinLoss::gaussian_nll(true);
    for (cfg, want) in [
        (LossCheck { scale: Some(0.0), ..LossCheck::default() }, "scale"),
        (LossCheck { scale: Some(f64::NAN), ..LossCheck::default() }, "scale"),
        (LossCheck { outputs: 1, ..LossCheck::default() }, "outputs"),
        (LossCheck { tolerance: -1.0, ..LossCheck::default() }, "tolerance"),
    ] {
        let e = check(&l, &cfg).unwrap_err();
        assert!(e.to_string().contains(want), "{e}");
    }
}

/// A built-in loss with its base term replaced (`Solve`: the checker finds
/// it; `Zero`: nothing declared dropped).
struct WithBase(BuiltinLoss, Base);
impl PerSampleLoss for WithBase {
    fn name(&self) -> String {
        format!("{} ({:?})", self.0.name(), self.1)
    }
    fn output_space(&self) -> OutputSpace {
        self.0.output_space()
    }
    fn target_space(&self) -> Support {
        self.0.target_space()
    }
    fn loss(&self, o: &[f64], y: f64) -> f64 {
        self.0.loss(o, y)
    }
    fn base(&self) -> Base {
        self.1.clone()
    }
}

/// What `xent check-loss` prints, text and JSON, for one report of each
/// verdict and each kind of base term.
#[test]
fn reports_read_as_printed() {
    let cases: Vec<Box<dyn PerSampleLoss>> = vec![
        Box::new(BuiltinLoss::gaussian_nll(false)),
        Box::new(BuiltinLoss::cross_entropy(3, 0.1)),
        Box::new(WithBase(BuiltinLoss::cross_entropy(3, 0.0), Base::Solve)),
        Box::new(WithBase(BuiltinLoss::poisson_nll(true, false), Base::Zero)),
    ];
    let mut out = String::new();
    for loss in &cases {
        let r = run(loss.as_ref());
        out += &render::text(&r);
        // Two of the seeded outputs' evidence stand for all of them.
        let mut j = render::to_json(&r);
        if let Some(e) = j.get_mut("evidence").and_then(serde_json::Value::as_array_mut) {
            e.truncate(2);
        }
        out += &serde_json::to_string_pretty(&j).expect("json");
        out += "\n\n";
    }
    insta::assert_snapshot!(out);
}

#[test]
fn numbers_print_with_ten_digits_and_no_noise() {
    assert_eq!(render::num(0.0), "0");
    assert_eq!(render::num(-0.0), "0");
    assert_eq!(render::num(0.918_938_533_204_672_7), "0.9189385332");
    assert_eq!(render::num(2.5), "2.5");
    assert_eq!(render::num(-1e-8), "-1e-8");
    assert_eq!(render::num(1.234_567_89e-5), "1.234568e-5");
    assert_eq!(render::num(1e-4), "0.0001");
    assert_eq!(render::num(9_999_999.0), "9999999");
    assert_eq!(render::num(1e7), "1e7");
    assert_eq!(render::num(-3.0e12), "-3e12");
    assert_eq!(render::snapped(1e-10, 1e-9), 0.0);
    assert_eq!(render::snapped(-1e-9, 1e-9), 0.0);
    assert_eq!(render::snapped(2e-9, 1e-9), 2e-9);
}

/// Outputs on each kind of coordinate: magnitudes 0.01 … 316 away from a
/// finite end (or either side of 0), over the whole range; strictly
/// inside a bounded one; log-probabilities that sum to one.
#[test]
fn outputs_spread_over_orders_of_magnitude() {
    let inf = f64::INFINITY;
    let space = OutputSpace::Box(vec![(-inf, inf), (2.0, inf), (-inf, 3.0), (-1.0, 1.0)]);
    let outs = draw_outputs(&space, 400, 11);
    assert_eq!(outs.len(), 400);
    let col = |j: usize| outs.iter().map(|o| o[j]).collect::<Vec<f64>>();
    let range = |v: &[f64]| (v.iter().copied().fold(inf, f64::min), v.iter().copied().fold(-inf, f64::max));
    let mags = |v: Vec<f64>| range(&v.iter().map(|x| x.abs().log10()).collect::<Vec<_>>());
    // Either side of 0, |o| from 10^-2 to 10^0.7.
    let free = col(0);
    assert!(free.iter().any(|v| *v < 0.0) && free.iter().any(|v| *v > 0.0));
    let (lo, hi) = mags(free);
    assert!((-2.0..-1.9).contains(&lo) && (0.6..=0.7).contains(&hi), "{lo} {hi}");
    // Distances from a finite end, 10^-2 to 10^2.5, on the right side of it.
    for (j, end, side) in [(1, 2.0, 1.0), (2, 3.0, -1.0)] {
        let d: Vec<f64> = col(j).iter().map(|v| side * (v - end)).collect();
        assert!(d.iter().all(|v| *v > 0.0), "column {j}");
        let (lo, hi) = mags(d);
        assert!((-2.0 - 1e-12..-1.9).contains(&lo) && (2.4..=2.5 + 1e-12).contains(&hi), "column {j}: {lo} {hi}");
    }
    // Inside (−1, 1), clear of both ends by 1 % of the width.
    let (lo, hi) = range(&col(3));
    assert!((-0.98..-0.95).contains(&lo) && (0.95..=0.98).contains(&hi), "{lo} {hi}");
    // Log-probabilities: normalised, logits of spread 0.1 … 10.
    for o in draw_outputs(&OutputSpace::LogSimplex(4), 50, 3) {
        assert_eq!(o.len(), 4);
        let total: f64 = o.iter().map(|v| v.exp()).sum();
        assert!((total - 1.0).abs() < 1e-14, "{o:?}");
    }
    assert_eq!(draw_outputs(&space, 5, 11), outs[..5], "seeded");
    assert_ne!(draw_outputs(&space, 5, 12), outs[..5]);
}

/// Where the checker looks for the peak of `exp(−g)`: each end over
/// 10^-3 … 10^7, both signs on the line, a grid inside a bounded interval,
/// the first 65 counts and rounded magnitudes for counts, and the hints.
#[test]
fn probe_targets_cover_every_scale() {
    let inf = f64::INFINITY;
    let has = |v: &[f64], x: f64| v.iter().any(|p| (p - x).abs() <= 1e-9 * x.abs().max(1.0));
    let line = probe_targets(Support::Continuous { low: -inf, high: inf }, &[42.5, f64::NAN]);
    for x in [0.0, 1e-3, -1e-3, 1e7, -1e7, 10f64.powf(2.25), 42.5] {
        assert!(has(&line, x), "{x}");
    }
    assert!(line.iter().all(|v| v.is_finite()), "hints that are not finite are dropped");
    let above = probe_targets(Support::Continuous { low: 5.0, high: inf }, &[]);
    assert!(has(&above, 5.001) && has(&above, 5.0 + 1e7) && above.iter().all(|v| *v > 5.0));
    let below = probe_targets(Support::Continuous { low: -inf, high: -5.0 }, &[]);
    assert!(has(&below, -5.001) && has(&below, -5.0 - 1e7) && below.iter().all(|v| *v < -5.0));
    let unit = probe_targets(Support::Continuous { low: 0.0, high: 2.0 }, &[]);
    assert_eq!(unit.len(), 63);
    assert!(has(&unit, 1.0 / 32.0) && has(&unit, 2.0 - 1.0 / 32.0) && unit.iter().all(|v| *v > 0.0 && *v < 2.0));
    let counts = probe_targets(Support::Discrete { low: 0.0, high: inf }, &[]);
    for k in [0.0, 1.0, 64.0, 178.0, 3162.0, 1e7] {
        assert!(has(&counts, k), "{k}");
    }
    assert!(counts.iter().all(|v| v.fract() == 0.0 && *v >= 0.0));
    let few = probe_targets(Support::Discrete { low: 2.0, high: 9.0 }, &[]);
    assert!(few.iter().all(|v| (2.0..=9.0).contains(v)) && has(&few, 2.0) && has(&few, 9.0));
}

/// The scale is identified unless halving and doubling it keep the spread
/// within the tolerance too; a declared scale is taken as it is.
#[test]
fn a_scale_is_identified_when_halving_or_doubling_it_breaks_the_fit() {
    // Only scales ≥ 1 pass (t = ln a ≥ 0): the search's first try, a = 1,
    // passes, and halving it fails — identified from below.
    let (t, identified, v) = settle(&|t| (-t).max(0.0), None, 1e-8);
    assert_eq!((t, identified, v), (0.0, true, Verdict::CrossEntropy));
    // Only scales ≤ 1 pass: identified from above.
    let (t, identified, _) = settle(&|t| t.max(0.0), None, 1e-8);
    assert_eq!((t, identified), (0.0, true));
    // Every scale passes: not identified, reported as 1.
    assert_eq!(settle(&|_| 0.0, None, 1e-8), (0.0, false, Verdict::CrossEntropy));
    // A declared scale: ln a, identified, judged where it is.
    let (t, identified, v) = settle(&|t| (t - 2f64.ln()).abs(), Some(2.0), 1e-8);
    assert!((t - 2f64.ln()).abs() < 1e-15 && identified && v == Verdict::CrossEntropy);
    let (_, identified, v) = settle(&|_| 1.0, Some(2.0), 1e-8);
    assert!(identified && v == Verdict::NotCrossEntropy);
}

/// The scale search minimises a·spread(ln Z(o)) over a ∈ [1e-4, 1e4]:
/// a = 1 when it already fits, else the grid's best point refined by
/// golden sections to ~1e-10 in ln a.
#[test]
fn the_scale_search_finds_the_minimising_scale() {
    // e^t·spread(t) = |t − ln 3|: a V with its tip at ln 3.
    let v = |t0: f64| move |t: f64| (t - t0).abs() * (-t).exp();
    let t = search_scale(&v(3f64.ln()), 1e-12);
    assert!((t - 3f64.ln()).abs() < 1e-9, "{t}");
    let t = search_scale(&v(-5.0), 1e-12);
    assert!((t + 5.0).abs() < 1e-9, "{t}");
    // At the grid's upper end, ln 1e4.
    let t = search_scale(&v(1e4f64.ln()), 1e-12);
    assert!((t - 1e4f64.ln()).abs() < 1e-9, "{t}");
    // a = 1 already fits: taken without a search.
    assert_eq!(search_scale(&|t: f64| t.abs(), 0.5), 0.0);
    // A smooth minimum (e^t·spread = (t − 1)² + 0.1): to ~√ε.
    let t = search_scale(&|t: f64| ((t - 1.0).powi(2) + 0.1) * (-t).exp(), 1e-12);
    assert!((t - 1.0).abs() < 1e-6, "{t}");
}

/// The base term on a finite target space: for ℓ(o, y) = a·(−ln q(y | o))
/// + b(y) with q a softmax, β = b/a (β₀ = 0) makes ln Z constant.
#[test]
fn the_base_term_is_solved_up_to_its_first_target() {
    let b = [0.0, 0.3, -0.2, 1.1];
    let outputs = draw_outputs(&OutputSpace::Box(vec![(f64::NEG_INFINITY, f64::INFINITY); 4]), 30, 5);
    for a in [1.0, 2.5] {
        let table: Vec<Vec<f64>> = outputs
            .iter()
            .map(|o| {
                let m = o.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let lse = m + o.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                o.iter().zip(b).map(|(v, by)| a * (lse - v) + by).collect()
            })
            .collect();
        let (beta, spread, lnz) = solve::base_for_scale(&table, a);
        for (got, want) in beta.iter().zip(b) {
            assert!((got - want / a).abs() < 1e-9, "a = {a}: {beta:?}");
        }
        assert!(spread < 1e-12, "a = {a}: {spread:e}");
        assert_eq!(lnz.len(), 30);
        // The wrong scale leaves a spread no β removes.
        let (_, wrong, _) = solve::base_for_scale(&table, 2.0 * a);
        assert!(wrong > 1e-3, "a = {a}: {wrong:e}");
    }
    // One target: nothing to solve.
    let (beta, spread, _) = solve::base_for_scale(&[vec![1.0], vec![3.0]], 1.0);
    assert_eq!((beta, spread), (vec![0.0], 2.0));
}

/// `b` is solved for only when asked (`Base::Solve`) and only on a finite
/// target space; a declared `b ≡ 0` on three labels is taken as declared.
#[test]
fn a_declared_base_is_not_solved_for() {
    let r = run(&WithBase(BuiltinLoss::cross_entropy(3, 0.0), Base::Zero));
    assert_eq!(r.verdict, Verdict::CrossEntropy);
    assert!(r.solved_base.is_empty() && r.base == Base::Zero, "{:?}", r.solved_base);
    let r = run(&WithBase(BuiltinLoss::cross_entropy(3, 0.0), Base::Solve));
    assert_eq!(r.solved_base.len(), 3);
    // On a continuous space there is nothing to solve on: b ≡ 0, with a note.
    let r = run(&WithBase(BuiltinLoss::gaussian_nll(true), Base::Solve));
    assert!(r.solved_base.is_empty() && r.notes.iter().any(|n| n.contains("finite target space")), "{:?}", r.notes);
}
