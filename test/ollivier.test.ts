import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  CancelledError,
  edgeList,
  InvalidArgumentError,
  knnGraph,
  ollivierCurvature,
  type KnnGraph,
} from '../src/index.js';
import { addon } from '../src/native.js';
import { loadFixture, toF64 } from './helpers/fixtures.js';

const TOL = 1e-9;

function expectClose(got: Float64Array, want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  let at = -1;
  want.forEach((v, e) => {
    const d = Math.abs(got[e]! - v);
    if (!(d <= worst)) {
      worst = d;
      at = e;
    }
  });
  expect(worst, `${what}: worst |diff| at edge ${at}`).toBeLessThanOrEqual(TOL);
}

describe.each(['blobs-120-union', 'ties-50', 'two-islands-60'])('Ollivier on fixture %s', (name) => {
  const fx = loadFixture(name);
  const points = toF64(fx.points);

  it('reproduces ollivier_alpha_0.0 and ollivier_alpha_0.5 to 1e-9', async () => {
    const g = await knnGraph(points, { k: fx.k, mode: fx.mode });
    expect(edgeList(g)).toEqual(fx.edges);
    expectClose(await ollivierCurvature(g, { alpha: 0 }), fx['ollivier_alpha_0.0']!, `${name} α=0`);
    expectClose(await ollivierCurvature(g, { alpha: 0.5 }), fx['ollivier_alpha_0.5']!, `${name} α=0.5`);
    // α defaults to 0.5
    expectClose(await ollivierCurvature(g), fx['ollivier_alpha_0.5']!, `${name} default α`);
  });

  it('gives bit-identical results for threads = 1, 2 and 8', async () => {
    const g = await knnGraph(points, { k: fx.k, mode: fx.mode });
    for (const alpha of [0, 0.5]) {
      const runs = await Promise.all([1, 2, 8].map((threads) => ollivierCurvature(g, { alpha, threads })));
      expect(Array.from(runs[1]!)).toEqual(Array.from(runs[0]!));
      expect(Array.from(runs[2]!)).toEqual(Array.from(runs[0]!));
    }
  });
});

interface RandomCase {
  name: string;
  points: number[][];
  k: number;
  mode: 'union' | 'mutual';
  edges: [number, number][];
  max_degree: number;
  ollivier: Record<string, number[]>;
}

const randomFixture = JSON.parse(
  readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures/ollivier-random.json'), 'utf8'),
) as { cases: RandomCase[] };

describe('Ollivier against POT on random graphs (test/fixtures/make_ollivier_random.py)', () => {
  it.each(randomFixture.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const g = await knnGraph(toF64(c.points), { k: c.k, mode: c.mode });
    expect(edgeList(g)).toEqual(c.edges);
    for (const [a, want] of Object.entries(c.ollivier)) {
      const alpha = Number(a);
      const got = await ollivierCurvature(g, { alpha, threads: 2 });
      expectClose(got, want, `${c.name} α=${a}`);
    }
  });
});

describe('Ollivier errors, progress and cancellation', () => {
  const fx = loadFixture('blobs-120-union');
  const graph = (): Promise<KnnGraph> => knnGraph(toF64(fx.points), { k: fx.k, mode: fx.mode });

  it('rejects α outside [0, 1) or NaN with InvalidArgumentError (TS layer and native layer)', async () => {
    const g = await graph();
    for (const alpha of [-0.1, 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(ollivierCurvature(g, { alpha })).rejects.toBeInstanceOf(InvalidArgumentError);
      let code: string | undefined;
      try {
        await addon.ollivierCurvature!(g, { alpha });
      } catch (err) {
        code = (err as { code?: string }).code;
      }
      expect(code, `native α=${alpha}`).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('rejects a graph whose edge list does not belong to its adjacency', async () => {
    const g = await graph();
    const edges = Int32Array.from(g.edges);
    // swap the second endpoint of edge 0 for a vertex that is not adjacent to its first endpoint
    const u = edges[0]!;
    const nbrs = new Set(Array.from(g.neighbors.subarray(g.offsets[u]!, g.offsets[u + 1]!)));
    let v = u + 1;
    while (nbrs.has(v)) v++;
    edges[1] = v;
    await expect(ollivierCurvature({ ...g, edges }, { alpha: 0.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('reports progress in edges up to the total', async () => {
    const g = await graph();
    const seen: Array<[number, number]> = [];
    await ollivierCurvature(g, { alpha: 0.5, onProgress: (d, t) => seen.push([d, t]) });
    await new Promise((r) => setTimeout(r, 50)); // callbacks from compute threads arrive asynchronously
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([d, t]) => t === g.edgeCount && d >= 0 && d <= t)).toBe(true);
    expect(Math.max(...seen.map(([d]) => d))).toBe(g.edgeCount);
  });

  it('is cancelled by an AbortSignal, then later calls still work', async () => {
    // a graph big enough to take a while: 1500 Gaussian points in 40-D, k = 30
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const n = 1500, d = 40;
    const data = new Float64Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    const g = await knnGraph({ data, n, d }, { k: 30 });

    const already = new AbortController();
    already.abort();
    await expect(ollivierCurvature(g, { signal: already.signal })).rejects.toBeInstanceOf(CancelledError);

    const ac = new AbortController();
    const run = ollivierCurvature(g, {
      alpha: 0.5,
      threads: 2,
      signal: ac.signal,
      onProgress: (done) => {
        if (done > 0) ac.abort();
      },
    });
    setTimeout(() => ac.abort(), 5);
    await expect(run).rejects.toBeInstanceOf(CancelledError);

    const small = await graph();
    expectClose(await ollivierCurvature(small, { alpha: 0 }), fx['ollivier_alpha_0.0']!, 'after cancel');
  });

  it('computes a subset of edges (native edgeIds) with the same values, and rejects bad ids', async () => {
    const g = await graph();
    const all = await ollivierCurvature(g, { alpha: 0.25 });
    const ids = Int32Array.from({ length: Math.ceil(g.edgeCount / 3) }, (_, p) => g.edgeCount - 1 - 3 * p);
    const raw = addon.ollivierCurvature as unknown as (
      graph: KnnGraph,
      options: { alpha: number; edgeIds: Int32Array; threads?: number },
    ) => Promise<Float64Array>;
    const sub = await raw(g, { alpha: 0.25, edgeIds: ids, threads: 2 });
    expect(Array.from(sub)).toEqual(Array.from(ids, (e) => all[e]!));
    let code: string | undefined;
    try {
      await raw(g, { alpha: 0.25, edgeIds: Int32Array.of(0, g.edgeCount) });
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('handles a graph without edges', async () => {
    const g = await knnGraph(toF64([[0, 0], [10, 0], [0, 10], [10, 10]]), { k: 1, mode: 'mutual' });
    const got = await ollivierCurvature(g, { alpha: 0.5 });
    expect(got.length).toBe(g.edgeCount);
  });
});
