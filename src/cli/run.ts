/**
 * `ricciflow run`: the main job. With no grid option, a short faithful reproduction of both papers
 * (src/study/reproduce.ts, `mainPlan`): the follow-up's Fashion-MNIST 5 vs 7 cells with its recipe
 * and the seed paper's synthetic study with its recipe, our numbers beside the published ones.
 * With grid options, a custom grid of seed-recipe networks. Either way it writes a results
 * directory (networks.jsonl, summary.csv, report.html) and continues where it stopped.
 */
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { SEED_RECIPE } from '../core/recipes.js';
import type { GraphMode } from '../analysis/geometry.js';
import type { LayerSelection } from '../analysis/pipeline.js';
import { configId } from '../study/network.js';
import { gridConfigs, type GridOptions } from '../study/grid.js';
import { readRecords } from '../study/store.js';
import { recordsToCsv, summaryTable } from '../study/summary.js';
import type { NetworkRecord } from '../study/types.js';
import { parseCurvatures, parseIntOption, parseNumberOption, parseParallelism, verbArgs } from './args.js';
import { ProgressBar, formatSeconds, writeFileAtomic, stopOnSignals } from './util.js';
import { metaBlock, note } from './output.js';
import { runReproductionVerb, writeReproductionFiles } from './reproduction.js';
import { runFailureExit, storageOptions, writeReportLine } from './runs.js';
import { formatReproduction, mainPlan } from '../study/reproduce.js';
import { readResultsDir, runGrid, sweepConfigs, type SweepRunResult } from '../study/sweep.js';

export const RUN_HELP = `ricciflow run [--out ricciflow-results] [--threads T] [--workers N] [--data-dir PATH] [--no-report]
ricciflow run [--datasets A,B,C] [--architectures narrow,wide,bottleneck] [--depth 5]
              [--seeds 0,1,2] [--epochs 50] [--k 15,30] [--curvature forman,augmented]
              [--layers all|hidden] [--mode union|mutual|directed] [--n-train 2000] [--n-test 500]
              [--backend native|tfjs] [--threads T] [--trajectory-every N]
              [--out ricciflow-results] [--no-report]

The main job. With no grid option: a short faithful reproduction of both papers, each with its own
training recipe and analysis, our numbers printed beside the published ones:
  - the seed paper's synthetic study: A, B, C × narrow/wide/bottleneck × depth 5 × 3 replicates
    (27 networks; RMSprop, 50 epochs, batch 32), analysed as its R script (directed kNN, hidden
    layers, node sums, Forman) at k = 30 and 120 on 1,000 test points;
  - the follow-up's Fashion-MNIST 5 vs 7 cells at width 25 × depth 7 and 15, one network each (full-batch
    Adam until 99 % training accuracy, PyTorch init; k = 50, augmented Forman, 500 test images per class).
Writes OUT/networks.jsonl (one record per network), OUT/summary.csv, OUT/reproduction.csv and
OUT/report.html (one sweep directory per part under OUT). Re-running skips finished networks.
--save-weights keeps each trained network's weights as <results dir>/weights/<record id>.npz.
\`ricciflow reproduce follow-up|seed-paper\` runs the papers' whole experiments.

With grid options: that grid of seed-recipe networks (defaults as shown). --trajectory-every N
records the geometry during training (mean local ρ and r_l on up to 500 test points every N epochs).`;

const GRID_OPTIONS = [
  'datasets', 'architectures', 'depth', 'seeds', 'epochs', 'k', 'curvature', 'layers', 'mode', 'alpha', 'n-train', 'n-test', 'batch-size', 'backend', 'trajectory-every',
] as const;

function list(v: string | undefined, fallback: string[]): string[] {
  return v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean);
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, RUN_HELP, {
    datasets: { type: 'string' },
    architectures: { type: 'string' },
    depth: { type: 'string' },
    seeds: { type: 'string' },
    epochs: { type: 'string' },
    k: { type: 'string' },
    curvature: { type: 'string' },
    layers: { type: 'string' },
    mode: { type: 'string' },
    alpha: { type: 'string' },
    'n-train': { type: 'string' },
    'n-test': { type: 'string' },
    'batch-size': { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    workers: { type: 'string', short: 'w' },
    'data-dir': { type: 'string' },
    out: { type: 'string', short: 'o', default: 'ricciflow-results' },
    'no-report': { type: 'boolean' },
    'trajectory-every': { type: 'string' },
    'save-weights': { type: 'boolean' },
  }, /* positionals */ false);
  if (!args) return 0;
  const { values } = args;
  if (!GRID_OPTIONS.some((o) => values[o] !== undefined)) return mainJob(values);
  if (values.workers !== undefined || values['data-dir'] !== undefined)
    throw new InvalidArgumentError('--workers and --data-dir go with the main job (no grid options)', values.workers !== undefined ? 'workers' : 'data-dir');
  const backend = (values.backend ?? 'native') as 'native' | 'tfjs';
  if (backend !== 'native' && backend !== 'tfjs') throw new InvalidArgumentError(`--backend: expected native or tfjs, got '${backend}'`, 'backend');
  const layers = (values.layers ?? 'all') as LayerSelection;
  if (layers !== 'all' && layers !== 'hidden') throw new InvalidArgumentError(`--layers: expected all or hidden`, 'layers');
  const grid: GridOptions = {
    datasets: list(values.datasets, ['A', 'B', 'C']),
    architectures: list(values.architectures, ['narrow', 'wide', 'bottleneck']),
    depths: list(values.depth, ['5']).map((s) => parseIntOption(s, 'depth')),
    seeds: list(values.seeds, ['0', '1', '2']).map((s) => parseIntOption(s, 'seeds')),
    // The seed recipe (docs/method.md §8a; src/core/recipes.ts).
    epochs: parseIntOption(values.epochs, 'epochs', SEED_RECIPE.epochs),
    batchSize: parseIntOption(values['batch-size'], 'batch-size', SEED_RECIPE.batchSize),
    learningRate: SEED_RECIPE.learningRate,
    validationSplit: SEED_RECIPE.validationSplit,
    backend,
    k: list(values.k, ['15', '30']).map((s) => parseIntOption(s, 'k')),
    curvatures: parseCurvatures(values.curvature, ['forman', 'augmented']),
    mode: (values.mode ?? 'union') as GraphMode,
    layers,
    alpha: parseNumberOption(values.alpha, 'alpha', 0.5),
    nTrain: parseIntOption(values['n-train'], 'n-train', 2000),
    nTest: parseIntOption(values['n-test'], 'n-test', 500),
    dataSeed: 0,
  };
  const threads = parseIntOption(values.threads, 'threads', 0);
  const trajectoryEvery = values['trajectory-every'] === undefined ? undefined : parseIntOption(values['trajectory-every'], 'trajectory-every');
  const outDir = resolve(values.out!);
  const configs = gridConfigs(grid);
  // The sweep runner (src/study/sweep-run.ts) under the directory's lock, one cell per task as
  // before; the configs keep this grid's own form, so record ids stay those of earlier runs.
  const stop = stopOnSignals('run');
  let trainBar: ProgressBar | null = null;
  let analysisBar: ProgressBar | null = null;
  let epochsDone = 0;
  let res: SweepRunResult;
  try {
    res = await runGrid({
      configs,
      outDir,
      threads,
      group: grid.seeds.length,
      signal: stop.signal,
      ...(trajectoryEvery !== undefined ? { trajectoryEvery } : {}),
      ...storageOptions(values),
      onStart: (i) => {
        process.stderr.write(
          `ricciflow run: ${configs.length} networks (${grid.datasets.join(',')} × ${grid.architectures.join(',')} × depth ${grid.depths.join(',')} × seeds ${grid.seeds.join(',')}), ` +
            `${i.skipped} already done, results in ${outDir}\n`,
        );
        trainBar = new ProgressBar('train  ', i.todo * grid.epochs);
        analysisBar = new ProgressBar('analyse', i.todo);
      },
      onEpoch: (_e, label) => trainBar?.update(++epochsDone, label),
      onRecord: (p) => {
        analysisBar?.update(p.done, p.label);
        // Networks that stopped early leave epochs unaccounted for: keep the bar honest.
        if (p.done * grid.epochs > epochsDone) {
          epochsDone = p.done * grid.epochs;
          trainBar?.update(epochsDone, p.label);
        }
      },
    });
  } finally {
    stop.dispose();
  }
  const byId = new Map((await readRecords(resolve(outDir, 'networks.jsonl'), () => undefined)).records.map((r) => [r.id, r]));
  const all = configs.flatMap((c) => byId.get(configId(c)) ?? []);
  await writeFileAtomic(resolve(outDir, 'summary.csv'), recordsToCsv(all));
  process.stdout.write(summaryTable(all) + '\n');
  process.stdout.write(`\n${all.length} networks in ${formatSeconds(res.seconds)}; results: ${outDir}/networks.jsonl, ${outDir}/summary.csv\n`);
  const failed = runFailureExit('run', res, stop);
  if (failed !== null) return failed;
  if (!values['no-report']) await writeReportLine(outDir, resolve(outDir, 'report.html'));
  await writeFileAtomic(resolve(outDir, 'run.json'), JSON.stringify({ grid, threads, finishedAt: new Date().toISOString(), meta: await metaBlock() }, null, 2) + '\n');
  return 0;
}

interface MainValues {
  out?: string | undefined;
  threads?: string | undefined;
  workers?: string | undefined;
  'data-dir'?: string | undefined;
  'save-weights'?: boolean | undefined;
  'no-report'?: boolean | undefined;
}

/** The main job: both papers' short reproduction (src/study/reproduce.ts, mainPlan). */
async function mainJob(values: MainValues): Promise<number> {
  const outDir = resolve(values.out ?? 'ricciflow-results');
  const { threads, workers, cores } = parseParallelism(values);
  const parts = mainPlan();
  const grid = parts.reduce((s, p) => s + sweepConfigs(p.spec).length, 0);
  note(`ricciflow run: the main job, ${grid} networks in ${parts.length} parts (${workers} workers × ${threads} threads on ${cores} cores); results in ${outDir}`);
  const { table, stop } = await runReproductionVerb('run', 'main', parts, {
    outDir,
    workers,
    threads,
    values,
    onPart: (p, i, n) => note(`[${i + 1}/${n}] ${p.name}: ${p.spec.description ?? p.title}`),
    onStart: (s) => {
      if (s.skipped) note(`  ${s.skipped} of ${s.grid} networks already done`);
    },
  });
  // One results directory: every part's records (in plan order), summary.csv, the comparison.
  const all: NetworkRecord[] = [];
  for (const p of table.parts) all.push(...(await readResultsDir(p.dir).then((r) => r.records, () => [] as NetworkRecord[])));
  await writeFileAtomic(resolve(outDir, 'networks.jsonl'), all.map((r) => JSON.stringify(r) + '\n').join(''));
  await writeFileAtomic(resolve(outDir, 'summary.csv'), recordsToCsv(all));
  await writeReproductionFiles(outDir, table);
  process.stdout.write(summaryTable(all) + '\n\n');
  process.stdout.write(formatReproduction(table) + '\n\n');
  const defined = all.filter((r) => r.byK[0] && Object.values(r.byK[0].coefficients)[0]?.rho !== null && r.status === 'ok').length;
  process.stdout.write(
    `${all.length} networks (${defined} with a defined ρ at their first k) in ${formatSeconds(table.seconds)}; results: ${outDir}/networks.jsonl, ${outDir}/summary.csv, ${outDir}/reproduction.csv\n`,
  );
  if (!values['no-report'] && !stop.signal.aborted && all.length > 0)
    await writeReportLine(outDir, resolve(outDir, 'report.html'), { reproduction: table, quiet: true });
  await writeFileAtomic(resolve(outDir, 'run.json'), JSON.stringify({ main: true, parts: table.parts.map((p) => p.name), threads, workers, finishedAt: new Date().toISOString(), meta: await metaBlock() }, null, 2) + '\n');
  const stopped = stop.exitCode();
  if (stopped !== null) return stopped;
  // A dataset that is not on this machine (e.g. Fashion-MNIST) leaves its cells empty, with the
  // reason in the table; the job itself succeeded. Failed networks or other errors: status 1.
  const dataOnly = (p: (typeof table.parts)[number]): boolean => p.errors.every((e) => e.startsWith('dataset '));
  for (const p of table.parts)
    if (p.missing > 0 && dataOnly(p)) note(`ricciflow run: ${p.name}: ${p.missing} network(s) not computed: ${p.errors.join('; ')}`);
  return table.parts.some((p) => p.failed > 0 || (p.missing > 0 && !dataOnly(p))) ? 1 : 0;
}
