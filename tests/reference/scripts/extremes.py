#!/usr/bin/env python3
"""Reference values of every univariate family at extreme parameters.

Writes `tests/reference/data/extremes.csv` with columns
`family, params, quantity, arg, value`:

- `quantity = ln_density`, `arg` = x: the log-density (log-pmf) at x;
- `quantity = cdf`, `arg` = x: P(X <= x);
- `quantity = entropy`, `arg` empty: differential or Shannon entropy (nats);
- `quantity = kl`, `arg` = the parameters of q: KL(p || q) (nats).

Everything is computed with mpmath at a working precision of 40 digits plus
the decimal exponent of the largest parameter (so that no cancellation in
`(a-1) ln x - x - ln Gamma(a)` survives at a = 1e300), from the definitions:
closed forms where mpmath's special functions converge (`gammainc`,
`betainc` for moderate parameters), otherwise tanh-sinh quadrature of the
density over the smaller tail (breakpoints every decade towards the end
point); Shannon entropies by direct summation, or by mpmath's Euler-Maclaurin
summation (`sumem`) where the pmf spans millions of integers. Each x is an
exact f64 (mpmath converts floats exactly), so the reference is the value at
the very argument the Rust tests pass.

Run from the repository root: `python3 tests/reference/scripts/extremes.py`
(mpmath >= 1.3; about two minutes).
"""
import csv
import math
import os
import sys

import mpmath as mp

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "extremes.csv")


def prec_for(*vals):
    big = max([abs(float(v)) for v in vals if v not in (0,)] + [1.0])
    small = min([abs(float(v)) for v in vals if v not in (0,)] + [1.0])
    digits = max(math.log10(big), -math.log10(small), 0)
    return int(45 + digits)


def tail_integral(ld, lo, hi, mode, scale, x):
    """P(X <= x) from the log-density by quadrature of the smaller tail."""
    x = mp.mpf(x)
    lower = x <= mode
    dist = abs(x - mode)
    # decay length of the density at x: scale near the mode, scale^2/dist in the tails
    w = 80 * scale if dist < 5 * scale else 80 * scale * scale / dist + 20 * scale * scale / dist
    if lower:
        a = max(lo, x - w)
        pts = sorted(set([a] + [x - w * f for f in (0.3, 0.1, 0.03, 0.01, 0.001) if x - w * f > a] + [x]))
        v = mp.quad(lambda t: mp.exp(ld(t)), pts)
        return v
    b = min(hi, x + w)
    pts = sorted(set([x] + [x + w * f for f in (0.001, 0.01, 0.03, 0.1, 0.3) if x + w * f < b] + [b]))
    v = mp.quad(lambda t: mp.exp(ld(t)), pts)
    return 1 - v


def gamma_cdf(k, rate, x):
    k, rate, x = mp.mpf(k), mp.mpf(rate), mp.mpf(x)
    if x <= 0:
        return mp.mpf(0)
    if k < 1e5:
        try:
            return mp.gammainc(k, 0, rate * x, regularized=True)
        except mp.libmp.NoConvergence:
            pass
    ld = lambda t: (k - 1) * mp.log(t) - t - mp.loggamma(k)
    return tail_integral(ld, mp.mpf(0), mp.inf, k - 1, mp.sqrt(k), rate * x)


def beta_cdf(a, b, x):
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    if x <= 0:
        return mp.mpf(0)
    if x >= 1:
        return mp.mpf(1)
    if min(a, b) < 1e4:
        try:
            return mp.betainc(a, b, 0, x, regularized=True)
        except mp.libmp.NoConvergence:
            pass
    lb = mp.log(mp.beta(a, b))
    ld = lambda t: (a - 1) * mp.log(t) + (b - 1) * mp.log1p(-t) - lb
    r = a + b
    mode = min(max((a - 1) / (r - 2), mp.mpf(0)), mp.mpf(1)) if r > 2 else mp.mpf(1) / 2
    scale = mp.sqrt(a * b / (r * r * (r + 1)))
    return tail_integral(ld, mp.mpf(0), mp.mpf(1), mode, scale, x)


def discrete_entropy(lpmf, lo, mode, sd, hi=mp.inf):
    """-sum p ln p: direct near the mode, Euler-Maclaurin for wide pmfs."""
    def term(k):
        l = lpmf(k)
        return -mp.exp(l) * l

    if sd < 400:
        a = max(lo, int(mode - 60 * sd - 60))
        b = int(mode + 60 * sd + 60) if hi == mp.inf else min(int(hi), int(mode + 60 * sd + 60))
        return mp.fsum(term(mp.mpf(k)) for k in range(a, b + 1))
    if mode - 60 * sd > lo + 2000:
        a = mode - 60 * sd
        b = mode + 60 * sd if hi == mp.inf else min(hi, mode + 60 * sd)
        return mp.sumem(term, [mp.floor(a), mp.floor(b)])
    # wide and piled against the lower end: sum the head, Euler-Maclaurin for the tail
    head = mp.fsum(term(mp.mpf(k)) for k in range(int(lo), int(lo) + 2000))
    # out to where the log-pmf is 800 below its peak (a small-r negative
    # binomial decays on 1/p, far beyond 80 sd)
    top = max(lpmf(mp.mpf(mode)), lpmf(mp.mpf(lo)))
    b = mode + 80 * sd
    while lpmf(mp.floor(b)) > top - 800 and b < hi:
        b *= 2
    b = min(b, hi)
    return head + mp.sumem(term, [lo + 2000, mp.floor(b)])


rows = []


LD = {}


def add(family, params, quantity, arg, value, cond=None):
    """One row. `cond` is the sum over the inputs v (x and every parameter)
    of |v * d(value)/dv|: how much the exact value moves when each input is
    perturbed by one relative unit, so that `eps * cond` is the error a
    half-ulp rounding of the inputs alone causes. Log-densities get it by
    differentiating the closed form; CDFs get `(1 + #params) * |x| * f(x)`,
    f the density (for a pmf, `(mean + sd) * pmf`)."""
    p = ";".join(f"{k}={repr(float(v))}" for k, v in params)
    v = float(value)
    if cond is None:
        cond = 0.0
        if quantity == "ln_density" and family in LD:
            cond = ld_cond(family, params, mp.mpf(arg))
        elif quantity == "cdf" and family in LD:
            l = LD[family](mp.mpf(arg), *[mp.mpf(t[1]) for t in params])
            f = mp.exp(l) if l > -mp.inf else mp.mpf(0)
            if family in DISCRETE:
                m, sd = DISCRETE[family](*[mp.mpf(t[1]) for t in params])
                cond = float(f * (m + sd) * 2)
            else:
                cond = float((1 + len(params)) * abs(mp.mpf(arg)) * f)
    rows.append((family, p, quantity, arg if isinstance(arg, str) else repr(float(arg)), repr(v), repr(float(cond))))


def ld_cond(family, params, x):
    f = LD[family]
    vals = [x] + [mp.mpf(t[1]) for t in params]
    base = f(*vals)
    if not mp.isfinite(base):
        return 0.0
    total = mp.mpf(0)
    for i, v in enumerate(vals):
        if v == 0 or (i == 0 and family in DISCRETE):
            continue
        h = mp.mpf(10) ** (-mp.mp.dps // 2)

        def g(t, i=i):
            w = list(vals)
            w[i] = v * (1 + t)
            return f(*w)
        try:
            d = (g(h) - g(-h)) / (2 * h)
        except (ValueError, ZeroDivisionError):
            continue
        if mp.isfinite(d):
            total += abs(d)
    return float(total)


def lgam(x):
    return mp.loggamma(x)


def _t_ld(x, loc, s, nu):
    t = (x - loc) / s
    return lgam((nu + 1) / 2) - lgam(nu / 2) - mp.log(nu * mp.pi) / 2 - mp.log(s) - (nu + 1) / 2 * mp.log1p(t * t / nu)


LD.update({
    "normal": lambda x, m, s: -((x - m) / s) ** 2 / 2 - mp.log(s) - mp.log(2 * mp.pi) / 2,
    "laplace": lambda x, l, b: -abs(x - l) / b - mp.log(2 * b),
    "cauchy": lambda x, l, b: -mp.log(mp.pi * b * (1 + ((x - l) / b) ** 2)),
    "student_t": _t_ld,
    "exponential": lambda x, r: mp.log(r) - r * x if x >= 0 else -mp.inf,
    "rayleigh": lambda x, s: mp.log(x / (s * s)) - x * x / (2 * s * s),
    "weibull": lambda x, k, l: mp.log(k / l) + (k - 1) * mp.log(x / l) - (x / l) ** k,
    "pareto": lambda x, xm, a: mp.log(a) + a * mp.log(xm) - (a + 1) * mp.log(x) if x >= xm else -mp.inf,
    "log_normal": lambda x, m, s: -((mp.log(x) - m) / s) ** 2 / 2 - mp.log(s) - mp.log(2 * mp.pi) / 2 - mp.log(x),
    "inverse_gaussian": lambda x, m, l: (mp.log(l) - mp.log(2 * mp.pi) - 3 * mp.log(x)) / 2 - l * (x - m) ** 2 / (2 * m * m * x),
    "gamma": lambda x, k, r: k * mp.log(r) - lgam(k) + (k - 1) * mp.log(x) - r * x if x > 0 else -mp.inf,
    "beta": lambda x, a, b: (a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x) - mp.log(mp.beta(a, b)) if 0 < x < 1 else -mp.inf,
    "poisson": lambda k, l: k * mp.log(l) - l - lgam(k + 1),
    "binomial": lambda k, n, p: (lgam(n + 1) - lgam(k + 1) - lgam(n - k + 1) + k * mp.log(p) + (n - k) * mp.log1p(-p)) if 0 <= k <= n else -mp.inf,
    "negative_binomial": lambda k, r, p: lgam(k + r) - lgam(k + 1) - lgam(r) + r * mp.log(p) + k * mp.log1p(-p),
    "geometric": lambda k, p: mp.log(p) + k * mp.log1p(-p),
})
DISCRETE = {
    "poisson": lambda l: (l, mp.sqrt(l)),
    "binomial": lambda n, p: (n * p, mp.sqrt(n * p * (1 - p))),
    "negative_binomial": lambda r, p: (r * (1 - p) / p, mp.sqrt(r * (1 - p)) / p),
    "geometric": lambda p: ((1 - p) / p, mp.sqrt(1 - p) / p),
}


# ---------- continuous location-scale families ----------
for mu, s in [(0.0, 1e-300), (1.0, 5e-324), (0.0, 1e-310), (-3.0, 1e300), (1e300, 1e290), (1e15, 1e-2)]:
    mp.mp.dps = prec_for(mu, s, 1e300 if s < 1e-300 else s)
    M, S = mp.mpf(mu), mp.mpf(s)
    par = [("mean", mu), ("std_dev", s)]
    for z in [0.0, 1.0, -3.0, 30.0]:
        x = float(M + z * S)
        X = mp.mpf(x)
        zz = (X - M) / S
        add("normal", par, "ln_density", x, -zz * zz / 2 - mp.log(S) - mp.log(2 * mp.pi) / 2)
        add("normal", par, "cdf", x, mp.ncdf(zz))
    add("normal", par, "entropy", "", mp.log(2 * mp.pi * mp.e * S * S) / 2)
    for s2 in [s * 3, s * 1e-3]:
        if s2 == 0 or not math.isfinite(s2) or s2 < 5e-324:
            continue
        S2 = mp.mpf(s2)
        kl = mp.log(S2 / S) + (S * S) / (2 * S2 * S2) - mp.mpf(1) / 2
        add("normal", par, "kl", f"mean={repr(float(mu))};std_dev={repr(float(s2))}", kl)

for loc, b in [(0.0, 1e-300), (0.0, 1e300), (2.0, 5e-324)]:
    mp.mp.dps = prec_for(1e300)
    L, B = mp.mpf(loc), mp.mpf(b)
    par = [("location", loc), ("scale", b)]
    for z in [0.0, 1.0, -2.0, 40.0]:
        x = float(L + z * B)
        X = mp.mpf(x)
        add("laplace", par, "ln_density", x, -abs(X - L) / B - mp.log(2 * B))
        zz = (X - L) / B
        add("laplace", par, "cdf", x, mp.exp(zz) / 2 if zz < 0 else 1 - mp.exp(-zz) / 2)
    add("laplace", par, "entropy", "", 1 + mp.log(2 * B))
    par_c = [("location", loc), ("scale", b)]
    for z in [0.0, 1.0, -1e3]:
        x = float(L + z * B)
        X = mp.mpf(x)
        zz = (X - L) / B
        add("cauchy", par_c, "ln_density", x, -mp.log(mp.pi * B * (1 + zz * zz)))
        add("cauchy", par_c, "cdf", x, mp.mpf(1) / 2 + mp.atan(zz) / mp.pi)
    add("cauchy", par_c, "entropy", "", mp.log(4 * mp.pi * B))

# Student t: huge and tiny degrees of freedom, tiny scales
for loc, s, nu in [(0.0, 1.0, 1e15), (0.0, 1.0, 1e300), (0.0, 1.0, 1e8), (0.0, 1e-300, 5.0), (0.0, 1.0, 1e-3), (0.0, 1e300, 2.5)]:
    mp.mp.dps = prec_for(nu, s, 1e300 if s < 1e-300 else 1)
    L, S, N = mp.mpf(loc), mp.mpf(s), mp.mpf(nu)
    par = [("location", loc), ("scale", s), ("dof", nu)]
    lnorm = lgam((N + 1) / 2) - lgam(N / 2) - mp.log(N * mp.pi) / 2 - mp.log(S)
    for z in [0.0, 1.0, -2.0, 10.0, -40.0]:
        x = float(L + z * S)
        X = mp.mpf(x)
        t = (X - L) / S
        add("student_t", par, "ln_density", x, lnorm - (N + 1) / 2 * mp.log1p(t * t / N))
        if t == 0:
            c = mp.mpf(1) / 2
        else:
            # P(|T| > |t|) = I_{nu/(nu+t^2)}(nu/2, 1/2)
            xx = N / (N + t * t)
            if N < 1e6:
                tail = mp.betainc(N / 2, mp.mpf(1) / 2, 0, xx, regularized=True)
            else:
                tail = 1 - mp.betainc(mp.mpf(1) / 2, N / 2, 0, t * t / (N + t * t), regularized=True)
            c = tail / 2 if t < 0 else 1 - tail / 2
        add("student_t", par, "cdf", x, c)
    if nu < 1e20:
        h = (N + 1) / 2 * (mp.digamma((N + 1) / 2) - mp.digamma(N / 2)) + mp.log(mp.sqrt(N) * mp.beta(N / 2, mp.mpf(1) / 2)) + mp.log(S)
        add("student_t", par, "entropy", "", h)

# ---------- scale families ----------
for rate in [1e-300, 1e300, 5e-324]:
    mp.mp.dps = prec_for(1e300, 1e300)
    R = mp.mpf(rate)
    par = [("rate", rate)]
    for m in [0.0, 0.5, 1.0, 30.0]:
        x = float(m / R)
        X = mp.mpf(x)
        add("exponential", par, "ln_density", x, mp.log(R) - R * X)
        add("exponential", par, "cdf", x, -mp.expm1(-R * X))
    add("exponential", par, "entropy", "", 1 - mp.log(R))

for sig in [1e-300, 1e300]:
    mp.mp.dps = prec_for(1e300)
    S = mp.mpf(sig)
    par = [("sigma", sig)]
    for m in [0.5, 1.0, 10.0]:
        x = float(m * S)
        X = mp.mpf(x)
        add("rayleigh", par, "ln_density", x, mp.log(X / (S * S)) - X * X / (2 * S * S))
        add("rayleigh", par, "cdf", x, -mp.expm1(-X * X / (2 * S * S)))
    add("rayleigh", par, "entropy", "", 1 + mp.log(S / mp.sqrt(2)) + mp.euler / 2)

for k, lam in [(1e-3, 1.0), (1e3, 1.0), (2.0, 1e-300), (0.5, 1e300)]:
    mp.mp.dps = prec_for(1e300, k, lam)
    K, L = mp.mpf(k), mp.mpf(lam)
    par = [("shape", k), ("scale", lam)]
    for q in [0.5, 1.0, 1.5]:
        x = float(L * q)
        X = mp.mpf(x)
        add("weibull", par, "ln_density", x, mp.log(K / L) + (K - 1) * mp.log(X / L) - (X / L) ** K)
        add("weibull", par, "cdf", x, -mp.expm1(-((X / L) ** K)))
    add("weibull", par, "entropy", "", mp.euler * (1 - 1 / K) + mp.log(L / K) + 1)

for lo, hi in [(0.0, 1e-300), (-1e300, 1e300), (1e15, 1e15 + 0.5)]:
    mp.mp.dps = prec_for(1e300)
    A, B = mp.mpf(lo), mp.mpf(hi)
    par = [("low", lo), ("high", hi)]
    for f in [0.25, 0.5]:
        x = float(A + (B - A) * f)
        X = mp.mpf(x)
        add("uniform", par, "ln_density", x, -mp.log(B - A))
        add("uniform", par, "cdf", x, (X - A) / (B - A))
    add("uniform", par, "entropy", "", mp.log(B - A))

for xm, a in [(1e-300, 2.0), (1.0, 1e-3), (1e300, 3.0), (1.0, 1e8)]:
    mp.mp.dps = prec_for(1e300, a)
    XM, A = mp.mpf(xm), mp.mpf(a)
    par = [("scale", xm), ("shape", a)]
    for f in [1.0, 1.5, 10.0]:
        x = float(XM * f)
        X = mp.mpf(x)
        add("pareto", par, "ln_density", x, mp.log(A) + A * mp.log(XM) - (A + 1) * mp.log(X))
        add("pareto", par, "cdf", x, -mp.expm1(A * mp.log(XM / X)))
    add("pareto", par, "entropy", "", mp.log(XM / A) + 1 / A + 1)

for mu, sig in [(0.0, 1e-300), (5.0, 1e-12), (0.0, 100.0)]:
    mp.mp.dps = prec_for(1e300)
    M, S = mp.mpf(mu), mp.mpf(sig)
    par = [("mu", mu), ("sigma", sig)]
    for z in [0.0, 1.0, -2.0]:
        lx = M + z * S
        x = float(mp.exp(lx))
        if x == 0 or not math.isfinite(x):
            continue
        X = mp.mpf(x)
        zz = (mp.log(X) - M) / S
        add("log_normal", par, "ln_density", x, -zz * zz / 2 - mp.log(S) - mp.log(2 * mp.pi) / 2 - mp.log(X))
        add("log_normal", par, "cdf", x, mp.ncdf(zz))
    add("log_normal", par, "entropy", "", M + mp.log(2 * mp.pi * mp.e * S * S) / 2)

# inverse Gaussian at extreme shapes (log-density and CDF)
for mu, lam in [(1.0, 1e12), (1.0, 1e-6), (1e-300, 1e-300), (1e300, 1e300)]:
    mp.mp.dps = prec_for(1e300, mu, lam)
    M, L = mp.mpf(mu), mp.mpf(lam)
    par = [("mean", mu), ("shape", lam)]
    for f in [0.5, 1.0, 2.0]:
        x = float(M * f)
        X = mp.mpf(x)
        add("inverse_gaussian", par, "ln_density", x, (mp.log(L) - mp.log(2 * mp.pi) - 3 * mp.log(X)) / 2 - L * (X - M) ** 2 / (2 * M * M * X))
        a1 = mp.sqrt(L / X) * (X / M - 1)
        a2 = -mp.sqrt(L / X) * (X / M + 1)
        add("inverse_gaussian", par, "cdf", x, mp.ncdf(a1) + mp.exp(2 * L / M + mp.log(mp.ncdf(a2))))

# ---------- gamma and beta at extreme shapes ----------
for k, rate in [(1e-300, 1.0), (1e-10, 1.0), (0.5, 1e300), (3.0, 1e-300), (1e6, 1.0), (1e14, 1.0), (1e15, 1.0), (1e16, 1.0), (1e20, 1e-10), (1e100, 1.0), (1e300, 1.0)]:
    mp.mp.dps = prec_for(k, rate, k / rate)
    K, R = mp.mpf(k), mp.mpf(rate)
    par = [("shape", k), ("rate", rate)]
    mean, sd = K / R, mp.sqrt(K) / R
    if k >= 1:
        zs = [0.0, 1.0, -1.0, -5.0, 5.0, -30.0, 30.0]
        xs = sorted(set(float(mean + z * sd) for z in zs) | {float(mean)})
        xs += [float(mean) * (1 + 2.0**-52), float(mean) * (1 - 2.0**-53)]
    else:
        xs = [float(q / R) for q in (1e-300, 1e-5, 0.5, 2.0, 40.0)]
    for x in xs:
        if not (x > 0 and math.isfinite(x)):
            continue
        X = mp.mpf(x)
        add("gamma", par, "ln_density", x, K * mp.log(R) - lgam(K) + (K - 1) * mp.log(X) - R * X)
        add("gamma", par, "cdf", x, gamma_cdf(K, R, X))
    add("gamma", par, "entropy", "", K - mp.log(R) + lgam(K) + (1 - K) * mp.digamma(K))
    K2 = K * (1 + mp.mpf(1e-3))
    kl = (K - K2) * mp.digamma(K) - lgam(K) + lgam(K2)
    add("gamma", par, "kl", f"shape={repr(float(K2))};rate={repr(float(rate))}", kl)

for a, b in [(1e8, 1e8), (1e15, 1e15), (0.5, 1e12), (1e-10, 1e-10), (1e300, 1e300), (2.0, 1e-300), (1e6, 3.0)]:
    mp.mp.dps = prec_for(a, b)
    A, B = mp.mpf(a), mp.mpf(b)
    par = [("alpha", a), ("beta", b)]
    mean = A / (A + B)
    sd = mp.sqrt(A * B / ((A + B) ** 2 * (A + B + 1)))
    xs = set()
    for z in [0.0, 1.0, -1.0, -5.0, 6.0, -30.0]:
        x = float(mean + z * sd)
        if 0 < x < 1:
            xs.add(x)
    for q in [1e-300, 1e-5, 0.5, 1 - 1e-12]:
        xs.add(q)
    xs.add(float(mean))
    for x in sorted(xs):
        X = mp.mpf(x)
        add("beta", par, "ln_density", x, (A - 1) * mp.log(X) + (B - 1) * mp.log1p(-X) - mp.log(mp.beta(A, B)))
        add("beta", par, "cdf", x, beta_cdf(A, B, X))
    h = mp.log(mp.beta(A, B)) - (A - 1) * mp.digamma(A) - (B - 1) * mp.digamma(B) + (A + B - 2) * mp.digamma(A + B)
    add("beta", par, "entropy", "", h)

# ---------- discrete families ----------
def poisson_lpmf(L):
    return lambda k: k * mp.log(L) - L - lgam(k + 1)


for lam in [1e-300, 1e-10, 0.1, 1e6, 1e14, 1e15, 1e18, 1e300]:
    mp.mp.dps = prec_for(lam)
    L = mp.mpf(lam)
    par = [("rate", lam)]
    sd = mp.sqrt(L)
    ks = sorted(set(float(mp.floor(L + z * sd)) for z in (0.0, 1.0, -3.0, 20.0, -20.0) if L + z * sd >= 0) | {0.0, 1.0})
    for k in ks:
        K = mp.mpf(k)
        add("poisson", par, "ln_density", k, K * mp.log(L) - L - lgam(K + 1))
        if lam < 1e5:
            c = mp.gammainc(K + 1, L, mp.inf, regularized=True)
        else:
            # P(X <= k) = Q(k + 1, lam) = 1 - P(k + 1, lam)
            c = 1 - gamma_cdf(K + 1, 1, L)
        add("poisson", par, "cdf", k, c)
    if lam <= 1e20:
        if lam < 1e6:
            h = discrete_entropy(poisson_lpmf(L), 0, mp.floor(L), sd)
        else:
            h = discrete_entropy(poisson_lpmf(L), 0, mp.floor(L), sd)
    else:
        h = mp.log(2 * mp.pi * mp.e * L) / 2 - 1 / (12 * L) - 1 / (24 * L * L)
    add("poisson", par, "entropy", "", h)
    L2 = L * 1.5
    add("poisson", par, "kl", f"rate={repr(float(L2))}", L * mp.log(L / L2) + L2 - L)


for n, p in [(0.0, 0.3), (2e8, 0.3), (1e15, 0.5), (1e18, 1e-6), (1e15, 1e-300), (50.0, 1e-300), (1e6, 1 - 1e-12)]:
    mp.mp.dps = prec_for(n, p)
    N, P = mp.mpf(n), mp.mpf(p)
    par = [("trials", n), ("p", p)]
    mean, sd = N * P, mp.sqrt(N * P * (1 - P))
    lpmf = lambda k, N=N, P=P: lgam(N + 1) - lgam(k + 1) - lgam(N - k + 1) + k * mp.log(P) + (N - k) * mp.log1p(-P)
    ks = sorted(set(float(mp.floor(mean + z * sd)) for z in (0.0, 1.0, -3.0, 10.0) if 0 <= mean + z * sd <= N) | {0.0, float(n)})
    for k in ks:
        K = mp.mpf(k)
        add("binomial", par, "ln_density", k, lpmf(K))
        if K >= N:
            c = mp.mpf(1)
        else:
            c = beta_cdf(N - K, K + 1, 1 - P)
        add("binomial", par, "cdf", k, c)
    if n == 0:
        h = mp.mpf(0)
    else:
        h = discrete_entropy(lpmf, 0, mp.floor(mean), sd, hi=N)
    add("binomial", par, "entropy", "", h)

for r, p in [(5.0, 1e-10), (0.01, 1e-10), (1e8, 1e-10), (3.0, 0.5), (2.0, 1e-300), (1e12, 0.5)]:
    mp.mp.dps = prec_for(r, p, r / p)
    R, P = mp.mpf(r), mp.mpf(p)
    par = [("successes", r), ("p", p)]
    mean = R * (1 - P) / P
    sd = mp.sqrt(R * (1 - P)) / P
    lpmf = lambda k, R=R, P=P: lgam(k + R) - lgam(k + 1) - lgam(R) + R * mp.log(P) + k * mp.log1p(-P)
    ks = sorted(set(float(mp.floor(mean + z * sd)) for z in (0.0, 1.0, 3.0) if mean + z * sd >= 0) | {0.0, 1e18})
    for k in ks:
        K = mp.mpf(k)
        add("negative_binomial", par, "ln_density", k, lpmf(K))
        c = beta_cdf(R, K + 1, P)
        add("negative_binomial", par, "cdf", k, c)
    if p > 1e-100:
        mode = max(mp.mpf(0), mp.floor((R - 1) * (1 - P) / P))
        h = discrete_entropy(lpmf, 0, mode, sd)
        add("negative_binomial", par, "entropy", "", h)

for p in [1e-300, 1e-10, 1 - 1e-16, 0.5]:
    mp.mp.dps = prec_for(1 / p)
    P = mp.mpf(p)
    par = [("p", p)]
    for k in [0.0, 1.0, float(mp.floor(1 / P)), 1e18]:
        K = mp.mpf(k)
        add("geometric", par, "ln_density", k, mp.log(P) + K * mp.log1p(-P))
        add("geometric", par, "cdf", k, -mp.expm1((K + 1) * mp.log1p(-P)))
    add("geometric", par, "entropy", "", (-(1 - P) * mp.log1p(-P) - P * mp.log(P)) / P)
    add("bernoulli", par, "ln_density", 1.0, mp.log(P))
    add("bernoulli", par, "ln_density", 0.0, mp.log1p(-P))
    add("bernoulli", par, "entropy", "", -P * mp.log(P) - (1 - P) * mp.log1p(-P))

# KL divergences between members far apart in the domain (subnormal and
# huge parameters together), from the closed forms at a precision that
# covers the cancellation of terms of size (largest exponent) digits.
def kl_rows():
    def fmt(ps):
        return ";".join(f"{k}={repr(float(v))}" for k, v in ps)

    def beta_kl(a, b, c, d):
        r = a + b
        return (lgam(c) + lgam(d) - lgam(c + d)) - (lgam(a) + lgam(b) - lgam(r)) \
            - (c - a) * (mp.digamma(a) - mp.digamma(r)) - (d - b) * (mp.digamma(b) - mp.digamma(r))

    def gamma_kl(k, r, k2, r2):
        return (k - k2) * mp.digamma(k) - lgam(k) + lgam(k2) + k2 * (mp.log(r) - mp.log(r2)) + k * (r2 - r) / r

    def normal_kl(m, s, m2, s2):
        return mp.log(s2 / s) + (s * s + (m - m2) ** 2) / (2 * s2 * s2) - mp.mpf(1) / 2

    def weibull_kl(k, l, k2, l2):
        g = mp.euler
        return mp.log(k / l ** k) - mp.log(k2 / l2 ** k2) + (k - k2) * (mp.log(l) - g / k) \
            + (l / l2) ** k2 * mp.gamma(k2 / k + 1) - 1

    def pareto_kl(xm, a, xm2, a2):
        return mp.log(a / a2) + a2 * mp.log(xm / xm2) + a2 / a - 1

    def laplace_kl(m, b, m2, b2):
        d = abs(m - m2)
        return mp.log(b2 / b) + d / b2 + b / b2 * mp.exp(-d / b) - 1

    def cauchy_kl(m, g, m2, g2):
        return mp.log(((g + g2) ** 2 + (m - m2) ** 2) / (4 * g * g2))

    def scale_kl(r):
        return r - 1 - mp.log(r)

    cases = [
        ("beta", ("alpha", "beta"), beta_kl, [
            ((4.93e-321, 4.92e-321), (5e-324, 5e-324)),
            ((2.2970620008018653e298, 1.8707678247368356e297), (5e-324, 5e-324)),
            ((1e8, 1e8), (1.001e8, 0.999e8)),
            ((1e300, 1e300), (1.0000001e300, 1e300)),
            ((0.5, 1e12), (1e-300, 2.0)),
        ]),
        ("gamma", ("shape", "rate"), gamma_kl, [
            ((1.589730798094464e201, 1.130458779665158e271), (5e-324, 5e-324)),
            ((3.893e-321, 5e-324), (5e-324, 4.615e-321)),
            ((1e5, 1.0), (0.5, 2.0)),
            ((1e-300, 1e-300), (1e-300, 1e300)),
        ]),
        ("normal", ("mean", "std_dev"), normal_kl, [
            ((0.0, 1e-300), (1e-300, 3e-300)),
            ((1e308, 1e300), (-1e308, 1e301)),
            ((0.0, 5e-324), (0.0, 1e-323)),
        ]),
        ("log_normal", ("mu", "sigma"), normal_kl, [((0.0, 1e-200), (1e-200, 3e-200))]),
        ("weibull", ("shape", "scale"), weibull_kl, [
            ((4.234e-321, 5e-324), (5e-324, 5e-324)),
            ((2.0, 1e-300), (2.0000001, 1e-300)),
            ((1e-10, 1e300), (1e-9, 1e300)),
        ]),
        ("pareto", ("scale", "shape"), pareto_kl, [((1.0, 5e-324), (1e-300, 1e-320)), ((1e300, 1e300), (1e-300, 3e299))]),
        ("laplace", ("location", "scale"), laplace_kl, [((0.0, 5e-324), (1e-323, 1e-300)), ((1e308, 1e300), (-1e308, 1e308))]),
        ("cauchy", ("location", "scale"), cauchy_kl, [
            ((0.0, 5e-324), (0.0, 5e-324)),
            ((1e308, 1e300), (-1e308, 1e-300)),
            ((0.0, 5e-324), (1e-323, 2e-323)),
        ]),
    ]
    for family, names, f, pairs in cases:
        for p, q in pairs:
            mp.mp.dps = prec_for(*p, *q) + 330
            v = f(*[mp.mpf(t) for t in p], *[mp.mpf(t) for t in q])
            add(family, list(zip(names, p)), "kl", fmt(zip(names, q)), v)
    for family, name, pairs in [
        ("exponential", "rate", [(1e-300, 3e-300), (5e-324, 1e-310)]),
        ("rayleigh", "sigma", [(1e-300, 5e-324), (1e150, 1e151)]),
    ]:
        for a, b in pairs:
            mp.mp.dps = prec_for(a, b) + 330
            A, B = mp.mpf(a), mp.mpf(b)
            r = B / A if family == "exponential" else (A / B) ** 2
            add(family, [(name, a)], "kl", f"{name}={repr(float(b))}", scale_kl(r))


kl_rows()

with open(OUT, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["family", "params", "quantity", "arg", "value", "cond"])
    for r in rows:
        w.writerow(r)
print(f"{len(rows)} rows -> {OUT}", file=sys.stderr)
