/** What `ricciflow reproduce` runs: the result types and each paper's plan of sweeps (docs/sweeps.md, "Reproducing the papers"). */

import { InvalidArgumentError } from '../core/errors.js';
import { FOLLOW_UP_LOADABLE, FOLLOW_UP_LOCAL, FOLLOW_UP_UNTRAINED_SETTINGS } from './published.js';
import { presetSweep } from './presets.js';
import { resolveSweep, type SweepSpec } from './sweep-spec.js';

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

/**
 * A built-in preset with some of its fields replaced, `replicates` in place of its seed list (seeds
 * 0 … R − 1), resolved again.
 */
function presetVariant(preset: 'seed-paper' | 'follow-up', changes: Partial<SweepSpec> & { replicates: number }): SweepSpec {
  return resolveSweep({ ...presetSweep(preset), ...changes, seeds: undefined });
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
  let local: SweepSpec = presetSweep('follow-up');
  if (o.quick) {
    local = presetVariant('follow-up', {
      name: 'follow-up-quick',
      description:
        "A faithful subset of the follow-up's local-coefficient tables: Fashion-MNIST 5v7 and Syn-I…IV at width 25 × depth 7, " +
        '2 replicates, with its recipe and analysis (full-batch Adam to 99 % training accuracy, k = 50, augmented Forman).',
      datasets: ['fashion-mnist:5v7', 'syn1', 'syn2', 'syn3', 'syn4'],
      architectures: ['w25'],
      depths: [7],
      replicates: o.replicates ?? 2,
    });
  } else if (o.replicates !== undefined) local = presetVariant('follow-up', { replicates: o.replicates });
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
    spec = presetVariant('seed-paper', {
      name: 'seed-paper-quick',
      description:
        "A faithful subset of the seed paper's study: A, B, C and Fashion-MNIST 5v9 × narrow, wide × depth 5 × 3 replicates, " +
        'its recipe (RMSprop, 50 epochs, batch 32) and R analysis (directed kNN, hidden layers, node sums, Forman) at k = 30 and 120.',
      datasets: ['A', 'B', 'C', 'fashion-mnist:5v9'],
      architectures: ['narrow', 'wide'],
      depths: [5],
      replicates: o.replicates ?? 3,
      k: [30, 120],
      data: { ...full.data, nTrain: 4000, nTest: 1000 },
    });
  else if (o.replicates !== undefined) spec = presetVariant('seed-paper', { replicates: o.replicates });
  const s = keepDatasets(spec, o.datasets);
  return s ? [{ name: 'seed', title: "The seed paper's accuracy study", spec: s, compare: 'seed' }] : [];
}

export function planFor(paper: PaperName, o: PlanOptions = {}): ReproductionPart[] {
  if (paper === 'follow-up') return followUpPlan(o);
  if (paper === 'seed-paper') return seedPlan(o);
  throw new InvalidArgumentError(`reproduce: unknown paper '${paper as string}' (expected ${PAPER_NAMES.join(' or ')})`, 'paper');
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
  const seed = presetVariant('seed-paper', {
    name: 'main-seed',
    description:
      "The seed paper's synthetic study: A, B, C × narrow, wide, bottleneck × depth 5 × 3 replicates; its recipe (RMSprop, " +
      '50 epochs, batch 32) on 2,000 training points; its R analysis (directed kNN, hidden layers, node sums, Forman) at k = 30 and 120 on 1,000 test points.',
    datasets: ['A', 'B', 'C'],
    architectures: ['narrow', 'wide', 'bottleneck'],
    depths: [5],
    replicates: 3,
    k: [30, 120],
    data: { dataSeed: 0, nTrain: 2000, nTest: 1000, scale: 'raw' },
  });
  const follow = presetVariant('follow-up', {
    name: 'main-follow-up',
    description:
      "The follow-up's Fashion-MNIST 5 vs 7 cells at width 25 × depths 7 and 15, one network each: full-batch Adam to 99 % training " +
      'accuracy (≤ 20,000 epochs), PyTorch init, pixels in [0,1], the whole training split, 500 test images per class; k = 50, augmented Forman.',
    datasets: ['fashion-mnist:5v7'],
    architectures: ['w25'],
    depths: [7, 15],
    replicates: 1,
    data: { dataSeed: 0, scale: 'unit', balanced: 500 },
  });
  return [
    { name: 'seed', title: "The seed paper's synthetic study (A, B, C)", spec: seed, compare: 'seed' },
    { name: 'follow-up', title: "The follow-up's Fashion-MNIST 5 vs 7 cells", spec: follow, compare: 'local' },
  ];
}
