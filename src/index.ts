/**
 * ricciflow — deep learning as discrete Ricci flow. Public API.
 *
 * @module ricciflow
 */
export * from './core/errors.js';
export * from './analysis/geometry.js';
export { readPoints, readNpy, writeNpy, readCsv, parseNpy, encodeNpy, parseCsv, halfToFloat, MAX_CSV_BYTES } from './io/arrays.js';
export type { Matrix } from './core/matrix.js';
export { readNpz, writeNpz, parseNpz, encodeNpz, readLayerFiles, naturalCompare, layerOrder, type NamedMatrix, type LayerFiles, type LayerSource } from './io/npz.js';
export * from './analysis/pipeline.js';
export * as stats from './analysis/stats.js';
export {
  trainNetworks,
  forward,
  hiddenWidths,
  describeArchitecture,
  ARCHITECTURE_NAMES,
  SEED_RECIPE,
  loadLayersModel,
  saveLayersModel,
  tfjsActivations,
  type TrainOptions,
  type TrainedNetwork,
  type TrainingRecipe,
  type TrainingData,
  type LayerActivations,
  type NetworkWeights,
  type ArchitectureName,
  type EpochEvent,
} from './train/index.js';
export { syntheticDataset, SYNTHETIC_NAMES, DATASET_DOCS, DEFAULT_NOISE, DEFAULT_SIZES, type BinaryDataset, type SyntheticName } from './data/synthetic.js';
export { loadPair, PAIRS, IMAGE_RECIPES, SHA256, type LoadPairOptions, type ImagePair } from './data/mnist.js';
export { readIdx, parseIdx } from './data/idx.js';
export { createRng, Rng } from './data/rng.js';
export { runCell, configId } from './study/network.js';
export { FOLLOW_UP_RECIPE, WELL_TRAINED_THRESHOLD } from './core/recipes.js';
export { readRecords, RecordWriter } from './study/store.js';
export { recordsToCsv } from './study/summary.js';
export type { NetworkConfig, NetworkRecord } from './study/types.js';
export type { DatasetFiles } from './study/dataset-files.js';
export { networksTable, layersTable, pointsTable, tableToCsv, tableToArrow, type Table, type Cell } from './export/index.js';
export { weightsToNpz, writeNetworkWeights, readNetworkWeights } from './train/weights.js';
// Types that appear in the signatures above (test/package/public-types.test.ts checks that none is missing).
export type { AnalysisSettings, CoefficientRecord, KRecord, ProjectedPoints, ProjectionRecord } from './study/types.js';
export type { CellOptions } from './study/network.js';
export type { ReadResult } from './study/store.js';
export type { ArchitectureInfo } from './train/architecture.js';
export type { TrajectoryPoint } from './train/trajectory.js';
export type { BackendUsed, EarlyStoppingOptions, EpochLog, Labels } from './train/types.js';
export type { ForwardOptions } from './train/index.js';
export type { LayersModel, TfjsBackendPreference } from './train/tfjs-backend.js';
export type { IdxArray } from './data/idx.js';
export type { ImageDatasetName, ImageRecipe, ImageSource, MnistSourceOption, PairSpec } from './data/mnist.js';
export type { SyntheticOptions } from './data/synthetic.js';
export type { RawGraph, RawGeodesics } from './core/native.js';
