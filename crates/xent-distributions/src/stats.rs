//! Streaming, mergeable accumulators of sufficient statistics.
//!
//! An accumulator takes observations one at a time (or a slice at a time),
//! with optional non-negative weights, and two accumulators over consecutive
//! parts of a data pass merge into the accumulator of the whole pass, so a
//! pass can be split across threads. Invalid observations are not added: the
//! first problem (non-finite value, value outside the support, invalid
//! weight) is remembered with its position and reported by
//! [`Accumulator::check`] and by every fit.

use std::marker::PhantomData;

use crate::error::FitError;

/// A streaming, mergeable accumulator of sufficient statistics.
pub trait Accumulator: Clone + Default + Send {
    /// One observation.
    type Obs: ?Sized;
    /// Adds one observation with weight `w` (finite, `≥ 0`). A weight of 0
    /// is no observation: its value is not checked and adds nothing.
    fn push(&mut self, x: &Self::Obs, w: f64);
    /// Adds the statistics of a later part of the same data pass.
    fn merge(&mut self, later: &Self);
    /// Number of observations pushed (valid or not).
    fn seen(&self) -> usize;
    /// Total weight of the valid observations.
    fn weight(&self) -> f64;
    /// The first problem met, or [`FitError::Empty`] if no weight was added.
    fn check(&self) -> Result<(), FitError>;
}

/// The first problem met in a data pass, with positions relative to the pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FirstError(Option<FitError>);

impl FirstError {
    pub(crate) fn record(&mut self, e: FitError) {
        if self.0.is_none() {
            self.0 = Some(e);
        }
    }
    /// Merges the first error of a later part, shifting its position by `offset`.
    pub(crate) fn merge(&mut self, later: &FirstError, offset: usize) {
        if self.0.is_some() {
            return;
        }
        self.0 = later.0.clone().map(|e| match e {
            FitError::NonFinite { index, value } => FitError::NonFinite { index: index + offset, value },
            FitError::OutOfSupport { family, index, value, support } => {
                FitError::OutOfSupport { family, index: index + offset, value, support }
            }
            FitError::InvalidWeight { index, value } => FitError::InvalidWeight { index: index + offset, value },
            FitError::Dimension { index, expected, found } => {
                FitError::Dimension { index: index + offset, expected, found }
            }
            other => other,
        });
    }
    /// The first error, or [`FitError::Empty`] if no weight was added.
    pub(crate) fn check(&self, weight: f64, family: &'static str) -> Result<(), FitError> {
        match &self.0 {
            Some(e) => Err(e.clone()),
            None if weight > 0.0 => Ok(()),
            None => Err(FitError::Empty { family }),
        }
    }
}

/// Checks one observation against a [`StatMap`]'s support, recording the
/// problem if it is non-finite or outside it.
pub(crate) fn screen<M: StatMap>(x: f64, index: usize, err: &mut FirstError) -> bool {
    if !x.is_finite() {
        err.record(FitError::NonFinite { index, value: x });
        false
    } else if !M::in_support(x) {
        err.record(FitError::OutOfSupport { family: M::FAMILY, index, value: x, support: M::SUPPORT });
        false
    } else {
        true
    }
}

/// Checks a weight, recording the problem if it is invalid.
pub(crate) fn valid_weight(w: f64, index: usize, err: &mut FirstError) -> bool {
    if w.is_finite() && w >= 0.0 {
        true
    } else {
        err.record(FitError::InvalidWeight { index, value: w });
        false
    }
}

/// The map from one observation to the sums a family accumulates.
///
/// Families with finite-dimensional sufficient statistics define one; the
/// accumulator [`SumStats`] keeps the weighted sums of up to three mapped
/// values, plus the weighted count, the minimum and the maximum.
pub trait StatMap: Copy + Default + Send + Sync + std::fmt::Debug + 'static {
    /// Family name for error messages.
    const FAMILY: &'static str;
    /// Support in words for error messages.
    const SUPPORT: &'static str;
    /// Whether `x` (finite) lies in the support.
    fn in_support(x: f64) -> bool;
    /// The statistics of one observation; unused slots are 0.
    fn map(x: f64) -> [f64; 3];
}

/// Weighted sums of mapped observations (see [`StatMap`]), with count, minimum and maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct SumStats<M> {
    seen: usize,
    weight: f64,
    sums: [f64; 3],
    min: f64,
    max: f64,
    error: FirstError,
    _map: PhantomData<M>,
}

impl<M> Default for SumStats<M> {
    fn default() -> Self {
        SumStats {
            seen: 0,
            weight: 0.0,
            sums: [0.0; 3],
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            error: FirstError::default(),
            _map: PhantomData,
        }
    }
}

impl<M: StatMap> SumStats<M> {
    /// The weighted sum of statistic `i` (`0..3`, family-specific).
    pub fn sum(&self, i: usize) -> f64 {
        self.sums[i]
    }
    /// The weighted mean of statistic `i`.
    pub fn mean(&self, i: usize) -> f64 {
        self.sums[i] / self.weight
    }
    /// Smallest observation with positive weight (`+∞` if none).
    pub fn min(&self) -> f64 {
        self.min
    }
    /// Largest observation with positive weight (`−∞` if none).
    pub fn max(&self) -> f64 {
        self.max
    }
    /// Adds every element of a slice with weight 1.
    ///
    /// Fast path: blocks of 256 values are summed without per-value
    /// branches; a block holding an invalid value is replayed one value at a
    /// time to find and record it.
    pub fn extend_from_slice(&mut self, xs: &[f64]) {
        for block in xs.chunks(BLOCK) {
            let mut sums = [0.0f64; 3];
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            let mut ok = true;
            for &x in block {
                ok &= x.is_finite() & M::in_support(x);
                let t = M::map(x);
                sums[0] += t[0];
                sums[1] += t[1];
                sums[2] += t[2];
                lo = lo.min(x);
                hi = hi.max(x);
            }
            if !ok {
                for x in block {
                    self.push(x, 1.0);
                }
                continue;
            }
            self.seen += block.len();
            self.weight += block.len() as f64;
            for (s, v) in self.sums.iter_mut().zip(sums) {
                *s += v;
            }
            self.min = self.min.min(lo);
            self.max = self.max.max(hi);
        }
    }
}

impl<M: StatMap> Accumulator for SumStats<M> {
    type Obs = f64;
    fn push(&mut self, &x: &f64, w: f64) {
        let index = self.seen;
        self.seen += 1;
        // A zero weight is no observation: its value is not looked at.
        if !valid_weight(w, index, &mut self.error) || w == 0.0 {
            return;
        }
        if !screen::<M>(x, index, &mut self.error) {
            return;
        }
        let t = M::map(x);
        self.weight += w;
        for (s, v) in self.sums.iter_mut().zip(t) {
            *s += w * v;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }
    fn merge(&mut self, later: &Self) {
        self.error.merge(&later.error, self.seen);
        self.seen += later.seen;
        self.weight += later.weight;
        for (s, v) in self.sums.iter_mut().zip(later.sums) {
            *s += v;
        }
        self.min = self.min.min(later.min);
        self.max = self.max.max(later.max);
    }
    fn seen(&self) -> usize {
        self.seen
    }
    fn weight(&self) -> f64 {
        self.weight
    }
    fn check(&self) -> Result<(), FitError> {
        self.error.check(self.weight, M::FAMILY)
    }
}

/// Weighted count, mean and sum of squared deviations of mapped observations
/// (the identity for the normal family, `ln x` for the log-normal), merged
/// with Chan's pairwise update so the variance is free of cancellation.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentStats<M> {
    seen: usize,
    weight: f64,
    /// The first mapped observation: `mean` is kept relative to it, so that
    /// one-at-a-time updates of data such as `1e15 + {0.1, 0.2, …}` do not
    /// round each step's `δ/n` away on the grid of the offset.
    shift: f64,
    mean: f64,
    m2: f64,
    error: FirstError,
    _map: PhantomData<M>,
}

impl<M> Default for MomentStats<M> {
    fn default() -> Self {
        MomentStats {
            seen: 0,
            weight: 0.0,
            shift: 0.0,
            mean: 0.0,
            m2: 0.0,
            error: FirstError::default(),
            _map: PhantomData,
        }
    }
}

/// Block length of the fast paths of `extend_from_slice`.
const BLOCK: usize = 256;
/// Independent accumulator lanes in [`MomentStats::extend_from_slice`].
const LANES: usize = 8;

impl<M: StatMap> MomentStats<M> {
    /// Weighted mean of the mapped observations.
    pub fn mean(&self) -> f64 {
        self.shift + self.mean
    }
    /// Weighted sum of squared deviations from the mean.
    pub fn sum_sq_dev(&self) -> f64 {
        self.m2
    }
    /// Biased (MLE) variance `m2 / weight`.
    pub fn variance_mle(&self) -> f64 {
        self.m2 / self.weight
    }

    /// Chan's update with a part of weight `w`, mean `shift + mean` and
    /// squared deviations `m2`.
    fn combine(&mut self, w: f64, shift: f64, mean: f64, m2: f64) {
        if w == 0.0 {
            return;
        }
        if self.weight == 0.0 {
            self.weight = w;
            self.shift = shift;
            self.mean = mean;
            self.m2 = m2;
            return;
        }
        let total = self.weight + w;
        // The part's mean relative to this shift: (shift − self.shift) is
        // exact when the two are within a factor 2 of each other (Sterbenz).
        let delta = (shift - self.shift) + mean - self.mean;
        self.mean += delta * (w / total);
        self.m2 += m2 + delta * delta * (self.weight * w / total);
        self.weight = total;
    }

    /// Adds every element of a slice with weight 1.
    ///
    /// Fast path: blocks of 256 values are reduced in eight lanes of sums of
    /// shifted values (shift = first value of the block), then combined by
    /// Chan's update. A block whose sums are not finite is replayed one value
    /// at a time to find and record the offending observation.
    pub fn extend_from_slice(&mut self, xs: &[f64]) {
        for block in xs.chunks(BLOCK) {
            let shift = M::map(block[0])[0];
            let mut s = [0.0f64; LANES];
            let mut q = [0.0f64; LANES];
            let mut lanes = block.chunks_exact(LANES);
            for c in &mut lanes {
                for l in 0..LANES {
                    let d = M::map(c[l])[0] - shift;
                    s[l] += d;
                    q[l] += d * d;
                }
            }
            for (l, &x) in lanes.remainder().iter().enumerate() {
                let d = M::map(x)[0] - shift;
                s[l] += d;
                q[l] += d * d;
            }
            let sum: f64 = s.iter().sum();
            let sq: f64 = q.iter().sum();
            let ok = sum.is_finite() && sq.is_finite() && block.iter().all(|&x| M::in_support(x));
            if !ok {
                for x in block {
                    self.push(x, 1.0);
                }
                continue;
            }
            let n = block.len() as f64;
            let mean_d = sum / n;
            let m2 = (sq - sum * mean_d).max(0.0);
            self.seen += block.len();
            self.combine(n, shift, mean_d, m2);
        }
    }
}

impl<M: StatMap> Accumulator for MomentStats<M> {
    type Obs = f64;
    fn push(&mut self, &x: &f64, w: f64) {
        let index = self.seen;
        self.seen += 1;
        // A zero weight is no observation: its value is not looked at.
        if !valid_weight(w, index, &mut self.error) || w == 0.0 {
            return;
        }
        if !screen::<M>(x, index, &mut self.error) {
            return;
        }
        self.combine(w, M::map(x)[0], 0.0, 0.0);
    }
    fn merge(&mut self, later: &Self) {
        self.error.merge(&later.error, self.seen);
        self.seen += later.seen;
        self.combine(later.weight, later.shift, later.mean, later.m2);
    }
    fn seen(&self) -> usize {
        self.seen
    }
    fn weight(&self) -> f64 {
        self.weight
    }
    fn check(&self) -> Result<(), FitError> {
        self.error.check(self.weight, M::FAMILY)
    }
}

/// Weighted observations kept in full, for estimators that need order
/// statistics (the Laplace location is the weighted median).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleStats<M> {
    values: Vec<(f64, f64)>,
    weight: f64,
    seen: usize,
    error: FirstError,
    _map: PhantomData<M>,
}

impl<M> Default for SampleStats<M> {
    fn default() -> Self {
        SampleStats { values: Vec::new(), weight: 0.0, seen: 0, error: FirstError::default(), _map: PhantomData }
    }
}

impl<M: StatMap> SampleStats<M> {
    /// The weighted median: the smallest `x` with cumulative weight `≥ W/2`;
    /// when the cumulative weight equals `W/2` exactly, the midpoint of that
    /// value and the next (the usual convention for an even count).
    pub fn weighted_median(&self) -> Option<f64> {
        if self.weight <= 0.0 {
            return None;
        }
        let mut v: Vec<(f64, f64)> = self.values.iter().copied().filter(|p| p.1 > 0.0).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let half = 0.5 * self.weight;
        let mut cum = 0.0;
        for (i, &(x, w)) in v.iter().enumerate() {
            cum += w;
            if cum > half {
                return Some(x);
            }
            if cum == half {
                return Some(v.get(i + 1).map_or(x, |n| 0.5 * (x + n.0)));
            }
        }
        v.last().map(|p| p.0)
    }
    /// Weighted mean of `|x − c|`.
    pub fn mean_abs_dev(&self, c: f64) -> f64 {
        self.values.iter().map(|&(x, w)| w * (x - c).abs()).sum::<f64>() / self.weight
    }
    /// Observations and weights, in the order pushed.
    pub fn values(&self) -> &[(f64, f64)] {
        &self.values
    }
}

impl<M: StatMap> Accumulator for SampleStats<M> {
    type Obs = f64;
    fn push(&mut self, &x: &f64, w: f64) {
        let index = self.seen;
        self.seen += 1;
        // A zero weight is no observation: its value is not looked at.
        if !valid_weight(w, index, &mut self.error) || w == 0.0 {
            return;
        }
        if !screen::<M>(x, index, &mut self.error) {
            return;
        }
        self.values.push((x, w));
        self.weight += w;
    }
    fn merge(&mut self, later: &Self) {
        self.error.merge(&later.error, self.seen);
        self.seen += later.seen;
        self.values.extend_from_slice(&later.values);
        self.weight += later.weight;
    }
    fn seen(&self) -> usize {
        self.seen
    }
    fn weight(&self) -> f64 {
        self.weight
    }
    fn check(&self) -> Result<(), FitError> {
        self.error.check(self.weight, M::FAMILY)
    }
}

/// Declares a [`StatMap`] marker type.
macro_rules! stat_map {
    ($(#[$doc:meta])* $name:ident, $family:literal, $support:literal, |$x:ident| $in:expr, |$y:ident| $map:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name;
        impl $crate::stats::StatMap for $name {
            const FAMILY: &'static str = $family;
            const SUPPORT: &'static str = $support;
            #[inline]
            fn in_support($x: f64) -> bool {
                $in
            }
            #[inline]
            fn map($y: f64) -> [f64; 3] {
                $map
            }
        }
    };
}
pub(crate) use stat_map;

#[cfg(test)]
mod tests {
    use super::*;

    stat_map!(
        /// test map
        Id, "test", "all reals", |_x| true, |x| [x, x * x, 0.0]
    );

    #[test]
    fn moment_fast_path_matches_push_and_merges() {
        let xs: Vec<f64> = (0..1000).map(|i| 1000.0 + ((i * 7919) % 113) as f64 * 0.01).collect();
        let mut a = MomentStats::<Id>::default();
        a.extend_from_slice(&xs);
        let mut b = MomentStats::<Id>::default();
        for x in &xs {
            b.push(x, 1.0);
        }
        let (mut c, mut d) = (MomentStats::<Id>::default(), MomentStats::<Id>::default());
        c.extend_from_slice(&xs[..300]);
        d.extend_from_slice(&xs[300..]);
        c.merge(&d);
        let mean: f64 = xs.iter().sum::<f64>() / 1000.0;
        let m2: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        for s in [&a, &b, &c] {
            assert!((s.mean() - mean).abs() < 1e-12 * mean);
            assert!((s.sum_sq_dev() - m2).abs() < 1e-9 * m2);
            assert_eq!(s.seen(), 1000);
        }
    }

    #[test]
    fn first_error_keeps_its_position_across_merges() {
        let mut a = SumStats::<Id>::default();
        a.extend_from_slice(&[1.0, 2.0]);
        let mut b = SumStats::<Id>::default();
        b.extend_from_slice(&[3.0, f64::NAN]);
        a.merge(&b);
        assert!(matches!(a.check(), Err(FitError::NonFinite { index: 3, .. })));
        let mut m = MomentStats::<Id>::default();
        m.extend_from_slice(&[1.0, 2.0, f64::INFINITY]);
        assert!(matches!(m.check(), Err(FitError::NonFinite { index: 2, .. })));
        assert!(matches!(MomentStats::<Id>::default().check(), Err(FitError::Empty { .. })));
        let mut w = SumStats::<Id>::default();
        w.push(&1.0, -1.0);
        assert!(matches!(w.check(), Err(FitError::InvalidWeight { index: 0, .. })));
    }

    #[test]
    fn weighted_median_conventions() {
        let mut s = SampleStats::<Id>::default();
        for x in [3.0, 1.0, 2.0, 4.0] {
            s.push(&x, 1.0);
        }
        assert_eq!(s.weighted_median(), Some(2.5));
        s.push(&10.0, 1.0);
        assert_eq!(s.weighted_median(), Some(3.0));
    }

    #[test]
    fn one_at_a_time_and_block_updates_agree_at_a_large_offset() {
        // 1e15 + {0.125, 0.25, 0.375, …}: on the offset's grid δ/n rounds
        // away, so without the shift Welford's mean never moves from the
        // first value and m2 is wrong (σ̂ was 0.826 for 0.831).
        let xs: Vec<f64> = (0..200).map(|i| 1e15 + f64::from((i * 37) % 23) * 0.125).collect();
        let dev: Vec<f64> = xs.iter().map(|x| x - 1e15).collect();
        let mut one = MomentStats::<Id>::default();
        for x in &xs {
            one.push(x, 1.0);
        }
        let mut block = MomentStats::<Id>::default();
        block.extend_from_slice(&xs);
        let mut shifted = MomentStats::<Id>::default();
        shifted.extend_from_slice(&dev);
        for s in [&one, &block] {
            assert!((s.mean() - 1e15 - shifted.mean()).abs() <= 0.0625, "{}", s.mean() - 1e15);
            assert!((s.sum_sq_dev() - shifted.sum_sq_dev()).abs() <= 1e-12 * shifted.sum_sq_dev());
        }
        // Merging parts with different shifts keeps both.
        let (mut a, mut b) = (MomentStats::<Id>::default(), MomentStats::<Id>::default());
        for x in &xs[..77] {
            a.push(x, 1.0);
        }
        b.extend_from_slice(&xs[77..]);
        a.merge(&b);
        assert!((a.sum_sq_dev() - shifted.sum_sq_dev()).abs() <= 1e-12 * shifted.sum_sq_dev());
    }
}
