/**
 * NumPy `.npz` archives (np.savez / np.savez_compressed: a ZIP of `.npy` files) and the order of
 * a network's layers when they come from several files or from one archive.
 *
 * Layer order rule ("auto"): when every name has the same skeleton once its digit runs are blanked
 * (`layer0 … layer11`, `arr_0 … arr_11`, `h1.npy … h12.npy`, `blocks.3.out`), the names are sorted
 * in natural order (2 before 10); otherwise the given order is kept (archive key order for an
 * `.npz`, command-line order for files).
 */
import { basename, extname } from 'node:path';

import { FormatError, InvalidArgumentError } from '../core/errors.js';
import { encodeNpy, parseNpy, readPoints, readWhole, writeWhole, type Matrix } from './arrays.js';
import { readZip, writeZip } from './zip.js';

export interface NamedMatrix {
  /** The array's key: the archive entry name without `.npy`. */
  key: string;
  matrix: Matrix;
}

/** The arrays of an in-memory `.npz`, in archive order. @throws FormatError */
export async function parseNpz(buf: Uint8Array, name = '<npz buffer>'): Promise<NamedMatrix[]> {
  const entries = await readZip(buf, name);
  const out: NamedMatrix[] = [];
  for (const e of entries) {
    if (!e.name.toLowerCase().endsWith('.npy')) continue; // np.savez writes only .npy entries
    const key = e.name.slice(0, -4);
    out.push({ key, matrix: parseNpy(e.data, `${name}[${key}]`) });
  }
  if (out.length === 0) throw new FormatError(`${name}: the archive holds no .npy arrays`);
  return out;
}

/** An `.npz` (stored, uncompressed) holding each matrix as `<key>.npy`, in the given order. */
export function encodeNpz(arrays: readonly NamedMatrix[]): Uint8Array {
  const seen = new Set<string>();
  for (const a of arrays) {
    if (!a.key || seen.has(a.key)) throw new InvalidArgumentError(`encodeNpz: keys must be non-empty and unique ('${a.key}')`, 'key');
    seen.add(a.key);
  }
  return writeZip(arrays.map((a) => ({ name: `${a.key}.npy`, data: encodeNpy(a.matrix) })));
}

/** Read an `.npz` file; see {@link parseNpz}. @throws IoError, FormatError */
export async function readNpz(path: string): Promise<NamedMatrix[]> {
  return parseNpz(await readWhole(path), basename(path));
}

/** Write an `.npz` file; see {@link encodeNpz}. @throws IoError, InvalidArgumentError */
export async function writeNpz(path: string, arrays: readonly NamedMatrix[]): Promise<void> {
  await writeWhole(path, encodeNpz(arrays));
}

/** Natural order: digit runs compare as numbers (`layer2` < `layer10`), the rest as text. */
export function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!, y = tb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x), dy = /^\d/.test(y);
    if (dx && dy) {
      const c = Number(x) - Number(y) || x.length - y.length;
      if (c !== 0) return c;
    } else return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/**
 * Indices of `names` in layer order: natural order when all names share one skeleton with at least
 * one number in it, else the given order (see the module comment).
 */
export function layerOrder(names: readonly string[]): number[] {
  const idx = names.map((_, i) => i);
  const skel = names.map((s) => s.replace(/\d+/g, '#'));
  if (names.length > 1 && skel.every((s) => s === skel[0]) && skel[0]!.includes('#'))
    idx.sort((i, j) => naturalCompare(names[i]!, names[j]!));
  return idx;
}

export interface LayerSource {
  /** The file the layer came from. */
  file: string;
  /** The array's key, for a layer read from an `.npz`. */
  key?: string;
  /** The array's shape as stored (N-D arrays are flattened to n × ∏rest). */
  shape: number[];
}

export interface LayerFiles {
  layers: Matrix[];
  sources: LayerSource[];
  /** Whether the layers are in another order than given (natural sort was applied). */
  reordered: boolean;
}

/**
 * A network's layer activations from files: either one `.npz` (every array in it, or the `keys`
 * asked for, in that order) or several `.npy`/text files (one layer each). With `order: 'auto'`
 * (default) numbered names are put in natural order (see the module comment); `'given'` keeps
 * the order as given.
 * @throws InvalidArgumentError (unknown key, unknown extension), IoError, FormatError
 */
export async function readLayerFiles(
  paths: readonly string[],
  options: { keys?: readonly string[]; order?: 'auto' | 'given' } = {},
): Promise<LayerFiles> {
  const order = options.order ?? 'auto';
  const shapeOf = (m: Matrix): number[] => m.shape ?? [m.n, m.d];
  if (paths.length === 1 && extname(paths[0]!).toLowerCase() === '.npz') {
    const file = paths[0]!;
    const arrays = await readNpz(file);
    let chosen: NamedMatrix[];
    let reordered = false;
    if (options.keys) {
      chosen = options.keys.map((k) => {
        const a = arrays.find((x) => x.key === k);
        if (!a) throw new InvalidArgumentError(`${basename(file)}: no array '${k}' (keys: ${arrays.map((x) => x.key).join(', ')})`, 'keys');
        return a;
      });
    } else {
      const idx = order === 'auto' ? layerOrder(arrays.map((a) => a.key)) : arrays.map((_, i) => i);
      reordered = idx.some((v, i) => v !== i);
      chosen = idx.map((i) => arrays[i]!);
    }
    return {
      layers: chosen.map((a) => a.matrix),
      sources: chosen.map((a) => ({ file, key: a.key, shape: shapeOf(a.matrix) })),
      reordered,
    };
  }
  if (options.keys) throw new InvalidArgumentError('keys select arrays of one .npz file', 'keys');
  for (const p of paths)
    if (extname(p).toLowerCase() === '.npz')
      throw new InvalidArgumentError(`${p}: give one .npz holding every layer, or one file per layer (not several .npz)`, 'path');
  const idx = order === 'auto' ? layerOrder(paths.map((p) => basename(p))) : paths.map((_, i) => i);
  const ordered = idx.map((i) => paths[i]!);
  const layers: Matrix[] = [];
  for (const p of ordered) layers.push(await readPoints(p));
  return {
    layers,
    sources: ordered.map((file, i) => ({ file, shape: shapeOf(layers[i]!) })),
    reordered: idx.some((v, i) => v !== i),
  };
}
