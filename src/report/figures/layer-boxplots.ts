/**
 * Figure 1a/1b: per layer, boxplots of the geodesic change from the prior layer and of the
 * total curvature (the seed paper's panels), one panel per dataset · architecture.
 */
import type { NetworkRecord } from '../../study/types.js';
import { archLabel, curvatureLabel, coefficientsOf, type ReportSelection } from '../selection.js';
import { num, withBase, skipped, type Figure } from '../vega.js';

export function layerBoxplots(ok: readonly NetworkRecord[], sel: ReportSelection): Figure[] {
  const etaRows: Array<Record<string, unknown>> = [];
  const ricRows: Array<Record<string, unknown>> = [];
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co) continue;
    const base = { dataset: r.config.dataset, arch: archLabel(r) };
    co.ric.forEach((v, l) => num(v) && ricRows.push({ ...base, layer: l, value: v }));
    // Geodesic change into layer l from its prior layer: η_{l−1} = g_l − g_{l−1}.
    co.eta.forEach((v, l) => num(v) && etaRows.push({ ...base, layer: l + 1, value: v }));
  }
  const cname = curvatureLabel(sel.curvature);
  // A grid of small panels (datasets × architectures), each with its own y scale. A concat rather
  // than a facet: Vega-Lite's facet layout leaves wide gaps between rows with independent scales.
  // Short docs/method.md names on the axes (Vega estimates text widths without a canvas, and long rotated
  // titles push the panel titles apart); the full definition is the figure's title.
  const spec = (rows: Array<Record<string, unknown>>, yTitle: string, xTitle: string, color: string, header: string) => {
    const datasets = [...new Set(rows.map((r) => r.dataset as string))];
    const archs = [...new Set(rows.map((r) => r.arch as string))].sort();
    const cells = datasets.flatMap((d, i) =>
      archs.map((a, j) => ({
        title: { text: `${d} · ${a}`, fontSize: 11, fontWeight: 'normal' },
        transform: [{ filter: { and: [{ field: 'dataset', equal: d }, { field: 'arch', equal: a }] } }],
        width: 150,
        height: 130,
        mark: { type: 'boxplot', extent: 1.5, size: 12, color, median: { color: 'black' } },
        encoding: {
          x: { field: 'layer', type: 'ordinal', title: i === datasets.length - 1 ? xTitle : null, axis: { labelAngle: 0 } },
          y: { field: 'value', type: 'quantitative', title: j === 0 ? yTitle : null, scale: { zero: false }, axis: { format: '~s', tickCount: 5 } },
        },
      })),
    );
    return withBase({ title: { text: header, subtitle: 'one panel per dataset · architecture; y scales per panel' }, data: { values: rows }, columns: archs.length, concat: cells, spacing: 16 });
  };
  const figs: Figure[] = [];
  const title1 = 'Geodesic change from the prior layer, per layer';
  if (etaRows.length === 0)
    figs.push(skipped('fig1a-geodesic-change', '1a', title1, 'No network has two consecutive connected layers at this k: η is undefined everywhere (docs/method.md §3).'));
  else {
    const s = spec(etaRows, 'η_{l−1}', 'layer l', '#4c78a8', 'y: η_{l−1} = g_l − g_{l−1}, change of the sum of geodesic hop distances from layer l−1 to layer l');
    figs.push({
      id: 'fig1a-geodesic-change',
      number: '1a',
      title: title1,
      caption:
        `Per layer l ≥ 1, boxplots over networks of the total geodesic change from layer l−1, η_{l−1} = g_l − g_{l−1}, ` +
        `where g_l is the sum of shortest-path hop counts over all pairs of test points in the layer's kNN graph (k = ${sel.k}, ` +
        `${ok[0]?.config.analysis.mode ?? 'union'} graph). One panel per dataset · architecture; y scales are per panel. ` +
        `Changes involving a disconnected layer are undefined and left out.`,
      spec: s,
      svg: null,
    });
  }
  const title2 = `Total ${cname} curvature per layer`;
  if (ricRows.length === 0) figs.push(skipped('fig1b-curvature', '1b', title2, `No ${cname} curvature recorded at k = ${sel.k}.`));
  else
    figs.push({
      id: 'fig1b-curvature',
      number: '1b',
      title: title2,
      caption:
        `Per layer l (0 = input, last = output), boxplots over networks of the total curvature Ric_l = Σ over edges of the ` +
        `${cname} curvature of the layer's kNN graph (k = ${sel.k}). One panel per dataset · architecture; y scales are per panel.`,
      spec: spec(ricRows, 'Ric_l', 'layer l', '#f58518', `y: Ric_l = Σ over edges of the ${cname} curvature of layer l's kNN graph`),
      svg: null,
    });
  return figs;
}
