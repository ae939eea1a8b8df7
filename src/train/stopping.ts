/**
 * The stop rules of training, each written once (docs/method.md §8):
 * - {@link PatienceRule}: stop after `patience` evaluations without an improvement of a monitored
 *   value by more than `minDelta` — Keras' EarlyStopping on an epoch's metrics, and the
 *   geometry-aware stop on the mean local ρ (src/study/geometry-training.ts);
 * - {@link meetsTrainAccuracy} / {@link minCorrectToStop}: the follow-up's accuracy stop (§8b),
 *   checked on the training rows before each step.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { EarlyStoppingOptions, EpochLog } from './types.js';

/**
 * The patience rule on a sequence of values v_1, v_2, … fed one at a time. Value i *improves*
 * when it is a number better than the best so far by more than `minDelta` (lower when
 * minimising, higher when maximising; the first number always improves); `null` and NaN never
 * improve. The rule stops at the first i with `i − b ≥ patience`, b being the last improving
 * index (0 before any). With `patience` 0 it stops at the first value that does not improve (as
 * Keras).
 */
export class PatienceRule {
  private best = -Infinity;
  private wait = 0;
  private index = 0;
  /** 1-based index of the last improving value (0 before any). */
  bestIndex = 0;

  constructor(
    private readonly patience: number,
    private readonly minDelta: number,
    private readonly direction: 'min' | 'max',
  ) {}

  /** Feeds the next value; returns whether it improved and whether the rule stops here. */
  update(value: number | null): { improved: boolean; stop: boolean } {
    this.index += 1;
    const v = value === null || Number.isNaN(value) ? NaN : this.direction === 'min' ? -value : value;
    // Improvement means better than best by more than minDelta (false for NaN).
    if (v - this.minDelta > this.best) {
      this.best = v;
      this.bestIndex = this.index;
      this.wait = 0;
      return { improved: true, stop: false };
    }
    this.wait += 1;
    return { improved: false, stop: this.wait >= this.patience };
  }
}

/**
 * The rule on a finished sequence: the 1-based index at which it stops, or null when it never
 * does. `patience` ≤ 0 means "never stop" here (the geometry-aware callback's convention).
 */
export function patienceStop(values: readonly (number | null)[], patience: number, minDelta = 0, direction: 'min' | 'max' = 'min'): number | null {
  if (patience <= 0) return null;
  const rule = new PatienceRule(patience, minDelta, direction);
  for (let i = 0; i < values.length; i++) if (rule.update(values[i] ?? null).stop) return i + 1;
  return null;
}

/** Keras EarlyStopping for one network: the patience rule on one metric of each epoch's log. */
export class EarlyStopper {
  private readonly rule: PatienceRule;
  /** Epoch of the best value so far (0 before any). */
  bestEpoch = 0;

  constructor(private readonly o: Required<EarlyStoppingOptions>) {
    const minimise = o.monitor === 'loss' || o.monitor === 'valLoss';
    this.rule = new PatienceRule(o.patience, o.minDelta, minimise ? 'min' : 'max');
  }

  /** Feeds one epoch; returns { improved, stop }. */
  update(log: EpochLog): { improved: boolean; stop: boolean } {
    const raw = log[this.o.monitor];
    if (raw === null || raw === undefined || Number.isNaN(raw))
      throw new InvalidArgumentError(
        `earlyStopping monitors ${this.o.monitor}, which is not available (no validation data?)`,
        'earlyStopping',
      );
    const s = this.rule.update(raw);
    if (s.improved) this.bestEpoch = log.epoch;
    return s;
  }
}

/**
 * The follow-up's accuracy stop (docs/method.md §8b, its `train_model`): a network whose
 * training accuracy, checked before a step, is ≥ `threshold` stops before that step. The
 * comparison is in percent, as the follow-up's: 100·correct/n ≥ 100·threshold (in doubles).
 */
export function meetsTrainAccuracy(correct: number, n: number, threshold: number): boolean {
  if (!(threshold > 0) || n === 0) return false;
  return (correct / n) * 100 >= threshold * 100;
}

/**
 * The least number of correct rows out of `n` that meets the accuracy stop: the rule as one
 * integer, which a backend that checks it inside its own loop (the native trainer, many epochs
 * per call) compares with `correct >= minCorrect`. That comparison decides exactly as
 * {@link meetsTrainAccuracy}: correct/n (a correctly rounded division) and its product with 100
 * are non-decreasing in `correct`, so the rule holds for a suffix of 0..n, which starts here.
 * For 0 < threshold ≤ 1 the result is in [1, n] (0 correct is 0 % < 100·threshold; n correct is
 * 100 % ≥ 100·threshold); 0 when there is no rule (threshold 0).
 */
export function minCorrectToStop(n: number, threshold: number): number {
  if (!(threshold > 0)) return 0;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`the stop rule needs training rows, got n = ${n}`, 'stopAtTrainAccuracy');
  let lo = 0; // does not meet the rule
  let hi = n; // meets it (threshold ≤ 1)
  if (!meetsTrainAccuracy(hi, n, threshold))
    throw new InvalidArgumentError(`stopAtTrainAccuracy must be in (0, 1], got ${threshold}`, 'stopAtTrainAccuracy');
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (meetsTrainAccuracy(mid, n, threshold)) hi = mid;
    else lo = mid;
  }
  return hi;
}
