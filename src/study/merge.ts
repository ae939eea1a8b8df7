/** Merging sweep directories (the shards of one sweep) into one, under the target's lock. */
import { join } from 'node:path';

import { FormatError, InvalidArgumentError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { acquireDirLock } from './lock.js';
import { configId } from './config-id.js';
import { dedupeRecords, jsonDiff, orderRecords, readResultsDir, readStoredSweep, storedFor, type StoredSweep } from './results-dir.js';
import { NO_SHARD, type Shard } from './shard.js';
import { recordsToCsv } from './summary.js';
import { sweepConfigs, type SweepSpec } from './sweep-spec.js';
import type { NetworkRecord } from './types.js';

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
