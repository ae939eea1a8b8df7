/**
 * Types of the training API (see {@link trainNetworks}).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ArchitectureInfo, ArchitectureName, NetworkWeights } from './architecture.js';

/** Labels: one 0 or 1 per row. */
export type Labels = Uint8Array | Int8Array | Int32Array | Float32Array | Float64Array | readonly number[];

/**
 * Training and test data: row-major rows of `d` columns. Structurally compatible with the
 * dataset modules' `BinaryDataset` (`syntheticDataset`, `loadPair`).
 */
export interface TrainingData {
  xTrain: Float32Array | Float64Array;
  yTrain: Labels;
  xTest: Float32Array | Float64Array;
  yTest: Labels;
  d: number;
  nTrain?: number;
  nTest?: number;
  name?: string;
}

/** One layer's activations on the test points: `n × d`, row-major. */
export interface LayerActivations {
  data: Float32Array;
  n: number;
  d: number;
}

/** Where the arithmetic ran. `tfjs-*` names the TensorFlow.js backend that was active. */
export type BackendUsed = 'native' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu';

/** Metrics of one epoch, as Keras reports them. */
export interface EpochLog {
  /** 1-based. */
  epoch: number;
  /** Mean training BCE over the epoch's batches, as seen during the epoch. */
  loss: number;
  accuracy: number;
  /** `null` without validation data. */
  valLoss: number | null;
  valAccuracy: number | null;
}

/** Passed to `onEpoch` after every epoch of every network. */
export interface EpochEvent extends EpochLog {
  /** Index of the network in `seeds`. */
  network: number;
  seed: number;
  epochs: number;
  /** The network's current weights (native backend; a copy, read on demand). */
  weights?: () => NetworkWeights;
}

/**
 * Keras-style early stopping: stop a network when `monitor` has not improved by more than
 * `minDelta` for `patience` epochs; with `restoreBestWeights`, the stopped network gets back the
 * weights of its best epoch (Keras 2 semantics: only when it stops early).
 */
export interface EarlyStoppingOptions {
  monitor?: 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}

export interface TrainOptions {
  /** Named architecture (default `'wide'`); ignored when `widths` is given. */
  architecture?: ArchitectureName;
  /** Number of hidden layers (default 5). */
  depth?: number;
  /** Explicit hidden widths; overrides `architecture` and `depth`. */
  widths?: readonly number[];
  /** Default 50. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** RMSprop learning rate, default 1e-3. */
  learningRate?: number;
  /** RMSprop decay ρ, default 0.9. */
  rho?: number;
  /** RMSprop ε, default 1e-7. */
  epsilon?: number;
  /**
   * Fraction of the training rows held out for validation, default 0.2. As Keras `fit`, the
   * held-out rows are the LAST `n - floor(n·(1 - split))` rows of the training data, taken
   * before any shuffling (so data must not be sorted by class; the dataset modules interleave
   * classes). 0 disables validation. Ignored when `validationData` is given.
   */
  validationSplit?: number;
  /** Explicit validation rows instead of a split. */
  validationData?: { x: Float32Array | Float64Array; y: Labels };
  /** One network per seed (default `[0]`): the seed fixes initialisation and shuffling. */
  seeds?: readonly number[];
  /** `'native'` (default; C++ core) or `'tfjs'` (TensorFlow.js). */
  backend?: 'native' | 'tfjs';
  /**
   * For `backend: 'tfjs'`: which TensorFlow.js backend; `'auto'` (default) tries
   * `@tensorflow/tfjs-node`, then wasm, then the pure-JS cpu backend.
   */
  tfjsBackend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /**
   * Native backend: train with denormals flushed to zero (FTZ/DAZ) on the training threads,
   * default true (docs/method.md §8c). Scoped to the training call: every other computation keeps
   * IEEE subnormals. `false` gives strict IEEE arithmetic, several-fold slower in late epochs.
   */
  flushDenormals?: boolean;
  /** Compute threads for the native backend (0 or absent: the global default). */
  threads?: number;
  /** Starting weights per network (same order as `seeds`; `null` entries are initialised from the seed). */
  initialWeights?: readonly (NetworkWeights | null | undefined)[];
  /** Called after every epoch of every network; returning `false` stops that network. */
  onEpoch?: (event: EpochEvent) => void | boolean | Promise<void | boolean>;
  /** Cancels training (the Promise rejects with `CancelledError`). */
  signal?: AbortSignal;
  earlyStopping?: EarlyStoppingOptions | boolean;
  /**
   * For `backend: 'tfjs'`: train the user's own model (or one built per seed by a factory) instead
   * of the docs/method.md §8 network. Its output must be one sigmoid unit; it is compiled here with the
   * options' RMSprop and BCE.
   */
  tfjsModel?: LayersModel | ((seed: number) => LayersModel | Promise<LayersModel>);
  /** Compute activations of every layer on the test points (default true). */
  activations?: boolean;
}

/** One trained network. */
export interface TrainedNetwork {
  seed: number;
  backend: BackendUsed;
  architecture: ArchitectureInfo;
  weights: NetworkWeights;
  history: EpochLog[];
  /** Epochs actually trained (fewer than asked when stopped early). */
  epochsTrained: number;
  stoppedEarly: boolean;
  /** Epoch whose weights were restored (`restoreBestWeights`), else null. */
  restoredEpoch: number | null;
  testAccuracy: number;
  testLoss: number;
  /**
   * Activations on the test points: the input, each hidden ReLU layer, the sigmoid output
   * (`depth + 2` layers). Empty when `activations: false`.
   */
  activations: LayerActivations[];
  /** Wall time of the training loop for this network's group, per epoch, in ms. */
  msPerEpoch: number;
  /** Rows used for fitting and for validation. */
  nFit: number;
  nValidation: number;
}
