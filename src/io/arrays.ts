/**
 * Point I/O: NumPy `.npy` files and comma-separated text, as used by the CLI.
 *
 * A point set is a {@link Matrix}: `n` rows of `d` values, row-major (C order).
 *
 * NaN and ±Inf load without complaint here (both formats can hold them); the graph engine
 * rejects non-finite coordinates when points are handed to it, so the error surfaces there
 * with the row that holds them.
 */
import { extname } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { readCsv } from './csv.js';
import { readNpy } from './npy.js';

export type { Matrix } from '../core/matrix.js';
export * from './read.js';
export * from './npy.js';
export * from './csv.js';

/** Extensions read as delimited text. */
export const TEXT_EXTENSIONS = ['.csv', '.tsv', '.txt', '.dat'];

/**
 * Read points from a `.npy` or delimited text file (`.csv`, `.tsv`, `.txt`, `.dat`), chosen by
 * the (case-insensitive) extension. (`.npz` archives: see src/io/npz.ts.)
 * @throws InvalidArgumentError for another extension; IoError, FormatError as the readers.
 */
export async function readPoints(path: string): Promise<Matrix> {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return readNpy(path);
  if (TEXT_EXTENSIONS.includes(ext)) return readCsv(path);
  throw new InvalidArgumentError(
    `cannot tell the format of ${path}: expected .npy, .npz or delimited text (${TEXT_EXTENSIONS.join(', ')}) (got ${ext === '' ? 'no extension' : ext})`,
    'path',
  );
}
