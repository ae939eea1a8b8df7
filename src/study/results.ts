/**
 * Results: the one place that reads a study's records and decides what its summaries use, shared
 * by `ricciflow stats` (./statistics.ts), `ricciflow report` (src/report/) and `ricciflow export`,
 * so they cannot disagree:
 * - reading a results directory or one `networks.jsonl` (deduplicated by id, in grid order when the
 *   directory holds its sweep);
 * - the k, curvature and well-trained threshold a summary uses, with their defaults;
 * - the coefficients of a record at (k, curvature);
 * - the (Ric_l, η_l) layer pairs of a network (the seed R recipe's layer-skip pairs `aa2`,
 *   docs/method.md §5).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { CurvatureName } from '../analysis/geometry.js';
import { coefficientPairs, pairSeries, type LayerPair, type Pairing } from '../analysis/coefficients.js';
import { InvalidArgumentError } from '../core/errors.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import { readRecords } from './store.js';
import { dedupeRecords, readResultsDir } from './results-dir.js';
import type { CoefficientRecord, KRecord, NetworkRecord } from './types.js';

export interface Results {
  /** One record per id, in grid order when the directory holds its sweep, else in file order. */
  records: NetworkRecord[];
  /** Records dropped as repeated ids. */
  duplicates: number;
  /** The file ended in a torn (incomplete) line, which was ignored. */
  torn: boolean;
}

/**
 * The records of a results directory (its `networks.jsonl`, ordered by its `sweep.json` when
 * present) or of one `networks.jsonl` file, deduplicated by id (a successful record wins).
 */
export async function readResults(path: string, warn?: (m: string) => void): Promise<Results> {
  const abs = resolve(path);
  const isFile = await stat(abs).then((s) => s.isFile(), () => false);
  if (!isFile) {
    const r = await readResultsDir(abs, warn);
    return { records: r.records, duplicates: r.duplicates, torn: r.torn };
  }
  const r = await readRecords(abs, warn);
  const d = dedupeRecords(r.records);
  return { records: d.records, duplicates: d.duplicates, torn: r.torn };
}

export interface SelectionOptions {
  /** Which k (default: the first k of the first record's analysis). */
  k?: number;
  /** Which curvature (default: `forman` when recorded, else the first recorded in name order). */
  curvature?: CurvatureName;
  /** Well-trained threshold: networks with test accuracy strictly above it (default {@link WELL_TRAINED_THRESHOLD}). */
  threshold?: number;
}

/** What a summary of the records uses. */
export interface ResultsSelection {
  k: number;
  curvature: CurvatureName;
  threshold: number;
  /** Every k that any record analysed, ascending. */
  ks: number[];
  /** Every curvature that any record analysed, in name order. */
  curvatures: CurvatureName[];
}

/**
 * Picks the k, curvature and threshold of a summary (defaults as {@link SelectionOptions}).
 * @throws InvalidArgumentError without any analysis (no k), for a k or curvature no record analysed, or a
 *   threshold that is not a number.
 */
export function selectResults(records: readonly NetworkRecord[], options: SelectionOptions = {}): ResultsSelection {
  const threshold = options.threshold ?? WELL_TRAINED_THRESHOLD;
  if (!Number.isFinite(threshold)) throw new InvalidArgumentError(`threshold must be a number, got ${threshold}`, 'threshold');
  const ks = [...new Set(records.flatMap((r) => (r.byK ?? []).map((K) => K.k)))].sort((a, b) => a - b);
  const curvatures = [...new Set(records.flatMap((r) => (r.byK ?? []).flatMap((K) => Object.keys(K.coefficients ?? {}))))].sort() as CurvatureName[];
  const k = options.k ?? records.find((r) => r.config?.analysis?.k?.length)?.config.analysis.k[0] ?? ks[0];
  if (k === undefined) throw new InvalidArgumentError('no analysed networks in the records (no k to report)', 'k');
  if (ks.length > 0 && !ks.includes(k))
    throw new InvalidArgumentError(`k: no network was analysed at k = ${k} (analysed: ${ks.join(', ')})`, 'k');
  const curvature = options.curvature ?? (curvatures.includes('forman') || curvatures.length === 0 ? 'forman' : curvatures[0]!);
  if (curvatures.length > 0 && !curvatures.includes(curvature))
    throw new InvalidArgumentError(`curvature: no network was analysed with '${curvature}' (analysed: ${curvatures.join(', ')})`, 'curvature');
  return { k, curvature, threshold, ks, curvatures };
}

/** A successful record whose test accuracy is strictly above the threshold (docs/method.md §6). */
export function isWellTrained(r: NetworkRecord, threshold: number): boolean {
  return r.status === 'ok' && typeof r.accuracy === 'number' && r.accuracy > threshold;
}

/** The analysis of a record at k, or undefined. */
export function analysisAt(r: NetworkRecord, k: number): KRecord | undefined {
  return r.byK?.find((K) => K.k === k);
}

/** The coefficients of a record at (k, curvature), or undefined. */
export function coefficientsAt(r: NetworkRecord, k: number, curvature: CurvatureName): CoefficientRecord | undefined {
  return analysisAt(r, k)?.coefficients?.[curvature];
}

/**
 * The (Ric, η) pairs of one network's coefficients (docs/method.md §5), taken as its global ρ takes
 * them ({@link coefficientPairs}): `pairing` defaults to the network's layer selection (`all`:
 * l = 0 … L−2; `hidden`: l = 1 … L−3; `same-layer`: the seed script's `aa`). Null when a layer the
 * pairs use has no g_l or Ric_l (disconnected): the network then contributes no pair.
 */
export function layerPairs(co: CoefficientRecord, pairing: Pairing): { pairs: LayerPair[]; ric: number[]; eta: number[] } | null {
  const L = Math.min(co.g.length, co.ric.length);
  const pairs = coefficientPairs(pairing, L);
  const s = pairSeries(pairs, co.ric, co.g);
  return s.ric === null ? null : { pairs, ric: s.ric, eta: s.eta };
}
