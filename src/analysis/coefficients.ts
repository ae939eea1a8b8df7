/**
 * Ricci-flow coefficients from per-layer numbers (docs/method.md §5): pure maths, no engine.
 *
 * The native pipeline (`./pipeline.ts`) measures every layer `l` of a network: its geodesic sum
 * `g_l`, total curvature `Ric_l`, node curvature `S_l(x)`, and the next layer's hop distances
 * between the points that are neighbours at `l`. This module turns those numbers into the global
 * coefficient `ρ` with Fisher `z`, the local `ρ(x)` and the layer coefficients `r_l`. It needs no
 * addon, so it is unit-tested with values worked out by hand.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { CurvatureName } from './geometry.js';
import { fisherZ, pearson } from './stats.js';

/**
 * Which layers enter the global coefficient (docs/method.md §5).
 * - `all` (the follow-up's `global_ricci_coefficient`): pairs `(Ric_l, g_{l+1} − g_l)` for
 *   `l = 0 … L−2`, input to output; every layer is used.
 * - `hidden` (the seed R recipe's layer-skip correlation `aa2`, per network): the same pairing over
 *   the hidden layers only, `l = 1 … L−3` (both ends hidden, `m = L−3`); the input and the output
 *   layer are not used, so their connectivity does not matter.
 */
export type LayerSelection = 'all' | 'hidden';
/**
 * A pairing of curvature with geodesic change: a layer selection, or `same-layer`, the seed R
 * script's other printed correlation `aa`: `(Ric_l, g_l − g_{l−1})` for `l = 1 … L−2` (curvature
 * paired with the change *into* its layer, the input as the reference of the first change). `aa` is
 * not a Ricci-flow coefficient; it is reported pooled only, for comparison with the seed's script.
 */
export type Pairing = LayerSelection | 'same-layer';

/** One (Ric, η) pair: the total curvature of layer `ric` with the geodesic change `g_to − g_from`. */
export interface LayerPair {
  ric: number;
  from: number;
  to: number;
}

/** The (Ric, η) pairs of a pairing in a network of `L` layers (input, hidden…, output). */
export function coefficientPairs(pairing: Pairing, L: number): LayerPair[] {
  const pairs: LayerPair[] = [];
  if (pairing === 'all') for (let l = 0; l <= L - 2; l++) pairs.push({ ric: l, from: l, to: l + 1 });
  else if (pairing === 'hidden') for (let l = 1; l <= L - 3; l++) pairs.push({ ric: l, from: l, to: l + 1 });
  else if (pairing === 'same-layer') for (let l = 1; l <= L - 2; l++) pairs.push({ ric: l, from: l - 1, to: l });
  else throw new InvalidArgumentError(`pairing: expected 'all', 'hidden' or 'same-layer' (got '${String(pairing)}')`, 'layers');
  return pairs;
}

/** Layers whose graph (curvature or geodesic sum) the pairs use, ascending. */
export function pairLayers(pairs: readonly LayerPair[]): number[] {
  return [...new Set(pairs.flatMap((p) => [p.ric, p.from, p.to]))].sort((a, b) => a - b);
}

/**
 * The pairs' values from per-layer `Ric_l` and `g_l`: `{ ric, eta }` series, or the used layers
 * whose `g_l` (or `Ric_l`) is undefined (a disconnected layer), which leave the pairing undefined.
 */
export function pairSeries(
  pairs: readonly LayerPair[],
  ric: readonly (number | null | undefined)[],
  g: readonly (number | null | undefined)[],
): { ric: number[]; eta: number[]; missing: [] } | { ric: null; eta: null; missing: number[] } {
  const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
  const missing = new Set<number>();
  for (const p of pairs) {
    if (!ok(ric[p.ric])) missing.add(p.ric);
    if (!ok(g[p.from])) missing.add(p.from);
    if (!ok(g[p.to])) missing.add(p.to);
  }
  if (missing.size > 0) return { ric: null, eta: null, missing: [...missing].sort((a, b) => a - b) };
  return { ric: pairs.map((p) => ric[p.ric] as number), eta: pairs.map((p) => (g[p.to] as number) - (g[p.from] as number)), missing: [] };
}

/** Node curvature used by the local and layer coefficients. */
export type NodeStatistic = 'mean' | 'sum';

export interface GlobalCoefficient {
  /** Pearson ρ, or null (see `reason`). */
  rho: number | null;
  /** Fisher z = atanh(ρ)·sqrt(m − 3), null when m ≤ 3 or |ρ| = 1. */
  z: number | null;
  /** Number of (Ric, η) pairs. */
  m: number;
  /** `Ric_l` for every layer. */
  ric: number[];
  /** `g_l` for every layer (null where disconnected). */
  g: (number | null)[];
  /** `η_l = g_{l+1} − g_l`, l = 0 … L−2 (null where undefined). */
  eta: (number | null)[];
  reason?: string;
}

export interface LocalCoefficients {
  /** ρ(x) per point; null when a neighbour is unreachable at some next layer, or no variance. */
  values: (number | null)[];
  mean: number | null;
  /** Share of points (with a value) where ρ(x) < 0. */
  shareNegative: number | null;
  /** Points without a value. */
  nullCount: number;
}

export interface CurvatureCoefficients {
  curvature: CurvatureName;
  global: GlobalCoefficient;
  local: LocalCoefficients;
  /** `r_l` per transition l → l+1 (null when undefined). */
  layer: (number | null)[];
}

/** The edges of a layer's graph as `localEta` reads them: `[u, v]` pairs, `edgeCount` of them. */
export interface EdgeList {
  n: number;
  edgeCount: number;
  edges: Int32Array;
}

/**
 * Local geodesic change η_l(x): the mean of (γ_{l+1}(x, y) − 1) over the neighbours y of x in the
 * graph of layer l, where `nextHops[e]` is the hop distance at layer l+1 between the ends of edge
 * `e` (−1: unreachable). NaN for a point with an unreachable neighbour or with no edge.
 */
export function localEta(graph: EdgeList, nextHops: Int32Array): Float64Array {
  const n = graph.n;
  const sum = new Float64Array(n);
  const count = new Int32Array(n);
  const bad = new Uint8Array(n);
  for (let e = 0; e < graph.edgeCount; e++) {
    const u = graph.edges[2 * e]!, v = graph.edges[2 * e + 1]!, h = nextHops[e]!;
    if (h < 0) {
      bad[u] = 1;
      bad[v] = 1;
      continue;
    }
    sum[u]! += h - 1;
    sum[v]! += h - 1;
    count[u]!++;
    count[v]!++;
  }
  const out = new Float64Array(n);
  for (let x = 0; x < n; x++) out[x] = bad[x] || count[x] === 0 ? NaN : sum[x]! / count[x]!;
  return out;
}

/**
 * The global coefficient from `Ric_l` and `g_l` of every layer (null where disconnected): Pearson
 * ρ of the selection's (Ric, η) pairs and its Fisher z. Only the layers the pairs use must be
 * connected; otherwise ρ is null and `reason` names them.
 */
export function globalCoefficient(selection: LayerSelection, ric: number[], g: (number | null)[]): GlobalCoefficient {
  const eta = g.slice(0, -1).map((gl, l) => (gl === null || g[l + 1] === null ? null : g[l + 1]! - gl));
  const pairs = coefficientPairs(selection, g.length);
  const series = pairSeries(pairs, ric, g);
  const global: GlobalCoefficient = { rho: null, z: null, m: pairs.length, ric, g, eta };
  if (series.ric === null) {
    global.reason = `disconnected layer(s) ${series.missing.join(', ')} used by the '${selection}' selection: g_l undefined`;
  } else {
    const rho = pearson(series.ric, series.eta);
    global.rho = rho;
    global.z = fisherZ(rho, pairs.length);
    if (rho === null) global.reason = pairs.length < 2 ? 'fewer than 2 layer pairs' : 'no variance in Ric or η';
  }
  return global;
}

/**
 * Local coefficients ρ(x): for every point x, Pearson ρ of its node curvature `S[l][x]` with its
 * local geodesic change `eta[l][x]` over the transitions l = 0 … L−2 (every transition, whatever
 * the selection). A point with NaN at some transition (a neighbour unreachable at the next layer)
 * gets null, as does a point whose series has no variance.
 */
export function localCoefficients(S: readonly ArrayLike<number>[], eta: readonly ArrayLike<number>[], n: number): LocalCoefficients {
  const T = S.length;
  const values: (number | null)[] = new Array(n);
  const xs: number[] = new Array(T), ys: number[] = new Array(T);
  for (let x = 0; x < n; x++) {
    let ok = true;
    for (let l = 0; l < T; l++) {
      const s = S[l]![x]!, h = eta[l]![x]!;
      if (Number.isNaN(s) || Number.isNaN(h)) {
        ok = false;
        break;
      }
      xs[l] = s;
      ys[l] = h;
    }
    values[x] = ok ? pearson(xs, ys) : null;
  }
  const defined = values.filter((v): v is number => v !== null);
  return {
    values,
    mean: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
    shareNegative: defined.length ? defined.filter((v) => v < 0).length / defined.length : null,
    nullCount: n - defined.length,
  };
}

/**
 * Layer coefficients r_l: for every transition l → l+1, Pearson ρ over the points of `S[l][x]`
 * with `eta[l][x]`, leaving out the points where either is NaN; null when undefined.
 */
export function layerCoefficients(S: readonly ArrayLike<number>[], eta: readonly ArrayLike<number>[], n: number): (number | null)[] {
  return S.map((Sl, l) => {
    const a: number[] = [], b: number[] = [];
    for (let x = 0; x < n; x++) {
      const s = Sl[x]!, h = eta[l]![x]!;
      if (!Number.isNaN(s) && !Number.isNaN(h)) {
        a.push(s);
        b.push(h);
      }
    }
    return pearson(a, b);
  });
}
