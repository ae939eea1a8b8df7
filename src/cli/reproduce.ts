/**
 * `ricciflow reproduce seed-paper | follow-up [--quick] [--out DIR]`: each paper's experiments
 * with its own recipe and analysis settings, and a table of our numbers beside the published ones
 * (src/study/reproduce.ts; docs/sweeps.md, "Reproducing the papers").
 */
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import { PAPER_NAMES, formatReproduction, planFor, type PaperName } from '../study/reproduce.js';
import { exportCsv } from '../study/sweep.js';
import { parseCountOption, parseParallelism, verbArgs } from './args.js';
import { note } from './output.js';
import { runReproductionVerb, writeReproductionFiles } from './reproduction.js';
import { writeReportLine } from './runs.js';
import { formatSeconds } from './util.js';

export const REPRODUCE_HELP = `ricciflow reproduce seed-paper|follow-up [--quick] [--out DIR] [--workers N] [--threads T]
                    [--replicates R] [--datasets a,b] [--data-dir PATH] [--no-report]

Runs a paper's experiments with that paper's own training recipe and analysis settings, then prints
our value beside the published one for every published cell: ours (± spread over replicates),
published (± its spread), the difference, and whether it lies within max(0.1, 2 × published spread).

  follow-up   its local-coefficient tables (Fashion-MNIST 5v7, 3v6, MNIST 1v7, 6v9, Syn-I…IV ×
              widths 15, 25, 50 × depths 7, 10, 15 × 3 replicates; full-batch Adam to 99 % training
              accuracy; k = 50, augmented Forman) and its untrained networks (Syn-I…IV, 10 each)
  seed-paper  its accuracy study (7 datasets × narrow/wide/bottleneck × depth 5, 11 × 36 replicates;
              RMSprop, 50 epochs; seed R analysis at k = 30, 120, 300): share of well-trained networks
              with ρ < 0, Spearman(ρ, accuracy) above ${WELL_TRAINED_THRESHOLD}, pooled aa2 (and aa), exclusions

  --quick        a faithful subset (a few cells, fewer replicates; minutes)
  --out DIR      results (default ricciflow-reproduce/<paper>[-quick]): one resumable sweep directory
                 per experiment, reproduction.csv, reproduction.json and report.html
  --replicates R replicates per cell instead of the paper's (or the quick plan's)
  --datasets a,b only these datasets (a smaller slice of the same experiments)

Re-running continues where it stopped. Published values and their sources: src/study/published.ts.`;

export async function reproduceCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, REPRODUCE_HELP, {
    quick: { type: 'boolean' },
    out: { type: 'string', short: 'o' },
    workers: { type: 'string', short: 'w' },
    threads: { type: 'string' },
    replicates: { type: 'string' },
    datasets: { type: 'string' },
    'data-dir': { type: 'string' },
    'no-report': { type: 'boolean' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1 || !(PAPER_NAMES as readonly string[]).includes(positionals[0]!))
    throw new InvalidArgumentError(`reproduce: name one paper: ${PAPER_NAMES.join(' or ')}${positionals.length ? ` (got '${positionals.join(' ')}')` : ''}\n\n${REPRODUCE_HELP}`, 'paper');
  const paper = positionals[0] as PaperName;
  const quick = values.quick === true;
  const { threads, workers, cores } = parseParallelism(values);
  const replicates = values.replicates !== undefined ? parseCountOption(values.replicates, 'replicates') : undefined;
  const datasets = values.datasets?.split(',').map((s) => s.trim()).filter(Boolean);
  const parts = planFor(paper, { quick, ...(datasets ? { datasets } : {}), ...(replicates !== undefined ? { replicates } : {}) });
  if (parts.length === 0) throw new InvalidArgumentError(`--datasets: none of ${datasets!.join(', ')} is part of the ${paper} experiments`, 'datasets');
  const outDir = resolve(values.out ?? `ricciflow-reproduce/${paper}${quick ? '-quick' : ''}`);

  const { table, stop } = await runReproductionVerb('reproduce', paper, parts, {
    outDir,
    workers,
    threads,
    values,
    quick,
    onPart: (p, i, n) => note(`ricciflow reproduce ${paper}${quick ? ' --quick' : ''} [${i + 1}/${n}] ${p.name}: ${p.title}\n  ${p.spec.description ?? ''}`),
    onStart: (s) => note(`  ${s.grid} networks, ${s.skipped} already done, ${s.todo} to compute (${workers} workers × ${threads} threads on ${cores} cores)`),
    onPartDone: async (p) => {
      await exportCsv(resolve(outDir, p.name), () => undefined).catch(() => undefined);
    },
  });
  for (const p of table.parts) await exportCsv(p.dir, () => undefined).catch(() => undefined);
  const { csv, json } = await writeReproductionFiles(outDir, table);
  process.stdout.write(formatReproduction(table) + '\n\n');
  process.stdout.write(`${formatSeconds(table.seconds)}; table: ${csv} (and ${json})\n`);
  if (!values['no-report'] && !stop.signal.aborted) {
    const first = table.parts.find((p) => p.ok > 0);
    if (first) await writeReportLine(first.dir, resolve(outDir, 'report.html'), { reproduction: table, quiet: true });
  }
  const stopped = stop.exitCode();
  if (stopped !== null) return stopped;
  const missing = table.parts.reduce((s, p) => s + p.missing + p.failed, 0);
  return missing > 0 ? 1 : 0;
}
