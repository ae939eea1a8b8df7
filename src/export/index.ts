/**
 * `ricciflow/export` (and the `ricciflow export` command): a results directory as tidy tables
 * (CSV or Arrow IPC), see ./tables.ts.
 *
 * @module ricciflow/export
 */
import { join } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { readResults as readStudyResults } from '../study/results.js';
import type { NetworkRecord } from '../study/types.js';
import { layersTable, networksTable, pointsTable, tableToCsv, type Table } from './tables.js';

export { layersTable, networksTable, pointsTable, tableToCsv, type Table, type Cell } from './tables.js';
export { tableToArrow } from './arrow.js';

export type TableName = 'networks' | 'layers' | 'points';
export type ExportFormat = 'csv' | 'arrow';

/** The records of a results directory (or of one networks.jsonl file), as src/study/results.ts reads them for stats and the report. */
export async function readResults(path: string): Promise<NetworkRecord[]> {
  return (await readStudyResults(path)).records;
}

export function buildTable(name: TableName, records: readonly NetworkRecord[]): Table {
  if (name === 'networks') return networksTable(records);
  if (name === 'layers') return layersTable(records);
  if (name === 'points') return pointsTable(records);
  throw new InvalidArgumentError(`unknown table '${String(name)}' (expected networks, layers or points)`, 'table');
}

/** Bytes of a table in a format. */
export async function encodeTable(t: Table, format: ExportFormat): Promise<Uint8Array | string> {
  if (format === 'csv') return tableToCsv(t);
  if (format === 'arrow') return (await import('./arrow.js')).tableToArrow(t);
  throw new InvalidArgumentError(`--format: expected csv or arrow, got '${String(format)}'`, 'format');
}

export const EXTENSION: Record<ExportFormat, string> = { csv: 'csv', arrow: 'arrow' };

export function tablePath(dir: string, name: TableName, format: ExportFormat): string {
  return join(dir, `${name}.${EXTENSION[format]}`);
}
