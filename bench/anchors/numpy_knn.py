#!/usr/bin/python3
"""numpy GEMM kNN anchor (docs/benchmarks.md W1): float32 squared distances sq_i + sq_j - 2 X X^T
(one BLAS GEMM), self excluded, then argpartition(k) over every row. Not sorted, no tie-break:
the fastest plain numpy way to get the k nearest neighbours.

    numpy_knn.py POINTS.npy K [K ...] [--reps R]

Prints one JSON line: {"n", "d", "blas_threads", "results": [{"k", "median_s", "dist_s", "select_s", "times_s"}]}.
Thread count: OPENBLAS_NUM_THREADS / OMP_NUM_THREADS from the environment (the bench sets them).
"""
import argparse, json, os, time
import numpy as np


def knn(X, sq, k):
    D = sq[:, None] + sq[None, :] - 2.0 * (X @ X.T)
    np.fill_diagonal(D, np.inf)
    t = time.perf_counter()
    idx = np.argpartition(D, k, axis=1)[:, :k]
    return idx, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("points")
    ap.add_argument("k", type=int, nargs="+")
    ap.add_argument("--reps", type=int, default=7)
    a = ap.parse_args()
    X = np.ascontiguousarray(np.load(a.points), dtype=np.float32)
    n, d = X.shape
    out = {"n": n, "d": d, "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS"), "results": []}
    for k in a.k:
        if not 1 <= k < n:
            raise SystemExit(f"k = {k} out of range for n = {n}")
        knn(X, (X * X).sum(1), k)  # warm-up
        times, dist, sel = [], [], []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            sq = (X * X).sum(1)
            _, ts = knn(X, sq, k)
            t1 = time.perf_counter()
            times.append(t1 - t0); sel.append(ts); dist.append(t1 - t0 - ts)
        out["results"].append({"k": k, "median_s": float(np.median(times)), "dist_s": float(np.median(dist)),
                               "select_s": float(np.median(sel)), "times_s": times})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
