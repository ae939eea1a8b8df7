/**
 * Figure 6: the test points of a 3-D dataset at the input and at the last hidden layer, coloured
 * by class, as the record stores them (`projection`, src/study/projection.ts): the report never trains.
 */
import { rotate } from '../../analysis/projection.js';
import { hasProjection } from '../../study/projection.js';
import type { NetworkRecord, ProjectedPoints, ProjectionRecord } from '../../study/types.js';
import { archLabel, type FigureOptions } from '../selection.js';
import { num, withBase, skipped, type Figure } from '../vega.js';

interface ProjectionPanel {
  title: string;
  points: Array<{ x: number; y: number; depth: number; cls: string }>;
  axes: Array<{ x: number; y: number; x2: number; y2: number; label: string }>;
}

/** A panel from a record's projected points (src/study/projection.ts: already in the view, rounded). */
function projectionPanel(title: string, p: ProjectedPoints, labels: readonly number[], axisNames: [string, string, string], view: ProjectionRecord['view']): ProjectionPanel {
  const pts = p.x
    .map((x, i) => ({ x, y: p.y[i]!, depth: p.depth[i]!, cls: `class ${labels[i]}` }))
    .sort((a, b) => a.depth - b.depth); // far points first: nearer points are drawn over them
  const axes = axisNames.map((label, j) => {
    const e = [0, 0, 0];
    e[j] = 1.15;
    const [x2, y2] = rotate(e[0]!, e[1]!, e[2]!, view);
    return { x: 0, y: 0, x2: round(x2), y2: round(y2), label };
  });
  return { title, points: pts, axes };
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

function panelSpec(p: ProjectionPanel): Record<string, unknown> {
  let r = 0;
  for (const q of p.points) r = Math.max(r, Math.abs(q.x), Math.abs(q.y));
  for (const a of p.axes) r = Math.max(r, Math.abs(a.x2), Math.abs(a.y2));
  r = Math.ceil(r * 1.08 * 100) / 100;
  const sx = { type: 'quantitative', scale: { domain: [-r, r], nice: false, zero: false }, axis: null };
  return {
    title: { text: p.title, fontSize: 12 },
    width: 260,
    height: 260,
    layer: [
      {
        data: { values: p.axes },
        mark: { type: 'rule', color: '#888', strokeWidth: 1 },
        encoding: { x: { field: 'x', ...sx }, y: { field: 'y', ...sx }, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values: p.axes },
        mark: { type: 'text', color: '#555', fontSize: 11, dx: 8, dy: -4 },
        encoding: { x: { field: 'x2', ...sx }, y: { field: 'y2', ...sx }, text: { field: 'label' } },
      },
      {
        data: { values: p.points },
        mark: { type: 'circle', size: 14, opacity: 0.75 },
        encoding: {
          x: { field: 'x', ...sx },
          y: { field: 'y', ...sx },
          color: { field: 'cls', type: 'nominal', title: 'class', scale: { domain: ['class 0', 'class 1'], range: ['#1f77b4', '#ff7f0e'] } },
        },
      },
    ],
  };
}

/**
 * Figure 6: the test points of the most accurate network of each 3-D dataset at the input and at
 * its last hidden layer, as its record stores them (`projection`, computed when it was trained).
 */
export function projectionFigure(ok: readonly NetworkRecord[], options: FigureOptions): Figure {
  const id = 'fig6-projection', number = '6';
  const title = 'Test points in 3-D: input and a hidden layer';
  if (options.projection === false) return skipped(id, number, title, 'Disabled (--no-projection).');
  const threeD = ok.filter((r) => hasProjection(r.layerDims[0] ?? 0) && num(r.accuracy));
  if (threeD.length === 0)
    return skipped(id, number, title, 'No network of a synthetic 3-D dataset (A, B, C, syn3, syn4) in this results directory: nothing to draw in 3-D.');
  const byDataset = new Map<string, NetworkRecord>();
  for (const r of threeD) {
    if (!r.projection) continue;
    const best = byDataset.get(r.config.dataset);
    if (!best || r.accuracy! > best.accuracy! || (r.accuracy === best.accuracy && r.config.seed < best.config.seed)) byDataset.set(r.config.dataset, r);
  }
  if (byDataset.size === 0)
    return skipped(id, number, title, 'Unavailable: these records carry no projection (written before records stored it; re-run the networks to draw it). The report never re-trains.');
  const chosen = [...byDataset.values()].slice(0, options.projectionDatasets ?? 3);
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  for (const rec of chosen) {
    const c = rec.config;
    const p = rec.projection!;
    const L = rec.layerDims.length;
    const layer = p.layer;
    const width = rec.layerDims[layer]!;
    const share = p.explained ? ` — PC1–3: ${(100 * p.explained.reduce((s, v) => s + v, 0)).toFixed(0)} % of variance` : '';
    const kind = layer === L - 1 ? 'output' : 'hidden';
    const p0 = projectionPanel(`${c.dataset}: input X_0 (x₁, x₂, x₃)`, p.input, p.labels, ['x₁', 'x₂', 'x₃'], p.view);
    const p1 = projectionPanel(
      `${c.dataset}: ${kind} layer X_${layer} (${width}-D)${share}`,
      p.hidden,
      p.labels,
      width === 3 ? ['x₁', 'x₂', 'x₃'] : ['PC1', 'PC2', 'PC3'],
      p.view,
    );
    rows.push({ hconcat: [panelSpec(p0), panelSpec(p1)] });
    notes.push(`${c.dataset}: ${archLabel(rec)}, seed ${c.seed}, test accuracy ${rec.accuracy!.toFixed(4)}`);
  }
  const view = chosen[0]!.projection!.view;
  const spec = withBase({
    title: { text: `Oblique view: azimuth ${view.azimuth}°, elevation ${view.elevation}°`, subtitle: 'hidden layers projected on their first three principal components' },
    vconcat: rows,
    resolve: { scale: { color: 'shared' } },
  });
  return {
    id,
    number,
    title,
    caption:
      `For each 3-D synthetic dataset, its most accurate network's test points at the input and at its last hidden layer, coloured by class, ` +
      `as its record stores them (computed when the network was trained). Hidden layers are ` +
      `reduced to 3-D by principal components (covariance eigendecomposition); every cloud is centred, scaled by one factor and shown in a fixed ` +
      `oblique projection, nearer points drawn last. Networks: ${notes.join('; ')}.`,
    spec,
    svg: null,
  };
}
