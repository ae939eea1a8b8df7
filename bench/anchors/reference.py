#!/usr/bin/python3
"""Plain, slow reference implementation of docs/method.md §2-§5 in numpy, scipy and POT.

It is the Python anchor of the benchmark (docs/benchmarks.md W2-W4) and a second, independent
computation of the values the tests check. Dense matrices everywhere: easy to read, not fast.
Needs Debian's python3 with numpy, scipy and (for Ollivier curvature) POT:
    apt-get install python3-numpy python3-scipy python3-pot

Command line (one JSON line of step times in seconds and totals):
    reference.py POINTS.npy|POINTS.csv K [--steps knn,apsp,forman,augmented,ollivier]
                 [--alpha 0.5] [--procs 2] [--mode union|mutual]
The functions below are also imported by the benchmark to recompute single edges.
"""
import argparse
import json
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path


# ---- §2 graphs ---------------------------------------------------------------------------------

def knn(X, k):
    """(n, k) int64 array: the k nearest points of every row, self excluded, nearest first;
    equal distances in index order (a stable sort of each row keeps the lower index first)."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    norms = np.einsum("ij,ij->i", X, X)
    dist2 = norms[:, None] + norms[None, :] - 2.0 * (X @ X.T)
    dist2 = np.clip(dist2, 0.0, None)
    dist2[np.diag_indices(n)] = np.inf
    result = np.empty((n, k), dtype=np.int64)
    for row in range(n):
        result[row] = np.argsort(dist2[row], kind="stable")[:k]
    return result


def graph(nbrs, mode="union"):
    """Symmetric 0/1 adjacency (scipy csr) of the undirected kNN graph in mode union or mutual."""
    n, k = nbrs.shape
    arcs = np.zeros((n, n), dtype=bool)
    arcs[np.repeat(np.arange(n), k), np.asarray(nbrs).ravel()] = True
    if mode == "union":
        adj = arcs | arcs.T
    elif mode == "mutual":
        adj = arcs & arcs.T
    else:
        raise ValueError(f"mode must be union or mutual, not {mode!r}")
    return csr_matrix(adj.astype(np.float64))


def edges(A):
    """(m, 2) array of the edges [i, j], i < j, in row-major order of the upper triangle."""
    upper = np.triu(A.toarray() != 0, k=1)
    return np.argwhere(upper)


def degrees(A):
    return np.asarray((A != 0).sum(axis=1)).ravel().astype(np.float64)


def triangles(A, E):
    """Triangles through every edge: common neighbours, the (i, j) entry of A² (sparse product)."""
    common = (A @ A).toarray()
    return common[E[:, 0], E[:, 1]]


# ---- §3 geodesics ------------------------------------------------------------------------------

def hops(A):
    """n × n hop distances (inf between components)."""
    return shortest_path(A, directed=False, unweighted=True)


# ---- §4 curvatures -----------------------------------------------------------------------------

def forman(A, E, augmented=False):
    deg = degrees(A)
    values = 4.0 - deg[E[:, 0]] - deg[E[:, 1]]
    if augmented:
        values = values + 3.0 * triangles(A, E)
    return values


def approx_ollivier(A, E):
    """Tian et al.'s closed-form estimate of Ollivier curvature (docs/method.md §4)."""
    deg = degrees(A)
    t = triangles(A, E)
    di, dj = deg[E[:, 0]], deg[E[:, 1]]
    big, small = np.maximum(di, dj), np.minimum(di, dj)
    base = 1.0 - 1.0 / di - 1.0 / dj
    penalty = np.maximum(0.0, base - t / small) + np.maximum(0.0, base - t / big) - t / big
    return t / (2.0 * big) - 0.5 * penalty


def measure(A, node, alpha):
    """Support and masses of μ_node: alpha on the node, (1 - alpha) spread over its neighbours."""
    nbrs = A[node].indices
    mass = np.full(len(nbrs), (1.0 - alpha) / len(nbrs))
    if alpha > 0:
        return np.append(nbrs, node), np.append(mass, alpha)
    return nbrs, mass


def ollivier(A, E, G, alpha=0.0):
    """Exact Ollivier curvature 1 - W1(μ_i, μ_j) of every listed edge, POT's network simplex."""
    import ot
    A = csr_matrix(A)
    values = np.empty(len(E))
    for e, (i, j) in enumerate(E):
        si, mi = measure(A, i, alpha)
        sj, mj = measure(A, j, alpha)
        values[e] = 1.0 - ot.emd2(mi, mj, G[np.ix_(si, sj)])
    return values


def _ollivier_part(job):
    A, G, alpha, part = job
    return ollivier(A, part, G, alpha)


def ollivier_parallel(A, E, G, alpha=0.0, procs=2):
    """The same over a pool of forked processes (as the published Python tools parallelise it)."""
    import multiprocessing
    parts = np.array_split(E, procs * 8)
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        results = pool.map(_ollivier_part, [(A, G, alpha, p) for p in parts])
    return np.concatenate(results)


def node_mean(A, E, vals):
    """Mean of the edge values at every node (nan for a node without edges)."""
    n = A.shape[0]
    total = np.bincount(E.ravel(), weights=np.repeat(vals, 2), minlength=n)
    count = np.bincount(E.ravel(), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


# ---- §5 coefficients ---------------------------------------------------------------------------

def pearson(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if len(a) < 2:
        return float("nan")
    da, db = a - a.mean(), b - b.mean()
    norm = np.sqrt(np.dot(da, da) * np.dot(db, db))
    return float(np.dot(da, db) / norm) if norm > 0 else float("nan")


CURVATURES = {
    "forman": lambda A, E, G, alpha: forman(A, E),
    "augmented": lambda A, E, G, alpha: forman(A, E, augmented=True),
    "approx": lambda A, E, G, alpha: approx_ollivier(A, E),
    "ollivier": lambda A, E, G, alpha: ollivier(A, E, G, alpha),
}


def layer_geometry(X, k, curvature="forman", mode="union", alpha=0.5):
    """Graph, hop matrix, per-edge curvature and g (None when disconnected) of one layer."""
    A = graph(knn(X, k), mode)
    E = edges(A)
    G = hops(A)
    connected = bool(np.isfinite(G).all())
    g = float(np.triu(G, 1).sum()) if connected else None
    return {"A": A, "E": E, "G": G, "curv": CURVATURES[curvature](A, E, G, alpha), "g": g}


def global_coefficient(layers, k, curvature="forman", mode="union", alpha=0.5):
    """Global Ricci coefficient, selection `all`: Pearson(Ric_l, g_{l+1} - g_l), l = 0..L-2."""
    per = [layer_geometry(X, k, curvature, mode, alpha) for X in layers]
    ric = [float(p["curv"].sum()) for p in per]
    g = [p["g"] for p in per]
    if None in g:
        return {"rho": None, "reason": "disconnected", "ric": ric, "g": g}
    eta = list(np.diff(g))
    return {"rho": pearson(ric[:-1], eta), "ric": ric, "g": g, "eta": eta}


def local_and_layer(layers, k, curvature="forman", mode="union", alpha=0.5):
    """Local coefficients ρ(x) (None when a neighbour becomes unreachable) and layer coefficients r_l."""
    per = [layer_geometry(X, k, curvature, mode, alpha) for X in layers]
    n, L = len(layers[0]), len(layers)
    S = np.zeros((L - 1, n))
    H = np.zeros((L - 1, n))
    ok = np.ones((L - 1, n), dtype=bool)
    for l in range(L - 1):
        here, nxt = per[l], per[l + 1]
        S[l] = node_mean(here["A"], here["E"], here["curv"])
        for x in range(n):
            nb = here["A"][x].indices
            after = nxt["G"][x, nb]
            if np.isfinite(after).all():
                H[l, x] = np.mean(after - here["G"][x, nb])
            else:
                ok[l, x] = False
    local = [pearson(S[:, x], H[:, x]) if ok[:, x].all() else None for x in range(n)]
    layer = [pearson(S[l, ok[l]], H[l, ok[l]]) for l in range(L - 1)]
    return local, layer


# ---- command line ------------------------------------------------------------------------------

def load_points(path):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float64)
    if path.endswith(".csv"):
        return np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    raise SystemExit("points must be a .npy or .csv file")


def timed(out, key, fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    out[key] = time.perf_counter() - start
    return value


def main(argv):
    ap = argparse.ArgumentParser(description="Time each step of the reference on one point cloud.")
    ap.add_argument("points")
    ap.add_argument("k", type=int)
    ap.add_argument("--steps", default="knn,apsp,forman,augmented,ollivier")
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--mode", default="union")
    args = ap.parse_args(argv)
    steps = set(args.steps.split(","))
    X = load_points(args.points)
    out = {"n": int(X.shape[0]), "d": int(X.shape[1]), "k": args.k}
    nbrs = timed(out, "knn_s", knn, X, args.k)
    A = graph(nbrs, args.mode)
    E = edges(A)
    out["edges"] = int(len(E))
    if steps & {"apsp", "ollivier"}:
        G = timed(out, "apsp_s", hops, A)
        out["geodesic_sum"] = float(np.triu(G, 1).sum()) if np.isfinite(G).all() else None
    if "forman" in steps:
        out["forman_total"] = float(timed(out, "forman_s", forman, A, E).sum())
    if "augmented" in steps:
        out["augmented_total"] = float(timed(out, "augmented_s", forman, A, E, True).sum())
    if "ollivier" in steps:
        K = timed(out, "ollivier_s", ollivier_parallel, A, E, G, args.alpha, args.procs)
        out["ollivier_total"] = float(K.sum())
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
