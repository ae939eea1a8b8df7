/**
 * The report's figures (issue E) as Vega-Lite specifications, compiled by Vega to SVG in Node.
 *
 * 1a/1b per layer, boxplots of the geodesic change from the prior layer and of the total curvature
 *       (the seed paper's panels), per dataset × architecture;
 * 2     layer-skip scatter: Ric_{l−1} against the geodesic change l−1 → l, coloured by layer, with
 *       the regression line and the pooled correlation (docs/method.md §5, seed R `aa2`);
 * 3     ρ and z against test accuracy, by dataset, with the well-trained threshold;
 * 4a/4b distribution of local ρ(x) with the share below zero; layer coefficients r_l against depth;
 * 5     k sensitivity: ρ against k per dataset (when several k were analysed);
 * 6     3-D synthetic data: the test points at the input and at the last hidden layer, coloured by
 *       class, as the record stores them (`projection`: the report never trains);
 * 7     geometry-aware training trajectories (when records carry them): mean local ρ and
 *       train/test accuracy on the same epoch axis.
 * Every figure uses one curvature and one k (the report's "primary" k) except 5.
 */
import type { TopLevelSpec } from 'vega-lite';

import type { CurvatureName } from '../analysis/geometry.js';
import { correlationTest } from '../analysis/stats.js';
import { rotate } from '../analysis/projection.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import { hasProjection } from '../study/projection.js';
import { coefficientsAt, isWellTrained, layerPairs, selectResults, type ResultsSelection, type SelectionOptions } from '../study/results.js';
import type { NetworkRecord, ProjectedPoints, ProjectionRecord } from '../study/types.js';
import { DEFAULT_DEPTH_THRESHOLD } from './depth.js';

/** Accuracy threshold of a "well-trained" network (docs/method.md §6, §8). */
export const DEFAULT_ACCURACY_THRESHOLD = WELL_TRAINED_THRESHOLD;

/** `k`, `curvature` and `threshold` as `ricciflow stats` takes them (src/study/results.ts). */
export interface FigureOptions extends SelectionOptions {
  /** Threshold τ of the depth diagnostic, drawn on figure 4b (default −0.2). */
  depthThreshold?: number;
  /** Draw figure 6 (default true). */
  projection?: boolean;
  /** At most this many 3-D datasets in figure 6 (default 3). */
  projectionDatasets?: number;
}

export interface Figure {
  /** File stem, e.g. `fig2-layer-skip`. */
  id: string;
  /** Figure number as printed, e.g. `1a`. */
  number: string;
  title: string;
  /** What the figure shows, how it was computed (plain text). */
  caption: string;
  /** The Vega-Lite specification, or null when the figure was skipped. */
  spec: TopLevelSpec | null;
  /** Rendered SVG, or null when skipped. */
  svg: string | null;
  /** Why the figure was skipped. */
  note?: string;
}

/** Resolved choices shared by the figures and the report text (k, curvature, threshold as `ricciflow stats`). */
export interface ReportSelection extends ResultsSelection {
  depthThreshold: number;
}

const CURVATURE_LABEL: Record<CurvatureName, string> = {
  forman: 'Forman',
  augmented: 'augmented Forman',
  'approx-ollivier': 'approximate Ollivier',
  ollivier: 'Ollivier',
};

export function curvatureLabel(c: CurvatureName): string {
  return CURVATURE_LABEL[c] ?? c;
}

/**
 * Picks the curvature, k and threshold drawn by the report: src/study/results.ts `selectResults`,
 * the same choice as `ricciflow stats`.
 */
export function resolveSelection(records: readonly NetworkRecord[], options: FigureOptions = {}): ReportSelection {
  const sel = selectResults(records, options);
  return { ...sel, depthThreshold: options.depthThreshold ?? DEFAULT_DEPTH_THRESHOLD };
}

/** The coefficients of one record at (k, curvature), or undefined (src/study/results.ts). */
export const coefficientsOf = coefficientsAt;

/** `narrow-5`-style label of a record's architecture and depth. */
export function archLabel(r: NetworkRecord): string {
  return `${r.config.architecture}-${r.config.depth}`;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function fmtP(p: number | null): string {
  if (p === null) return '—';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

function fmtR(r: number | null): string {
  return r === null ? 'undefined' : r.toFixed(3);
}

const BASE_CONFIG = {
  font: 'sans-serif',
  background: 'white',
  padding: 8,
  title: { anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#444', offset: 8 },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', grid: true, gridColor: '#eee' },
  header: { labelFontSize: 11, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11, symbolOpacity: 1 },
  view: { stroke: '#ccc' },
} as const;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function withBase(spec: Record<string, unknown>): TopLevelSpec {
  return { $schema: SCHEMA, config: BASE_CONFIG, ...spec } as unknown as TopLevelSpec;
}

/**
 * Vega and Vega-Lite, loaded on first use: Vega's canvas probe uses top-level await, which would
 * make this module (and `ricciflow/report`) impossible to `require()` if they were imported statically.
 */
let vegaModules: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** Compiles a Vega-Lite spec with Vega and renders it to an SVG string (headless, no DOM). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await (vegaModules ??= Promise.all([import('vega'), import('vega-lite')]));
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  view.logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A layer whose encoding is all constants (`datum`) draws one mark per data row: reference rules
 * get a data set of one row, or, inside a facet (where layers share the facet's data), keep only
 * the row flagged `first` of each panel (see {@link flagFirst}).
 */
const ONE_ROW = { values: [{}] };
const FIRST_OF_PANEL = [{ filter: 'datum.first === true' }];

/** Flags the first row of each value of `key` with `first: true` (one reference mark per panel). */
function flagFirst<T extends Record<string, unknown>>(rows: T[], key: keyof T): Array<T & { first: boolean }> {
  const seen = new Set<unknown>();
  return rows.map((r) => {
    const first = !seen.has(r[key]);
    seen.add(r[key]);
    return { ...r, first };
  });
}

function skipped(id: string, number: string, title: string, note: string): Figure {
  return { id, number, title, caption: '', spec: null, svg: null, note };
}

// ---------------------------------------------------------------------------------------------
// 1. Per-layer boxplots

function layerBoxplots(ok: readonly NetworkRecord[], sel: ReportSelection): Figure[] {
  const etaRows: Array<Record<string, unknown>> = [];
  const ricRows: Array<Record<string, unknown>> = [];
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co) continue;
    const base = { dataset: r.config.dataset, arch: archLabel(r) };
    co.ric.forEach((v, l) => num(v) && ricRows.push({ ...base, layer: l, value: v }));
    // Geodesic change into layer l from its prior layer: η_{l−1} = g_l − g_{l−1}.
    co.eta.forEach((v, l) => num(v) && etaRows.push({ ...base, layer: l + 1, value: v }));
  }
  const cname = curvatureLabel(sel.curvature);
  // A grid of small panels (datasets × architectures), each with its own y scale. A concat rather
  // than a facet: Vega-Lite's facet layout leaves wide gaps between rows with independent scales.
  // Short docs/method.md names on the axes (Vega estimates text widths without a canvas, and long rotated
  // titles push the panel titles apart); the full definition is the figure's title.
  const spec = (rows: Array<Record<string, unknown>>, yTitle: string, xTitle: string, color: string, header: string) => {
    const datasets = [...new Set(rows.map((r) => r.dataset as string))];
    const archs = [...new Set(rows.map((r) => r.arch as string))].sort();
    const cells = datasets.flatMap((d, i) =>
      archs.map((a, j) => ({
        title: { text: `${d} · ${a}`, fontSize: 11, fontWeight: 'normal' },
        transform: [{ filter: { and: [{ field: 'dataset', equal: d }, { field: 'arch', equal: a }] } }],
        width: 150,
        height: 130,
        mark: { type: 'boxplot', extent: 1.5, size: 12, color, median: { color: 'black' } },
        encoding: {
          x: { field: 'layer', type: 'ordinal', title: i === datasets.length - 1 ? xTitle : null, axis: { labelAngle: 0 } },
          y: { field: 'value', type: 'quantitative', title: j === 0 ? yTitle : null, scale: { zero: false }, axis: { format: '~s', tickCount: 5 } },
        },
      })),
    );
    return withBase({ title: { text: header, subtitle: 'one panel per dataset · architecture; y scales per panel' }, data: { values: rows }, columns: archs.length, concat: cells, spacing: 16 });
  };
  const figs: Figure[] = [];
  const title1 = 'Geodesic change from the prior layer, per layer';
  if (etaRows.length === 0)
    figs.push(skipped('fig1a-geodesic-change', '1a', title1, 'No network has two consecutive connected layers at this k: η is undefined everywhere (docs/method.md §3).'));
  else {
    const s = spec(etaRows, 'η_{l−1}', 'layer l', '#4c78a8', 'y: η_{l−1} = g_l − g_{l−1}, change of the sum of geodesic hop distances from layer l−1 to layer l');
    figs.push({
      id: 'fig1a-geodesic-change',
      number: '1a',
      title: title1,
      caption:
        `Per layer l ≥ 1, boxplots over networks of the total geodesic change from layer l−1, η_{l−1} = g_l − g_{l−1}, ` +
        `where g_l is the sum of shortest-path hop counts over all pairs of test points in the layer's kNN graph (k = ${sel.k}, ` +
        `${ok[0]?.config.analysis.mode ?? 'union'} graph). One panel per dataset · architecture; y scales are per panel. ` +
        `Changes involving a disconnected layer are undefined and left out.`,
      spec: s,
      svg: null,
    });
  }
  const title2 = `Total ${cname} curvature per layer`;
  if (ricRows.length === 0) figs.push(skipped('fig1b-curvature', '1b', title2, `No ${cname} curvature recorded at k = ${sel.k}.`));
  else
    figs.push({
      id: 'fig1b-curvature',
      number: '1b',
      title: title2,
      caption:
        `Per layer l (0 = input, last = output), boxplots over networks of the total curvature Ric_l = Σ over edges of the ` +
        `${cname} curvature of the layer's kNN graph (k = ${sel.k}). One panel per dataset · architecture; y scales are per panel.`,
      spec: spec(ricRows, 'Ric_l', 'layer l', '#f58518', `y: Ric_l = Σ over edges of the ${cname} curvature of layer l's kNN graph`),
      svg: null,
    });
  return figs;
}

// ---------------------------------------------------------------------------------------------
// 2. Layer-skip scatter

export interface LayerSkipRow {
  dataset: string;
  arch: string;
  layer: number;
  ric: number;
  eta: number;
  /** The network is above the well-trained threshold (retained by `ricciflow stats`). */
  wellTrained: boolean;
}

/**
 * Pairs (Ric_l, η_l = g_{l+1} − g_l) of every network at the report's k, taken by the same function
 * as the network's global ρ and `ricciflow stats` (src/study/results.ts `layerPairs`): `all` pairs
 * l = 0 … L−2; `hidden` keeps both layers hidden, l = 1 … L−3. A network is left out (counted in
 * `excluded`) only when a layer its pairs use is disconnected. `layer` is the layer l + 1 the
 * change leads into.
 */
export function layerSkipPairs(ok: readonly NetworkRecord[], sel: ResultsSelection): { rows: LayerSkipRow[]; networks: number; excluded: number } {
  const rows: LayerSkipRow[] = [];
  let networks = 0, excluded = 0;
  for (const r of ok) {
    const co = coefficientsAt(r, sel.k, sel.curvature);
    if (!co) continue;
    const s = layerPairs(co, r.config.analysis.layers);
    if (s === null) {
      excluded++;
      continue;
    }
    if (s.pairs.length === 0) continue; // as ricciflow stats: no pair, nothing contributed
    networks++;
    const wellTrained = isWellTrained(r, sel.threshold);
    s.pairs.forEach((p, i) => rows.push({ dataset: r.config.dataset, arch: archLabel(r), layer: p.to, ric: s.ric[i]!, eta: s.eta[i]!, wellTrained }));
  }
  return { rows, networks, excluded };
}

function layerSkip(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Layer-skip: curvature of layer l−1 against the geodesic change l−1 → l';
  const { rows, networks, excluded } = layerSkipPairs(ok, sel);
  if (rows.length < 3)
    return skipped('fig2-layer-skip', '2', title, `Fewer than 3 (Ric, η) pairs from networks whose used layers are connected at k = ${sel.k} (${excluded} network(s) excluded as disconnected).`);
  const t = correlationTest(rows.map((p) => p.ric), rows.map((p) => p.eta));
  const well = rows.filter((p) => p.wellTrained);
  const tw = correlationTest(well.map((p) => p.ric), well.map((p) => p.eta));
  const perDataset = [...new Set(rows.map((p) => p.dataset))]
    .map((d) => {
      const s = rows.filter((p) => p.dataset === d);
      const td = correlationTest(s.map((p) => p.ric), s.map((p) => p.eta));
      return `${d}: r = ${fmtR(td.r)}`;
    })
    .join(', ');
  const cname = curvatureLabel(sel.curvature);
  const spec = withBase({
    title: {
      text: `Pooled r = ${fmtR(t.r)} (p = ${fmtP(t.p)}, ${t.n} pairs, ${networks} networks)`,
      subtitle: [
        `well-trained only (accuracy > ${sel.threshold}, as ricciflow stats): r = ${fmtR(tw.r)} (p = ${fmtP(tw.p)}, ${tw.n} pairs)`,
        `per dataset: ${perDataset}`,
      ],
    },
    data: { values: rows },
    width: 460,
    height: 320,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          opacity: { field: 'wellTrained', type: 'ordinal', title: `accuracy > ${sel.threshold}`, scale: { domain: [true, false], range: [0.9, 0.3] } },
          x: { field: 'ric', type: 'quantitative', title: `Ric_{l−1} (total ${cname} curvature of layer l−1)`, scale: { zero: false }, axis: { format: '~s' } },
          y: { field: 'eta', type: 'quantitative', title: 'η_{l−1} = g_l − g_{l−1} (hops)', scale: { zero: false }, axis: { format: '~s' } },
          color: { field: 'layer', type: 'ordinal', title: 'layer l', scale: { scheme: 'viridis' } },
          shape: { field: 'dataset', type: 'nominal', title: 'dataset' },
          tooltip: [{ field: 'dataset' }, { field: 'arch' }, { field: 'layer' }, { field: 'ric' }, { field: 'eta' }, { field: 'wellTrained' }],
        },
      },
      {
        transform: [{ regression: 'eta', on: 'ric' }],
        mark: { type: 'line', color: '#222', strokeWidth: 1.5 },
        encoding: { x: { field: 'ric', type: 'quantitative' }, y: { field: 'eta', type: 'quantitative' } },
      },
    ],
  });
  return {
    id: 'fig2-layer-skip',
    number: '2',
    title,
    caption:
      `Every layer pair of every network whose used layers are connected at k = ${sel.k} (${excluded} network(s) excluded as disconnected; ` +
      `layers as the network's selection, the same pairs as its ρ: l = 0 … L−2 for 'all', l = 1 … L−3 (both layers hidden) for 'hidden'; faint points: accuracy ≤ ${sel.threshold}): ` +
      `the total ${cname} curvature of the previous layer, Ric_{l−1}, against the geodesic change into layer l, η_{l−1} = g_l − g_{l−1}. ` +
      `The line is the least-squares regression over all points; the title gives the pooled Pearson correlation with its two-sided p-value ` +
      `over the points drawn, the subtitle over the well-trained networks only — the seed R recipe's layer-skip correlation aa2 (docs/method.md §5) as ` +
      `ricciflow stats reports it. A negative correlation is Ricci-flow-like.`,
    spec,
    svg: null,
  };
}

// ---------------------------------------------------------------------------------------------
// 3. ρ and z against accuracy

function accuracyScatter(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Global Ricci coefficient against test accuracy';
  const rows: Array<{ dataset: string; arch: string; seed: number; accuracy: number; rho: number | null; z: number | null }> = [];
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co || !num(r.accuracy) || !num(co.rho)) continue;
    rows.push({ dataset: r.config.dataset, arch: archLabel(r), seed: r.config.seed, accuracy: r.accuracy, rho: co.rho, z: num(co.z) ? co.z : null });
  }
  if (rows.length === 0) return skipped('fig3-accuracy', '3', title, `No network has a defined ρ at k = ${sel.k} (all disconnected or failed).`);
  const well = rows.filter((r) => r.accuracy > sel.threshold);
  const tr = correlationTest(well.map((r) => r.rho!), well.map((r) => r.accuracy));
  const wz = well.filter((r) => r.z !== null);
  const tz = correlationTest(wz.map((r) => r.z!), wz.map((r) => r.accuracy));
  const panel = (field: 'rho' | 'z', yTitle: string) => ({
    width: 300,
    height: 260,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 0.8 },
        encoding: {
          x: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
          y: { field, type: 'quantitative', title: yTitle, scale: { zero: false } },
          color: { field: 'dataset', type: 'nominal', title: 'dataset' },
          shape: { field: 'arch', type: 'nominal', title: 'architecture' },
          tooltip: [{ field: 'dataset' }, { field: 'arch' }, { field: 'seed' }, { field: 'accuracy' }, { field }],
        },
        ...(field === 'z' ? { transform: [{ filter: 'isValid(datum.z)' }] } : {}),
      },
      {
        data: ONE_ROW,
        mark: { type: 'rule', color: '#c0392b', strokeDash: [5, 4], strokeWidth: 1.5 },
        encoding: { x: { datum: sel.threshold } },
      },
    ],
  });
  const spec = withBase({
    title: {
      text: `Well-trained (accuracy > ${sel.threshold}): r(ρ, accuracy) = ${fmtR(tr.r)} (p = ${fmtP(tr.p)}, n = ${tr.n}); r(z, accuracy) = ${fmtR(tz.r)} (n = ${tz.n})`,
      subtitle: `dashed line: threshold ${sel.threshold}; k = ${sel.k}, ${curvatureLabel(sel.curvature)} curvature`,
    },
    data: { values: rows },
    hconcat: [panel('rho', 'ρ (global Ricci coefficient)'), panel('z', 'z = atanh(ρ)·√(m−3)')],
  });
  return {
    id: 'fig3-accuracy',
    number: '3',
    title,
    caption:
      `Each point is a network with a defined ρ. Left: ρ = Pearson(Ric_l, η_l) over its layers; right: its Fisher z-score ` +
      `z = atanh(ρ)·√(m−3) (m = number of layer pairs). The dashed line marks the well-trained threshold (test accuracy > ${sel.threshold}, docs/method.md §6); ` +
      `the title gives the Pearson correlation with accuracy among the networks above it.`,
    spec,
    svg: null,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Local ρ(x) and layer coefficients r_l

function localDistribution(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Distribution of the local coefficient ρ(x)';
  const rows: Array<{ dataset: string; arch: string; v: number }> = [];
  const share = new Map<string, { neg: number; n: number }>();
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co?.local) continue;
    const s = share.get(r.config.dataset) ?? { neg: 0, n: 0 };
    for (const v of co.local)
      if (num(v)) {
        rows.push({ dataset: r.config.dataset, arch: archLabel(r), v });
        s.n++;
        if (v < 0) s.neg++;
      }
    share.set(r.config.dataset, s);
  }
  if (rows.length === 0)
    return skipped('fig4a-local', '4a', title, 'No record keeps local ρ(x) per point (records written with keepLocal: false, or every ρ(x) undefined).');
  const shares = [...share.entries()].filter(([, s]) => s.n > 0).map(([d, s]) => `${d}: ${((100 * s.neg) / s.n).toFixed(1)} % below zero`);
  const all = rows.length, neg = rows.filter((r) => r.v < 0).length;
  const spec = withBase({
    title: { text: `Share of points with ρ(x) < 0: ${((100 * neg) / all).toFixed(1)} % of ${all}`, subtitle: shares.join('; ') },
    data: { values: flagFirst(rows, 'dataset') },
    facet: { column: { field: 'dataset', type: 'nominal', title: 'dataset' } },
    spec: {
      width: 220,
      height: 180,
      layer: [
        {
          mark: { type: 'bar', opacity: 0.85 },
          encoding: {
            x: { field: 'v', type: 'quantitative', bin: { extent: [-1, 1], step: 0.1 }, title: 'local ρ(x)', axis: { values: [-1, -0.5, 0, 0.5, 1] } },
            y: { aggregate: 'count', type: 'quantitative', title: 'test points' },
            color: { field: 'arch', type: 'nominal', title: 'architecture' },
          },
        },
        { transform: FIRST_OF_PANEL, mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] }, encoding: { x: { datum: 0 } } },
      ],
    },
  });
  return {
    id: 'fig4a-local',
    number: '4a',
    title,
    caption:
      `Histogram (stacked by architecture) of the local coefficient ρ(x) = Pearson_l(S_l(x), η_l(x)) of every test point of every network ` +
      `(k = ${sel.k}, node curvature S_l = ${ok[0]?.config.analysis.node ?? 'mean'} of incident ${curvatureLabel(sel.curvature)} curvatures; ` +
      `η_l(x) = mean change of hop distance to its layer-l neighbours). Points with an unreachable neighbour have no ρ(x) and are left out. ` +
      `The dashed line is 0: points to its left evolve like Ricci flow.`,
    spec,
    svg: null,
  };
}

function layerCoefficients(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Layer coefficients r_l against depth';
  const rows: Array<{ dataset: string; arch: string; id: string; l: number; r: number }> = [];
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co) continue;
    co.layer.forEach((v, l) => num(v) && rows.push({ dataset: r.config.dataset, arch: archLabel(r), id: r.id, l, r: v }));
  }
  if (rows.length === 0) return skipped('fig4b-layer', '4b', title, `No layer coefficient r_l is defined at k = ${sel.k}.`);
  const x = { field: 'l', type: 'quantitative', title: 'layer l (transition l → l+1)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'r', type: 'quantitative', title: 'r_l (layer coefficient)', scale: { domain: [-1, 1] } };
  const spec = withBase({
    title: { text: `Dashed: depth-diagnostic threshold τ = ${sel.depthThreshold}`, subtitle: 'thin lines: networks; thick lines: mean per architecture' },
    data: { values: flagFirst(rows, 'dataset') },
    facet: { column: { field: 'dataset', type: 'nominal', title: 'dataset' } },
    spec: {
      width: 220,
      height: 200,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1, opacity: 0.35 },
          encoding: { x, y, color: { field: 'arch', type: 'nominal', title: 'architecture' }, detail: { field: 'id' } },
        },
        {
          mark: { type: 'line', strokeWidth: 2.5, point: true },
          encoding: { x, y: { ...y, aggregate: 'mean' }, color: { field: 'arch', type: 'nominal', title: 'architecture' } },
        },
        { transform: FIRST_OF_PANEL, mark: { type: 'rule', color: '#c0392b', strokeDash: [5, 4] }, encoding: { y: { datum: sel.depthThreshold } } },
        { transform: FIRST_OF_PANEL, mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
      ],
    },
  });
  return {
    id: 'fig4b-layer',
    number: '4b',
    title,
    caption:
      `r_l = Pearson over test points of (S_l(x), η_l(x)) for each transition l → l+1 (k = ${sel.k}), per network (thin) and its ` +
      `mean per architecture (thick). The dashed line is the depth diagnostic's threshold: a transition with r_l ≤ ${sel.depthThreshold} is ` +
      `strongly Ricci-flow-like; see the depth diagnostic table for where each network's first such run ends.`,
    spec,
    svg: null,
  };
}

// ---------------------------------------------------------------------------------------------
// 5. k sensitivity

function kSensitivity(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'k sensitivity: ρ against k';
  if (sel.ks.length < 2)
    return skipped('fig5-k', '5', title, `Only one k (${sel.ks.join(', ') || 'none'}) was analysed; run with several, e.g. --k 10,30,60, to draw this figure.`);
  const rows: Array<{ dataset: string; arch: string; k: number; rho: number }> = [];
  for (const r of ok)
    for (const K of r.byK) {
      const co = K.coefficients[sel.curvature];
      if (co && num(co.rho)) rows.push({ dataset: r.config.dataset, arch: archLabel(r), k: K.k, rho: co.rho });
    }
  if (rows.length === 0) return skipped('fig5-k', '5', title, 'No network has a defined ρ at any k.');
  const x = { field: 'k', type: 'quantitative', title: 'k (nearest neighbours)', scale: { zero: false, nice: false, padding: 12 } };
  const spec = withBase({
    title: { text: `ρ per network (points) and mean per dataset (lines), ${curvatureLabel(sel.curvature)} curvature`, subtitle: `k = ${sel.ks.join(', ')}` },
    data: { values: rows },
    width: 420,
    height: 280,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 30, opacity: 0.45 },
        encoding: {
          x,
          y: { field: 'rho', type: 'quantitative', title: 'ρ (global Ricci coefficient)', scale: { domain: [-1, 1] } },
          color: { field: 'dataset', type: 'nominal', title: 'dataset' },
          shape: { field: 'arch', type: 'nominal', title: 'architecture' },
        },
      },
      {
        mark: { type: 'line', strokeWidth: 2.5, point: { size: 50 } },
        encoding: { x, y: { field: 'rho', type: 'quantitative', aggregate: 'mean' }, color: { field: 'dataset', type: 'nominal' } },
      },
      { data: ONE_ROW, mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
    ],
  });
  return {
    id: 'fig5-k',
    number: '5',
    title,
    caption: `The global coefficient ρ of every network at each analysed k (kNN graphs rebuilt per k), and its mean per dataset. Networks whose graph is disconnected at some k have no ρ there.`,
    spec,
    svg: null,
  };
}

// ---------------------------------------------------------------------------------------------
// 6. 3-D projection of the test points

interface ProjectionPanel {
  title: string;
  points: Array<{ x: number; y: number; depth: number; cls: string }>;
  axes: Array<{ x: number; y: number; x2: number; y2: number; label: string }>;
}

/** A panel from a record's projected points (src/study/projection.ts: already in the view, rounded). */
function projectionPanel(title: string, p: ProjectedPoints, labels: readonly number[], axisNames: [string, string, string], view: ProjectionRecord['view']): ProjectionPanel {
  const pts = p.x
    .map((x, i) => ({ x, y: p.y[i]!, depth: p.depth[i]!, cls: `class ${labels[i]}` }))
    .sort((a, b) => a.depth - b.depth); // far points first: nearer points are drawn over them
  const axes = axisNames.map((label, j) => {
    const e = [0, 0, 0];
    e[j] = 1.15;
    const [x2, y2] = rotate(e[0]!, e[1]!, e[2]!, view);
    return { x: 0, y: 0, x2: round(x2), y2: round(y2), label };
  });
  return { title, points: pts, axes };
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

function panelSpec(p: ProjectionPanel): Record<string, unknown> {
  let r = 0;
  for (const q of p.points) r = Math.max(r, Math.abs(q.x), Math.abs(q.y));
  for (const a of p.axes) r = Math.max(r, Math.abs(a.x2), Math.abs(a.y2));
  r = Math.ceil(r * 1.08 * 100) / 100;
  const sx = { type: 'quantitative', scale: { domain: [-r, r], nice: false, zero: false }, axis: null };
  return {
    title: { text: p.title, fontSize: 12 },
    width: 260,
    height: 260,
    layer: [
      {
        data: { values: p.axes },
        mark: { type: 'rule', color: '#888', strokeWidth: 1 },
        encoding: { x: { field: 'x', ...sx }, y: { field: 'y', ...sx }, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values: p.axes },
        mark: { type: 'text', color: '#555', fontSize: 11, dx: 8, dy: -4 },
        encoding: { x: { field: 'x2', ...sx }, y: { field: 'y2', ...sx }, text: { field: 'label' } },
      },
      {
        data: { values: p.points },
        mark: { type: 'circle', size: 14, opacity: 0.75 },
        encoding: {
          x: { field: 'x', ...sx },
          y: { field: 'y', ...sx },
          color: { field: 'cls', type: 'nominal', title: 'class', scale: { domain: ['class 0', 'class 1'], range: ['#1f77b4', '#ff7f0e'] } },
        },
      },
    ],
  };
}

/**
 * Figure 6: the test points of the most accurate network of each 3-D dataset at the input and at
 * its last hidden layer, as its record stores them (`projection`, computed when it was trained).
 */
function projectionFigure(ok: readonly NetworkRecord[], options: FigureOptions): Figure {
  const id = 'fig6-projection', number = '6';
  const title = 'Test points in 3-D: input and a hidden layer';
  if (options.projection === false) return skipped(id, number, title, 'Disabled (--no-projection).');
  const threeD = ok.filter((r) => hasProjection(r.layerDims[0] ?? 0) && num(r.accuracy));
  if (threeD.length === 0)
    return skipped(id, number, title, 'No network of a synthetic 3-D dataset (A, B, C, syn3, syn4) in this results directory: nothing to draw in 3-D.');
  const byDataset = new Map<string, NetworkRecord>();
  for (const r of threeD) {
    if (!r.projection) continue;
    const best = byDataset.get(r.config.dataset);
    if (!best || r.accuracy! > best.accuracy! || (r.accuracy === best.accuracy && r.config.seed < best.config.seed)) byDataset.set(r.config.dataset, r);
  }
  if (byDataset.size === 0)
    return skipped(id, number, title, 'Unavailable: these records carry no projection (written before records stored it; re-run the networks to draw it). The report never re-trains.');
  const chosen = [...byDataset.values()].slice(0, options.projectionDatasets ?? 3);
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  for (const rec of chosen) {
    const c = rec.config;
    const p = rec.projection!;
    const L = rec.layerDims.length;
    const layer = p.layer;
    const width = rec.layerDims[layer]!;
    const share = p.explained ? ` — PC1–3: ${(100 * p.explained.reduce((s, v) => s + v, 0)).toFixed(0)} % of variance` : '';
    const kind = layer === L - 1 ? 'output' : 'hidden';
    const p0 = projectionPanel(`${c.dataset}: input X_0 (x₁, x₂, x₃)`, p.input, p.labels, ['x₁', 'x₂', 'x₃'], p.view);
    const p1 = projectionPanel(
      `${c.dataset}: ${kind} layer X_${layer} (${width}-D)${share}`,
      p.hidden,
      p.labels,
      width === 3 ? ['x₁', 'x₂', 'x₃'] : ['PC1', 'PC2', 'PC3'],
      p.view,
    );
    rows.push({ hconcat: [panelSpec(p0), panelSpec(p1)] });
    notes.push(`${c.dataset}: ${archLabel(rec)}, seed ${c.seed}, test accuracy ${rec.accuracy!.toFixed(4)}`);
  }
  const view = chosen[0]!.projection!.view;
  const spec = withBase({
    title: { text: `Oblique view: azimuth ${view.azimuth}°, elevation ${view.elevation}°`, subtitle: 'hidden layers projected on their first three principal components' },
    vconcat: rows,
    resolve: { scale: { color: 'shared' } },
  });
  return {
    id,
    number,
    title,
    caption:
      `For each 3-D synthetic dataset, its most accurate network's test points at the input and at its last hidden layer, coloured by class, ` +
      `as its record stores them (computed when the network was trained). Hidden layers are ` +
      `reduced to 3-D by principal components (covariance eigendecomposition); every cloud is centred, scaled by one factor and shown in a fixed ` +
      `oblique projection, nearer points drawn last. Networks: ${notes.join('; ')}.`,
    spec,
    svg: null,
  };
}

// ---------------------------------------------------------------------------------------------
// 7. Training trajectories

function trajectoryFigure(ok: readonly NetworkRecord[]): Figure {
  const title = 'Geometry-aware training: trajectories';
  const withT = ok.filter((r) => r.trajectory && r.trajectory.length > 0);
  if (withT.length === 0)
    return skipped('fig7-trajectory', '7', title, 'No record carries a training trajectory (train with the geometry callback to record one).');
  const rho: Record<string, unknown>[] = [];
  const acc: Record<string, unknown>[] = [];
  for (const r of withT) {
    const net = `${r.config.dataset} ${archLabel(r)} s${r.config.seed}`;
    for (const t of r.trajectory!) {
      if (num(t.localMean)) rho.push({ net, epoch: t.epoch, value: t.localMean });
      acc.push({ net, epoch: t.epoch, split: 'train', value: t.trainAccuracy });
      if (num(t.testAccuracy)) acc.push({ net, epoch: t.epoch, split: 'test (probe)', value: t.testAccuracy });
    }
  }
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } };
  const spec = withBase({
    vconcat: [
      {
        data: { values: rho },
        width: 460,
        height: 170,
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'mean local ρ(x)' }, color: { field: 'net', type: 'nominal', title: 'network' } },
      },
      {
        data: { values: acc },
        width: 460,
        height: 170,
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
          color: { field: 'net', type: 'nominal', title: 'network' },
          strokeDash: { field: 'split', type: 'nominal', title: 'split' },
        },
      },
    ],
  });
  return {
    id: 'fig7-trajectory',
    number: '7',
    title,
    caption:
      'Mean local ρ(x) on the held-out probe set, evaluated every N epochs during training (top), and train / probe accuracy at the same epochs (bottom).',
    spec,
    svg: null,
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Builds and renders every figure of a results directory's records. Figures that cannot be drawn
 * (no data of the kind they need) come back with `svg: null` and a `note`.
 */
export async function buildFigures(records: readonly NetworkRecord[], options: FigureOptions = {}): Promise<{ figures: Figure[]; selection: ReportSelection }> {
  const ok = records.filter((r) => r.status === 'ok');
  const sel = resolveSelection(records, options);
  const figures: Figure[] = [
    ...layerBoxplots(ok, sel),
    layerSkip(ok, sel),
    accuracyScatter(ok, sel),
    localDistribution(ok, sel),
    layerCoefficients(ok, sel),
    kSensitivity(ok, sel),
  ];
  figures.push(projectionFigure(ok, options));
  figures.push(trajectoryFigure(ok));
  for (const f of figures) if (f.spec) f.svg = await renderSvg(f.spec);
  return { figures, selection: sel };
}
