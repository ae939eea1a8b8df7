/** Small helpers shared by the CLI verbs: atomic writes, JSON with nulls, progress lines. */

/** Atomic writes that never replace special files; see src/core/files.ts. */
export { writeFileAtomic, ensureDir } from '../core/files.js';

/** A long verb's graceful stop: the first SIGINT or SIGTERM aborts `signal` and says how to continue. */
export interface SignalStop {
  readonly signal: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM, null when no signal came. */
  exitCode(): 130 | 143 | null;
  /** Removes the handlers (call it when the work has ended). */
  dispose(): void;
}

export function stopOnSignals(verb: string): SignalStop {
  const abort = new AbortController();
  let received: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (received) return;
    received = sig;
    process.stderr.write(`\nricciflow ${verb}: ${sig}: stopping; finished networks are saved, re-run the same command to continue\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    exitCode: () => (received === null ? null : received === 'SIGINT' ? 130 : 143),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
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

type NumericArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** A typed array of numbers (not BigInt, not a DataView). */
function isNumericArray(v: unknown): v is NumericArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** A number as JSON writes it (NaN and ±Infinity are null; so is anything that is not a number). */
function numText(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? String(x) : 'null';
}

/**
 * The elements of a numeric typed array as JSON numbers joined by `sep`, by the engine's own
 * `join` (no per-element JavaScript): it writes every number as JSON does (`-0` as `0`) except
 * NaN, Infinity and -Infinity, the only texts with an `N` or `I` in them, which become null.
 * `sep` must hold neither letter.
 */
function joined(a: NumericArray, sep: string): string {
  const s = (a as unknown as Float64Array).join(sep);
  return s.includes('N') || s.includes('I') ? s.replace(/-?Infinity|NaN/g, 'null') : s;
}

/**
 * Numbers written by one `join` at most: every piece of text stays far below V8's longest string
 * (2^29 − 24 characters), so results of any size can be written.
 */
const PIECE_NUMBERS = 1 << 18;

/** Appends `[[…], […], …]`: `data` as rows of `width` numbers, in pieces of at most PIECE_NUMBERS. */
function writeRows(out: string[], data: ArrayLike<number>, width: number): void {
  if (!(width >= 1) || data.length % width !== 0) throw new RangeError('JsonRows: length must be a multiple of width');
  const rows = data.length / width;
  if (rows === 0) {
    out.push('[]');
    return;
  }
  const perPiece = Math.max(1, Math.floor(PIECE_NUMBERS / width));
  let pieces = 0;
  const piece = (text: string): void => {
    if (pieces++ > 0) out.push('],[');
    out.push(text);
  };
  out.push('[[');
  if (!isNumericArray(data)) {
    for (let r0 = 0; r0 < rows; r0 += perPiece) {
      const r1 = Math.min(rows, r0 + perPiece);
      const texts = new Array<string>(r1 - r0);
      for (let r = r0; r < r1; r++) {
        const row = new Array<string>(width);
        for (let c = 0; c < width; c++) row[c] = numText(data[r * width + c]);
        texts[r - r0] = row.join(',');
      }
      piece(texts.join('],['));
    }
  } else if (width === 1) {
    for (let r0 = 0; r0 < rows; r0 += perPiece) piece(joined(data.subarray(r0, Math.min(rows, r0 + perPiece)), '],['));
  } else if (width === 2) {
    // Pairs such as edges and arcs come in runs of one first element: a run [x, y1], [x, y2], …
    // is the second column's run joined by "],[x,", so one join writes a whole run.
    const second = new Float64Array(rows);
    for (let r = 0; r < rows; r++) second[r] = data[2 * r + 1]!;
    let runs: string[] = [];
    let inPiece = 0;
    for (let r = 0; r < rows; ) {
      const x = data[2 * r]!;
      let end = r + 1;
      while (end < rows && end - r < perPiece && data[2 * end] === x) end++;
      const head = numText(x) + ',';
      runs.push(head + joined(second.subarray(r, end), '],[' + head));
      inPiece += end - r;
      r = end;
      if (inPiece >= perPiece) {
        piece(runs.join('],['));
        runs = [];
        inPiece = 0;
      }
    }
    if (runs.length > 0) piece(runs.join('],['));
  } else {
    for (let r0 = 0; r0 < rows; r0 += perPiece) {
      const r1 = Math.min(rows, r0 + perPiece);
      const texts = new Array<string>(r1 - r0);
      for (let r = r0; r < r1; r++) texts[r - r0] = joined(data.subarray(r * width, (r + 1) * width), ',');
      piece(texts.join('],['));
    }
  }
  out.push(']]');
}

/** Appends the JSON text of `v` to `out` (a value JSON.stringify would skip appends nothing). */
function writeJson(out: string[], v: unknown): void {
  if (typeof v === 'number') {
    out.push(numText(v));
    return;
  }
  if (v instanceof JsonRows) {
    writeRows(out, v.data, v.width);
    return;
  }
  if (isNumericArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i += PIECE_NUMBERS) {
      if (i > 0) out.push(',');
      out.push(joined(v.subarray(i, Math.min(v.length, i + PIECE_NUMBERS)), ','));
    }
    out.push(']');
    return;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    // BigInt arrays: toJsonValue makes every element null.
    const a = v as unknown as ArrayLike<unknown>;
    out.push(`[${Array.from(a, () => 'null').join(',')}]`);
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') out.push('null');
      else writeJson(out, x);
    });
    out.push(']');
    return;
  }
  if (v && typeof v === 'object') {
    out.push('{');
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(k), ':');
      writeJson(out, x);
    }
    out.push('}');
    return;
  }
  const t = JSON.stringify(v);
  if (t !== undefined) out.push(t);
}

/**
 * `JSON.stringify(toJsonValue(v))`, written straight from typed arrays (and {@link JsonRows}):
 * numbers are printed by the engine's typed-array `join`, a whole array or row at a time, so no
 * array of boxed numbers or of small row arrays is built and no JavaScript loop runs per number
 * (a kNN graph at n = 2000, k = 30 has ~50,000 edges and 60,000 neighbour entries; a short-lived
 * process would spend most of its time in such a loop before it is optimised). Same text as
 * JSON.stringify.
 */
export function jsonText(v: unknown): string {
  const out: string[] = [];
  writeJson(out, v);
  return out.join('');
}

/**
 * {@link jsonText} as UTF-8 bytes, with a final newline when `newline`: the pieces are encoded one
 * by one into one buffer, never joined into one string, so a result may be longer than a string.
 */
export function jsonBytes(v: unknown, newline = false): Uint8Array {
  const out: string[] = [];
  writeJson(out, v);
  if (newline) out.push('\n');
  let total = 0;
  for (const p of out) total += Buffer.byteLength(p, 'utf8');
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of out) at += buf.write(p, at, 'utf8');
  return buf;
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

import { formatSeconds } from '../core/format.js';
export { formatSeconds, table, fmt } from '../core/format.js';
