//! `xent fit --plot`: the histogram with the fitted density (or the bars
//! with the fitted probabilities) beside a Q–Q plot, as one SVG.

use std::path::Path;

use plotters::prelude::*;
use xent_distributions::{AnyUnivariate, LogDensity, Univariate};
use xent_fit::FitReport;
use xent_objectives::Family;

use crate::error::CliError;

fn err(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::Output { what: path.display().to_string(), message: e.to_string() }
}

/// The `p`-quantile of `d` by bisection on its CDF, from a bracket grown
/// around the data; rounded up to an integer for discrete families.
fn quantile(d: &AnyUnivariate, p: f64, lo0: f64, hi0: f64, discrete: bool) -> f64 {
    let width = (hi0 - lo0).max(1.0);
    let (mut lo, mut hi) = (lo0 - width, hi0 + width);
    for _ in 0..60 {
        if d.cdf(lo) < p {
            break;
        }
        lo -= (hi - lo).abs();
    }
    for _ in 0..60 {
        if d.cdf(hi) >= p {
            break;
        }
        hi += (hi - lo).abs();
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if d.cdf(mid) < p { lo = mid } else { hi = mid }
    }
    if discrete { hi.ceil() } else { hi }
}

/// Draws the fit of `family` (report `r`) to `data` (with frequency
/// `weights`, if any: bars and quantiles are those of the data with each
/// value repeated by its weight) into `path`.
pub fn fit_plot(
    path: &Path,
    family: &Family,
    r: &FitReport<AnyUnivariate>,
    data: &[f64],
    weights: Option<&[f64]>,
) -> Result<(), CliError> {
    let d = &r.distribution;
    let mut pairs: Vec<(f64, f64)> =
        data.iter().enumerate().map(|(i, x)| (*x, weights.map_or(1.0, |w| w[i]))).filter(|p| p.1 > 0.0).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let sorted: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let n = sorted.len();
    if n == 0 {
        return Err(err(path, "no observations to draw"));
    }
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let (min, max) = (sorted[0], sorted[n - 1]);
    let discrete = sorted.iter().all(|v| v.fract() == 0.0)
        && matches!(
            family,
            Family::Poisson
                | Family::Bernoulli
                | Family::Geometric
                | Family::NegativeBinomial
                | Family::Binomial { .. }
        );
    let root = SVGBackend::new(path, (1100, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let (left, right) = root.split_horizontally(550);

    // Histogram (density scale) or relative frequencies, with the fit.
    let (bars, curve): (Vec<(f64, f64, f64)>, Vec<(f64, f64)>) = if discrete {
        let (lo, hi) = (min as i64, max as i64);
        let bars = (lo..=hi)
            .map(|k| {
                let c: f64 = pairs.iter().filter(|v| v.0 == k as f64).map(|v| v.1).sum();
                (k as f64 - 0.4, k as f64 + 0.4, c / total)
            })
            .collect();
        let curve = (lo..=hi).map(|k| (k as f64, d.ln_density(&(k as f64)).exp())).collect();
        (bars, curve)
    } else {
        let bins = ((n as f64).sqrt().ceil() as usize).clamp(5, 60);
        let w = ((max - min) / bins as f64).max(f64::MIN_POSITIVE);
        let mut counts = vec![0.0; bins];
        for (v, wt) in &pairs {
            counts[(((v - min) / w) as usize).min(bins - 1)] += wt;
        }
        let bars = counts
            .iter()
            .enumerate()
            .map(|(i, c)| (min + i as f64 * w, min + (i + 1) as f64 * w, c / (total * w)))
            .collect();
        let curve =
            (0..=200).map(|i| min + (max - min) * i as f64 / 200.0).map(|x| (x, d.ln_density(&x).exp())).collect();
        (bars, curve)
    };
    let top = bars.iter().map(|b| b.2).chain(curve.iter().map(|c| c.1)).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let (x0, x1) = (bars.first().map_or(min, |b| b.0), bars.last().map_or(max, |b| b.1));
    let mut chart = ChartBuilder::on(&left)
        .caption(format!("{} fit, n = {}", r.model, r.n), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top * 1.08 + f64::MIN_POSITIVE)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc(if discrete { "relative frequency" } else { "density" })
        .draw()
        .map_err(|e| err(path, e))?;
    chart
        .draw_series(bars.iter().map(|&(a, b, h)| Rectangle::new([(a, 0.0), (b, h)], BLUE.mix(0.3).filled())))
        .map_err(|e| err(path, e))?
        .label("data")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], BLUE.mix(0.3).filled()));
    chart
        .draw_series(LineSeries::new(curve.iter().copied().filter(|c| c.1.is_finite()), RED.stroke_width(2)))
        .map_err(|e| err(path, e))?
        .label("fitted")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], RED.stroke_width(2)));
    chart.configure_series_labels().border_style(BLACK).background_style(WHITE).draw().map_err(|e| err(path, e))?;

    // Q–Q: sample quantiles against the fitted quantiles at (i − ½)/n —
    // with weights, at the middle of each value's share of the total
    // weight — thinned to at most 400 points.
    let step = n.div_ceil(400);
    let mut below = 0.0;
    let mids: Vec<f64> = pairs
        .iter()
        .map(|(_, w)| {
            let m = (below + 0.5 * w) / total;
            below += w;
            m
        })
        .collect();
    let qq: Vec<(f64, f64)> =
        (0..n).step_by(step).map(|i| (quantile(d, mids[i], min, max, discrete), sorted[i])).collect();
    let lo = qq.iter().map(|p| p.0.min(p.1)).fold(f64::INFINITY, f64::min);
    let hi = qq.iter().map(|p| p.0.max(p.1)).fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.04).max(1e-9);
    let mut qchart = ChartBuilder::on(&right)
        .caption("Q–Q plot", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(lo - pad..hi + pad, lo - pad..hi + pad)
        .map_err(|e| err(path, e))?;
    qchart.configure_mesh().x_desc("fitted quantile").y_desc("sample quantile").draw().map_err(|e| err(path, e))?;
    qchart
        .draw_series(LineSeries::new([(lo - pad, lo - pad), (hi + pad, hi + pad)], BLACK.mix(0.5)))
        .map_err(|e| err(path, e))?;
    qchart.draw_series(qq.iter().map(|&p| Circle::new(p, 2, BLUE.filled()))).map_err(|e| err(path, e))?;
    root.present().map_err(|e| err(path, e))?;
    Ok(())
}
