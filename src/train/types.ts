import type { Matrix } from '../core/matrix.js';
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

/** One layer's activations on the test points: an `n × d` float32 {@link Matrix}. */
export type LayerActivations = Matrix<Float32Array>;

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
  /** The network's current weights (a copy, read on demand; both backends). */
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
  /**
   * Epochs to train, default 50. With `stopAtTrainAccuracy`, the cap when `maxEpochs` is absent
   * (then it must equal `maxEpochs` if both are given).
   */
  epochs?: number;
  /**
   * Rows per step, default 32 (the seed recipe), or `'full'`: one step per epoch on the whole
   * training set, rows in their given order (the follow-up's recipe, docs/method.md §8b).
   */
  batchSize?: number | 'full';
  /** `'rmsprop'` (default; the seed recipe) or `'adam'` (the follow-up's; torch.optim.Adam's update with bias correction). */
  optimizer?: 'rmsprop' | 'adam';
  /** Learning rate, default 1e-3 (both optimizers). */
  learningRate?: number;
  /** RMSprop decay ρ, default 0.9. */
  rho?: number;
  /** Adam β1, default 0.9. */
  beta1?: number;
  /** Adam β2, default 0.999. */
  beta2?: number;
  /** ε, default 1e-7 for RMSprop (Keras) and 1e-8 for Adam (PyTorch). */
  epsilon?: number;
  /**
   * Stop rule (the follow-up's, docs/method.md §8b): before each step, the training accuracy of the
   * current weights is checked, and a network stops as soon as it is ≥ this value (e.g. 0.99), or
   * after `maxEpochs` epochs. At full batch the check is the step's own forward pass; with
   * mini-batches it is a pass over the training rows before each epoch. Native backend only.
   */
  stopAtTrainAccuracy?: number;
  /** Cap on epochs with `stopAtTrainAccuracy` (default `epochs` if given, else 20,000); only with a stop rule. */
  maxEpochs?: number;
  /**
   * Initial weights: `'glorot'` (default; Glorot-uniform kernels, zero biases, as Keras) or
   * `'pytorch'` (kernels and biases U(±1/√fan_in), as torch.nn.Linear). Native backend for `'pytorch'`.
   */
  init?: 'glorot' | 'pytorch';
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

/** The training settings a network was trained with (resolved defaults included). */
export interface TrainingRecipe {
  /**
   * `'seed'` or `'follow-up'` when optimizer, its constants, batch size, initialisation,
   * validation split and stop rule are that recipe's (docs/method.md §8a, §8b; epoch counts
   * aside), else `'custom'`.
   */
  name: 'seed' | 'follow-up' | 'custom';
  optimizer: 'rmsprop' | 'adam';
  learningRate: number;
  /** RMSprop ρ (null for Adam). */
  rho: number | null;
  /** Adam β1, β2 (null for RMSprop). */
  beta1: number | null;
  beta2: number | null;
  epsilon: number;
  batchSize: number | 'full';
  init: 'glorot' | 'pytorch';
  /** Validation split, or null when `validationData` was given. */
  validationSplit: number | null;
  /** Epochs asked for; with a stop rule, the cap. */
  epochs: number;
  stopAtTrainAccuracy: number | null;
  flushDenormals: boolean;
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
  /**
   * Epochs actually run (= `epochsTrained`): with a stop rule, the number of steps' epochs before
   * the training accuracy reached the threshold (the follow-up's `epochs` counter).
   */
  stoppedEpoch: number;
  /** The settings it was trained with. */
  recipe: TrainingRecipe;
  /**
   * With a stop rule: whether the training accuracy reached it (false: stopped at the cap), and
   * the training accuracy of the returned weights (the rule's last check when it was met, else a
   * pass over the training rows). Null without a stop rule.
   */
  reachedTrainAccuracy: boolean | null;
  finalTrainAccuracy: number | null;
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
