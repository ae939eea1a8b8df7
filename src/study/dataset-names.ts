/** Dataset names of a study (no loader: importable by readers of results and sweep files). */
import { InvalidArgumentError } from '../core/errors.js';
import { SYNTHETIC_NAMES } from '../data/synthetic.js';

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
