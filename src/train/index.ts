/**
 * Training the docs/method.md §8 networks, driven from TypeScript on one of two backends.
 *
 * One API ({@link trainNetworks}) owns the options, the data and its validation split and the
 * seeds; one loop (loop.ts) owns hooks, early stopping, the accuracy stop (stopping.ts) and
 * cancellation; the backend does only the epoch arithmetic:
 * - `native` (default): the C++ core (Eigen float32 products, BCE from logits, RMSprop), replicate
 *   networks trained in parallel on the native threads, never blocking the event loop;
 * - `tfjs`: TensorFlow.js (tfjs-node if importable, else wasm, else cpu), also for any
 *   LayersModel a user brings.
 * Every result records the backend used, the history, test accuracy and the activations of every
 * layer on the test points.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { Matrix } from '../io/arrays.js';
import type { NetworkWeights } from './architecture.js';
import { splitWeights } from './architecture.js';
import { nativeForward, trainNative } from './native-backend.js';
import { prepareData, resolveOptions, toRows } from './prepare.js';
import type { TfjsBackendPreference } from './tfjs-backend.js';
import { tfjsForward, trainTfjs } from './tfjs-backend.js';
import type { LayerActivations, TrainedNetwork, TrainingData, TrainOptions } from './types.js';

export * from './architecture.js';
export * from './types.js';
export { SEED_RECIPE } from './prepare.js';
export { EarlyStopper, PatienceRule, patienceStop, meetsTrainAccuracy, minCorrectToStop } from './stopping.js';
export { FOLLOW_UP_RECIPE, WELL_TRAINED_THRESHOLD } from '../core/recipes.js';
export { nativeInitWeights } from './native-backend.js';
export {
  loadTf,
  buildModel,
  setFlatWeights,
  getFlatWeights,
  tfjsActivations,
  describeTfjsModel,
  type TfRuntime,
  type TfjsBackendPreference,
} from './tfjs-backend.js';
export { loadLayersModel, saveLayersModel } from './tfjs-files.js';

/**
 * Trains one network per seed on `data` and returns, per network: weights, history, test
 * accuracy/loss, activations of every layer on the test points, the backend used and the
 * architecture. Defaults are the seed recipe (docs/method.md §8): `wide`, 5 hidden layers, 50 epochs,
 * batch 32, RMSprop(1e-3, ρ 0.9, ε 1e-7), validation split 0.2 (the last 20 % of the training
 * rows, as Keras). The follow-up's recipe (docs/method.md §8b) is `{ ...FOLLOW_UP_RECIPE options }`:
 * `optimizer: 'adam', batchSize: 'full', init: 'pytorch', stopAtTrainAccuracy: 0.99,
 * maxEpochs: 20000, validationSplit: 0` with uniform `widths` (native backend).
 * A diverging run (non-finite loss or weights) rejects with an InvalidArgumentError naming
 * `learningRate`, the network's seed and the epoch.
 */
export async function trainNetworks(data: TrainingData, options: TrainOptions = {}): Promise<TrainedNetwork[]> {
  const backend = options.backend ?? 'native';
  if (backend !== 'native' && backend !== 'tfjs')
    throw new InvalidArgumentError(`backend must be 'native' or 'tfjs', got ${String(backend)}`, 'backend');
  if (options.tfjsModel !== undefined && backend !== 'tfjs')
    throw new InvalidArgumentError("tfjsModel needs backend: 'tfjs'", 'tfjsModel');
  const prepared = prepareData(data, options);
  const resolved = resolveOptions(prepared.d, options);
  if (resolved.early && resolved.early.monitor.startsWith('val') && prepared.val === null)
    throw new InvalidArgumentError(
      `earlyStopping monitors ${resolved.early.monitor} but there is no validation data (validationSplit 0)`,
      'earlyStopping',
    );
  return backend === 'native' ? trainNative(prepared, resolved, options) : trainTfjs(prepared, resolved, options);
}

export interface ForwardOptions {
  /** `'native'` (default) or `'tfjs'`. */
  backend?: 'native' | 'tfjs';
  tfjsBackend?: TfjsBackendPreference;
  threads?: number;
  signal?: AbortSignal;
}

/**
 * Activations of every layer (input, hidden ReLU layers, sigmoid output) of the network `weights`
 * on the rows of `x`.
 */
export async function forward(weights: NetworkWeights, x: Matrix, options: ForwardOptions = {}): Promise<LayerActivations[]> {
  splitWeights(weights);
  if (x === null || typeof x !== 'object') throw new InvalidArgumentError('x must be { data, n, d }', 'x');
  if (x.d !== weights.sizes[0])
    throw new InvalidArgumentError(`x has d = ${x.d}, the network expects ${weights.sizes[0]}`, 'x');
  const rows = toRows(x.data, x.d, 'x', x.n);
  const backend = options.backend ?? 'native';
  if (backend === 'native') {
    const o: { threads?: number; signal?: AbortSignal } = {};
    if (options.threads !== undefined) o.threads = options.threads;
    if (options.signal) o.signal = options.signal;
    return nativeForward(weights, rows.x, rows.n, o);
  }
  if (backend === 'tfjs') return (await tfjsForward(weights, rows.x, rows.n, options.tfjsBackend ?? 'auto')).activations;
  throw new InvalidArgumentError(`backend must be 'native' or 'tfjs', got ${String(backend)}`, 'backend');
}
