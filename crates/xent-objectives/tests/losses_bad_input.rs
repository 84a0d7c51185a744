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

/// Means over nothing are typed errors, for every loss: an empty batch,
/// every target ignored, a total weight of 0. Sums over nothing are 0.
#[test]
fn means_over_nothing_are_errors() {
    let empty = DMatrix::<f64>::zeros(0, 3);
    let mean = ClassOptions::default();
    let err = cross_entropy(&empty, Target::Indices(&[]), &mean).unwrap_err();
    assert!(matches!(err, ObjectiveError::EmptyMean { .. }), "{err}");
    assert_eq!(err.to_string(), "the mean of the loss is undefined: the batch is empty");
    let sum = ClassOptions { reduction: Reduction::Sum, ..ClassOptions::default() };
    assert_eq!(cross_entropy(&empty, Target::Indices(&[]), &sum).unwrap().scalar(), Some(0.0));
    let logits = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 0.0, 0.0, 0.0]);
    // Every row ignored.
    let ignored = cross_entropy(&logits, Target::Indices(&[-100, -100]), &mean).unwrap_err();
    assert!(matches!(ignored, ObjectiveError::EmptyMean { .. }), "{ignored}");
    assert!(matches!(nll_loss(&logits, &[-100, -100], &mean), Err(ObjectiveError::EmptyMean { .. })));
    // Zero weight on every class that occurs.
    let w = DVector::from_vec(vec![0.0, 0.0, 1.0]);
    let weighted = ClassOptions { weight: Some(&w), ..ClassOptions::default() };
    assert!(matches!(
        cross_entropy(&logits, Target::Indices(&[0, 1]), &weighted),
        Err(ObjectiveError::EmptyMean { .. })
    ));
    // The elementwise losses on an empty batch.
    let e = DVector::<f64>::zeros(0);
    assert!(matches!(
        binary_cross_entropy_with_logits(&e, &e, None, None, Reduction::Mean),
        Err(ObjectiveError::EmptyMean { .. })
    ));
    assert!(matches!(poisson_nll(&e, &e, true, false, 1e-8, Reduction::Mean), Err(ObjectiveError::EmptyMean { .. })));
    assert!(matches!(gaussian_nll(&e, &e, &e, false, 1e-6, Reduction::Mean), Err(ObjectiveError::EmptyMean { .. })));
    for r in [Reduction::Mean, Reduction::BatchMean] {
        assert!(matches!(kl_div(&empty, &empty, false, r), Err(ObjectiveError::EmptyMean { .. })));
    }
}

/// Log-sum-exp is exact at the ends of the `f64` range.
#[test]
fn cross_entropy_is_exact_at_the_largest_logits() {
    let hard = ClassOptions { reduction: Reduction::None, ..ClassOptions::default() };
    // Equal logits of 1.7e308: each class has probability ½.
    let equal = DMatrix::from_row_slice(1, 2, &[1.7e308, 1.7e308]);
    let l = cross_entropy(&equal, Target::Indices(&[1]), &hard).unwrap().values();
    assert_eq!(l, vec![std::f64::consts::LN_2]);
    // ±1e308: the chosen class certain (loss 0), no smoothing, no NaN.
    let apart = DMatrix::from_row_slice(1, 2, &[1e308, -1e308]);
    assert_eq!(cross_entropy(&apart, Target::Indices(&[0]), &hard).unwrap().values(), vec![0.0]);
    // With smoothing the loss is ε/C · 2e308 = 1e307 for ε = 0.1, C = 2:
    // finite although −log p of the other class (2e308) is not.
    let smooth = ClassOptions { label_smoothing: 0.1, ..hard };
    let v = cross_entropy(&apart, Target::Indices(&[0]), &smooth).unwrap().values()[0];
    assert!((v - 1e307).abs() <= 1e-15 * 1e307, "{v:e}");
    // The other class chosen: −log p = 2e308 overflows, and +∞ is the
    // correctly rounded answer.
    let v = cross_entropy(&apart, Target::Indices(&[1]), &hard).unwrap().values()[0];
    assert_eq!(v, f64::INFINITY);
}
