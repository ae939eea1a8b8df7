/**
 * `ricciflow sweep` and `ricciflow merge`: resumable sweeps over a grid of networks, split into
 * shards for job arrays, merged back (docs/sweeps.md).
 *
 * Parallelism: `--workers N` cells run as concurrent async tasks in this one process, each native
 * call taking `--threads T` threads from the native layer's process-wide thread budget (capacity:
 * the core count). Training and analysis run on native threads and never block the event loop, so
 * the tasks overlap; the budget makes a call wait rather than oversubscribe the cores, and the
 * datasets are loaded once and shared. Separate processes would each hold a budget of their own
 * (oversubscribing unless statically partitioned) and a copy of every dataset; for several
 * processes on one big machine, use shards (`--shard I/N`, one directory each) instead.
 */
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import {
  exportCsv,
  mergeSweepDirs,
  formatShard,
  parseShard,
  presetSweep,
  PRESET_NAMES,
  PRESETS,
  readSweepFile,
  readStoredSweep,
  resolveSweep,
  runSweep,
  selectShard,
  sweepConfigs,
  workUnits,
  type Shard,
  type SweepSpec,
} from '../study/sweep.js';
import { configId } from '../study/network.js';
import { parseCountOption, parseParallelism, verbArgs } from './args.js';
import { metaBlock, note } from './output.js';
import { networksBar, runFailureExit, storageOptions } from './runs.js';
import { formatSeconds, stopOnSignals } from './util.js';

export const SWEEP_HELP = `ricciflow sweep (--preset ${PRESET_NAMES.join('|')} | --config SWEEP.json) --out DIR
                [--workers N] [--threads T] [--group G] [--data-dir DIR]
                [--shard I/N | --shard-index I --shard-count N | --shard slurm | --shard k8s --shard-count N]
                [--dry-run [--json]] [--save-weights]
ricciflow sweep --out DIR                 continue the sweep stored in DIR/sweep.json
ricciflow sweep --export-csv DIR          write DIR/summary.csv from DIR/networks.jsonl
ricciflow sweep --print-preset NAME       print a preset as a sweep file (a starting point)

Trains and analyses every network of a grid (datasets × architectures × depths × seeds; k list,
curvatures, training and data options) into DIR/networks.jsonl, one record per network, appended
and fsynced as each network finishes. Killed at any moment, the same command continues where it
stopped. DIR/sweep.json stores the resolved sweep; a DIR holding another sweep is refused.

  --workers N    cells in flight at once (default: cores / threads, at least 1)
  --threads T    native threads per task (default 1); all tasks share one budget of <cores> threads
  --group G      networks of a cell trained together in one task (default 1)
  --shard I/N    compute only shard I of N, I from 1 to N (as in Jest/Vitest/Playwright): the grid
                 dealt round-robin
  --shard-index I --shard-count N   the same with I from 0 to N-1 (for 0-based schedulers)
  --shard slurm  I and N from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (array from any MIN, STEP)
  --shard k8s    I from JOB_COMPLETION_INDEX (Indexed Job), N from --shard-count
  --dry-run      print the grid and this shard's share, compute nothing (--json: as JSON on stdout)
  --save-weights keep each computed network's weights as DIR/weights/<record id>.npz (W0, b0, …,
                 sizes; read back with readNetworkWeights, then forward() to re-analyse at any k)

Each shard writes its own DIR; combine them with ricciflow merge.`;

export const MERGE_HELP = `ricciflow merge OUT DIR1 DIR2 … [--json]

Combines sweep directories (the shards of one sweep) into OUT: records deduplicated by id, in grid
order, OUT/sweep.json (unsharded) and OUT/summary.csv. Refuses directories holding different sweeps
(anything but the shard differs). Missing networks can be computed with ricciflow sweep --out OUT.
--json prints the merge summary as JSON on stdout (with a meta block).`;

function sweepLine(spec: SweepSpec, networks: number): string {
  return (
    `'${spec.name}': ${networks} networks = ${spec.datasets.length} datasets × ${spec.architectures.length} architectures × ` +
    `${spec.depths.length} depths × ${spec.seeds.length} seeds; k ${spec.k.join(',')}; ${spec.curvatures.join(',')}; ` +
    `${spec.training.epochs} epochs, batch ${spec.training.batchSize}`
  );
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, SWEEP_HELP, {
    preset: { type: 'string' },
    config: { type: 'string', short: 'c' },
    out: { type: 'string', short: 'o' },
    workers: { type: 'string', short: 'w' },
    threads: { type: 'string' },
    group: { type: 'string' },
    'data-dir': { type: 'string' },
    shard: { type: 'string' },
    'shard-index': { type: 'string' },
    'shard-count': { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    'save-weights': { type: 'boolean' },
    'export-csv': { type: 'string' },
    'print-preset': { type: 'string' },
  }, false);
  if (!args) return 0;
  const { values } = args;
  if (values['print-preset'] !== undefined) {
    const name = values['print-preset'];
    if (!PRESETS[name]) throw new InvalidArgumentError(`--print-preset: unknown preset '${name}' (expected ${PRESET_NAMES.join(', ')})`, 'print-preset');
    process.stdout.write(JSON.stringify(presetSweep(name), null, 2) + '\n');
    return 0;
  }
  if (values['export-csv'] !== undefined) {
    const dir = resolve(values['export-csv']);
    const { path, networks } = await exportCsv(dir);
    process.stdout.write(`${networks} networks → ${path}\n`);
    return 0;
  }
  if (values.preset !== undefined && values.config !== undefined)
    throw new InvalidArgumentError('give --preset or --config, not both', 'preset');
  if (values.out === undefined) throw new InvalidArgumentError('--out DIR is required (the results directory)', 'out');
  const outDir = resolve(values.out);

  const stored = await readStoredSweep(outDir);
  let spec: SweepSpec;
  if (values.preset !== undefined) spec = presetSweep(values.preset);
  else if (values.config !== undefined) spec = await readSweepFile(resolve(values.config));
  else if (stored) spec = resolveSweep(stored.sweep, `${outDir}/sweep.json`);
  else throw new InvalidArgumentError(`give --preset (${PRESET_NAMES.join(', ')}) or --config FILE (${outDir} holds no sweep yet)`, 'preset');
  const shard: Shard =
    values.shard === undefined && values['shard-index'] === undefined && values['shard-count'] === undefined && stored && values.preset === undefined && values.config === undefined
      ? stored.shard
      : parseShard(values.shard, process.env, values['shard-count'], values['shard-index']);

  const { threads, workers, cores } = parseParallelism(values);
  const group = parseCountOption(values.group, 'group', 1);

  const all = sweepConfigs(spec);
  // The tfjs backend is an optional dependency: say so before any work starts (exit 2).
  if (!values['dry-run'] && all.some((c) => c.training.backend === 'tfjs')) await (await import('../train/tfjs-backend.js')).loadTf('auto');
  const shardText = shard.count > 1 ? `, shard ${formatShard(shard)}` : '';
  if (values.json && !values['dry-run']) throw new InvalidArgumentError('--json goes with --dry-run (a sweep writes DIR/networks.jsonl)', 'json');
  if (values['dry-run']) {
    const mine = selectShard(all, shard);
    const units = workUnits(mine, group);
    if (values.json) {
      const perDataset: Record<string, number> = {};
      for (const c of mine) perDataset[c.dataset] = (perDataset[c.dataset] ?? 0) + 1;
      const out = {
        sweep: spec,
        grid: all.length,
        shard: { index: shard.index, count: shard.count, label: formatShard(shard) },
        networks: mine.length,
        tasks: units.length,
        workers,
        threads,
        cores,
        perDataset,
        ids: mine.map((c) => configId(c)),
        meta: await metaBlock(values.config !== undefined ? [values.config] : []),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }
    process.stdout.write(`sweep ${sweepLine(spec, all.length)}\n`);
    process.stdout.write(`this run${shardText}: ${mine.length} networks in ${units.length} tasks; ${workers} workers × ${threads} threads (${cores} cores)\n`);
    const per = new Map<string, number>();
    for (const c of mine) per.set(c.dataset, (per.get(c.dataset) ?? 0) + 1);
    for (const [d, n] of per) process.stdout.write(`  ${d.padEnd(20)} ${n}\n`);
    return 0;
  }

  const stop = stopOnSignals('sweep');
  const bar = networksBar();
  try {
    const res = await runSweep({
      spec,
      outDir,
      shard,
      workers,
      threads,
      group,
      signal: stop.signal,
      ...storageOptions(values),
      onStart: (i) => {
        note(
          `ricciflow sweep ${sweepLine(spec, i.grid)}${shardText}\n` +
            `  ${i.shardNetworks} networks in this ${shard.count > 1 ? 'shard' : 'sweep'}, ${i.skipped} already done, ${i.todo} to compute ` +
            `(${i.units} tasks; ${workers} workers × ${threads} threads on ${cores} cores); results in ${outDir}\n`,
        );
        bar.start(i.todo);
      },
      onRecord: (p) => bar.record(p),
    });
    const csv = await exportCsv(outDir, () => undefined);
    process.stdout.write(
      `${res.computed} networks computed in ${formatSeconds(res.seconds)} (${res.failed} failed training), ${res.skipped} were already done; ` +
        `${res.shardNetworks - res.remaining}/${res.shardNetworks} in ${outDir}/networks.jsonl; ${csv.path}\n`,
    );
    const failed = runFailureExit('sweep', res, stop);
    if (failed !== null) return failed;
    if (res.remaining === 0) process.stdout.write(`statistics: ricciflow stats ${outDir}\n`);
    return 0;
  } finally {
    stop.dispose();
  }
}

export async function mergeCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, MERGE_HELP, { json: { type: 'boolean' } });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length < 2) throw new InvalidArgumentError(`merge needs OUT and at least one DIR\n\n${MERGE_HELP}`, 'dirs');
  const [out, ...dirs] = positionals.map((p) => resolve(p));
  const res = await mergeSweepDirs(out!, dirs);
  if (values.json) {
    const summary = {
      out: res.out,
      sweep: res.sweep.name,
      grid: res.grid,
      networks: res.networks,
      missing: res.missing,
      duplicates: res.duplicates,
      inputs: res.inputs.map((i) => ({ dir: i.dir, shard: { index: i.shard.index, count: i.shard.count, label: formatShard(i.shard) }, records: i.records })),
      meta: await metaBlock(dirs.map((d) => `${d}/networks.jsonl`)),
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return 0;
  }
  for (const i of res.inputs)
    process.stdout.write(`  ${i.dir}: ${i.shard.count > 1 ? `shard ${formatShard(i.shard)}` : 'unsharded'}, ${i.records} networks\n`);
  process.stdout.write(
    `merged ${res.networks}/${res.grid} networks of '${res.sweep.name}' into ${res.out}` +
      `${res.duplicates ? ` (${res.duplicates} duplicates dropped)` : ''}; networks.jsonl, summary.csv, sweep.json\n`,
  );
  if (res.missing > 0)
    process.stdout.write(`${res.missing} networks of the grid are missing: compute them with ricciflow sweep --out ${res.out}\n`);
  return 0;
}
