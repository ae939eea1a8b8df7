/** Dataset names of a study → data (synthetic generators or image pairs), cached per process. */
import { loadPair } from '../data/mnist.js';
import { syntheticDataset, type BinaryDataset } from '../data/synthetic.js';
import { checkDatasetName, parseImagePair } from './dataset-names.js';
import type { NetworkConfig } from './types.js';
import { loadDatasetFiles } from './dataset-files.js';

const cache = new Map<string, Promise<BinaryDataset>>();

// Dataset names (pure: no loader), kept importable from here.
export { checkDatasetName, parseImagePair } from './dataset-names.js';

export function loadStudyDataset(config: NetworkConfig, opts: { dataDir?: string } = {}): Promise<BinaryDataset> {
  const key = JSON.stringify([config.dataset, config.data, opts.dataDir ?? null]);
  let p = cache.get(key);
  if (!p) {
    p = load(config, opts);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function load(config: NetworkConfig, opts: { dataDir?: string }): Promise<BinaryDataset> {
  if (config.data.files) return loadDatasetFiles(config.dataset, config.data.files); // a sweep's own data
  checkDatasetName(config.dataset);
  const image = parseImagePair(config.dataset);
  if (image) {
    return loadPair({
      dataset: image.dataset,
      classes: image.classes,
      scale: config.data.scale ?? 'raw',
      seed: config.data.dataSeed,
      ...(config.data.balanced !== undefined ? { balanced: config.data.balanced } : {}),
      ...(opts.dataDir !== undefined ? { dir: opts.dataDir } : {}),
    });
  }
  const o: { nTrain?: number; nTest?: number; noise?: number; seed: number } = { seed: config.data.dataSeed };
  if (config.data.nTrain !== undefined) o.nTrain = config.data.nTrain;
  if (config.data.nTest !== undefined) o.nTest = config.data.nTest;
  if (config.data.noise !== undefined) o.noise = config.data.noise;
  return syntheticDataset(config.dataset, o);
}
