// The coefficient maths of docs/method.md §5 (src/analysis/coefficients.ts) without the addon:
// every expected value below is worked out by hand in the comment beside it.
import { describe, expect, it } from 'vitest';

import {
  coefficientPairs,
  globalCoefficient,
  layerCoefficients,
  localCoefficients,
  localEta,
  pairLayers,
  pairSeries,
} from '../../src/analysis/coefficients.js';
import { InvalidArgumentError } from '../../src/core/errors.js';

describe('layer pairs', () => {
  it('pairs each selection as docs/method.md §5 says', () => {
    // all: l = 0 … L−2; hidden: l = 1 … L−3; same-layer: Ric_l with g_l − g_{l−1}, l = 1 … L−2.
    expect(coefficientPairs('all', 4)).toEqual([
      { ric: 0, from: 0, to: 1 },
      { ric: 1, from: 1, to: 2 },
      { ric: 2, from: 2, to: 3 },
    ]);
    expect(coefficientPairs('hidden', 5)).toEqual([
      { ric: 1, from: 1, to: 2 },
      { ric: 2, from: 2, to: 3 },
    ]);
    expect(coefficientPairs('same-layer', 4)).toEqual([
      { ric: 1, from: 0, to: 1 },
      { ric: 2, from: 1, to: 2 },
    ]);
    expect(coefficientPairs('hidden', 3)).toEqual([]);
    expect(() => coefficientPairs('middle' as 'all', 4)).toThrow(InvalidArgumentError);
    expect(pairLayers(coefficientPairs('hidden', 5))).toEqual([1, 2, 3]);
    expect(pairLayers(coefficientPairs('same-layer', 4))).toEqual([0, 1, 2]);
  });

  it('gives the (Ric, η) series, or the undefined layers the pairs use', () => {
    const ric = [10, 20, 30, 40];
    // η = g_{l+1} − g_l = 90 − 100, 70 − 90, 60 − 70
    expect(pairSeries(coefficientPairs('all', 4), ric, [100, 90, 70, 60])).toEqual({ ric: [10, 20, 30], eta: [-10, -20, -10], missing: [] });
    expect(pairSeries(coefficientPairs('all', 4), ric, [100, 90, null, 60])).toEqual({ ric: null, eta: null, missing: [2] });
    // hidden in L = 4 pairs only (Ric_1, g_2 − g_1): layers 0 and 3 may be undefined.
    expect(pairSeries(coefficientPairs('hidden', 4), [NaN, 20, 30, NaN], [null, 90, 70, null])).toEqual({ ric: [20], eta: [-20], missing: [] });
    expect(pairSeries(coefficientPairs('hidden', 4), [10, NaN, 30, 40], [100, 90, 70, 60]).missing).toEqual([1]);
  });
});

describe('global coefficient', () => {
  it('is Pearson ρ of the pairs with Fisher z = atanh(ρ)·sqrt(m − 3)', () => {
    // L = 6, all: Ric = 1…5 against η = (1, 0, 2, 0, 5). Means 3 and 1.6; Σdx·dy = 8, Σdx² = 10,
    // Σdy² = 17.2, so ρ = 8 / sqrt(172) = 0.60999…, and m = 5 gives z = atanh(ρ)·sqrt(2) = 1.00255….
    const gc = globalCoefficient('all', [1, 2, 3, 4, 5, 6], [0, 1, 1, 3, 3, 8]);
    expect(gc.m).toBe(5);
    expect(gc.eta).toEqual([1, 0, 2, 0, 5]);
    expect(gc.rho).toBeCloseTo(0.6099942813304188, 14);
    expect(gc.z).toBeCloseTo(1.0025533211213433, 13);
    expect(gc.reason).toBeUndefined();
    expect(Object.keys(gc)).toEqual(['rho', 'z', 'm', 'ric', 'g', 'eta']); // the record's key order
  });

  it('hidden selection: m = L − 3 pairs; z is null for m ≤ 3', () => {
    // Pairs l = 1, 2, 3: Ric (2, 3, 4) against η (0, 2, 0): Σdx·dy = (−1)(−2/3) + 0 + (1)(−2/3) = 0, so ρ = 0.
    const gc = globalCoefficient('hidden', [1, 2, 3, 4, 5, 6], [0, 1, 1, 3, 3, 8]);
    expect(gc.m).toBe(3);
    expect(gc.rho).toBe(0);
    expect(gc.z).toBeNull();
  });

  it('a disconnected layer leaves ρ undefined only when the selection uses it', () => {
    const g = [null, 1, 1, 3, 3, 8];
    const all = globalCoefficient('all', [1, 2, 3, 4, 5, 6], g);
    expect(all.rho).toBeNull();
    expect(all.z).toBeNull();
    expect(all.eta).toEqual([null, 0, 2, 0, 5]);
    expect(all.reason).toBe("disconnected layer(s) 0 used by the 'all' selection: g_l undefined");
    expect(globalCoefficient('hidden', [1, 2, 3, 4, 5, 6], g).rho).toBe(0);
  });

  it('says why ρ is undefined: no variance, or fewer than two pairs', () => {
    expect(globalCoefficient('all', [7, 7, 7, 7], [0, 1, 3, 4]).reason).toBe('no variance in Ric or η');
    const one = globalCoefficient('all', [1, 2], [5, 3]);
    expect(one.m).toBe(1);
    expect(one.rho).toBeNull();
    expect(one.reason).toBe('fewer than 2 layer pairs');
  });
});

describe('local η, local and layer coefficients', () => {
  it('local η(x) is the mean of (γ_{l+1} − 1) over the neighbours of x; NaN when one is unreachable or x has none', () => {
    // Edges 0–1, 1–2, 2–3 at layer l; next-layer hops 1, 3, unreachable. Point 4 has no edge.
    // x = 0: (1 − 1) = 0; x = 1: ((1 − 1) + (3 − 1)) / 2 = 1; x = 2, 3: an unreachable neighbour.
    const eta = localEta({ n: 5, edgeCount: 3, edges: new Int32Array([0, 1, 1, 2, 2, 3]) }, new Int32Array([1, 3, -1]));
    expect(Array.from(eta)).toEqual([0, 1, NaN, NaN, NaN]);
    // Only the first edgeCount edges count.
    expect(Array.from(localEta({ n: 2, edgeCount: 1, edges: new Int32Array([0, 1, 0, 1]) }, new Int32Array([4, -1])))).toEqual([3, 3]);
  });

  // Four points, three transitions. Per point x, (S_0, S_1, S_2)(x) and (η_0, η_1, η_2)(x):
  //   x = 0: (1, 2, 3) and (3, 2, 1)    → ρ(x) = −1
  //   x = 1: (1, 2, 3) and (1, 2, 4)    → Σdx·dy = 3, Σdx² = 2, Σdy² = 42/9 → ρ = 9 / sqrt(84)
  //   x = 2: (0, 1, 2) and (0, NaN, 1)  → null (unreachable neighbour at one transition)
  //   x = 3: (2, 2, 2) and (1, 2, 3)    → null (no variance)
  const S = [new Float64Array([1, 1, 0, 2]), new Float64Array([2, 2, 1, 2]), new Float64Array([3, 3, 2, 2])];
  const eta = [new Float64Array([3, 1, 0, 1]), new Float64Array([2, 2, NaN, 2]), new Float64Array([1, 4, 1, 3])];

  it('local ρ(x), their mean, the share below zero and the count of nulls', () => {
    const local = localCoefficients(S, eta, 4);
    expect(local.values[0]).toBe(-1);
    expect(local.values[1]).toBeCloseTo(9 / Math.sqrt(84), 14);
    expect(local.values.slice(2)).toEqual([null, null]);
    expect(local.mean).toBeCloseTo((-1 + 9 / Math.sqrt(84)) / 2, 14);
    expect(local.shareNegative).toBe(0.5);
    expect(local.nullCount).toBe(2);
    const none = localCoefficients([new Float64Array([NaN])], [new Float64Array([1])], 1);
    expect(none).toEqual({ values: [null], mean: null, shareNegative: null, nullCount: 1 });
  });

  it('layer r_l over the points defined at that transition', () => {
    // r_0: S_0 = (1, 1, 0, 2), η_0 = (3, 1, 0, 1): Σdx·dy = 1, Σdx² = 2, Σdy² = 4.75 → 1 / sqrt(9.5).
    // r_1: point 2 is left out; S_1 = (2, 2, 2) on the rest has no variance → null.
    // r_2: S_2 = (3, 3, 2, 2), η_2 = (1, 4, 1, 3): Σdx·dy = 0.5, Σdx² = 1, Σdy² = 6.75 → 0.5 / sqrt(6.75).
    const layer = layerCoefficients(S, eta, 4);
    expect(layer).toHaveLength(3);
    expect(layer[0]).toBeCloseTo(1 / Math.sqrt(9.5), 14);
    expect(layer[1]).toBeNull();
    expect(layer[2]).toBeCloseTo(0.5 / Math.sqrt(6.75), 14);
  });
});
