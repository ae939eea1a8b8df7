/**
 * `ricciflow report DIR`: one self-contained HTML report of a results directory (figures inline as
 * SVG, summary table, depth diagnostic), plus every figure as DIR/figures/<id>.svg.
 */
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { InvalidArgumentError } from '../core/errors.js';
import { figureFiles } from '../export/figures.js';
import { buildFigures, type FigureOptions } from '../report/figures.js';
import { renderHtml } from '../report/html.js';
import { VERSION } from '../core/version.js';
import { WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
import type { ReproductionTable } from '../study/reproduce.js';
import { readRecords } from '../study/store.js';
import { parseCurvatures, parseIntOption, parseNumberOption } from './geometry.js';
import { writeFileAtomic } from './util.js';

export const REPORT_HELP = `ricciflow report DIR [--out DIR/report.html] [--k K] [--curvature forman]
                 [--threshold ${WELL_TRAINED_THRESHOLD}] [--depth-threshold -0.2] [--no-projection]

Reads DIR/networks.jsonl and writes one self-contained HTML report (inline SVG figures, no network
access needed to open it) and each figure as DIR/figures/<figure>.svg, with its Vega-Lite spec
(DIR/figures/<figure>.vl.json, data inline) and data (DIR/figures/<figure>.csv) to restyle it. Figures use one k (default:
the first analysed) and one curvature (default: forman); figure 5 uses every analysed k. Figure 6
draws the test points of the best network of each 3-D synthetic dataset as its record stores them
(the report never trains); --no-projection skips it.`;

export interface ReportOptions extends FigureOptions {
  /** Our numbers beside the published ones; default: DIR/reproduction.json when present. */
  reproduction?: ReproductionTable;
  /** Echo progress lines to stderr. */
  quiet?: boolean;
}

/**
 * Writes the report of results directory `dir` to `out` (and the figures to `dir/figures/`).
 * Returns the absolute path of the HTML file.
 */
/** A reproduction table written by `ricciflow reproduce` / the main job, or undefined. */
async function readReproduction(path: string): Promise<ReproductionTable | undefined> {
  try {
    const t = JSON.parse(await readFile(path, 'utf8')) as ReproductionTable;
    return t?.format === 'ricciflow-reproduction/1' && Array.isArray(t.rows) ? t : undefined;
  } catch {
    return undefined;
  }
}

export async function writeReport(dir: string, out: string, options: ReportOptions = {}): Promise<string> {
  const root = resolve(dir);
  const { records, torn } = await readRecords(resolve(root, 'networks.jsonl'));
  if (records.length === 0) throw new InvalidArgumentError(`${root}: no records in networks.jsonl (run \`ricciflow run --out ${dir}\` first)`, 'dir');
  const { figures, selection } = await buildFigures(records, options);
  const figDir = resolve(root, 'figures');
  for (const f of figures) {
    const path = resolve(figDir, `${f.id}.svg`);
    const vl = resolve(figDir, `${f.id}.vl.json`);
    const csv = resolve(figDir, `${f.id}.csv`);
    if (f.svg) await writeFileAtomic(path, f.svg);
    else await rm(path, { force: true });
    // The spec (data inline) and its data, to restyle or redraw the figure elsewhere.
    if (f.spec) {
      const files = figureFiles(f.spec);
      await writeFileAtomic(vl, files.json);
      await writeFileAtomic(csv, files.csv);
    } else {
      await rm(vl, { force: true });
      await rm(csv, { force: true });
    }
  }
  const reproduction = options.reproduction ?? (await readReproduction(resolve(root, 'reproduction.json')));
  const html = renderHtml({ dir: root, records, figures, selection, torn, version: VERSION, generatedAt: new Date().toISOString(), ...(reproduction ? { reproduction } : {}) });
  const target = resolve(out);
  await writeFileAtomic(target, html);
  return target;
}

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      k: { type: 'string' },
      curvature: { type: 'string' },
      threshold: { type: 'string' },
      'depth-threshold': { type: 'string' },
      'no-projection': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(REPORT_HELP + '\n');
    return 0;
  }
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
