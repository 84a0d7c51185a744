//! Losses reject mismatched shapes, labels out of range, NaN inputs and
//! invalid options with typed errors.

use nalgebra::{DMatrix, DVector};
use xent_objectives::ObjectiveError;
use xent_objectives::losses::{
    ClassOptions, Reduction, Target, binary_cross_entropy_with_logits, cross_entropy, gaussian_nll, kl_div, nll_loss,
    poisson_nll,
};

#[test]
fn class_losses_check_labels_shapes_and_values() {
    let x = DMatrix::from_row_slice(2, 3, &[0.1, 0.2, 0.3, 1.0, -1.0, 0.0]);
    let o = ClassOptions::default();
    assert!(matches!(
        cross_entropy(&x, Target::Indices(&[0, 3]), &o),
        Err(ObjectiveError::LabelOutOfRange { index: 1, label: 3, classes: 3 })
    ));
    assert!(matches!(
        cross_entropy(&x, Target::Indices(&[-1, 0]), &o),
        Err(ObjectiveError::LabelOutOfRange { index: 0, .. })
    ));
    assert!(matches!(cross_entropy(&x, Target::Indices(&[0]), &o), Err(ObjectiveError::Dimension { .. })));
    let mut bad = x.clone();
    bad[(1, 2)] = f64::NAN;
    assert!(matches!(cross_entropy(&bad, Target::Indices(&[0, 1]), &o), Err(ObjectiveError::NonFinite { .. })));
    let w = DVector::from_vec(vec![1.0, 2.0]);
    let ow = ClassOptions { weight: Some(&w), ..o };
    assert!(matches!(cross_entropy(&x, Target::Indices(&[0, 1]), &ow), Err(ObjectiveError::Dimension { .. })));
    let os = ClassOptions { label_smoothing: 1.5, ..o };
    assert!(matches!(cross_entropy(&x, Target::Indices(&[0, 1]), &os), Err(ObjectiveError::InvalidOption { .. })));
    let t = DMatrix::from_row_slice(2, 2, &[0.5, 0.5, 0.5, 0.5]);
    assert!(matches!(cross_entropy(&x, Target::Probs(&t), &o), Err(ObjectiveError::Dimension { .. })));
    assert!(matches!(nll_loss(&x, &[5, 0], &o), Err(ObjectiveError::LabelOutOfRange { .. })));
    // The ignore index is not a label error; all rows ignored gives 0/0 = NaN
    // in PyTorch; here too, but only when asked for the mean of nothing.
    let l = cross_entropy(&x, Target::Indices(&[-100, 1]), &o).unwrap().scalar().unwrap();
    assert!(l.is_finite());
}

#[test]
fn elementwise_losses_check_shapes_values_and_options() {
    let a = DVector::from_vec(vec![0.1, 0.2]);
    let b = DVector::from_vec(vec![1.0]);
    let nan = DVector::from_vec(vec![0.1, f64::NAN]);
    let r = Reduction::Mean;
    assert!(matches!(binary_cross_entropy_with_logits(&a, &b, None, None, r), Err(ObjectiveError::Dimension { .. })));
    assert!(matches!(
        binary_cross_entropy_with_logits(&nan, &a, None, None, r),
        Err(ObjectiveError::NonFinite { index: 1, .. })
    ));
    assert!(matches!(gaussian_nll(&a, &a, &b, false, 1e-6, r), Err(ObjectiveError::Dimension { .. })));
    let neg = DVector::from_vec(vec![1.0, -1.0]);
    assert!(matches!(gaussian_nll(&a, &a, &neg, false, 1e-6, r), Err(ObjectiveError::InvalidTarget { index: 1, .. })));
    assert!(matches!(gaussian_nll(&a, &a, &a, false, 0.0, r), Err(ObjectiveError::InvalidOption { .. })));
    assert!(matches!(poisson_nll(&a, &neg, true, false, 1e-8, r), Err(ObjectiveError::InvalidTarget { index: 1, .. })));
    let m = DMatrix::from_row_slice(1, 2, &[-0.5, -1.0]);
    let m2 = DMatrix::from_row_slice(2, 1, &[0.5, 0.5]);
    assert!(matches!(kl_div(&m, &m2, false, Reduction::BatchMean), Err(ObjectiveError::Dimension { .. })));
    assert!(matches!(
        binary_cross_entropy_with_logits(&a, &a, None, None, Reduction::BatchMean),
        Err(ObjectiveError::InvalidOption { .. })
    ));
}

#[test]
fn huge_logits_stay_finite() {
    let x = DVector::from_vec(vec![1e4, -1e4, 1e300]);
    let y = DVector::from_vec(vec![0.0, 1.0, 1.0]);
    let l = binary_cross_entropy_with_logits(&x, &y, None, None, Reduction::None).unwrap().values();
    assert_eq!(l, vec![1e4, 1e4, 0.0]);
}
