/** `ricciflow stats DIR`: the accuracy association of docs/method.md §6 on a results directory. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import type { CurvatureName } from '../analysis/geometry.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import { readResults } from '../study/results.js';
import { accuracyStatistics, formatStatistics } from '../study/statistics.js';
import { parseCurvatures, parseIntOption, parseNumberOption, verbArgs } from './args.js';
import { metaBlock, note, writeOutput } from './output.js';
import { toJsonValue } from './util.js';

export const STATS_HELP = `ricciflow stats DIR|networks.jsonl [--threshold ${WELL_TRAINED_THRESHOLD}] [--k K] [--curvature forman]
                [--json] [--out STATS.json|-]

Among networks with test accuracy above the threshold: Pearson and Spearman correlation of the
Ricci coefficient ρ and of its Fisher z with accuracy (p-values, counts), overall and per dataset,
architecture and depth; the linear model accuracy ~ ρ + dataset + architecture + depth (coefficient,
SE and p of ρ; single-level factors dropped); the seed R recipe's pooled layer-skip correlation
(aa2) with the seed script's same-layer figure (aa) beside it, pooled and per dataset · architecture ·
depth; the share of networks with ρ < 0; excluded networks by reason. --json prints everything as JSON on
stdout instead of the text (with a meta block); --out FILE writes that JSON to FILE as well.`;

export async function statsCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, STATS_HELP, {
    threshold: { type: 'string' },
    k: { type: 'string' },
    curvature: { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string', short: 'o' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new InvalidArgumentError(`stats needs one results directory (or networks.jsonl)\n\n${STATS_HELP}`, 'dir');
  const path = resolve(positionals[0]!);
  const isFile = await stat(path).then((s) => s.isFile(), () => false);
  const { records } = await readResults(path);
  const curv = values.curvature !== undefined ? parseCurvatures(values.curvature) : undefined;
  if (curv && curv.length !== 1) throw new InvalidArgumentError('--curvature: give one curvature', 'curvature');
  const result = accuracyStatistics(records, {
    threshold: parseNumberOption(values.threshold, 'threshold', WELL_TRAINED_THRESHOLD),
    ...(values.k !== undefined ? { k: parseIntOption(values.k, 'k') } : {}),
    ...(curv ? { curvature: curv[0] as CurvatureName } : {}),
  });
  const json = (): Promise<string> =>
    metaBlock([isFile ? path : resolve(path, 'networks.jsonl')]).then(
      (meta) => JSON.stringify(toJsonValue({ source: path, ...result, meta }), null, 2) + '\n',
    );
  if (values.json || values.out === '-') await writeOutput('-', await json());
  else process.stdout.write(formatStatistics(result, positionals[0]) + '\n');
  if (values.out !== undefined && values.out !== '-') {
    await writeOutput(values.out, await json());
    note(`JSON: ${resolve(values.out)}`);
  }
  return 0;
}
