/**
 * A sweep's description: the JSON of a sweep file (or a preset, ./presets.ts) validated, with
 * every default filled in (`resolveSweep`), and the grid of network configs it stands for
 * (`sweepConfigs`). docs/sweeps.md documents the keys; schema/sweep.schema.json mirrors them.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { FormatError, InvalidArgumentError, IoError } from '../core/errors.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { CURVATURE_NAMES, GRAPH_MODES, type CurvatureName } from '../analysis/geometry.js';
import { DEFAULT_SIZES, MAX_SYNTHETIC_POINTS, type SyntheticName } from '../data/synthetic.js';
import { checkDatasetName, parseImagePair } from './dataset-names.js';
import { resolveDatasetFiles, type DatasetFiles } from './dataset-files.js';
import { gridConfigs } from './grid.js';
import { widthsFor } from './config-id.js';
import { resolveArchitectures, resolveTraining, trainingConfig, typeName, type SweepTraining } from './recipe-spec.js';
import type { AnalysisSettings, NetworkConfig } from './types.js';

// Training recipes and uniform widths as data: src/study/recipe-spec.ts.
export type { SweepTraining } from './recipe-spec.js';

/** Whether `name` is a built-in dataset (synthetic or an image pair). */
function isBuiltInDataset(name: string): boolean {
  try {
    checkDatasetName(name);
    return true;
  } catch {
    return false;
  }
}

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

const TOP_KEYS = [
  'name', 'description', 'datasets', 'architectures', 'widths', 'depths', 'seeds', 'replicates', 'k', 'curvatures', 'mode',
  'layers', 'node', 'alpha', 'training', 'data', 'keepLocal', 'trajectoryEvery', 'files', '$schema',
] as const;
const DATA_KEYS = ['dataSeed', 'nTrain', 'nTest', 'noise', 'scale', 'balanced'] as const;


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
  if (!isJsonObject(raw)) throw new InvalidArgumentError(`${source}: a sweep must be a JSON object, got ${typeName(raw)}`, 'sweep');
  const checkKeys = (o: JsonObject, allowed: readonly string[], prefix: string): void => {
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
  if (!isJsonObject(dRaw)) return fail('data', `must be an object, got ${typeName(dRaw)}`);
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
    if (isJsonObject(dRaw.noise)) {
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
  const synthetic = datasets.filter((d) => !parseImagePair(d) && !files?.[d]);
  if (synthetic.length > 0) {
    // Without data.nTest, each generator's own default (src/data/synthetic.ts); the smallest binds.
    const n = data.nTest ?? Math.min(...synthetic.map((d) => DEFAULT_SIZES[d as SyntheticName].nTest));
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

