/**
 * Depth diagnostic (docs/report.md): from the layer coefficients `r_l` of one network (docs/method.md §5, one per
 * transition l → l+1), the layer after which `r_l` stops being strongly negative.
 *
 * Rule (threshold τ, default −0.2):
 * 1. A transition l → l+1 is *strongly negative* when `r_l ≤ τ`; an undefined `r_l` (null) is not.
 * 2. Find the first run of consecutive strongly negative transitions, `a … b−1`
 *    (`r_a, …, r_{b−1} ≤ τ`, and `r_b > τ` or null, or `b = L−1` when the run reaches the output).
 * 3. The network's **flow depth** is layer `b`: the last layer reached by a Ricci-flow-like
 *    transition of that first run. Transitions after it (`b → b+1 …`) no longer contract and
 *    stretch the point cloud the way Ricci flow would.
 *    - `status: 'stops'`: the run ends before the output (`b < L−1`); `stopLayer = b` is the first
 *      layer whose outgoing `r_b` is above τ after the run, and `excessHidden = (L−2) − b` hidden
 *      layers lie beyond it (0 when `b` is the last hidden layer or later).
 *    - `status: 'never-stops'`: every transition from `a` to the output is strongly negative
 *      (`stopLayer = L−1`, no excess layer).
 *    - `status: 'no-run'`: no transition is strongly negative (`stopLayer = null`).
 * Layers are numbered as in docs/method.md: 0 input, 1 … L−2 hidden, L−1 output.
 */
import { describe } from '../analysis/stats.js';

export const DEFAULT_DEPTH_THRESHOLD = -0.2;

export interface DepthDiagnostic {
  status: 'stops' | 'never-stops' | 'no-run';
  /** First strongly negative transition `a` (its source layer), or null. */
  runStart: number | null;
  /** Number of transitions in the first strongly negative run. */
  runLength: number;
  /** Flow depth `b` (see the module comment), or null for `no-run`. */
  stopLayer: number | null;
  /** Hidden layers beyond the flow depth (null for `no-run`). */
  excessHidden: number | null;
  /** Number of layers L (input, hidden…, output) = r.length + 1. */
  layers: number;
}

/** The depth diagnostic of one network from its `r_l` (l = 0 … L−2). */
export function depthDiagnostic(r: readonly (number | null)[], threshold = DEFAULT_DEPTH_THRESHOLD): DepthDiagnostic {
  const L = r.length + 1;
  const strong = (v: number | null | undefined): boolean => typeof v === 'number' && Number.isFinite(v) && v <= threshold;
  const a = r.findIndex(strong);
  if (a < 0) return { status: 'no-run', runStart: null, runLength: 0, stopLayer: null, excessHidden: null, layers: L };
  let b = a;
  while (b < r.length && strong(r[b])) b++;
  // Transitions a … b−1 are strongly negative; the run reaches layer b.
  const status = b >= L - 1 ? 'never-stops' : 'stops';
  return {
    status,
    runStart: a,
    runLength: b - a,
    stopLayer: b,
    excessHidden: Math.max(0, L - 2 - b),
    layers: L,
  };
}

export interface DepthSummaryRow {
  /** Group label (e.g. the architecture and depth). */
  group: string;
  networks: number;
  stops: number;
  neverStops: number;
  noRun: number;
  /** Over networks with a run (stops or never-stops). */
  medianStopLayer: number | null;
  meanStopLayer: number | null;
  meanExcessHidden: number | null;
  /** Mean r_l per transition over the group's networks (null where no network has a value). */
  meanR: (number | null)[];
}

/** Summarises diagnostics of a group of networks (r profiles given alongside). */
export function summariseDepth(group: string, items: ReadonlyArray<{ diagnostic: DepthDiagnostic; r: readonly (number | null)[] }>): DepthSummaryRow {
  const withRun = items.filter((i) => i.diagnostic.stopLayer !== null);
  const stops = withRun.map((i) => i.diagnostic.stopLayer!);
  const excess = withRun.map((i) => i.diagnostic.excessHidden!);
  const T = Math.max(0, ...items.map((i) => i.r.length));
  const meanR: (number | null)[] = [];
  for (let l = 0; l < T; l++) {
    const v = items.map((i) => i.r[l]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    meanR.push(v.length ? v.reduce((s, x) => s + x, 0) / v.length : null);
  }
  const d = stops.length ? describe(stops) : null;
  return {
    group,
    networks: items.length,
    stops: items.filter((i) => i.diagnostic.status === 'stops').length,
    neverStops: items.filter((i) => i.diagnostic.status === 'never-stops').length,
    noRun: items.filter((i) => i.diagnostic.status === 'no-run').length,
    medianStopLayer: d ? d.median : null,
    meanStopLayer: d ? d.mean : null,
    meanExcessHidden: excess.length ? excess.reduce((s, x) => s + x, 0) / excess.length : null,
    meanR,
  };
}
