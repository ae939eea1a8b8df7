/**
 * Geometry-aware training (issue E) on a synthetic set where tfjs training is quick: trajectories
 * of mean local ρ and r_l every N epochs, stopping on the patience rule, and the report's figure 7.
 */
import { describe, expect, it } from 'vitest';

import { syntheticDataset } from '../../src/data/synthetic.js';
import { buildFigures } from '../../src/report/figures/index.js';
import { trainWithGeometry } from '../../src/study/geometry-training.js';
import type { NetworkRecord } from '../../src/study/types.js';

const data = syntheticDataset('syn1', { nTrain: 600, nTest: 200, seed: 0 });
const widths = [16, 16, 16];

describe('geometry-aware training (tfjs)', () => {
  it('records mean local ρ and r_l every N epochs and at the last epoch', async () => {
    const r = await trainWithGeometry(data, { widths, epochs: 5, seeds: [0] }, { every: 2, k: 10 });
    const [net] = r.networks;
    expect(net!.backend).toMatch(/^tfjs-/);
    expect(net!.epochsTrained).toBe(5);
    expect(r.stoppedAt).toEqual([null]);
    const t = r.trajectories[0]!;
    expect(t.map((p) => p.epoch)).toEqual([2, 4, 5]);
    for (const p of t) {
      expect(p.localMean === null || (p.localMean >= -1 && p.localMean <= 1)).toBe(true);
      expect(p.layer).toHaveLength(widths.length + 1); // transitions of input, 3 hidden, output
      expect(p.trainAccuracy).toBe(net!.history[p.epoch - 1]!.accuracy);
      expect(p.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(p.testAccuracy).toBeLessThanOrEqual(1);
    }
  });

  it('stops by the documented rule when the mean local ρ stops decreasing; overlap mode records the same trajectory', async () => {
    const opts = { widths, epochs: 12, seeds: [0, 1] };
    const r = await trainWithGeometry(data, opts, { every: 2, k: 10, patience: 1 });
    // With patience 1 (the rule itself is tested on given sequences in test/stopping.test.ts), a
    // network stops at the first evaluation whose mean local ρ is not below every earlier one; the
    // trajectory ends there.
    r.networks.forEach((net, i) => {
      const values = r.trajectories[i]!.map((p) => p.localMean);
      const firstNotLower = values.findIndex((v, j) => !(v !== null && values.slice(0, j).every((u) => u === null || v < u)));
      if (r.stoppedAt[i] === null) {
        expect(firstNotLower).toBe(-1);
        expect(net.epochsTrained).toBe(12);
        expect(values).toHaveLength(6);
      } else {
        expect(firstNotLower).toBe(values.length - 1);
        expect(r.stoppedAt[i]).toBe(2 * values.length);
        expect(net.epochsTrained).toBe(2 * values.length);
        expect(net.stoppedEarly).toBe(true);
      }
    });
    // Without stopping, overlapping the analysis with training gives the same measurements.
    const a = await trainWithGeometry(data, { ...opts, epochs: 6, seeds: [1] }, { every: 2, k: 10 });
    const b = await trainWithGeometry(data, { ...opts, epochs: 6, seeds: [1] }, { every: 2, k: 10, overlap: true });
    expect(b.trajectories).toEqual(a.trajectories);
  });

  it('the report draws the trajectories (figure 7)', async () => {
    const r = await trainWithGeometry(data, { widths, epochs: 4, seeds: [0] }, { every: 1, k: 10 });
    const record = {
      id: 'trajectory-test',
      config: {
        dataset: 'syn1', data: { dataSeed: 0 }, architecture: 'custom', depth: 3, widths, seed: 0,
        training: { epochs: 4, batchSize: 32, learningRate: 0.001, validationSplit: 0.2, backend: 'tfjs' },
        analysis: { k: [10], curvatures: ['forman'], mode: 'union', layers: 'all', node: 'mean', alpha: 0.5 },
      },
      status: 'ok', versions: { ricciflow: 'test', node: process.version, abi: 0 },
      accuracy: r.networks[0]!.testAccuracy, testLoss: null, trainAccuracy: null, epochsTrained: 4, msPerEpoch: null,
      trainSeconds: null, analysisSeconds: null, nTest: 200, layerDims: [2, 16, 16, 16, 1], byK: [],
      trajectory: r.trajectories[0], finishedAt: new Date().toISOString(),
    } as NetworkRecord;
    const { figures } = await buildFigures([record], { projection: false });
    const f7 = figures.find((f) => f.number === '7')!;
    expect(f7.svg).not.toBeNull();
    // 4 evaluations: points of the local ρ line and of the train and probe accuracy lines.
    expect((f7.svg!.match(/role="graphics-symbol"/g) ?? []).length).toBeGreaterThanOrEqual(4 * 3);
  });
});
