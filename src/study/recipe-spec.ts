/**
 * Training recipes and uniform-width architectures as sweep-file data (docs/sweeps.md, "Recipes").
 *
 * - `"training": {"recipe": "seed" | "follow-up", …}`: the recipe's defaults (docs/method.md §8a,
 *   §8b), each overridable by an explicit key: `optimizer`, `batchSize` (a number or `"full"`),
 *   `learningRate`, `validationSplit`, `epochs`, `stopAtTrainAccuracy`, `maxEpochs`, `init`,
 *   `backend`.
 * - `"widths": [15, 25, 50]`: uniform-width networks (architecture `w15`, `w25`, `w50`: every hidden
 *   layer that wide), crossed with `depths`; an alternative to `architectures`, which also accepts
 *   `wN` names directly.
 *
 * The resolved form (what `sweep.json` stores) names every key, so a stored sweep re-resolves to
 * itself. With a stop rule (`stopAtTrainAccuracy`), `epochs` equals `maxEpochs`, the cap.
 */
import { isJsonObject, type JsonObject } from '../core/json.js';
import { FOLLOW_UP_RECIPE, SEED_RECIPE } from '../core/recipes.js';
import type { NetworkConfig } from './types.js';

export type RecipeName = 'seed' | 'follow-up';
export const RECIPE_NAMES: readonly RecipeName[] = ['seed', 'follow-up'];
export type OptimizerName = 'rmsprop' | 'adam';
export type InitName = 'glorot' | 'pytorch';

/** A sweep's training options, resolved (every key explicit). */
export interface SweepTraining {
  recipe: RecipeName;
  optimizer: OptimizerName;
  /** Epochs to train; with `stopAtTrainAccuracy`, the cap (= `maxEpochs`). */
  epochs: number;
  /** Mini-batch size, or `'full'`: one step per epoch on the whole training set. */
  batchSize: number | 'full';
  learningRate: number;
  validationSplit: number;
  init: InitName;
  /** Stop a network as soon as its training accuracy (checked before each step) reaches this. */
  stopAtTrainAccuracy?: number;
  /** Cap on epochs with `stopAtTrainAccuracy`. */
  maxEpochs?: number;
  backend: 'native' | 'tfjs';
}

/** The seed paper's recipe (docs/method.md §8a; constants from src/core/recipes.ts): RMSprop 1e-3, 50 epochs, batch 32, validation 0.2, Glorot. */
export const SEED_TRAINING: Readonly<SweepTraining> = {
  recipe: 'seed',
  optimizer: SEED_RECIPE.optimizer,
  epochs: SEED_RECIPE.epochs,
  batchSize: SEED_RECIPE.batchSize,
  learningRate: SEED_RECIPE.learningRate,
  validationSplit: SEED_RECIPE.validationSplit,
  init: SEED_RECIPE.init,
  backend: 'native',
};

/**
 * The follow-up's recipe (docs/method.md §8b; its `helpers.train_model`; constants from
 * src/core/recipes.ts): Adam 1e-3, full batch, no validation split, stop when the training
 * accuracy reaches 99 % or after 20,000 epochs, PyTorch's default initialisation.
 */
export const FOLLOW_UP_TRAINING: Readonly<SweepTraining> = {
  recipe: 'follow-up',
  optimizer: FOLLOW_UP_RECIPE.optimizer,
  epochs: FOLLOW_UP_RECIPE.maxEpochs,
  batchSize: FOLLOW_UP_RECIPE.batchSize,
  learningRate: FOLLOW_UP_RECIPE.learningRate,
  validationSplit: FOLLOW_UP_RECIPE.validationSplit,
  init: FOLLOW_UP_RECIPE.init,
  stopAtTrainAccuracy: FOLLOW_UP_RECIPE.stopAtTrainAccuracy,
  maxEpochs: FOLLOW_UP_RECIPE.maxEpochs,
  backend: 'native',
};

export const RECIPES: Readonly<Record<RecipeName, Readonly<SweepTraining>>> = { seed: SEED_TRAINING, 'follow-up': FOLLOW_UP_TRAINING };

export const TRAINING_KEYS = [
  'recipe', 'optimizer', 'epochs', 'batchSize', 'learningRate', 'validationSplit', 'init', 'stopAtTrainAccuracy', 'maxEpochs', 'backend',
] as const;

/** Throws (never returns) with the dotted key and a message. */
export type Fail = (key: string, msg: string) => never;

/** How a JSON value is named in validation messages (`the string "x"`, `an array`, `number 3`). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * Resolves a sweep file's `training` object: the recipe's defaults, then each explicit key.
 * @throws through `fail` with the dotted key (`training.batchSize`, …) and what is wrong.
 */
export function resolveTraining(raw: unknown, fail: Fail): SweepTraining {
  const t = raw === undefined ? {} : raw;
  if (!isJsonObject(t)) return fail('training', `must be an object, got ${typeName(t)}`);
  const o = t;
  for (const key of Object.keys(o))
    if (!(TRAINING_KEYS as readonly string[]).includes(key)) fail(`training.${key}`, `is not a known key (expected one of: ${TRAINING_KEYS.join(', ')})`);

  const choice = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !allowed.includes(v as T)) return fail(`training.${key}`, `must be one of ${allowed.join(', ')}, got ${typeName(v)}`);
    return v as T;
  };
  const int = (key: string, min: number): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(`training.${key}`, `must be an integer, got ${typeName(v)}`);
    if (v < min) fail(`training.${key}`, `must be >= ${min}, got ${v}`);
    return v;
  };
  const num = (key: string, ok: (x: number) => boolean, range: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`training.${key}`, `must be a number, got ${typeName(v)}`);
    if (!ok(v)) fail(`training.${key}`, `must be ${range}, got ${v}`);
    return v;
  };

  const recipe = choice('recipe', RECIPE_NAMES) ?? 'seed';
  const base = RECIPES[recipe];
  const out: SweepTraining = { ...base };
  delete out.stopAtTrainAccuracy;
  delete out.maxEpochs;

  out.optimizer = choice('optimizer', ['rmsprop', 'adam'] as const) ?? base.optimizer;
  out.init = choice('init', ['glorot', 'pytorch'] as const) ?? base.init;
  out.backend = choice('backend', ['native', 'tfjs'] as const) ?? base.backend;
  out.learningRate = num('learningRate', (x) => x > 0, '> 0') ?? base.learningRate;
  out.validationSplit = num('validationSplit', (x) => x >= 0 && x < 1, 'in [0, 1)') ?? base.validationSplit;
  if (o.batchSize === 'full') out.batchSize = 'full';
  else if (typeof o.batchSize === 'string') fail('training.batchSize', `must be a positive integer or "full", got ${typeName(o.batchSize)}`);
  else out.batchSize = int('batchSize', 1) ?? base.batchSize;

  // The stop rule: on with the follow-up recipe or an explicit threshold; `null` turns it off.
  let stop: number | undefined = base.stopAtTrainAccuracy;
  if (o.stopAtTrainAccuracy === null) stop = undefined;
  else {
    const s = num('stopAtTrainAccuracy', (x) => x > 0 && x <= 1, 'in (0, 1] (a training accuracy, e.g. 0.99)');
    if (s !== undefined) stop = s;
  }
  const epochs = int('epochs', 0);
  const maxEpochs = int('maxEpochs', 0);
  if (stop === undefined) {
    if (maxEpochs !== undefined) fail('training.maxEpochs', "caps a stop rule: give it with 'stopAtTrainAccuracy' (or use 'epochs')");
    out.epochs = epochs ?? base.epochs;
  } else {
    const cap = maxEpochs ?? epochs ?? base.maxEpochs ?? base.epochs;
    if (epochs !== undefined && maxEpochs !== undefined && epochs !== maxEpochs)
      fail('training.epochs', `with 'stopAtTrainAccuracy' the cap is 'maxEpochs' (${maxEpochs}); 'epochs' (${epochs}) must equal it or be left out`);
    out.stopAtTrainAccuracy = stop;
    out.maxEpochs = cap;
    out.epochs = cap;
  }
  if (out.backend === 'tfjs' && (out.optimizer !== 'rmsprop' || out.batchSize === 'full' || out.init !== 'glorot' || out.stopAtTrainAccuracy !== undefined))
    fail('training.backend', "tfjs trains the seed recipe only (RMSprop, mini-batches, Glorot, fixed epochs): use backend 'native' for the follow-up's options");
  return out;
}

/** `wN` (uniform width N) → N, else null. */
export function uniformWidth(architecture: string): number | null {
  const m = /^w([1-9]\d*)$/.exec(architecture);
  return m ? Number(m[1]) : null;
}

/**
 * Resolves the architecture keys of a sweep file: `architectures` (names, `wN` allowed) or
 * `widths` (uniform widths → `wN`), exactly one of them.
 */
export function resolveArchitectures(raw: JsonObject, fail: Fail, list: (key: string, v: unknown, item: (k: string, x: unknown) => string) => string[]): string[] {
  const named = ['narrow', 'wide', 'bottleneck'];
  if (raw.architectures !== undefined && raw.widths !== undefined) return fail('widths', "and 'architectures' are exclusive: give one of them");
  if (raw.widths !== undefined)
    return list('widths', raw.widths, (k, x) => {
      if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1) return fail(k, `must be a positive integer (a hidden width), got ${typeName(x)}`);
      return `w${x}`;
    });
  if (raw.architectures === undefined) return fail('architectures', "is required (narrow, wide, bottleneck or wN), or give 'widths' (uniform widths)");
  return list('architectures', raw.architectures, (k, x) => {
    if (typeof x !== 'string' || !(named.includes(x) || uniformWidth(x) !== null))
      return fail(k, `must be one of narrow, wide, bottleneck or wN (uniform width N, e.g. w25), got ${typeName(x)}`);
    return x;
  });
}

/** The training part of a network config: what identifies the recipe that ran. */
export function trainingConfig(t: SweepTraining): NetworkConfig['training'] {
  const out: NetworkConfig['training'] = {
    recipe: t.recipe,
    optimizer: t.optimizer,
    epochs: t.epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    validationSplit: t.validationSplit,
    init: t.init,
    backend: t.backend,
  };
  if (t.stopAtTrainAccuracy !== undefined) {
    out.stopAtTrainAccuracy = t.stopAtTrainAccuracy;
    out.maxEpochs = t.maxEpochs ?? t.epochs;
  }
  return out;
}

/** A short description of a config's training, e.g. "follow-up (Adam, full batch, stop at 99 % train accuracy, ≤ 20000 epochs)". */
export function describeTraining(t: NetworkConfig['training'] | SweepTraining): string {
  const parts = [
    t.optimizer === 'adam' ? 'Adam' : 'RMSprop',
    t.batchSize === 'full' ? 'full batch' : `batch ${t.batchSize}`,
    (t.maxEpochs ?? t.epochs) === 0 ? 'untrained' : t.stopAtTrainAccuracy !== undefined ? `stop at ${+(100 * t.stopAtTrainAccuracy).toFixed(2)} % train accuracy, ≤ ${t.maxEpochs ?? t.epochs} epochs` : `${t.epochs} epochs`,
    `${t.init ?? 'glorot'} init`,
  ];
  return `${t.recipe ?? 'seed'} (${parts.join(', ')})`;
}

/** Training options of `trainNetworks` for a config (widths and recipe keys; seeds added by the caller). */
export interface RecipeTrainOptions {
  widths: number[];
  epochs: number;
  batchSize: number | 'full';
  learningRate: number;
  validationSplit: number;
  backend: 'native' | 'tfjs';
  optimizer?: OptimizerName;
  init?: InitName;
  stopAtTrainAccuracy?: number;
  maxEpochs?: number;
}

export function trainOptionsFor(c: NetworkConfig): RecipeTrainOptions {
  const t = c.training;
  const o: RecipeTrainOptions = {
    widths: c.widths,
    epochs: t.epochs,
    batchSize: t.batchSize,
    learningRate: t.learningRate,
    validationSplit: t.validationSplit,
    backend: t.backend,
  };
  if (t.optimizer !== undefined) o.optimizer = t.optimizer;
  if (t.init !== undefined) o.init = t.init;
  if (t.stopAtTrainAccuracy !== undefined) {
    o.stopAtTrainAccuracy = t.stopAtTrainAccuracy;
    o.maxEpochs = t.maxEpochs ?? t.epochs;
  }
  return o;
}
