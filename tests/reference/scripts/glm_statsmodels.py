#!/usr/bin/env python3
"""Reference fits of the GLMs statsmodels users expect: offsets and
exposures, binomial counts, Gamma with log link, negative binomial (NB2).

Writes `tests/reference/data/glm_statsmodels.json`: a list of cases, each
with its generated data (columns as lists), the model, and what statsmodels
0.15 reports for it — coefficients (intercept first), standard errors from
the observed information, the log-likelihood — plus the extra parameter in
xent's parametrisation:

- `gamma_log`: statsmodels' GLM leaves the dispersion φ to a moment
  estimate; the MLE of the shape k = 1/φ solves ln k − ψ(k) = mean of
  (y/μ − 1 − ln(y/μ)) (scipy's `brentq` on that equation), the
  coefficients do not depend on k, the standard errors are statsmodels'
  `GLM(...).fit(method="newton", scale=1/k)` (observed information
  scaled by φ), and SE(ln k) = 1 / (k √(n (ψ'(k) − 1/k))) — the observed
  information of ln k, which is free of the data, and whose cross terms
  with β vanish at the MLE; the script checks all of it against a
  numerical Hessian of the full log-likelihood (statsmodels' `approx_hess`).
- `negbin`: `statsmodels.discrete.NegativeBinomial(loglike_method="nb2")`
  fitted by Newton; ln α and SE(ln α) = SE(α)/α (at the optimum the
  observed information transforms with the Jacobian exactly).
- `binomial_counts`: `GLM(Binomial)` with a two-column endog
  (successes, failures); the log-likelihood includes ln C(n, y).
- `std_err_hc0` (the GLMs without a dispersion): statsmodels'
  `cov_type="HC0"` sandwich, a binomial row's trials one observation.
- `poisson_region_exposure`: a text column `region` as statsmodels'
  formula `C(region)` (treatment coding, the first level in sorted order
  the reference), with `coef_names` in xent's `col[level]` form, and an
  exposure column named by `exposure`.
- `profile_95` (three cases): 95% profile-likelihood intervals of the
  coefficients, found independently of xent — statsmodels refits with
  the coefficient moved into the offset, scipy's `brentq` on
  `2(llf_hat - llf_p(b)) = chi2_1(0.95)` to 1e-13.
- offsets and exposures: `offset=` / `exposure=` (exposure = ln of it as
  an offset) in GLM Poisson, Gamma, Binomial and Gaussian, and in the
  negative binomial.

Run from the repository root: `python3 tests/reference/scripts/glm_statsmodels.py`
(numpy, scipy >= 1.11, statsmodels >= 0.14; a few seconds).
"""
import json
import os

import numpy as np
import scipy
import scipy.optimize
import scipy.stats
import scipy.special as sp
import statsmodels
import statsmodels.api as sm
from statsmodels.tools.numdiff import approx_hess

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "glm_statsmodels.json")
TOL = dict(tol=1e-14, maxiter=200)


def design(rng, n, d):
    x = rng.normal(size=(n, d))
    return x, sm.add_constant(x, has_constant="add")


def base(name, model, x, y, **cols):
    case = {"name": name, "model": model, "n": int(len(y)),
            "columns": {f"x{j + 1}": x[:, j].tolist() for j in range(x.shape[1])}}
    case["columns"]["y"] = np.asarray(y, dtype=float).tolist()
    for k, v in cols.items():
        if v is not None:
            case["columns"][k] = np.asarray(v, dtype=float).tolist()
    return case


def glm_case(name, model, family, x, y, offset=None, exposure=None, endog=None):
    """A GLM of a family with no free dispersion (Poisson, Binomial)."""
    xc = sm.add_constant(x, has_constant="add")
    res = sm.GLM(y if endog is None else endog, xc, family=family, offset=offset,
                 exposure=exposure).fit(method="newton", **TOL)
    hc0 = sm.GLM(y if endog is None else endog, xc, family=family, offset=offset,
                 exposure=exposure).fit(method="newton", cov_type="HC0", **TOL)
    case = base(name, model, x, y, offset=offset, exposure=exposure)
    case.update(coef=res.params.tolist(), std_err=res.bse.tolist(), std_err_hc0=hc0.bse.tolist(),
                log_likelihood=float(res.llf))
    return case


def gamma_case(name, x, y, offset=None, exposure=None):
    xc = sm.add_constant(x, has_constant="add")
    fam = sm.families.Gamma(link=sm.families.links.Log())
    res = sm.GLM(y, xc, family=fam, offset=offset, exposure=exposure).fit(method="newton", **TOL)
    mu = res.mu
    r = y / mu
    target = float(np.mean(r - 1.0 - np.log(r)))
    k = scipy.optimize.brentq(lambda k: np.log(k) - sp.digamma(k) - target, 1e-8, 1e8, xtol=1e-15, rtol=1e-15)
    phi = 1.0 / k
    res_phi = sm.GLM(y, xc, family=fam, offset=offset, exposure=exposure).fit(
        method="newton", scale=phi, start_params=res.params, **TOL)
    llf = float(fam.loglike(y, mu, scale=phi))
    n = len(y)
    se_lnk = 1.0 / (k * np.sqrt(n * (sp.polygamma(1, k) - 1.0 / k)))
    # The whole parameter vector's observed information, numerically.
    off = np.zeros(n)
    if offset is not None:
        off = off + offset
    if exposure is not None:
        off = off + np.log(exposure)

    def loglike(theta):
        b, lnk = theta[:-1], theta[-1]
        return fam.loglike(y, np.exp(xc @ b + off), scale=np.exp(-lnk))

    theta = np.concatenate([res.params, [np.log(k)]])
    cov = np.linalg.inv(-approx_hess(theta, loglike))
    se_num = np.sqrt(np.diag(cov))
    se = np.concatenate([res_phi.bse, [se_lnk]])
    assert np.allclose(se, se_num, rtol=1e-5), (se, se_num)
    assert abs(llf - loglike(theta)) < 1e-9 * abs(llf)
    case = base(name, "gamma_log", x, y, offset=offset, exposure=exposure)
    case.update(coef=res.params.tolist(), ln_shape=float(np.log(k)), std_err=se.tolist(), log_likelihood=llf)
    return case


def negbin_case(name, x, y, offset=None, exposure=None):
    xc = sm.add_constant(x, has_constant="add")
    mod = sm.NegativeBinomial(y, xc, loglike_method="nb2", offset=offset, exposure=exposure)
    res = mod.fit(method="newton", maxiter=200, tol=1e-14, disp=0)
    alpha = float(res.params[-1])
    se_alpha = float(res.bse[-1])
    # The observed information in (β, ln α), numerically: the same errors.
    theta = np.concatenate([res.params[:-1], [np.log(alpha)]])
    cov = np.linalg.inv(-approx_hess(theta, lambda t: mod.loglike(np.concatenate([t[:-1], [np.exp(t[-1])]]))))
    se = res.bse[:-1].tolist() + [se_alpha / alpha]
    assert np.allclose(se, np.sqrt(np.diag(cov)), rtol=1e-5), (se, np.sqrt(np.diag(cov)))
    case = base(name, "negbin", x, y, offset=offset, exposure=exposure)
    case.update(coef=res.params[:-1].tolist(), ln_alpha=float(np.log(alpha)),
                std_err=se, log_likelihood=float(res.llf))
    return case


def main():
    rng = np.random.default_rng(20261204)
    cases = []

    # Claim counts per policy with exposure in policy-years (Poisson rate model).
    n = 400
    x, xc = design(rng, n, 2)
    years = rng.uniform(0.1, 3.0, size=n)
    y = rng.poisson(years * np.exp(xc @ np.array([-1.2, 0.4, -0.3])))
    cases.append(glm_case("poisson_exposure", "poisson", sm.families.Poisson(), x, y, exposure=years))
    # The same with a general offset (not a log): an offset of ln(years) plus noise.
    off = np.log(years) + rng.normal(scale=0.2, size=n)
    cases.append(glm_case("poisson_offset", "poisson", sm.families.Poisson(), x, y, offset=off))

    # Logistic with an offset (a known log-odds shift per row).
    x, xc = design(rng, 300, 2)
    off = rng.normal(scale=0.7, size=300)
    p = sp.expit(off + xc @ np.array([0.3, -0.8, 0.5]))
    y = (rng.uniform(size=300) < p).astype(float)
    cases.append(glm_case("logistic_offset", "logistic", sm.families.Binomial(), x, y, offset=off))

    # Binomial counts: successes out of trials.
    n = 250
    x, xc = design(rng, n, 2)
    trials = rng.integers(1, 40, size=n)
    y = rng.binomial(trials, sp.expit(xc @ np.array([-0.4, 0.9, -0.6])))
    c = glm_case("binomial_counts", "binomial", sm.families.Binomial(), x, y,
                 endog=np.column_stack([y, trials - y]))
    c["columns"]["trials"] = trials.astype(float).tolist()
    cases.append(c)

    # Gamma with log link: claim severities (shape 2.5), with and without an offset.
    n = 500
    x, xc = design(rng, n, 3)
    mu = np.exp(xc @ np.array([6.5, 0.3, -0.2, 0.1]))
    y = rng.gamma(2.5, mu / 2.5)
    cases.append(gamma_case("gamma_log", x, y))
    exposure = rng.uniform(0.5, 2.0, size=n)
    y2 = rng.gamma(2.5, exposure * mu / 2.5)
    cases.append(gamma_case("gamma_log_exposure", x, y2, exposure=exposure))

    # Negative binomial counts (over-dispersed, alpha = 0.6), with exposure.
    n = 600
    x, xc = design(rng, n, 2)
    years = rng.uniform(0.2, 2.0, size=n)
    mu = years * np.exp(xc @ np.array([0.8, 0.5, -0.4]))
    alpha = 0.6
    y = rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * mu))
    cases.append(negbin_case("negbin", x, y))
    cases.append(negbin_case("negbin_exposure", x, y, exposure=years))

    # Claim counts by region (a text column; statsmodels' C(region), reference
    # level the first in sorted order) and a driver's age, with exposure.
    n = 500
    regions = np.array(["north", "south", "east", "west"])
    region = regions[rng.integers(0, 4, size=n)]
    age = rng.uniform(18, 80, size=n)
    years = rng.uniform(0.2, 2.0, size=n)
    effect = {"east": 0.0, "north": 0.3, "south": -0.2, "west": 0.5}
    mu = years * np.exp(-0.5 + np.array([effect[r] for r in region]) - 0.01 * (age - 50))
    y = rng.poisson(mu)
    import pandas as pd
    import statsmodels.formula.api as smf
    frame = pd.DataFrame({"region": region, "age": age, "years": years, "y": y})
    res = smf.glm("y ~ C(region) + age", data=frame, family=sm.families.Poisson(),
                  exposure=frame["years"]).fit(method="newton", **TOL)
    names = ["intercept" if k == "Intercept" else k.replace("C(region)[T.", "region[").replace("]", "]")
             for k in res.params.index]
    cases.append({"name": "poisson_region_exposure", "model": "poisson", "n": n,
                  "columns": {"age": age.tolist(), "years": years.tolist(), "y": y.astype(float).tolist()},
                  "text_columns": {"region": region.tolist()},
                  "features": ["region", "age"], "exposure": "years",
                  "coef_names": names, "coef": res.params.tolist(), "std_err": res.bse.tolist(),
                  "log_likelihood": float(res.llf)})

    # Profile-likelihood 95% intervals of the coefficients of three cases,
    # independently: statsmodels refits with the coefficient moved into the
    # offset, scipy's brentq on 2(llf_hat - llf_p(b)) = chi2_1(0.95).
    q = float(scipy.stats.chi2.ppf(0.95, 1))
    for c in cases:
        if c["name"] not in ("poisson_exposure", "logistic_offset", "binomial_counts"):
            continue
        cols = c["columns"]
        x = np.column_stack([cols[f"x{j}"] for j in (1, 2)])
        xc = sm.add_constant(x, has_constant="add")
        y = np.array(cols["y"])
        base_off = np.zeros(len(y))
        if "offset" in cols:
            base_off += np.array(cols["offset"])
        if "exposure" in cols:
            base_off += np.log(np.array(cols["exposure"]))
        if c["model"] == "poisson":
            family, endog = sm.families.Poisson(), y
        else:
            family = sm.families.Binomial()
            endog = y if c["model"] == "logistic" else np.column_stack([y, np.array(cols["trials"]) - y])
        llf_hat = c["log_likelihood"]
        intervals = []
        for j in range(3):
            rest = np.delete(xc, j, axis=1)

            def dev(b, j=j, rest=rest):
                r = sm.GLM(endog, rest, family=family, offset=base_off + b * xc[:, j]).fit(method="newton", **TOL)
                return 2 * (llf_hat - r.llf) - q

            est, se = c["coef"][j], c["std_err"][j]
            ends = []
            for sign in (-1, 1):
                k = 1.0
                while dev(est + sign * k * se) < 0:
                    k *= 2
                lo, hi = sorted([est + sign * k * se / 2 if k > 1 else est, est + sign * k * se])
                ends.append(scipy.optimize.brentq(dev, lo, hi, xtol=1e-13, rtol=1e-13))
            intervals.append(ends)
        c["profile_95"] = intervals

    meta = {"generated_by": "tests/reference/scripts/glm_statsmodels.py",
            "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                         "statsmodels": statsmodels.__version__},
            "parameters": "coef: intercept first; gamma_log adds ln_shape (k = 1/phi), negbin adds ln_alpha; "
                          "std_err lists the coefficients' then the extra parameter's",
            "tolerance": "coefficients and extra parameters: 1e-8 relative to max(1, |value|); "
                         "standard errors: 1e-8 relative; log-likelihood: 1e-12 relative",
            "cases": cases}
    with open(OUT, "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
