/**
 * The two papers' training recipes and the seed paper's well-trained threshold: the one place
 * their defaults live (docs/method.md §8a, §8b, §6).
 */

/** The seed paper's recipe (docs/method.md §8a; its Keras code): the defaults of `trainNetworks`. */
export const SEED_RECIPE = {
  name: 'seed',
  architecture: 'wide',
  depth: 5,
  epochs: 50,
  optimizer: 'rmsprop',
  batchSize: 32,
  learningRate: 1e-3,
  rho: 0.9,
  epsilon: 1e-7,
  validationSplit: 0.2,
  init: 'glorot',
} as const;

/**
 * The follow-up's recipe (docs/method.md §8b; its `helpers.train_model` and `DNN`): uniform-width
 * networks, PyTorch's default initialisation, BCE with logits, Adam(1e-3, β 0.9 / 0.999, ε 1e-8)
 * at full batch (one step per epoch on the whole training set, no validation split), stopping as
 * soon as the training accuracy, checked before each step, is ≥ 99 %, or after 20,000 epochs.
 */
export const FOLLOW_UP_RECIPE = {
  name: 'follow-up',
  widths: [15, 25, 50],
  depths: [7, 10, 15],
  optimizer: 'adam',
  batchSize: 'full',
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  validationSplit: 0,
  init: 'pytorch',
  stopAtTrainAccuracy: 0.99,
  maxEpochs: 20000,
} as const;

/** The seed paper's "well-trained" networks: test accuracy strictly above this (docs/method.md §6). */
export const WELL_TRAINED_THRESHOLD = 0.98;

/**
 * Test points in a training trajectory's probe (ours, from neither paper): `runCell` probes the
 * first (at most) this many test rows, `trainWithGeometry` at most this many validation rows.
 */
export const TRAJECTORY_PROBE_SIZE = 500;
