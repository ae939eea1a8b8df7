/**
 * The report's "Reproduction" section: our numbers beside the published ones (a table written by
 * `ricciflow reproduce` or the main job, src/study/reproduce.ts), one row per published cell.
 */
import type { ReproductionTable } from '../study/reproduce-plan.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const f3 = (v: number | null): string => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(3));

/** HTML of the section (heading included). */
export function reproductionSection(t: ReproductionTable): string {
  const parts = t.parts
    .map((p) => {
      const ep = p.epochs ? `; epochs run ${p.epochs.min}–${p.epochs.max} (median ${p.epochs.median})` : '';
      const errs = p.errors.length ? `<br><span class="bad">not computed: ${p.errors.map(esc).join('; ')}</span>` : '';
      return `<li><strong>${esc(p.name)}</strong> — ${esc(p.title)}: ${p.ok} of ${p.grid} networks ok${p.failed ? `, ${p.failed} failed` : ''}${p.missing ? `, ${p.missing} missing` : ''}; ${esc(p.training)}${esc(ep)}${errs}</li>`;
    })
    .join('');
  const head = ['experiment', 'dataset', 'setting', 'metric', 'ours', 'ours ± (n)', 'published', 'published ±', 'difference', 'band', 'within', 'data', 'source', 'note'];
  const rows = t.rows
    .map((r) => {
      const within = r.within === null ? '' : r.within ? 'yes' : '<span class="bad">no</span>';
      const cells = [
        esc(r.experiment), esc(r.dataset), esc(r.setting), esc(r.metric), f3(r.ours), `${r.oursSpread !== null ? f3(r.oursSpread) + ' ' : ''}(${r.networks})`,
        f3(r.published), r.publishedSpread !== null ? f3(r.publishedSpread) : '', r.difference === null ? '—' : (r.difference >= 0 ? '+' : '') + r.difference.toFixed(3),
        r.band !== null ? f3(r.band) : '', within, esc(r.dataSource), `<small>${esc(r.source)}</small>`, `<small>${esc(r.note)}</small>`,
      ];
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
  const rho = t.rows.filter((r) => r.metric === 'mean local ρ' && r.within !== null);
  const count = rho.length ? `<p>Mean local ρ within max(0.1, 2 × published spread): <strong>${rho.filter((r) => r.within).length} of ${rho.length}</strong> cells with our value.</p>` : '';
  return (
    `<h2 id="reproduction">Reproduction: our numbers beside the published ones</h2>\n` +
    `<p>${esc(t.title)}${t.quick ? ' (quick subset)' : ''}. Band: max(0.1, 2 × published spread); spreads are population standard deviations over replicates, as the follow-up's tables. ` +
    `Every published value names its source (paper or notebook cell).</p>\n<ul>${parts}</ul>\n${count}\n` +
    `<table class="num"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`
  );
}
