/** Small helpers shared by the CLI verbs: atomic writes, JSON with nulls, progress lines. */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { IoError } from '../errors.js';

/** Writes a file atomically (temp file, fsync, rename): readers never see a half-written file. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true }).catch(() => undefined);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new IoError(`cannot write ${path}: ${(err as Error).message}`, 'out');
  }
}

/** TypedArrays to plain arrays, NaN/±Infinity to null (JSON has no NaN). */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
  }
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJsonValue(x);
    return o;
  }
  return v;
}

/** A row-major matrix written to JSON as an array of rows (`[[a, b], [c, d], …]`) by {@link jsonText}. */
export class JsonRows {
  constructor(
    readonly data: ArrayLike<number>,
    readonly width: number,
  ) {}
}

function numberText(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/** The elements of a numeric array as JSON text, comma-separated, without brackets. */
function joined(a: ArrayLike<number>): string {
  // TypedArray.prototype.join prints each element as String(x), which is JSON's text for every
  // finite number; integer arrays are always finite, float arrays are checked first.
  if (a instanceof Int32Array || a instanceof Uint32Array || a instanceof Int16Array || a instanceof Uint16Array || a instanceof Int8Array || a instanceof Uint8Array)
    return a.join(',');
  let finite = true;
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i]!)) {
      finite = false;
      break;
    }
  if (finite && (a instanceof Float64Array || a instanceof Float32Array)) return a.join(',');
  const parts: string[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) parts[i] = numberText(a[i]!);
  return parts.join(',');
}

/** `[[row 0], [row 1], …]` from the flat text of a row-major matrix: cut at every width-th comma. */
function rowsText(flat: string, count: number, width: number): string {
  if (count === 0) return '[]';
  const rows: string[] = new Array(count);
  let start = 0, pos = -1;
  for (let r = 0; r < count; r++) {
    if (r === count - 1) {
      rows[r] = flat.slice(start);
      break;
    }
    for (let c = 0; c < width; c++) pos = flat.indexOf(',', pos + 1);
    rows[r] = flat.slice(start, pos);
    start = pos + 1;
  }
  return `[[${rows.join('],[')}]]`;
}

/**
 * `JSON.stringify(toJsonValue(v))`, written straight from typed arrays (and {@link JsonRows}):
 * no array of boxed numbers or of small row arrays is built first, so large results (a kNN graph
 * has ~50,000 edges at n = 2000) are written without a garbage-collection storm. Same text.
 */
export function jsonText(v: unknown): string {
  if (typeof v === 'number') return numberText(v);
  if (v instanceof JsonRows) {
    const { data, width } = v;
    if (!(width >= 1) || data.length % width !== 0) throw new RangeError('JsonRows: length must be a multiple of width');
    return rowsText(joined(data), data.length / width, width);
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `[${joined(v as unknown as ArrayLike<number>)}]`;
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : jsonText(x))).join(',')}]`;
  if (v && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') parts.push(`${JSON.stringify(k)}:${jsonText(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}

let quiet = false;
/** `--quiet`: progress bars and notices on stderr are suppressed (errors still print). */
export function setQuiet(q: boolean): void {
  quiet = q;
}
export function isQuiet(): boolean {
  return quiet;
}

/** A one-line progress bar on stderr (only when stderr is a terminal, else sparse lines; nothing under --quiet). */
export class ProgressBar {
  private last = 0;
  private readonly start = Date.now();
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, note = ''): void {
    if (quiet) return;
    const now = Date.now();
    const final = done >= this.total;
    if (!final && now - this.last < (this.stream.isTTY ? 100 : 5000)) return;
    this.last = now;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const elapsed = (now - this.start) / 1000;
    const eta = frac > 0 && !final ? ` eta ${formatSeconds((elapsed * (1 - frac)) / frac)}` : '';
    const line = `${this.label} [${bar}] ${done}/${this.total} ${formatSeconds(elapsed)}${eta}${note ? ' ' + note : ''}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(line + '\n');
    }
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s - 60 * m).toString().padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, '0')}m`;
}

/** A plain fixed-width table. */
export function table(header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? '—' : String(c))))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)));
  return cells
    .map((r, i) => {
      const line = r.map((c, j) => c.padStart(widths[j]!)).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

export function fmt(v: number | null | undefined, digits = 3): string | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v.toFixed(digits);
}
