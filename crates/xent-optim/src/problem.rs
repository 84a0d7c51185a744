//! What a solver needs of a problem: a value, a gradient and, optionally, a
//! Hessian.

use nalgebra::DMatrix;

/// A smooth function to minimise.
pub trait Problem {
    /// The error a failed evaluation returns.
    type Error: std::error::Error;
    /// Number of variables.
    fn dim(&self) -> usize;
    /// `f(x)`.
    fn value(&self, x: &[f64]) -> Result<f64, Self::Error>;
    /// `(f(x), ∇f(x))`.
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), Self::Error>;
    /// `∇²f(x)`, if the problem provides it (`Ok(None)` otherwise).
    fn hessian(&self, _x: &[f64]) -> Result<Option<DMatrix<f64>>, Self::Error> {
        Ok(None)
    }
    /// `(f(x), ∇f(x), ∇²f(x))` together, if the problem provides a Hessian.
    /// Newton's method evaluates its trial points this way; override it when
    /// one fused evaluation is cheaper than [`Problem::value_and_gradient`]
    /// followed by [`Problem::hessian`] (the default).
    #[allow(clippy::type_complexity)]
    fn value_gradient_hessian(&self, x: &[f64]) -> Result<Option<(f64, Vec<f64>, DMatrix<f64>)>, Self::Error> {
        let Some(h) = self.hessian(x)? else { return Ok(None) };
        let (f, g) = self.value_and_gradient(x)?;
        Ok(Some((f, g, h)))
    }
}

/// A problem made of closures (handy in tests and small scripts).
pub struct FnProblem<F, G, H> {
    dim: usize,
    f: F,
    g: G,
    h: Option<H>,
}

/// The error of a closure problem: it cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("infallible")]
pub struct Infallible;

impl<F, G> FnProblem<F, G, fn(&[f64]) -> DMatrix<f64>>
where
    F: Fn(&[f64]) -> f64,
    G: Fn(&[f64]) -> Vec<f64>,
{
    /// A problem from a value and a gradient closure.
    pub fn new(dim: usize, f: F, g: G) -> Self {
        FnProblem { dim, f, g, h: None }
    }
}

impl<F, G, H> FnProblem<F, G, H>
where
    F: Fn(&[f64]) -> f64,
    G: Fn(&[f64]) -> Vec<f64>,
    H: Fn(&[f64]) -> DMatrix<f64>,
{
    /// A problem from value, gradient and Hessian closures.
    pub fn with_hessian(dim: usize, f: F, g: G, h: H) -> Self {
        FnProblem { dim, f, g, h: Some(h) }
    }
}

impl<F, G, H> Problem for FnProblem<F, G, H>
where
    F: Fn(&[f64]) -> f64,
    G: Fn(&[f64]) -> Vec<f64>,
    H: Fn(&[f64]) -> DMatrix<f64>,
{
    type Error = Infallible;
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: &[f64]) -> Result<f64, Infallible> {
        Ok((self.f)(x))
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), Infallible> {
        Ok(((self.f)(x), (self.g)(x)))
    }
    fn hessian(&self, x: &[f64]) -> Result<Option<DMatrix<f64>>, Infallible> {
        Ok(self.h.as_ref().map(|h| h(x)))
    }
}
