/**
 * Figure 4b: layer coefficients r_l against depth, with the depth diagnostic's threshold.
 */
import type { NetworkRecord } from '../../study/types.js';
import { archLabel, coefficientsOf, type ReportSelection } from '../selection.js';
import { datasetPanels, num, FIRST_OF_PANEL, skipped, type Figure } from '../vega.js';

export function layerCoefficients(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Layer coefficients r_l against depth';
  const rows: Array<{ dataset: string; arch: string; id: string; l: number; r: number }> = [];
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co) continue;
    co.layer.forEach((v, l) => num(v) && rows.push({ dataset: r.config.dataset, arch: archLabel(r), id: r.id, l, r: v }));
  }
  if (rows.length === 0) return skipped('fig4b-layer', '4b', title, `No layer coefficient r_l is defined at k = ${sel.k}.`);
  const x = { field: 'l', type: 'quantitative', title: 'layer l (transition l → l+1)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'r', type: 'quantitative', title: 'r_l (layer coefficient)', scale: { domain: [-1, 1] } };
  const spec = datasetPanels(
    { text: `Dashed: depth-diagnostic threshold τ = ${sel.depthThreshold}`, subtitle: 'thin lines: networks; thick lines: mean per architecture' },
    rows,
    200,
    [
      {
        mark: { type: 'line', strokeWidth: 1, opacity: 0.35 },
        encoding: { x, y, color: { field: 'arch', type: 'nominal', title: 'architecture' }, detail: { field: 'id' } },
      },
      {
        mark: { type: 'line', strokeWidth: 2.5, point: true },
        encoding: { x, y: { ...y, aggregate: 'mean' }, color: { field: 'arch', type: 'nominal', title: 'architecture' } },
      },
      { transform: FIRST_OF_PANEL, mark: { type: 'rule', color: '#c0392b', strokeDash: [5, 4] }, encoding: { y: { datum: sel.depthThreshold } } },
      { transform: FIRST_OF_PANEL, mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
    ],
  );
  return {
    id: 'fig4b-layer',
    number: '4b',
    title,
    caption:
      `r_l = Pearson over test points of (S_l(x), η_l(x)) for each transition l → l+1 (k = ${sel.k}), per network (thin) and its ` +
      `mean per architecture (thick). The dashed line is the depth diagnostic's threshold: a transition with r_l ≤ ${sel.depthThreshold} is ` +
      `strongly Ricci-flow-like; see the depth diagnostic table for where each network's first such run ends.`,
    spec,
    svg: null,
  };
}
