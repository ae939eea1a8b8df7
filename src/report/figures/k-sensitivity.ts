/**
 * Figure 5: k sensitivity, ρ against k per dataset (when several k were analysed).
 */
import type { NetworkRecord } from '../../study/types.js';
import { archLabel, curvatureLabel, type ReportSelection } from '../selection.js';
import { num, withBase, ONE_ROW, skipped, type Figure } from '../vega.js';

export function kSensitivity(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'k sensitivity: ρ against k';
  if (sel.ks.length < 2)
    return skipped('fig5-k', '5', title, `Only one k (${sel.ks.join(', ') || 'none'}) was analysed; run with several, e.g. --k 10,30,60, to draw this figure.`);
  const rows: Array<{ dataset: string; arch: string; k: number; rho: number }> = [];
  for (const r of ok)
    for (const K of r.byK) {
      const co = K.coefficients[sel.curvature];
      if (co && num(co.rho)) rows.push({ dataset: r.config.dataset, arch: archLabel(r), k: K.k, rho: co.rho });
    }
  if (rows.length === 0) return skipped('fig5-k', '5', title, 'No network has a defined ρ at any k.');
  const x = { field: 'k', type: 'quantitative', title: 'k (nearest neighbours)', scale: { zero: false, nice: false, padding: 12 } };
  const spec = withBase({
    title: { text: `ρ per network (points) and mean per dataset (lines), ${curvatureLabel(sel.curvature)} curvature`, subtitle: `k = ${sel.ks.join(', ')}` },
    data: { values: rows },
    width: 420,
    height: 280,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 30, opacity: 0.45 },
        encoding: {
          x,
          y: { field: 'rho', type: 'quantitative', title: 'ρ (global Ricci coefficient)', scale: { domain: [-1, 1] } },
          color: { field: 'dataset', type: 'nominal', title: 'dataset' },
          shape: { field: 'arch', type: 'nominal', title: 'architecture' },
        },
      },
      {
        mark: { type: 'line', strokeWidth: 2.5, point: { size: 50 } },
        encoding: { x, y: { field: 'rho', type: 'quantitative', aggregate: 'mean' }, color: { field: 'dataset', type: 'nominal' } },
      },
      { data: ONE_ROW, mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
    ],
  });
  return {
    id: 'fig5-k',
    number: '5',
    title,
    caption: `The global coefficient ρ of every network at each analysed k (kNN graphs rebuilt per k), and its mean per dataset. Networks whose graph is disconnected at some k have no ρ there.`,
    spec,
    svg: null,
  };
}
