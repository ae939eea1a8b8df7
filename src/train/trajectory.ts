/**
 * The geometry trajectory of a network during training, measured one way for every caller: at
 * epochs N, 2N, … and at the last epoch, the activations of every layer on a probe set (held-out
 * rows, never fitted) are analysed at one k and one curvature (docs/method.md §2–§5) and give one
 * point: the mean local ρ, the layer coefficients r_l, the epoch's training accuracy and, with
 * labels, the probe accuracy.
 *
 * Used by `runCell` (study/network.ts: native training, probe = the first test rows, recorded in
 * each record's `trajectory`) and by the geometry-aware callback (study/geometry-training.ts: tfjs
 * models, probe = validation rows, can stop on the patience rule). How the activations are
 * computed is the caller's (a forward pass of the epoch's weights, or the live tfjs model).
 */
import type { AnalysisOptions } from '../analysis/pipeline.js';
import { analyzeLayers } from '../analysis/pipeline.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { CurvatureName } from '../analysis/geometry.js';
import type { TrajectoryPoint } from '../analysis/trajectory-point.js';
import type { EpochEvent, LayerActivations } from './types.js';

export type { TrajectoryPoint };

export interface TrajectoryOptions {
  /** Evaluate every N epochs; the last epoch is always evaluated. */
  every: number;
  /** Probe labels (0/1 per row), for the probe accuracy; null: not recorded. */
  labels: ArrayLike<number> | null;
  /** The one curvature measured. */
  curvature: CurvatureName;
  /** Analysis settings (k, mode, node, alpha, layers, threads, signal); `curvatures` is `[curvature]`. */
  analysis: Omit<AnalysisOptions, 'curvatures' | 'k'> & { k: number };
}

/** Measures trajectory points (one instance per training call; no state between points). */
export class TrajectoryRecorder {
  constructor(private readonly o: TrajectoryOptions) {
    if (!Number.isInteger(o.every) || o.every < 1) throw new InvalidArgumentError('every: a positive integer', 'every');
  }

  /** Whether this epoch is evaluated: every N epochs and the last one. */
  due(e: Pick<EpochEvent, 'epoch' | 'epochs'>): boolean {
    return e.epoch % this.o.every === 0 || e.epoch === e.epochs;
  }

  /**
   * The point of epoch `e` from the network's activations on the probe rows. The probe accuracy
   * is read at once (so `acts` may change after this returns); the analysis runs on the native
   * engine's threads and the returned Promise resolves with the point.
   */
  measure(e: Pick<EpochEvent, 'epoch' | 'accuracy'>, acts: readonly LayerActivations[]): Promise<TrajectoryPoint> {
    const labels = this.o.labels;
    let probeAccuracy: number | undefined;
    if (labels) {
      const out = acts[acts.length - 1]!.data;
      let hit = 0;
      for (let i = 0; i < labels.length; i++) if ((out[i]! > 0.5 ? 1 : 0) === labels[i]) hit++;
      probeAccuracy = hit / labels.length;
    }
    const analysis = analyzeLayers(acts, { ...this.o.analysis, curvatures: [this.o.curvature] });
    return analysis.then((res) => {
      const co = res.byK[0]!.coefficients[this.o.curvature]!;
      const point: TrajectoryPoint = { epoch: e.epoch, localMean: co.local.mean, layer: co.layer, trainAccuracy: e.accuracy };
      if (probeAccuracy !== undefined) point.testAccuracy = probeAccuracy;
      return point;
    });
  }
}
