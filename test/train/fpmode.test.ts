// Floating-point mode of training (docs/method.md §8c): the native trainer flushes denormals
// (FTZ/DAZ) on its own threads while it trains and restores the previous mode afterwards, so
// geometry and curvature stay byte-identical before, after and during a training call.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { curvature, geodesics, knnGraph } from '../../src/index.js';
import { trainNetworks, type TrainingData } from '../../src/train/index.js';
import { loadNative } from '../../src/train/native-backend.js';

/** Deterministic pseudo-random floats in [0, 1) (xorshift32). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Points with structure at two scales: one of ordinary size, one scaled to 1e-20 (whose squared
 * coordinates are subnormal in float32: a leaked flush mode would change their kNN products). */
function clouds(): { data: Float64Array; n: number; d: number }[] {
  const rnd = uniforms(7);
  const make = (n: number, d: number, scale: number) => {
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = scale * ((i % 3) + rnd());
    return { data, n, d };
  };
  return [make(300, 12, 1), make(200, 6, 1e-20)];
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** SHA-256 over every array and number the geometry calls return. */
async function geometryDigest(threads: number): Promise<string> {
  const h = createHash('sha256');
  for (const pts of clouds()) {
    const g = await knnGraph(pts, { k: 8, mode: 'union', threads });
    h.update(bytes(g.knn)).update(bytes(g.edges));
    const geo = await geodesics(g, { threads, pairs: g.edges });
    h.update(JSON.stringify([geo.connected, geo.components, geo.geodesicSum, geo.diameter]));
    if (geo.pairHops) h.update(bytes(geo.pairHops));
    const c = await curvature(g, { curvatures: ['forman', 'augmented', 'ollivier'], alpha: 0.5, threads });
    for (const name of ['forman', 'augmented', 'ollivier'] as const) {
      const v = c[name]!;
      h.update(bytes(v.edge)).update(bytes(v.nodeMean)).update(String(v.total));
    }
  }
  return h.digest('hex');
}

/** Two blobs in 2-D for a short training run. */
function blobs(n: number): TrainingData {
  const rnd = uniforms(3);
  const x = new Float32Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    const m = y[i] ? 1 : -1;
    x[2 * i] = m + rnd() - 0.5;
    x[2 * i + 1] = m + rnd() - 0.5;
  }
  return { xTrain: x, yTrain: y, xTest: x.slice(0, 2 * Math.min(n, 100)), yTest: y.slice(0, Math.min(n, 100)), d: 2 };
}

const FTZ = 1;
const DAZ = 2;
const EXACT = 4;

describe('floating-point mode of training (docs/method.md §8c)', async () => {
  const { mlp } = await loadNative();
  const probe = (threads: number) => mlp.mlpFpProbe({ threads });

  it('computes geometry byte-identically before, during and after training, with IEEE subnormals on every compute thread', async () => {
    const data = blobs(1000);
    // Before any training: every thread of a 2-thread call does exact subnormal arithmetic.
    const p0 = await probe(2);
    for (const f of p0.threads) expect(f).toBe(EXACT);
    const before1 = await geometryDigest(1);
    const before2 = await geometryDigest(2);
    expect(before2).toBe(before1);

    await trainNetworks(data, { widths: [16, 16], epochs: 2, seeds: [1, 2], threads: 2, activations: false });
    const p1 = await probe(2);
    if (p1.supported) expect(p1.lastTraining).toBe(FTZ | DAZ); // every training thread flushed
    for (const f of p1.threads) expect(f).toBe(EXACT); // ... and got its IEEE mode back
    expect(await geometryDigest(2)).toBe(before1);
    expect(await geometryDigest(1)).toBe(before1);

    // Concurrently with training (the calls run on other compute threads and OpenMP teams).
    const training = trainNetworks(data, { widths: [32, 32, 32], epochs: 30, seeds: [1, 2, 3], threads: 1, activations: false });
    const during = await Promise.all([geometryDigest(1), geometryDigest(1)]);
    await training;
    for (const d of during) expect(d).toBe(before1);
    // Probes on two compute threads at once, after the concurrent run.
    for (const p of await Promise.all([probe(2), probe(1)])) for (const f of p.threads) expect(f).toBe(EXACT);
    expect(await geometryDigest(2)).toBe(before1);
  });

  it('flushDenormals: false trains in strict IEEE mode', async () => {
    await trainNetworks(blobs(200), { widths: [8], epochs: 1, seeds: [1], threads: 1, flushDenormals: false, activations: false });
    expect((await probe(1)).lastTraining).toBe(0);
    await trainNetworks(blobs(200), { widths: [8], epochs: 1, seeds: [1], threads: 1, activations: false });
    const p = await probe(1);
    expect(p.lastTraining).toBe(p.supported ? FTZ | DAZ : 0);
  });
});
