//! Options of a fit.

use xent_optim::Options;

/// Options of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Known parameters `(name, value)`, held fixed.
    pub fixed: Vec<(String, f64)>,
    /// Also compute sandwich standard errors.
    pub robust: bool,
    /// Optimiser limits (gradient tolerance on the average NLL).
    pub optim: Options,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            fixed: Vec::new(),
            robust: false,
            optim: Options { gradient_tol: 1e-10, max_iterations: 500, ..Options::default() },
        }
    }
}
