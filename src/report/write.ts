/**
 * `writeReport`: one self-contained HTML report of a results directory (figures inline as SVG,
 * summary table, depth diagnostic, the reproduction table when present), plus every figure as
 * DIR/figures/<id>.svg with its Vega-Lite spec and data (docs/report.md). Reads records only.
 */
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { VERSION } from '../core/version.js';
import { figureFiles } from '../export/figures.js';
import type { ReproductionTable } from '../study/reproduce-plan.js';
import { readResults } from '../study/results.js';
import { buildFigures, type FigureOptions } from './figures/index.js';
import { renderHtml } from './html.js';

export interface ReportOptions extends FigureOptions {
  /** Our numbers beside the published ones; default: DIR/reproduction.json when present. */
  reproduction?: ReproductionTable;
  /** Echo progress lines to stderr. */
  quiet?: boolean;
}

/** A reproduction table written by `ricciflow reproduce` / the main job, or undefined. */
async function readReproduction(path: string): Promise<ReproductionTable | undefined> {
  try {
    const t = JSON.parse(await readFile(path, 'utf8')) as ReproductionTable;
    return t?.format === 'ricciflow-reproduction/1' && Array.isArray(t.rows) ? t : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the report of results directory `dir` to `out` (and the figures to `dir/figures/`).
 * Returns the absolute path of the HTML file.
 */
export async function writeReport(dir: string, out: string, options: ReportOptions = {}): Promise<string> {
  const root = resolve(dir);
  // The records as `ricciflow stats` reads them: one per id, in grid order when DIR holds its sweep.
  const { records, torn } = await readResults(root);
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
