/**
 * Tidy (long) tables of a results directory, for pandas, polars and R:
 * - networks: one row per network × k × curvature, every scalar of the record;
 * - layers: one row per network × k × curvature × layer (Ric_l, g_l, η_l, r_l, connectivity);
 * - points: one row per network × k × curvature × test point (local ρ(x)).
 * Definitions of the quantities: docs/method.md §3–§5.
 */
import type { NetworkRecord } from '../study/types.js';

export type Cell = string | number | boolean | null;

/** A table by columns: `columns[j]` names `rows[i][j]`. */
export interface Table {
  columns: string[];
  rows: Cell[][];
}

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Keys of the network block shared by every table (identify a network and its grid point). */
const KEY_COLUMNS = ['id', 'dataset', 'architecture', 'depth', 'widths', 'seed'] as const;

function keyCells(r: NetworkRecord): Cell[] {
  const c = r.config;
  return [r.id, c.dataset, c.architecture, c.depth, c.widths.join('-'), c.seed];
}

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Scalar fields of an object (string, number, boolean), flattened one level with a prefix. */
function scalars(o: Record<string, unknown> | undefined, prefix: string): Map<string, Cell> {
  const out = new Map<string, Cell>();
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) {
    const name = snake(k).startsWith(prefix) ? snake(k) : prefix + snake(k); // dataSeed → data_seed
    if (typeof v === 'string' || typeof v === 'boolean') out.set(name, v);
    else if (typeof v === 'number') out.set(name, Number.isFinite(v) ? v : null);
    else if (v === null) out.set(name, null);
  }
  return out;
}

/** Record-level fields written by name in the networks table (others are added generically). */
const KNOWN_RECORD = new Set([
  'id', 'config', 'status', 'error', 'backend', 'versions', 'accuracy', 'testLoss', 'trainAccuracy', 'epochsTrained',
  'msPerEpoch', 'trainSeconds', 'analysisSeconds', 'nTest', 'layerDims', 'history', 'trajectory', 'byK', 'finishedAt',
]);

/**
 * networks: one row per network × k × curvature (a failed network, or one analysed at no k, gets
 * one row with empty coefficient cells). Fixed columns first, then every further scalar of the
 * record, its `data` and `training` settings (`data_*`, `training_*`), in first-seen order.
 */
export function networksTable(records: readonly NetworkRecord[]): Table {
  const fixed = [
    ...KEY_COLUMNS, 'status', 'error', 'backend', 'accuracy', 'train_accuracy', 'test_loss', 'epochs_trained', 'n_test',
    'n_layers', 'layer_dims', 'k', 'curvature', 'mode', 'layers', 'node', 'alpha', 'rho', 'z', 'm', 'reason', 'local_mean',
    'local_share_negative', 'local_null', 'disconnected_layers', 'ms_per_epoch', 'train_seconds', 'analysis_seconds',
    'version', 'finished_at',
  ];
  const extraNames: string[] = [];
  const extrasOf = (r: NetworkRecord): Map<string, Cell> => {
    const m = new Map<string, Cell>();
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (!KNOWN_RECORD.has(k)) rest[k] = v;
    for (const [k, v] of scalars(rest, '')) m.set(k, v);
    for (const [k, v] of scalars(r.config.data as Record<string, unknown>, 'data_')) m.set(k, v);
    for (const [k, v] of scalars(r.config.training as unknown as Record<string, unknown>, 'training_')) m.set(k, v);
    for (const k of m.keys()) if (!extraNames.includes(k) && !fixed.includes(k)) extraNames.push(k);
    return m;
  };
  const extras = records.map(extrasOf);
  const rows: Cell[][] = [];
  records.forEach((r, i) => {
    const a = r.config.analysis;
    const head: Cell[] = [
      ...keyCells(r), r.status, r.error ?? null, r.backend ?? null, num(r.accuracy), num(r.trainAccuracy), num(r.testLoss),
      num(r.epochsTrained), r.nTest, r.layerDims.length || null, r.layerDims.join('-') || null,
    ];
    const tail: Cell[] = [num(r.msPerEpoch), num(r.trainSeconds), num(r.analysisSeconds), r.versions?.ricciflow ?? null, r.finishedAt ?? null];
    const ex = extraNames.map((k) => extras[i]!.get(k) ?? null);
    const blocks: Cell[][] = [];
    for (const K of r.byK)
      for (const [name, co] of Object.entries(K.coefficients)) {
        if (!co) continue;
        blocks.push([
          K.k, name, a.mode, a.layers, a.node, a.alpha, num(co.rho), num(co.z), co.m, co.reason, num(co.localMean),
          num(co.localShareNegative), co.localNullCount, K.disconnected.length,
        ]);
      }
    if (blocks.length === 0) blocks.push([null, null, a.mode, a.layers, a.node, a.alpha, null, null, null, null, null, null, null, null]);
    for (const b of blocks) rows.push([...head, ...b, ...tail, ...ex]);
  });
  // Extras found in later records are padded into earlier rows.
  const width = fixed.length + extraNames.length;
  for (const row of rows) while (row.length < width) row.push(null);
  return { columns: [...fixed, ...extraNames], rows };
}

/**
 * layers: one row per network × k × curvature × layer l = 0 … L−1 (input, hidden…, output):
 * the layer's width, Ric_l, g_l, connectivity (connected, components, edges) and, for l < L−1,
 * the change to the next layer η_l = g_{l+1} − g_l and the layer coefficient r_l of l → l+1.
 */
export function layersTable(records: readonly NetworkRecord[]): Table {
  const columns = [
    ...KEY_COLUMNS, 'accuracy', 'k', 'curvature', 'layer', 'width', 'ric', 'g', 'eta', 'r', 'connected', 'components', 'edges',
  ];
  const rows: Cell[][] = [];
  for (const r of records)
    for (const K of r.byK)
      for (const [name, co] of Object.entries(K.coefficients)) {
        if (!co) continue;
        const L = Math.max(co.ric.length, co.g.length, K.connected.length);
        for (let l = 0; l < L; l++)
          rows.push([
            ...keyCells(r), num(r.accuracy), K.k, name, l, r.layerDims[l] ?? null, num(co.ric[l]), num(co.g[l]), num(co.eta[l]),
            num(co.layer[l]), K.connected[l] ?? null, K.components[l] ?? null, K.edgeCount[l] ?? null,
          ]);
      }
  return { columns, rows };
}

/**
 * points: one row per network × k × curvature × test point: the local coefficient ρ(x) (null where
 * undefined). Records keep these values only when the run kept them (`local` in the record).
 */
export function pointsTable(records: readonly NetworkRecord[]): Table {
  const columns = [...KEY_COLUMNS, 'accuracy', 'k', 'curvature', 'point', 'local_rho'];
  const rows: Cell[][] = [];
  for (const r of records)
    for (const K of r.byK)
      for (const [name, co] of Object.entries(K.coefficients)) {
        if (!co?.local) continue;
        co.local.forEach((v, i) => rows.push([...keyCells(r), num(r.accuracy), K.k, name, i, num(v)]));
      }
  return { columns, rows };
}

function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row; missing values are empty cells (pandas NaN, R NA). */
export function tableToCsv(t: Table): string {
  const out = [t.columns.map(csvCell).join(',')];
  for (const r of t.rows) out.push(r.map(csvCell).join(','));
  return out.join('\n') + '\n';
}
