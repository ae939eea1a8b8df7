/**
 * Backend-independent parts of training: checking and converting the data, the validation split,
 * options with the docs/method.md §8 defaults, test metrics.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { OptimizerSettings } from '../core/native.js';
import type { ArchitectureInfo } from './architecture.js';
import { describeArchitecture } from './architecture.js';
import { FOLLOW_UP_RECIPE, SEED_RECIPE } from '../core/recipes.js';
import type { EarlyStoppingOptions, Labels, TrainingData, TrainingRecipe, TrainOptions } from './types.js';

export { SEED_RECIPE };

/** Float32 rows and labels, checked. */
export interface Rows {
  x: Float32Array;
  y: Float32Array;
  n: number;
  d: number;
}

export interface PreparedData {
  fit: Rows;
  val: Rows | null;
  test: Rows;
  d: number;
}

function asFloat32(x: unknown, name: string): Float32Array {
  if (x instanceof Float32Array) return x;
  if (x instanceof Float64Array) return Float32Array.from(x);
  throw new InvalidArgumentError(`${name} must be a Float32Array or Float64Array`, name);
}

function checkFinite(x: Float32Array, d: number, name: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0)
      throw new InvalidArgumentError(
        `${name}: non-finite value at row ${Math.floor(i / d)}, column ${i % d}`,
        name,
      );
  }
}

/** Labels as Float32Array of 0/1; throws InvalidArgumentError for anything else. */
export function toLabels(y: Labels | unknown, n: number, name: string): Float32Array {
  if (y === null || typeof y !== 'object' || typeof (y as { length?: unknown }).length !== 'number')
    throw new InvalidArgumentError(`${name} must be an array of 0/1 labels`, name);
  const arr = y as ArrayLike<number>;
  if (arr.length !== n)
    throw new InvalidArgumentError(`${name} has ${arr.length} labels, expected ${n} (one per row)`, name);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (v !== 0 && v !== 1)
      throw new InvalidArgumentError(`${name}[${i}] is ${String(v)}; labels must be 0 or 1`, name);
    out[i] = v;
  }
  return out;
}

/** Checks `x` (n × d) and returns its float32 rows. */
export function toRows(x: unknown, d: number, name: string, expectedN?: number): { x: Float32Array; n: number } {
  const xf = asFloat32(x, name);
  if (xf.length === 0) throw new InvalidArgumentError(`${name} is empty (no rows)`, name);
  if (xf.length % d !== 0)
    throw new InvalidArgumentError(`${name} has ${xf.length} values, not a multiple of d = ${d}`, name);
  const n = xf.length / d;
  if (expectedN !== undefined && n !== expectedN)
    throw new InvalidArgumentError(`${name} has ${n} rows, expected ${expectedN}`, name);
  checkFinite(xf, d, name);
  return { x: xf, n };
}

/**
 * Checks and converts the data and applies the validation split (Keras semantics: the last
 * `n - floor(n·(1 - split))` rows, before shuffling).
 */
export function prepareData(data: TrainingData, opts: TrainOptions): PreparedData {
  if (data === null || typeof data !== 'object')
    throw new InvalidArgumentError('data must be { xTrain, yTrain, xTest, yTest, d }', 'data');
  const d = data.d;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1)
    throw new InvalidArgumentError(`data.d must be a positive integer, got ${String(d)}`, 'data.d');
  const tr = toRows(data.xTrain, d, 'xTrain', data.nTrain);
  const yTrain = toLabels(data.yTrain, tr.n, 'yTrain');
  const te = toRows(data.xTest, d, 'xTest', data.nTest);
  const yTest = toLabels(data.yTest, te.n, 'yTest');

  let fit: Rows;
  let val: Rows | null = null;
  if (opts.validationData !== undefined) {
    const v = toRows(opts.validationData.x, d, 'validationData.x');
    val = { x: v.x, y: toLabels(opts.validationData.y, v.n, 'validationData.y'), n: v.n, d };
    fit = { x: tr.x, y: yTrain, n: tr.n, d };
  } else {
    const split = opts.validationSplit ?? SEED_RECIPE.validationSplit;
    if (typeof split !== 'number' || !(split >= 0 && split < 1))
      throw new InvalidArgumentError(`validationSplit must be in [0, 1), got ${String(split)}`, 'validationSplit');
    const nFit = Math.floor(tr.n * (1 - split));
    if (nFit < 1)
      throw new InvalidArgumentError(`validationSplit ${split} leaves no training rows (n = ${tr.n})`, 'validationSplit');
    fit = { x: tr.x.subarray(0, nFit * d), y: yTrain.subarray(0, nFit), n: nFit, d };
    if (nFit < tr.n)
      val = { x: tr.x.subarray(nFit * d), y: yTrain.subarray(nFit), n: tr.n - nFit, d };
  }
  return { fit, val, test: { x: te.x, y: yTest, n: te.n, d }, d };
}

export interface ResolvedOptions extends OptimizerSettings {
  arch: ArchitectureInfo;
  init: 'glorot' | 'pytorch';
  /** 0 = no stop rule. */
  stopAtTrainAccuracy: number;
  seeds: number[];
  threads: number;
  flushDenormals: boolean;
  early: Required<EarlyStoppingOptions> | null;
}

function posInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${String(v)}`, name);
  return v;
}

function posNum(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new InvalidArgumentError(`${name} must be a positive number, got ${String(v)}`, name);
  return v;
}

export function resolveOptions(d: number, opts: TrainOptions): ResolvedOptions {
  const arch = describeArchitecture({
    inputDim: d,
    architecture: opts.architecture ?? SEED_RECIPE.architecture,
    depth: opts.depth ?? SEED_RECIPE.depth,
    ...(opts.widths !== undefined ? { widths: opts.widths } : {}),
  });
  const rho = opts.rho ?? SEED_RECIPE.rho;
  if (typeof rho !== 'number' || !(rho >= 0 && rho < 1))
    throw new InvalidArgumentError(`rho must be in [0, 1), got ${String(rho)}`, 'rho');
  const seeds = opts.seeds ?? [0];
  if (!Array.isArray(seeds) || seeds.length === 0)
    throw new InvalidArgumentError('seeds must be a non-empty array of integers', 'seeds');
  seeds.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)
      throw new InvalidArgumentError(`seeds[${i}] must be an integer in [0, 2^53), got ${String(s)}`, 'seeds');
  });
  const threads = opts.threads ?? 0;
  posInt(threads, 'threads', 0);
  const flushDenormals = opts.flushDenormals ?? true;
  if (typeof flushDenormals !== 'boolean')
    throw new InvalidArgumentError(`flushDenormals must be true or false, got ${String(flushDenormals)}`, 'flushDenormals');
  let early: Required<EarlyStoppingOptions> | null = null;
  if (opts.earlyStopping) {
    const e = opts.earlyStopping === true ? {} : opts.earlyStopping;
    const monitor = e.monitor ?? 'valLoss';
    if (!['loss', 'accuracy', 'valLoss', 'valAccuracy'].includes(monitor))
      throw new InvalidArgumentError(`earlyStopping.monitor must be loss, accuracy, valLoss or valAccuracy`, 'earlyStopping');
    early = {
      monitor,
      patience: posInt(e.patience ?? 0, 'earlyStopping.patience', 0),
      minDelta: Math.abs(e.minDelta ?? 0),
      restoreBestWeights: e.restoreBestWeights ?? false,
    };
  }
  const optimizer = opts.optimizer ?? SEED_RECIPE.optimizer;
  if (optimizer !== 'rmsprop' && optimizer !== 'adam')
    throw new InvalidArgumentError(`optimizer must be 'rmsprop' or 'adam', got ${String(optimizer)}`, 'optimizer');
  const unit = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new InvalidArgumentError(`${name} must be in [0, 1), got ${String(v)}`, name);
    return v;
  };
  const beta1 = unit(opts.beta1 ?? FOLLOW_UP_RECIPE.beta1, 'beta1');
  const beta2 = unit(opts.beta2 ?? FOLLOW_UP_RECIPE.beta2, 'beta2');
  const init = opts.init ?? SEED_RECIPE.init;
  if (init !== 'glorot' && init !== 'pytorch')
    throw new InvalidArgumentError(`init must be 'glorot' or 'pytorch', got ${String(init)}`, 'init');
  const batchSize = opts.batchSize === 'full' ? 'full' : posInt(opts.batchSize ?? SEED_RECIPE.batchSize, 'batchSize', 1);
  let stopAtTrainAccuracy = 0;
  let epochs: number;
  if (opts.stopAtTrainAccuracy !== undefined && opts.stopAtTrainAccuracy !== null) {
    const t = opts.stopAtTrainAccuracy;
    if (typeof t !== 'number' || !(t > 0 && t <= 1))
      throw new InvalidArgumentError(`stopAtTrainAccuracy must be in (0, 1] (e.g. 0.99), got ${String(t)}`, 'stopAtTrainAccuracy');
    stopAtTrainAccuracy = t;
    const cap = opts.maxEpochs !== undefined ? posInt(opts.maxEpochs, 'maxEpochs', 0) : undefined;
    const given = opts.epochs !== undefined ? posInt(opts.epochs, 'epochs', 0) : undefined;
    if (cap !== undefined && given !== undefined && cap !== given)
      throw new InvalidArgumentError(
        `with stopAtTrainAccuracy the cap is maxEpochs (${cap}); epochs (${given}) must equal it or be left out`,
        'epochs',
      );
    epochs = cap ?? given ?? FOLLOW_UP_RECIPE.maxEpochs;
  } else {
    if (opts.maxEpochs !== undefined)
      throw new InvalidArgumentError('maxEpochs caps a stop rule: give it with stopAtTrainAccuracy (or use epochs)', 'maxEpochs');
    epochs = posInt(opts.epochs ?? SEED_RECIPE.epochs, 'epochs', 0);
  }
  return {
    arch,
    epochs,
    batchSize,
    optimizer,
    learningRate: posNum(opts.learningRate ?? SEED_RECIPE.learningRate, 'learningRate'),
    rho,
    beta1,
    beta2,
    epsilon: posNum(opts.epsilon ?? (optimizer === 'adam' ? FOLLOW_UP_RECIPE.epsilon : SEED_RECIPE.epsilon), 'epsilon'),
    init,
    stopAtTrainAccuracy,

    seeds: [...seeds],
    threads,
    flushDenormals,
    early,
  };
}

/** Test accuracy (p > 0.5) and mean BCE (probabilities clipped to [1e-7, 1 - 1e-7], as Keras). */
export function testMetrics(prob: Float32Array, y: Float32Array): { accuracy: number; loss: number } {
  let correct = 0;
  let loss = 0;
  const eps = 1e-7;
  for (let i = 0; i < y.length; i++) {
    const p = prob[i]!;
    const label = y[i]!;
    if ((p > 0.5 ? 1 : 0) === label) correct++;
    const q = Math.min(1 - eps, Math.max(eps, p));
    loss -= label * Math.log(q) + (1 - label) * Math.log(1 - q);
  }
  return { accuracy: correct / y.length, loss: loss / y.length };
}

/** The settings a network was trained with, named after the recipe they match (see TrainingRecipe). */
export function describeRecipe(o: ResolvedOptions, opts: TrainOptions): TrainingRecipe {
  const validationSplit = opts.validationData !== undefined ? null : (opts.validationSplit ?? SEED_RECIPE.validationSplit);
  const adam = o.optimizer === 'adam';
  const stop = o.stopAtTrainAccuracy > 0 ? o.stopAtTrainAccuracy : null;
  const S = SEED_RECIPE;
  const F = FOLLOW_UP_RECIPE;
  const isSeed =
    o.optimizer === S.optimizer && o.learningRate === S.learningRate && o.rho === S.rho && o.epsilon === S.epsilon &&
    o.batchSize === S.batchSize && o.init === S.init && validationSplit === S.validationSplit && stop === null;
  const isFollowUp =
    o.optimizer === F.optimizer && o.learningRate === F.learningRate && o.beta1 === F.beta1 && o.beta2 === F.beta2 &&
    o.epsilon === F.epsilon && o.batchSize === F.batchSize && o.init === F.init && validationSplit === F.validationSplit &&
    stop === F.stopAtTrainAccuracy;
  return {
    name: isSeed ? 'seed' : isFollowUp ? 'follow-up' : 'custom',
    optimizer: o.optimizer,
    learningRate: o.learningRate,
    rho: adam ? null : o.rho,
    beta1: adam ? o.beta1 : null,
    beta2: adam ? o.beta2 : null,
    epsilon: o.epsilon,
    batchSize: o.batchSize,
    init: o.init,
    validationSplit,
    epochs: o.epochs,
    stopAtTrainAccuracy: stop,
    flushDenormals: o.flushDenormals,
  };
}
