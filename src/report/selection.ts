/**
 * What the report draws: its options, the k / curvature / threshold it uses (src/study/results.ts
 * `selectResults`, the same choice as `ricciflow stats`) and labels shared by figures and text.
 */
import type { CurvatureName } from '../analysis/geometry.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import { coefficientsAt, selectResults, type ResultsSelection, type SelectionOptions } from '../study/results.js';
import type { NetworkRecord } from '../study/types.js';
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
