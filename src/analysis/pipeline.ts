/**
 * Ricci-flow analysis of one network (docs/method.md §5), the engine side: from the activations of
 * every layer on the same test points, each layer's kNN graph, connectivity, geodesic sum `g_l`,
 * curvature `Ric_l` and node curvature, and the next layer's hop distances between neighbours.
 * The coefficients (global `ρ` with Fisher `z`, local `ρ(x)`, layer `r_l`) are computed from those
 * numbers by the pure maths of `./coefficients.ts`.
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
import {
  globalCoefficient,
  layerCoefficients,
  localCoefficients,
  localEta,
  type CurvatureCoefficients,
  type LayerSelection,
  type NodeStatistic,
} from './coefficients.js';

// The coefficient maths lives in ./coefficients.ts (no engine); its public names stay exported here.
export {
  coefficientPairs,
  pairLayers,
  pairSeries,
  type CurvatureCoefficients,
  type GlobalCoefficient,
  type LayerPair,
  type LayerSelection,
  type LocalCoefficients,
  type NodeStatistic,
  type Pairing,
} from './coefficients.js';

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
  /** Undirected edges of the layer graph (`KnnGraph.edgeCount`). */
  edgeCount: number;
  connected: boolean;
  components: number;
  /** `g_l`, or null when the layer graph is disconnected. */
  g: number | null;
  diameter: number | null;
  /** `Ric_l` per curvature. */
  ric: Partial<Record<CurvatureName, number>>;
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
    if (p.data.length !== p.n * p.d)
      throw new InvalidArgumentError(`layers[${i}]: data length ${p.data.length} != n*d = ${p.n}*${p.d}`, `layers[${i}]`);
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
  for (let l = 0; l < L; l++) {
    // Each layer is read by its own native call (which copies a detachable buffer for the whole of
    // that call); a layer whose buffer was detached or shrunk since analyzeLayers was called is
    // refused here, never read (README "Guarantees", Buffers).
    const p = pts[l]!;
    if (p.data.length !== p.n * p.d)
      throw new InvalidArgumentError(
        `layers[${l}]: its ArrayBuffer was detached or shrunk during analyzeLayers (data length ${p.data.length}, expected n*d = ${p.n}*${p.d})`,
        `layers[${l}]`,
      );
    lists.push(await knn(p, { ...call, k: kMax }));
  }
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
      edgeCount: graphs[l]!.edgeCount,
      connected: geo[l]!.connected,
      components: geo[l]!.components,
      g: geo[l]!.g,
      diameter: geo[l]!.diameter,
      ric: Object.fromEntries(curvs.map((c) => [c, curv[l]![c]!.total])),
    }));
    const coefficients: Partial<Record<CurvatureName, CurvatureCoefficients>> = {};
    for (const c of curvs) {
      // Local and layer coefficients use node curvature S_l(x) and local η_l(x) of every transition.
      const S = curv.slice(0, -1).map((r) => (node === 'mean' ? r[c]!.nodeMean : r[c]!.nodeSum));
      coefficients[c] = {
        curvature: c,
        global: globalCoefficient(
          selection,
          curv.map((r) => r[c]!.total),
          geo.map((x) => x.g),
        ),
        local: localCoefficients(S, etaLocal, n),
        layer: layerCoefficients(S, etaLocal, n),
      };
    }
    byK.push({ k, mode: options.mode ?? 'union', layers: layerGeo, disconnected, coefficients });
    mark('coefficients');
  }
  return { n, layerCount: L, selection, node, byK, timings };
}
