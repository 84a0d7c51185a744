//! Premises the harness establishes itself instead of taking them from a
//! model's claim (catalogue, "Premises the harness establishes itself"):
//! that `q_θ` is a density — `∫ q_θ = 1` (`Σ` for discrete models) at
//! seeded random θ, by the harness's own quadrature ([`crate::quadrature`])
//! — and that the derivatives the optimisers use are the derivatives of
//! the values (gradcheck / gradgradcheck style).
//!
//! A model opts in by declaring where its observations live
//! ([`DensityModel::sample_space`]); the built-in families and the
//! categorical do.

use std::sync::Arc;

use nalgebra::DMatrix;
use serde_json::json;
use xent_distributions::{Support, Univariate as _};
use xent_objectives::conditional::{EtaModel, HeteroscedasticGaussian, LinearGaussian, Logistic, PoissonLog, Softmax};
use xent_objectives::{CategoricalModel, Family, Model, Objective, check_gradient};

use crate::quadrature::{Mass, total_mass};
use crate::step::CheckOutcome;

/// `|∫ q_θ − 1|` allowed: far above the quadrature's accuracy (its pieces
/// are asked for 1e-13 relative; densities evaluated in `f64` are good to
/// ~1e-14), far below any real normalisation error (a missing `ln σ`, a
/// dropped `ln k!`, a factor `e^{0.001}`).
pub const NORMALISATION_TOL: f64 = 1e-8;

/// Relative error allowed between a gradient and central differences of
/// the values: the differences are accurate to about `ε^{2/3} ≈ 4e-11`
/// relative for objectives and third derivatives of order one, so 1e-6
/// leaves four orders of margin and still sees a gradient 1e-5 off.
pub const GRADIENT_TOL: f64 = 1e-6;

/// Relative error allowed between a Hessian and central differences of the
/// gradient (one derivative further, the same step rule: ~1e-10).
pub const HESSIAN_TOL: f64 = 1e-5;

/// An observation that is a point of the real line (a real value, or an
/// integer count or class), so that the harness can integrate or sum a
/// density over it.
pub trait Observation: Sized {
    /// The observation at real `x`, or `None` if `x` is not one.
    fn from_real(x: f64) -> Option<Self>;
    /// The observation as a real number.
    fn to_real(&self) -> f64;
}

impl Observation for f64 {
    fn from_real(x: f64) -> Option<f64> {
        Some(x)
    }
    fn to_real(&self) -> f64 {
        *self
    }
}

impl Observation for usize {
    fn from_real(x: f64) -> Option<usize> {
        (x >= 0.0 && x == x.floor() && x < 2f64.powi(52)).then_some(x as usize)
    }
    fn to_real(&self) -> f64 {
        *self as f64
    }
}

/// A model whose observations live on the real line, with the measure its
/// density is taken against declared: a real interval (Lebesgue measure)
/// or a range of integers (counting measure).
pub trait DensityModel: Model<Obs: Observation> {
    /// The support of `q_θ` at natural parameters `θ` (`None` if `θ` is not
    /// a valid parameter).
    fn sample_space(&self, theta: &[f64]) -> Option<Support>;
}

impl DensityModel for Family {
    fn sample_space(&self, theta: &[f64]) -> Option<Support> {
        self.build::<f64>(theta).ok().map(|d| d.support())
    }
}

impl DensityModel for CategoricalModel {
    fn sample_space(&self, _theta: &[f64]) -> Option<Support> {
        Some(Support::Discrete { low: 0.0, high: self.k as f64 - 1.0 })
    }
}

/// A conditional model whose targets live on the real line, with the
/// measure of its density declared (as [`DensityModel`] for `q(y | x)`).
pub trait ConditionalDensityModel: EtaModel {
    /// The support of `q(· | η, extra)`.
    fn target_space(&self, eta: &[f64], extra: &[f64]) -> Option<Support>;
}

const REAL_LINE: Support = Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY };

impl ConditionalDensityModel for LinearGaussian {
    fn target_space(&self, _eta: &[f64], _extra: &[f64]) -> Option<Support> {
        Some(REAL_LINE)
    }
}
impl ConditionalDensityModel for HeteroscedasticGaussian {
    fn target_space(&self, _eta: &[f64], _extra: &[f64]) -> Option<Support> {
        Some(REAL_LINE)
    }
}
impl ConditionalDensityModel for Logistic {
    fn target_space(&self, _eta: &[f64], _extra: &[f64]) -> Option<Support> {
        Some(Support::Discrete { low: 0.0, high: 1.0 })
    }
}
impl ConditionalDensityModel for PoissonLog {
    fn target_space(&self, _eta: &[f64], _extra: &[f64]) -> Option<Support> {
        Some(Support::Discrete { low: 0.0, high: f64::INFINITY })
    }
}
impl ConditionalDensityModel for Softmax {
    fn target_space(&self, _eta: &[f64], _extra: &[f64]) -> Option<Support> {
        Some(Support::Discrete { low: 0.0, high: self.classes() as f64 - 1.0 })
    }
}

/// The density `p(x)` of a conditional model's inputs (a feature row, the
/// intercept excluded), as the harness needs it for `(6)->(7)` and
/// `(7)->(8)`: values, and where it lives, so that its mass can be
/// established rather than claimed.
pub struct InputDensity {
    kind: InputKind,
}

enum InputKind {
    /// Independent features: `p(x) = Πⱼ pⱼ(xⱼ)`, mass the product of the
    /// one-dimensional masses.
    Independent(Vec<(Support, Arc<dyn Fn(f64) -> f64 + Sync + Send>)>),
    /// A joint density over the product of the supports (at most two
    /// features: nested quadrature).
    Joint(Vec<Support>, Arc<dyn Fn(&[f64]) -> f64 + Sync + Send>),
}

impl InputDensity {
    /// Independent features, feature `j` with support `marginals[j].0` and
    /// log-density `marginals[j].1`.
    pub fn independent(marginals: Vec<(Support, Arc<dyn Fn(f64) -> f64 + Sync + Send>)>) -> Self {
        InputDensity { kind: InputKind::Independent(marginals) }
    }
    /// `d` independent standard normal features.
    pub fn standard_normal(d: usize) -> Self {
        let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        Self::independent(
            (0..d)
                .map(|_| {
                    let f: Arc<dyn Fn(f64) -> f64 + Sync + Send> = Arc::new(move |x: f64| -0.5 * x * x - half_ln_2pi);
                    (REAL_LINE, f)
                })
                .collect(),
        )
    }
    /// A joint log-density over the product of `space` (one support per
    /// feature; its mass is established for at most two features).
    pub fn joint(space: Vec<Support>, ln_density: impl Fn(&[f64]) -> f64 + Sync + Send + 'static) -> Self {
        InputDensity { kind: InputKind::Joint(space, Arc::new(ln_density)) }
    }
    /// The same density times `e^c` (not a density unless `c = 0`): for the
    /// controls.
    pub fn scaled(&self, c: f64) -> InputDensity {
        let kind = match &self.kind {
            InputKind::Independent(m) => {
                let mut m = m.clone();
                if let Some((space, f)) = m.first().cloned() {
                    let g: Arc<dyn Fn(f64) -> f64 + Sync + Send> = Arc::new(move |x| f(x) + c);
                    m[0] = (space, g);
                }
                InputKind::Independent(m)
            }
            InputKind::Joint(space, f) => {
                let f = f.clone();
                InputKind::Joint(space.clone(), Arc::new(move |x: &[f64]| f(x) + c))
            }
        };
        InputDensity { kind }
    }
    /// `ln p(x)`.
    pub fn ln_density(&self, x: &[f64]) -> f64 {
        match &self.kind {
            InputKind::Independent(m) if m.len() == x.len() => m.iter().zip(x).map(|((_, f), v)| f(*v)).sum(),
            InputKind::Joint(space, f) if space.len() == x.len() => f(x),
            _ => f64::NAN,
        }
    }
    /// The number of features.
    pub fn dim(&self) -> usize {
        match &self.kind {
            InputKind::Independent(m) => m.len(),
            InputKind::Joint(space, _) => space.len(),
        }
    }
    /// The harness's own `∫ p` over the input space, with the rows as hints:
    /// a product of one-dimensional masses for independent features, nested
    /// quadrature for a joint density (at most two features).
    pub fn mass(&self, rows: &[Vec<f64>]) -> Result<Mass, String> {
        match &self.kind {
            InputKind::Independent(m) => {
                let mut total = Mass { value: 1.0, error: 0.0, resolved: true, invalid: false };
                for (j, (space, f)) in m.iter().enumerate() {
                    let one = total_mass(&|x| f(x).exp(), *space, &feature(rows, j));
                    total = Mass {
                        value: total.value * one.value,
                        error: total.error * one.value.abs() + one.error * total.value.abs(),
                        resolved: total.resolved && one.resolved,
                        invalid: total.invalid || one.invalid,
                    };
                }
                Ok(total)
            }
            InputKind::Joint(..) => self.expect_nonnegative(&|_| 1.0, rows),
        }
    }

    /// The harness's own `E_p[g] = ∫ g p` for a non-negative `g` over at
    /// most two features (nested quadrature), with the rows as hints.
    ///
    /// # Errors
    /// More than two features.
    pub fn expect_nonnegative(&self, g: &dyn Fn(&[f64]) -> f64, rows: &[Vec<f64>]) -> Result<Mass, String> {
        let space: Vec<Support> = match &self.kind {
            InputKind::Independent(m) => m.iter().map(|(s, _)| *s).collect(),
            InputKind::Joint(space, _) => space.clone(),
        };
        let f = |x: &[f64]| self.ln_density(x).exp() * g(x);
        match space.as_slice() {
            [a] => Ok(total_mass(&|x| f(&[x]), *a, &feature(rows, 0))),
            [a, b] => {
                let (h0, h1) = (feature(rows, 0), feature(rows, 1));
                let inner_ok = std::cell::Cell::new(true);
                let outer = total_mass(
                    &|x0| {
                        let m = total_mass(&|x1| f(&[x0, x1]), *b, &h1);
                        inner_ok.set(inner_ok.get() && m.resolved && !m.invalid);
                        m.value
                    },
                    *a,
                    &h0,
                );
                Ok(Mass { resolved: outer.resolved && inner_ok.get(), ..outer })
            }
            _ => Err(format!(
                "an integral of a joint input density over {} features is not established (at most 2; declare independent features)",
                space.len()
            )),
        }
    }
}

/// Feature `j` of every row: hints for the quadrature.
fn feature(rows: &[Vec<f64>], j: usize) -> Vec<f64> {
    rows.iter().filter_map(|r| r.get(j).copied()).collect()
}

/// `q_θ` is a density: at every point, `mass(u)` — the harness's own `∫ q`
/// or `Σ q` at the point — is `1` within [`NORMALISATION_TOL`]. A mass the
/// quadrature could not resolve, a NaN or negative density, or a point
/// where the model cannot be evaluated is a failure: the premise was not
/// established.
pub fn normalisation(points: &[Vec<f64>], mass: impl Fn(&[f64]) -> Result<Mass, String>) -> CheckOutcome {
    unit_mass("density_normalised", points, mass)
}

/// [`normalisation`] under another check name (`input_normalised`,
/// `conditional_normalised`).
pub(crate) fn unit_mass(
    check: &'static str,
    points: &[Vec<f64>],
    mass: impl Fn(&[f64]) -> Result<Mass, String>,
) -> CheckOutcome {
    let mut worst = 0.0f64;
    let mut problem: Option<String> = None;
    for u in points {
        match mass(u) {
            Err(e) => problem = problem.or(Some(e)),
            Ok(m) if m.invalid => problem = problem.or(Some(format!("density NaN or negative at {u:?}"))),
            Ok(m) if !m.resolved => {
                problem = problem.or(Some(format!("the quadrature could not resolve the mass at {u:?}")));
            }
            Ok(m) => {
                let dev = (m.value - 1.0).abs();
                if !(dev <= worst) {
                    worst = dev;
                }
            }
        }
    }
    let ok = problem.is_none() && worst <= NORMALISATION_TOL && !points.is_empty();
    let key = match &problem {
        Some(p) => p.clone(),
        None => format!("max |∫q − 1| = {worst:.1e} <= {NORMALISATION_TOL:.0e} at {} points", points.len()),
    };
    let mut figures = vec![
        ("points", json!(points.len())),
        ("max_mass_error", json!(worst)),
        ("tolerance", json!(NORMALISATION_TOL)),
    ];
    if let Some(p) = &problem {
        figures.push(("reason", json!(p)));
    }
    CheckOutcome::new(check, ok, key, &figures)
}

/// Central-difference Hessian from a gradient: column `j` is
/// `(g(u + hⱼeⱼ) − g(u − hⱼeⱼ)) / 2hⱼ`, `hⱼ = ε^{1/3}·max(1, |uⱼ|)`.
pub(crate) fn fd_jacobian(grad: &dyn Fn(&[f64]) -> Option<Vec<f64>>, u: &[f64]) -> Option<DMatrix<f64>> {
    let d = u.len();
    let mut h = DMatrix::zeros(d, d);
    for j in 0..d {
        let step = f64::EPSILON.cbrt() * u[j].abs().max(1.0);
        let (mut a, mut b) = (u.to_vec(), u.to_vec());
        a[j] += step;
        b[j] -= step;
        let (ga, gb) = (grad(&a)?, grad(&b)?);
        for i in 0..d {
            h[(i, j)] = (ga[i] - gb[i]) / (2.0 * step);
        }
    }
    Some(h)
}

/// The derivatives are those of the values: at every point the gradient
/// against central differences of `value` (per coordinate and along one
/// seeded direction, [`GRADIENT_TOL`]) and the Hessian against central
/// differences of the gradient ([`HESSIAN_TOL`]), errors relative to
/// `max(1, |difference|)`.
pub fn derivatives(
    points: &[Vec<f64>],
    value: &dyn Fn(&[f64]) -> Option<f64>,
    gradient: &dyn Fn(&[f64]) -> Option<Vec<f64>>,
    hessian: &dyn Fn(&[f64]) -> Option<DMatrix<f64>>,
    seed: u64,
) -> CheckOutcome {
    let (mut g_err, mut h_err) = (0.0f64, 0.0f64);
    let mut problem: Option<String> = None;
    let f = |u: &[f64]| value(u).unwrap_or(f64::NAN);
    for (k, u) in points.iter().enumerate() {
        let (Some(v), Some(g), Some(h)) = (value(u), gradient(u), hessian(u)) else {
            problem = problem.or(Some(format!("value, gradient or Hessian unavailable at u = {u:?}")));
            continue;
        };
        let fd_h = fd_jacobian(gradient, u);
        let finite = v.is_finite() && g.iter().all(|x| x.is_finite()) && h.iter().all(|x| x.is_finite());
        let Some(fd_h) = fd_h.filter(|_| finite && g.len() == u.len() && h.shape() == (u.len(), u.len())) else {
            problem = problem.or(Some(format!("non-finite or misshapen derivatives at u = {u:?}")));
            continue;
        };
        let c = check_gradient(&f, u, &g, seed.wrapping_add(k as u64));
        let e = c.max_coordinate_error.max(c.directional_error);
        g_err = if e.is_nan() { f64::INFINITY } else { g_err.max(e) };
        for (a, b) in h.iter().zip(fd_h.iter()) {
            let e = (a - b).abs() / b.abs().max(1.0);
            h_err = if e.is_nan() { f64::INFINITY } else { h_err.max(e) };
        }
    }
    let ok = problem.is_none() && g_err <= GRADIENT_TOL && h_err <= HESSIAN_TOL && !points.is_empty();
    let key = match &problem {
        Some(p) => p.clone(),
        None => format!(
            "gradient vs differences {g_err:.1e} (bound {GRADIENT_TOL:.0e}), Hessian {h_err:.1e} (bound {HESSIAN_TOL:.0e})"
        ),
    };
    let mut figures = vec![
        ("points", json!(points.len())),
        ("max_gradient_error", json!(g_err)),
        ("gradient_tolerance", json!(GRADIENT_TOL)),
        ("max_hessian_error", json!(h_err)),
        ("hessian_tolerance", json!(HESSIAN_TOL)),
    ];
    if let Some(p) = &problem {
        figures.push(("reason", json!(p)));
    }
    CheckOutcome::new("derivatives_match", ok, key, &figures)
}

/// [`derivatives`] of an objective's own value, gradient and Hessian.
pub fn objective_derivatives(points: &[Vec<f64>], obj: &dyn Objective, seed: u64) -> CheckOutcome {
    derivatives(points, &|u| obj.value(u).ok(), &|u| obj.gradient(u).ok(), &|u| obj.hessian(u).ok(), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_non_negative_whole_numbers_below_2_to_the_52() {
        assert_eq!(<usize as Observation>::from_real(3.0), Some(3));
        assert_eq!(<usize as Observation>::from_real(0.0), Some(0));
        for bad in [-1.0, -0.0 - 2.0, 0.5, 2f64.powi(52), f64::NAN, f64::INFINITY] {
            assert_eq!(<usize as Observation>::from_real(bad), None, "{bad}");
        }
    }

    fn masses(values: &'static [f64]) -> impl Fn(&[f64]) -> Result<Mass, String> {
        move |u: &[f64]| Ok(Mass { value: values[u[0] as usize], error: 1e-14, resolved: true, invalid: false })
    }

    /// The rows tell the quadrature where the inputs are: a feature whose
    /// mass sits at 1000 ± 0.01 integrates to 1 from rows near it.
    #[test]
    fn input_masses_are_found_where_the_rows_are() {
        assert_eq!(feature(&[vec![1.0, 2.0], vec![3.0], vec![5.0, 6.0]], 1), [2.0, 6.0]);
        let far: Arc<dyn Fn(f64) -> f64 + Sync + Send> =
            Arc::new(|x: f64| -0.5 * ((x - 1000.0) / 0.01).powi(2) - (0.01 * (2.0 * std::f64::consts::PI).sqrt()).ln());
        let d = InputDensity::independent(vec![(REAL_LINE, far)]);
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![1000.0 + 0.002 * (f64::from(i) - 10.0)]).collect();
        let m = d.mass(&rows).expect("one feature");
        assert!(m.resolved && !m.invalid && (m.value - 1.0).abs() < 1e-9, "{m:?}");
    }

    /// Two joint features, nested: an inner integral that is NaN somewhere
    /// leaves the whole unresolved (or invalid), even when the outer
    /// quadrature of the inner values converges.
    #[test]
    fn a_nested_mass_is_only_as_resolved_as_its_inner_integrals() {
        let normal = |x: f64| -0.5 * x * x - 0.5 * (2.0 * std::f64::consts::PI).ln();
        let good = InputDensity::joint(vec![REAL_LINE, REAL_LINE], move |x| normal(x[0]) + normal(x[1]));
        let rows: Vec<Vec<f64>> = (0..9).map(|i| vec![f64::from(i) / 4.0 - 1.0, 1.0 - f64::from(i) / 4.0]).collect();
        let m = good.mass(&rows).expect("two features");
        assert!(m.resolved && !m.invalid && (m.value - 1.0).abs() < 1e-10, "{m:?}");
        let nan_inside = InputDensity::joint(vec![REAL_LINE, REAL_LINE], move |x| {
            if x[1] > 7.0 { f64::NAN } else { normal(x[0]) + normal(x[1]) }
        });
        let m = nan_inside.mass(&rows).expect("two features");
        assert!(!m.resolved || m.invalid, "{m:?}");
        let three = InputDensity::joint(vec![REAL_LINE; 3], |_| 0.0);
        assert!(three.mass(&rows).is_err(), "three joint features are not integrated");
    }

    #[test]
    fn normalisation_passes_just_inside_and_fails_just_outside_its_tolerance() {
        let pts: Vec<Vec<f64>> = vec![vec![0.0], vec![1.0]];
        assert!(normalisation(&pts, masses(&[1.0, 1.0 + 0.9e-8])).passed);
        assert!(!normalisation(&pts, masses(&[1.0, 1.0 + 1.1e-8])).passed);
        assert!(!normalisation(&pts, masses(&[1.0 - 1.1e-8, 1.0])).passed);
        assert!(!normalisation(&pts, masses(&[1.0, f64::NAN])).passed);
        assert!(!normalisation(&[], masses(&[1.0])).passed);
        let unresolved = |_: &[f64]| Ok(Mass { value: 1.0, error: 1.0, resolved: false, invalid: false });
        assert!(!normalisation(&pts, unresolved).passed);
        let invalid = |_: &[f64]| Ok(Mass { value: 1.0, error: 0.0, resolved: true, invalid: true });
        assert!(!normalisation(&pts, invalid).passed);
        assert!(!normalisation(&pts, |_: &[f64]| Err("no".to_string())).passed);
    }

    #[test]
    fn derivatives_pin_gradient_and_hessian_errors() {
        // f = e^{u0} + u0·u1², g = (e^{u0} + u1², 2 u0 u1), H = [[e^{u0}, 2u1], [2u1, 2u0]].
        let f = |u: &[f64]| Some(u[0].exp() + u[0] * u[1] * u[1]);
        let g = |s: f64| move |u: &[f64]| Some(vec![(u[0].exp() + u[1] * u[1]) * s, 2.0 * u[0] * u[1]]);
        let h = |s: f64| {
            move |u: &[f64]| Some(DMatrix::from_row_slice(2, 2, &[u[0].exp(), 2.0 * u[1], 2.0 * u[1], 2.0 * u[0] * s]))
        };
        let pts = vec![vec![0.3, -1.2], vec![1.5, 0.7]];
        assert!(derivatives(&pts, &f, &g(1.0), &h(1.0), 1).passed);
        assert!(derivatives(&pts, &f, &g(1.0 + 1e-9), &h(1.0), 1).passed);
        assert!(!derivatives(&pts, &f, &g(1.0 + 1e-5), &h(1.0), 1).passed);
        assert!(!derivatives(&pts, &f, &g(1.0), &h(1.0 + 1e-4), 1).passed);
        assert!(derivatives(&pts, &f, &g(1.0), &h(1.0 + 1e-7), 1).passed);
        assert!(!derivatives(&pts, &f, &g(1.0), &|_: &[f64]| None, 1).passed);
        assert!(!derivatives(&[], &f, &g(1.0), &h(1.0), 1).passed);
    }
}
