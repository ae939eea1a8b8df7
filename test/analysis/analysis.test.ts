import { describe, expect, it } from 'vitest';

import { analyzeLayers, coefficientPairs, createRng, InvalidArgumentError, knn } from '../../src/index.js';
import { loadFixture, toF64 } from '../helpers/fixtures.js';

interface CirclesFixture {
  layers: number[][][];
  k: number;
  mode: 'union';
  [key: string]: unknown;
}

const fx = loadFixture<CirclesFixture>('circles-relu-150');
const layers = fx.layers.map(toF64);

function close(a: number | null | undefined, b: number | null, tol = 1e-9): void {
  if (b === null || Number.isNaN(b)) {
    expect(a ?? null).toBeNull();
  } else {
    expect(a).not.toBeNull();
    expect(Math.abs(a! - b)).toBeLessThanOrEqual(tol);
  }
}

describe('circles-relu-150 coefficients', () => {
  it.each(['forman', 'augmented'] as const)('reproduces global, local and layer values for %s', async (c) => {
    const res = await analyzeLayers(layers, { k: fx.k, curvatures: [c], layers: 'all' });
    const K = res.byK[0]!;
    const co = K.coefficients[c]!;
    const g = fx[`global_${c}`] as { rho: number; ric: number[]; g: number[]; eta: number[] };
    close(co.global.rho, g.rho);
    expect(co.global.ric).toEqual(g.ric);
    expect(co.global.g).toEqual(g.g);
    expect(co.global.eta).toEqual(g.eta);
    expect(co.global.m).toBe(g.eta.length);
    const local = fx[`local_${c}`] as (number | null)[];
    expect(co.local.values.length).toBe(local.length);
    local.forEach((v, x) => close(co.local.values[x], v));
    expect(co.local.nullCount).toBe(local.filter((v) => v === null).length);
    const layer = fx[`layer_${c}`] as (number | null)[];
    layer.forEach((v, l) => close(co.layer[l], v));
  });

  it('reports disconnected layers with null coefficients and a reason', async () => {
    // k = 1 graphs of two far-apart groups are disconnected.
    const res = await analyzeLayers(layers, { k: 1 });
    const K = res.byK[0]!;
    expect(K.disconnected.length).toBeGreaterThan(0);
    expect(K.coefficients.forman!.global.rho).toBeNull();
    expect(K.coefficients.forman!.global.reason).toMatch(/disconnected/);
  });

  it('derives every k from one kNN pass with the same results as separate runs', async () => {
    const both = await analyzeLayers(layers, { k: [4, 10], curvatures: ['augmented'] });
    const k4 = await analyzeLayers(layers, { k: 4, curvatures: ['augmented'] });
    const k10 = await analyzeLayers(layers, { k: 10, curvatures: ['augmented'] });
    expect(both.byK[0]).toEqual(k4.byK[0]);
    expect(both.byK[1]).toEqual(k10.byK[0]);
  });

  it('k lists are prefixes of the kmax list (rows ordered by distance, then index), ties included', async () => {
    const rng = createRng(7);
    // Gaussian float32 points, and points on a small integer grid (many exact distance ties).
    const n = 600;
    const gauss = new Float32Array(n * 8).map(() => rng.normal(0, 1));
    const grid = new Float64Array(n * 3).map(() => Math.floor(rng.uniform(0, 4)));
    for (const data of [gauss, grid]) {
      const pts = { data, n, d: data.length / n };
      const kMax = 300;
      const big = await knn(pts, { k: kMax });
      for (const k of [1, 30, 120, 299]) {
        const small = await knn(pts, { k });
        const prefix = new Int32Array(n * k);
        for (let i = 0; i < n; i++) prefix.set(big.subarray(i * kMax, i * kMax + k), i * k);
        expect(prefix).toEqual(small);
      }
    }
  });

  it('reports where the time went (timings per phase, in ms)', async () => {
    const res = await analyzeLayers(layers, { k: [4, 10] });
    for (const phase of ['knn', 'graphs', 'geodesics', 'curvature', 'coefficients'] as const) {
      expect(Number.isFinite(res.timings[phase])).toBe(true);
      expect(res.timings[phase]).toBeGreaterThanOrEqual(0);
    }
  });

  it('rejects layers with different point counts', async () => {
    const bad = [layers[0]!, { data: layers[1]!.data.subarray(0, 16 * 149), n: 149, d: 16 }];
    await expect(analyzeLayers(bad, { k: 5 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

/**
 * Hand-computed coefficients (docs/method.md §5). Five points per layer, k = 1 (union): each layer's
 * graph is a tree whose Forman curvature (4 − deg u − deg v per edge) and hop sum g are counted by
 * hand:  path P5: edges 1,0,0,1 → Ric 2, g = 4·1+3·2+2·3+1·4 = 20;  fork (a vertex of degree 3 with a
 * tail of two): edges 0,0,−1,1 → Ric 0, g 18;  star K1,4: four edges −1 → Ric −4, g = 4·1+6·2 = 16;
 * split (a pair and a path of three, disconnected): edges 2,1,1 → Ric 4, g undefined.
 */
describe('hand-computed pairings', () => {
  const P = (xy: number[][]) => ({ data: new Float64Array(xy.flat()), n: xy.length, d: 2 });
  const path = P([[0, 0], [1, 0], [3, 0], [6, 0], [10, 0]]);
  const star = P([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]]);
  const fork = P([[0, 0], [0, 1], [0, -1], [1.5, 0], [3.5, 0]]);
  const split = P([[0, 0], [1, 0], [10, 0], [11, 0], [13, 0]]);
  // Layers 0 … 6: star, path, fork, star, path, fork, output.
  // g = 16, 20, 18, 16, 20, 18, g_6; Ric = −4, 2, 0, −4, 2, 0, Ric_6.
  const net = (output: typeof star, input = star) => [input, path, fork, star, path, fork, output];

  it('lists the pairs of each pairing', () => {
    expect(coefficientPairs('all', 5)).toEqual([0, 1, 2, 3].map((l) => ({ ric: l, from: l, to: l + 1 })));
    expect(coefficientPairs('hidden', 5)).toEqual([1, 2].map((l) => ({ ric: l, from: l, to: l + 1 })));
    expect(coefficientPairs('same-layer', 5)).toEqual([1, 2, 3].map((l) => ({ ric: l, from: l - 1, to: l })));
    expect(coefficientPairs('hidden', 3)).toEqual([]);
  });

  it('all: (Ric_l, g_{l+1} − g_l), l = 0 … L−2', async () => {
    const res = await analyzeLayers(net(star), { k: 1, curvatures: ['forman', 'augmented'], layers: 'all' });
    const gl = res.byK[0]!.coefficients.forman!.global;
    expect(gl.g).toEqual([16, 20, 18, 16, 20, 18, 16]);
    expect(gl.ric).toEqual([-4, 2, 0, -4, 2, 0, -4]);
    // pairs (−4, 4), (2, −2), (0, −2), (−4, 4), (2, −2), (0, −2): Σxy = −40, Sxx = 40 − 6·(2/3)² = 112/3, Syy = 48
    expect(gl.m).toBe(6);
    close(gl.rho, -40 / Math.sqrt((112 / 3) * 48), 1e-12);
    close(gl.z, Math.atanh(-40 / Math.sqrt((112 / 3) * 48)) * Math.sqrt(3), 1e-12);
    // no triangles: augmented Forman equals Forman
    close(res.byK[0]!.coefficients.augmented!.global.rho, gl.rho, 1e-12);
  });

  it('hidden: (Ric_l, g_{l+1} − g_l), l = 1 … L−3 (seed aa2), defined with a disconnected output layer', async () => {
    // pairs (2, −2), (0, −2), (−4, 4), (2, −2): Sxy = −24, Sxx = 24, Syy = 27
    const want = -24 / Math.sqrt(24 * 27);
    for (const layers of [net(star), net(split), net(star, split)]) {
      const res = await analyzeLayers(layers, { k: 1, curvatures: ['forman'], layers: 'hidden' });
      const gl = res.byK[0]!.coefficients.forman!.global;
      expect(gl.m).toBe(4);
      close(gl.rho, want, 1e-12);
      close(gl.z, Math.atanh(want) * Math.sqrt(1), 1e-12);
      expect(gl.reason).toBeUndefined();
    }
    const disc = await analyzeLayers(net(split), { k: 1, curvatures: ['forman'], layers: 'hidden' });
    expect(disc.byK[0]!.disconnected).toEqual([6]);
    expect(disc.byK[0]!.layers[6]!.ric.forman).toBe(4);
  });

  it('all: a disconnected output or input layer leaves ρ undefined, naming the layer', async () => {
    for (const [layers, bad] of [[net(split), 6], [net(star, split), 0]] as const) {
      const gl = (await analyzeLayers(layers, { k: 1, layers: 'all' })).byK[0]!.coefficients.forman!.global;
      expect(gl.rho).toBeNull();
      expect(gl.reason).toMatch(new RegExp(`disconnected layer\\(s\\) ${bad} used by the 'all' selection`));
    }
  });

  it('hidden: a disconnected hidden layer leaves ρ undefined', async () => {
    const layers = [star, path, split, star, path, fork, star];
    const gl = (await analyzeLayers(layers, { k: 1, layers: 'hidden' })).byK[0]!.coefficients.forman!.global;
    expect(gl.rho).toBeNull();
    expect(gl.reason).toMatch(/layer\(s\) 2 used by the 'hidden' selection/);
  });

  it('local and layer coefficients need no connected layer: points with unreachable neighbours are left out', async () => {
    const ok = (await analyzeLayers(net(star), { k: 1 })).byK[0]!.coefficients.forman!;
    const disc = (await analyzeLayers(net(split), { k: 1 })).byK[0]!.coefficients.forman!;
    // Transitions 0 … 4 are the same; only 5 → 6 differs.
    expect(disc.layer.slice(0, 5)).toEqual(ok.layer.slice(0, 5));
    expect(ok.local.nullCount).toBe(0);
    // fork → split: the fork's edges 0–2 and 0–3 cross split's components {0, 1} and {2, 3, 4},
    // so points 0, 2, 3 have no η_5(x); points 1 and 4 keep theirs.
    expect(disc.local.nullCount).toBe(3);
    expect([0, 2, 3].map((x) => disc.local.values[x])).toEqual([null, null, null]);
    expect(disc.local.values[1]).not.toBeNull();
    expect(disc.local.values[4]).not.toBeNull();
  });
});
