"""The peer side of `cargo xtask bench-compare`: one timed task, JSON out.

usage: python peer.py TASK PEER DATA_DIR
prints {"task", "peer", "seconds", "objective"}: the wall-clock time of the
computation alone (data loading excluded) and the average negative
log-likelihood reached, evaluated at the peer's estimate.
"""
import json
import os
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

GAUSS = (1.5, 2.0)


def load(d, name):
    return np.load(os.path.join(d, name))


def run(task, peer, d):
    from scipy import stats

    if task == "gaussian_nll_1e7":
        x = load(d, "gaussian_1e7.npy")
        t = time.perf_counter()
        s = stats.norm.logpdf(x, loc=GAUSS[0], scale=GAUSS[1]).sum()
        return time.perf_counter() - t, -s / len(x)
    if task == "gamma_fit_1e7":
        x = load(d, "gamma_1e7.npy")
        t = time.perf_counter()
        a, loc, scale = stats.gamma.fit(x, floc=0)
        secs = time.perf_counter() - t
        return secs, -stats.gamma.logpdf(x, a, loc=0, scale=scale).mean()
    if task == "student_t_fit_1e5":
        x = load(d, "student_t_1e5.npy")
        t = time.perf_counter()
        df, loc, scale = stats.t.fit(x)
        secs = time.perf_counter() - t
        return secs, -stats.t.logpdf(x, df, loc=loc, scale=scale).mean()
    if task == "logistic_fit_1e6x20":
        x, y = load(d, "logistic_X.npy"), load(d, "logistic_y.npy")
        if peer == "statsmodels":
            import statsmodels.api as sm

            xc = sm.add_constant(x)
            t = time.perf_counter()
            res = sm.Logit(y, xc).fit(method="newton", disp=0, tol=1e-10, maxiter=100)
            secs = time.perf_counter() - t
            return secs, -res.llf / len(y)
        from sklearn.linear_model import LogisticRegression

        t = time.perf_counter()
        m = LogisticRegression(penalty=None, solver="lbfgs", tol=1e-10, max_iter=10_000).fit(x, y)
        secs = time.perf_counter() - t
        p = np.clip(m.predict_proba(x)[:, 1], 1e-300, 1 - 1e-16)
        return secs, -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))
    if task == "softmax_fit_2e5x20x10":
        x, y = load(d, "softmax_X.npy"), load(d, "softmax_y.npy").astype(int)
        from sklearn.linear_model import LogisticRegression

        t = time.perf_counter()
        m = LogisticRegression(penalty=None, solver="lbfgs", tol=1e-10, max_iter=10_000).fit(x, y)
        secs = time.perf_counter() - t
        lp = m.predict_log_proba(x)
        return secs, -np.mean(lp[np.arange(len(y)), y])
    raise SystemExit(f"unknown task {task}")


if __name__ == "__main__":
    task, peer, d = sys.argv[1:4]
    secs, obj = run(task, peer, d)
    print(json.dumps({"task": task, "peer": peer, "seconds": secs, "objective": float(obj)}))
