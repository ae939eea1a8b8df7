// The stop rules of training (src/train/stopping.ts) and the shared loop that applies them
// (src/train/loop.ts), against stop epochs worked out by hand from given sequences.
import { describe, expect, it } from 'vitest';

import { InvalidArgumentError } from '../../src/core/errors.js';
import { describeArchitecture } from '../../src/train/architecture.js';
import { runTraining, type EpochBackend } from '../../src/train/loop.js';
import { prepareData, resolveOptions } from '../../src/train/prepare.js';
import { EarlyStopper, meetsTrainAccuracy, minCorrectToStop, PatienceRule, patienceStop } from '../../src/train/stopping.js';
import type { EpochEvent, EpochLog, TrainOptions } from '../../src/train/types.js';

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

/**
 * A backend whose epochs follow a script: epoch e of every network has loss `loss[e-1]`, and
 * `correct[e-1]` training rows are right before its step; the weights are [epochs done, 0, 0, 0].
 */
function scripted(script: { loss: number[]; correct: number[] }, networks: number, nFit: number) {
  const arch = describeArchitecture({ inputDim: 1, widths: [1] });
  const done = new Array<number>(networks).fill(0);
  const met = new Array<boolean>(networks).fill(false);
  const lastCheck = new Array<number>(networks).fill(NaN);
  const calls: number[] = [];
  const weights = (r: number) => Float32Array.from([done[r]!, 0, 0, 0]);
  const backend: EpochBackend = {
    used: 'native',
    maxChunk: 8,
    architecture: () => arch,
    async runEpochs(n, active, minCorrect) {
      calls.push(n);
      return done.map((_, r) => {
        const logs: EpochLog[] = [];
        for (let j = 0; j < n && active[r] === 1 && !met[r]; j++) {
          const e = done[r]! + 1;
          const correct = script.correct[e - 1]!;
          if (minCorrect > 0) {
            lastCheck[r] = correct / nFit;
            if (correct >= minCorrect) {
              met[r] = true;
              break;
            }
          }
          done[r] = e;
          logs.push({ epoch: e, loss: script.loss[e - 1]!, accuracy: correct / nFit, valLoss: null, valAccuracy: null });
        }
        return logs;
      });
    },
    stopCheck: (r) => ({ met: met[r]!, accuracy: lastCheck[r]! }),
    trainAccuracy: async () => 0.25,
    getWeights: weights,
    setWeights: (r, w) => (done[r] = w[0]!),
    activations: async (_r, x, n) => [
      { data: x, n, d: 1 },
      { data: new Float32Array(n).fill(0.9), n, d: 1 },
    ],
  };
  return { backend, calls, done };
}

async function train(script: { loss: number[]; correct: number[] }, opts: TrainOptions, networks = 1) {
  const nTrain = 200;
  const data = {
    xTrain: new Float32Array(nTrain).map((_, i) => i),
    yTrain: new Uint8Array(nTrain),
    xTest: new Float32Array(4),
    yTest: Uint8Array.from([1, 1, 1, 0]),
    d: 1,
  };
  const full: TrainOptions = { validationSplit: 0, widths: [1], seeds: Array.from({ length: networks }, (_, i) => i), ...opts };
  const prepared = prepareData(data, full);
  const o = resolveOptions(1, full);
  const fake = scripted(script, networks, prepared.fit.n);
  const nets = await runTraining(fake.backend, o.seeds, 0, prepared, o, full);
  return { nets, calls: fake.calls };
}

describe('the shared training loop', () => {
  // 200 training rows; the rule at 0.99 needs 198 right. Before step 4 there are 198: 3 epochs run.
  const script = { loss: [0.7, 0.5, 0.55, 0.6, 0.4, 0.3, 0.2, 0.1], correct: [150, 190, 197, 198, 200, 200, 200, 200] };

  it('stops before the step at which the training accuracy meets the rule, in chunks or one epoch at a time', async () => {
    for (const onEpoch of [undefined, () => undefined]) {
      const { nets, calls } = await train(script, { stopAtTrainAccuracy: 0.99, maxEpochs: 8, ...(onEpoch ? { onEpoch } : {}) });
      const [net] = nets;
      expect(net!.stoppedEpoch).toBe(3);
      expect(net!.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      expect(net!.reachedTrainAccuracy).toBe(true);
      expect(net!.finalTrainAccuracy).toBe(0.99); // the check that met the rule: 198 / 200
      expect(net!.stoppedEarly).toBe(true);
      expect(net!.weights.data[0]).toBe(3);
      // Chunks double while calls are quick (1, 2, 4 epochs); with a hook, one epoch per call.
      expect(calls).toEqual(onEpoch ? [1, 1, 1, 1] : [1, 2, 4]);
    }
    // At 0.995 (199 right) the rule first holds before step 5; with a cap of 2, never.
    expect((await train(script, { stopAtTrainAccuracy: 0.995, maxEpochs: 8 })).nets[0]!.stoppedEpoch).toBe(4);
    const capped = (await train(script, { stopAtTrainAccuracy: 0.99, maxEpochs: 2 })).nets[0]!;
    expect(capped.stoppedEpoch).toBe(2);
    expect(capped.reachedTrainAccuracy).toBe(false);
    expect(capped.finalTrainAccuracy).toBe(0.25); // a pass over the training rows
    expect(capped.stoppedEarly).toBe(false);
  });

  it('applies early stopping with restored weights, and onEpoch with weights and a stop', async () => {
    // Loss: best at 2 (0.5); 3 and 4 do not beat it: stop at 4 with patience 2, weights of epoch 2.
    const [es] = (await train(script, { epochs: 8, earlyStopping: { monitor: 'loss', patience: 2, restoreBestWeights: true } })).nets;
    expect(es!.epochsTrained).toBe(4);
    expect(es!.restoredEpoch).toBe(2);
    expect(es!.weights.data[0]).toBe(2);
    expect(es!.reachedTrainAccuracy).toBeNull();
    const seen: string[] = [];
    const onEpoch = (e: EpochEvent) => {
      seen.push(`${e.network}:${e.epoch}:${e.weights!().data[0]}`);
      return !(e.network === 1 && e.epoch === 2);
    };
    const nets = (await train(script, { epochs: 3, onEpoch }, 2)).nets;
    expect(seen).toEqual(['0:1:1', '1:1:1', '0:2:2', '1:2:2', '0:3:3']);
    expect(nets.map((n) => n.epochsTrained)).toEqual([3, 2]);
    expect(nets.map((n) => n.stoppedEarly)).toEqual([false, true]);
    expect(nets[0]!.testAccuracy).toBe(0.75); // p = 0.9 on labels 1, 1, 1, 0
  });
});
