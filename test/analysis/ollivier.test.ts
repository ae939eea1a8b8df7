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
} from '../../src/index.js';
import { addon } from '../../src/core/native.js';
import { loadFixture, toF64 } from '../helpers/fixtures.js';

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
  readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/ollivier-random.json'), 'utf8'),
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

// The native binding's testing hooks: distance2 forces the distance-2 tables ('push' is the route
// taken for large graphs, where the all-pairs 2-hop bitsets would not fit), fastPath: false sends
// every edge through the general max-flow. Every route must give the fixture/POT values, and the
// two table strategies the very same bits (checked on a graph with hubs, where anchors span several
// 64-bit words).
type RawOllivier = (
  graph: KnnGraph,
  options: { alpha: number; threads?: number; distance2?: string; fastPath?: boolean; edgeIds?: Int32Array },
) => Promise<Float64Array>;
const rawOllivier = (): RawOllivier => addon.ollivierCurvature as unknown as RawOllivier;

function gaussianPoints(n: number, d: number, seed0: number): { data: Float64Array; n: number; d: number } {
  let seed = seed0;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  return { data, n, d };
}

describe('Ollivier by every route (distance-2 push tables, general path) against the fixtures', () => {
  const cases: Array<[string, () => Promise<{ g: KnnGraph; want: Record<string, number[]> }>]> = [
    ...(['blobs-120-union', 'ties-50', 'two-islands-60'] as const).map(
      (name) =>
        [
          name,
          async () => {
            const fx = loadFixture(name);
            const g = await knnGraph(toF64(fx.points), { k: fx.k, mode: fx.mode });
            return { g, want: { '0': fx['ollivier_alpha_0.0']!, '0.5': fx['ollivier_alpha_0.5']! } };
          },
        ] as [string, () => Promise<{ g: KnnGraph; want: Record<string, number[]> }>],
    ),
    ...randomFixture.cases.map(
      (c) =>
        [
          c.name,
          async () => ({ g: await knnGraph(toF64(c.points), { k: c.k, mode: c.mode }), want: c.ollivier }),
        ] as [string, () => Promise<{ g: KnnGraph; want: Record<string, number[]> }>],
    ),
  ];

  it.each(cases)('%s', async (name, load) => {
    const { g, want } = await load();
    const raw = rawOllivier();
    for (const [a, values] of Object.entries(want)) {
      const alpha = Number(a);
      const push = await raw(g, { alpha, threads: 2, distance2: 'push' });
      const general = await raw(g, { alpha, threads: 2, fastPath: false });
      expectClose(push, values, `${name} α=${a} push`);
      expectClose(general, values, `${name} α=${a} general path`);
    }
  });

  it('gives the same bits by both table strategies on a graph with hubs (multi-word neighbourhoods)', async () => {
    const g = await knnGraph(gaussianPoints(500, 40, 777), { k: 30 });
    const deg = Array.from({ length: g.offsets.length - 1 }, (_, i) => g.offsets[i + 1]! - g.offsets[i]!);
    // some edge has both endpoints of degree >= 64, so anchors with more than one 64-bit word occur
    let wide = 0;
    for (let e = 0; e < g.edgeCount; e++) if (Math.min(deg[g.edges[2 * e]!]!, deg[g.edges[2 * e + 1]!]!) >= 64) wide++;
    expect(wide).toBeGreaterThan(0);
    const raw = rawOllivier();
    for (const alpha of [0, 0.3]) {
      const bitsets = await raw(g, { alpha, threads: 2, distance2: 'bitsets' });
      const push1 = await raw(g, { alpha, threads: 1, distance2: 'push' });
      const push2 = await raw(g, { alpha, threads: 2, distance2: 'push' });
      const general = await raw(g, { alpha, threads: 2, fastPath: false });
      expect(Array.from(push1), `α=${alpha}: push vs bitsets`).toEqual(Array.from(bitsets));
      expect(Array.from(push2), `α=${alpha}: push, 2 threads vs 1`).toEqual(Array.from(push1));
      let worst = 0;
      for (let e = 0; e < g.edgeCount; e++) worst = Math.max(worst, Math.abs(general[e]! - bitsets[e]!));
      expect(worst, `α=${alpha}: general path vs fast path`).toBeLessThanOrEqual(1e-12);
    }
  });

  it('rejects an unknown distance2 with ERR_INVALID_ARGUMENT', async () => {
    const fx = loadFixture('ties-50');
    const g = await knnGraph(toF64(fx.points), { k: fx.k, mode: fx.mode });
    let code: string | undefined;
    try {
      await rawOllivier()(g, { alpha: 0.5, distance2: 'dense' });
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).toBe('ERR_INVALID_ARGUMENT');
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
