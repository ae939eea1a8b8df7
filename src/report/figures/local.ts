/**
 * Figure 4a: distribution of the local coefficient ρ(x), with the share below zero.
 */
import type { NetworkRecord } from '../../study/types.js';
import { archLabel, curvatureLabel, coefficientsOf, type ReportSelection } from '../selection.js';
import { datasetPanels, num, FIRST_OF_PANEL, skipped, type Figure } from '../vega.js';

export function localDistribution(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Distribution of the local coefficient ρ(x)';
  const rows: Array<{ dataset: string; arch: string; v: number }> = [];
  const share = new Map<string, { neg: number; n: number }>();
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co?.local) continue;
    const s = share.get(r.config.dataset) ?? { neg: 0, n: 0 };
    for (const v of co.local)
      if (num(v)) {
        rows.push({ dataset: r.config.dataset, arch: archLabel(r), v });
        s.n++;
        if (v < 0) s.neg++;
      }
    share.set(r.config.dataset, s);
  }
  if (rows.length === 0)
    return skipped('fig4a-local', '4a', title, 'No record keeps local ρ(x) per point (records written with keepLocal: false, or every ρ(x) undefined).');
  const shares = [...share.entries()].filter(([, s]) => s.n > 0).map(([d, s]) => `${d}: ${((100 * s.neg) / s.n).toFixed(1)} % below zero`);
  const all = rows.length, neg = rows.filter((r) => r.v < 0).length;
  const spec = datasetPanels(
    { text: `Share of points with ρ(x) < 0: ${((100 * neg) / all).toFixed(1)} % of ${all}`, subtitle: shares.join('; ') },
    rows,
    180,
    [
      {
        mark: { type: 'bar', opacity: 0.85 },
        encoding: {
          x: { field: 'v', type: 'quantitative', bin: { extent: [-1, 1], step: 0.1 }, title: 'local ρ(x)', axis: { values: [-1, -0.5, 0, 0.5, 1] } },
          y: { aggregate: 'count', type: 'quantitative', title: 'test points' },
          color: { field: 'arch', type: 'nominal', title: 'architecture' },
        },
      },
      { transform: FIRST_OF_PANEL, mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] }, encoding: { x: { datum: 0 } } },
    ],
  );
  return {
    id: 'fig4a-local',
    number: '4a',
    title,
    caption:
      `Histogram (stacked by architecture) of the local coefficient ρ(x) = Pearson_l(S_l(x), η_l(x)) of every test point of every network ` +
      `(k = ${sel.k}, node curvature S_l = ${ok[0]?.config.analysis.node ?? 'mean'} of incident ${curvatureLabel(sel.curvature)} curvatures; ` +
      `η_l(x) = mean change of hop distance to its layer-l neighbours). Points with an unreachable neighbour have no ρ(x) and are left out. ` +
      `The dashed line is 0: points to its left evolve like Ricci flow.`,
    spec,
    svg: null,
  };
}
