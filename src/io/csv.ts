/** Delimited text (comma, tab or whitespace; `#` comment lines) read into a {@link Matrix}. */
import { basename } from 'node:path';
import { FormatError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { MAX_CSV_BYTES, readWhole } from './read.js';

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_RE = /^([+-]?)(nan|inf|infinity)$/i;

/** Parse one cell as a number; `undefined` when it is not one. NaN/Inf spellings are accepted. */
function parseCell(raw: string): number | undefined {
  let s = raw.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).trim();
  if (NUMBER_RE.test(s)) return Number(s);
  const m = SPECIAL_RE.exec(s);
  if (m) {
    if (m[2]!.toLowerCase() === 'nan') return Number.NaN;
    return m[1] === '-' ? -Infinity : Infinity;
  }
  return undefined;
}

/**
 * Parse delimited numeric text (CSV, TSV, or `np.savetxt`'s space-separated output) into a
 * `Float64Array` matrix.
 *
 * - The delimiter is read off the first non-comment line: a comma if it holds one, else a tab if it
 *   holds one, else runs of whitespace (leading and trailing blanks ignored).
 * - `#` starts a comment that runs to the end of the line (`np.savetxt`'s header/footer, `#`-prefixed
 *   notes); lines that are blank once comments are removed are ignored.
 * - `\r\n` line ends and a UTF-8 BOM are accepted.
 * - The first line is a header and is skipped when none of its cells is a number.
 * - Every row must have the same number of cells, and every cell must be a number
 *   (`nan`, `inf`, `-inf` are accepted and loaded as such; the engine rejects them later).
 *
 * @throws FormatError naming the line and what is wrong.
 */
export function parseCsv(text: string, name = '<csv text>'): Matrix {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  let d = -1;
  let n = 0;
  let first = true;
  let split: ((line: string) => string[]) | null = null;
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li]!;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    if (line.trim() === '') continue;
    if (split === null) {
      if (line.includes(',')) split = (l) => l.split(',');
      else if (line.includes('\t')) split = (l) => l.split('\t');
      else split = (l) => l.trim().split(/\s+/);
    }
    const cells = split(line);
    const parsed = cells.map(parseCell);
    if (first) {
      first = false;
      if (parsed.every((v) => v === undefined)) {
        d = cells.length; // header row: names the columns, fixes their count
        continue;
      }
    }
    if (d === -1) d = cells.length;
    if (cells.length !== d) {
      throw new FormatError(`${name}: line ${li + 1} has ${cells.length} columns, expected ${d}`);
    }
    for (let j = 0; j < parsed.length; j++) {
      const v = parsed[j];
      if (v === undefined) {
        throw new FormatError(
          `${name}: line ${li + 1}, column ${j + 1}: ${JSON.stringify(cells[j]!.trim())} is not a number`,
        );
      }
      values.push(v);
    }
    n++;
  }
  if (n === 0) throw new FormatError(`${name}: no data rows`);
  return { data: Float64Array.from(values), n, d };
}

/**
 * Read a delimited text file (comma, tab or whitespace; a regular file of at most
 * {@link MAX_CSV_BYTES}); see {@link parseCsv}. @throws IoError, FormatError
 */
export async function readCsv(path: string): Promise<Matrix> {
  const buf = await readWhole(path, MAX_CSV_BYTES);
  return parseCsv(buf.toString('utf8'), basename(path));
}
