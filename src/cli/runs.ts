/**
 * What the verbs that compute networks (`run`, `sweep`, `reproduce`) share: the `networks`
 * progress bar, the `--data-dir` / `--save-weights` options, the lines that end a run and the
 * report (the reproduction's own steps: ./reproduction.ts).
 */
import { resolve } from 'node:path';

import type { SweepProgress, SweepRunResult } from '../study/sweep.js';
import type { ReportOptions } from '../report/write.js';
import { isQuiet } from './output.js';
import { ProgressBar, type SignalStop } from './util.js';

/** The `networks` progress bar: `start` with the count to compute, then one `record` per network. */
export function networksBar(): { start(todo: number): void; record(p: Pick<SweepProgress, 'done' | 'failed' | 'label'>): void } {
  let bar: ProgressBar | null = null;
  return {
    start(todo) {
      bar = isQuiet() ? null : new ProgressBar('networks', todo);
      if (todo === 0) bar?.update(0);
    },
    record(p) {
      bar?.update(p.done, `${p.label}${p.failed ? ` (${p.failed} failed)` : ''}`);
    },
  };
}

/** `--data-dir PATH` and `--save-weights` as runner options (absent when not given). */
export function storageOptions(values: { 'data-dir'?: string | undefined; 'save-weights'?: boolean | undefined }): { dataDir?: string; saveWeights?: true } {
  return {
    ...(values['data-dir'] !== undefined ? { dataDir: resolve(values['data-dir']) } : {}),
    ...(values['save-weights'] ? { saveWeights: true as const } : {}),
  };
}

/**
 * A sweep run's errors and interruption on stderr, and the exit code they give: the signal's
 * (130 or 143) after an interruption, 1 after errors, null when the verb goes on.
 */
export function runFailureExit(verb: string, res: Pick<SweepRunResult, 'errors' | 'interrupted' | 'remaining'>, stop: SignalStop): number | null {
  for (const e of res.errors) process.stderr.write(`ricciflow ${verb}: error (${e.networks} networks not computed): ${e.message}\n`);
  if (res.interrupted) {
    process.stderr.write(`ricciflow ${verb}: interrupted; ${res.remaining} networks remain: re-run to continue\n`);
    return stop.exitCode() ?? 130;
  }
  return res.errors.length > 0 ? 1 : null;
}

/** Writes the HTML report of `dir` to `out` (the report module loads only then) and prints its path. */
export async function writeReportLine(dir: string, out: string, options?: ReportOptions): Promise<void> {
  const { writeReport } = await import('../report/write.js');
  const path = await writeReport(dir, out, options);
  process.stdout.write(`report: ${path}\n`);
}
