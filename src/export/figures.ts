/**
 * A report figure's Vega-Lite spec and data as files, so figures can be restyled or redrawn
 * elsewhere (Altair, the Vega editor, ggplot2 from the CSV): `<id>.vl.json` is the complete spec
 * with its data inline; `<id>.csv` holds the same rows. A spec with several inline datasets (a
 * layered figure) gets one CSV with a `part` column naming the dataset's place in the spec.
 */
import type { Cell, Table } from './tables.js';
import { tableToCsv } from './tables.js';

/** Every inline `data: {values: [...]}` of a spec, with the path where it sits. */
function inlineData(spec: unknown, path = ''): Array<{ path: string; values: Record<string, unknown>[] }> {
  const out: Array<{ path: string; values: Record<string, unknown>[] }> = [];
  if (Array.isArray(spec)) spec.forEach((s, i) => out.push(...inlineData(s, `${path}[${i}]`)));
  else if (spec && typeof spec === 'object') {
    const o = spec as Record<string, unknown>;
    const d = o.data as { values?: unknown } | undefined;
    if (d && Array.isArray(d.values)) out.push({ path: path === '' ? 'data' : `${path}.data`, values: d.values as Record<string, unknown>[] });
    for (const [k, v] of Object.entries(o)) if (k !== 'data') out.push(...inlineData(v, path === '' ? k : `${path}.${k}`));
  }
  return out;
}

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** The data rows of a spec as one table (with `part` when the spec holds several datasets). */
export function specDataTable(spec: unknown): Table {
  const parts = inlineData(spec);
  const multi = parts.length > 1;
  const columns: string[] = multi ? ['part'] : [];
  for (const p of parts) for (const row of p.values) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const rows: Cell[][] = [];
  for (const p of parts)
    for (const row of p.values) rows.push(columns.map((c) => (multi && c === 'part' ? p.path : cell(row[c]))));
  return { columns, rows };
}

/** `<id>.vl.json` and `<id>.csv` contents of a figure spec. */
export function figureFiles(spec: unknown): { json: string; csv: string } {
  return { json: JSON.stringify(spec, null, 1) + '\n', csv: tableToCsv(specDataTable(spec)) };
}
