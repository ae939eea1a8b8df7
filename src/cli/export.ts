/** `ricciflow export DIR`: tidy tables of a results directory for pandas, polars and R. */
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { buildTable, encodeTable, readResults, tablePath, type ExportFormat, type TableName } from '../export/index.js';
import { note } from './output.js';
import { writeFileAtomic } from './util.js';
import { verbArgs } from './args.js';

export const EXPORT_HELP = `ricciflow export DIR|networks.jsonl [--out OUTDIR|-] [--format csv|arrow] [--points]
                 [--table networks|layers|points]

Long ("tidy") tables of a results directory, one value per cell, missing values empty (CSV) or
null (Arrow):
  networks.csv  one row per network × k × curvature: id, dataset, architecture, depth, widths,
                seed, status, accuracy, train_accuracy, test_loss, epochs_trained, n_test, k,
                curvature, mode, layers, node, alpha, rho, z, m, reason, local_mean, … and every
                further scalar of the record and its data_* / training_* settings
  layers.csv    one row per network × k × curvature × layer l (0 = input): width, ric, g,
                eta (= g_{l+1} − g_l), r (layer coefficient of l → l+1), connected, components, edges
  points.csv    with --points: one row per network × k × curvature × test point: local_rho
--format arrow writes Arrow IPC files (.arrow, Feather v2: pandas.read_feather, polars.read_ipc,
arrow::read_feather) through the optional package apache-arrow. OUTDIR defaults to DIR; --out -
writes one table (--table, default networks) as CSV to stdout.`;

export async function exportCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, EXPORT_HELP, {
    out: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'csv' },
    points: { type: 'boolean' },
    table: { type: 'string' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new InvalidArgumentError('export: give one results directory (or networks.jsonl)', 'dir');
  const format = values.format as ExportFormat;
  if (format !== 'csv' && format !== 'arrow') throw new InvalidArgumentError(`--format: expected csv or arrow, got '${values.format}'`, 'format');
  const tables: TableName[] = values.table !== undefined ? [values.table as TableName] : ['networks', 'layers', ...(values.points ? (['points'] as const) : [])];
  for (const t of tables)
    if (t !== 'networks' && t !== 'layers' && t !== 'points')
      throw new InvalidArgumentError(`--table: expected networks, layers or points, got '${t}'`, 'table');
  if (values.out === '-') {
    if (format !== 'csv') throw new InvalidArgumentError('--out - writes CSV (Arrow is binary: give --out DIR)', 'format');
    if (tables.length !== 1 && values.table === undefined) tables.splice(1);
    if (tables.length !== 1) throw new InvalidArgumentError('--out - writes one table: choose it with --table', 'table');
  }
  const src = resolve(positionals[0]!);
  const records = await readResults(src);
  if (records.length === 0) throw new InvalidArgumentError(`${src}: no network records to export`, 'dir');
  if (values.out === '-') {
    process.stdout.write((await encodeTable(buildTable(tables[0]!, records), 'csv')) as string);
    return 0;
  }
  const outDir = resolve(values.out ?? (/\.jsonl$/i.test(src) ? resolve(src, '..') : src));
  for (const name of tables) {
    const t = buildTable(name, records);
    if (name === 'points' && t.rows.length === 0)
      note('note: the records keep no per-point values (local ρ(x)); points table is empty');
    const path = tablePath(outDir, name, format);
    await writeFileAtomic(path, await encodeTable(t, format));
    note(`${name}: ${t.rows.length} rows × ${t.columns.length} columns → ${path}`);
  }
  return 0;
}
