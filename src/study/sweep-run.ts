/**
 * Running a sweep into its directory (./results-dir.ts): under the directory's lock (./lock.ts),
 * networks already recorded are skipped and each finished one is appended at once, so a run can
 * be killed at any moment and continued.
 */
import { join } from 'node:path';

import { codeOf, ERROR_CODES, InvalidArgumentError, IoError } from '../core/errors.js';
import { loadStudyDataset } from './datasets.js';
import { acquireDirLock, STALE_MS } from './lock.js';
import { canonicalJson, configId, runCell } from './network.js';
import { prepareSweepDir } from './results-dir.js';
import { NO_SHARD, selectShard, workUnits, type Shard } from './shard.js';
import { RecordWriter } from './store.js';
import { sweepConfigs, type SweepSpec } from './sweep-spec.js';
import type { EpochEvent } from '../train/types.js';
import type { NetworkConfig, NetworkRecord } from './types.js';

export interface SweepProgress {
  /** Networks written in this run. */
  done: number;
  /** Networks this run set out to compute. */
  todo: number;
  failed: number;
  record: NetworkRecord;
  label: string;
}

/** How a grid runs into its directory: what `runSweep` and `runGrid` share. */
export interface GridRunSettings {
  outDir: string;
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
  /** Every epoch of every network in training, with its cell's label (`dataset/architecture-depth`). */
  onEpoch?: (e: EpochEvent, label: string) => void;
}

export interface SweepRunOptions extends GridRunSettings {
  spec: SweepSpec;
  shard?: Shard;
}

/** A grid given as its configs: `ricciflow run`'s grid, whose configs are not a sweep's. */
export interface GridRunOptions extends GridRunSettings {
  /** The networks to compute, in grid order. */
  configs: readonly NetworkConfig[];
  /** Networks of the whole grid, when `configs` is one shard of it (default: `configs.length`). */
  grid?: number;
  /** Keep local ρ(x) per test point in the records (default true). */
  keepLocal?: boolean;
  trajectoryEvery?: number;
  /** Runs under the lock before the records are read (a sweep writes its `sweep.json` there). */
  prepare?: () => Promise<unknown>;
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
 * Runs (or continues) a sweep into `outDir`: its shard of the grid, with `sweep.json` written
 * under the lock (see {@link runGrid}).
 */
export async function runSweep(o: SweepRunOptions): Promise<SweepRunResult> {
  const { spec, shard: given, ...settings } = o;
  const shard = given ?? NO_SHARD;
  const all = sweepConfigs(spec);
  const mine = selectShard(all, shard);
  return runGrid({
    ...settings,
    configs: mine,
    grid: all.length,
    keepLocal: spec.keepLocal,
    ...(spec.trajectoryEvery !== undefined ? { trajectoryEvery: spec.trajectoryEvery } : {}),
    // The lock first (atomically), then sweep.json: two sweeps started at once on one new
    // directory cannot leave one's sweep.json with the other's records.
    prepare: () => prepareSweepDir(o.outDir, spec, shard, all.length, mine.length),
  });
}

/**
 * Runs (or continues) a grid of networks into `outDir`, under the directory's lock. Networks
 * already recorded are skipped; each finished network is appended (write + fsync) as soon as its
 * analysis ends, so a kill loses only the networks in flight. Errors that are not a network's own
 * failure (a dataset that cannot be loaded, an analysis error) are collected and reported; their
 * networks stay missing, to be computed by a later run.
 */
export async function runGrid(o: GridRunOptions): Promise<SweepRunResult> {
  const t0 = Date.now();
  const warn = o.warn ?? ((m: string) => process.stderr.write(m + '\n'));
  const workers = o.workers ?? 1;
  const group = o.group ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new InvalidArgumentError(`workers must be a positive integer, got ${workers}`, 'workers');
  const mine = o.configs;
  const grid = o.grid ?? mine.length;
  const lock = await acquireDirLock(o.outDir, warn);
  try {
    await o.prepare?.();
    const { writer, existing } = await RecordWriter.open(join(o.outDir, 'networks.jsonl'));
    const have = new Set(existing.map((r) => r.id));
    const todo = mine.filter((c) => !have.has(configId(c)));
    const units = workUnits(todo, group);
    o.onStart?.({ grid, shardNetworks: mine.length, skipped: mine.length - todo.length, todo: todo.length, units: units.length });

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
            ...(o.keepLocal !== undefined ? { keepLocal: o.keepLocal } : {}),
            ...(o.trajectoryEvery !== undefined ? { trajectoryEvery: o.trajectoryEvery } : {}),
            ...(o.onEpoch ? { onEpoch: (e: EpochEvent) => o.onEpoch!(e, label) } : {}),
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
      grid,
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

