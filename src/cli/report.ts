/**
 * `ricciflow report DIR`: argument parsing for src/report/write.ts `writeReport` (one
 * self-contained HTML report of a results directory, plus every figure as DIR/figures/<id>.svg).
 */
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import { writeReport, type ReportOptions } from '../report/write.js';
import { parseCurvatures, parseIntOption, parseNumberOption, verbArgs } from './args.js';

export const REPORT_HELP = `ricciflow report DIR [--out DIR/report.html] [--k K] [--curvature forman]
                 [--threshold ${WELL_TRAINED_THRESHOLD}] [--depth-threshold -0.2] [--no-projection]

Reads DIR/networks.jsonl and writes one self-contained HTML report (inline SVG figures, no network
access needed to open it) and each figure as DIR/figures/<figure>.svg, with its Vega-Lite spec
(DIR/figures/<figure>.vl.json, data inline) and data (DIR/figures/<figure>.csv) to restyle it. Figures use one k (default:
the first analysed) and one curvature (default: forman); figure 5 uses every analysed k. Figure 6
draws the test points of the best network of each 3-D synthetic dataset as its record stores them
(the report never trains); --no-projection skips it.`;

export async function reportCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, REPORT_HELP, {
    out: { type: 'string', short: 'o' },
    k: { type: 'string' },
    curvature: { type: 'string' },
    threshold: { type: 'string' },
    'depth-threshold': { type: 'string' },
    'no-projection': { type: 'boolean' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new InvalidArgumentError('report: give exactly one results directory (ricciflow report DIR)', 'dir');
  const dir = resolve(positionals[0]!);
  const options: ReportOptions = {};
  if (values.k !== undefined) options.k = parseIntOption(values.k, 'k');
  if (values.curvature !== undefined) {
    const c = parseCurvatures(values.curvature, ['forman']);
    if (c.length !== 1) throw new InvalidArgumentError('--curvature: give one curvature for the report', 'curvature');
    options.curvature = c[0]!;
  }
  if (values.threshold !== undefined) options.threshold = parseNumberOption(values.threshold, 'threshold', WELL_TRAINED_THRESHOLD);
  if (values['depth-threshold'] !== undefined) options.depthThreshold = parseNumberOption(values['depth-threshold'], 'depth-threshold', -0.2);
  if (values['no-projection']) options.projection = false;
  const path = await writeReport(dir, values.out ?? resolve(dir, 'report.html'), options);
  process.stdout.write(`report: ${path}\nfigures: ${resolve(dir, 'figures')}/\n`);
  return 0;
}
