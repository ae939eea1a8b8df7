import { describe, expect, it } from 'vitest';

import { geodesics, knn, knnGraph, setThreadBudget, threadInfo } from '../../src/index.js';
import { loadFixture, toF64 } from '../helpers/fixtures.js';

describe('thread budget', () => {
  it('never leases more threads than the budget, with many calls asking for 8 at once', async () => {
    const fx = loadFixture('blobs-120-union');
    const points = toF64(fx.points);
    const budget = threadInfo().budget;
    expect(budget).toBeGreaterThanOrEqual(1);
    const runs = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const g = await knnGraph(points, { k: fx.k, threads: 8 });
        return (await geodesics(g, { threads: 8 })).geodesicSum;
      }),
    );
    for (const r of runs) expect(r).toBe(fx.geodesic_sum);
    const info = threadInfo();
    expect(info.inUse).toBe(0);
    expect(info.peak).toBeLessThanOrEqual(budget);
  });

  it('a smaller budget still completes every call with identical results', async () => {
    const fx = loadFixture('ties-50');
    const points = toF64(fx.points);
    const before = threadInfo().budget;
    setThreadBudget(1);
    try {
      const runs = await Promise.all([1, 2, 8].map((threads) => knnGraph(points, { k: fx.k, threads })));
      for (const g of runs) expect(Array.from(g.edges)).toEqual(Array.from(runs[0]!.edges));
      expect(threadInfo().inUse).toBe(0);
    } finally {
      setThreadBudget(before);
    }
    expect(() => setThreadBudget(0)).toThrow(/budget/);
  });
});

describe('progress', () => {
  it('is monotonic, ends with (total, total) and stops when the Promise resolves', async () => {
    const n = 3000, d = 8, data = new Float64Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 1.618) * 1000 % 7;
    const seen: Array<[number, number]> = [];
    await knn({ data, n, d }, { k: 10, threads: 2, onProgress: (a, b) => seen.push([a, b]) });
    const count = seen.length;
    expect(count).toBeGreaterThan(0);
    for (let i = 1; i < count; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);
    expect(seen[count - 1]).toEqual([n, n]);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(count);
  });
});

describe('compute threads', () => {
  it('calls made one after another run on one compute thread; concurrent calls add threads', async () => {
    const { addon } = await import('../../src/core/native.js');
    const pts = { data: Float64Array.from({ length: 800 * 4 }, (_, i) => Math.cos(i * 3.7)), n: 800, d: 4 };
    const first = addon.diagnostics().computeThreads;
    for (let i = 0; i < 5; i++) await knn(pts, { k: 10, threads: 1 });
    const afterSequential = addon.diagnostics().computeThreads;
    expect(afterSequential).toBeLessThanOrEqual(Math.max(first, 1));
    // Four calls of tens of milliseconds at once: the budget (the core count by default) lets
    // two or more run together, each on its own compute thread.
    const big = { data: Float64Array.from({ length: 3000 * 20 }, (_, i) => Math.sin(i * 1.3)), n: 3000, d: 20 };
    await Promise.all(Array.from({ length: 4 }, () => knn(big, { k: 10, threads: 1 })));
    expect(addon.diagnostics().computeThreads).toBeGreaterThanOrEqual(Math.min(2, threadInfo().budget));
  });
});
