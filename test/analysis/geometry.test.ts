import { describe, expect, it } from 'vitest';

import {
  graphFromKnn,
  curvature,
  edgeList,
  geodesics,
  InvalidArgumentError,
  knn,
  knnGraph,
  pairwiseDistances,
  CancelledError,
} from '../../src/index.js';
import { loadFixture, POINT_FIXTURES, toF64 } from '../helpers/fixtures.js';
import { bruteKnn } from '../helpers/brute-knn.js';

/** Hop distances from s by a plain queue BFS (-1 = unreachable): the reference for the native sweeps. */
function plainBfs(g: { n: number; offsets: Int32Array; neighbors: Int32Array }, s: number): Int32Array {
  const dist = new Int32Array(g.n).fill(-1);
  dist[s] = 0;
  const queue = [s];
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h]!;
    for (let p = g.offsets[v]!; p < g.offsets[v + 1]!; p++) {
      const w = g.neighbors[p]!;
      if (dist[w]! < 0) {
        dist[w] = dist[v]! + 1;
        queue.push(w);
      }
    }
  }
  return dist;
}

describe.each(POINT_FIXTURES)('fixture %s', (name) => {
  const fx = loadFixture(name);
  const points = toF64(fx.points);

  it('reproduces the kNN lists exactly (lower-index tie-break)', async () => {
    const lists = await knn(points, { k: fx.k });
    const rows = Array.from({ length: points.n }, (_, i) => Array.from(lists.subarray(i * fx.k, (i + 1) * fx.k)));
    expect(rows).toEqual(fx.knn);
  });

  it('reproduces edges, connectivity, geodesic sum, Forman, augmented, approx-Ollivier, node means', async () => {
    const g = await knnGraph(points, { k: fx.k, mode: fx.mode });
    expect(edgeList(g)).toEqual(fx.edges);
    const geo = await geodesics(g);
    expect(geo.connected).toBe(fx.connected);
    expect(geo.geodesicSum).toBe(fx.geodesic_sum);
    if (!fx.connected) expect(geo.components).toBeGreaterThan(1);
    const c = await curvature(g, { curvatures: ['forman', 'augmented', 'approx-ollivier'] });
    expect(Array.from(c.forman!.edge)).toEqual(fx.forman);
    expect(Array.from(c.augmented!.edge)).toEqual(fx.augmented);
    const approx = c['approx-ollivier']!.edge;
    fx.approx_ollivier.forEach((v, e) => expect(Math.abs(approx[e]! - v)).toBeLessThanOrEqual(1e-9));
    const means = Array.from(c.forman!.nodeMean, (v) => (Number.isNaN(v) ? null : v));
    fx.forman_node_mean.forEach((v, i) => {
      if (v === null) expect(means[i]).toBeNull();
      else expect(Math.abs(means[i]! - v)).toBeLessThanOrEqual(1e-9);
    });
  });

  it('gives identical results for threads = 1, 2 and 8', async () => {
    const runs = await Promise.all(
      [1, 2, 8].map(async (threads) => {
        const g = await knnGraph(points, { k: fx.k, mode: fx.mode, threads });
        const geo = await geodesics(g, { threads, pairs: g.edges });
        const c = await curvature(g, { threads, curvatures: ['augmented'] });
        return [Array.from(g.knn), Array.from(g.edges), geo.geodesicSum, Array.from(geo.pairHops!), Array.from(c.augmented!.edge)];
      }),
    );
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });
});

describe('geodesics', () => {
  it('matches a plain BFS on hop matrix, sum and cross-layer pairs', async () => {
    const fx = loadFixture('blobs-120-union');
    const points = toF64(fx.points);
    const g = await knnGraph(points, { k: fx.k });
    const geo = await geodesics(g, { hopMatrix: 'uint16' });
    const n = g.n;
    // Plain BFS reference.
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const dist = plainBfs(g, s);
      for (let t = 0; t < n; t++) {
        expect(geo.hopMatrix![s * n + t]).toBe(dist[t]);
        if (t > s) sum += dist[t]!;
      }
    }
    expect(geo.geodesicSum).toBe(sum);
    // Hop distances of another graph's edges (k = 3 graph's edges measured in the k = 6 graph).
    const g3 = await knnGraph(points, { k: 3 });
    const cross = await geodesics(g, { pairs: g3.edges });
    for (let e = 0; e < g3.edgeCount; e++) {
      const a = g3.edges[2 * e]!, b = g3.edges[2 * e + 1]!;
      expect(cross.pairHops![e]).toBe(geo.hopMatrix![a * n + b]);
    }
  });

  it('reports a disconnected graph as a result, with unreachable pairs as -1', async () => {
    const fx = loadFixture('two-islands-60');
    const g = await knnGraph(toF64(fx.points), { k: fx.k });
    const geo = await geodesics(g, { pairs: new Int32Array([0, 1, 0, 59]) });
    expect(geo.connected).toBe(false);
    expect(geo.geodesicSum).toBeNull();
    expect(geo.components).toBe(new Set(geo.component).size);
    const sameComponent = geo.component[0] === geo.component[59];
    expect(geo.pairHops![1]! >= 0).toBe(sameComponent);
  });
});

describe('directed mode (seed R recipe)', () => {
  it('uses D = in + out and sums over out-arcs', async () => {
    const fx = loadFixture('blobs-120-union');
    const points = toF64(fx.points);
    const g = await knnGraph(points, { k: fx.k, mode: 'directed' });
    const n = g.n, k = g.k;
    const D = new Int32Array(n).fill(k);
    for (const j of g.knn) D[j]!++;
    const c = await curvature(g, { curvatures: ['forman'] });
    expect(c.forman!.perArc).toBe(true);
    let total = 0;
    for (let a = 0; a < n * k; a++) {
      const want = 4 - D[Math.floor(a / k)]! - D[g.knn[a]!]!;
      expect(c.forman!.edge[a]).toBe(want);
      total += want;
    }
    expect(c.forman!.total).toBe(total);
    // Undirected structure (direction ignored) equals the union graph: same geodesic sum.
    const geo = await geodesics(g);
    expect(geo.geodesicSum).toBe(fx.geodesic_sum);
  });
});

describe('bad input', () => {
  const good = { data: new Float64Array([0, 0, 1, 0, 0, 1, 1, 1]), n: 4, d: 2 };
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['length != n*d', () => knn({ data: new Float64Array(7), n: 4, d: 2 }, { k: 1 }), 'points'],
    ['n < 2', () => knn({ data: new Float64Array(2), n: 1, d: 2 }, { k: 1 }), 'points.n'],
    ['d < 1', () => knn({ data: new Float64Array(0), n: 4, d: 0 }, { k: 1 }), 'points.d'],
    ['k < 1', () => knn(good, { k: 0 }), 'k'],
    ['k >= n', () => knn(good, { k: 4 }), 'k'],
    ['k not an integer', () => knn(good, { k: 1.5 }), 'k'],
    ['NaN', () => knn({ data: new Float64Array([0, 0, NaN, 0, 0, 1, 1, 1]), n: 4, d: 2 }, { k: 1 }), 'points'],
    ['Infinity', () => knnGraph({ data: new Float32Array([0, 0, Infinity, 0, 0, 1, 1, 1]), n: 4, d: 2 }, { k: 1 }), 'points'],
    ['non-numeric array', () => knn({ data: new Int32Array(8) as unknown as Float64Array, n: 4, d: 2 }, { k: 1 }), 'points'],
    ['ragged rows', () => knn([[0, 1], [1]], { k: 1 }), 'points'],
    ['empty rows', () => knn([], { k: 1 }), 'points'],
    ['unknown mode', () => knnGraph(good, { k: 1, mode: 'both' as 'union' }), 'mode'],
    ['unknown curvature', async () => curvature(await knnGraph(good, { k: 1 }), { curvatures: ['ricci' as 'forman'] }), 'curvature'],
    ['bad threads', () => knn(good, { k: 1, threads: -1 }), 'threads'],
    ['pairs out of range', async () => geodesics(await knnGraph(good, { k: 1 }), { pairs: new Int32Array([0, 9]) }), 'pairs'],
  ];
  it.each(cases)('%s -> InvalidArgumentError naming the argument', async (_label, run, arg) => {
    const err = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).arg).toBe(arg);
    expect((err as Error).message).toContain(arg.split('.')[0]!);
  });

  it('rejects a tampered graph object', async () => {
    const g = await knnGraph(good, { k: 2 });
    const bad = { ...g, neighbors: g.neighbors.slice().reverse() };
    await expect(geodesics(bad)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('notices a graph mutated in place after it was validated', async () => {
    const g = await knnGraph(good, { k: 2 });
    await geodesics(g); // validated and remembered
    g.neighbors.reverse();
    await expect(geodesics(g)).rejects.toBeInstanceOf(InvalidArgumentError);
    g.neighbors.reverse();
    await expect(geodesics(g)).resolves.toMatchObject({ connected: true });
    g.neighbors[0] = 99; // out of range: caught by the bounds check on every call
    await expect(curvature(g)).rejects.toThrow(/out of range/);
  });

  it('does not validate natively built graphs again (small and large, every mode), but does validate a copy', async () => {
    const { addon } = await import('../../src/core/native.js');
    for (const [n, k] of [[good.n, 2], [1500, 20]] as const) {
      const pts = n === good.n ? good : { data: Float64Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 7.1) * 3), n, d: 3 };
      for (const mode of ['union', 'mutual', 'directed'] as const) {
        const g = await knnGraph(pts, { k, mode });
        const before = addon.diagnostics().graphValidations;
        await geodesics(g);
        await curvature(g, { curvatures: ['forman', 'augmented'] });
        expect(addon.diagnostics().graphValidations).toBe(before);
        const copy = { ...g, offsets: g.offsets.slice(), neighbors: g.neighbors.slice(), edges: g.edges.slice() };
        await geodesics(copy);
        expect(addon.diagnostics().graphValidations).toBe(before + 1);
      }
    }
  });

  it('cancels through an AbortSignal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(knn(good, { k: 1, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('pairwise distances', () => {
  it('match direct Euclidean distances', async () => {
    const fx = loadFixture('ties-50');
    const points = toF64(fx.points);
    const D = await pairwiseDistances(points);
    const n = points.n, d = points.d;
    for (let i = 0; i < n; i += 7)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (points.data[i * d + t]! - points.data[j * d + t]!) ** 2;
        expect(Math.abs(D[i * n + j]! - Math.sqrt(s))).toBeLessThan(1e-9);
      }
  });
});

describe('triangle counts (both native strategies)', () => {
  function jsTriangles(g: Awaited<ReturnType<typeof knnGraph>>): number[] {
    const out: number[] = [];
    for (let e = 0; e < g.edgeCount; e++) {
      const u = g.edges[2 * e]!, v = g.edges[2 * e + 1]!;
      const nu = new Set(g.neighbors.subarray(g.offsets[u]!, g.offsets[u + 1]!));
      let c = 0;
      for (const w of g.neighbors.subarray(g.offsets[v]!, g.offsets[v + 1]!)) if (nu.has(w)) c++;
      out.push(c);
    }
    return out;
  }
  const cloud = (n: number, d = 3) => {
    const data = new Float64Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898 + 1) * 43758.5453 % 1;
    return { data, n, d };
  };
  it.each([
    ['bitset rows (dense, small n)', 300, 20],
    ['bitset rows over several 512-bit blocks, padded', 1100, 25],
    ['mark-and-scan (sparse, large n)', 3000, 3],
  ])('%s', async (_label, n, k) => {
    const g = await knnGraph(cloud(n), { k });
    const c = await curvature(g, { curvatures: ['augmented'], triangles: true });
    expect(Array.from(c.triangles!)).toEqual(jsTriangles(g));
  });

  it('edgeValues: false gives the same node values and totals without per-edge arrays', async () => {
    for (const mode of ['union', 'directed'] as const) {
      const g = await knnGraph(cloud(600), { k: 12, mode });
      const names = ['forman', 'augmented', 'approx-ollivier'] as const;
      const full = await curvature(g, { curvatures: [...names] });
      const lean = await curvature(g, { curvatures: [...names], edgeValues: false });
      for (const c of names) {
        expect(lean[c]!.edge.length).toBe(0);
        expect(full[c]!.edge.length).toBeGreaterThan(0);
        expect(lean[c]!.nodeMean).toEqual(full[c]!.nodeMean);
        expect(lean[c]!.nodeSum).toEqual(full[c]!.nodeSum);
        expect(lean[c]!.total).toBe(full[c]!.total);
      }
    }
  });

  it('returns triangles only when asked, also next to Forman alone', async () => {
    const g = await knnGraph(cloud(300), { k: 20 });
    expect((await curvature(g, { curvatures: ['augmented'] })).triangles).toBeUndefined();
    const c = await curvature(g, { curvatures: ['forman'], triangles: true });
    expect(Array.from(c.triangles!)).toEqual(jsTriangles(g));
    expect(c.augmented).toBeUndefined();
    // A name asked twice is computed once and returned whole.
    const twice = await curvature(g, { curvatures: ['forman', 'forman'] });
    expect(twice.forman!.edge).toEqual(c.forman!.edge);
    expect(twice.forman!.nodeMean).toEqual(c.forman!.nodeMean);
  });

  it.each([
    // Large enough that threads = 2 and 8 really split the work.
    ['bitsets', 2000, 40, 'union'],
    ['mark-and-scan', 6000, 15, 'mutual'],
  ] as const)('%s: per-edge values, node sums, means and totals from the definitions, any thread count', async (_l, n, k, mode) => {
    const g = await knnGraph(cloud(n), { k, mode });
    const tri = jsTriangles(g);
    const deg = (i: number) => g.offsets[i + 1]! - g.offsets[i]!;
    const want = {
      forman: tri.map((_t, e) => 4 - deg(g.edges[2 * e]!) - deg(g.edges[2 * e + 1]!)),
      augmented: tri.map((t, e) => 4 - deg(g.edges[2 * e]!) - deg(g.edges[2 * e + 1]!) + 3 * t),
      'approx-ollivier': tri.map((t, e) => {
        const a = deg(g.edges[2 * e]!), b = deg(g.edges[2 * e + 1]!);
        const mx = Math.max(a, b), mn = Math.min(a, b), base = 1 - 1 / a - 1 / b;
        return 0.5 * t / mx - 0.5 * (Math.max(0, base - t / mn) + Math.max(0, base - t / mx) - t / mx);
      }),
    };
    const results = [];
    for (const threads of [1, 2, 8]) {
      const c = await curvature(g, { curvatures: ['forman', 'augmented', 'approx-ollivier'], threads });
      for (const name of ['forman', 'augmented', 'approx-ollivier'] as const) {
        const r = c[name]!;
        expect(Array.from(r.edge)).toEqual(want[name]);
        const sum = new Float64Array(n);
        want[name].forEach((x, e) => {
          sum[g.edges[2 * e]!] += x;
          sum[g.edges[2 * e + 1]!] += x;
        });
        for (let i = 0; i < n; i++) {
          expect(r.nodeSum[i]).toBeCloseTo(sum[i]!, 9);
          if (deg(i) === 0) expect(r.nodeMean[i]).toBeNaN();
          else expect(r.nodeMean[i]).toBeCloseTo(sum[i]! / deg(i), 9);
        }
        expect(r.total).toBeCloseTo(want[name].reduce((a, b) => a + b, 0), 6);
      }
      results.push(c);
    }
    for (const c of results.slice(1))
      for (const name of ['forman', 'augmented', 'approx-ollivier'] as const) {
        expect(c[name]!.edge).toEqual(results[0]![name]!.edge);
        expect(c[name]!.nodeMean).toEqual(results[0]![name]!.nodeMean);
        expect(c[name]!.total).toBe(results[0]![name]!.total);
      }
  });

  it('the portable kernel (RICCIFLOW_NO_AVX512=1) counts the same triangles as the dispatched one', async () => {
    const { execFileSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      const api = await import(${JSON.stringify(index)});
      const n = 1100, d = 3, data = new Float64Array(n * d);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898 + 1) * 43758.5453 % 1;
      const g = await api.knnGraph({ data, n, d }, { k: 25 });
      const c = await api.curvature(g, { curvatures: ['augmented'], triangles: true });
      process.stdout.write(JSON.stringify(Array.from(c.triangles)));`;
    const run = (env: Record<string, string>) =>
      JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env } }).toString());
    const portable = run({ RICCIFLOW_NO_AVX512: '1' });
    const dispatched = run({});
    const g = await knnGraph(cloud(1100), { k: 25 });
    expect(portable).toEqual(jsTriangles(g));
    expect(dispatched).toEqual(portable);
  });
});

describe('kNN exactness against brute force (exact double distances, index tie-break)', () => {
  const rnd = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cases: Array<[string, Float32Array | Float64Array, number, number, number]> = [];
  {
    // Small integers in 64 dimensions: exact distance ties everywhere.
    const r = rnd(7), n = 400, d = 64, x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = Math.floor(r() * 4);
    cases.push(['integer pixels with many exact ties', x, n, d, 25]);
  }
  {
    // One dimension (a sigmoid output layer): the sorted walk, with many exact ties on both sides.
    const r = rnd(9), n = 500, x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 3 === 0 ? 1 : Math.round(r() * 20) / 4;
    cases.push(['one dimension with ties on both sides', x, n, 1, 60]);
  }
  {
    const r = rnd(13), n = 400, x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = 1 / (1 + Math.exp(-30 * (r() - 0.5)));
    cases.push(['one dimension, saturated sigmoid values', x, n, 1, 25]);
  }
  {
    // d >= 128 takes the symmetric-tile Gram path (n > 256: mirrored tiles): 0..255 pixels.
    const r = rnd(5), n = 520, d = 160, x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = Math.floor(r() * r() * 256);
    for (let t = 0; t < d; t++) x[7 * d + t] = x[300 * d + t]!; // an exact duplicate across tiles
    cases.push(['high-dimensional pixels, symmetric tiles', x, n, d, 30]);
  }
  {
    // Whole-number pixels but for two tiny fractions: not integer data (no int16 path), and the
    // rows that differ only by a fraction must not tie.
    const r = rnd(17), n = 300, d = 140, x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = Math.floor(r() * 6);
    for (let t = 0; t < d; t++) x[20 * d + t] = x[30 * d + t] = x[10 * d + t]!;
    x[20 * d] = x[10 * d]! + 0.5;
    for (let t = 0; t < d; t++) x[200 * d + t] = x[100 * d + t]!;
    x[200 * d + 5] = x[100 * d + 5]! + 2 ** -20;
    cases.push(['whole numbers but for two fractions', x, n, d, 12]);
  }
  {
    // Large common offset: the Gram product cancels badly without centring and exact re-ranking.
    const r = rnd(11), n = 300, d = 8, x = new Float64Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = 1e4 + r() * 1e-2;
    cases.push(['large offset, tiny spread', x, n, d, 10]);
  }
  {
    // Duplicated rows (ReLU-like collapse): half the points equal a few prototypes.
    const r = rnd(3), n = 300, d = 16, x = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < d; t++) x[i * d + t] = i % 2 === 0 ? (i % 6) * 0.5 : r();
    cases.push(['collapsed duplicates', x, n, d, 40]);
  }
  it.each(cases)('%s', async (_label, data, n, d, k) => {
    const lists = await knn({ data, n, d }, { k, threads: 2 });
    const got = Array.from({ length: n }, (_, i) => Array.from(lists.subarray(i * k, (i + 1) * k)));
    expect(got).toEqual(bruteKnn(data, n, d, k));
  });
});

describe('graphs from given kNN lists', () => {
  it('rejects self-loops, repeats and out-of-range indices', async () => {
    await expect(graphFromKnn(new Int32Array([1, 0, 2, 2]), { n: 4, k: 1 })).rejects.toThrow(/lists itself/);
    await expect(graphFromKnn(new Int32Array([1, 2, 0, 0, 0, 1, 0, 1]), { n: 4, k: 2 })).rejects.toThrow(/repeated/);
    await expect(graphFromKnn(new Int32Array([1, 0, 7, 0]), { n: 4, k: 1 })).rejects.toThrow(/out of range/);
    await expect(graphFromKnn(new Int32Array([1, 0, 3]), { n: 4, k: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('multi-batch BFS (n > 256 sources, long paths) matches a plain BFS', async () => {
    // A noisy 1-D curve: long shortest paths, push and pull levels, a partial last batch.
    const n = 700, d = 2, data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      data[2 * i] = i + 0.3 * Math.sin(i * 7.1);
      data[2 * i + 1] = Math.cos(i * 3.7);
    }
    const g = await knnGraph({ data, n, d }, { k: 4 });
    const g2 = await knnGraph({ data, n, d }, { k: 9 });
    const geo = await geodesics(g, { pairs: g2.edges, threads: 2 });
    let sum = 0;
    const hops = new Map<number, number>();
    for (let s = 0; s < n; s++) {
      const dist = plainBfs(g, s);
      for (let t = s + 1; t < n; t++) {
        sum += dist[t]!;
        hops.set(s * n + t, dist[t]!);
      }
    }
    expect(geo.connected).toBe(true);
    expect(geo.geodesicSum).toBe(sum);
    for (let e = 0; e < g2.edgeCount; e++) {
      const a = g2.edges[2 * e]!, b = g2.edges[2 * e + 1]!;
      expect(geo.pairHops![e]).toBe(hops.get(a * n + b));
    }
    // Unordered pairs (reversed, endpoints swapped) take the bucketed path: same distances.
    const m = g2.edgeCount, shuffled = new Int32Array(2 * m);
    for (let e = 0; e < m; e++) {
      shuffled[2 * e] = g2.edges[2 * (m - 1 - e) + 1]!;
      shuffled[2 * e + 1] = g2.edges[2 * (m - 1 - e)]!;
    }
    const geo2 = await geodesics(g, { pairs: shuffled, threads: 2 });
    for (let e = 0; e < m; e++) expect(geo2.pairHops![e]).toBe(geo.pairHops![m - 1 - e]);
  });
});
