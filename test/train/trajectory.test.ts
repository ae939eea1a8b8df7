import { describe, expect, it } from 'vitest';

import { gridConfigs } from '../../src/study/grid.js';
import { runCell } from '../../src/study/network.js';
import { resolveSweep } from '../../src/study/sweep.js';

const grid = {
  datasets: ['syn1'],
  architectures: ['narrow'],
  depths: [5],
  seeds: [0, 1],
  epochs: 12,
  batchSize: 32,
  learningRate: 0.001,
  validationSplit: 0.2,
  backend: 'native' as const,
  k: [10],
  curvatures: ['forman' as const],
  mode: 'union' as const,
  layers: 'all' as const,
  alpha: 0.5,
  nTrain: 600,
  nTest: 200,
  dataSeed: 0,
};

describe('geometry trajectories recorded during native training', () => {
  it('records every N epochs and the last, per network, reproducibly', async () => {
    const configs = gridConfigs(grid);
    const a = await runCell(configs, { trajectoryEvery: 5, threads: 2 });
    const b = await runCell(configs, { trajectoryEvery: 5, threads: 1 });
    for (const [r, rec] of a.entries()) {
      const t = rec.trajectory!;
      expect(t.map((p) => p.epoch)).toEqual([5, 10, 12]);
      for (const p of t) {
        expect(p.layer).toHaveLength(rec.layerDims.length - 1);
        expect(p.trainAccuracy).toBeGreaterThan(0);
        expect(p.testAccuracy).toBeGreaterThanOrEqual(0);
        expect(p.localMean === null || (p.localMean >= -1 && p.localMean <= 1)).toBe(true);
      }
      // The last point's train accuracy is the last epoch's.
      expect(t[t.length - 1]!.trainAccuracy).toBe(rec.history!.at(-1)!.accuracy);
      expect(b[r]!.trajectory).toEqual(t);
    }
    const plain = await runCell(configs, {});
    expect(plain[0]!.trajectory).toBeUndefined();
    expect(plain[0]!.accuracy).toBe(a[0]!.accuracy); // recording does not change training
  });

  it('sweep files validate trajectoryEvery', () => {
    const base = { datasets: ['A'], architectures: ['narrow'], depths: [5], seeds: [0] };
    expect(resolveSweep({ ...base, trajectoryEvery: 5 }).trajectoryEvery).toBe(5);
    expect(() => resolveSweep({ ...base, trajectoryEvery: 0 })).toThrow(/trajectoryEvery/);
    expect(() => resolveSweep({ ...base, trajectoryEvery: '5' })).toThrow(/trajectoryEvery/);
  });
});
