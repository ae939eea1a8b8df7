/**
 * The sweep directory (results directory of a sweep): its description, its records read back.
 *
 * Layout:
 * - `sweep.json`: the resolved sweep (every default filled in) and the shard this directory holds.
 *   A directory never mixes two sweeps: continuing into it with a different sweep is refused.
 * - `networks.jsonl`: one {@link NetworkRecord} per finished network (see `store.ts`: one write +
 *   fsync per line; a torn last line is detected, reported and repaired).
 * - `summary.csv`: the flat export of the records (rewritten atomically at the end of a run).
 * - `.lock`: held while a sweep process writes into the directory (./lock.ts; taken by
 *   ./sweep-run.ts and ./merge.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { codeOf, FormatError, InvalidArgumentError, IoError, NODE_CODES } from '../core/errors.js';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { isJsonObject } from '../core/json.js';
import { VERSION } from '../core/version.js';
import { canonicalJson, configId } from './config-id.js';
import { formatShard, type Shard } from './shard.js';
import { readRecords } from './store.js';
import { recordsToCsv } from './summary.js';
import { resolveSweep, sweepConfigs, type SweepSpec } from './sweep-spec.js';
import type { NetworkConfig, NetworkRecord } from './types.js';

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
  if (isJsonObject(a) && isJsonObject(b)) {
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

/** The `sweep.json` of (spec, shard), stamped with this version and the time. */
export function storedFor(spec: SweepSpec, shard: Shard, networks: number, shardNetworks: number): StoredSweep {
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

