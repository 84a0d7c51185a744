#!/usr/bin/env python3
"""Reference maximum-likelihood fits of censored and truncated data.

Writes `tests/reference/data/censored_fits.json`: for each continuous
family, data generated with a fixed seed and then censored as a study
would censor it — right-censored at a follow-up time, left-censored below
a detection limit, a share recorded only as an interval — and the fit
SciPy gives: `scipy.stats.<dist>.fit(CensoredData(...))` (with `floc=0`
for the positive families, whose xent parametrisation has no location),
polished by `scipy.optimize.minimize` (BFGS, gtol 1e-12, then
Nelder-Mead at xatol 1e-13) on the censored log-likelihood written with
SciPy's own `logpdf`, `logcdf` and `logsf`; the log-likelihood there.
Truncated cases: SciPy's `truncnorm`-style density `pdf / (cdf(b) -
cdf(a))` written with the same functions, fitted the same way.

The Laplace is left out: its log-likelihood has a kink in the location
at every exact observation, where no gradient-based optimiser (xent's,
or SciPy's BFGS) can certify a maximum; xent reports that fit as not
converged (crates/xent-fit/tests/censored.rs).

Parameters are stored in xent's names (tests/reference/README of
shared/reference): e.g. gamma shape and rate = 1/scale.

Run from the repository root: `python3 tests/reference/scripts/censored_scipy.py`
(scipy >= 1.11; under a minute).
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import optimize, stats

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "censored_fits.json")


# family -> (scipy distribution, fixed kwargs for fit, params(scipy fitted tuple) -> xent dict,
#            xent dict -> frozen scipy distribution)
FAMILIES = {
    "normal": (stats.norm, {}, lambda p: {"mean": p[0], "std_dev": p[1]},
               lambda q: stats.norm(q["mean"], q["std_dev"])),
    "log_normal": (stats.lognorm, {"floc": 0}, lambda p: {"mu": math.log(p[2]), "sigma": p[0]},
                   lambda q: stats.lognorm(q["sigma"], scale=math.exp(q["mu"]))),
    "exponential": (stats.expon, {"floc": 0}, lambda p: {"rate": 1 / p[1]},
                    lambda q: stats.expon(scale=1 / q["rate"])),
    "weibull": (stats.weibull_min, {"floc": 0}, lambda p: {"shape": p[0], "scale": p[2]},
                lambda q: stats.weibull_min(q["shape"], scale=q["scale"])),
    "gamma": (stats.gamma, {"floc": 0}, lambda p: {"shape": p[0], "rate": 1 / p[2]},
              lambda q: stats.gamma(q["shape"], scale=1 / q["rate"])),
    "rayleigh": (stats.rayleigh, {"floc": 0}, lambda p: {"sigma": p[1]},
                 lambda q: stats.rayleigh(scale=q["sigma"])),
    "inverse_gaussian": (stats.invgauss, {"floc": 0}, lambda p: {"mean": p[0] * p[2], "shape": p[2]},
                         lambda q: stats.invgauss(q["mean"] / q["shape"], scale=q["shape"])),
    "cauchy": (stats.cauchy, {}, lambda p: {"location": p[0], "scale": p[1]},
               lambda q: stats.cauchy(q["location"], q["scale"])),
    "student_t": (stats.t, {}, lambda p: {"location": p[1], "scale": p[2], "dof": p[0]},
                  lambda q: stats.t(q["dof"], q["location"], q["scale"])),
    "beta": (stats.beta, {"floc": 0, "fscale": 1}, lambda p: {"alpha": p[0], "beta": p[1]},
             lambda q: stats.beta(q["alpha"], q["beta"])),
}
POSITIVE = {"log_normal", "exponential", "weibull", "gamma", "rayleigh", "inverse_gaussian"}
TRUTH = {
    "normal": {"mean": 10.0, "std_dev": 2.0},
    "log_normal": {"mu": 1.0, "sigma": 0.6},
    "exponential": {"rate": 0.3},
    "weibull": {"shape": 1.6, "scale": 8.0},
    "gamma": {"shape": 2.5, "rate": 0.5},
    "rayleigh": {"sigma": 3.0},
    "inverse_gaussian": {"mean": 4.0, "shape": 6.0},
    "cauchy": {"location": 0.0, "scale": 2.0},
    "student_t": {"location": 1.0, "scale": 2.0, "dof": 2.0},
    "beta": {"alpha": 2.0, "beta": 5.0},
}


def loglik(frozen, obs):
    """Sum of logpdf (exact), logcdf (left), logsf (right) and
    log(cdf(b) - cdf(a)) (interval, from the upper tail when a is above
    the median), vectorised by kind."""
    total = 0.0
    groups = {}
    for kind, a, b in obs:
        groups.setdefault(kind, []).append((a, b))
    for kind, ab in groups.items():
        a = np.array([v[0] for v in ab])
        if kind == "exact":
            total += np.sum(frozen.logpdf(a))
        elif kind == "left":
            total += np.sum(frozen.logcdf(a))
        elif kind == "right":
            total += np.sum(frozen.logsf(a))
        else:
            b = np.array([v[1] for v in ab])
            low = frozen.cdf(b) - frozen.cdf(a)
            high = frozen.sf(a) - frozen.sf(b)
            total += np.sum(np.log(np.where(frozen.cdf(a) > 0.5, high, low)))
    return float(total)


def polish(family, theta0, objective):
    """Minimise -loglik over the xent parameters (log of positive ones)."""
    names = list(theta0)
    positive = [n not in ("mean", "location", "mu") or family == "inverse_gaussian" for n in names]

    def unpack(u):
        return {n: (math.exp(v) if pos else v) for n, v, pos in zip(names, u, positive)}

    def f(u):
        try:
            v = -objective(unpack(u))
        except (ValueError, ZeroDivisionError, OverflowError):
            return 1e300
        return v if math.isfinite(v) else 1e300

    u0 = np.array([math.log(theta0[n]) if pos else theta0[n] for n, pos in zip(names, positive)])
    r = optimize.minimize(f, u0, method="BFGS", options={"gtol": 1e-12, "maxiter": 10000})
    r = optimize.minimize(f, r.x, method="Nelder-Mead",
                          options={"xatol": 1e-13, "fatol": 1e-15, "maxiter": 40000, "maxfev": 80000})
    return unpack(r.x), -r.fun


def censor(rng, family, x):
    """Right-censor at the 80th percentile, left-censor below the 10th, and
    record every 7th remaining value as an interval around it."""
    hi, lo = np.quantile(x, 0.8), np.quantile(x, 0.1)
    obs = []
    for i, v in enumerate(x):
        if v > hi:
            obs.append(["right", float(hi), None])
        elif v < lo:
            obs.append(["left", float(lo), None])
        elif i % 7 == 0:
            w = 0.25 * abs(hi - lo) / 4
            a, b = float(v - w * rng.uniform()), float(v + w * rng.uniform())
            if family in POSITIVE or family == "beta":
                a = max(a, float(lo) / 2)
            if family == "beta":
                b = min(b, (1 + float(hi)) / 2)
            obs.append(["interval", a, b])
        else:
            obs.append(["exact", float(v), None])
    return obs


def main():
    rng = np.random.default_rng(20261205)
    cases = []
    for family, (dist, fixed, to_xent, frozen) in FAMILIES.items():
        print(family, flush=True)
        x = frozen(TRUTH[family]).rvs(size=300, random_state=rng)
        obs = censor(rng, family, x)
        # SciPy's own fit on CensoredData, then polished.
        kinds = {k: [o for o in obs if o[0] == k] for k in ("exact", "left", "right", "interval")}
        data = stats.CensoredData(
            uncensored=[o[1] for o in kinds["exact"]],
            left=[o[1] for o in kinds["left"]],
            right=[o[1] for o in kinds["right"]],
            interval=[[o[1], o[2]] for o in kinds["interval"]],
        )
        start = to_xent(dist.fit(data, **fixed))
        theta, ll = polish(family, start, lambda q: loglik(frozen(q), obs))
        cases.append({"family": family, "kind": "censored", "observations": obs,
                      "scipy_fit": start, "params": theta, "log_likelihood": ll})
    # Truncated: observed only inside (low, high].
    for family, low, high in [("normal", 8.0, 13.0), ("exponential", 2.0, math.inf),
                              ("weibull", 0.0, 10.0), ("gamma", 1.0, math.inf), ("log_normal", 1.5, 8.0)]:
        d = frozen_truth = FAMILIES[family][3](TRUTH[family])
        x = d.rvs(size=4000, random_state=rng)
        x = x[(x > low) & (x <= high)][:300]

        def tll(q, x=x, family=family, low=low, high=high):
            f = FAMILIES[family][3](q)
            mass = f.sf(low) if high == math.inf else f.cdf(high) - f.cdf(low)
            return float(np.sum(f.logpdf(x)) - len(x) * math.log(mass))

        theta, ll = polish(family, dict(TRUTH[family]), tll)
        cases.append({"family": family, "kind": "truncated", "low": low,
                      "high": "inf" if high == math.inf else high, "data": x.tolist(),
                      "params": theta, "log_likelihood": ll})
    meta = {"generated_by": "tests/reference/scripts/censored_scipy.py",
            "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
            "observations": "[kind, a, b]: exact a; left (value <= a); right (value >= a); interval (a, b]",
            "tolerance": "log-likelihood no lower than the reference minus 1e-9 relative; parameters within "
                         "1e-6 relative (the polished optimum's own accuracy)",
            "cases": cases}
    with open(OUT, "w") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
    for c in cases:
        print(c["family"], c["kind"], c.get("scipy_fit"), c["params"], c["log_likelihood"])


if __name__ == "__main__":
    main()
