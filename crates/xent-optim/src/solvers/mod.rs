//! One file per method; each keeps its own state between iterations.

pub(crate) mod adam;
pub(crate) mod chord;
pub(crate) mod gradient_descent;
pub(crate) mod lbfgs;
pub(crate) mod lbfgsb;
pub(crate) mod momentum;
pub(crate) mod newton;
