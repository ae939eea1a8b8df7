/**
 * A reproduction as the `run` (main job) and `reproduce` verbs run it: under their signal
 * handling, with the networks progress bar, and its table written as CSV and JSON.
 */
import { resolve } from 'node:path';

import { runReproduction, reproductionCsv, type ReproduceOptions, type ReproductionPart, type ReproductionTable } from '../study/reproduce.js';
import { metaBlock } from './output.js';
import { networksBar, storageOptions } from './runs.js';
import { stopOnSignals, toJsonValue, writeFileAtomic, type SignalStop } from './util.js';

export interface ReproductionRunOptions {
  outDir: string;
  workers: number;
  threads: number;
  /** The verb's `--data-dir` / `--save-weights`. */
  values: Parameters<typeof storageOptions>[0];
  onPart: NonNullable<ReproduceOptions['onPart']>;
  /** Says how much of a part is done; the progress bar then starts. */
  onStart: NonNullable<ReproduceOptions['onStart']>;
  onPartDone?: ReproduceOptions['onPartDone'];
  quick?: boolean;
}

/**
 * `runReproduction(name, parts)`: the first SIGINT or SIGTERM stops it gracefully (`verb` names
 * the command in the notice), a `networks` bar follows each part. Returns the table and the stop
 * (its exit code, and whether it was aborted).
 */
export async function runReproductionVerb(
  verb: string,
  name: Parameters<typeof runReproduction>[0],
  parts: ReproductionPart[],
  o: ReproductionRunOptions,
): Promise<{ table: ReproductionTable; stop: SignalStop }> {
  const stop = stopOnSignals(verb);
  const bar = networksBar();
  try {
    const table = await runReproduction(
      name,
      parts,
      {
        outDir: o.outDir,
        workers: o.workers,
        threads: o.threads,
        signal: stop.signal,
        ...storageOptions(o.values),
        onPart: o.onPart,
        onStart: (s) => {
          o.onStart(s);
          bar.start(s.todo);
        },
        onRecord: (p) => bar.record(p),
        ...(o.onPartDone ? { onPartDone: o.onPartDone } : {}),
      },
      o.quick ?? false,
    );
    return { table, stop };
  } finally {
    stop.dispose();
  }
}

/** OUT/reproduction.csv and OUT/reproduction.json (with a meta block); returns their paths. */
export async function writeReproductionFiles(outDir: string, table: ReproductionTable): Promise<{ csv: string; json: string }> {
  const csv = resolve(outDir, 'reproduction.csv'), json = resolve(outDir, 'reproduction.json');
  await writeFileAtomic(csv, reproductionCsv(table));
  await writeFileAtomic(json, JSON.stringify(toJsonValue({ ...table, meta: await metaBlock() }), null, 2) + '\n');
  return { csv, json };
}
