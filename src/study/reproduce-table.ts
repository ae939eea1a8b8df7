/** The reproduction table as CSV (for pandas and R) and as text. */

import type { ReproductionTable } from './reproduce-plan.js';

// ---------------------------------------------------------------------------------------------
// output

export const REPRODUCTION_CSV_COLUMNS = [
  'paper', 'experiment', 'dataset', 'setting', 'metric', 'ours', 'ours_spread', 'networks', 'published', 'published_spread',
  'difference', 'band', 'within', 'source', 'data_source', 'note',
] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toPrecision(6)) : '') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reproductionCsv(t: ReproductionTable): string {
  const lines = [REPRODUCTION_CSV_COLUMNS.join(',')];
  for (const r of t.rows)
    lines.push(
      [r.paper, r.experiment, r.dataset, r.setting, r.metric, r.ours, r.oursSpread, r.networks, r.published, r.publishedSpread, r.difference, r.band, r.within === null ? '' : r.within ? 'yes' : 'no', r.source, r.dataSource, r.note]
        .map(csvCell)
        .join(','),
    );
  return lines.join('\n') + '\n';
}

const f3 = (v: number | null): string => (v === null ? '—' : v.toFixed(3));
const signed = (v: number | null): string => (v === null ? '—' : (v >= 0 ? '+' : '') + v.toFixed(3));

/** Counts of comparable rows within their band. */
export function bandSummary(t: ReproductionTable, metric?: string): { within: number; comparable: number; cells: number } {
  const rows = t.rows.filter((r) => (metric === undefined || r.metric === metric) && r.published !== null);
  const comparable = rows.filter((r) => r.within !== null);
  return { within: comparable.filter((r) => r.within).length, comparable: comparable.length, cells: rows.length };
}

/** The printed table (plain text). */
export function formatReproduction(t: ReproductionTable): string {
  const out: string[] = [`${t.title}${t.quick ? ' — quick subset' : ''}`];
  for (const p of t.parts) {
    const ep = p.epochs ? `; epochs ${p.epochs.min}/${p.epochs.median}/${p.epochs.max} (min/median/max)` : '';
    out.push(
      `  ${p.name}: ${p.ok} of ${p.grid} networks ok${p.failed ? `, ${p.failed} failed` : ''}${p.missing ? `, ${p.missing} missing` : ''}; ${p.training}${ep}` +
        `${p.trainSeconds !== null ? `; ${p.trainSeconds.toFixed(1)} s training + ${p.analysisSeconds?.toFixed(1) ?? '—'} s analysis per network` : ''}`,
    );
    for (const e of p.errors) out.push(`    not computed: ${e}`);
  }
  const header = ['experiment', 'dataset', 'setting', 'metric', 'ours', '± (n)', 'published', '±', 'diff', 'band', 'within', 'data'];
  const widths = header.map((h) => h.length);
  const cells = t.rows.map((r) => [
    r.experiment, r.dataset, r.setting, r.metric, f3(r.ours), r.oursSpread !== null ? `${f3(r.oursSpread)} (${r.networks})` : `(${r.networks})`,
    f3(r.published), r.publishedSpread !== null ? f3(r.publishedSpread) : '', signed(r.difference), r.band !== null ? f3(r.band) : '',
    r.within === null ? '' : r.within ? 'yes' : 'NO', r.dataSource.length > 40 ? r.dataSource.slice(0, 39) + '…' : r.dataSource,
  ]);
  for (const c of cells) c.forEach((x, j) => (widths[j] = Math.max(widths[j]!, x.length)));
  const line = (c: string[]): string => c.map((x, j) => (j >= 4 && j <= 10 ? x.padStart(widths[j]!) : x.padEnd(widths[j]!))).join('  ').trimEnd();
  out.push('', line(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) out.push(line(c));
  const rho = bandSummary(t, 'mean local ρ');
  if (rho.cells) out.push('', `Mean local ρ within max(0.1, 2 × published spread): ${rho.within} of ${rho.comparable} cells with our value (${rho.cells} published cells in this grid).`);
  const notes = t.rows.filter((r) => r.note && (r.within === false || r.ours === null || r.experiment !== 'local coefficients'));
  if (notes.length) {
    out.push('', 'Notes:');
    for (const r of notes) out.push(`  ${r.experiment} ${r.dataset} ${r.setting} (${r.metric}): ${r.note}`);
  }
  out.push('', `Sources: every published value names its paper table or notebook cell in the CSV's source column (src/study/published.ts).`);
  return out.join('\n');
}
