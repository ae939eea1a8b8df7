// The stop rules of training (src/train/stopping.ts), against stop epochs worked out by hand
// from given sequences.
import { describe, expect, it } from 'vitest';

import { InvalidArgumentError } from '../src/core/errors.js';
import { EarlyStopper, meetsTrainAccuracy, minCorrectToStop, PatienceRule, patienceStop } from '../src/train/stopping.js';
import type { EpochLog } from '../src/train/types.js';

/** The 1-based index at which the rule first says stop (null: never). */
function stopIndex(rule: PatienceRule, values: (number | null)[]): number | null {
  for (let i = 0; i < values.length; i++) if (rule.update(values[i]!).stop) return i + 1;
  return null;
}

describe('the patience rule', () => {
  it('stops `patience` values after the last improvement (minimising)', () => {
    // Improvements at 1, 2, 3; 4 and 5 are not lower than -0.1: stop at 5.
    expect(patienceStop([0.1, 0.0, -0.1, -0.05, -0.02], 2)).toBe(5);
    // 5 is a new minimum: the wait restarts and the sequence ends first.
    expect(patienceStop([0.1, 0.0, -0.1, -0.05, -0.2], 2)).toBeNull();
    // An equal value is no improvement: stop at 3 with patience 2.
    expect(patienceStop([0.5, 0.5, 0.5, 0.1], 2)).toBe(3);
    // patienceStop's patience 0: never stop.
    expect(patienceStop([0.1, 0.2, 0.3], 0)).toBeNull();
  });

  it('counts minDelta against an improvement and never improves on null or NaN', () => {
    // 0.095 and 0.092 are lower than 0.1 by less than 0.01: stop at 3.
    expect(patienceStop([0.1, 0.095, 0.092], 2, 0.01)).toBe(3);
    // 0.08 is lower by 0.02: improvement at 2, then 3 and 4 are not: stop at 4.
    expect(patienceStop([0.1, 0.08, 0.075, 0.079], 2, 0.01)).toBe(4);
    expect(patienceStop([null, null], 2)).toBe(2);
    expect(patienceStop([null, 0.5, 0.6, 0.4], 2)).toBeNull(); // 1 waits, 2 improves, 3 waits, 4 improves
    expect(patienceStop([NaN, 0.5, 0.6, 0.7], 2)).toBe(4);
  });

  it('maximises, and with patience 0 stops at the first value that does not improve (Keras)', () => {
    // Accuracies: 1 and 2 improve; 3 equals 0.6, 4 is lower: stop at 4.
    expect(stopIndex(new PatienceRule(2, 0, 'max'), [0.5, 0.6, 0.6, 0.55, 0.7])).toBe(4);
    expect(stopIndex(new PatienceRule(0, 0, 'min'), [3, 2, 2.5, 1])).toBe(3);
    expect(stopIndex(new PatienceRule(0, 0, 'max'), [3, 2, 2.5, 1])).toBe(2);
  });

  it('Keras early stopping on an epoch log: stop epoch, best epoch, missing metric', () => {
    const log = (epoch: number, valLoss: number | null, accuracy = 0.5): EpochLog => ({ epoch, loss: 1, accuracy, valLoss, valAccuracy: null });
    const run = (o: ConstructorParameters<typeof EarlyStopper>[0], logs: EpochLog[]) => {
      const s = new EarlyStopper(o);
      for (const l of logs) if (s.update(l).stop) return { stop: l.epoch, best: s.bestEpoch };
      return { stop: null, best: s.bestEpoch };
    };
    const valLoss = [1.0, 0.9, 0.95, 0.91, 0.89].map((v, i) => log(i + 1, v));
    // Best at 2; 3 and 4 do not beat 0.9: stop at 4.
    expect(run({ monitor: 'valLoss', patience: 2, minDelta: 0, restoreBestWeights: false }, valLoss)).toEqual({ stop: 4, best: 2 });
    // minDelta 0.2: only epoch 1 counts; 2 and 3 wait: stop at 3.
    expect(run({ monitor: 'valLoss', patience: 2, minDelta: 0.2, restoreBestWeights: false }, valLoss)).toEqual({ stop: 3, best: 1 });
    // patience 3: 5 improves on 0.9 before the wait reaches 3.
    expect(run({ monitor: 'valLoss', patience: 3, minDelta: 0, restoreBestWeights: false }, valLoss)).toEqual({ stop: null, best: 5 });
    const acc = [0.5, 0.7, 0.7, 0.69].map((a, i) => log(i + 1, null, a));
    expect(run({ monitor: 'accuracy', patience: 1, minDelta: 0, restoreBestWeights: false }, acc)).toEqual({ stop: 3, best: 2 });
    expect(() => run({ monitor: 'valLoss', patience: 1, minDelta: 0, restoreBestWeights: false }, acc)).toThrow(InvalidArgumentError);
  });
});

describe('the accuracy stop (follow-up)', () => {
  it('compares in percent, as the follow-up', () => {
    expect(meetsTrainAccuracy(99, 100, 0.99)).toBe(true);
    expect(meetsTrainAccuracy(98, 100, 0.99)).toBe(false);
    expect(meetsTrainAccuracy(11879, 12000, 0.99)).toBe(false); // 98.99 %
    expect(meetsTrainAccuracy(11880, 12000, 0.99)).toBe(true);
    expect(meetsTrainAccuracy(5, 5, 0)).toBe(false); // no rule
  });

  it('as the least number of correct rows', () => {
    expect(minCorrectToStop(100, 0.99)).toBe(99);
    expect(minCorrectToStop(12000, 0.99)).toBe(11880);
    expect(minCorrectToStop(7, 0.5)).toBe(4); // 3/7 = 42.9 %, 4/7 = 57.1 %
    expect(minCorrectToStop(3, 1)).toBe(3);
    expect(minCorrectToStop(50, 0.01)).toBe(1);
    expect(minCorrectToStop(10, 0)).toBe(0);
    // Whatever the rounding, the count decides exactly as the comparison does.
    for (const n of [1, 2, 3, 7, 10, 99, 100, 333, 1000, 12000])
      for (const t of [0.01, 0.29, 0.5, 0.57, 0.7, 0.9, 0.95, 0.99, 0.999, 1]) {
        const m = minCorrectToStop(n, t);
        expect(meetsTrainAccuracy(m, n, t)).toBe(true);
        expect(meetsTrainAccuracy(m - 1, n, t)).toBe(false);
      }
  });
});
