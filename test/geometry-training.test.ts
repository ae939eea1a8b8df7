/**
 * Geometry-aware training (issue E) on a synthetic set where tfjs training is quick: trajectories
 * of mean local ρ and r_l every N epochs, the patience stopping rule, and the report's figure 7.
 */
import { describe, expect, it } from 'vitest';

import { syntheticDataset } from '../src/data/synthetic.js';
import { buildFigures } from '../src/report/figures.js';
import { patienceStop, trainWithGeometry } from '../src/study/geometry-training.js';
import type { NetworkRecord } from '../src/study/types.js';

const data = syntheticDataset('syn1', { nTrain: 600, nTest: 200, seed: 0 });
const widths = [16, 16, 16];

describe('patienceStop', () => {
  it('stops after `patience` evaluations without a new minimum', () => {
    expect(patienceStop([0.1, 0.0, -0.1, -0.05, -0.02], 2)).toBe(5);
    expect(patienceStop([0.1, 0.0, -0.1, -0.05, -0.2], 2)).toBeNull();
    expect(patienceStop([0.1, 0.0], 0)).toBeNull();
    // minDelta: a decrease of 0.005 does not count.
    expect(patienceStop([0.1, 0.095, 0.092], 2, 0.01)).toBe(3);
    // Undefined means never improve.
    expect(patienceStop([null, null], 2)).toBe(2);
  });
});

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
    r.networks.forEach((net, i) => {
      const values = r.trajectories[i]!.map((p) => p.localMean);
      const idx = patienceStop(values, 1);
      // The trajectory ends where the rule stopped training (or at the last epoch).
      if (idx === null) {
        expect(r.stoppedAt[i]).toBeNull();
        expect(net.epochsTrained).toBe(12);
      } else {
        expect(idx).toBe(values.length);
        expect(r.stoppedAt[i]).toBe(2 * idx);
        expect(net.epochsTrained).toBe(2 * idx);
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
