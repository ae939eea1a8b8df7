/**
 * Figure 7: geometry-aware training trajectories (when records carry them), mean local ρ and
 * train/test accuracy on the same epoch axis.
 */
import type { NetworkRecord } from '../../study/types.js';
import { archLabel } from '../selection.js';
import { num, withBase, skipped, type Figure } from '../vega.js';

export function trajectoryFigure(ok: readonly NetworkRecord[]): Figure {
  const title = 'Geometry-aware training: trajectories';
  const withT = ok.filter((r) => r.trajectory && r.trajectory.length > 0);
  if (withT.length === 0)
    return skipped('fig7-trajectory', '7', title, 'No record carries a training trajectory (train with the geometry callback to record one).');
  const rho: Record<string, unknown>[] = [];
  const acc: Record<string, unknown>[] = [];
  for (const r of withT) {
    const net = `${r.config.dataset} ${archLabel(r)} s${r.config.seed}`;
    for (const t of r.trajectory!) {
      if (num(t.localMean)) rho.push({ net, epoch: t.epoch, value: t.localMean });
      acc.push({ net, epoch: t.epoch, split: 'train', value: t.trainAccuracy });
      if (num(t.testAccuracy)) acc.push({ net, epoch: t.epoch, split: 'test (probe)', value: t.testAccuracy });
    }
  }
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } };
  const spec = withBase({
    vconcat: [
      {
        data: { values: rho },
        width: 460,
        height: 170,
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'mean local ρ(x)' }, color: { field: 'net', type: 'nominal', title: 'network' } },
      },
      {
        data: { values: acc },
        width: 460,
        height: 170,
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
          color: { field: 'net', type: 'nominal', title: 'network' },
          strokeDash: { field: 'split', type: 'nominal', title: 'split' },
        },
      },
    ],
  });
  return {
    id: 'fig7-trajectory',
    number: '7',
    title,
    caption:
      'Mean local ρ(x) on the held-out probe set, evaluated every N epochs during training (top), and train / probe accuracy at the same epochs (bottom).',
    spec,
    svg: null,
  };
}
