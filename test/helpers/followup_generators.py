"""Test-only: reference samples of the follow-up's synthetic sets, written from their description
(docs/method.md §7), compared with ricciflow's samples by two-sample Kolmogorov–Smirnov tests.

Usage: python3 followup_generators.py OURS.json  → prints JSON {statistic name: p-value}.
OURS.json: {"name": "syn1".."syn4", "noise": float, "x": [[...], ...], "y": [0/1, ...]}.

Syn-I uses scikit-learn's make_circles itself (the follow-up's generator is a thin wrapper around
it). Syn-II..IV are re-implemented from the description with numpy. A negative control (a changed
parameter) is reported under the key "control": it must come out significant.
"""
import json
import sys

import numpy as np
from scipy import stats

N_REF = 40000
rng = np.random.default_rng(20250101)


def circles(n, noise, factor=0.8):
    from sklearn.datasets import make_circles

    return make_circles(n_samples=n, noise=noise, factor=factor, random_state=12345)


def four_circles(n, r=0.2):
    rad = np.sqrt(rng.random(n))
    th = 2 * np.pi * rng.random(n)
    X = np.stack((rad * np.cos(th), rad * np.sin(th)), axis=1)
    y = np.zeros(n, dtype=int)
    for cx, cy in [(0, 0.5), (-0.5, 0), (0, -0.5), (0.5, 0)]:
        y[(X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2 <= r * r] = 1
    return X, y


def cylinders(n, noise=0.1, r1=1.0, r2=0.8):
    ang = rng.uniform(0, 2 * np.pi, n)
    rad = np.where(np.arange(n) < n // 2, r1, r2) + rng.uniform(-noise, noise, n)
    X = np.stack((rad * np.cos(ang), rng.random(n), rad * np.sin(ang)), axis=1)
    y = (np.arange(n) >= n // 2).astype(int)
    return X, y


def tori(n, R=2.0, r=1.0):
    def torus(m, centre, swap):
        u, v = rng.uniform(0, 2 * np.pi, m), rng.uniform(0, 2 * np.pi, m)
        rho = rng.uniform(0, r, m)
        a = (R + rho * np.cos(v)) * np.cos(u)
        b = (R + rho * np.cos(v)) * np.sin(u)
        h = rho * np.sin(v)
        # second torus: the parametrisation's (x, y, z) go to (x, z, y)
        P = np.stack((a, h, b) if swap else (a, b, h), axis=1)
        return P + np.asarray(centre)

    X = np.concatenate((torus(n // 2, (0, 0, 0), False), torus(n - n // 2, (2, 0, 0), True)))
    y = (np.arange(n) >= n // 2).astype(int)
    return X, y


def features(name, X, y):
    """1-D statistics whose distributions must agree (per class where the classes differ)."""
    f = {}
    if name in ("syn1", "syn2"):
        f["x"], f["y"] = X[:, 0], X[:, 1]
        f["radius"] = np.hypot(X[:, 0], X[:, 1])
        for c in (0, 1):
            f[f"radius|{c}"] = np.hypot(X[y == c, 0], X[y == c, 1])
    if name == "syn3":
        for j in range(3):
            f[f"x{j}"] = X[:, j]
        for c in (0, 1):
            f[f"radius|{c}"] = np.hypot(X[y == c, 0], X[y == c, 2])
            f[f"height|{c}"] = X[y == c, 1]
    if name == "syn4":
        for c in (0, 1):
            P = X[y == c]
            for j in range(3):
                f[f"x{j}|{c}"] = P[:, j]
            if c == 0:
                d = np.hypot(np.hypot(P[:, 0], P[:, 1]) - 2, P[:, 2])
            else:
                d = np.hypot(np.hypot(P[:, 0] - 2, P[:, 2]) - 2, P[:, 1])
            f[f"tube|{c}"] = d
    return f


def reference(name, noise, n, control=False):
    if name == "syn1":
        return circles(n, noise, factor=0.7 if control else 0.8)
    if name == "syn2":
        return four_circles(n, r=0.22 if control else 0.2)
    if name == "syn3":
        return cylinders(n, noise=0.05 if control else noise)
    if name == "syn4":
        return tori(n, r=0.9 if control else 1.0)
    raise SystemExit(f"unknown dataset {name}")


def share_test(y, yr):
    """Chi-square test of the 2 × 2 table (ours, reference) × (class 0, class 1)."""
    table = np.array([[(y == 0).sum(), (y == 1).sum()], [(yr == 0).sum(), (yr == 1).sum()]])
    return float(stats.chi2_contingency(table)[1])


def main():
    ours = json.load(open(sys.argv[1]))
    name, noise = ours["name"], ours["noise"]
    X, y = np.asarray(ours["x"], dtype=float), np.asarray(ours["y"], dtype=int)
    out = {}
    # Syn-I's angles are a grid that depends on n: draw the reference at our n (and many noises).
    n_ref = len(y) if name == "syn1" else N_REF
    Xr, yr = reference(name, noise, n_ref)
    fo, fr = features(name, X, y), features(name, Xr, yr)
    for key in fo:
        out[key] = float(stats.ks_2samp(fo[key], fr[key]).pvalue)
    out["class share"] = share_test(y, yr)
    Xc, yc = reference(name, noise, n_ref, control=True)
    fc = features(name, Xc, yc)
    out["control"] = min([float(stats.ks_2samp(fo[k], fc[k]).pvalue) for k in fo] + [share_test(y, yc)])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
