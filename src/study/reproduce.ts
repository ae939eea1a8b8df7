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

import { describeTraining } from './recipe-spec.js';
import { readResultsDir, runSweep, sweepConfigs, type SweepRunResult } from './sweep.js';
import type { NetworkRecord } from './types.js';
import type { ReproductionPart, ReproductionPartSummary, ReproductionRow, ReproductionTable } from './reproduce-plan.js';
import { compareDepth, compareLocal, compareSeed, compareUntrained, dataSources, mean } from './reproduce-compare.js';
export * from './reproduce-plan.js';
export * from './reproduce-compare.js';
export * from './reproduce-table.js';

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
