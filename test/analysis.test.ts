import { describe, expect, it } from 'vitest';

import { analyzeLayers, InvalidArgumentError } from '../src/index.js';
import { loadFixture, toF64 } from './helpers/fixtures.js';

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

  it('offers the hidden selection (seed R recipe) with its own pairing', async () => {
    const res = await analyzeLayers(layers, { k: fx.k, curvatures: ['forman'], layers: 'hidden' });
    const gl = res.byK[0]!.coefficients.forman!.global;
    // Hidden layers 1..3 paired with the change into them (input as the reference of the first).
    expect(gl.m).toBe(3);
    const x = [gl.ric[1]!, gl.ric[2]!, gl.ric[3]!];
    const y = [gl.g[1]! - gl.g[0]!, gl.g[2]! - gl.g[1]!, gl.g[3]! - gl.g[2]!];
    const mx = x.reduce((a, b) => a + b) / 3, my = y.reduce((a, b) => a + b) / 3;
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < 3; i++) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
      syy += (y[i]! - my) ** 2;
    }
    close(gl.rho, sxy / Math.sqrt(sxx * syy));
    expect(gl.z).toBeNull(); // m = 3: Fisher z undefined
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

  it('rejects layers with different point counts', async () => {
    const bad = [layers[0]!, { data: layers[1]!.data.subarray(0, 16 * 149), n: 149, d: 16 }];
    await expect(analyzeLayers(bad, { k: 5 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
