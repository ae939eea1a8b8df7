/**
 * Figure 3: ρ and z against test accuracy, by dataset, with the well-trained threshold.
 */
import { correlationTest } from '../../analysis/stats.js';
import type { NetworkRecord } from '../../study/types.js';
import { archLabel, curvatureLabel, coefficientsOf, type ReportSelection } from '../selection.js';
import { num, fmtP, fmtR, withBase, ONE_ROW, skipped, type Figure } from '../vega.js';

export function accuracyScatter(ok: readonly NetworkRecord[], sel: ReportSelection): Figure {
  const title = 'Global Ricci coefficient against test accuracy';
  const rows: Array<{ dataset: string; arch: string; seed: number; accuracy: number; rho: number | null; z: number | null }> = [];
  for (const r of ok) {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co || !num(r.accuracy) || !num(co.rho)) continue;
    rows.push({ dataset: r.config.dataset, arch: archLabel(r), seed: r.config.seed, accuracy: r.accuracy, rho: co.rho, z: num(co.z) ? co.z : null });
  }
  if (rows.length === 0) return skipped('fig3-accuracy', '3', title, `No network has a defined ρ at k = ${sel.k} (all disconnected or failed).`);
  const well = rows.filter((r) => r.accuracy > sel.threshold);
  const tr = correlationTest(well.map((r) => r.rho!), well.map((r) => r.accuracy));
  const wz = well.filter((r) => r.z !== null);
  const tz = correlationTest(wz.map((r) => r.z!), wz.map((r) => r.accuracy));
  const panel = (field: 'rho' | 'z', yTitle: string) => ({
    width: 300,
    height: 260,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 0.8 },
        encoding: {
          x: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
          y: { field, type: 'quantitative', title: yTitle, scale: { zero: false } },
          color: { field: 'dataset', type: 'nominal', title: 'dataset' },
          shape: { field: 'arch', type: 'nominal', title: 'architecture' },
          tooltip: [{ field: 'dataset' }, { field: 'arch' }, { field: 'seed' }, { field: 'accuracy' }, { field }],
        },
        ...(field === 'z' ? { transform: [{ filter: 'isValid(datum.z)' }] } : {}),
      },
      {
        data: ONE_ROW,
        mark: { type: 'rule', color: '#c0392b', strokeDash: [5, 4], strokeWidth: 1.5 },
        encoding: { x: { datum: sel.threshold } },
      },
    ],
  });
  const spec = withBase({
    title: {
      text: `Well-trained (accuracy > ${sel.threshold}): r(ρ, accuracy) = ${fmtR(tr.r)} (p = ${fmtP(tr.p)}, n = ${tr.n}); r(z, accuracy) = ${fmtR(tz.r)} (n = ${tz.n})`,
      subtitle: `dashed line: threshold ${sel.threshold}; k = ${sel.k}, ${curvatureLabel(sel.curvature)} curvature`,
    },
    data: { values: rows },
    hconcat: [panel('rho', 'ρ (global Ricci coefficient)'), panel('z', 'z = atanh(ρ)·√(m−3)')],
  });
  return {
    id: 'fig3-accuracy',
    number: '3',
    title,
    caption:
      `Each point is a network with a defined ρ. Left: ρ = Pearson(Ric_l, η_l) over its layers; right: its Fisher z-score ` +
      `z = atanh(ρ)·√(m−3) (m = number of layer pairs). The dashed line marks the well-trained threshold (test accuracy > ${sel.threshold}, docs/method.md §6); ` +
      `the title gives the Pearson correlation with accuracy among the networks above it.`,
    spec,
    svg: null,
  };
}
