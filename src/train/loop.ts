/**
 * The training loop, once for both backends (docs/method.md §8). A backend supplies only the
 * arithmetic of a group of networks trained together ({@link EpochBackend}: run epochs, weights,
 * activations, a pass over the training rows); this loop owns what happens between epochs: the
 * `onEpoch` hook (with the network's weights on demand), Keras early stopping (patience, restored
 * best weights), the follow-up's accuracy stop and its cap, cancellation, and the results.
 *
 * Epochs per backend call: one when anything acts between epochs (a hook, early stopping), else
 * chunks doubled while a call takes < 100 ms, up to the backend's `maxChunk` (the native trainer's
 * thousands of short full-batch epochs then do not pay a call's overhead each). The accuracy stop
 * must act *inside* a chunk (before the step at which it is met), so the backend checks it there;
 * the rule itself is written once, in TypeScript (src/train/stopping.ts): the loop hands the
 * backend the least number of correct training rows that meets it ({@link minCorrectToStop}), and
 * the backend compares `correct >= minCorrect`, which decides exactly as the rule does.
 */
import { CancelledError } from '../core/errors.js';
import type { ArchitectureInfo, NetworkWeights } from './architecture.js';
import type { PreparedData, ResolvedOptions } from './prepare.js';
import { describeRecipe, testMetrics } from './prepare.js';
import { EarlyStopper, minCorrectToStop } from './stopping.js';
import type { BackendUsed, EpochLog, LayerActivations, TrainedNetwork, TrainOptions } from './types.js';

/** The arithmetic of a group of networks trained together on one backend (indices 0..size-1). */
export interface EpochBackend {
  /** Where the arithmetic runs (recorded in every result). */
  readonly used: BackendUsed;
  /** Most epochs one {@link runEpochs} call may be given (1: the loop acts after every epoch). */
  readonly maxChunk: number;
  /** What network r is. */
  architecture(r: number): ArchitectureInfo;
  /**
   * Trains every network r with `active[r] === 1` up to `epochs` more epochs and returns the logs
   * of the epochs run, per network (empty for inactive ones). With `minCorrect` > 0 (the accuracy
   * stop), the training rows that network r's current weights classify correctly are counted
   * before each step; when `correct >= minCorrect` the network stops before that step (the epoch
   * is neither run nor logged) and {@link stopCheck} reports it.
   */
  runEpochs(epochs: number, active: Uint8Array, minCorrect: number): Promise<EpochLog[][]>;
  /** Whether network r met the accuracy stop, and the training accuracy of its last check (NaN before any). */
  stopCheck(r: number): { met: boolean; accuracy: number };
  /** Training accuracy of network r's current weights: one pass over the training rows. */
  trainAccuracy(r: number): Promise<number>;
  /** Network r's current weights (a copy, flat layout of src/train/architecture.ts). */
  getWeights(r: number): Float32Array;
  setWeights(r: number, w: Float32Array): void;
  /** Activations of every layer of network r on the rows `x` (n rows). */
  activations(r: number, x: Float32Array, n: number): Promise<LayerActivations[]>;
}

/** Doubling stops once a call takes this long (ms). */
const CHUNK_MS = 100;

/**
 * Trains a group of networks (`seeds[r]` is network r of the backend, `first + r` its index in
 * the caller's `seeds`) to the end and returns their results.
 */
export async function runTraining(
  backend: EpochBackend,
  seeds: readonly number[],
  first: number,
  data: PreparedData,
  o: ResolvedOptions,
  opts: TrainOptions,
): Promise<TrainedNetwork[]> {
  const R = seeds.length;
  const signal = opts.signal;
  const active = new Uint8Array(R).fill(1);
  const history: EpochLog[][] = Array.from({ length: R }, () => []);
  const stoppers = o.early ? seeds.map(() => new EarlyStopper(o.early!)) : null;
  const best: (Float32Array | null)[] = new Array<Float32Array | null>(R).fill(null);
  const stopped = new Array<boolean>(R).fill(false);
  const reached = new Array<boolean>(R).fill(false);
  const restored = new Array<number | null>(R).fill(null);
  const minCorrect = o.stopAtTrainAccuracy > 0 ? minCorrectToStop(data.fit.n, o.stopAtTrainAccuracy) : 0;
  const perEpoch = opts.onEpoch !== undefined || stoppers !== null;
  const maxChunk = Math.max(1, backend.maxChunk);
  let chunk = 1;

  const t0 = performance.now();
  let e = 0;
  while (e < o.epochs && active.some((a) => a === 1)) {
    if (signal?.aborted) throw new CancelledError('training was cancelled');
    const n = perEpoch ? 1 : Math.min(chunk, o.epochs - e);
    const tc = performance.now();
    const logs = await backend.runEpochs(n, active, minCorrect);
    if (!perEpoch && performance.now() - tc < CHUNK_MS) chunk = Math.min(chunk * 2, maxChunk);
    e += n;
    for (let r = 0; r < R; r++) {
      if (active[r] !== 1) continue;
      for (const log of logs[r]!) {
        history[r]!.push(log);
        let stop = false;
        if (stoppers) {
          const s = stoppers[r]!.update(log);
          if (s.improved && o.early!.restoreBestWeights) best[r] = backend.getWeights(r);
          if (s.stop) stop = true;
        }
        if (opts.onEpoch) {
          const arch = backend.architecture(r);
          const ret = await opts.onEpoch({
            ...log,
            network: first + r,
            seed: seeds[r]!,
            epochs: o.epochs,
            weights: () => ({ sizes: [...arch.sizes], data: backend.getWeights(r) }),
          });
          if (ret === false) stop = true;
        }
        if (stop) {
          active[r] = 0;
          stopped[r] = true;
          if (stoppers && o.early!.restoreBestWeights && best[r]) {
            backend.setWeights(r, best[r]!);
            restored[r] = stoppers[r]!.bestEpoch;
          }
          break;
        }
      }
      if (active[r] === 1 && minCorrect > 0 && backend.stopCheck(r).met) {
        active[r] = 0;
        reached[r] = true;
      }
    }
  }
  const epochsRun = Math.max(0, ...history.map((h) => h.length));
  const msPerEpoch = epochsRun > 0 ? (performance.now() - t0) / epochsRun : 0;

  if (signal?.aborted) throw new CancelledError('training was cancelled');
  const recipe = describeRecipe(o, opts);
  // The accuracy stop's last check, or (stopped otherwise) a pass over the training rows.
  const finalTrain: (number | null)[] = new Array<number | null>(R).fill(null);
  if (minCorrect > 0)
    for (let r = 0; r < R; r++) finalTrain[r] = reached[r] ? backend.stopCheck(r).accuracy : await backend.trainAccuracy(r);
  // Test-set passes of all networks of the group at once.
  return Promise.all(
    seeds.map(async (seed, r): Promise<TrainedNetwork> => {
      const arch = backend.architecture(r);
      const weights: NetworkWeights = { sizes: [...arch.sizes], data: backend.getWeights(r) };
      const acts = await backend.activations(r, data.test.x, data.test.n);
      const m = testMetrics(acts[acts.length - 1]!.data, data.test.y);
      return {
        seed,
        backend: backend.used,
        architecture: arch,
        weights,
        history: history[r]!,
        epochsTrained: history[r]!.length,
        stoppedEpoch: history[r]!.length,
        recipe,
        reachedTrainAccuracy: minCorrect > 0 ? reached[r]! : null,
        finalTrainAccuracy: finalTrain[r]!,
        stoppedEarly: stopped[r]! || reached[r]!,
        restoredEpoch: restored[r]!,
        testAccuracy: m.accuracy,
        testLoss: m.loss,
        activations: opts.activations === false ? [] : acts,
        msPerEpoch,
        nFit: data.fit.n,
        nValidation: data.val ? data.val.n : 0,
      };
    }),
  );
}
