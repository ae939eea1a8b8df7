/** Dataset names of a study → data (synthetic generators or image pairs), cached per process. */
import { InvalidArgumentError } from '../core/errors.js';
import { loadPair } from '../data/mnist.js';
import { SYNTHETIC_NAMES, syntheticDataset, type BinaryDataset } from '../data/synthetic.js';
import type { NetworkConfig } from './types.js';
import { loadDatasetFiles } from './dataset-files.js';

const cache = new Map<string, Promise<BinaryDataset>>();

/** 'fashion-mnist:5v9' → { dataset, classes } or null for non-image names. */
export function parseImagePair(name: string): { dataset: 'fashion-mnist' | 'mnist'; classes: [number, number] } | null {
  const m = /^(fashion-mnist|fmnist|mnist):(\d)v(\d)$/.exec(name);
  if (!m) return null;
  const dataset = m[1] === 'mnist' ? 'mnist' : 'fashion-mnist';
  return { dataset, classes: [Number(m[2]), Number(m[3])] };
}

export function checkDatasetName(name: string): void {
  const pair = parseImagePair(name);
  if (pair && pair.classes[0] === pair.classes[1])
    throw new InvalidArgumentError(`dataset: '${name}' pairs class ${pair.classes[0]} with itself; name two different classes, e.g. ${name.split(':')[0]}:5v9`, 'dataset');
  if ((SYNTHETIC_NAMES as readonly string[]).includes(name) || pair) return;
  throw new InvalidArgumentError(
    `dataset: unknown dataset '${name}' (synthetic: ${SYNTHETIC_NAMES.join(', ')}; images: fashion-mnist:AvB or mnist:AvB, e.g. fashion-mnist:5v9)`,
    'dataset',
  );
}

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
