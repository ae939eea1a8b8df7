/**
 * `ricciflow reproduce`: run each paper's experiments with that paper's recipe and analysis
 * settings (through the resumable sweep runner, one sweep directory per experiment) and put our
 * numbers beside the published ones (src/study/published.ts), cell by cell.
 *
 * A comparison row holds our value (with its spread over replicates where the paper gives one),
 * the published value and spread, the difference and whether it lies within the band
 * max(0.1, 2 × published spread) (docs/sweeps.md, "Reproducing the papers"). Cells that could not
 * be computed (a dataset that does not load, a failed network) stay in the table with no value
 * and the reason.
 */
import { join } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import type { CurvatureName } from '../analysis/geometry.js';
import { loadStudyDataset, parseImagePair } from './datasets.js';
import {
  comparisonBand,
  FOLLOW_UP_LOADABLE,
  FOLLOW_UP_LOCAL,
  FOLLOW_UP_LOCAL_SETTINGS,
  FOLLOW_UP_UNTRAINED,
  FOLLOW_UP_UNTRAINED_SETTINGS,
  SEED_PUBLISHED,
  SEED_SETTINGS,
  publishedLocalCell,
} from './published.js';
import { describeTraining, uniformWidth } from './recipe-spec.js';
import { accuracyStatistics } from './statistics.js';
import { presetSweep, readResultsDir, resolveSweep, runSweep, sweepConfigs, type SweepRunResult, type SweepSpec } from './sweep.js';
import type { NetworkConfig, NetworkRecord } from './types.js';

export type PaperName = 'follow-up' | 'seed-paper';
export const PAPER_NAMES: readonly PaperName[] = ['follow-up', 'seed-paper'];

/** One experiment of a reproduction: a sweep computed into `OUT/<name>/`. */
export interface ReproductionPart {
  name: string;
  /** What the part reproduces (printed, and in the report). */
  title: string;
  spec: SweepSpec;
  /** How rows are computed from this part's records. */
  compare: 'local' | 'untrained' | 'seed';
}

export interface ReproductionRow {
  paper: 'follow-up' | 'seed';
  experiment: string;
  dataset: string;
  /** Grid cell or setting, e.g. "w25 d7" or "k = 30". */
  setting: string;
  metric: string;
  ours: number | null;
  /** Population s.d. over our replicates (as the follow-up's np.std), when the metric has one. */
  oursSpread: number | null;
  /** Networks behind our value. */
  networks: number;
  published: number | null;
  publishedSpread: number | null;
  difference: number | null;
  band: number | null;
  /** |difference| ≤ band; for sign/majority observations, whether they agree; null when not comparable. */
  within: boolean | null;
  source: string;
  /** Where our data came from (image directory or "generated"), per cell. */
  dataSource: string;
  note: string;
}

export interface ReproductionPartSummary {
  name: string;
  title: string;
  dir: string;
  grid: number;
  ok: number;
  failed: number;
  missing: number;
  errors: string[];
  training: string;
  seconds: number;
  /** Epochs actually run per network (stop rule), when recorded. */
  epochs: { min: number; median: number; max: number } | null;
  /** Mean wall seconds per network: training (per network of a cell) and analysis. */
  trainSeconds: number | null;
  analysisSeconds: number | null;
}

export interface ReproductionTable {
  format: 'ricciflow-reproduction/1';
  paper: PaperName | 'main';
  quick: boolean;
  title: string;
  parts: ReproductionPartSummary[];
  rows: ReproductionRow[];
  seconds: number;
  generatedAt: string;
}

// ---------------------------------------------------------------------------------------------
// plans

export interface PlanOptions {
  quick?: boolean;
  /** Keep only these datasets (a smaller faithful slice, e.g. for a test). */
  datasets?: readonly string[];
  /** Replicates per cell (default: the paper's, or the quick plan's). */
  replicates?: number;
}

function keepDatasets(spec: SweepSpec, only: readonly string[] | undefined): SweepSpec | null {
  if (!only) return spec;
  const datasets = spec.datasets.filter((d) => only.includes(d));
  if (datasets.length === 0) return null;
  const noise = spec.data.noise;
  const data = { ...spec.data };
  if (noise !== undefined && typeof noise === 'object') {
    const kept = Object.fromEntries(Object.entries(noise).filter(([d]) => datasets.includes(d)));
    if (Object.keys(kept).length) data.noise = kept;
    else delete data.noise;
  }
  return resolveSweep({ ...spec, datasets, data });
}

/** The follow-up's untrained-network experiment (its untrained_networks notebook) as a sweep. */
function untrainedSpec(networks: number): SweepSpec {
  const u = FOLLOW_UP_UNTRAINED_SETTINGS;
  return resolveSweep({
    name: 'follow-up-untrained',
    description:
      "The follow-up's untrained networks: Syn-I…IV, width 25 × depth 10, PyTorch init, no training; global coefficient " +
      '(Forman, layer totals, all layers) and mean local coefficient (exact Ollivier, α = 0) at k = 50 on 1,000 points.',
    datasets: ['syn1', 'syn2', 'syn3', 'syn4'],
    architectures: [`w${u.width}`],
    depths: [u.depth],
    replicates: networks,
    k: [u.k],
    curvatures: ['forman', 'ollivier'],
    mode: 'union',
    layers: 'all',
    node: 'mean',
    alpha: u.alpha,
    training: { recipe: 'follow-up', maxEpochs: 0 },
    // The training split is not used (no training step runs); the test draw is the analysed cloud.
    data: { nTrain: 2, nTest: u.n, noise: { syn1: u.syn1Noise } },
    keepLocal: false,
  });
}

/** The follow-up's experiments: its local-coefficient tables and its untrained networks. */
export function followUpPlan(o: PlanOptions = {}): ReproductionPart[] {
  const full = presetSweep('follow-up');
  let local: SweepSpec = full;
  if (o.quick) {
    local = resolveSweep({
      ...full,
      name: 'follow-up-quick',
      description:
        "A faithful subset of the follow-up's local-coefficient tables: Fashion-MNIST 5v7 and Syn-I…IV at width 25 × depth 7, " +
        '2 replicates, with its recipe and analysis (full-batch Adam to 99 % training accuracy, k = 50, augmented Forman).',
      datasets: ['fashion-mnist:5v7', 'syn1', 'syn2', 'syn3', 'syn4'],
      architectures: ['w25'],
      depths: [7],
      replicates: o.replicates ?? 2,
      seeds: undefined,
    });
  } else if (o.replicates !== undefined) local = resolveSweep({ ...full, replicates: o.replicates, seeds: undefined });
  const parts: ReproductionPart[] = [];
  const l = keepDatasets(local, o.datasets);
  if (l) parts.push({ name: 'local', title: "Local Ricci coefficients (the follow-up's Section 4.1 tables)", spec: l, compare: 'local' });
  const u = keepDatasets(untrainedSpec(o.replicates ?? (o.quick ? 2 : FOLLOW_UP_UNTRAINED_SETTINGS.networks)), o.datasets);
  if (u) parts.push({ name: 'untrained', title: "Untrained networks (the follow-up's appendix A.1.1)", spec: u, compare: 'untrained' });
  return parts;
}

/** The seed paper's study, or a faithful subset of it. */
export function seedPlan(o: PlanOptions = {}): ReproductionPart[] {
  const full = presetSweep('seed-paper');
  let spec: SweepSpec = full;
  if (o.quick)
    spec = resolveSweep({
      ...full,
      name: 'seed-paper-quick',
      description:
        "A faithful subset of the seed paper's study: A, B, C and Fashion-MNIST 5v9 × narrow, wide × depth 5 × 3 replicates, " +
        'its recipe (RMSprop, 50 epochs, batch 32) and R analysis (directed kNN, hidden layers, node sums, Forman) at k = 30 and 120.',
      datasets: ['A', 'B', 'C', 'fashion-mnist:5v9'],
      architectures: ['narrow', 'wide'],
      depths: [5],
      replicates: o.replicates ?? 3,
      seeds: undefined,
      k: [30, 120],
      data: { ...full.data, nTrain: 4000, nTest: 1000 },
    });
  else if (o.replicates !== undefined) spec = resolveSweep({ ...full, replicates: o.replicates, seeds: undefined });
  const s = keepDatasets(spec, o.datasets);
  return s ? [{ name: 'seed', title: "The seed paper's accuracy study", spec: s, compare: 'seed' }] : [];
}

export function planFor(paper: PaperName, o: PlanOptions = {}): ReproductionPart[] {
  if (paper === 'follow-up') return followUpPlan(o);
  if (paper === 'seed-paper') return seedPlan(o);
  throw new InvalidArgumentError(`reproduce: unknown paper '${paper as string}' (expected ${PAPER_NAMES.join(' or ')})`, 'paper');
}

// ---------------------------------------------------------------------------------------------
// comparisons

const mean = (v: readonly number[]): number | null => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
/** Population standard deviation (ddof 0), as numpy's np.std the follow-up uses. */
function popSd(v: readonly number[]): number | null {
  const m = mean(v);
  if (m === null) return null;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
}

function row(r: Omit<ReproductionRow, 'difference' | 'band' | 'within'> & { band?: number | null; within?: boolean | null }): ReproductionRow {
  const difference = r.ours !== null && r.published !== null ? r.ours - r.published : null;
  const band = r.band !== undefined ? r.band : r.publishedSpread !== null ? comparisonBand(r.publishedSpread) : null;
  const within = r.within !== undefined ? r.within : difference !== null && band !== null ? Math.abs(difference) <= band + 1e-12 : null;
  return { ...r, difference, band, within };
}

function coefficient(r: NetworkRecord, k: number, curvature: CurvatureName) {
  return r.byK.find((K) => K.k === k)?.coefficients[curvature];
}

function cellLabel(c: NetworkConfig): string {
  const w = uniformWidth(c.architecture);
  return w !== null ? `w${w} d${c.depth}` : `${c.architecture} d${c.depth}`;
}

/** Per dataset: where its data came from (resolved once per dataset of a part). */
async function dataSources(spec: SweepSpec, dataDir?: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const configs = sweepConfigs(spec);
  for (const d of spec.datasets) {
    if (!parseImagePair(d)) {
      out.set(d, 'generated (seeded)');
      continue;
    }
    const c = configs.find((x) => x.dataset === d)!;
    try {
      const data = (await loadStudyDataset(c, dataDir !== undefined ? { dataDir } : {})) as unknown as Record<string, unknown>;
      const source = typeof data.source === 'string' ? data.source : 'unknown';
      out.set(d, typeof data.dir === 'string' ? `${source}: ${data.dir}` : source);
    } catch (err) {
      out.set(d, `not loaded: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}

/** The follow-up's local-coefficient cells: ours beside each published cell of the sweep's grid. */
export function compareLocal(records: readonly NetworkRecord[], spec: SweepSpec, sources: Map<string, string>): ReproductionRow[] {
  const k = FOLLOW_UP_LOCAL_SETTINGS.k, curvature = FOLLOW_UP_LOCAL_SETTINGS.curvature as CurvatureName;
  const rows: ReproductionRow[] = [];
  const byCell = new Map<string, NetworkRecord[]>();
  for (const r of records) {
    const key = `${r.config.dataset}|${r.config.architecture}|${r.config.depth}`;
    (byCell.get(key) ?? byCell.set(key, []).get(key)!).push(r);
  }
  const settingsNote = spec.k.includes(k) && spec.curvatures.includes(curvature) ? '' : `not analysed at k = ${k} with ${curvature}`;
  for (const dataset of spec.datasets)
    for (const arch of spec.architectures)
      for (const depth of spec.depths) {
        const width = uniformWidth(arch);
        const pub = width !== null ? publishedLocalCell(dataset, width, depth) : undefined;
        if (!pub) continue;
        const recs = byCell.get(`${dataset}|${arch}|${depth}`) ?? [];
        const ok = recs.filter((r) => r.status === 'ok');
        const means: number[] = [], shares: number[] = [];
        for (const r of ok) {
          const co = coefficient(r, k, curvature);
          if (co?.localMean !== null && co?.localMean !== undefined) means.push(co.localMean);
          if (co?.localShareNegative !== null && co?.localShareNegative !== undefined) shares.push(co.localShareNegative);
        }
        const failed = recs.filter((r) => r.status !== 'ok');
        const notes: string[] = [];
        if (settingsNote) notes.push(settingsNote);
        const expected = spec.seeds.length;
        if (recs.length < expected) notes.push(`${expected - recs.length} of ${expected} networks not computed`);
        if (failed.length) notes.push(`${failed.length} failed: ${failed[0]!.error ?? ''}`.slice(0, 160));
        if (ok.length > means.length) notes.push(`${ok.length - means.length} network(s) without a defined mean local ρ`);
        const stopped = ok.map((r) => r.stoppedEpoch ?? r.epochsTrained).filter((x): x is number => typeof x === 'number');
        const capped = ok.filter((r) => r.config.training.stopAtTrainAccuracy !== undefined && (r.stoppedEpoch ?? r.epochsTrained) === r.config.training.maxEpochs).length;
        if (stopped.length) notes.push(`epochs ${Math.min(...stopped)}–${Math.max(...stopped)}${capped ? ` (${capped} reached the cap)` : ''}`);
        const accs = ok.map((r) => r.accuracy).filter((x): x is number => typeof x === 'number');
        if (accs.length) notes.push(`test acc ${mean(accs)!.toFixed(3)}`);
        const common = { paper: 'follow-up' as const, experiment: 'local coefficients', dataset, setting: `w${width} d${depth}`, dataSource: sources.get(dataset) ?? '', note: notes.join('; ') };
        rows.push(
          row({ ...common, metric: 'mean local ρ', ours: mean(means), oursSpread: popSd(means), networks: means.length, published: pub.meanLocalRho, publishedSpread: pub.spread, source: pub.source }),
        );
        rows.push(
          row({
            ...common, metric: 'share ρ(x) < 0', ours: mean(shares), oursSpread: popSd(shares), networks: shares.length, published: pub.shareNegative, publishedSpread: null,
            band: null, within: null, source: pub.source, note: '',
          }),
        );
      }
  return rows;
}

/**
 * The depth observation: per (dataset, width) with both depths 7 and 15 computed, whether the
 * depth-15 mean local ρ is below the depth-7 one — ours beside the published tables' count.
 */
export function compareDepth(localRows: readonly ReproductionRow[]): ReproductionRow[] {
  const rhoRows = localRows.filter((r) => r.metric === 'mean local ρ');
  const pairs = new Map<string, { d7?: ReproductionRow; d15?: ReproductionRow }>();
  for (const r of rhoRows) {
    const m = /^w(\d+) d(\d+)$/.exec(r.setting);
    if (!m || (m[2] !== '7' && m[2] !== '15')) continue;
    const key = `${r.dataset}|${m[1]}`;
    const p = pairs.get(key) ?? {};
    if (m[2] === '7') p.d7 = r;
    else p.d15 = r;
    pairs.set(key, p);
  }
  let oursN = 0, oursDeeper = 0, pubN = 0, pubDeeper = 0;
  for (const p of pairs.values()) {
    if (!p.d7 || !p.d15) continue;
    pubN++;
    if (p.d15.published! < p.d7.published!) pubDeeper++;
    if (p.d7.ours !== null && p.d15.ours !== null) {
      oursN++;
      if (p.d15.ours < p.d7.ours) oursDeeper++;
    }
  }
  if (pubN === 0) return [];
  const ours = oursN ? oursDeeper / oursN : null, published = pubDeeper / pubN;
  return [
    row({
      paper: 'follow-up', experiment: 'depth observation', dataset: 'all computed', setting: 'depth 15 vs 7', metric: 'share of (dataset, width) with lower ρ at depth 15',
      ours, oursSpread: null, networks: oursN, published, publishedSpread: null, band: null,
      within: ours === null ? null : ours > 0.5 === published > 0.5,
      source: 'derived from the published local tables (local_ricci_coefficients.ipynb)', dataSource: '',
      note: `ours ${oursDeeper} of ${oursN} pairs, published ${pubDeeper} of ${pubN} (same pairs); agreement = same majority`,
    }),
  ];
}

/** The follow-up's untrained networks: global and mean local coefficients per synthetic set. */
export function compareUntrained(records: readonly NetworkRecord[], spec: SweepSpec): ReproductionRow[] {
  const u = FOLLOW_UP_UNTRAINED_SETTINGS;
  const rows: ReproductionRow[] = [];
  for (const pub of FOLLOW_UP_UNTRAINED) {
    if (!spec.datasets.includes(pub.dataset)) continue;
    const ok = records.filter((r) => r.status === 'ok' && r.config.dataset === pub.dataset);
    // As the notebook: a network with a disconnected graph does not count (it redrew one).
    const defined = ok.filter((r) => coefficient(r, u.k, 'forman')?.rho !== null && coefficient(r, u.k, 'forman')?.rho !== undefined);
    const globals = defined.map((r) => coefficient(r, u.k, 'forman')!.rho!);
    const locals = defined.map((r) => coefficient(r, u.k, 'ollivier')?.localMean).filter((x): x is number => typeof x === 'number');
    const skipped = ok.length - defined.length;
    const note = `${defined.length} of ${ok.length} networks connected${skipped ? ` (published: ${pub.retries} redrawn)` : ''}; one data draw, ${spec.seeds.length} initialisations (the notebook redrew the data per network)`;
    const common = { paper: 'follow-up' as const, experiment: 'untrained networks', dataset: pub.dataset, setting: `w${u.width} d${u.depth}`, dataSource: 'generated (seeded)', source: pub.source };
    rows.push(row({ ...common, metric: 'global ρ (Forman), mean', ours: mean(globals), oursSpread: popSd(globals), networks: globals.length, published: pub.global.mean, publishedSpread: pub.global.std, note }));
    rows.push(
      row({
        ...common, metric: 'share of networks with global ρ < 0', ours: globals.length ? globals.filter((x) => x < 0).length / globals.length : null, oursSpread: null, networks: globals.length,
        published: pub.global.negative / pub.networks, publishedSpread: null, band: 0.1 + 1e-9, note: `published ${pub.global.negative} of ${pub.networks}`,
      }),
    );
    rows.push(row({ ...common, metric: 'mean local ρ (Ollivier α = 0), mean', ours: mean(locals), oursSpread: popSd(locals), networks: locals.length, published: pub.local.mean, publishedSpread: pub.local.std, note: '' }));
  }
  return rows;
}

/** The seed paper's statistics: per k, exclusions, shares of negative ρ, Spearman(ρ, accuracy), pooled aa2 / aa. */
export function compareSeed(records: readonly NetworkRecord[], spec: SweepSpec, sources: Map<string, string>): ReproductionRow[] {
  const rows: ReproductionRow[] = [];
  const pub = (id: string) => SEED_PUBLISHED.find((p) => p.id === id)!;
  const threshold = SEED_SETTINGS.threshold;
  for (const k of spec.k) {
    const s = accuracyStatistics(records, { threshold, k, curvature: 'forman' });
    const setting = `k = ${k}`;
    const base = { paper: 'seed' as const, setting, dataSource: '' };
    const analysed = records.filter((r) => r.status === 'ok' && r.accuracy !== null && r.accuracy > threshold).length;
    const disc = s.counts.excluded['disconnected layer'];
    const analysedPub = pub('analysed').value!, excludedPub = pub('excluded-disconnected').value!;
    rows.push(
      row({
        ...base, experiment: 'exclusions', dataset: 'all', metric: 'share excluded for a disconnected graph (of networks above 0.98)',
        ours: analysed ? disc / analysed : null, oursSpread: null, networks: analysed, published: excludedPub / analysedPub, publishedSpread: null, band: null, within: null,
        source: pub('excluded-disconnected').source, note: `ours ${disc} of ${analysed}; published ${excludedPub} of ${analysedPub} (their grid, k not stated): not comparable cell for cell`,
      }),
    );
    rows.push(
      row({
        ...base, experiment: 'accuracy association', dataset: 'all', metric: 'Spearman(ρ, accuracy), networks above 0.98',
        ours: s.overall.rho.spearman.r, oursSpread: null, networks: s.overall.rho.spearman.n, published: null, publishedSpread: null, band: null,
        within: s.overall.rho.spearman.r === null ? null : s.overall.rho.spearman.r < 0,
        source: `${pub('spearman').source}; sign: ${pub('spearman-sign').source}`,
        note: `p = ${s.overall.rho.spearman.p === null ? '—' : s.overall.rho.spearman.p.toPrecision(2)}; agreement = negative, as the paper's claim (its value was not available)`,
      }),
    );
    for (const [dataset, g] of Object.entries(s.byDataset)) {
      const retained = g.n;
      const neg = records.filter((r) => r.config.dataset === dataset && r.status === 'ok' && r.accuracy !== null && r.accuracy > threshold)
        .map((r) => coefficient(r, k, 'forman')?.rho).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      rows.push(
        row({
          ...base, experiment: 'negative ρ', dataset, metric: 'share of well-trained networks with ρ < 0', dataSource: sources.get(dataset) ?? '',
          ours: neg.length ? neg.filter((x) => x < 0).length / neg.length : null, oursSpread: null, networks: retained,
          published: null, publishedSpread: null, band: null, within: null, source: pub('share-negative').source, note: `mean ρ ${g.meanRho === null ? '—' : g.meanRho.toFixed(3)}`,
        }),
      );
    }
    for (const d of spec.datasets)
      if (!s.byDataset[d])
        rows.push(
          row({
            ...base, experiment: 'negative ρ', dataset: d, metric: 'share of well-trained networks with ρ < 0', dataSource: sources.get(d) ?? '', ours: null, oursSpread: null, networks: 0,
            published: null, publishedSpread: null, band: null, within: null, source: pub('share-negative').source, note: 'no network above 0.98 with a defined ρ',
          }),
        );
    rows.push(
      row({
        ...base, experiment: 'pooled correlations', dataset: 'all', metric: 'aa2: pooled layer-skip Pearson(g_l − g_{l−1}, Ric_{l−1})',
        ours: s.layerSkip.r, oursSpread: null, networks: s.layerSkip.networks, published: null, publishedSpread: null, band: null, within: null, source: pub('aa2').source,
        note: `${s.layerSkip.n} layer pairs; p = ${s.layerSkip.p === null ? '—' : s.layerSkip.p.toPrecision(2)}`,
      }),
    );
    rows.push(
      row({
        ...base, experiment: 'pooled correlations', dataset: 'all', metric: "aa: the seed script's same-layer Pearson(g_l − g_{l−1}, Ric_l) (not a Ricci-flow coefficient)",
        ours: s.sameLayer.r, oursSpread: null, networks: s.sameLayer.networks, published: null, publishedSpread: null, band: null, within: null, source: pub('aa2').source,
        note: `${s.sameLayer.n} layer pairs; beside aa2 for comparison with the seed R script's output only`,
      }),
    );
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// running

export interface ReproduceOptions {
  outDir: string;
  workers?: number;
  threads?: number;
  dataDir?: string;
  /** Keep each network's weights (runSweep's saveWeights: `<part dir>/weights/<record id>.npz`). */
  saveWeights?: boolean;
  signal?: AbortSignal;
  warn?: (m: string) => void;
  onPart?: (part: ReproductionPart, index: number, count: number) => void;
  onStart?: (info: { grid: number; skipped: number; todo: number }) => void;
  onRecord?: Parameters<typeof runSweep>[0]['onRecord'];
  onPartDone?: (part: ReproductionPart, result: SweepRunResult) => void;
}

function summarisePart(part: ReproductionPart, dir: string, records: readonly NetworkRecord[], result: SweepRunResult | null): ReproductionPartSummary {
  const ok = records.filter((r) => r.status === 'ok');
  const epochs = ok.map((r) => r.stoppedEpoch ?? r.epochsTrained).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
  const grid = sweepConfigs(part.spec).length;
  return {
    name: part.name,
    title: part.title,
    dir,
    grid,
    ok: ok.length,
    failed: records.length - ok.length,
    missing: grid - records.length,
    errors: result ? result.errors.map((e) => `${e.message} (${e.networks} network(s))`) : [],
    training: describeTraining(part.spec.training),
    seconds: result?.seconds ?? 0,
    epochs: epochs.length ? { min: epochs[0]!, median: epochs[Math.floor(epochs.length / 2)]!, max: epochs[epochs.length - 1]! } : null,
    trainSeconds: mean(ok.map((r) => r.trainSeconds).filter((x): x is number => typeof x === 'number')),
    analysisSeconds: mean(ok.map((r) => r.analysisSeconds).filter((x): x is number => typeof x === 'number')),
  };
}

/** Rows of one part from its records. */
export async function compareRecords(part: ReproductionPart, records: readonly NetworkRecord[], dataDir?: string): Promise<ReproductionRow[]> {
  if (part.compare === 'untrained') return compareUntrained(records, part.spec);
  const sources = await dataSources(part.spec, dataDir);
  if (part.compare === 'seed') return compareSeed(records, part.spec, sources);
  const local = compareLocal(records, part.spec, sources);
  return [...local, ...compareDepth(local)];
}

/**
 * Runs (or continues) every part into `OUT/<part>/` and builds the comparison table. Parts already
 * complete are only read. Interrupted (signal): the table holds what was computed.
 */
export async function runReproduction(paper: ReproductionTable['paper'], parts: readonly ReproductionPart[], o: ReproduceOptions, quick = false): Promise<ReproductionTable> {
  const t0 = Date.now();
  const summaries: ReproductionPartSummary[] = [];
  const rows: ReproductionRow[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const dir = join(o.outDir, part.name);
    o.onPart?.(part, i, parts.length);
    let result: SweepRunResult | null = null;
    if (!o.signal?.aborted) {
      result = await runSweep({
        spec: part.spec,
        outDir: dir,
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        ...(o.threads !== undefined ? { threads: o.threads } : {}),
        ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
        ...(o.saveWeights ? { saveWeights: true } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.warn ? { warn: o.warn } : {}),
        onStart: (s) => o.onStart?.({ grid: s.shardNetworks, skipped: s.skipped, todo: s.todo }),
        ...(o.onRecord ? { onRecord: o.onRecord } : {}),
      });
      o.onPartDone?.(part, result);
    }
    const { records } = await readResultsDir(dir, o.warn).catch(() => ({ records: [] as NetworkRecord[] }));
    summaries.push(summarisePart(part, dir, records, result));
    rows.push(...(await compareRecords(part, records, o.dataDir)));
  }
  const titles: Record<ReproductionTable['paper'], string> = {
    'follow-up': 'Hehl, von Renesse, Weber 2025 (arXiv 2509.22362): local Ricci coefficients and untrained networks',
    'seed-paper': 'Baptista et al. 2024 (Sci. Rep. 14:23383): the accuracy study',
    main: 'The main job: a short faithful reproduction of both papers',
  };
  return { format: 'ricciflow-reproduction/1', paper, quick, title: titles[paper], parts: summaries, rows, seconds: (Date.now() - t0) / 1000, generatedAt: new Date().toISOString() };
}

// ---------------------------------------------------------------------------------------------
// output

export const REPRODUCTION_CSV_COLUMNS = [
  'paper', 'experiment', 'dataset', 'setting', 'metric', 'ours', 'ours_spread', 'networks', 'published', 'published_spread',
  'difference', 'band', 'within', 'source', 'data_source', 'note',
] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toPrecision(6)) : '') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reproductionCsv(t: ReproductionTable): string {
  const lines = [REPRODUCTION_CSV_COLUMNS.join(',')];
  for (const r of t.rows)
    lines.push(
      [r.paper, r.experiment, r.dataset, r.setting, r.metric, r.ours, r.oursSpread, r.networks, r.published, r.publishedSpread, r.difference, r.band, r.within === null ? '' : r.within ? 'yes' : 'no', r.source, r.dataSource, r.note]
        .map(csvCell)
        .join(','),
    );
  return lines.join('\n') + '\n';
}

const f3 = (v: number | null): string => (v === null ? '—' : v.toFixed(3));
const signed = (v: number | null): string => (v === null ? '—' : (v >= 0 ? '+' : '') + v.toFixed(3));

/** Counts of comparable rows within their band. */
export function bandSummary(t: ReproductionTable, metric?: string): { within: number; comparable: number; cells: number } {
  const rows = t.rows.filter((r) => (metric === undefined || r.metric === metric) && r.published !== null);
  const comparable = rows.filter((r) => r.within !== null);
  return { within: comparable.filter((r) => r.within).length, comparable: comparable.length, cells: rows.length };
}

/** The printed table (plain text). */
export function formatReproduction(t: ReproductionTable): string {
  const out: string[] = [`${t.title}${t.quick ? ' — quick subset' : ''}`];
  for (const p of t.parts) {
    const ep = p.epochs ? `; epochs ${p.epochs.min}/${p.epochs.median}/${p.epochs.max} (min/median/max)` : '';
    out.push(
      `  ${p.name}: ${p.ok} of ${p.grid} networks ok${p.failed ? `, ${p.failed} failed` : ''}${p.missing ? `, ${p.missing} missing` : ''}; ${p.training}${ep}` +
        `${p.trainSeconds !== null ? `; ${p.trainSeconds.toFixed(1)} s training + ${p.analysisSeconds?.toFixed(1) ?? '—'} s analysis per network` : ''}`,
    );
    for (const e of p.errors) out.push(`    not computed: ${e}`);
  }
  const header = ['experiment', 'dataset', 'setting', 'metric', 'ours', '± (n)', 'published', '±', 'diff', 'band', 'within', 'data'];
  const widths = header.map((h) => h.length);
  const cells = t.rows.map((r) => [
    r.experiment, r.dataset, r.setting, r.metric, f3(r.ours), r.oursSpread !== null ? `${f3(r.oursSpread)} (${r.networks})` : `(${r.networks})`,
    f3(r.published), r.publishedSpread !== null ? f3(r.publishedSpread) : '', signed(r.difference), r.band !== null ? f3(r.band) : '',
    r.within === null ? '' : r.within ? 'yes' : 'NO', r.dataSource.length > 40 ? r.dataSource.slice(0, 39) + '…' : r.dataSource,
  ]);
  for (const c of cells) c.forEach((x, j) => (widths[j] = Math.max(widths[j]!, x.length)));
  const line = (c: string[]): string => c.map((x, j) => (j >= 4 && j <= 10 ? x.padStart(widths[j]!) : x.padEnd(widths[j]!))).join('  ').trimEnd();
  out.push('', line(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) out.push(line(c));
  const rho = bandSummary(t, 'mean local ρ');
  if (rho.cells) out.push('', `Mean local ρ within max(0.1, 2 × published spread): ${rho.within} of ${rho.comparable} cells with our value (${rho.cells} published cells in this grid).`);
  const notes = t.rows.filter((r) => r.note && (r.within === false || r.ours === null || r.experiment !== 'local coefficients'));
  if (notes.length) {
    out.push('', 'Notes:');
    for (const r of notes) out.push(`  ${r.experiment} ${r.dataset} ${r.setting} (${r.metric}): ${r.note}`);
  }
  out.push('', `Sources: every published value names its paper table or notebook cell in the CSV's source column (src/study/published.ts).`);
  return out.join('\n');
}

/** Every published local cell this plan compares, for the "how many can we load" count. */
export function loadableLocalCells(): number {
  return FOLLOW_UP_LOCAL.filter((c) => (FOLLOW_UP_LOADABLE as readonly string[]).includes(c.dataset)).length;
}

/**
 * The main job (`ricciflow run` with no options): a short faithful reproduction of both papers.
 * - `follow-up`: Fashion-MNIST 5 vs 7 at width 25 × depths 7 and 15, one network each, with the
 *   follow-up's recipe and analysis (k = 50, augmented Forman): two published cells. (Its full-batch
 *   training on the 12,000 training images takes 300–400 epochs, most of the job's time; the
 *   paper's 3 replicates are `ricciflow reproduce follow-up`.)
 * - `seed`: the seed paper's synthetic study, A, B, C × narrow / wide / bottleneck × depth 5 ×
 *   3 replicates with its recipe, analysed with its R recipe (directed kNN, hidden layers, node
 *   sums, Forman) at k = 30 and 120 on 1,000 test points.
 */
export function mainPlan(): ReproductionPart[] {
  const seedFull = presetSweep('seed-paper');
  const seed = resolveSweep({
    ...seedFull,
    name: 'main-seed',
    description:
      "The seed paper's synthetic study: A, B, C × narrow, wide, bottleneck × depth 5 × 3 replicates; its recipe (RMSprop, " +
      '50 epochs, batch 32) on 2,000 training points; its R analysis (directed kNN, hidden layers, node sums, Forman) at k = 30 and 120 on 1,000 test points.',
    datasets: ['A', 'B', 'C'],
    architectures: ['narrow', 'wide', 'bottleneck'],
    depths: [5],
    replicates: 3,
    seeds: undefined,
    k: [30, 120],
    data: { dataSeed: 0, nTrain: 2000, nTest: 1000, scale: 'raw' },
  });
  const followFull = presetSweep('follow-up');
  const follow = resolveSweep({
    ...followFull,
    name: 'main-follow-up',
    description:
      "The follow-up's Fashion-MNIST 5 vs 7 cells at width 25 × depths 7 and 15, one network each: full-batch Adam to 99 % training " +
      'accuracy (≤ 20,000 epochs), PyTorch init, pixels in [0,1], the whole training split, 500 test images per class; k = 50, augmented Forman.',
    datasets: ['fashion-mnist:5v7'],
    architectures: ['w25'],
    depths: [7, 15],
    replicates: 1,
    seeds: undefined,
    data: { dataSeed: 0, scale: 'unit', balanced: 500 },
  });
  return [
    { name: 'seed', title: "The seed paper's synthetic study (A, B, C)", spec: seed, compare: 'seed' },
    { name: 'follow-up', title: "The follow-up's Fashion-MNIST 5 vs 7 cells", spec: follow, compare: 'local' },
  ];
}
