// The follow-up's training recipe on the native backend (docs/method.md §8b): Adam, full batch,
// the stop rule checked before each step, PyTorch's initialisation; full-batch steps bit-identical
// for any thread count; checked against PyTorch itself when it is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

import { InvalidArgumentError } from '../../src/core/errors.js';
import { FOLLOW_UP_RECIPE, SEED_RECIPE, WELL_TRAINED_THRESHOLD } from '../../src/core/recipes.js';
import { nativeInitWeights, trainNetworks, type TrainingData, type TrainOptions } from '../../src/train/index.js';

/** Deterministic uniforms in [0, 1) (mulberry32). */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n rows in d dimensions, label = whether a fixed linear score plus noise is positive; a share
 * `zeros` of the values is 0 (image-like rows: at most half nonzero takes the sparse first layer).
 */
function linear(n: number, d: number, seed: number, noise = 0.3, zeros = 0): TrainingData {
  const rnd = uniforms(seed);
  const w = Array.from({ length: d }, (_, j) => Math.cos(j + 1));
  const make = (m: number) => {
    const x = new Float32Array(m * d);
    const y = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = rnd() < zeros ? 0 : rnd() * 2 - 1;
        x[i * d + j] = v;
        s += w[j]! * v;
      }
      y[i] = s + noise * (rnd() * 2 - 1) > 0 ? 1 : 0;
    }
    return { x, y };
  };
  const tr = make(n);
  const te = make(200);
  return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y, d };
}

const followUp = (widths: number[], extra: Partial<TrainOptions> = {}): TrainOptions => ({
  optimizer: 'adam',
  batchSize: 'full',
  init: 'pytorch',
  stopAtTrainAccuracy: 0.99,
  maxEpochs: 20000,
  validationSplit: 0,
  widths,
  activations: false,
  ...extra,
});

const python = '/usr/bin/python3';
const hasTorch = (() => {
  try {
    return spawnSync(python, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;
  } catch {
    return false;
  }
})();

/**
 * The follow-up's `train_model` loop (helpers.py) with its `DNN` layers, in PyTorch, from given
 * initial weights (our flat layout): BCEWithLogits, Adam(lr 1e-3), full batch, accuracy
 * `round(sigmoid(z)) == y` checked before each step, `acc >= threshold` in percent.
 */
const TORCH_SCRIPT = String.raw`
import json, sys, torch
torch.set_num_threads(1)
a = json.load(sys.stdin)
sizes, flat, d = a["sizes"], a["weights"], a["d"]
X = torch.tensor(a["x"], dtype=torch.float32).reshape(-1, d); y = torch.tensor(a["y"], dtype=torch.float32)
layers, off = [], 0
for i in range(1, len(sizes)):
    n_in, n_out = sizes[i - 1], sizes[i]
    lin = torch.nn.Linear(n_in, n_out)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(flat[off:off + n_in * n_out]).reshape(n_in, n_out).t()); off += n_in * n_out
        lin.bias.copy_(torch.tensor(flat[off:off + n_out])); off += n_out
    layers.append(lin)
def fwd(x):
    for l in layers[:-1]: x = torch.relu(l(x))
    return layers[-1](x)
params = [p for l in layers for p in l.parameters()]
opt = torch.optim.Adam(params, lr=1e-3)
loss_fn = torch.nn.BCEWithLogitsLoss()
epochs, losses = 0, []
while epochs < a["max_epochs"]:
    z = fwd(X).squeeze()
    acc = torch.eq(y, torch.round(torch.sigmoid(z))).sum().item() / len(y) * 100
    loss = loss_fn(z, y)
    if acc >= a["threshold"]: break
    losses.append(loss.item())
    opt.zero_grad(); loss.backward(); opt.step(); epochs += 1
out = []
for l in layers: out += l.weight.detach().t().reshape(-1).tolist() + l.bias.detach().tolist()
print(json.dumps({"epochs": epochs, "losses": losses, "weights": out}))
`;

function torchTrain(sizes: number[], weights: Float32Array, data: TrainingData, threshold: number, maxEpochs: number) {
  const out = execFileSync(python, ['-c', TORCH_SCRIPT], {
    input: JSON.stringify({
      sizes,
      weights: Array.from(weights),
      d: data.d,
      x: Array.from(data.xTrain as Float32Array),
      y: Array.from(data.yTrain as Uint8Array),
      threshold,
      max_epochs: maxEpochs,
    }),
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    maxBuffer: 64 << 20,
    timeout: 120_000,
  });
  return JSON.parse(String(out)) as { epochs: number; losses: number[]; weights: number[] };
}

describe('recipe constants', () => {
  it('hold the two papers’ settings and the well-trained threshold', () => {
    expect(SEED_RECIPE).toMatchObject({ optimizer: 'rmsprop', batchSize: 32, epochs: 50, learningRate: 1e-3, rho: 0.9, epsilon: 1e-7, validationSplit: 0.2, init: 'glorot' });
    expect(FOLLOW_UP_RECIPE).toMatchObject({ optimizer: 'adam', batchSize: 'full', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, validationSplit: 0, init: 'pytorch', stopAtTrainAccuracy: 0.99, maxEpochs: 20000 });
    expect(WELL_TRAINED_THRESHOLD).toBe(0.98);
  });
});

describe('follow-up recipe, native backend', () => {
  it("initialises as PyTorch's nn.Linear: kernels and biases U(±1/√fan_in)", async () => {
    const w = await nativeInitWeights([400, 30, 1], 7, 'pytorch');
    const bound = 1 / Math.sqrt(400);
    const kernel = w.data.subarray(0, 400 * 30);
    const bias = w.data.subarray(400 * 30, 400 * 30 + 30);
    let sq = 0;
    for (const v of kernel) {
      expect(Math.abs(v)).toBeLessThanOrEqual(bound);
      sq += v * v;
    }
    expect(sq / kernel.length).toBeCloseTo((bound * bound) / 3, 4); // sd of this mean ≈ 7e-6
    for (const v of bias) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(bias.some((v) => v !== 0)).toBe(true);
    const out = w.data.subarray(400 * 30 + 30);
    for (const v of out) expect(Math.abs(v)).toBeLessThanOrEqual(1 / Math.sqrt(30));
    expect((await nativeInitWeights([400, 30, 1], 7, 'pytorch')).data).toEqual(w.data);
  });

  it('stops before the step at which the training accuracy reaches the threshold, or at the cap', async () => {
    const data = linear(600, 6, 1, 0);
    const [net] = await trainNetworks(data, followUp([16, 16], { seeds: [2] }));
    expect(net!.recipe.name).toBe('follow-up');
    expect(net!.reachedTrainAccuracy).toBe(true);
    expect(net!.finalTrainAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(net!.stoppedEpoch).toBe(net!.history.length);
    expect(net!.stoppedEpoch).toBeGreaterThan(5);
    // Every epoch run was below the threshold before its step.
    for (const h of net!.history) expect(h.accuracy).toBeLessThan(0.99);
    expect(net!.history.map((h) => h.epoch)).toEqual(net!.history.map((_, i) => i + 1));
    // A threshold met by the initial weights: no step at all.
    const init = await nativeInitWeights([6, 16, 16, 1], 2, 'pytorch');
    const [none] = await trainNetworks(data, followUp([16, 16], { seeds: [2], stopAtTrainAccuracy: 0.01 }));
    expect(none!.stoppedEpoch).toBe(0);
    expect(none!.weights.data).toEqual(init.data);
    // An unreachable threshold: the cap.
    const noisy = linear(300, 6, 3, 2);
    const [capped] = await trainNetworks(noisy, followUp([8], { seeds: [2], stopAtTrainAccuracy: 1, maxEpochs: 7 }));
    expect(capped!.stoppedEpoch).toBe(7);
    expect(capped!.reachedTrainAccuracy).toBe(false);
    expect(capped!.finalTrainAccuracy).toBeLessThan(1);
    expect(capped!.recipe.name).toBe('custom');
  });

  it('gives bit-identical full-batch weights for 1, 2 and 3 threads, in chunks of epochs or one at a time', async () => {
    // 1,500 rows (6 row blocks) and 5,569 parameters (2 chunks); dense and sparse rows.
    for (const zeros of [0, 0.7]) {
      const data = linear(1500, 20, 5, 0.3, zeros);
      const opts = followUp([64, 64], { maxEpochs: 12, stopAtTrainAccuracy: 1 });
      const runs = [];
      for (const threads of [1, 2, 3]) runs.push(await trainNetworks(data, { ...opts, seeds: [4], threads }));
      runs.push(await trainNetworks(data, { ...opts, seeds: [9, 4], threads: 2 })); // one replicate per thread
      const hooked = await trainNetworks(data, { ...opts, seeds: [4], threads: 2, onEpoch: () => undefined });
      const ref = runs[0]![0]!;
      expect(ref.stoppedEpoch).toBe(12);
      for (const r of [runs[1]![0]!, runs[2]![0]!, runs[3]![1]!, hooked[0]!]) {
        expect(r.weights.data).toEqual(ref.weights.data);
        expect(r.history).toEqual(ref.history);
      }
      // Adam at mini-batches too.
      const mb = { ...opts, batchSize: 64 };
      const a = await trainNetworks(data, { ...mb, seeds: [1, 2, 3], threads: 1 });
      const b = await trainNetworks(data, { ...mb, seeds: [1, 2, 3], threads: 2 });
      a.forEach((n, i) => expect(b[i]!.weights.data).toEqual(n.weights.data));
    }
  });

  it('trains the same steps with the sparse first layer as a dense batch of all rows (no PyTorch needed)', async () => {
    // Full batch on rows 70 % zeros takes the tiled sparse first layer (docs/method.md §8c); one
    // mini-batch of all n = 300 rows takes the dense products (mini-batches above 256 rows do). Same Adam steps up to summation order.
    // 23 columns: a partial last tile group; values in (-1, 1) (float tiles) and k/255 (one-byte
    // codes); first-layer widths 16 and 40 (padded 16 and 48: one and two column panels).
    for (const [pixels, widths] of [
      [false, [16, 8]],
      [true, [40, 8]],
    ] as const) {
      const base = linear(300, 23, 6, 0.2, 0.7);
      const x = base.xTrain as Float32Array;
      if (pixels) for (let i = 0; i < x.length; i++) x[i] = Math.round(Math.abs(x[i]!) * 255) / 255;
      const o: TrainOptions = { optimizer: 'adam', init: 'pytorch', widths: [...widths], epochs: 10, validationSplit: 0, activations: false, seeds: [4] };
      const [full] = await trainNetworks(base, { ...o, batchSize: 'full' });
      const [one] = await trainNetworks(base, { ...o, batchSize: 300 });
      let maxDiff = 0;
      full!.weights.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - one!.weights.data[i]!))));
      expect(maxDiff).toBeLessThan(1e-5);
      full!.history.forEach((h, e) => expect(Math.abs(h.loss - one!.history[e]!.loss)).toBeLessThan(1e-6));
    }
  });

  it('mini-batches with the sparse first layer give the dense path\'s bits (RICCIFLOW_TRAIN_DENSE=1)', async () => {
    // Mini-batch steps on rows at most half nonzero read the first layer as 4-column tiles, with
    // the dense products' summation orders minus the zero terms (docs/method.md §8c): the same
    // weights and histories, bit for bit. 23 columns: a partial last tile group; float values
    // and k/255 (one-byte codes); first-layer widths 16 and 50 (one panel, a panel of four
    // AVX-512 vectors); a partial last batch; two replicates on two threads.
    for (const [pixels, widths] of [
      [false, [16, 8]],
      [true, [50, 50, 8]],
    ] as const) {
      const base = linear(330, 23, 9, 0.2, 0.7);
      const x = base.xTrain as Float32Array;
      if (pixels) for (let i = 0; i < x.length; i++) x[i] = Math.round(Math.abs(x[i]!) * 255) / 255;
      const o: TrainOptions = { widths: [...widths], epochs: 3, batchSize: 32, validationSplit: 0.2, activations: false, seeds: [4, 5], threads: 2 };
      const sparse = await trainNetworks(base, o);
      process.env.RICCIFLOW_TRAIN_DENSE = '1';
      let dense;
      try {
        dense = await trainNetworks(base, o);
      } finally {
        delete process.env.RICCIFLOW_TRAIN_DENSE;
      }
      expect(sparse.length).toBe(2);
      sparse.forEach((net, r) => {
        const w = net.weights.data, v = dense[r]!.weights.data;
        expect(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(v.buffer, v.byteOffset, v.byteLength))).toBe(true);
        expect(net.history).toEqual(dense[r]!.history);
      });
      expect(sparse[0]!.weights.data).not.toEqual(sparse[1]!.weights.data);
    }
  });

  it('reuses the rows bound last only when they are equal: a changed value or label trains differently', async () => {
    // The native trainer keeps the last training rows it bound (copy and sparse form) and shares
    // them with a later trainer given the same bytes.
    const a = linear(600, 20, 8, 0.3, 0.7);
    const x = Float32Array.from(a.xTrain as Float32Array);
    x[x.findIndex((v) => v !== 0)] += 0.25;
    const b = { ...a, xTrain: x };
    const yc = Uint8Array.from(a.yTrain as Uint8Array);
    yc[7] = 1 - yc[7]!;
    const c = { ...a, yTrain: yc };
    const opts = followUp([16], { maxEpochs: 6, stopAtTrainAccuracy: 1, seeds: [2] });
    const run = async (data: TrainingData) => (await trainNetworks(data, opts))[0]!;
    const a1 = await run(a);
    const b1 = await run(b);
    const c1 = await run(c);
    const a2 = await run(a);
    const a3 = await run({ ...a, xTrain: Float32Array.from(a.xTrain as Float32Array) }); // equal copy
    expect(a2.weights.data).toEqual(a1.weights.data);
    expect(a3.weights.data).toEqual(a1.weights.data);
    expect(a2.history).toEqual(a1.history);
    expect(b1.weights.data).not.toEqual(a1.weights.data);
    expect(c1.weights.data).not.toEqual(a1.weights.data);
    expect((await run(b)).weights.data).toEqual(b1.weights.data); // b bound again after a
  });

  it.skipIf(!hasTorch)('matches PyTorch running the follow-up’s train_model from the same initial weights', async () => {
    // 60 % zeros: the sparse first layer (the dense one is checked against the same loop below).
    const data = linear(400, 5, 11, 0.2, 0.6);
    const sizes = [5, 12, 12, 1];
    const init = await nativeInitWeights(sizes, 3, 'pytorch');
    const threshold = 0.95;
    const ours = await trainNetworks(data, followUp([12, 12], { seeds: [3], stopAtTrainAccuracy: threshold, maxEpochs: 3000, flushDenormals: false }));
    const torch = torchTrain(sizes, init.data, data, threshold * 100, 3000);
    const net = ours[0]!;
    // Same number of steps before the threshold (float32 rounding could shift a borderline row by an epoch).
    expect(Math.abs(net.stoppedEpoch - torch.epochs)).toBeLessThanOrEqual(1);
    expect(torch.epochs).toBeGreaterThan(20);
    // Loss trajectories agree to float32 accuracy over the common epochs.
    const m = Math.min(net.history.length, torch.losses.length);
    for (let e = 0; e < m; e++) expect(Math.abs(net.history[e]!.loss - torch.losses[e]!)).toBeLessThan(1e-4);
    // Weights after the same number of Adam steps agree closely.
    const [fixed] = await trainNetworks(data, followUp([12, 12], { seeds: [3], stopAtTrainAccuracy: 1, maxEpochs: 40, flushDenormals: false }));
    const t40 = torchTrain(sizes, init.data, data, 101, 40);
    let maxDiff = 0;
    fixed!.weights.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - t40.weights[i]!))));
    expect(maxDiff).toBeLessThan(1e-5); // 3e-8 when written
    // Dense rows, fixed steps.
    const dense = linear(400, 5, 12, 0.2);
    const [fd] = await trainNetworks(dense, followUp([12, 12], { seeds: [3], stopAtTrainAccuracy: 1, maxEpochs: 40, flushDenormals: false }));
    const td = torchTrain(sizes, init.data, dense, 101, 40);
    let dd = 0;
    fd!.weights.data.forEach((v, i) => (dd = Math.max(dd, Math.abs(v - td.weights[i]!))));
    expect(dd).toBeLessThan(1e-5);
  });

  it('reports a diverging learning rate as a training error naming the seed', async () => {
    const data = linear(200, 4, 2);
    for (const optimizer of ['rmsprop', 'adam'] as const) {
      const err = await trainNetworks(data, { widths: [8, 8], epochs: 30, seeds: [5], optimizer, learningRate: 1e35, activations: false }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).arg).toBe('learningRate');
      expect((err as Error).message).toMatch(/diverged.*seed 5/);
    }
  });

  it('rejects inconsistent options with typed errors, and the tfjs backend rejects the follow-up options', async () => {
    const data = linear(100, 3, 1);
    const bad = async (o: TrainOptions) => {
      try {
        await trainNetworks(data, { widths: [4], epochs: 1, activations: false, ...o });
      } catch (e) {
        return e as InvalidArgumentError;
      }
      throw new Error('expected an error');
    };
    expect((await bad({ maxEpochs: 5 })).arg).toBe('maxEpochs');
    expect((await bad({ stopAtTrainAccuracy: 0.9, maxEpochs: 5, epochs: 6 })).arg).toBe('epochs');
    expect((await bad({ stopAtTrainAccuracy: 1.5 })).arg).toBe('stopAtTrainAccuracy');
    expect((await bad({ optimizer: 'sgd' as 'adam' })).arg).toBe('optimizer');
    expect((await bad({ init: 'he' as 'glorot' })).arg).toBe('init');
    expect((await bad({ batchSize: 'half' as 'full' })).arg).toBe('batchSize');
    expect((await bad({ beta2: 1 })).arg).toBe('beta2');
    for (const [k, v] of [['optimizer', 'adam'], ['batchSize', 'full'], ['init', 'pytorch'], ['stopAtTrainAccuracy', 0.9]] as const) {
      const e = await bad({ backend: 'tfjs', [k]: v });
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.arg).toBe(k);
    }
    // With a stop rule and no cap given, epochs is the cap; without either, 20,000.
    const [n1] = await trainNetworks(data, { widths: [4], epochs: 3, stopAtTrainAccuracy: 1, activations: false });
    expect(n1!.recipe.epochs).toBe(3);
    const [seedNet] = await trainNetworks(data, { widths: [4], epochs: 1, activations: false });
    expect(seedNet!.recipe).toMatchObject({ name: 'seed', optimizer: 'rmsprop', batchSize: 32, stopAtTrainAccuracy: null });
    expect(seedNet!.reachedTrainAccuracy).toBeNull();
  });
});
