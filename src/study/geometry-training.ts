/**
 * Geometry-aware training (docs/report.md; the follow-up's proposals made usable): a TensorFlow.js
 * training callback that, every N epochs, computes the mean local coefficient ρ(x) and the layer
 * coefficients r_l of the network on a held-out probe set with the native engine, records their
 * trajectory, and can stop training when the mean local ρ has stopped decreasing. The points are
 * measured by the recorder `runCell` uses too (src/train/trajectory.ts); the stop is the patience
 * rule of src/train/stopping.ts.
 *
 * Stopping rule (documented, Keras-style on a minimised quantity): evaluations i = 1, 2, … happen
 * at epochs N, 2N, … and at the last epoch. Evaluation i is an *improvement* when its mean local ρ
 * is defined and lower than the best (lowest) so far by more than `minDelta`. Training stops at
 * the first evaluation i with `i − b ≥ patience`, where b is the last improving evaluation (0 before
 * any): the mean local ρ has not decreased for `patience` evaluations. `patience` 0 or absent: the
 * trajectory is recorded and training never stops on it. With `restoreBest`, a stopped network gets
 * back the weights of its best evaluation (as Keras' `restoreBestWeights`).
 *
 * Blocking: at an evaluation epoch the callback computes the probe activations with tfjs (a forward
 * pass) and hands them to the native engine, which builds the kNN graphs, geodesics and curvature
 * on its worker threads. By default training waits for that analysis, so the stopping epoch is
 * deterministic. With `overlap: true` training continues while the engine works; the result is
 * recorded when it lands and a stop decision applies at the next epoch end (the stopping epoch then
 * depends on timing); call `settle()` before reading the trajectories.
 *
 * Backend: the tfjs backend (the callback needs the live model to read its layers); the callback
 * supplies `backend: 'tfjs'`, a `tfjsModel` factory (the docs/method.md §8 network, or the caller's own
 * factory through `wrap`) and `onEpoch`.
 *
 * @module ricciflow/geometry-training
 */
import { InvalidArgumentError } from '../core/errors.js';
import { SEED_RECIPE, TRAJECTORY_PROBE_SIZE } from '../core/recipes.js';
import type { CurvatureName, GraphMode } from '../analysis/geometry.js';
import { buildModel, getFlatWeights, loadTf, setFlatWeights, tfjsActivations, type LayersModel, type TfjsBackendPreference } from '../train/tfjs-backend.js';
import { trainNetworks } from '../train/index.js';
import { PatienceRule, patienceStop } from '../train/stopping.js';
import { TrajectoryRecorder, type TrajectoryPoint } from '../train/trajectory.js';
import type { EpochEvent, Labels, TrainedNetwork, TrainingData, TrainOptions } from '../train/types.js';
import type { NodeStatistic } from '../analysis/pipeline.js';

export type { TrajectoryPoint };

export interface ProbeSet {
  /** `n × d` row-major. */
  x: Float32Array | Float64Array;
  /** Labels (optional): with them, the probe accuracy is recorded as `testAccuracy`. */
  y?: Labels;
  d: number;
  n?: number;
}

export interface GeometryCallbackOptions {
  /** Held-out points on which the geometry is measured (not used for fitting). */
  probe: ProbeSet;
  /** Evaluate every N epochs (default 5); the last epoch is always evaluated. */
  every?: number;
  /** kNN k on the probe set (default min(30, n − 1)). */
  k?: number;
  curvature?: CurvatureName;
  mode?: GraphMode;
  node?: NodeStatistic;
  /** Stop after this many evaluations without a new minimum of the mean local ρ (0/absent: never). */
  patience?: number;
  /** Minimum decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** On stopping, restore the weights of the best evaluation (default false). */
  restoreBest?: boolean;
  /** Let training continue while the native engine analyses (default false: deterministic). */
  overlap?: boolean;
  threads?: number;
  tfjsBackend?: TfjsBackendPreference;
  /** Called with each evaluation as it is recorded. */
  onEvaluation?: (network: number, point: TrajectoryPoint) => void;
}

interface NetworkState {
  model: LayersModel;
  points: TrajectoryPoint[];
  /** The patience rule on the mean local ρ (null: patience 0, never stop). */
  rule: PatienceRule | null;
  bestWeights: Float32Array | null;
  stopRequested: boolean;
  stoppedAt: number | null;
  /** Processing chain of this network's analyses (results recorded in epoch order). */
  chain: Promise<void>;
}

/** The geometry-aware training callback; one instance per `trainNetworks` call. */
export class GeometryCallback {
  private readonly states: NetworkState[] = [];
  private readonly probe: { x: Float32Array; y: Float32Array | null; n: number; d: number };
  private readonly every: number;
  private readonly k: number;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly recorder: TrajectoryRecorder;
  private errors: Error[] = [];

  constructor(private readonly options: GeometryCallbackOptions) {
    const p = options.probe;
    if (!p || typeof p.d !== 'number' || !(p.x instanceof Float32Array || p.x instanceof Float64Array))
      throw new InvalidArgumentError('probe: give { x: Float32Array | Float64Array, d, y? }', 'probe');
    const n = p.n ?? Math.floor(p.x.length / p.d);
    if (n * p.d !== p.x.length || n < 3) throw new InvalidArgumentError(`probe: x has ${p.x.length} values, not n·d with n ≥ 3 (d = ${p.d})`, 'probe');
    const y = p.y === undefined ? null : Float32Array.from(p.y as ArrayLike<number>);
    if (y && y.length !== n) throw new InvalidArgumentError(`probe: ${y.length} labels for ${n} rows`, 'probe');
    this.probe = { x: p.x instanceof Float32Array ? p.x : Float32Array.from(p.x), y, n, d: p.d };
    this.every = options.every ?? 5;
    if (!Number.isInteger(this.every) || this.every < 1) throw new InvalidArgumentError('every: a positive integer', 'every');
    this.k = options.k ?? Math.min(30, n - 1);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new InvalidArgumentError('patience: a non-negative integer', 'patience');
    this.minDelta = options.minDelta ?? 0;
    this.recorder = new TrajectoryRecorder({
      every: this.every,
      labels: y,
      curvature: options.curvature ?? 'forman',
      analysis: {
        k: this.k,
        mode: options.mode ?? 'union',
        node: options.node ?? 'mean',
        layers: 'all',
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      },
    });
  }

  /**
   * Options to spread into `trainNetworks`: the tfjs backend, a model factory building the docs/method.md §8
   * network of the given hidden widths, and the epoch hook (after `onEpoch`, if given).
   */
  trainOptions(widths: readonly number[], onEpoch?: TrainOptions['onEpoch']): Pick<TrainOptions, 'backend' | 'tfjsModel' | 'onEpoch' | 'tfjsBackend'> {
    const sizes = [this.probe.d, ...widths, 1];
    return this.wrap(async (seed) => buildModel((await loadTf(this.options.tfjsBackend ?? 'auto')).tf, sizes, seed), onEpoch);
  }

  /** Same as {@link trainOptions} for a caller's own model factory (one sigmoid output). */
  wrap(factory: (seed: number) => LayersModel | Promise<LayersModel>, onEpoch?: TrainOptions['onEpoch']): Pick<TrainOptions, 'backend' | 'tfjsModel' | 'onEpoch' | 'tfjsBackend'> {
    return {
      backend: 'tfjs',
      tfjsBackend: this.options.tfjsBackend ?? 'auto',
      tfjsModel: async (seed: number) => {
        const model = await factory(seed);
        this.states.push({
          model,
          points: [],
          rule: this.patience > 0 ? new PatienceRule(this.patience, this.minDelta, 'min') : null,
          bestWeights: null,
          stopRequested: false,
          stoppedAt: null,
          chain: Promise.resolve(),
        });
        return model;
      },
      onEpoch: async (e: EpochEvent) => {
        const user = onEpoch ? await onEpoch(e) : undefined;
        const mine = await this.onEpoch(e);
        return user === false || mine === false ? false : undefined;
      },
    };
  }

  /** Trajectory per network (index as in `seeds`). */
  get trajectories(): TrajectoryPoint[][] {
    return this.states.map((s) => s.points);
  }

  /** Epoch at which each network was stopped by the rule (null: not stopped). */
  get stoppedAt(): (number | null)[] {
    return this.states.map((s) => s.stoppedAt);
  }

  /** Waits for analyses still running (overlap mode) and rethrows their first error. */
  async settle(): Promise<void> {
    await Promise.all(this.states.map((s) => s.chain));
    if (this.errors.length) throw this.errors[0]!;
  }

  private async onEpoch(e: EpochEvent): Promise<boolean | void> {
    const s = this.states[e.network];
    if (!s) throw new InvalidArgumentError('geometry callback: the model factory was not used (spread trainOptions() into trainNetworks)', 'tfjsModel');
    if (this.errors.length) throw this.errors[0]!;
    if (s.stopRequested) return this.stop(s, e.epoch);
    if (!this.recorder.due(e)) return;
    const acts = await tfjsActivations(s.model, this.probe.x, this.probe.n);
    const weights = this.options.restoreBest ? getFlatWeights(s.model) : null;
    const measured = this.recorder.measure(e, acts);
    const record = async (): Promise<void> => {
      const point = await measured;
      s.points.push(point);
      if (s.rule) {
        const r = s.rule.update(point.localMean);
        if (r.improved) s.bestWeights = weights;
        else if (r.stop) s.stopRequested = true;
      }
      this.options.onEvaluation?.(e.network, point);
    };
    s.chain = s.chain.then(record).catch((err: unknown) => {
      this.errors.push(err as Error);
    });
    if (!this.options.overlap) {
      await s.chain;
      if (this.errors.length) throw this.errors[0]!;
      if (s.stopRequested) return this.stop(s, e.epoch);
    }
  }

  private async stop(s: NetworkState, epoch: number): Promise<false> {
    s.stoppedAt = epoch;
    if (this.options.restoreBest && s.bestWeights) {
      const { tf } = await loadTf(this.options.tfjsBackend ?? 'auto');
      const sizes = [this.probe.d, ...s.model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { units: number }).units)];
      setFlatWeights(tf, s.model, { sizes, data: s.bestWeights });
    }
    return false;
  }
}

export { patienceStop };

export function geometryCallback(options: GeometryCallbackOptions): GeometryCallback {
  return new GeometryCallback(options);
}

export interface GeometryTrainingResult {
  networks: TrainedNetwork[];
  /** Per network (as `seeds`). */
  trajectories: TrajectoryPoint[][];
  stoppedAt: (number | null)[];
}

/**
 * Trains on `data` with the geometry callback. Without an explicit probe, the probe is the
 * validation rows (the last rows of the training data that the fit never sees; at most
 * `probeSize`, default `TRAJECTORY_PROBE_SIZE` = 500).
 */
export async function trainWithGeometry(
  data: TrainingData,
  train: Omit<TrainOptions, 'backend' | 'tfjsModel'> & { widths: readonly number[] },
  geometry: Omit<GeometryCallbackOptions, 'probe'> & { probe?: ProbeSet; probeSize?: number },
): Promise<GeometryTrainingResult> {
  let probe = geometry.probe;
  if (!probe) {
    const d = data.d;
    const n = data.nTrain ?? Math.floor(data.xTrain.length / d);
    const split = train.validationSplit ?? SEED_RECIPE.validationSplit;
    const nFit = Math.floor(n * (1 - split));
    const m = Math.min(n - nFit, geometry.probeSize ?? TRAJECTORY_PROBE_SIZE);
    if (m < 3) throw new InvalidArgumentError('trainWithGeometry: no validation rows to probe; give a probe set or a validationSplit', 'probe');
    const y = Array.from({ length: m }, (_, i) => Number((data.yTrain as ArrayLike<number>)[nFit + i]));
    probe = { x: data.xTrain.subarray(nFit * d, (nFit + m) * d), y, d, n: m };
  }
  const cb = new GeometryCallback({ ...geometry, probe });
  const networks = await trainNetworks(data, { ...train, ...cb.trainOptions(train.widths, train.onEpoch) });
  await cb.settle();
  return { networks, trajectories: cb.trajectories, stoppedAt: cb.stoppedAt };
}
