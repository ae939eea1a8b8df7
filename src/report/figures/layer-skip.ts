/**
 * Figure 2: layer-skip scatter, Ric_{l−1} against the geodesic change l−1 → l, coloured by layer,
 * with the regression line and the pooled correlation (docs/method.md §5, seed R `aa2`).
 */
import { correlationTest } from '../../analysis/stats.js';
import { coefficientsAt, isWellTrained, layerPairs, type ResultsSelection } from '../../study/results.js';
import type { NetworkRecord } from '../../study/types.js';
import { archLabel, curvatureLabel, type ReportSelection } from '../selection.js';
import { fmtP, fmtR, withBase, skipped, type Figure } from '../vega.js';

export interface LayerSkipRow {
  dataset: string;
  arch: string;
  layer: number;
  ric: number;
  eta: number;
  /** The network is above the well-trained threshold (retained by `ricciflow stats`). */
  wellTrained: boolean;
}

/**
 * Pairs (Ric_l, η_l = g_{l+1} − g_l) of every network at the report's k, taken by the same function
 * as the network's global ρ and `ricciflow stats` (src/study/results.ts `layerPairs`): `all` pairs
 * l = 0 … L−2; `hidden` keeps both layers hidden, l = 1 … L−3. A network is left out (counted in
 * `excluded`) only when a layer its pairs use is disconnected. `layer` is the layer l + 1 the
 * change leads into.
 */
export function layerSkipPairs(ok: readonly NetworkRecord[], sel: ResultsSelection): { rows: LayerSkipRow[]; networks: number; excluded: number } {
  const rows: LayerSkipRow[] = [];
  let networks = 0, excluded = 0;
  for (const r of ok) {
    const co = coefficientsAt(r, sel.k, sel.curvature);
    if (!co) continue;
    const s = layerPairs(co, r.config.analysis.layers);
    if (s === null) {
      excluded++;
      continue;
    }
    if (s.pairs.length === 0) continue; // as ricciflow stats: no pair, nothing contributed
    networks++;
    const wellTrained = isWellTrained(r, sel.threshold);
    s.pairs.forEach((p, i) => rows.push({ dataset: r.config.dataset, arch: archLabel(r), layer: p.to, ric: s.ric[i]!, eta: s.eta[i]!, wellTrained }));
  }
  return { rows, networks, excluded };
}

export function layerSkip(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Layer-skip: curvature of layer l−1 against the geodesic change l−1 → l';
  const { rows, networks, excluded } = layerSkipPairs(ok, sel);
  if (rows.length < 3)
    return skipped('fig2-layer-skip', '2', title, `Fewer than 3 (Ric, η) pairs from networks whose used layers are connected at k = ${sel.k} (${excluded} network(s) excluded as disconnected).`);
  const t = correlationTest(rows.map((p) => p.ric), rows.map((p) => p.eta));
  const well = rows.filter((p) => p.wellTrained);
  const tw = correlationTest(well.map((p) => p.ric), well.map((p) => p.eta));
  const perDataset = [...new Set(rows.map((p) => p.dataset))]
    .map((d) => {
      const s = rows.filter((p) => p.dataset === d);
      const td = correlationTest(s.map((p) => p.ric), s.map((p) => p.eta));
      return `${d}: r = ${fmtR(td.r)}`;
    })
    .join(', ');
  const cname = curvatureLabel(sel.curvature);
  const spec = withBase({
    title: {
      text: `Pooled r = ${fmtR(t.r)} (p = ${fmtP(t.p)}, ${t.n} pairs, ${networks} networks)`,
      subtitle: [
        `well-trained only (accuracy > ${sel.threshold}, as ricciflow stats): r = ${fmtR(tw.r)} (p = ${fmtP(tw.p)}, ${tw.n} pairs)`,
        `per dataset: ${perDataset}`,
      ],
    },
    data: { values: rows },
    width: 460,
    height: 320,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          opacity: { field: 'wellTrained', type: 'ordinal', title: `accuracy > ${sel.threshold}`, scale: { domain: [true, false], range: [0.9, 0.3] } },
          x: { field: 'ric', type: 'quantitative', title: `Ric_{l−1} (total ${cname} curvature of layer l−1)`, scale: { zero: false }, axis: { format: '~s' } },
          y: { field: 'eta', type: 'quantitative', title: 'η_{l−1} = g_l − g_{l−1} (hops)', scale: { zero: false }, axis: { format: '~s' } },
          color: { field: 'layer', type: 'ordinal', title: 'layer l', scale: { scheme: 'viridis' } },
          shape: { field: 'dataset', type: 'nominal', title: 'dataset' },
          tooltip: [{ field: 'dataset' }, { field: 'arch' }, { field: 'layer' }, { field: 'ric' }, { field: 'eta' }, { field: 'wellTrained' }],
        },
      },
      {
        transform: [{ regression: 'eta', on: 'ric' }],
        mark: { type: 'line', color: '#222', strokeWidth: 1.5 },
        encoding: { x: { field: 'ric', type: 'quantitative' }, y: { field: 'eta', type: 'quantitative' } },
      },
    ],
  });
  return {
    id: 'fig2-layer-skip',
    number: '2',
    title,
    caption:
      `Every layer pair of every network whose used layers are connected at k = ${sel.k} (${excluded} network(s) excluded as disconnected; ` +
      `layers as the network's selection, the same pairs as its ρ: l = 0 … L−2 for 'all', l = 1 … L−3 (both layers hidden) for 'hidden'; faint points: accuracy ≤ ${sel.threshold}): ` +
      `the total ${cname} curvature of the previous layer, Ric_{l−1}, against the geodesic change into layer l, η_{l−1} = g_l − g_{l−1}. ` +
      `The line is the least-squares regression over all points; the title gives the pooled Pearson correlation with its two-sided p-value ` +
      `over the points drawn, the subtitle over the well-trained networks only — the seed R recipe's layer-skip correlation aa2 (docs/method.md §5) as ` +
      `ricciflow stats reports it. A negative correlation is Ricci-flow-like.`,
    spec,
    svg: null,
  };
}
