/**
 * Published values that `ricciflow reproduce` compares against, each with its source.
 *
 * Follow-up (Hehl, von Renesse, Weber 2025, arXiv 2509.22362): its tables of local Ricci evolution
 * coefficients are the outputs of the notebook `experiments/local_ricci_coefficients.ipynb` of its
 * repository Weber-GeoML/Ricci-Flow_Feature-Geometry (commit 5fce933, "Clean up"); the numbers
 * below are those outputs (pandas `df_results`, printed to 6 decimals), read cell by cell. Its
 * untrained-network figures are the printed outputs of `experiments/untrained_networks.ipynb`.
 * How each notebook ran (datasets, k, curvature, replicates, which layers) is in
 * {@link FOLLOW_UP_LOCAL_SETTINGS} and {@link FOLLOW_UP_UNTRAINED_SETTINGS}; docs/method.md §8b.
 *
 * Seed paper (Baptista et al. 2024, Sci. Rep. 14:23383): only what could be read here. Its
 * per-dataset shares, pooled correlations and Spearman coefficients were not available in any
 * source reachable offline; they are listed as `null` with that reason, never guessed.
 */
import { FOLLOW_UP_RECIPE, WELL_TRAINED_THRESHOLD } from '../core/recipes.js';

/** One cell of the follow-up's local-coefficient tables (Section 4.1 of the paper). */
export interface PublishedLocalCell {
  /** Our dataset name ('fashion-mnist:5v7', 'syn1', …); 'cifar10:0v1' is not loadable by ricciflow. */
  dataset: string;
  /** Uniform hidden width. */
  width: number;
  /** Hidden layers. */
  depth: number;
  /** Mean over replicates of the per-network mean local ρ(x) (NaN points left out: `np.nanmean`). */
  meanLocalRho: number;
  /** Population standard deviation (`np.std`, ddof 0) of the per-network means over replicates. */
  spread: number;
  /** Mean over replicates of the share of points with ρ(x) < 0 (among defined ρ(x)). */
  shareNegative: number;
  /** Notebook file and cell index (0-based, as in the .ipynb JSON). */
  source: string;
}

const LOCAL_NOTEBOOK = 'Weber-GeoML/Ricci-Flow_Feature-Geometry@5fce933 experiments/local_ricci_coefficients.ipynb';

/** Settings of every local-coefficient table (the notebook's code, cells 1–21). */
export const FOLLOW_UP_LOCAL_SETTINGS = {
  /** `num_iterations = 3` (cell 1): networks per (width, depth). */
  replicates: 3,
  widths: FOLLOW_UP_RECIPE.widths,
  depths: FOLLOW_UP_RECIPE.depths,
  /** `Ricci_Coefficients(model, X_test, 50)`: union kNN graph (`kneighbors_graph` then max with its transpose). */
  k: 50,
  mode: 'union',
  /** `local_ricci_coefficient(curv='Augmented-Forman-Ricci')`. */
  curvature: 'augmented',
  /** Scalar curvature = mean over incident edges; every layer from the input to the sigmoid output. */
  node: 'mean',
  layers: 'all',
  /** `train_model(threshold_accuracy=99, …)`: full-batch Adam 1e-3, stop when train accuracy ≥ 99 %, cap 20,000 epochs. */
  stopAtTrainAccuracy: FOLLOW_UP_RECIPE.stopAtTrainAccuracy,
  maxEpochs: FOLLOW_UP_RECIPE.maxEpochs,
  /** Images: `/255`, the pair's whole training split; test = the first 500 test images of each class. */
  testPerClass: 500,
  /** Synthetic: two independent draws of 1,000 points (train and test); Syn-I with noise 0.03. */
  syntheticN: 1000,
  syn1Noise: 0.03,
  source: `${LOCAL_NOTEBOOK}, cells 1, 4–21`,
} as const;

// [dataset, width, depth, mean, std, share<0, cell]
type Row = [string, number, number, number, number, number, number];
const LOCAL_ROWS: Row[] = [
  ['mnist:1v7', 15, 7, -0.840412, 0.011437, 0.989667, 4],
  ['mnist:1v7', 15, 10, -0.728404, 0.224981, 0.877333, 4],
  ['mnist:1v7', 15, 15, -0.843499, 0.028459, 1.0, 4],
  ['mnist:1v7', 25, 7, -0.831477, 0.010711, 0.994667, 4],
  ['mnist:1v7', 25, 10, -0.82555, 0.017649, 0.995333, 4],
  ['mnist:1v7', 25, 15, -0.842603, 0.036717, 0.999667, 4],
  ['mnist:1v7', 50, 7, -0.831773, 0.014149, 0.993667, 4],
  ['mnist:1v7', 50, 10, -0.852872, 0.006314, 0.999333, 4],
  ['mnist:1v7', 50, 15, -0.85646, 0.021603, 1.0, 4],
  ['mnist:6v9', 15, 7, -0.661274, 0.10736, 0.944333, 6],
  ['mnist:6v9', 15, 10, -0.823126, 0.048389, 0.991, 6],
  ['mnist:6v9', 15, 15, -0.866807, 0.013804, 0.999667, 6],
  ['mnist:6v9', 25, 7, -0.808822, 0.025502, 0.987333, 6],
  ['mnist:6v9', 25, 10, -0.868956, 0.015512, 0.999333, 6],
  ['mnist:6v9', 25, 15, -0.863791, 0.030146, 0.999667, 6],
  ['mnist:6v9', 50, 7, -0.338923, 0.295444, 0.682, 6],
  ['mnist:6v9', 50, 10, -0.82359, 0.043247, 0.996667, 6],
  ['mnist:6v9', 50, 15, -0.865847, 0.010487, 1.0, 6],
  ['fashion-mnist:5v7', 15, 7, -0.844779, 0.044355, 0.999333, 8],
  ['fashion-mnist:5v7', 15, 10, -0.83703, 0.060918, 0.998667, 8],
  ['fashion-mnist:5v7', 15, 15, -0.864534, 0.061894, 0.999, 8],
  ['fashion-mnist:5v7', 25, 7, -0.789115, 0.018591, 0.994, 8],
  ['fashion-mnist:5v7', 25, 10, -0.688582, 0.056017, 0.986, 8],
  ['fashion-mnist:5v7', 25, 15, -0.87541, 0.040434, 0.999, 8],
  ['fashion-mnist:5v7', 50, 7, -0.785634, 0.029889, 0.993667, 8],
  ['fashion-mnist:5v7', 50, 10, -0.887916, 0.004542, 1.0, 8],
  ['fashion-mnist:5v7', 50, 15, -0.890486, 0.006285, 1.0, 8],
  ['fashion-mnist:3v6', 15, 7, -0.562753, 0.135438, 0.917333, 10],
  ['fashion-mnist:3v6', 15, 10, -0.614931, 0.058605, 0.979, 10],
  ['fashion-mnist:3v6', 15, 15, -0.680994, 0.149552, 0.981, 10],
  ['fashion-mnist:3v6', 25, 7, -0.446377, 0.07496, 0.881333, 10],
  ['fashion-mnist:3v6', 25, 10, -0.621453, 0.101108, 0.969333, 10],
  ['fashion-mnist:3v6', 25, 15, -0.771804, 0.04035, 0.993667, 10],
  ['fashion-mnist:3v6', 50, 7, -0.583027, 0.155724, 0.915, 10],
  ['fashion-mnist:3v6', 50, 10, -0.82915, 0.014759, 0.999667, 10],
  ['fashion-mnist:3v6', 50, 15, -0.782214, 0.11879, 1.0, 10],
  ['cifar10:0v1', 15, 7, -0.791462, 0.171092, 0.969, 12],
  ['cifar10:0v1', 15, 10, -0.823036, 0.020891, 0.991, 12],
  ['cifar10:0v1', 15, 15, -0.830789, 0.033227, 0.997, 12],
  ['cifar10:0v1', 25, 7, -0.663964, 0.034236, 0.983667, 12],
  ['cifar10:0v1', 25, 10, -0.778582, 0.078071, 0.999, 12],
  ['cifar10:0v1', 25, 15, -0.910721, 0.010761, 1.0, 12],
  ['cifar10:0v1', 50, 7, -0.782599, 0.021881, 0.994333, 12],
  ['cifar10:0v1', 50, 10, -0.82143, 0.027032, 1.0, 12],
  ['cifar10:0v1', 50, 15, -0.911812, 0.013316, 0.999667, 12],
  ['syn1', 15, 7, -0.391865, 0.083885, 0.881667, 15],
  ['syn1', 15, 10, -0.469759, 0.128776, 0.872667, 15],
  ['syn1', 15, 15, -0.621497, 0.02178, 0.966622, 15],
  ['syn1', 25, 7, -0.41241, 0.053412, 0.888333, 15],
  ['syn1', 25, 10, -0.529302, 0.113239, 0.923, 15],
  ['syn1', 25, 15, -0.661815, 0.019411, 0.99, 15],
  ['syn1', 50, 7, -0.369592, 0.044523, 0.816333, 15],
  ['syn1', 50, 10, -0.562578, 0.017473, 0.960667, 15],
  ['syn1', 50, 15, -0.703286, 0.013737, 0.998667, 15],
  ['syn2', 15, 7, -0.380493, 0.077863, 0.847, 17],
  ['syn2', 15, 10, -0.43547, 0.04929, 0.945948, 17],
  ['syn2', 15, 15, -0.486331, 0.023237, 0.955979, 17],
  ['syn2', 25, 7, -0.393478, 0.132076, 0.854, 17],
  ['syn2', 25, 10, -0.447035, 0.014357, 0.957, 17],
  ['syn2', 25, 15, -0.476059, 0.089453, 0.961, 17],
  ['syn2', 50, 7, -0.517199, 0.0431, 0.942333, 17],
  ['syn2', 50, 10, -0.484298, 0.075493, 0.951, 17],
  ['syn2', 50, 15, -0.489953, 0.054878, 0.956, 17],
  ['syn3', 15, 7, -0.596808, 0.072071, 0.968667, 19],
  ['syn3', 15, 10, -0.701079, 0.03354, 0.996, 19],
  ['syn3', 15, 15, -0.786939, 0.032594, 0.999333, 19],
  ['syn3', 25, 7, -0.651162, 0.010114, 0.99, 19],
  ['syn3', 25, 10, -0.772412, 0.019535, 0.999, 19],
  ['syn3', 25, 15, -0.693526, 0.077769, 0.991, 19],
  ['syn3', 50, 7, -0.636288, 0.04063, 0.983667, 19],
  ['syn3', 50, 10, -0.756721, 0.016107, 0.997667, 19],
  ['syn3', 50, 15, -0.792472, 0.029205, 0.999667, 19],
  ['syn4', 15, 7, -0.43806, 0.083105, 0.872, 21],
  ['syn4', 15, 10, -0.335115, 0.13189, 0.814333, 21],
  ['syn4', 15, 15, -0.656805, 0.02693, 0.969403, 21],
  ['syn4', 25, 7, -0.338964, 0.043296, 0.790667, 21],
  ['syn4', 25, 10, -0.40789, 0.107231, 0.862667, 21],
  ['syn4', 25, 15, -0.599177, 0.065129, 0.962333, 21],
  ['syn4', 50, 7, -0.231093, 0.066751, 0.690667, 21],
  ['syn4', 50, 10, -0.364553, 0.039528, 0.812619, 21],
  ['syn4', 50, 15, -0.669284, 0.017191, 0.994333, 21],
];

/** Every published local-coefficient cell (9 datasets × 3 widths × 3 depths). */
export const FOLLOW_UP_LOCAL: readonly PublishedLocalCell[] = LOCAL_ROWS.map(([dataset, width, depth, meanLocalRho, spread, shareNegative, cell]) => ({
  dataset,
  width,
  depth,
  meanLocalRho,
  spread,
  shareNegative,
  source: `${LOCAL_NOTEBOOK}, cell ${cell} output (df_results)`,
}));

/** Datasets of the follow-up's tables that ricciflow can load (CIFAR-10 is not supported). */
export const FOLLOW_UP_LOADABLE = ['fashion-mnist:5v7', 'fashion-mnist:3v6', 'mnist:1v7', 'mnist:6v9', 'syn1', 'syn2', 'syn3', 'syn4'] as const;

/** The published cell, or undefined. */
export function publishedLocalCell(dataset: string, width: number, depth: number): PublishedLocalCell | undefined {
  return FOLLOW_UP_LOCAL.find((c) => c.dataset === dataset && c.width === width && c.depth === depth);
}

/**
 * The comparison band of a published mean: max(0.1, 2 × its spread over replicates)
 * (docs/sweeps.md, `ricciflow reproduce`).
 */
export function comparisonBand(spread: number): number {
  return Math.max(0.1, 2 * spread);
}

// ---------------------------------------------------------------------------------------------
// the follow-up's untrained networks (appendix A.1.1; experiments/untrained_networks.ipynb)

const UNTRAINED_NOTEBOOK = 'Weber-GeoML/Ricci-Flow_Feature-Geometry@5fce933 experiments/untrained_networks.ipynb';

/** How the untrained-network notebook ran (its cells 1–12). */
export const FOLLOW_UP_UNTRAINED_SETTINGS = {
  /** `num_iterations = 10` networks per dataset, each on a fresh draw of the data. */
  networks: 10,
  /** `DNN(depth=10)`: width 25 (the class default), PyTorch default initialisation, no training. */
  width: 25,
  depth: 10,
  k: 50,
  mode: 'union',
  /** Global coefficient: plain Forman, layer totals, every layer (`global_ricci_coefficient`). */
  globalCurvature: 'forman',
  /** Local coefficients: exact Ollivier–Ricci with α = 0 (uniform measure on the neighbours, POT `emd2`). */
  localCurvature: 'ollivier',
  alpha: 0,
  /** 1,000 points per draw; `make_circles()` here uses its default noise 0.05 (not 0.03). */
  n: 1000,
  syn1Noise: 0.05,
  /** A network with a disconnected kNN graph raised an error and was replaced by a new draw. */
  retryOnDisconnected: true,
  source: `${UNTRAINED_NOTEBOOK}, cells 1, 3, 6, 9, 12`,
} as const;

export interface PublishedUntrained {
  dataset: string;
  networks: number;
  /** Networks redrawn because a kNN graph was disconnected (the notebook's printed retries). */
  retries: number;
  global: { negative: number; mean: number; std: number; min: number };
  /** Per-network mean of local ρ(x) (`np.nanmean`), then over networks. */
  local: { negative: number; mean: number; std: number; min: number };
  source: string;
}

export const FOLLOW_UP_UNTRAINED: readonly PublishedUntrained[] = [
  {
    dataset: 'syn1', networks: 10, retries: 2,
    global: { negative: 8, mean: -0.35774719189112475, std: 0.27814937702428927, min: -0.7429780151102865 },
    local: { negative: 6, mean: -0.04739796994826618, std: 0.11176441611857672, min: -0.2658414067195166 },
    source: `${UNTRAINED_NOTEBOOK}, cells 3–4 output`,
  },
  {
    dataset: 'syn2', networks: 10, retries: 1,
    global: { negative: 10, mean: -0.3304364497119036, std: 0.12285220600254387, min: -0.4882577488724521 },
    local: { negative: 5, mean: -0.008277804373767895, std: 0.06692411354935901, min: -0.13123072386602253 },
    source: `${UNTRAINED_NOTEBOOK}, cells 6–7 output`,
  },
  {
    dataset: 'syn3', networks: 10, retries: 0,
    global: { negative: 10, mean: -0.2552701205601976, std: 0.13146407274103641, min: -0.49327977178302285 },
    local: { negative: 4, mean: -0.003643190958795063, std: 0.05676419113913377, min: -0.11178811996007872 },
    source: `${UNTRAINED_NOTEBOOK}, cells 9–10 output`,
  },
  {
    dataset: 'syn4', networks: 10, retries: 0,
    global: { negative: 9, mean: -0.2945825070621094, std: 0.14535426280959082, min: -0.4968407690482719 },
    local: { negative: 8, mean: -0.05638381811716773, std: 0.06660443450678084, min: -0.14335104494990555 },
    source: `${UNTRAINED_NOTEBOOK}, cells 12–13 output`,
  },
];

// ---------------------------------------------------------------------------------------------
// observations the follow-up reports without a table

export interface PublishedObservation {
  id: string;
  statement: string;
  source: string;
}

export const FOLLOW_UP_OBSERVATIONS: readonly PublishedObservation[] = [
  {
    id: 'depth',
    statement:
      'Deeper networks have more negative mean local ρ: in the local tables the depth-15 mean is below the depth-7 mean ' +
      'for most (dataset, width) pairs (counted from the published cells themselves).',
    source: `${LOCAL_NOTEBOOK}, cells 4–21 (derived from the table values)`,
  },
  {
    id: 'untrained',
    statement:
      'Untrained networks: the global Ricci coefficient is mostly negative (8, 10, 10, 9 of 10 on Syn-I…IV) while the ' +
      'mean local coefficient stays near 0 (|mean| < 0.06).',
    source: `${UNTRAINED_NOTEBOOK}, cells 4, 7, 10, 13 output`,
  },
  {
    id: 'k',
    statement:
      'Every notebook of the follow-up uses k = 50; none of its notebook outputs varies k, so no k observation can be ' +
      'compared from its repository. (A k ablation in the paper text, if any, could not be read offline.)',
    source: 'Weber-GeoML/Ricci-Flow_Feature-Geometry@5fce933 experiments/*.ipynb (all calls pass k = 50)',
  },
  {
    id: 'layer',
    statement:
      'Layer Ricci coefficients (Section 4.4) are published as figures only (layer_ricci_coefficient.ipynb has no numeric ' +
      'output); 50 networks per depth, width 25, k = 50, approximate Ollivier (augmented Forman for MNIST 1 vs 7).',
    source: 'Weber-GeoML/Ricci-Flow_Feature-Geometry@5fce933 experiments/layer_ricci_coefficient.ipynb, cells 1–27',
  },
];

// ---------------------------------------------------------------------------------------------
// the seed paper

export interface PublishedSeedValue {
  id: string;
  label: string;
  /** The published number, or null when it could not be found in a source available here. */
  value: number | null;
  source: string;
}

const SEED = 'Baptista et al. 2024, Deep Learning as Ricci Flow, Sci. Rep. 14:23383';

/** The seed paper's analysis settings (its R script fMNIST_kNN_RCoef_eval.r and Methods). */
export const SEED_SETTINGS = {
  k: [30, 120, 300],
  mode: 'directed',
  layers: 'hidden',
  node: 'sum',
  curvature: 'forman',
  /** Its `a = 0.98`: the well-trained threshold, the one constant of src/core/recipes.ts. */
  threshold: WELL_TRAINED_THRESHOLD,
  source: 'anthbapt/Ricci-NN fMNIST_kNN_RCoef_eval.r (k_list, a = 0.98, nng, degree, aa / aa2)',
} as const;

export const SEED_PUBLISHED: readonly PublishedSeedValue[] = [
  { id: 'analysed', label: 'networks analysed', value: 1361, source: `${SEED}, Results (exclusion count; section not re-read offline)` },
  { id: 'excluded-disconnected', label: 'networks excluded for a disconnected kNN graph', value: 134, source: `${SEED}, Results (as above)` },
  {
    id: 'spearman-sign',
    label: 'sign of the association between ρ and accuracy among well-trained networks (stronger Ricci-flow-like ρ ↔ higher accuracy)',
    value: -1,
    source: `${SEED}, Abstract ("the strength of global Ricci network flow-like behaviour correlates with accuracy for well-trained DNNs")`,
  },
  { id: 'spearman', label: `Spearman(ρ, accuracy) among networks above ${WELL_TRAINED_THRESHOLD}`, value: null, source: `${SEED}: value not found in any source available offline` },
  { id: 'share-negative', label: 'share of well-trained networks with ρ < 0, per dataset and k', value: null, source: `${SEED}: values not found in any source available offline` },
  { id: 'aa2', label: "pooled layer-skip correlation aa2 (seed R script)", value: null, source: `${SEED}: value not found in any source available offline` },
];
