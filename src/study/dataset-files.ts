/**
 * A researcher's own dataset in a sweep file (docs/sweeps.md, "Your own data"):
 *
 *   "files": { "mine": { "train": "x_train.npy", "trainLabels": "y_train.npy",
 *                        "test": "x_test.npy", "testLabels": "y_test.npy" } },
 *   "datasets": ["mine", "A"]
 *
 * or `{ "npz": "mine.npz" }` holding x_train, y_train, x_test, y_test (what `ricciflow data` and
 * np.savez write). Relative paths resolve from the sweep file's directory; the resolved sweep
 * stores absolute paths. Points: .npy/.npz/text as `ricciflow analyze` reads them (N-D arrays
 * flattened per sample); labels: 0/1 (any numeric dtype), one per point.
 */
import { isAbsolute, resolve } from 'node:path';

import { FormatError } from '../core/errors.js';
import { readPoints, type Matrix } from '../io/arrays.js';
import { readNpz } from '../io/npz.js';
import type { BinaryDataset } from '../data/synthetic.js';

/** Where a dataset's four arrays are (absolute paths once resolved). */
export type DatasetFiles = { train: string; trainLabels: string; test: string; testLabels: string } | { npz: string };

const SPLIT_KEYS = ['train', 'trainLabels', 'test', 'testLabels'] as const;

type Fail = (key: string, msg: string) => never;

/** Validates a sweep file's `files` object and resolves its paths against `baseDir`. */
export function resolveDatasetFiles(raw: unknown, baseDir: string, fail: Fail, isBuiltIn: (name: string) => boolean): Record<string, DatasetFiles> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('files', 'must be an object: {"name": {"train": …, "trainLabels": …, "test": …, "testLabels": …} or {"npz": …}}');
  const out: Record<string, DatasetFiles> = {};
  const path = (key: string, v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '') return fail(key, 'must be a file path');
    return isAbsolute(v) ? v : resolve(baseDir, v);
  };
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) fail(`files.${name}`, 'names a dataset: letters, digits, _ . - only');
    if (isBuiltIn(name)) fail(`files.${name}`, 'is a built-in dataset name; choose another name for your data');
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(`files.${name}`, 'must be an object');
    const e = entry as Record<string, unknown>;
    const keys = Object.keys(e);
    if (keys.length === 1 && keys[0] === 'npz') out[name] = { npz: path(`files.${name}.npz`, e.npz) };
    else {
      for (const k of keys)
        if (!(SPLIT_KEYS as readonly string[]).includes(k)) fail(`files.${name}.${k}`, `is not a known key (expected ${SPLIT_KEYS.join(', ')}, or npz alone)`);
      const f = {} as Record<(typeof SPLIT_KEYS)[number], string>;
      for (const k of SPLIT_KEYS) {
        if (e[k] === undefined) fail(`files.${name}.${k}`, 'is required');
        f[k] = path(`files.${name}.${k}`, e[k]);
      }
      out[name] = f;
    }
  }
  return out;
}

function labels(m: Matrix, what: string, n: number): Uint8Array {
  if (m.d !== 1 || m.n !== n) throw new FormatError(`${what}: expected ${n} labels (one per point), got shape (${(m.shape ?? [m.n, m.d]).join(', ')})`);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = m.data[i]!;
    if (v !== 0 && v !== 1) throw new FormatError(`${what}: label ${i} is ${v}; binary labels must be 0 or 1`);
    y[i] = v;
  }
  return y;
}

/** Reads a dataset from its files. @throws IoError, FormatError */
export async function loadDatasetFiles(name: string, files: DatasetFiles): Promise<BinaryDataset> {
  let xTr: Matrix, yTr: Matrix, xTe: Matrix, yTe: Matrix;
  if ('npz' in files) {
    const a = new Map((await readNpz(files.npz)).map((x) => [x.key, x.matrix]));
    const get = (k: string): Matrix => {
      const m = a.get(k);
      if (!m) throw new FormatError(`${files.npz}: no array '${k}' (need x_train, y_train, x_test, y_test)`);
      return m;
    };
    [xTr, yTr, xTe, yTe] = [get('x_train'), get('y_train'), get('x_test'), get('y_test')];
  } else {
    [xTr, yTr, xTe, yTe] = await Promise.all([readPoints(files.train), readPoints(files.trainLabels), readPoints(files.test), readPoints(files.testLabels)]);
  }
  if (xTr.d !== xTe.d) throw new FormatError(`dataset ${name}: training points have ${xTr.d} values each, test points ${xTe.d}`);
  return {
    name,
    xTrain: Float32Array.from(xTr.data),
    yTrain: labels(yTr, `dataset ${name} training labels`, xTr.n),
    xTest: Float32Array.from(xTe.data),
    yTest: labels(yTe, `dataset ${name} test labels`, xTe.n),
    nTrain: xTr.n,
    nTest: xTe.n,
    d: xTr.d,
  };
}
