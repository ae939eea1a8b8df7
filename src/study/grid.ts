/** A study's grid: options → network configs in a fixed order, and cells trained together. */
import type { LayerSelection } from '../analysis/pipeline.js';
import type { GraphMode } from '../analysis/geometry.js';
import { checkDatasetName } from './dataset-names.js';
import { cellKey, widthsFor } from './config-id.js';
import type { NetworkConfig } from './types.js';

export interface GridOptions {
  datasets: string[];
  architectures: string[];
  depths: number[];
  seeds: number[];
  epochs: number;
  batchSize: number | 'full';
  learningRate: number;
  validationSplit: number;
  backend: 'native' | 'tfjs';
  k: number[];
  curvatures: NetworkConfig['analysis']['curvatures'];
  mode: GraphMode;
  layers: LayerSelection;
  alpha: number;
  nTrain?: number;
  nTest?: number;
  dataSeed: number;
  /** Dataset names defined by a sweep's `files` (not checked against the built-in names). */
  userDatasets?: readonly string[];
}

/** Expands the grid into configs, in a fixed order (dataset, architecture, depth, seed). */
export function gridConfigs(o: GridOptions): NetworkConfig[] {
  const out: NetworkConfig[] = [];
  for (const dataset of o.datasets) {
    if (!o.userDatasets?.includes(dataset)) checkDatasetName(dataset);
    for (const architecture of o.architectures)
      for (const depth of o.depths)
        for (const seed of o.seeds) {
          const data: NetworkConfig['data'] = { dataSeed: o.dataSeed };
          if (o.nTrain !== undefined) data.nTrain = o.nTrain;
          if (o.nTest !== undefined) data.nTest = o.nTest;
          out.push({
            dataset,
            data,
            architecture,
            depth,
            widths: widthsFor(architecture, depth),
            seed,
            training: { epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, validationSplit: o.validationSplit, backend: o.backend },
            analysis: { k: o.k, curvatures: o.curvatures, mode: o.mode, layers: o.layers, node: 'mean', alpha: o.alpha },
          });
        }
  }
  return out;
}

/** Groups configs into cells trained together (same everything but the seed), order kept. */
export function cells(configs: NetworkConfig[]): NetworkConfig[][] {
  const m = new Map<string, NetworkConfig[]>();
  for (const c of configs) {
    const key = cellKey(c);
    const list = m.get(key);
    if (list) list.push(c);
    else m.set(key, [c]);
  }
  return [...m.values()];
}

