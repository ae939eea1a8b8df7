/**
 * Ricci-flow coefficients of one network (docs/method.md §5): from the activations of every layer on the
 * same test points, per layer `g_l`, connectivity and `Ric_l`; the geodesic change `η_l`; the
 * global coefficient `ρ` with Fisher `z`; local `ρ(x)`; layer coefficients `r_l`.
 */
import { InvalidArgumentError } from '../core/errors.js';
import {
  curvature,
  geodesics,
  graphFromKnn,
  knn,
  toPoints,
  type CallOptions,
  type CurvatureName,
  type CurvatureResult,
  type GraphMode,
  type KnnGraph,
  type PointsInput,
  CURVATURE_NAMES,
} from './geometry.js';
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

export interface AnalysisOptions extends CallOptions {
  /** One k or several (each analysed separately). */
  k: number | readonly number[];
  /** Curvatures to compute (default `['forman']`). */
  curvatures?: readonly CurvatureName[];
  /** Graph mode (default `union`). */
  mode?: GraphMode;
  /** Layer selection of the global coefficient (default `all`). */
  layers?: LayerSelection;
  /** Node curvature for local/layer coefficients (default `mean`). */
  node?: NodeStatistic;
  /** Ollivier α (default 0.5). */
  alpha?: number;
  /** Called after each layer's geometry is done: (layers done, total layers × k values). */
  onLayer?: (done: number, total: number) => void;
}

export interface LayerGeometry {
  layer: number;
  n: number;
  d: number;
  edges: number;
  connected: boolean;
  components: number;
  /** `g_l`, or null when the layer graph is disconnected. */
  g: number | null;
  diameter: number | null;
  /** `Ric_l` per curvature. */
  ric: Partial<Record<CurvatureName, number>>;
}

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

export interface KAnalysis {
  k: number;
  mode: GraphMode;
  layers: LayerGeometry[];
  /** Indices of disconnected layers. */
  disconnected: number[];
  coefficients: Partial<Record<CurvatureName, CurvatureCoefficients>>;
}

/** Wall time of each phase of one `analyzeLayers` call, in milliseconds (where the time goes). */
export interface AnalysisTimings {
  /** Exact kNN lists (one pass per layer at the largest k). */
  knn: number;
  /** kNN graphs built from the lists (one per layer and k). */
  graphs: number;
  /** Geodesic sums and next-layer pair distances. */
  geodesics: number;
  /** Curvatures (node values and totals). */
  curvature: number;
  /** Local η, coefficients and everything else in JavaScript. */
  coefficients: number;
}

export interface NetworkAnalysis {
  n: number;
  layerCount: number;
  selection: LayerSelection;
  node: NodeStatistic;
  byK: KAnalysis[];
  timings: AnalysisTimings;
}

function checkLayers(layers: readonly PointsInput[]): ReturnType<typeof toPoints>[] {
  if (!Array.isArray(layers) || layers.length < 2)
    throw new InvalidArgumentError('layers: need at least 2 layers (input and output)', 'layers');
  const pts = layers.map((l, i) => toPoints(l, `layers[${i}]`));
  pts.forEach((p, i) => {
    const bad = p.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new InvalidArgumentError(
        `layers[${i}]: non-finite value (${p.data[bad]}) at row ${Math.floor(bad / p.d)}, column ${bad % p.d}`,
        `layers[${i}]`,
      );
  });
  const n = pts[0]!.n;
  pts.forEach((p, i) => {
    if (p.n !== n)
      throw new InvalidArgumentError(`layers[${i}]: has ${p.n} points, layer 0 has ${n}: every layer must hold the same points`, 'layers');
  });
  return pts;
}

/** Per-point mean of (γ_{l+1}(x,y) − 1) over neighbours y of x at layer l; NaN when undefined. */
function localEta(graph: KnnGraph, nextHops: Int32Array): Float64Array {
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
 * Full Ricci-flow analysis of one network's layers (activations on the same points, in order:
 * input, hidden…, output).
 */
export async function analyzeLayers(layers: readonly PointsInput[], options: AnalysisOptions): Promise<NetworkAnalysis> {
  const pts = checkLayers(layers);
  const ks = typeof options.k === 'number' ? [options.k] : [...options.k];
  if (ks.length === 0) throw new InvalidArgumentError('k: give at least one k', 'k');
  const curvs = [...(options.curvatures ?? ['forman'])];
  for (const c of curvs)
    if (!CURVATURE_NAMES.includes(c))
      throw new InvalidArgumentError(`curvature: unknown curvature '${c}' (expected ${CURVATURE_NAMES.join(', ')})`, 'curvature');
  const selection = options.layers ?? 'all';
  if (selection !== 'all' && selection !== 'hidden')
    throw new InvalidArgumentError(`layers: selection must be 'all' or 'hidden' (got '${String(selection)}')`, 'layers');
  const node = options.node ?? 'mean';
  if (node !== 'mean' && node !== 'sum') throw new InvalidArgumentError(`node: must be 'mean' or 'sum'`, 'node');
  if (selection === 'hidden' && pts.length < 3)
    throw new InvalidArgumentError('layers: the hidden selection needs at least one hidden layer', 'layers');
  const call: CallOptions = {};
  if (options.threads !== undefined) call.threads = options.threads;
  if (options.signal !== undefined) call.signal = options.signal;
  const L = pts.length, n = pts[0]!.n;
  const totalSteps = L * ks.length;
  let steps = 0;
  const timings: AnalysisTimings = { knn: 0, graphs: 0, geodesics: 0, curvature: 0, coefficients: 0 };
  let tPhase = performance.now();
  /** Adds the time since the last mark to `phase`. */
  const mark = (phase: keyof AnalysisTimings): void => {
    const t = performance.now();
    timings[phase] += t - tPhase;
    tPhase = t;
  };

  // kNN lists are ordered by (distance, index), so the lists for any k are prefixes of the lists
  // for the largest k: one exact kNN pass per layer serves every k.
  const kMax = Math.max(...ks);
  const lists: Int32Array[] = [];
  for (let l = 0; l < L; l++) lists.push(await knn(pts[l]!, { ...call, k: kMax }));
  mark('knn');
  const prefix = (l: number, k: number): Int32Array => {
    if (k === kMax) return lists[l]!;
    const out = new Int32Array(n * k);
    const src = lists[l]!;
    for (let i = 0; i < n; i++) out.set(src.subarray(i * kMax, i * kMax + k), i * k);
    return out;
  };

  const byK: KAnalysis[] = [];
  for (const k of ks) {
    const graphs: KnnGraph[] = [];
    const geo: Array<{ connected: boolean; components: number; g: number | null; diameter: number | null }> = [];
    const curv: CurvatureResult[] = [];
    const etaLocal: Float64Array[] = []; // per transition l -> l+1
    for (let l = 0; l < L; l++) {
      const g = await graphFromKnn(prefix(l, k), { ...call, n, k, mode: options.mode ?? 'union' });
      mark('graphs');
      const gopts = l > 0 ? { ...call, pairs: graphs[l - 1]!.edges } : call;
      const gd = await geodesics(g, gopts);
      mark('geodesics');
      if (l > 0) etaLocal.push(localEta(graphs[l - 1]!, gd.pairHops!));
      mark('coefficients');
      // Node values and totals only: the coefficients never read per-edge curvature.
      const copts = { ...call, curvatures: curvs, edgeValues: false, ...(options.alpha !== undefined ? { alpha: options.alpha } : {}) };
      curv.push(await curvature(g, copts));
      mark('curvature');
      graphs.push(g);
      geo.push({ connected: gd.connected, components: gd.components, g: gd.geodesicSum, diameter: gd.diameter });
      steps++;
      options.onLayer?.(steps, totalSteps);
      options.onProgress?.(steps, totalSteps);
    }
    const disconnected = geo.flatMap((x, l) => (x.connected ? [] : [l]));
    const layerGeo: LayerGeometry[] = pts.map((p, l) => ({
      layer: l,
      n: p.n,
      d: p.d,
      edges: graphs[l]!.edgeCount,
      connected: geo[l]!.connected,
      components: geo[l]!.components,
      g: geo[l]!.g,
      diameter: geo[l]!.diameter,
      ric: Object.fromEntries(curvs.map((c) => [c, curv[l]![c]!.total])),
    }));
    const coefficients: Partial<Record<CurvatureName, CurvatureCoefficients>> = {};
    for (const c of curvs) {
      const ric = curv.map((r) => r[c]!.total);
      const g = geo.map((x) => x.g);
      const eta = g.slice(0, -1).map((gl, l) => (gl === null || g[l + 1] === null ? null : g[l + 1]! - gl));
      // (Ric, η) pairs of the chosen selection; only the layers they use must be connected.
      const pairs = coefficientPairs(selection, L);
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
      // Local and layer coefficients from node curvature S_l(x) and local η_l(x), l = 0 … L−2
      // (every transition, whatever the selection). They need no connected layer: a point whose
      // neighbour at l is unreachable at l+1 has no η_l(x); it gets no ρ(x) and is left out of r_l.
      const S = curv.slice(0, -1).map((r) => (node === 'mean' ? r[c]!.nodeMean : r[c]!.nodeSum));
      const values: (number | null)[] = new Array(n);
      const xs: number[] = new Array(L - 1), ys: number[] = new Array(L - 1);
      for (let x = 0; x < n; x++) {
        let ok = true;
        for (let l = 0; l < L - 1; l++) {
          const s = S[l]![x]!, h = etaLocal[l]![x]!;
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
      const local: LocalCoefficients = {
        values,
        mean: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
        shareNegative: defined.length ? defined.filter((v) => v < 0).length / defined.length : null,
        nullCount: n - defined.length,
      };
      const layer = S.map((Sl, l) => {
        const a: number[] = [], b: number[] = [];
        for (let x = 0; x < n; x++) {
          const s = Sl[x]!, h = etaLocal[l]![x]!;
          if (!Number.isNaN(s) && !Number.isNaN(h)) {
            a.push(s);
            b.push(h);
          }
        }
        return pearson(a, b);
      });
      coefficients[c] = { curvature: c, global, local, layer };
    }
    byK.push({ k, mode: options.mode ?? 'union', layers: layerGeo, disconnected, coefficients });
    mark('coefficients');
  }
  return { n, layerCount: L, selection, node, byK, timings };
}
