/**
 * Sweeps: a grid of networks described by a JSON file (or a built-in preset), computed into a
 * results directory that survives being killed at any moment, split deterministically into shards
 * for job arrays, and merged back.
 *
 * Layout of a sweep directory:
 * - `sweep.json`: the resolved sweep (every default filled in) and the shard this directory holds.
 *   A directory never mixes two sweeps: continuing into it with a different sweep is refused.
 * - `networks.jsonl`: one {@link NetworkRecord} per finished network (see `store.ts`: one write +
 *   fsync per line; a torn last line is detected, reported and repaired).
 * - `summary.csv`: the flat export of the records (rewritten atomically at the end of a run).
 * - `.lock`: held while a sweep process writes into the directory.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { LayerSelection, NodeStatistic } from '../analysis/pipeline.js';
import { gridConfigs, cells } from './grid.js';
import { writeFileAtomic } from '../core/files.js';
import { codeOf, ERROR_CODES, InvalidArgumentError, IoError, FormatError, NODE_CODES } from '../core/errors.js';
import { CURVATURE_NAMES, GRAPH_MODES, type CurvatureName, type GraphMode } from '../analysis/geometry.js';
import { checkDatasetName, loadStudyDataset, parseImagePair } from './datasets.js';
import { resolveDatasetFiles, type DatasetFiles } from './dataset-files.js';

/** Whether `name` is a built-in dataset (synthetic or an image pair). */
function isBuiltInDataset(name: string): boolean {
  try {
    checkDatasetName(name);
    return true;
  } catch {
    return false;
  }
}
import { canonicalJson, configId, runCell, widthsFor } from './network.js';
import { VERSION } from '../core/version.js';
import { readRecords, RecordWriter } from './store.js';
import { acquireDirLock, STALE_MS } from './lock.js';
import { MAX_SYNTHETIC_POINTS } from '../data/synthetic.js';
import { ensureDir } from '../core/files.js';
import { recordsToCsv } from './summary.js';
import type { AnalysisSettings, NetworkConfig, NetworkRecord } from './types.js';
import { FOLLOW_UP_TRAINING, resolveArchitectures, resolveTraining, SEED_TRAINING, trainingConfig, type SweepTraining } from './recipe-spec.js';

// ---------------------------------------------------------------------------------------------
// the sweep description

// Training recipes and uniform widths as data: src/study/recipe-spec.ts.
export type { SweepTraining } from './recipe-spec.js';

/**
 * Data options. `nTrain`, `nTest` and `noise` apply to the synthetic datasets; `scale` and
 * `balanced` to the image pairs (the first `balanced` test images of each class, as the follow-up's
 * code); `dataSeed` to the synthetic generators.
 */
export interface SweepData {
  dataSeed: number;
  nTrain?: number;
  nTest?: number;
  /** One noise for every synthetic set, or per dataset (`{"syn1": 0.03}`; others keep their default). */
  noise?: number | Record<string, number>;
  scale: 'raw' | 'unit';
  balanced?: number;
}

/** A resolved sweep: every option explicit. Its canonical JSON identifies the sweep. */
export interface SweepSpec extends AnalysisSettings {
  name: string;
  description?: string;
  datasets: string[];
  /** Datasets of your own, by name (src/study/dataset-files.ts); absolute paths. */
  files?: Record<string, DatasetFiles>;
  /** narrow / wide / bottleneck or wN (uniform width N; a sweep file's `widths` resolves to these). */
  architectures: string[];
  depths: number[];
  /** Replicate seeds (a sweep file may give `replicates: N` instead: seeds 0 … N−1). */
  seeds: number[];
  training: SweepTraining;
  data: SweepData;
  /** Keep local ρ(x) per test point in the records (large for big test sets). */
  keepLocal: boolean;
  /** Record the geometry trajectory during training every N epochs (absent: not recorded). */
  trajectoryEvery?: number;
}

/** Seed recipe (docs/method.md §8a) training defaults. */
export const DEFAULT_TRAINING: SweepTraining = { ...SEED_TRAINING };

const TOP_KEYS = [
  'name', 'description', 'datasets', 'architectures', 'widths', 'depths', 'seeds', 'replicates', 'k', 'curvatures', 'mode',
  'layers', 'node', 'alpha', 'training', 'data', 'keepLocal', 'trajectoryEvery', 'files', '$schema',
] as const;
const DATA_KEYS = ['dataSeed', 'nTrain', 'nTest', 'noise', 'scale', 'balanced'] as const;
/** Default test points of the synthetic generators (src/data/synthetic.ts). */
const SYNTHETIC_DEFAULT_NTEST = 1000;

/** Built-in sweeps. Each is a sweep file (the same validation applies). */
export const PRESETS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  quick: {
    name: 'quick',
    description:
      'Under a few minutes on 2 cores: synthetic A, B, C × narrow, wide × 5 hidden layers × 3 seeds (18 networks), ' +
      'seed recipe training (50 epochs, batch 32) on 4000 points, analysed on 1000 test points at k = 15 and 30 (Forman, hidden layers); geometry trajectory every 10 epochs.',
    datasets: ['A', 'B', 'C'],
    architectures: ['narrow', 'wide'],
    depths: [5],
    seeds: [0, 1, 2],
    k: [15, 30],
    curvatures: ['forman'],
    layers: 'hidden',
    training: { epochs: 50 },
    data: { nTrain: 4000, nTest: 1000 },
    trajectoryEvery: 10,
  },
  'seed-paper': {
    name: 'seed-paper',
    description:
      'The seed paper (Baptista et al. 2024): its 7 datasets × narrow/wide/bottleneck × 5 and 11 hidden layers × 36 ' +
      'replicates = 1,512 networks; its recipe (RMSprop 1e-3, 50 epochs, batch 32, validation 0.2, Glorot); raw pixels, ' +
      'whole test split of each pair; analysed with the seed R recipe (directed kNN, hidden layers, node sums, Forman) at k = 30, 120, 300.',
    datasets: ['A', 'B', 'C', 'fashion-mnist:5v9', 'fashion-mnist:6v4', 'mnist:1v7', 'mnist:6v8'],
    architectures: ['narrow', 'wide', 'bottleneck'],
    depths: [5, 11],
    replicates: 36,
    k: [30, 120, 300],
    curvatures: ['forman'],
    mode: 'directed',
    layers: 'hidden',
    node: 'sum',
    training: { recipe: 'seed' },
    data: { nTrain: 8000, nTest: 2000, scale: 'raw' },
  },
  'follow-up': {
    name: 'follow-up',
    description:
      "The follow-up's local-coefficient tables (Hehl, von Renesse, Weber 2025; its local_ricci_coefficients notebook): " +
      'Fashion-MNIST 5v7, 3v6, MNIST 1v7, 6v9 (pixels in [0,1], whole training split, 500 test images per class) and ' +
      'Syn-I…IV (1,000 training and 1,000 test points; Syn-I noise 0.03) × uniform widths 15, 25, 50 × depths 7, 10, 15 × ' +
      '3 replicates = 216 networks; its recipe (full-batch Adam 1e-3 until 99 % training accuracy, ≤ 20,000 epochs, ' +
      'PyTorch init); union kNN graphs, all layers, node means, augmented Forman at k = 50.',
    datasets: ['fashion-mnist:5v7', 'fashion-mnist:3v6', 'mnist:1v7', 'mnist:6v9', 'syn1', 'syn2', 'syn3', 'syn4'],
    widths: [15, 25, 50],
    depths: [7, 10, 15],
    replicates: 3,
    k: [50],
    curvatures: ['augmented'],
    mode: 'union',
    layers: 'all',
    node: 'mean',
    training: { recipe: 'follow-up' },
    data: { nTrain: 1000, nTest: 1000, noise: { syn1: 0.03 }, scale: 'unit', balanced: 500 },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

type Obj = Record<string, unknown>;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Largest grid a sweep may hold, in networks (checked before the grid is expanded). */
export const MAX_GRID_NETWORKS = 100_000;

/**
 * Validates a sweep file's contents (parsed JSON) and fills in the defaults.
 * @param source names the file in error messages.
 * @throws InvalidArgumentError naming the offending key (`arg` is the dotted key).
 */
export function resolveSweep(raw: unknown, source = 'sweep', baseDir = process.cwd()): SweepSpec {
  const fail = (key: string, msg: string): never => {
    throw new InvalidArgumentError(`${source}: '${key}' ${msg}`, key);
  };
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(raw)) throw new InvalidArgumentError(`${source}: a sweep must be a JSON object, got ${typeName(raw)}`, 'sweep');
  const checkKeys = (o: Obj, allowed: readonly string[], prefix: string): void => {
    for (const key of Object.keys(o))
      if (!allowed.includes(key))
        fail(prefix + key, `is not a known key (expected one of: ${allowed.join(', ')})`);
  };
  checkKeys(raw, TOP_KEYS, '');
  // "$schema" (schema/sweep.schema.json, for editors) is accepted and ignored.
  if (raw.$schema !== undefined && typeof raw.$schema !== 'string') fail('$schema', `must be a string (the schema's location), got ${typeName(raw.$schema)}`);

  const int = (key: string, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(key, `must be an integer, got ${typeName(v)}`);
    if (v < min) fail(key, `must be >= ${min}, got ${v}`);
    return v;
  };
  const num = (key: string, v: unknown, ok: (x: number) => boolean, range: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(key, `must be a number, got ${typeName(v)}`);
    if (!ok(v)) fail(key, `must be ${range}, got ${v}`);
    return v;
  };
  const choice = <T extends string>(key: string, v: unknown, allowed: readonly T[]): T => {
    if (typeof v !== 'string') return fail(key, `must be a string (one of ${allowed.join(', ')}), got ${typeName(v)}`);
    if (!allowed.includes(v as T)) fail(key, `must be one of ${allowed.join(', ')}, got '${v}'`);
    return v as T;
  };
  const list = <T>(key: string, v: unknown, item: (k: string, x: unknown) => T): T[] => {
    if (!Array.isArray(v)) return fail(key, `must be a non-empty list, got ${typeName(v)}`);
    if (v.length === 0) fail(key, 'must not be empty');
    const out = v.map((x, i) => item(`${key}[${i}]`, x));
    const seen = new Set<string>();
    out.forEach((x, i) => {
      const s = JSON.stringify(x);
      if (seen.has(s)) fail(`${key}[${i}]`, `repeats ${s} (each grid value once)`);
      seen.add(s);
    });
    return out;
  };
  const str = (key: string, v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '') return fail(key, `must be a non-empty string, got ${typeName(v)}`);
    return v;
  };

  const required = (key: string): unknown => {
    if (raw[key] === undefined) fail(key, 'is required');
    return raw[key];
  };

  const name = raw.name === undefined ? 'custom' : str('name', raw.name);
  const description = raw.description === undefined ? undefined : str('description', raw.description);
  const files = raw.files === undefined ? undefined : resolveDatasetFiles(raw.files, baseDir, fail, isBuiltInDataset);
  const datasets = list('datasets', required('datasets'), (k, x) => {
    const s = str(k, x);
    if (files?.[s]) return s; // a dataset of your own, defined under "files"
    try {
      checkDatasetName(s);
    } catch (err) {
      fail(k, (err as Error).message.replace(/^dataset: /, ''));
    }
    return s;
  });
  const architectures = resolveArchitectures(raw, fail, list);
  const depths = list('depths', required('depths'), (k, x) => int(k, x, 1));
  for (const a of architectures)
    for (const d of depths) {
      try {
        widthsFor(a, d);
      } catch (err) {
        fail('depths', `does not fit architecture '${a}': ${(err as Error).message}`);
      }
    }
  let seeds: number[];
  if (raw.seeds !== undefined && raw.replicates !== undefined) return fail('replicates', "and 'seeds' are exclusive: give one of them");
  if (raw.seeds !== undefined) seeds = list('seeds', raw.seeds, (k, x) => int(k, x, 0));
  else if (raw.replicates !== undefined) {
    const n = int('replicates', raw.replicates, 1);
    // Counted before anything is expanded: `replicates: 1e9` must not allocate a billion seeds.
    if (n > MAX_GRID_NETWORKS) fail('replicates', `is ${n}; a sweep holds at most ${MAX_GRID_NETWORKS} networks`);
    seeds = Array.from({ length: n }, (_, i) => i);
  } else return fail('seeds', "is required (a list of replicate seeds), or give 'replicates' (a count: seeds 0 … N−1)");
  const gridSize = datasets.length * architectures.length * depths.length * seeds.length;
  if (gridSize > MAX_GRID_NETWORKS)
    fail(
      raw.replicates !== undefined ? 'replicates' : 'seeds',
      `makes a grid of ${datasets.length} datasets × ${architectures.length} architectures × ${depths.length} depths × ${seeds.length} replicates = ${gridSize} networks; a sweep holds at most ${MAX_GRID_NETWORKS}`,
    );

  const k = raw.k === undefined ? [30] : list('k', raw.k, (key, x) => int(key, x, 1));
  const curvatures = raw.curvatures === undefined ? (['forman'] as CurvatureName[]) : list('curvatures', raw.curvatures, (key, x) => choice(key, x, CURVATURE_NAMES));
  const mode = raw.mode === undefined ? 'union' : choice('mode', raw.mode, GRAPH_MODES);
  const layers = raw.layers === undefined ? 'all' : choice('layers', raw.layers, ['all', 'hidden'] as const);
  const node = raw.node === undefined ? 'mean' : choice('node', raw.node, ['mean', 'sum'] as const);
  const alpha = raw.alpha === undefined ? 0.5 : num('alpha', raw.alpha, (x) => x >= 0 && x <= 1, 'in [0, 1]');
  const keepLocal = raw.keepLocal === undefined ? true : typeof raw.keepLocal === 'boolean' ? raw.keepLocal : fail('keepLocal', `must be true or false, got ${typeName(raw.keepLocal)}`);

  const training = resolveTraining(raw.training, fail);

  const dRaw = raw.data === undefined ? {} : raw.data;
  if (!isObj(dRaw)) return fail('data', `must be an object, got ${typeName(dRaw)}`);
  checkKeys(dRaw, DATA_KEYS, 'data.');
  const data: SweepData = {
    dataSeed: dRaw.dataSeed === undefined ? 0 : int('data.dataSeed', dRaw.dataSeed, 0),
    scale: dRaw.scale === undefined ? 'raw' : choice('data.scale', dRaw.scale, ['raw', 'unit'] as const),
  };
  if (dRaw.nTrain !== undefined) data.nTrain = int('data.nTrain', dRaw.nTrain, 2);
  if (dRaw.nTest !== undefined) data.nTest = int('data.nTest', dRaw.nTest, 2);
  for (const key of ['nTrain', 'nTest'] as const)
    if ((data[key] ?? 0) > MAX_SYNTHETIC_POINTS) fail(`data.${key}`, `is ${data[key]}; at most ${MAX_SYNTHETIC_POINTS} points per split`);
  if (dRaw.noise !== undefined) {
    if (isObj(dRaw.noise)) {
      const per: Record<string, number> = {};
      for (const [name, v] of Object.entries(dRaw.noise)) {
        if (!datasets.includes(name) || parseImagePair(name)) fail(`data.noise.${name}`, `names no synthetic dataset of this sweep (${datasets.filter((d) => !parseImagePair(d)).join(', ') || 'none'})`);
        per[name] = num(`data.noise.${name}`, v, (x) => x >= 0, '>= 0');
      }
      data.noise = per;
    } else data.noise = num('data.noise', dRaw.noise, (x) => x >= 0, '>= 0 (or an object of noise per synthetic dataset)');
  }
  if (dRaw.balanced !== undefined) data.balanced = int('data.balanced', dRaw.balanced, 1);

  // k must leave room in the smallest test set we can know in advance.
  const maxK = Math.max(...k);
  if (datasets.some((d) => !parseImagePair(d) && !files?.[d])) {
    const n = data.nTest ?? SYNTHETIC_DEFAULT_NTEST;
    if (maxK > n - 1) fail('k', `has k = ${maxK} but the synthetic test sets have ${n} points (data.nTest): need k <= ${n - 1}`);
  }
  if (data.balanced !== undefined && datasets.some((d) => parseImagePair(d)) && maxK > 2 * data.balanced - 1)
    fail('k', `has k = ${maxK} but the balanced image test sets have ${2 * data.balanced} points: need k <= ${2 * data.balanced - 1}`);

  const spec: SweepSpec = { name, datasets, architectures, depths, seeds, k, curvatures, mode, layers, node, alpha, training, data, keepLocal };
  if (files) {
    for (const n of Object.keys(files)) if (!datasets.includes(n)) fail(`files.${n}`, "is not used: add it to 'datasets'");
    spec.files = files;
  }
  if (raw.trajectoryEvery !== undefined) {
    const t = raw.trajectoryEvery;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) return fail('trajectoryEvery', `must be a positive integer (epochs), got ${typeName(t)}`);
    spec.trajectoryEvery = t;
  }
  if (description !== undefined) spec.description = description;
  return spec;
}

/** A preset by name, resolved. */
export function presetSweep(name: string): SweepSpec {
  const p = PRESETS[name];
  if (!p) throw new InvalidArgumentError(`--preset: unknown preset '${name}' (expected ${PRESET_NAMES.join(', ')})`, 'preset');
  return resolveSweep(structuredClone(p), `preset ${name}`);
}

/** Reads and validates a sweep file. */
export async function readSweepFile(path: string): Promise<SweepSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new IoError(`cannot read sweep file ${path}: ${(err as Error).message}`, 'config');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`sweep file ${path} is not valid JSON: ${(err as Error).message}`, 'config');
  }
  return resolveSweep(raw, `sweep file ${path}`, dirname(path)); // relative data paths: from the sweep file
}

/** Data options of one dataset: synthetic sets take nTrain/nTest/noise, image pairs scale/balanced. */
function dataFor(dataset: string, d: SweepData): NetworkConfig['data'] {
  const out: NetworkConfig['data'] = { dataSeed: d.dataSeed };
  if (parseImagePair(dataset)) {
    out.scale = d.scale;
    if (d.balanced !== undefined) out.balanced = d.balanced;
  } else {
    if (d.nTrain !== undefined) out.nTrain = d.nTrain;
    if (d.nTest !== undefined) out.nTest = d.nTest;
    const noise = typeof d.noise === 'number' ? d.noise : d.noise?.[dataset];
    if (noise !== undefined) out.noise = noise;
  }
  return out;
}

/** Every network of the sweep, in grid order (dataset, architecture, depth, seed). */
export function sweepConfigs(spec: SweepSpec): NetworkConfig[] {
  return gridConfigs({
    datasets: spec.datasets,
    architectures: spec.architectures,
    depths: spec.depths,
    seeds: spec.seeds,
    ...spec.training,
    k: spec.k,
    curvatures: spec.curvatures,
    mode: spec.mode,
    layers: spec.layers,
    alpha: spec.alpha,
    dataSeed: spec.data.dataSeed,
    ...(spec.files ? { userDatasets: Object.keys(spec.files) } : {}),
  }).map((c) => ({ ...c, data: spec.files?.[c.dataset] ? { dataSeed: spec.data.dataSeed, files: spec.files[c.dataset]! } : dataFor(c.dataset, spec.data), training: trainingConfig(spec.training), analysis: { ...c.analysis, node: spec.node } }));
}

// ---------------------------------------------------------------------------------------------
// shards

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const NO_SHARD: Shard = { index: 0, count: 1 };

function shardInt(v: string | undefined, what: string): number {
  if (v === undefined || !/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`--shard: ${what} must be a non-negative integer, got '${v ?? ''}'`, 'shard');
  return Number.parseInt(v, 10);
}

/** A shard as people count it: `I/N` with I from 1 (as in `--shard I/N`), or 'the whole grid'. */
export function formatShard(s: Shard): string {
  return `${s.index + 1}/${s.count}`;
}

/**
 * Which shard this process computes (stored 0-based in {@link Shard}):
 * - `--shard I/N`: I counted from 1 (1/N … N/N), as in Jest, Vitest and Playwright;
 * - `--shard-index I --shard-count N`: I counted from 0 (0 … N-1), for schedulers that number
 *   tasks from 0 (`--shard-index "$SLURM_ARRAY_TASK_ID"`, `$JOB_COMPLETION_INDEX`);
 * - `--shard slurm`: SLURM_ARRAY_TASK_ID relative to SLURM_ARRAY_TASK_MIN and _STEP, of
 *   SLURM_ARRAY_TASK_COUNT (or `--shard-count N`);
 * - `--shard k8s`: an Indexed Job's JOB_COMPLETION_INDEX, of `--shard-count N`.
 */
export function parseShard(arg: string | undefined, env: NodeJS.ProcessEnv = process.env, shardCount?: string, shardIndex?: string): Shard {
  if (shardIndex !== undefined) {
    if (arg !== undefined) throw new InvalidArgumentError('give --shard or --shard-index, not both', 'shard-index');
    if (shardCount === undefined) throw new InvalidArgumentError('--shard-index I needs --shard-count N (I counts from 0)', 'shard-count');
    const index = shardInt(shardIndex, '--shard-index');
    const count = shardInt(shardCount, '--shard-count');
    if (count < 1) throw new InvalidArgumentError(`--shard-count must be >= 1, got ${count}`, 'shard-count');
    if (index >= count) throw new InvalidArgumentError(`--shard-index ${index} is outside 0…${count - 1} (it counts from 0)`, 'shard-index');
    return { index, count };
  }
  if (arg === undefined) {
    if (shardCount !== undefined) throw new InvalidArgumentError('--shard-count goes with --shard k8s, --shard slurm or --shard-index', 'shard-count');
    return NO_SHARD;
  }
  let index: number, count: number;
  if (arg === 'slurm') {
    if (env.SLURM_ARRAY_TASK_ID === undefined)
      throw new InvalidArgumentError('--shard slurm: SLURM_ARRAY_TASK_ID is not set (submit with sbatch --array=0-N)', 'shard');
    const id = shardInt(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN !== undefined ? shardInt(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
    const step = env.SLURM_ARRAY_TASK_STEP !== undefined ? Math.max(1, shardInt(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP')) : 1;
    count =
      shardCount !== undefined
        ? shardInt(shardCount, '--shard-count')
        : env.SLURM_ARRAY_TASK_COUNT !== undefined
          ? shardInt(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT')
          : NaN;
    if (Number.isNaN(count)) throw new InvalidArgumentError('--shard slurm: SLURM_ARRAY_TASK_COUNT is not set (or give --shard-count N)', 'shard');
    if ((id - min) % step !== 0) throw new InvalidArgumentError(`--shard slurm: task id ${id} is not on the array's step ${step} from ${min}`, 'shard');
    index = (id - min) / step;
  } else if (arg === 'k8s' || arg === 'kubernetes') {
    if (env.JOB_COMPLETION_INDEX === undefined)
      throw new InvalidArgumentError('--shard k8s: JOB_COMPLETION_INDEX is not set (run as a Kubernetes Indexed Job)', 'shard');
    index = shardInt(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
    if (shardCount === undefined) throw new InvalidArgumentError('--shard k8s needs --shard-count N (the Job\'s completions)', 'shard-count');
    count = shardInt(shardCount, '--shard-count');
  } else {
    const m = /^(\d+)\/(\d+)$/.exec(arg.trim());
    if (!m) throw new InvalidArgumentError(`--shard: expected I/N (I from 1 to N, e.g. 1/4), slurm or k8s; got '${arg}'`, 'shard');
    if (shardCount !== undefined) throw new InvalidArgumentError('--shard-count goes with --shard k8s (I/N already names the count)', 'shard-count');
    count = Number(m[2]);
    const i = Number(m[1]);
    if (count >= 1 && (i < 1 || i > count))
      throw new InvalidArgumentError(
        `--shard ${arg}: I counts from 1 to ${count} (as in Jest/Vitest/Playwright)${i === 0 ? `; for 0-based indices use --shard-index ${i} --shard-count ${count}` : ''}`,
        'shard',
      );
    index = i - 1;
  }
  if (count < 1) throw new InvalidArgumentError(`--shard: the shard count must be >= 1, got ${count}`, 'shard');
  if (index < 0 || index >= count) throw new InvalidArgumentError(`--shard: index ${index} is outside 0…${count - 1}`, 'shard');
  return { index, count };
}

/**
 * The networks of one shard: the grid, in its fixed order (dataset, architecture, depth, seed),
 * dealt round-robin. Each shard thus gets an even share of every cell (the replicates of one
 * dataset × architecture × depth), so shards cost about the same; every network belongs to exactly
 * one shard, and shard sizes differ by at most one.
 */
export function selectShard(configs: readonly NetworkConfig[], shard: Shard): NetworkConfig[] {
  return configs.filter((_, i) => i % shard.count === shard.index);
}

/** Units of work: the cells of `configs` (same everything but the seed) in chunks of ≤ `group`. */
export function workUnits(configs: readonly NetworkConfig[], group: number): NetworkConfig[][] {
  if (!Number.isSafeInteger(group) || group < 1) throw new InvalidArgumentError(`group must be a positive integer, got ${group}`, 'group');
  const out: NetworkConfig[][] = [];
  for (const cell of cells([...configs])) for (let i = 0; i < cell.length; i += group) out.push(cell.slice(i, i + group));
  return out;
}

// ---------------------------------------------------------------------------------------------
// the sweep directory

export const SWEEP_FORMAT = 'ricciflow-sweep/1';

export interface StoredSweep {
  format: typeof SWEEP_FORMAT;
  sweep: SweepSpec;
  shard: Shard;
  /** Networks in the whole grid / in this shard. */
  networks: number;
  shardNetworks: number;
  ricciflow: string;
  createdAt: string;
}

/** Dotted keys where two JSON values differ (whole arrays compared as one value). */
export function jsonDiff(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => jsonDiff(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [prefix || '(whole)'];
}

export async function readStoredSweep(dir: string): Promise<StoredSweep | null> {
  const path = join(dir, 'sweep.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (codeOf(err) === NODE_CODES.notFound) return null;
    throw new IoError(`cannot read ${path}: ${(err as Error).message}`, 'out');
  }
  let stored: StoredSweep;
  try {
    stored = JSON.parse(text) as StoredSweep;
  } catch (err) {
    throw new FormatError(`${path} is not valid JSON: ${(err as Error).message}`, 'out');
  }
  if (stored?.format !== SWEEP_FORMAT || typeof stored.sweep !== 'object' || typeof stored.shard !== 'object')
    throw new FormatError(`${path} is not a ricciflow sweep description (format ${SWEEP_FORMAT})`, 'out');
  // Re-validate: a hand-edited sweep.json must still be a valid sweep.
  stored.sweep = resolveSweep(stored.sweep, path);
  return stored;
}

function storedFor(spec: SweepSpec, shard: Shard, networks: number, shardNetworks: number): StoredSweep {
  return { format: SWEEP_FORMAT, sweep: spec, shard, networks, shardNetworks, ricciflow: VERSION, createdAt: new Date().toISOString() };
}

const shardText = (s: Shard): string => (s.count === 1 ? 'the whole grid' : `shard ${formatShard(s)}`);

/**
 * Makes `dir` a sweep directory for (spec, shard), or checks that it already is one for the same
 * sweep and shard. Refuses a directory holding another sweep with the keys that differ.
 */
export async function prepareSweepDir(dir: string, spec: SweepSpec, shard: Shard, networks: number, shardNetworks: number): Promise<StoredSweep> {
  await ensureDir(dir);
  const stored = await readStoredSweep(dir);
  if (stored) {
    const diff = jsonDiff(stored.sweep, spec);
    if (diff.length > 0)
      throw new InvalidArgumentError(
        `${dir} holds a different sweep ('${stored.sweep.name}'; differs in: ${diff.join(', ')}). ` +
          'Use another --out directory, or continue the stored sweep with `ricciflow sweep --out DIR` alone.',
        'out',
      );
    if (stored.shard.index !== shard.index || stored.shard.count !== shard.count)
      throw new InvalidArgumentError(
        `${dir} holds ${shardText(stored.shard)} of this sweep, not ${shardText(shard)}: give each shard its own --out directory`,
        'shard',
      );
    return stored;
  }
  const fresh = storedFor(spec, shard, networks, shardNetworks);
  await writeFileAtomic(join(dir, 'sweep.json'), JSON.stringify(fresh, null, 2) + '\n');
  return fresh;
}

/**
 * Takes `dir/.lock` (see ./lock.ts: atomic, with a heartbeat; stale locks are judged by age, or
 * by a dead process on this host). Returns the release function.
 */
export async function acquireLock(dir: string, warn: (m: string) => void): Promise<() => Promise<void>> {
  const lock = await acquireDirLock(dir, warn);
  return () => lock.release();
}

/** One record per id: a successful record wins over a failed one, else the first one seen. */
export function dedupeRecords(records: readonly NetworkRecord[]): { records: NetworkRecord[]; duplicates: number } {
  const byId = new Map<string, NetworkRecord>();
  let duplicates = 0;
  for (const r of records) {
    const prev = byId.get(r.id);
    if (!prev) byId.set(r.id, r);
    else {
      duplicates++;
      if (prev.status !== 'ok' && r.status === 'ok') byId.set(r.id, r);
    }
  }
  return { records: [...byId.values()], duplicates };
}

/** Records in grid order (records not in the grid, if any, last in their order). */
export function orderRecords(records: readonly NetworkRecord[], configs: readonly NetworkConfig[]): NetworkRecord[] {
  const pos = new Map(configs.map((c, i) => [configId(c), i]));
  const idx = (r: NetworkRecord): number => pos.get(r.id) ?? Number.MAX_SAFE_INTEGER;
  return records.map((r, i) => [r, i] as const).sort((a, b) => idx(a[0]) - idx(b[0]) || a[1] - b[1]).map(([r]) => r);
}

/** Reads a results directory: its (deduplicated) records and, when present, its sweep. */
export async function readResultsDir(dir: string, warn?: (m: string) => void): Promise<{ records: NetworkRecord[]; duplicates: number; stored: StoredSweep | null; torn: boolean }> {
  const stored = await readStoredSweep(dir);
  const path = join(dir, 'networks.jsonl');
  const r = await readRecords(path, warn);
  if (r.records.length === 0 && !stored && !r.torn) {
    const exists = await readFile(path).then(() => true, () => false);
    if (!exists) throw new IoError(`${dir} is not a results directory (no networks.jsonl)`, 'dir');
  }
  const d = dedupeRecords(r.records);
  return { records: stored ? orderRecords(d.records, sweepConfigs(stored.sweep)) : d.records, duplicates: d.duplicates, stored, torn: r.torn };
}

/** Writes `dir/summary.csv` from `dir/networks.jsonl`; returns the number of networks. */
export async function exportCsv(dir: string, warn?: (m: string) => void): Promise<{ path: string; networks: number }> {
  const { records } = await readResultsDir(dir, warn);
  const path = join(dir, 'summary.csv');
  await writeFileAtomic(path, recordsToCsv(records));
  return { path, networks: records.length };
}

// ---------------------------------------------------------------------------------------------
// running

export interface SweepProgress {
  /** Networks written in this run. */
  done: number;
  /** Networks this run set out to compute. */
  todo: number;
  failed: number;
  record: NetworkRecord;
  label: string;
}

export interface SweepRunOptions {
  spec: SweepSpec;
  outDir: string;
  shard?: Shard;
  /** Cells in flight at once (concurrent async tasks sharing the native thread budget). */
  workers?: number;
  /** Native threads per task (training and analysis calls). */
  threads?: number;
  /** Networks trained together in one task (≤ the replicates of a cell). */
  group?: number;
  dataDir?: string;
  /** Keep each computed network's weights as `outDir/weights/<record id>.npz` (src/train/weights.ts). */
  saveWeights?: boolean;
  signal?: AbortSignal;
  warn?: (msg: string) => void;
  onStart?: (info: { grid: number; shardNetworks: number; skipped: number; todo: number; units: number }) => void;
  onRecord?: (p: SweepProgress) => void;
}

export interface SweepError {
  message: string;
  /** Work units and networks it hit. */
  units: number;
  networks: number;
}

export interface SweepRunResult {
  grid: number;
  shardNetworks: number;
  /** Networks already in the directory before this run. */
  skipped: number;
  /** Networks written by this run (ok and failed). */
  computed: number;
  failed: number;
  /** Networks of the shard still missing (errors or interruption). */
  remaining: number;
  errors: SweepError[];
  interrupted: boolean;
  seconds: number;
}

const isCancel = (err: unknown): boolean => codeOf(err) === ERROR_CODES.cancelled;

/**
 * Runs (or continues) a sweep into `outDir`. Networks already recorded are skipped; each finished
 * network is appended (write + fsync) as soon as its analysis ends, so a kill loses only the
 * networks in flight. Errors that are not a network's own failure (a dataset that cannot be
 * loaded, an analysis error) are collected and reported; their networks stay missing, to be
 * computed by a later run.
 */
export async function runSweep(o: SweepRunOptions): Promise<SweepRunResult> {
  const t0 = Date.now();
  const warn = o.warn ?? ((m: string) => process.stderr.write(m + '\n'));
  const shard = o.shard ?? NO_SHARD;
  const workers = o.workers ?? 1;
  const group = o.group ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new InvalidArgumentError(`workers must be a positive integer, got ${workers}`, 'workers');
  const all = sweepConfigs(o.spec);
  const mine = selectShard(all, shard);
  // The lock first (atomically), then sweep.json: two sweeps started at once on one new
  // directory cannot leave one's sweep.json with the other's records.
  const lock = await acquireDirLock(o.outDir, warn);
  try {
    await prepareSweepDir(o.outDir, o.spec, shard, all.length, mine.length);
    const { writer, existing } = await RecordWriter.open(join(o.outDir, 'networks.jsonl'));
    const have = new Set(existing.map((r) => r.id));
    const todo = mine.filter((c) => !have.has(configId(c)));
    const units = workUnits(todo, group);
    o.onStart?.({ grid: all.length, shardNetworks: mine.length, skipped: mine.length - todo.length, todo: todo.length, units: units.length });

    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort();
    if (o.signal?.aborted) abort.abort();
    o.signal?.addEventListener('abort', onOuterAbort);

    let done = 0, failed = 0;
    let chain: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    const written = new Set<string>();
    const write = (r: NetworkRecord, label: string): void => {
      if (written.has(r.id) || have.has(r.id)) return;
      written.add(r.id);
      chain = chain.then(async () => {
        if (writeError) return;
        try {
          if (lock.lost()) throw new Error(`another process took the lock of ${o.outDir} over (this run stalled for more than ${STALE_MS / 1000} s)`);
          await writer.append(r);
        } catch (err) {
          writeError = err;
          abort.abort();
          return;
        }
        done++;
        if (r.status !== 'ok') failed++;
        o.onRecord?.({ done, todo: todo.length, failed, record: r, label });
      });
    };

    const errors = new Map<string, SweepError>();
    const noteError = (message: string, unit: NetworkConfig[]): void => {
      const e = errors.get(message) ?? { message, units: 0, networks: 0 };
      e.units++;
      e.networks += unit.length;
      errors.set(message, e);
    };
    const badData = new Map<string, string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!abort.signal.aborted && next < units.length) {
        const unit = units[next++]!;
        const c0 = unit[0]!;
        const label = `${c0.dataset}/${c0.architecture}-${c0.depth}`;
        const dataKey = canonicalJson([c0.dataset, c0.data]);
        const known = badData.get(dataKey);
        if (known !== undefined) {
          noteError(known, unit);
          continue;
        }
        try {
          await loadStudyDataset(c0, o.dataDir !== undefined ? { dataDir: o.dataDir } : {});
        } catch (err) {
          if (isCancel(err) || abort.signal.aborted) break;
          const msg = `dataset ${c0.dataset}: ${(err as Error).message}`;
          badData.set(dataKey, msg);
          noteError(msg, unit);
          continue;
        }
        try {
          const records = await runCell(unit, {
            signal: abort.signal,
            keepLocal: o.spec.keepLocal,
            ...(o.spec.trajectoryEvery !== undefined ? { trajectoryEvery: o.spec.trajectoryEvery } : {}),
            onAnalysed: (r) => write(r, label),
            ...(o.threads !== undefined ? { threads: o.threads } : {}),
            ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
            ...(o.saveWeights ? { weightsDir: join(o.outDir, 'weights') } : {}),
          });
          for (const r of records) write(r, label);
        } catch (err) {
          if (isCancel(err) || abort.signal.aborted) break;
          noteError(`${label}: ${(err as Error).message}`, unit);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, units.length)) }, worker));
      await chain;
    } finally {
      o.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (writeError) throw writeError instanceof IoError ? writeError : new IoError(`cannot append to ${join(o.outDir, 'networks.jsonl')}: ${(writeError as Error).message}`, 'out');
    return {
      grid: all.length,
      shardNetworks: mine.length,
      skipped: mine.length - todo.length,
      computed: done,
      failed,
      remaining: todo.length - done,
      errors: [...errors.values()],
      interrupted: abort.signal.aborted,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await lock.release();
  }
}

// ---------------------------------------------------------------------------------------------
// merging

export interface MergeResult {
  out: string;
  sweep: SweepSpec;
  inputs: Array<{ dir: string; shard: Shard; records: number }>;
  networks: number;
  duplicates: number;
  /** Networks of the grid absent from every input. */
  missing: number;
  grid: number;
}

/**
 * Combines sweep directories (typically the shards of one sweep) into `out`: records
 * deduplicated by id and written in grid order, `sweep.json` (unsharded) and `summary.csv`.
 * Refuses inputs holding different sweeps (anything but the shard differs). When `out` already
 * holds the same sweep, its records are kept too.
 */
export async function mergeSweepDirs(out: string, dirs: readonly string[], warn?: (m: string) => void): Promise<MergeResult> {
  if (dirs.length === 0) throw new InvalidArgumentError('merge: name at least one sweep directory to merge', 'dirs');
  // `out` is locked for the whole merge, as a sweep locks it: a merge never writes into a
  // directory a sweep is writing (it refuses, naming the holder), and no sweep starts there meanwhile.
  const lock = await acquireDirLock(out, warn ?? ((m: string) => process.stderr.write(m + '\n')));
  try {
    return await mergeLocked(out, dirs, warn);
  } finally {
    await lock.release();
  }
}

async function mergeLocked(out: string, dirs: readonly string[], warn?: (m: string) => void): Promise<MergeResult> {
  const inputs: Array<{ dir: string; stored: StoredSweep; records: NetworkRecord[] }> = [];
  const sources = [...dirs];
  const outStored = await readStoredSweep(out);
  if (outStored && !sources.includes(out)) sources.push(out);
  for (const dir of sources) {
    const stored = await readStoredSweep(dir);
    if (!stored) throw new InvalidArgumentError(`merge: ${dir} is not a sweep directory (no sweep.json)`, 'dirs');
    const { records } = await readResultsDir(dir, warn);
    inputs.push({ dir, stored, records });
  }
  const first = inputs[0]!;
  for (const inp of inputs.slice(1)) {
    const diff = jsonDiff(first.stored.sweep, inp.stored.sweep);
    if (diff.length > 0)
      throw new InvalidArgumentError(
        `merge: ${inp.dir} holds a different sweep than ${first.dir} (differs in: ${diff.join(', ')}); refusing to mix sweeps`,
        'dirs',
      );
  }
  const spec = first.stored.sweep;
  const configs = sweepConfigs(spec);
  const grid = new Set(configs.map(configId));
  const pooled = dedupeRecords(inputs.flatMap((i) => i.records));
  const foreign = pooled.records.filter((r) => !grid.has(r.id)).length;
  if (foreign > 0) throw new FormatError(`merge: ${foreign} records do not belong to the sweep's grid (edited files?)`, 'dirs');
  const records = orderRecords(pooled.records, configs);
  await writeFileAtomic(join(out, 'networks.jsonl'), records.map((r) => JSON.stringify(r) + '\n').join(''));
  await writeFileAtomic(join(out, 'sweep.json'), JSON.stringify(storedFor(spec, NO_SHARD, configs.length, configs.length), null, 2) + '\n');
  await writeFileAtomic(join(out, 'summary.csv'), recordsToCsv(records));
  return {
    out,
    sweep: spec,
    inputs: inputs.map((i) => ({ dir: i.dir, shard: i.stored.shard, records: i.records.length })),
    networks: records.length,
    duplicates: pooled.duplicates,
    missing: configs.length - records.length,
    grid: configs.length,
  };
}
