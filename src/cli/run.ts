/**
 * `ricciflow run`: the main job. On built-in synthetic data, trains a small grid of the seed
 * paper's networks, analyses every network, prints a summary and writes a results directory.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { InvalidArgumentError } from '../errors.js';
import type { GraphMode } from '../geometry.js';
import type { LayerSelection } from '../analysis.js';
import { configId, runCell } from '../study/network.js';
import { cells, gridConfigs, type GridOptions } from '../study/grid.js';
import { RecordWriter } from '../study/store.js';
import { recordsToCsv, summaryTable } from '../study/summary.js';
import type { NetworkRecord } from '../study/types.js';
import { parseCurvatures, parseIntOption, parseNumberOption } from './geometry.js';
import { ProgressBar, formatSeconds, writeFileAtomic } from './util.js';

export const RUN_HELP = `ricciflow run [--datasets A,B,C] [--architectures narrow,wide,bottleneck] [--depth 5]
              [--seeds 0,1,2] [--epochs 50] [--k 15,30] [--curvature forman,augmented]
              [--layers all|hidden] [--mode union|mutual|directed] [--n-train 2000] [--n-test 500]
              [--backend native|tfjs] [--threads T] [--trajectory-every N]
              [--out ricciflow-results] [--no-report]

The main job. With no options: the seed paper's synthetic datasets A, B, C × narrow/wide/
bottleneck × 5 hidden layers × seeds 0,1,2 (27 networks), 50 epochs (seed recipe), analysed at k = 15 and 30 with Forman and
augmented Forman curvature. Writes OUT/networks.jsonl (one record per network), OUT/summary.csv
and OUT/report.html. Re-running skips finished networks. --trajectory-every N records the
geometry during training (mean local ρ and r_l on up to 500 test points every N epochs).`;

function list(v: string | undefined, fallback: string[]): string[] {
  return v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean);
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      datasets: { type: 'string' },
      architectures: { type: 'string' },
      depth: { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      k: { type: 'string' },
      curvature: { type: 'string' },
      layers: { type: 'string', default: 'all' },
      mode: { type: 'string', default: 'union' },
      alpha: { type: 'string' },
      'n-train': { type: 'string' },
      'n-test': { type: 'string' },
      'batch-size': { type: 'string' },
      backend: { type: 'string', default: 'native' },
      threads: { type: 'string' },
      out: { type: 'string', short: 'o', default: 'ricciflow-results' },
      'no-report': { type: 'boolean' },
      'trajectory-every': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(RUN_HELP + '\n');
    return 0;
  }
  const backend = values.backend as 'native' | 'tfjs';
  if (backend !== 'native' && backend !== 'tfjs') throw new InvalidArgumentError(`--backend: expected native or tfjs, got '${backend}'`, 'backend');
  const layers = values.layers as LayerSelection;
  if (layers !== 'all' && layers !== 'hidden') throw new InvalidArgumentError(`--layers: expected all or hidden`, 'layers');
  const grid: GridOptions = {
    datasets: list(values.datasets, ['A', 'B', 'C']),
    architectures: list(values.architectures, ['narrow', 'wide', 'bottleneck']),
    depths: list(values.depth, ['5']).map((s) => parseIntOption(s, 'depth')),
    seeds: list(values.seeds, ['0', '1', '2']).map((s) => parseIntOption(s, 'seeds')),
    epochs: parseIntOption(values.epochs, 'epochs', 50),
    batchSize: parseIntOption(values['batch-size'], 'batch-size', 32),
    learningRate: 0.001,
    validationSplit: 0.2,
    backend,
    k: list(values.k, ['15', '30']).map((s) => parseIntOption(s, 'k')),
    curvatures: parseCurvatures(values.curvature, ['forman', 'augmented']),
    mode: values.mode as GraphMode,
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
  await mkdir(outDir, { recursive: true });
  const { writer, existing } = await RecordWriter.open(resolve(outDir, 'networks.jsonl'));
  const done = new Map(existing.map((r) => [r.id, r]));
  const todo = configs.filter((c) => !done.has(configId(c)));
  process.stderr.write(
    `ricciflow run: ${configs.length} networks (${grid.datasets.join(',')} × ${grid.architectures.join(',')} × depth ${grid.depths.join(',')} × seeds ${grid.seeds.join(',')}), ` +
      `${configs.length - todo.length} already done, results in ${outDir}\n`,
  );
  const t0 = Date.now();
  const trainBar = new ProgressBar('train  ', todo.length * grid.epochs);
  const analysisBar = new ProgressBar('analyse', todo.length);
  let epochsDone = 0, analysed = 0;
  const fresh: NetworkRecord[] = [];
  for (const cell of cells(todo)) {
    const c0 = cell[0]!;
    const label = `${c0.dataset}/${c0.architecture}-${c0.depth}`;
    const records = await runCell(cell, {
      threads,
      ...(trajectoryEvery !== undefined ? { trajectoryEvery } : {}),
      onEpoch: () => trainBar.update(++epochsDone, label),
      onAnalysed: () => analysisBar.update(++analysed, label),
    });
    for (const r of records) {
      await writer.append(r);
      fresh.push(r);
    }
    // Networks that stopped early leave epochs unaccounted for: keep the bar honest.
    epochsDone = Math.max(epochsDone, fresh.length * grid.epochs);
    trainBar.update(epochsDone, label);
  }
  for (const r of fresh) done.set(r.id, r);
  const all = configs.flatMap((c) => done.get(configId(c)) ?? []);
  await writeFileAtomic(resolve(outDir, 'summary.csv'), recordsToCsv(all));
  process.stdout.write(summaryTable(all) + '\n');
  process.stdout.write(`\n${all.length} networks in ${formatSeconds((Date.now() - t0) / 1000)}; results: ${outDir}/networks.jsonl, ${outDir}/summary.csv\n`);
  if (!values['no-report']) {
    const reportModule = './report.js'; // optional module (issue E)
    const report = (await import(reportModule).catch(() => null)) as { writeReport?: (dir: string, out: string) => Promise<string> } | null;
    if (report?.writeReport) {
      const path = await report.writeReport(outDir, resolve(outDir, 'report.html'));
      process.stdout.write(`report: ${path}\n`);
    }
  }
  await writeFile(resolve(outDir, 'run.json'), JSON.stringify({ grid, threads, finishedAt: new Date().toISOString() }, null, 2) + '\n');
  return 0;
}
