//! The problem as the solvers see it: every gradient and Hessian checked
//! against the problem's dimension, so a problem that returns the wrong
//! shape stops the run with a typed reason instead of an index panic or a
//! nalgebra shape assertion deep inside a solver.

use nalgebra::DMatrix;

use crate::problem::Problem;

/// `P` with its shapes checked.
pub(crate) struct Checked<'p, P>(pub(crate) &'p P);

/// A problem's own error, or a result of the wrong shape.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckedError<E: std::error::Error> {
    /// The problem's error.
    #[error(transparent)]
    Problem(E),
    /// A gradient or Hessian of the wrong shape.
    #[error("the problem's {what} has shape {found}, but its dimension is {dim}")]
    Shape {
        /// `gradient` or `hessian`.
        what: &'static str,
        /// The problem's dimension.
        dim: usize,
        /// The shape it returned.
        found: String,
    },
}

impl<P: Problem> Checked<'_, P> {
    fn gradient(&self, g: &[f64]) -> Result<(), CheckedError<P::Error>> {
        let dim = self.0.dim();
        if g.len() == dim {
            Ok(())
        } else {
            Err(CheckedError::Shape { what: "gradient", dim, found: g.len().to_string() })
        }
    }
    fn hessian(&self, h: &DMatrix<f64>) -> Result<(), CheckedError<P::Error>> {
        let dim = self.0.dim();
        if h.shape() == (dim, dim) {
            Ok(())
        } else {
            Err(CheckedError::Shape { what: "hessian", dim, found: format!("{} × {}", h.nrows(), h.ncols()) })
        }
    }
}

impl<P: Problem> Problem for Checked<'_, P> {
    type Error = CheckedError<P::Error>;
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn value(&self, x: &[f64]) -> Result<f64, Self::Error> {
        self.0.value(x).map_err(CheckedError::Problem)
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), Self::Error> {
        let (f, g) = self.0.value_and_gradient(x).map_err(CheckedError::Problem)?;
        self.gradient(&g)?;
        Ok((f, g))
    }
    fn hessian(&self, x: &[f64]) -> Result<Option<DMatrix<f64>>, Self::Error> {
        let h = self.0.hessian(x).map_err(CheckedError::Problem)?;
        if let Some(h) = &h {
            self.hessian(h)?;
        }
        Ok(h)
    }
    fn value_gradient_hessian(&self, x: &[f64]) -> Result<Option<(f64, Vec<f64>, DMatrix<f64>)>, Self::Error> {
        let r = self.0.value_gradient_hessian(x).map_err(CheckedError::Problem)?;
        if let Some((_, g, h)) = &r {
            self.gradient(g)?;
            self.hessian(h)?;
        }
        Ok(r)
    }
}
