/**
 * The native backend: forward/backward passes, BCE and RMSprop in the C++ core
 * (native/core/mlp.h), replicate networks trained in parallel on the native threads. The loop is
 * driven from here one epoch per native call (≈ 0.1 ms of overhead against tens of ms per
 * epoch), so early stopping, hooks and cancellation act between epochs; a cancel also stops the
 * current epoch within a few batches.
 */
import { CancelledError, InvalidArgumentError } from '../core/errors.js';
import type { NativeAddon, RawCallOptions } from '../core/native.js';
import type { NetworkWeights } from './architecture.js';
import { splitWeights } from './architecture.js';
import type { PreparedData, ResolvedOptions } from './prepare.js';
import { describeRecipe, testMetrics } from './prepare.js';
import { EarlyStopper } from './stopping.js';
import type { EpochLog, LayerActivations, TrainedNetwork, TrainOptions } from './types.js';

/** The addon's training surface (private). */
interface RawTrainer {
  readonly replicates: number;
  readonly paramCount: number;
  setData(d: { x: Float32Array; y: Float32Array; n: number; xVal?: Float32Array; yVal?: Float32Array; nVal?: number }): void;
  train(o: RawCallOptions & {
    epochs: number;
    batchSize: number | 'full';
    optimizer: 'rmsprop' | 'adam';
    learningRate: number;
    rho: number;
    beta1: number;
    beta2: number;
    epsilon: number;
    stopAtTrainAccuracy: number;
    flushDenormals?: boolean;
    active?: Uint8Array;
  }): Promise<Float64Array>;
  getWeights(r: number): Float32Array;
  setWeights(r: number, w: Float32Array): void;
  /** [stopped 0/1, checkLoss, checkAccuracy, epochsDone, steps] */
  stopInfo(r: number): Float64Array;
  /** [loss, accuracy] of replicate r's weights on the training rows. */
  trainMetrics(r: number, o?: RawCallOptions): Promise<Float64Array>;
}

export interface MlpAddon {
  MlpTrainer: new (o: { sizes: number[]; seeds: number[]; weights?: (Float32Array | null)[]; init?: 'glorot' | 'pytorch' }) => RawTrainer;
  mlpForward(sizes: number[], weights: Float32Array, x: Float32Array, n: number, o?: RawCallOptions): Promise<Float32Array[]>;
  mlpInitWeights(sizes: number[], seed: number, init?: 'glorot' | 'pytorch'): Float32Array;
  mlpParamCount(sizes: number[]): number;
  /** Diagnostics (docs/method.md §8c): per OpenMP thread of a call, flush flags (1 FTZ, 2 DAZ) + 4 if subnormals are exact. */
  mlpFpProbe(o?: RawCallOptions): Promise<{ threads: number[]; lastTraining: number; supported: boolean }>;
}

type NativeModule = typeof import('../core/native.js');
let nativeModule: Promise<NativeModule> | undefined;

/** Loads the addon lazily, so the tfjs backend works without it. */
export async function loadNative(): Promise<{ mod: NativeModule; mlp: MlpAddon }> {
  nativeModule ??= import('../core/native.js');
  const mod = await nativeModule;
  const a = mod.addon as NativeAddon & Partial<MlpAddon>;
  if (typeof a.MlpTrainer !== 'function' || typeof a.mlpForward !== 'function')
    throw new InvalidArgumentError('this build of the native addon has no network trainer (rebuild it)', 'backend');
  return { mod, mlp: a as unknown as MlpAddon };
}

/**
 * Initial weights from the native seeded generator (see mlp.h): `'glorot'` (default;
 * Glorot-uniform kernels, zero biases) or `'pytorch'` (kernels and biases U(±1/√fan_in)).
 */
export async function nativeInitWeights(sizes: number[], seed: number, init: 'glorot' | 'pytorch' = 'glorot'): Promise<NetworkWeights> {
  const { mod, mlp } = await loadNative();
  return { sizes: [...sizes], data: mod.callNativeSync(() => mlp.mlpInitWeights(sizes, seed, init)) };
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

export async function trainNative(
  data: PreparedData,
  o: ResolvedOptions,
  opts: TrainOptions,
): Promise<TrainedNetwork[]> {
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
  const trainer = mod.callNativeSync(
    () => new mlp.MlpTrainer({ sizes, seeds: o.seeds, init: o.init, ...(weights ? { weights } : {}) }),
  );
  const { fit, val } = data;
  mod.callNativeSync(() =>
    trainer.setData({
      x: fit.x,
      y: fit.y,
      n: fit.n,
      ...(val ? { xVal: val.x, yVal: val.y, nVal: val.n } : {}),
    }),
  );

  const active = new Uint8Array(R).fill(1);
  const history: EpochLog[][] = Array.from({ length: R }, () => []);
  const stoppers = o.early ? o.seeds.map(() => new EarlyStopper(o.early!)) : null;
  const best: (Float32Array | null)[] = new Array<Float32Array | null>(R).fill(null);
  const stopped = new Array<boolean>(R).fill(false);
  const reached = new Array<boolean>(R).fill(false);
  const restored = new Array<number | null>(R).fill(null);
  const signal = opts.signal;
  // Hooks act between epochs, so they need one epoch per native call; without them, epochs run in
  // chunks (the stop rule acts inside the native loop), doubled while a call takes < 100 ms, so
  // thousands of short full-batch epochs do not pay a call's overhead each.
  const perEpoch = opts.onEpoch !== undefined || stoppers !== null;
  let chunk = 1;

  const t0 = performance.now();
  let e = 0;
  while (e < o.epochs && active.some((a) => a === 1)) {
    if (signal?.aborted) throw new CancelledError('training was cancelled');
    const n = perEpoch ? 1 : Math.min(chunk, o.epochs - e);
    const tc = performance.now();
    const rows = await mod.callNative({ threads: o.threads, ...(signal ? { signal } : {}) }, (raw) =>
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
        stopAtTrainAccuracy: o.stopAtTrainAccuracy,
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
    if (!perEpoch && performance.now() - tc < 100) chunk = Math.min(chunk * 2, 4096);
    e += n;
    for (let r = 0; r < R; r++) {
      if (active[r] !== 1) continue;
      for (let j = 0; j < n; j++) {
        const off = (r * n + j) * 5;
        if (Number.isNaN(rows[off]!)) break; // epochs not run: the stop rule was met
        const log = toLog(rows, off);
        history[r]!.push(log);
        let stop = false;
        if (stoppers) {
          const s = stoppers[r]!.update(log);
          if (s.improved && o.early!.restoreBestWeights) best[r] = mod.callNativeSync(() => trainer.getWeights(r));
          if (s.stop) stop = true;
        }
        if (opts.onEpoch) {
          const ret = await opts.onEpoch({
            ...log,
            network: r,
            seed: o.seeds[r]!,
            epochs: o.epochs,
            weights: () => ({ sizes: [...sizes], data: mod.callNativeSync(() => trainer.getWeights(r)) }),
          });
          if (ret === false) stop = true;
        }
        if (stop) {
          active[r] = 0;
          stopped[r] = true;
          if (stoppers && o.early!.restoreBestWeights && best[r]) {
            mod.callNativeSync(() => trainer.setWeights(r, best[r]!));
            restored[r] = stoppers[r]!.bestEpoch;
          }
          break;
        }
      }
      if (active[r] === 1 && o.stopAtTrainAccuracy > 0 && mod.callNativeSync(() => trainer.stopInfo(r))[0] === 1) {
        active[r] = 0;
        reached[r] = true;
      }
    }
  }
  const epochsRun = Math.max(0, ...history.map((h) => h.length));
  const msPerEpoch = epochsRun > 0 ? (performance.now() - t0) / epochsRun : 0;

  if (signal?.aborted) throw new CancelledError('training was cancelled');
  const recipe = describeRecipe(o, opts);
  // The stop rule's last check, or (stopped otherwise) a pass over the training rows.
  const finalTrain: (number | null)[] = new Array<number | null>(R).fill(null);
  if (o.stopAtTrainAccuracy > 0)
    for (let r = 0; r < R; r++) {
      if (reached[r]) finalTrain[r] = mod.callNativeSync(() => trainer.stopInfo(r))[2]!;
      else {
        const m = await mod.callNative({ threads: 1, ...(signal ? { signal } : {}) }, (raw) => trainer.trainMetrics(r, raw));
        finalTrain[r] = m[1]!;
      }
    }
  // Test-set passes of all networks at once (one thread each, in parallel on the native pool).
  return Promise.all(
    o.seeds.map(async (seed, r): Promise<TrainedNetwork> => {
      const w: NetworkWeights = { sizes: [...sizes], data: mod.callNativeSync(() => trainer.getWeights(r)) };
      const acts = await nativeForward(w, data.test.x, data.test.n, { threads: 1, ...(signal ? { signal } : {}) });
      const m = testMetrics(acts[acts.length - 1]!.data, data.test.y);
      return {
        seed,
        backend: 'native',
        architecture: o.arch,
        weights: w,
        history: history[r]!,
        epochsTrained: history[r]!.length,
        stoppedEpoch: history[r]!.length,
        recipe,
        reachedTrainAccuracy: o.stopAtTrainAccuracy > 0 ? reached[r]! : null,
        finalTrainAccuracy: finalTrain[r]!,
        stoppedEarly: stopped[r]! || reached[r]!,
        restoredEpoch: restored[r]!,
        testAccuracy: m.accuracy,
        testLoss: m.loss,
        activations: opts.activations === false ? [] : acts,
        msPerEpoch,
        nFit: fit.n,
        nValidation: val ? val.n : 0,
      };
    }),
  );
}
