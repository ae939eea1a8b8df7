/**
 * Trained weights as `.npz` files (`--save-weights`): `W0, b0, W1, b1, …` per dense layer, `W_l`
 * of shape (fan_in, fan_out) so that layer l+1 = relu(layer l @ W_l + b_l) (the last layer:
 * sigmoid), float32, and `sizes` (int32: input, hidden…, output widths). In PyTorch,
 * `nn.Linear.weight` is `W_l.T` and `bias` is `b_l`.
 */
import { join } from 'node:path';

import { FormatError } from '../core/errors.js';
import { encodeNpyArray } from '../io/arrays.js';
import { readNpz } from '../io/npz.js';
import { splitWeights, type NetworkWeights } from '../train/architecture.js';
import { writeZip } from '../io/zip.js';
import { writeFileAtomic } from '../core/files.js';

/** An `.npz` of a network's weights (see the module comment). */
export function weightsToNpz(w: NetworkWeights): Uint8Array {
  const entries = [{ name: 'sizes.npy', data: encodeNpyArray(Int32Array.from(w.sizes), [w.sizes.length]) }];
  splitWeights(w).forEach((L, l) => {
    entries.push({ name: `W${l}.npy`, data: encodeNpyArray(Float32Array.from(L.kernel), [L.inputs, L.units]) });
    entries.push({ name: `b${l}.npy`, data: encodeNpyArray(Float32Array.from(L.bias), [L.units]) });
  });
  return writeZip(entries);
}

/** Writes `<dir>/<id>.npz` atomically; returns its path. */
export async function writeNetworkWeights(dir: string, id: string, w: NetworkWeights): Promise<string> {
  const path = join(dir, `${id}.npz`);
  await writeFileAtomic(path, weightsToNpz(w));
  return path;
}

/**
 * Reads weights written by {@link writeNetworkWeights} (or any `.npz` with `sizes`, `W0`, `b0`, …
 * as described above), ready for `forward(weights, x)`.
 * @throws IoError, FormatError
 */
export async function readNetworkWeights(path: string): Promise<NetworkWeights> {
  const arrays = new Map((await readNpz(path)).map((a) => [a.key, a.matrix]));
  const sizesM = arrays.get('sizes');
  if (!sizesM) throw new FormatError(`${path}: no 'sizes' array (not a ricciflow weights file)`);
  const sizes = Array.from(sizesM.data);
  const parts: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const W = arrays.get(`W${l}`), b = arrays.get(`b${l}`);
    if (!W || !b || W.n !== sizes[l] || W.d !== sizes[l + 1] || b.n !== sizes[l + 1])
      throw new FormatError(`${path}: W${l}/b${l} missing or not of shape (${sizes[l]}, ${sizes[l + 1]}) / (${sizes[l + 1]},)`);
    parts.push(Float32Array.from(W.data), Float32Array.from(b.data));
  }
  const data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  const w = { sizes, data };
  splitWeights(w); // checks the layout
  return w;
}
