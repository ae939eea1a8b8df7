/**
 * The TensorFlow.js backend: the general path, for the docs/method.md §8 networks and for any tfjs
 * LayersModel a user brings.
 *
 * Runtime: `@tensorflow/tfjs-node` when it can be imported (optional; its libtensorflow download
 * fails offline), else `@tensorflow/tfjs-core` + `@tensorflow/tfjs-layers` with the wasm backend
 * (`@tensorflow/tfjs-backend-wasm`, SIMD, no threads in Node), else the pure-JS `cpu` backend
 * (`@tensorflow/tfjs-backend-cpu`). The backend used is recorded in every result.
 *
 * All of these are optional peer dependencies, loaded only when the tfjs backend is asked for:
 * the geometry engine and the native trainer never load TensorFlow.js (no webgl, converter or
 * data packages are installed or imported). Without them, asking for tfjs fails with an
 * InvalidArgumentError that names the packages to install.
 *
 * The docs/method.md §8 model: `Dense(relu)` layers with `glorotUniform({ seed })` kernels and zero biases,
 * then `Dense(1, sigmoid)`; BCE (`binaryCrossentropy`), `tf.train.rmsprop(lr, rho, 0, eps)`.
 * Known difference from the native backend: tfjs's RMSprop puts ε inside the square root
 * (`g / sqrt(v + ε)`, as TF 2 ≤ 2.10's Keras), the native one outside (`g / (sqrt(v) + ε)`, Keras
 * 3 / PyTorch); with ε = 1e-7 the two differ only while `v` is tiny. Initialisation draws the
 * same distributions, from tfjs's own seeded generator (per-layer seeds derived from the network
 * seed), so the two backends start from different weights unless `initialWeights` is given.
 * Shuffling: every epoch the fitting rows are permuted with a Fisher–Yates shuffle driven by
 * xoshiro128** (`data/rng.ts`) seeded from the network seed, then fed to `model.fit` without
 * tfjs's own (unseeded) shuffle — so tfjs training is reproducible per seed too.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';

import { CancelledError, InvalidArgumentError } from '../core/errors.js';
import { Rng } from '../data/rng.js';
import type { ArchitectureInfo, NetworkWeights } from './architecture.js';
import { paramCount, splitWeights } from './architecture.js';
import type { EpochBackend } from './loop.js';
import { runTraining } from './loop.js';
import type { PreparedData, ResolvedOptions } from './prepare.js';
import type { BackendUsed, EpochLog, LayerActivations, TrainedNetwork, TrainOptions } from './types.js';

/** The parts of TensorFlow.js used here: tfjs-core (tensors, engine, optimizers) and tfjs-layers. */
export type Tf = typeof TfCore & typeof TfLayers;
export type LayersModel = TfLayers.LayersModel;

/** What to install for the tfjs backend (printed when it is missing). */
export const TFJS_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
export type TfjsBackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface TfRuntime {
  tf: Tf;
  backend: Exclude<BackendUsed, 'native'>;
}

let tfModule: Promise<{ tf: Tf; node: boolean }> | undefined;

async function importTf(): Promise<{ tf: Tf; node: boolean }> {
  // A variable specifier: the optional peer is not a compile-time dependency.
  const nodePkg = '@tensorflow/tfjs-node';
  try {
    const tf = (await import(nodePkg)) as Tf;
    return { tf, node: true };
  } catch {
    // tfjs-core + tfjs-layers (what the full @tensorflow/tfjs bundle re-exports, minus webgl,
    // converter and data); the cpu backend registers itself on import.
    try {
      const [core, layers] = await Promise.all([import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-layers')]);
      await import('@tensorflow/tfjs-backend-cpu');
      return { tf: { ...core, ...layers } as Tf, node: false };
    } catch (err) {
      tfModule = undefined; // a later call may find the packages installed meanwhile
      const e = new InvalidArgumentError(
        `the tfjs backend needs TensorFlow.js, an optional dependency: npm install ${TFJS_PACKAGES.join(' ')} ` +
          `(or @tensorflow/tfjs-node); the native backend (the default) needs nothing (${(err as Error).message.split('\n')[0]})`,
        'backend',
      );
      e.cause = err;
      throw e;
    }
  }
}

function backendUsed(name: string): TfRuntime['backend'] {
  if (name === 'tensorflow') return 'tfjs-node';
  if (name === 'wasm') return 'tfjs-wasm';
  return 'tfjs-cpu';
}

/**
 * Loads TensorFlow.js and activates a backend: `'auto'` = tfjs-node, else wasm, else cpu.
 * Throws InvalidArgumentError when an explicitly requested backend cannot be used.
 */
export async function loadTf(preference: TfjsBackendPreference = 'auto'): Promise<TfRuntime> {
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(preference))
    throw new InvalidArgumentError(`tfjsBackend must be auto, tensorflow, wasm or cpu, got ${String(preference)}`, 'tfjsBackend');
  tfModule ??= importTf();
  const { tf, node } = await tfModule;
  const tryBackend = async (name: string): Promise<boolean> => {
    try {
      if (name === 'wasm' && tf.findBackendFactory('wasm') === null) await import('@tensorflow/tfjs-backend-wasm');
      if (tf.getBackend() === name) return true;
      const ok = await tf.setBackend(name);
      if (ok) await tf.ready();
      return ok && tf.getBackend() === name;
    } catch {
      return false;
    }
  };
  const order =
    preference === 'auto' ? (node ? ['tensorflow', 'wasm', 'cpu'] : ['wasm', 'cpu']) : [preference];
  for (const name of order) {
    if (await tryBackend(name)) return { tf, backend: backendUsed(name) };
  }
  throw new InvalidArgumentError(
    `the TensorFlow.js backend '${preference}' is not available` +
      (preference === 'tensorflow' ? ' (install @tensorflow/tfjs-node)' : ''),
    'tfjsBackend',
  );
}

/**
 * The tfjs module with a backend active: keeps the one already in use (a caller's choice),
 * else activates one as `loadTf('auto')` does.
 */
export async function activeTf(): Promise<Tf> {
  tfModule ??= importTf();
  const { tf } = await tfModule;
  const name = (tf.engine() as unknown as { backendName: string | null }).backendName;
  if (name) return tf;
  return (await loadTf('auto')).tf;
}

/** Per-layer initialiser seeds derived from the network seed (32-bit, as tfjs wants). */
function layerSeeds(seed: number, layers: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: layers }, () => rng.nextUint32());
}

/**
 * The docs/method.md §8 network as a tfjs model (not compiled): hidden Dense ReLU layers, one sigmoid
 * unit, Glorot-uniform kernels seeded from `seed`, zero biases.
 */
export function buildModel(tf: Tf, sizes: readonly number[], seed = 0): LayersModel {
  if (sizes.length < 3 || sizes[sizes.length - 1] !== 1)
    throw new InvalidArgumentError('sizes must be [inputDim, ...hidden, 1]', 'sizes');
  const seeds = layerSeeds(seed, sizes.length - 1);
  const model = tf.sequential();
  for (let l = 1; l < sizes.length; l++) {
    const last = l === sizes.length - 1;
    model.add(
      tf.layers.dense({
        units: sizes[l]!,
        activation: last ? 'sigmoid' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seeds[l - 1]! }),
        biasInitializer: 'zeros',
        ...(l === 1 ? { inputShape: [sizes[0]!] } : {}),
        name: last ? 'output' : `dense_${l}`,
      }),
    );
  }
  return model;
}

/** Sets a model's weights from the flat layout (kernel, bias per Dense layer). */
export function setFlatWeights(tf: Tf, model: LayersModel, w: NetworkWeights): void {
  const layers = splitWeights(w);
  const vars = model.getWeights();
  if (vars.length !== 2 * layers.length)
    throw new InvalidArgumentError(`the model has ${vars.length / 2} Dense layers, the weights ${layers.length}`, 'weights');
  const tensors: TfCore.Tensor[] = [];
  layers.forEach((L, i) => {
    const k = vars[2 * i]!.shape;
    if (k[0] !== L.inputs || k[1] !== L.units)
      throw new InvalidArgumentError(`layer ${i + 1}: model kernel [${k}] vs weights [${L.inputs},${L.units}]`, 'weights');
    tensors.push(tf.tensor2d(L.kernel, [L.inputs, L.units]), tf.tensor1d(L.bias));
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}

/** A model's weights in the flat layout (concatenation of `getWeights()`). */
export function getFlatWeights(model: LayersModel): Float32Array {
  const vars = model.getWeights();
  const total = vars.reduce((s, v) => s + v.size, 0);
  const out = new Float32Array(total);
  let off = 0;
  for (const v of vars) {
    out.set(v.dataSync() as Float32Array, off);
    off += v.size;
  }
  return out;
}

/** Layers whose outputs count as "the activations of a Dense layer" (after any Activation layer). */
function activationLayers(model: LayersModel): TfLayers.layers.Layer[] {
  const out: TfLayers.layers.Layer[] = [];
  const layers = model.layers;
  for (let i = 0; i < layers.length; i++) {
    if (layers[i]!.getClassName() !== 'Dense') continue;
    let j = i;
    while (j + 1 < layers.length && ['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax'].includes(layers[j + 1]!.getClassName())) j++;
    out.push(layers[j]!);
  }
  return out;
}

/**
 * Activations of any tfjs LayersModel on `x` (n × inputDim, row-major): the input, then the
 * output of every Dense layer (after its activation, or after a following Activation layer).
 */
export async function tfjsActivations(
  model: LayersModel,
  x: Float32Array,
  n: number,
  opts: { batchSize?: number } = {},
): Promise<LayerActivations[]> {
  const tf = await activeTf();
  const inShape = model.inputs[0]?.shape;
  const d = inShape?.[inShape.length - 1];
  if (typeof d !== 'number' || model.inputs.length !== 1 || (inShape?.length ?? 0) !== 2)
    throw new InvalidArgumentError('the model must have one input of shape [null, d]', 'model');
  if (x.length !== n * d) throw new InvalidArgumentError(`x has ${x.length} values, expected n·d = ${n}·${d}`, 'x');
  const layers = activationLayers(model);
  if (layers.length === 0) throw new InvalidArgumentError('the model has no Dense layers', 'model');
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as TfLayers.SymbolicTensor) });
  const xt = tf.tensor2d(x, [n, d]);
  try {
    const res = probe.predict(xt, { batchSize: opts.batchSize ?? 256 });
    const list = Array.isArray(res) ? res : [res];
    const out: LayerActivations[] = [{ data: x, n, d }];
    for (const t of list) {
      const width = t.shape[t.shape.length - 1] ?? 1;
      out.push({ data: Float32Array.from((await t.data()) as Float32Array), n, d: width });
      t.dispose();
    }
    return out;
  } finally {
    xt.dispose();
  }
}

/** Activations of a network given by flat weights, computed with tfjs. */
export async function tfjsForward(
  w: NetworkWeights,
  x: Float32Array,
  n: number,
  preference: TfjsBackendPreference = 'auto',
): Promise<{ activations: LayerActivations[]; backend: TfRuntime['backend'] }> {
  const { tf, backend } = await loadTf(preference);
  const model = buildModel(tf, w.sizes, 0);
  try {
    setFlatWeights(tf, model, w);
    return { activations: await tfjsActivations(model, x, n), backend };
  } finally {
    model.dispose();
  }
}

/** Architecture description of a user's model (Dense layers only count as layers). */
export function describeTfjsModel(model: LayersModel): ArchitectureInfo {
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
  const inShape = model.inputs[0]?.shape ?? [];
  const d = inShape[inShape.length - 1] ?? 0;
  const units = dense.map((l) => (l.getConfig() as { units: number }).units);
  const hidden = units.slice(0, -1);
  const sizes = [d, ...units];
  return {
    kind: 'custom',
    name: `tfjs-${model.name}`,
    depth: hidden.length,
    hidden,
    sizes,
    params: model.countParams ? model.countParams() : paramCount(sizes),
    activation: 'relu',
    output: 'sigmoid',
  };
}

function historyValue(h: TfLayers.History, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = h.history[k];
    if (v && v.length > 0) return Number(v[v.length - 1]);
  }
  return null;
}

/**
 * The tfjs arithmetic of one network (a group of one for the shared loop, src/train/loop.ts):
 * each epoch permutes the fitting rows with the network's seeded shuffle and runs one `model.fit`
 * epoch on them.
 */
function tfjsNetwork(
  tf: Tf,
  used: TfRuntime['backend'],
  model: LayersModel,
  arch: ArchitectureInfo,
  seed: number,
  t: { xFit: TfCore.Tensor2D; yFit: TfCore.Tensor2D; xVal: TfCore.Tensor2D | null; yVal: TfCore.Tensor2D | null; nFit: number },
  batchSize: number,
  signal: AbortSignal | undefined,
): EpochBackend {
  const rng = new Rng(seed);
  const order = new Int32Array(t.nFit);
  let epoch = 0;
  const noStopRule = (): never => {
    throw new InvalidArgumentError(`stopAtTrainAccuracy is implemented by the native backend only (backend: 'native')`, 'stopAtTrainAccuracy');
  };
  return {
    used,
    maxChunk: 1,
    architecture: () => arch,
    async runEpochs(epochs, active, minCorrect) {
      if (minCorrect > 0) noStopRule();
      const logs: EpochLog[] = [];
      for (let e = 0; e < epochs && active[0] === 1; e++) {
        for (let i = 0; i < t.nFit; i++) order[i] = i;
        rng.shuffle(order);
        const idx = tf.tensor1d(order, 'int32');
        const xs = tf.gather(t.xFit, idx);
        const ys = tf.gather(t.yFit, idx);
        idx.dispose();
        let h: TfLayers.History;
        try {
          h = await model.fit(xs, ys, {
            epochs: 1,
            batchSize,
            shuffle: false,
            verbose: 0,
            ...(t.xVal && t.yVal ? { validationData: [t.xVal, t.yVal] as [TfCore.Tensor, TfCore.Tensor] } : {}),
            callbacks: {
              onBatchEnd: async () => {
                if (signal?.aborted) model.stopTraining = true;
              },
            },
          });
        } finally {
          xs.dispose();
          ys.dispose();
        }
        if (signal?.aborted) throw new CancelledError('training was cancelled');
        epoch += 1;
        logs.push({
          epoch,
          loss: historyValue(h, 'loss') ?? NaN,
          accuracy: historyValue(h, 'acc', 'accuracy') ?? NaN,
          valLoss: historyValue(h, 'val_loss'),
          valAccuracy: historyValue(h, 'val_acc', 'val_accuracy'),
        });
      }
      return [logs];
    },
    stopCheck: noStopRule,
    trainAccuracy: async () => noStopRule(),
    getWeights: () => getFlatWeights(model),
    setWeights: (_r, w) => setFlatWeights(tf, model, { sizes: arch.sizes, data: w }),
    activations: (_r, x, n) => tfjsActivations(model, x, n),
  };
}

export async function trainTfjs(data: PreparedData, o: ResolvedOptions, opts: TrainOptions): Promise<TrainedNetwork[]> {
  // The tfjs backend trains the seed recipe's kind of run only; the follow-up's options
  // (docs/method.md §8b) are implemented by the native backend.
  const native = "is implemented by the native backend only (backend: 'native')";
  if (o.optimizer !== 'rmsprop') throw new InvalidArgumentError(`optimizer '${o.optimizer}' ${native}`, 'optimizer');
  if (o.batchSize === 'full') throw new InvalidArgumentError(`batchSize 'full' ${native}`, 'batchSize');
  if (o.stopAtTrainAccuracy > 0) throw new InvalidArgumentError(`stopAtTrainAccuracy ${native}`, 'stopAtTrainAccuracy');
  if (o.init !== 'glorot') throw new InvalidArgumentError(`init '${o.init}' ${native}`, 'init');
  const batchSize = o.batchSize;
  const { tf, backend } = await loadTf(opts.tfjsBackend ?? 'auto');
  const { fit, val, d } = data;
  const init = opts.initialWeights;
  if (init !== undefined && (!Array.isArray(init) || init.length !== o.seeds.length))
    throw new InvalidArgumentError('initialWeights must have one entry per seed', 'initialWeights');
  if (opts.tfjsModel !== undefined && typeof opts.tfjsModel !== 'function' && o.seeds.length !== 1)
    throw new InvalidArgumentError('a tfjsModel object trains one network: give one seed, or a factory (seed) => model', 'tfjsModel');

  const tensors = {
    xFit: tf.tensor2d(fit.x, [fit.n, d]),
    yFit: tf.tensor2d(fit.y, [fit.n, 1]),
    xVal: val ? tf.tensor2d(val.x, [val.n, d]) : null,
    yVal: val ? tf.tensor2d(val.y, [val.n, 1]) : null,
    nFit: fit.n,
  };
  const results: TrainedNetwork[] = [];
  try {
    // One network after another, each through the shared loop.
    for (let r = 0; r < o.seeds.length; r++) {
      const seed = o.seeds[r]!;
      const userModel = opts.tfjsModel;
      const model = userModel
        ? typeof userModel === 'function'
          ? await userModel(seed)
          : userModel
        : buildModel(tf, o.arch.sizes, seed);
      const arch = userModel ? describeTfjsModel(model) : o.arch;
      const w0 = init?.[r];
      if (w0) setFlatWeights(tf, model, w0);
      model.compile({
        optimizer: tf.train.rmsprop(o.learningRate, o.rho, 0, o.epsilon),
        loss: 'binaryCrossentropy',
        metrics: ['accuracy'],
      });
      const net = tfjsNetwork(tf, backend, model, arch, seed, tensors, batchSize, opts.signal);
      results.push(...(await runTraining(net, [seed], r, data, o, opts)));
      if (!userModel || typeof userModel === 'function') model.dispose();
    }
  } finally {
    tensors.xFit.dispose();
    tensors.yFit.dispose();
    tensors.xVal?.dispose();
    tensors.yVal?.dispose();
  }
  return results;
}
