/**
 * The geometry of one layer's point cloud (docs/method.md §2–§4): exact kNN lists, kNN graphs, hop
 * geodesics and curvatures, computed by the native core. Every function that computes returns a
 * Promise (the work runs on a native worker thread and never blocks the event loop).
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { addon, callNative, type CallOptions, type RawGeodesics, type RawGraph, type ThreadInfo } from '../core/native.js';

export type { CallOptions, ThreadInfo } from '../core/native.js';

/** A row-major `n × d` point cloud (Float32Array or Float64Array, read without copying). */
/** A point cloud: the package's one {@link Matrix} type. */
export type Points = Matrix;
/** Points as a typed matrix, or as an array of equal-length number rows (copied to Float64Array). */
export type PointsInput = Points | readonly (readonly number[])[];

/** Graph modes of docs/method.md §2. */
export type GraphMode = 'union' | 'mutual' | 'directed';
export const GRAPH_MODES: readonly GraphMode[] = ['union', 'mutual', 'directed'];

/** Curvature names of docs/method.md §4. */
export type CurvatureName = 'forman' | 'augmented' | 'approx-ollivier' | 'ollivier';
export const CURVATURE_NAMES: readonly CurvatureName[] = ['forman', 'augmented', 'approx-ollivier', 'ollivier'];

/**
 * A kNN graph. The undirected structure is CSR (`offsets`, `neighbors`, ascending); `edges` lists
 * each undirected edge `{i, j}`, `i < j`, interleaved `[i0, j0, i1, j1, …]` in row-major order
 * (by `i`, then `j`: the order of `numpy.nonzero` on the upper triangle). `knn` holds the n × k
 * neighbour lists, each ordered by (distance, index). In `directed` mode the undirected structure
 * ignores direction (geodesics as igraph `distances()`), and the arcs are the kNN lists.
 */
export interface KnnGraph extends RawGraph {
  mode: GraphMode;
}

/** Converts and checks points; throws InvalidArgumentError naming the argument. */
export function toPoints(input: PointsInput, name = 'points'): Points {
  if (Array.isArray(input)) {
    const rows = input as readonly (readonly number[])[];
    const n = rows.length;
    if (n === 0) throw new InvalidArgumentError(`${name}: empty (no points)`, name);
    const first = rows[0];
    if (!Array.isArray(first)) throw new InvalidArgumentError(`${name}: rows must be arrays of numbers`, name);
    const d = first.length;
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      if (!Array.isArray(row) || row.length !== d)
        throw new InvalidArgumentError(`${name}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${d}`, name);
      for (let j = 0; j < d; j++) {
        const v = row[j];
        if (typeof v !== 'number') throw new InvalidArgumentError(`${name}: non-numeric value at row ${i}, column ${j}`, name);
        data[i * d + j] = v;
      }
    }
    return { data, n, d };
  }
  const p = input as Points;
  if (p === null || typeof p !== 'object' || !('data' in p))
    throw new InvalidArgumentError(`${name}: expected { data: Float32Array | Float64Array, n, d } or number[][]`, name);
  if (!(p.data instanceof Float32Array) && !(p.data instanceof Float64Array))
    throw new InvalidArgumentError(`${name}: data must be a Float32Array or Float64Array (got a non-numeric array)`, name);
  return p;
}

function checkMode(mode: string | undefined): GraphMode {
  const m = mode ?? 'union';
  if (!GRAPH_MODES.includes(m as GraphMode))
    throw new InvalidArgumentError(`mode: unknown mode '${m}' (expected union, mutual or directed)`, 'mode');
  return m as GraphMode;
}

/** The options object of a call that needs `k` (a missing one is an InvalidArgumentError, not a TypeError). */
function needK<T extends { k: number }>(options: T | undefined): T {
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError('k: is required (pass options such as { k: 10 })', 'k');
  return options;
}

/** Exact kNN lists (n × k, row-major Int32Array), self excluded, ties to the lower index. */
export async function knn(points: PointsInput, options: CallOptions & { k: number }): Promise<Int32Array> {
  const o = needK(options);
  return callNative(o, (raw) => addon.knn(toPoints(points), { ...raw, k: o.k }));
}

/** Exact kNN graph of a point cloud. */
export async function knnGraph(
  points: PointsInput,
  options: CallOptions & { k: number; mode?: GraphMode },
): Promise<KnnGraph> {
  options = needK(options);
  const mode = checkMode(options.mode);
  return (await callNative(options, (raw) =>
    addon.knnGraph(toPoints(points), { ...raw, k: options.k, mode }),
  )) as KnnGraph;
}

/** Graph from given kNN lists (n × k Int32Array), e.g. computed elsewhere. */
export async function graphFromKnn(
  lists: Int32Array,
  options: CallOptions & { n: number; k: number; mode?: GraphMode },
): Promise<KnnGraph> {
  options = needK(options);
  const mode = checkMode(options.mode);
  return (await callNative(options, (raw) =>
    addon.graphFromKnn(lists, { ...raw, n: options.n, k: options.k, mode }),
  )) as KnnGraph;
}

/** Number of distinct neighbours per node in the undirected graph. */
export function degrees(graph: KnnGraph): Int32Array {
  const deg = new Int32Array(graph.n);
  for (let i = 0; i < graph.n; i++) deg[i] = graph.offsets[i + 1]! - graph.offsets[i]!;
  return deg;
}

/** Edges as `[i, j]` pairs (i < j, row-major order). */
export function edgeList(graph: KnnGraph): Array<[number, number]> {
  const out: Array<[number, number]> = new Array(graph.edgeCount);
  for (let e = 0; e < graph.edgeCount; e++) out[e] = [graph.edges[2 * e]!, graph.edges[2 * e + 1]!];
  return out;
}

/**
 * Geodesic statistics of one graph: `connected`, `components`, `component` (id per point, ids
 * ordered by their smallest point), `geodesicSum` (`g = Σ_{i<j} γ(i,j)` in hops; `null` when
 * disconnected), `diameter` (null when disconnected), `pairHops` (hop distances of the requested
 * pairs, -1 = unreachable) and `hopMatrix` (only when asked; 255 / 65535 = unreachable).
 */
export type Geodesics = RawGeodesics;

export interface GeodesicOptions extends CallOptions {
  /**
   * Node pairs (interleaved Int32Array, e.g. `otherGraph.edges`) whose hop distance in this graph
   * is wanted: what the geodesic change η needs, without an n × n matrix.
   */
  pairs?: Int32Array;
  /** Also return the full hop matrix (memory n² bytes, or 2n² for uint16). */
  hopMatrix?: 'none' | 'uint8' | 'uint16';
}

/**
 * Geodesic statistics by bit-parallel multi-source BFS: `g`, connectivity, components, and the
 * hop distances of given pairs. A disconnected graph is a result (`connected: false`,
 * `geodesicSum: null`), not an error.
 */
export function geodesics(graph: KnnGraph, options: GeodesicOptions = {}): Promise<Geodesics> {
  return callNative(options, (raw) => {
    const o: Parameters<typeof addon.geodesics>[1] = { ...raw };
    if (options.pairs !== undefined) o.pairs = options.pairs;
    if (options.hopMatrix !== undefined) o.hopMatrix = options.hopMatrix;
    return addon.geodesics(graph, o);
  });
}

/** One curvature on one graph. */
export interface EdgeCurvature {
  name: CurvatureName;
  /**
   * Per undirected edge (order of `graph.edges`); for `forman` in `directed` mode, per kNN arc
   * (order of `graph.knn`, the seed R recipe's `4 − D_i − D_j` with `D` = in + out arcs). Empty when
   * the call had `edgeValues: false`.
   */
  edge: Float64Array;
  /** Whether `edge` is per kNN arc (directed Forman). */
  perArc: boolean;
  /** Node curvature: mean over incident edges (NaN for a point without edges); per-arc: sum/k. */
  nodeMean: Float64Array;
  /** Node curvature: sum over incident edges (per-arc: over out-arcs, as the seed R recipe). */
  nodeSum: Float64Array;
  /** Layer total `Ric_l` = sum over edges (or arcs). */
  total: number;
}

export interface CurvatureOptions extends CallOptions {
  /** Which curvatures (default `['forman']`). */
  curvatures?: readonly CurvatureName[];
  /** Ollivier idleness α ∈ [0, 1) (default 0.5). */
  alpha?: number;
  /** Also return `triangles`, the number of triangles through each edge (default false). */
  triangles?: boolean;
  /**
   * Return the per-edge (per-arc) values in `edge` (default true). With `false`, `edge` is empty
   * and only node means/sums and totals are computed: what the layer analysis needs, without
   * writing an m-long array per curvature.
   */
  edgeValues?: boolean;
}

export type CurvatureResult = Partial<Record<CurvatureName, EdgeCurvature>> & {
  /** Triangles through each undirected edge (edge order), when `options.triangles` is set. */
  triangles?: Int32Array;
};

/**
 * Node mean and sum, and the layer total, of per-edge values (or per kNN arc with `perArc`: sum
 * over out-arcs as the seed R recipe, mean = sum / k). A point without edges has mean NaN.
 */
export function nodeCurvature(
  graph: KnnGraph,
  values: Float64Array,
  perArc = false,
): { nodeMean: Float64Array; nodeSum: Float64Array; total: number } {
  if (!(values instanceof Float64Array)) throw new InvalidArgumentError('values: must be a Float64Array', 'values');
  return addon.nodeCurvature(graph, values, perArc);
}

/**
 * Curvatures of a graph (docs/method.md §4), each with node means/sums and the layer total.
 * `ollivier` is exact optimal transport (α from `options.alpha`, default 0.5).
 */
export async function curvature(graph: KnnGraph, options: CurvatureOptions = {}): Promise<CurvatureResult> {
  const names = [...(options.curvatures ?? ['forman'])];
  for (const c of names)
    if (!CURVATURE_NAMES.includes(c))
      throw new InvalidArgumentError(`curvature: unknown curvature '${c}' (expected ${CURVATURE_NAMES.join(', ')})`, 'curvature');
  const combinatorial = names.filter((c) => c !== 'ollivier');
  const triangles = options.triangles === true;
  const out: CurvatureResult = {};
  if (combinatorial.length > 0 || triangles) {
    const edgeValues = options.edgeValues !== false;
    const raw = await callNative(options, (r) => addon.curvature(graph, { ...r, names: combinatorial, triangles, edgeValues }));
    for (const c of combinatorial) {
      const r = raw[c]!;
      out[c] = { name: c, edge: r.edge, perArc: r.perArc, nodeMean: r.nodeMean, nodeSum: r.nodeSum, total: r.total };
    }
    if (raw.triangles) out.triangles = raw.triangles;
  }
  if (names.includes('ollivier')) {
    const edge = await ollivierCurvature(graph, options);
    out.ollivier = { name: 'ollivier', edge: options.edgeValues === false ? new Float64Array(0) : edge, perArc: false, ...nodeCurvature(graph, edge) };
  }
  return out;
}

/** Forman curvature (or augmented Forman) with node values and total. */
export async function formanCurvature(
  graph: KnnGraph,
  options: CallOptions & { augmented?: boolean } = {},
): Promise<EdgeCurvature> {
  const name: CurvatureName = options.augmented ? 'augmented' : 'forman';
  const r = await curvature(graph, { ...options, curvatures: [name] });
  return r[name]!;
}

/**
 * Exact Ollivier–Ricci curvature per undirected edge: `κ_α(i,j) = 1 − W1(μ_i, μ_j)`,
 * `μ_i = α δ_i + (1−α)/d_i Σ_{u∼i} δ_u`, hop-distance ground cost (docs/method.md §4).
 */
export function ollivierCurvature(
  graph: KnnGraph,
  options: CallOptions & { alpha?: number } = {},
): Promise<Float64Array> {
  const alpha = options.alpha ?? 0.5;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0 || alpha >= 1)
    return Promise.reject(new InvalidArgumentError(`alpha: must be a number in [0, 1) (got ${String(alpha)})`, 'alpha'));
  return callNative(options, (raw) => addon.ollivierCurvature(graph, { ...raw, alpha }));
}

/** Row-major n × n Euclidean distances (Float64Array; memory 8n² bytes). */
export function pairwiseDistances(points: PointsInput, options: CallOptions = {}): Promise<Float64Array> {
  return callNative(options, (raw) => addon.pairwiseDistances(toPoints(points), raw));
}

/** Sets the thread count used by calls that pass no `threads` (0 = all cores of the budget). */
export function setDefaultThreads(threads: number): void {
  addon.setDefaultThreads(threads);
}

/**
 * Sets the process-wide thread budget shared by all calls in flight (default: the core count).
 * A call asking for more threads than are free waits; calls never oversubscribe the budget.
 */
export function setThreadBudget(threads: number): void {
  addon.setThreadBudget(threads);
}

/** Hardware threads, the budget, the default per-call count, threads leased now and at peak. */
export function threadInfo(): ThreadInfo {
  return addon.threadInfo();
}
