#!/usr/bin/env python3
"""Reference log-CDFs and log-survival functions of every continuous family.

Writes `tests/reference/data/log_cdf.csv` with columns
`family, params, x, ln_cdf, ln_sf`: ln P(X <= x) and ln P(X > x) computed
with mpmath at 60 significant digits from each family's closed form (the
regularised incomplete gamma and beta functions for the gamma, beta and
Student t; Phi for the normal, log-normal and inverse Gaussian), each
tail on its own (the survival of a normal as Phi(-z), never 1 - Phi(z);
a beta's as I_{1-x}(b, a)) and a log near 0 as log1p of minus the other
tail, so both are exact to the printed 17 digits however far in the tail.

The points: SciPy's quantiles at probabilities 1e-12 ... 1 - 1e-12 of each
parameter set, plus points far in both tails (ln F or ln S near -700 and
beyond where the family's tail allows), each an exact f64.

Run from the repository root: `python3 tests/reference/scripts/log_cdf.py`
(mpmath >= 1.3, scipy >= 1.11; a few seconds).
"""
import csv
import math
import os

import mpmath as mp
from scipy import stats

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "log_cdf.csv")
mp.mp.dps = 60
M = mp.mpf


def ncdf(z):
    return mp.ncdf(z)


def both(family, p, x):
    """(F, S) at x as mpmath numbers, each tail computed on its own."""
    x = M(x)
    if family == "normal":
        z = (x - M(p["mean"])) / M(p["std_dev"])
        return ncdf(z), ncdf(-z)
    if family == "log_normal":
        if x <= 0:
            return M(0), M(1)
        z = (mp.log(x) - M(p["mu"])) / M(p["sigma"])
        return ncdf(z), ncdf(-z)
    if family == "exponential":
        if x <= 0:
            return M(0), M(1)
        return -mp.expm1(-M(p["rate"]) * x), mp.exp(-M(p["rate"]) * x)
    if family == "weibull":
        if x <= 0:
            return M(0), M(1)
        u = (x / M(p["scale"])) ** M(p["shape"])
        return -mp.expm1(-u), mp.exp(-u)
    if family == "rayleigh":
        if x <= 0:
            return M(0), M(1)
        u = x * x / (2 * M(p["sigma"]) ** 2)
        return -mp.expm1(-u), mp.exp(-u)
    if family == "pareto":
        if x <= M(p["scale"]):
            return M(0), M(1)
        s = (M(p["scale"]) / x) ** M(p["shape"])
        return 1 - s, s
    if family == "laplace":
        z = (x - M(p["location"])) / M(p["scale"])
        if z < 0:
            f = mp.exp(z) / 2
            return f, 1 - f
        s = mp.exp(-z) / 2
        return 1 - s, s
    if family == "cauchy":
        z = (x - M(p["location"])) / M(p["scale"])
        f = lambda t: mp.atan(-1 / t) / mp.pi if t < 0 else M(1) / 2 + mp.atan(t) / mp.pi
        return f(z), f(-z)
    if family == "uniform":
        lo, hi = M(p["low"]), M(p["high"])
        if x <= lo:
            return M(0), M(1)
        if x >= hi:
            return M(1), M(0)
        return (x - lo) / (hi - lo), (hi - x) / (hi - lo)
    if family == "gamma":
        if x <= 0:
            return M(0), M(1)
        a, u = M(p["shape"]), M(p["rate"]) * x
        return mp.gammainc(a, 0, u, regularized=True), mp.gammainc(a, u, mp.inf, regularized=True)
    if family == "beta":
        if x <= 0:
            return M(0), M(1)
        if x >= 1:
            return M(1), M(0)
        a, b = M(p["alpha"]), M(p["beta"])
        # The upper tail by symmetry (mpmath's betainc(a, b, x, 1) is a difference).
        return mp.betainc(a, b, 0, x, regularized=True), mp.betainc(b, a, 0, 1 - x, regularized=True)
    if family == "student_t":
        z = (x - M(p["location"])) / M(p["scale"])
        nu = M(p["dof"])
        lower = mp.betainc(nu / 2, M(1) / 2, 0, nu / (nu + z * z), regularized=True) / 2  # P(T <= -|z|)
        return (lower, 1 - lower) if z <= 0 else (1 - lower, lower)
    if family == "inverse_gaussian":
        if x <= 0:
            return M(0), M(1)
        mu, lam = M(p["mean"]), M(p["shape"])
        s = mp.sqrt(lam / x)
        a, b = s * (x / mu - 1), -s * (x / mu + 1)
        second = mp.exp(2 * lam / mu) * ncdf(b)
        return ncdf(a) + second, ncdf(-a) - second
    raise ValueError(family)


def scipy_dist(family, p):
    if family == "normal":
        return stats.norm(p["mean"], p["std_dev"])
    if family == "log_normal":
        return stats.lognorm(p["sigma"], scale=math.exp(p["mu"]))
    if family == "exponential":
        return stats.expon(scale=1 / p["rate"])
    if family == "weibull":
        return stats.weibull_min(p["shape"], scale=p["scale"])
    if family == "rayleigh":
        return stats.rayleigh(scale=p["sigma"])
    if family == "pareto":
        return stats.pareto(p["shape"], scale=p["scale"])
    if family == "laplace":
        return stats.laplace(p["location"], p["scale"])
    if family == "cauchy":
        return stats.cauchy(p["location"], p["scale"])
    if family == "uniform":
        return stats.uniform(p["low"], p["high"] - p["low"])
    if family == "gamma":
        return stats.gamma(p["shape"], scale=1 / p["rate"])
    if family == "beta":
        return stats.beta(p["alpha"], p["beta"])
    if family == "student_t":
        return stats.t(p["dof"], p["location"], p["scale"])
    if family == "inverse_gaussian":
        return stats.invgauss(p["mean"] / p["shape"], scale=p["shape"])
    raise ValueError(family)


CASES = [
    ("normal", {"mean": 1.5, "std_dev": 2.0}, [-60.0, 60.0, -1e3]),
    ("normal", {"mean": -1e6, "std_dev": 1e-3}, []),
    ("log_normal", {"mu": 0.5, "sigma": 0.8}, [1e-20, 1e20, 0.0]),
    ("exponential", {"rate": 2.5}, [300.0, 1e-300, 0.0]),
    ("weibull", {"shape": 1.7, "scale": 3.0}, [200.0, 1e-100]),
    ("weibull", {"shape": 0.4, "scale": 1e3}, [1e12]),
    ("rayleigh", {"sigma": 0.7}, [30.0, 1e-150]),
    ("pareto", {"scale": 2.0, "shape": 3.0}, [1e100, 2.0 + 1e-12, 1.5]),
    ("laplace", {"location": -3.0, "scale": 0.5}, [-400.0, 400.0]),
    ("cauchy", {"location": 0.0, "scale": 1.0}, [-1e20, 1e20, -1e300]),
    ("uniform", {"low": -1.0, "high": 3.0}, [-2.0, 4.0, -1.0 + 1e-12, 3.0 - 1e-12]),
    ("gamma", {"shape": 2.5, "rate": 0.4}, [1e-30, 900.0, 3000.0]),
    ("gamma", {"shape": 0.3, "rate": 5.0}, [1e-200, 100.0]),
    ("gamma", {"shape": 300.0, "rate": 2.0}, [20.0, 400.0]),
    ("beta", {"alpha": 2.0, "beta": 5.0}, [1e-100, 1 - 1e-12]),
    ("beta", {"alpha": 0.5, "beta": 0.5}, [1e-200, 1 - 1e-15]),
    ("student_t", {"location": 0.5, "scale": 2.0, "dof": 4.0}, [-1e30, 1e30, -1e4]),
    ("student_t", {"location": 0.0, "scale": 1.0, "dof": 1.5}, [-1e100]),
    ("inverse_gaussian", {"mean": 1.0, "shape": 2.0}, [1e-3, 10.0, 0.02]),
    ("inverse_gaussian", {"mean": 5.0, "shape": 0.5}, [1e-4, 200.0]),
]
PROBS = [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-6]


def fmt_params(p):
    return ";".join(f"{k}={float(v)!r}" for k, v in p.items())


def main():
    rows = []
    for family, p, extra in CASES:
        d = scipy_dist(family, p)
        xs = [float(d.ppf(q)) for q in PROBS] + [float(d.isf(1e-12))] + extra
        for x in xs:
            if not math.isfinite(x):
                continue
            f, s = both(family, p, x)
            # Near 1, the log of one minus the other tail (computed on its
            # own): 60 digits of 1 - 1e-150 would keep none of the deficit.
            lf = mp.log1p(-s) if f > 0.5 else (mp.log(f) if f > 0 else -mp.inf)
            ls = mp.log1p(-f) if s > 0.5 else (mp.log(s) if s > 0 else -mp.inf)
            rows.append([family, fmt_params(p), repr(x), mp.nstr(lf, 17, strip_zeros=False) if lf != -mp.inf else "-inf",
                         mp.nstr(ls, 17, strip_zeros=False) if ls != -mp.inf else "-inf"])
    with open(OUT, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["family", "params", "x", "ln_cdf", "ln_sf"])
        w.writerows(rows)
    print(len(rows), "rows")


if __name__ == "__main__":
    main()
