"""Generates the data sets of `cargo xtask bench-compare` once, with fixed seeds.

usage: python gen.py DATA_DIR
"""
import os
import sys

import numpy as np


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261128)
    np.save(os.path.join(out, "gaussian_1e7.npy"), rng.normal(1.5, 2.0, 10_000_000))
    np.save(os.path.join(out, "gamma_1e7.npy"), rng.gamma(2.5, 1.0 / 0.7, 10_000_000))
    np.save(os.path.join(out, "student_t_1e5.npy"), 0.5 + 1.9 * rng.standard_t(4.0, 100_000))
    n, d = 1_000_000, 20
    x = rng.standard_normal((n, d))
    beta = rng.normal(0.0, 0.3, d)
    p = 1.0 / (1.0 + np.exp(-(0.2 + x @ beta)))
    np.save(os.path.join(out, "logistic_X.npy"), np.ascontiguousarray(x))
    np.save(os.path.join(out, "logistic_y.npy"), (rng.random(n) < p).astype(np.float64))
    n, d, k = 200_000, 20, 10
    x = rng.standard_normal((n, d))
    w = rng.normal(0.0, 0.3, (d, k))
    eta = x @ w + rng.normal(0.0, 0.2, k)
    prob = np.exp(eta - eta.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    y = (prob.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
    np.save(os.path.join(out, "softmax_X.npy"), np.ascontiguousarray(x))
    np.save(os.path.join(out, "softmax_y.npy"), np.minimum(y, k - 1).astype(np.float64))
    with open(os.path.join(out, "COMPLETE"), "w") as f:
        f.write("seed 20261128\n")


if __name__ == "__main__":
    main(sys.argv[1])
