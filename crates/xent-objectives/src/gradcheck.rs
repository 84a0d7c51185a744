//! Checking a gradient against finite differences.

/// The outcome of [`check_gradient`].
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// Central differences, one per coordinate.
    pub finite_differences: Vec<f64>,
    /// Largest `|gᵢ − fdᵢ| / max(1, |fdᵢ|)` over coordinates.
    pub max_coordinate_error: f64,
    /// `|g·v − D_v f| / max(1, |D_v f|)` along one random unit direction `v`.
    pub directional_error: f64,
}

impl GradientCheck {
    /// Both errors at most `tol`.
    pub fn passes(&self, tol: f64) -> bool {
        self.max_coordinate_error <= tol && self.directional_error <= tol
    }
}

/// Compares `grad` (claimed `∇f(x)`) with central differences of `f`.
///
/// Coordinate `i` uses step `hᵢ = ε^(1/3) · max(1, |xᵢ|)` (`ε` the machine
/// epsilon), which balances truncation `O(h² f‴)` against rounding
/// `O(ε |f| / h)`: for `f`, `f‴` of order 1 both are about `ε^(2/3) ≈ 4e-11`
/// relative, so a tolerance of `1e-6` leaves four orders of margin and still
/// catches any real error in a derivative. The directional check takes one
/// pseudo-random unit direction `v` (from `seed`) and compares
/// `(f(x + hv) − f(x − hv)) / 2h` with `∇f·v`: one evaluation pair that
/// catches errors a per-coordinate check would also catch, at any dimension.
///
/// ```
/// use xent_objectives::check_gradient;
/// let f = |x: &[f64]| x[0] * x[0] + 3.0 * x[1];
/// let ok = check_gradient(&f, &[1.0, 2.0], &[2.0, 3.0], 7);
/// assert!(ok.passes(1e-6));
/// let wrong = check_gradient(&f, &[1.0, 2.0], &[2.0, 3.1], 7);
/// assert!(!wrong.passes(1e-6));
/// ```
pub fn check_gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], grad: &[f64], seed: u64) -> GradientCheck {
    let h0 = f64::EPSILON.cbrt();
    let eval = |dir: &dyn Fn(usize) -> f64, h: f64| {
        let plus: Vec<f64> = x.iter().enumerate().map(|(i, &v)| v + h * dir(i)).collect();
        let minus: Vec<f64> = x.iter().enumerate().map(|(i, &v)| v - h * dir(i)).collect();
        (f(&plus) - f(&minus)) / (2.0 * h)
    };
    let fd: Vec<f64> = (0..x.len())
        .map(|i| {
            let h = h0 * x[i].abs().max(1.0);
            eval(&|j| if j == i { 1.0 } else { 0.0 }, h)
        })
        .collect();
    let max_coordinate_error = grad.iter().zip(&fd).map(|(g, d)| (g - d).abs() / d.abs().max(1.0)).fold(0.0, f64::max);
    // SplitMix64 for a reproducible direction without a dependency.
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut v: Vec<f64> = (0..x.len()).map(|_| next()).collect();
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    v.iter_mut().for_each(|a| *a /= norm);
    let scale = x.iter().fold(1.0f64, |m, a| m.max(a.abs()));
    let dv = eval(&|j| v[j], h0 * scale);
    let gv: f64 = grad.iter().zip(&v).map(|(g, a)| g * a).sum();
    GradientCheck {
        finite_differences: fd,
        max_coordinate_error,
        directional_error: (gv - dv).abs() / dv.abs().max(1.0),
    }
}
