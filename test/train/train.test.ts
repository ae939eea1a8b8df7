// Training API, both backends: forward-pass agreement, accuracy on an easy set, reproducibility,
// thread independence, early stopping, cancellation, tfjs model files, typed errors.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CancelledError, FormatError, InvalidArgumentError, IoError } from '../../src/core/errors.js';
import {
  buildModel,
  describeArchitecture,
  forward,
  hiddenWidths,
  loadLayersModel,
  loadTf,
  nativeInitWeights,
  saveLayersModel,
  setFlatWeights,
  tfjsActivations,
  trainNetworks,
  type TrainingData,
} from '../../src/train/index.js';

/** Seeded uniform generator (mulberry32) and Box–Muller normals, for the inline dataset. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uni = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uni())) * Math.cos(2 * Math.PI * uni());
}

/** Two Gaussian blobs in 2-D (centres ±(1.5, 1.5), sd 0.7), labels alternating 0/1. */
function blobs(nTrain: number, nTest: number, seed = 1): TrainingData {
  const rnd = normals(seed);
  const make = (n: number) => {
    const x = new Float32Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const m = c === 1 ? 1.5 : -1.5;
      x[2 * i] = m + 0.7 * rnd();
      x[2 * i + 1] = m + 0.7 * rnd();
      y[i] = c;
    }
    return { x, y };
  };
  const tr = make(nTrain);
  const te = make(nTest);
  return { name: 'blobs', xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y, d: 2, nTrain, nTest };
}

const data = blobs(800, 400);
const quick = { architecture: 'narrow', depth: 5, epochs: 8, batchSize: 32 } as const;

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return m;
}

describe('architectures', () => {
  it('builds the docs/method.md §8 widths', () => {
    expect(hiddenWidths('narrow', 5)).toEqual([25, 25, 25, 25, 25]);
    expect(hiddenWidths('wide', 11)).toEqual(new Array(11).fill(50));
    expect(hiddenWidths('bottleneck', 5)).toEqual([50, 50, 25, 50, 50]);
    expect(hiddenWidths('bottleneck', 11)).toEqual([50, 50, 50, 50, 50, 25, 50, 50, 50, 50, 50]);
    const a = describeArchitecture({ inputDim: 784, architecture: 'wide', depth: 5 });
    expect(a.sizes).toEqual([784, 50, 50, 50, 50, 50, 1]);
    expect(a.params).toBe(785 * 50 + 4 * 51 * 50 + 51);
    expect(describeArchitecture({ inputDim: 3, widths: [7, 4] }).name).toBe('custom-7x4');
    expect(() => hiddenWidths('bottleneck', 4)).toThrow(InvalidArgumentError);
  });
});

describe('native backend', () => {
  it('reaches high accuracy on two blobs and reports activations of every layer', async () => {
    const [net] = await trainNetworks(data, { ...quick, seeds: [3] });
    expect(net!.backend).toBe('native');
    expect(net!.architecture.name).toBe('narrow-5');
    expect(net!.testAccuracy).toBeGreaterThan(0.95);
    expect(net!.history).toHaveLength(8);
    expect(net!.history[7]!.valAccuracy).toBeGreaterThan(0.9);
    expect(net!.nFit).toBe(640);
    expect(net!.nValidation).toBe(160);
    expect(net!.activations.map((a) => a.d)).toEqual([2, 25, 25, 25, 25, 25, 1]);
    for (const a of net!.activations) expect(a.n).toBe(400);
    const out = net!.activations[6]!.data;
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    // forward() from the returned weights reproduces the activations exactly.
    const again = await forward(net!.weights, { data: data.xTest as Float32Array, n: 400, d: 2 });
    again.forEach((a, l) => expect(a.data).toEqual(net!.activations[l]!.data));
  });

  it('is reproducible per seed and independent of the thread count and of the other replicates', async () => {
    const one = await trainNetworks(data, { ...quick, epochs: 3, seeds: [5, 6, 7], threads: 1 });
    const two = await trainNetworks(data, { ...quick, epochs: 3, seeds: [5, 6, 7], threads: 2 });
    const alone = await trainNetworks(data, { ...quick, epochs: 3, seeds: [6], threads: 2 });
    for (let r = 0; r < 3; r++) {
      expect(two[r]!.weights.data).toEqual(one[r]!.weights.data);
      expect(two[r]!.testAccuracy).toBe(one[r]!.testAccuracy);
      expect(two[r]!.history).toEqual(one[r]!.history);
    }
    expect(alone[0]!.weights.data).toEqual(one[1]!.weights.data);
    expect(one[0]!.weights.data).not.toEqual(one[1]!.weights.data);
  });

  it('initialises Glorot-uniform kernels and zero biases from the seed', async () => {
    const w = await nativeInitWeights([784, 50, 1], 42);
    const again = await nativeInitWeights([784, 50, 1], 42);
    expect(w.data).toEqual(again.data);
    const limit = Math.sqrt(6 / (784 + 50));
    const kernel = w.data.subarray(0, 784 * 50);
    let sum = 0;
    let sq = 0;
    let maxAbs = 0;
    for (const v of kernel) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      sum += v;
      sq += v * v;
    }
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.99 * limit);
    expect(Math.abs(sum / kernel.length)).toBeLessThan(0.01 * limit);
    expect(sq / kernel.length).toBeCloseTo((limit * limit) / 3, 4); // variance of U(-a, a)
    expect(Array.from(w.data.subarray(784 * 50, 784 * 50 + 50))).toEqual(new Array(50).fill(0));
  });

  it('stops early (Keras semantics) and through the onEpoch hook', async () => {
    const [es] = await trainNetworks(data, {
      ...quick,
      epochs: 20,
      earlyStopping: { monitor: 'valLoss', patience: 2, minDelta: 100, restoreBestWeights: true },
    });
    expect(es!.epochsTrained).toBe(3); // epoch 1 is the best; 2 epochs without improvement
    expect(es!.stoppedEarly).toBe(true);
    expect(es!.restoredEpoch).toBe(1);
    const seen: number[] = [];
    const nets = await trainNetworks(data, {
      ...quick,
      epochs: 10,
      seeds: [1, 2],
      onEpoch: (e) => {
        seen.push(e.network);
        return !(e.network === 0 && e.epoch === 2);
      },
    });
    expect(nets[0]!.epochsTrained).toBe(2);
    expect(nets[1]!.epochsTrained).toBe(10);
    expect(seen.filter((n) => n === 0)).toHaveLength(2);
  });

  it('cancels through an AbortSignal', async () => {
    const ac = new AbortController();
    const p = trainNetworks(data, {
      ...quick,
      epochs: 50,
      onEpoch: (e) => {
        if (e.epoch === 2) ac.abort();
      },
      signal: ac.signal,
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('tfjs backend', () => {
  it('computes the same forward pass as the native backend from the same weights (1e-5)', async () => {
    const [net] = await trainNetworks(data, { ...quick, epochs: 3, seeds: [4] });
    const viaTf = await forward(net!.weights, { data: data.xTest as Float32Array, n: 400, d: 2 }, { backend: 'tfjs' });
    expect(viaTf).toHaveLength(net!.activations.length);
    viaTf.forEach((a, l) => {
      expect(a.d).toBe(net!.activations[l]!.d);
      expect(maxRelDiff(a.data, net!.activations[l]!.data)).toBeLessThan(1e-5);
    });
    // Wider input (Fashion-MNIST-sized rows, pixels scaled to [0, 1]), bottleneck network.
    const sizes = describeArchitecture({ inputDim: 784, architecture: 'bottleneck', depth: 5 }).sizes;
    const w = await nativeInitWeights(sizes, 9);
    const n = 64;
    const x = new Float32Array(n * 784).map((_, i) => (((i * 2654435761) >>> 0) % 256) / 255);
    const nat = await forward(w, { data: x, n, d: 784 });
    const tfa = await forward(w, { data: x, n, d: 784 }, { backend: 'tfjs' });
    nat.forEach((a, l) => expect(maxRelDiff(a.data, tfa[l]!.data)).toBeLessThan(1e-5));
  });

  it('trains to an accuracy statistically matching the native backend', async () => {
    const [tfNet] = await trainNetworks(data, { ...quick, seeds: [3], backend: 'tfjs' });
    const [natNet] = await trainNetworks(data, { ...quick, seeds: [3], backend: 'native' });
    expect(tfNet!.backend).toMatch(/^tfjs-(node|wasm|cpu)$/);
    expect(tfNet!.testAccuracy).toBeGreaterThan(0.95);
    expect(natNet!.testAccuracy).toBeGreaterThan(0.95);
    // Two-proportion z-test at the 1% level on the 400 test points.
    const n = 400;
    const p = (tfNet!.testAccuracy + natNet!.testAccuracy) / 2;
    const se = Math.sqrt((p * (1 - p) * 2) / n);
    expect(Math.abs(tfNet!.testAccuracy - natNet!.testAccuracy)).toBeLessThanOrEqual(2.576 * se + 1 / n);
    expect(tfNet!.activations.map((a) => a.d)).toEqual([2, 25, 25, 25, 25, 25, 1]);
    expect(tfNet!.history).toHaveLength(8);
    // Seeded: the same seed gives the same tfjs network.
    const [again] = await trainNetworks(data, { ...quick, epochs: 2, seeds: [3], backend: 'tfjs' });
    const [again2] = await trainNetworks(data, { ...quick, epochs: 2, seeds: [3], backend: 'tfjs' });
    expect(again!.weights.data).toEqual(again2!.weights.data);
  });

  describe('model files', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ricciflow-tfjs-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('saves and loads a LayersModel from file:// and takes the activations of each Dense layer', async () => {
      const { tf } = await loadTf();
      const sizes = [2, 6, 4, 1];
      const w = await nativeInitWeights(sizes, 11);
      const model = buildModel(tf, sizes, 0);
      setFlatWeights(tf, model, w);
      await saveLayersModel(model, join(dir, 'm1'));
      const loaded = await loadLayersModel(pathToFileURL(join(dir, 'm1', 'model.json')).href);
      const x = data.xTest as Float32Array;
      const a = await tfjsActivations(loaded, x, 400);
      const b = await forward(w, { data: x, n: 400, d: 2 });
      expect(a.map((l) => l.d)).toEqual([2, 6, 4, 1]);
      a.forEach((l, i) => expect(maxRelDiff(l.data, b[i]!.data)).toBeLessThan(1e-5));
      model.dispose();
      loaded.dispose();
    });

    it('trains a user-supplied LayersModel', async () => {
      const { tf } = await loadTf();
      const [net] = await trainNetworks(data, {
        backend: 'tfjs',
        epochs: 8,
        seeds: [2],
        tfjsModel: (seed) => {
          const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
          const m = tf.sequential();
          m.add(tf.layers.dense({ units: 16, inputShape: [2], kernelInitializer: init(seed) }));
          m.add(tf.layers.activation({ activation: 'relu' }));
          m.add(tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(seed + 1) }));
          return m;
        },
      });
      expect(net!.testAccuracy).toBeGreaterThan(0.95);
      expect(net!.activations.map((a) => a.d)).toEqual([2, 16, 1]);
      expect(net!.architecture.sizes).toEqual([2, 16, 1]);
      expect(Math.min(...net!.activations[1]!.data)).toBeGreaterThanOrEqual(0); // after the ReLU layer
    });

    it('reports missing and malformed model files', async () => {
      await expect(loadLayersModel(join(dir, 'nope', 'model.json'))).rejects.toBeInstanceOf(IoError);
      await mkdir(join(dir, 'bad'), { recursive: true });
      await writeFile(join(dir, 'bad', 'model.json'), '{not json');
      await expect(loadLayersModel(join(dir, 'bad', 'model.json'))).rejects.toBeInstanceOf(FormatError);
    });
  });
});

describe('bad inputs', () => {
  const bad = async (d: Partial<TrainingData>, o: Record<string, unknown> = {}, backend: 'native' | 'tfjs' = 'native') => {
    try {
      await trainNetworks({ ...data, ...d } as TrainingData, { ...quick, epochs: 1, backend, ...o });
    } catch (err) {
      return err as InvalidArgumentError;
    }
    throw new Error('expected an error');
  };

  it('rejects wrong shapes, empty data and labels that are not 0/1 with typed errors', async () => {
    for (const backend of ['native', 'tfjs'] as const) {
      let e = await bad({ xTrain: new Float32Array(7), nTrain: undefined }, {}, backend);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.arg).toBe('xTrain');
      e = await bad({ yTrain: new Uint8Array(5) }, {}, backend);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.arg).toBe('yTrain');
      e = await bad({ xTrain: new Float32Array(0), yTrain: new Uint8Array(0), nTrain: undefined }, {}, backend);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.message).toMatch(/empty/);
      const y2 = Uint8Array.from(data.yTrain as Uint8Array);
      y2[10] = 2;
      e = await bad({ yTrain: y2 }, {}, backend);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.message).toMatch(/0 or 1/);
      e = await bad({ yTest: new Float32Array(400).fill(0.5) }, {}, backend);
      expect(e.arg).toBe('yTest');
      const xn = Float32Array.from(data.xTrain as Float32Array);
      xn[3] = NaN;
      e = await bad({ xTrain: xn }, {}, backend);
      expect(e.message).toMatch(/non-finite/);
    }
    expect((await bad({}, { validationSplit: 1 })).arg).toBe('validationSplit');
    expect((await bad({}, { batchSize: 0 })).arg).toBe('batchSize');
    expect((await bad({}, { seeds: [-1] })).arg).toBe('seeds');
    expect((await bad({}, { widths: [] })).arg).toBe('widths');
    expect((await bad({}, { backend: 'gpu' })).arg).toBe('backend');
    expect((await bad({}, { earlyStopping: { monitor: 'valLoss' }, validationSplit: 0 })).arg).toBe('earlyStopping');
    expect((await bad({ d: 3 })).arg).toBe('xTrain');
  });

  it('rejects mismatched weights and inputs in forward()', async () => {
    const w = await nativeInitWeights([2, 4, 1], 1);
    await expect(forward(w, { data: new Float32Array(9), n: 3, d: 3 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(forward({ sizes: [2, 4, 1], data: new Float32Array(5) }, { data: new Float32Array(4), n: 2, d: 2 })).rejects.toThrow(
      /values/,
    );
    await expect(forward({ sizes: [2, 4, 2], data: new Float32Array(22) }, { data: new Float32Array(4), n: 2, d: 2 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
