/**
 * The native backend: forward/backward passes, BCE and RMSprop in the C++ core
 * (native/core/mlp.h), replicate networks trained in parallel on the native threads. It supplies
 * the epoch arithmetic of the shared loop (src/train/loop.ts), which calls it one epoch at a time
 * when something acts between epochs (≈ 0.1 ms of overhead against tens of ms per epoch), else in
 * chunks of epochs; a cancel also stops the current call within a few batches.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { NativeAddon } from '../core/native.js';
import type { NetworkWeights } from './architecture.js';
import { splitWeights } from './architecture.js';
import type { EpochBackend } from './loop.js';
import { runTraining } from './loop.js';
import type { PreparedData, ResolvedOptions } from './prepare.js';
import type { EpochLog, LayerActivations, TrainedNetwork, TrainOptions } from './types.js';

type NativeModule = typeof import('../core/native.js');
let nativeModule: Promise<NativeModule> | undefined;

/** Loads the addon lazily, so the tfjs backend works without it. */
export async function loadNative(): Promise<{ mod: NativeModule; mlp: NativeAddon }> {
  nativeModule ??= import('../core/native.js');
  const mod = await nativeModule;
  return { mod, mlp: mod.addon };
}

/**
 * Initial weights from the native seeded generator (see mlp.h): `'glorot'` (default;
 * Glorot-uniform kernels, zero biases) or `'pytorch'` (kernels and biases U(±1/√fan_in)).
 */
export async function nativeInitWeights(sizes: number[], seed: number, init: 'glorot' | 'pytorch' = 'glorot'): Promise<NetworkWeights> {
  const { mlp } = await loadNative();
  return { sizes: [...sizes], data: mlp.mlpInitWeights(sizes, seed, init) };
}

/**
 * Activations of every layer of a network (input, hidden ReLU layers, sigmoid output) on the
 * rows `x` (n × sizes[0], row-major, float32).
 */
export async function nativeForward(
  w: NetworkWeights,
  x: Float32Array,
  n: number,
  opts: { threads?: number; signal?: AbortSignal } = {},
): Promise<LayerActivations[]> {
  splitWeights(w);
  const { mod, mlp } = await loadNative();
  const layers = await mod.callNative(opts, (raw) => mlp.mlpForward(w.sizes, w.data, x, n, raw));
  const out: LayerActivations[] = [{ data: x, n, d: w.sizes[0]! }];
  layers.forEach((data, i) => out.push({ data, n, d: w.sizes[i + 1]! }));
  return out;
}

function toLog(row: Float64Array, off: number): EpochLog {
  const nn = (v: number) => (Number.isNaN(v) ? null : v);
  return { epoch: row[off]!, loss: row[off + 1]!, accuracy: row[off + 2]!, valLoss: nn(row[off + 3]!), valAccuracy: nn(row[off + 4]!) };
}

/** Most epochs per native call (the loop doubles its chunks up to this; src/train/loop.ts). */
const MAX_CHUNK = 4096;

/**
 * The native arithmetic of the networks of `o.seeds`, trained together as replicates of one
 * native trainer (in parallel on the native threads).
 */
export async function nativeBackend(data: PreparedData, o: ResolvedOptions, opts: TrainOptions): Promise<EpochBackend> {
  const { mod, mlp } = await loadNative();
  const sizes = o.arch.sizes;
  const R = o.seeds.length;
  const init = opts.initialWeights;
  if (init !== undefined && (!Array.isArray(init) || init.length !== R))
    throw new InvalidArgumentError('initialWeights must have one entry per seed', 'initialWeights');
  const weights = init?.map((w: NetworkWeights | null | undefined, i: number): Float32Array | null => {
    if (w === null || w === undefined) return null;
    splitWeights(w);
    if (w.sizes.length !== sizes.length || w.sizes.some((s: number, l: number) => s !== sizes[l]))
      throw new InvalidArgumentError(`initialWeights[${i}] has sizes [${w.sizes}], the network has [${sizes}]`, 'initialWeights');
    return w.data;
  });
  const trainer = new mlp.MlpTrainer({ sizes, seeds: o.seeds, init: o.init, ...(weights ? { weights } : {}) });
  const { fit, val } = data;
  trainer.setData({
    x: fit.x,
    y: fit.y,
    n: fit.n,
    ...(val ? { xVal: val.x, yVal: val.y, nVal: val.n } : {}),
  });
  const signal = opts.signal;
  const withSignal = (threads: number) => ({ threads, ...(signal ? { signal } : {}) });

  return {
    used: 'native',
    maxChunk: MAX_CHUNK,
    architecture: () => o.arch,
    async runEpochs(n, active, minCorrect) {
      const rows = await mod.callNative(withSignal(o.threads), (raw) =>
        trainer.train({
          ...raw,
          epochs: n,
          batchSize: o.batchSize,
          optimizer: o.optimizer,
          learningRate: o.learningRate,
          rho: o.rho,
          beta1: o.beta1,
          beta2: o.beta2,
          epsilon: o.epsilon,
          stopAtCorrect: minCorrect,
          flushDenormals: o.flushDenormals,
          active,
        }),
      ).catch((err: unknown) => {
        // The core names the replicate ("network r"); say which seed that is.
        if (err instanceof InvalidArgumentError && err.arg === 'learningRate') {
          const m = /network (\d+)/.exec(err.message);
          const seed = m ? o.seeds[Number(m[1])] : undefined;
          if (seed !== undefined)
            throw new InvalidArgumentError(err.message.replace(/network \d+/, `the network of seed ${seed}`), 'learningRate');
        }
        throw err;
      });
      // Row (r·n + j)·5: epoch j of replicate r; NaN from the first epoch not run (stopped).
      const logs: EpochLog[][] = [];
      for (let r = 0; r < R; r++) {
        const out: EpochLog[] = [];
        if (active[r] === 1)
          for (let j = 0; j < n; j++) {
            const off = (r * n + j) * 5;
            if (Number.isNaN(rows[off]!)) break;
            out.push(toLog(rows, off));
          }
        logs.push(out);
      }
      return logs;
    },
    stopCheck(r) {
      const info = trainer.stopInfo(r);
      return { met: info[0] === 1, accuracy: info[2]! };
    },
    async trainAccuracy(r) {
      const m = await mod.callNative(withSignal(1), (raw) => trainer.trainMetrics(r, raw));
      return m[1]!;
    },
    getWeights: (r) => trainer.getWeights(r),
    setWeights: (r, w) => trainer.setWeights(r, w),
    // One thread each: the group's test passes run in parallel on the native pool.
    activations: (r, x, n) =>
      nativeForward({ sizes: [...sizes], data: trainer.getWeights(r) }, x, n, withSignal(1)),
  };
}

/** Trains the networks of `o.seeds` natively (src/train/loop.ts drives the epochs). */
export async function trainNative(data: PreparedData, o: ResolvedOptions, opts: TrainOptions): Promise<TrainedNetwork[]> {
  return runTraining(await nativeBackend(data, o, opts), o.seeds, 0, data, o, opts);
}
