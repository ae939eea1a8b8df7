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

/** A growable byte buffer that JSON is written into (ASCII digits written directly, no strings). */
class JsonBytes {
  buf = new Uint8Array(1 << 16);
  len = 0;

  private room(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(2 * this.buf.length, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Any string, as UTF-8. */
  text(s: string): void {
    this.room(s.length);
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        ascii = false;
        break;
      }
      this.buf[this.len + i] = c;
    }
    if (ascii) {
      this.len += s.length;
      return;
    }
    const b = Buffer.from(s, 'utf8');
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }

  /** A number as JSON writes it: safe integers digit by digit, others through String(x). */
  num(x: number): void {
    if (!Number.isFinite(x)) return this.text('null');
    if (!Number.isSafeInteger(x)) return this.text(String(x));
    this.room(17);
    const b = this.buf;
    if (x < 0) {
      b[this.len++] = 45; // '-'
      x = -x;
    }
    if (x === 0) {
      b[this.len++] = 48; // also -0, which JSON writes as 0
      return;
    }
    const start = this.len;
    while (x > 0) {
      const q = Math.floor(x / 10);
      b[this.len++] = 48 + (x - 10 * q);
      x = q;
    }
    for (let i = start, j = this.len - 1; i < j; i++, j--) {
      const t = b[i]!;
      b[i] = b[j]!;
      b[j] = t;
    }
  }

  /** `a[from..to)` comma-separated, without brackets. */
  list(a: ArrayLike<number>, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (i > from) this.byte(44);
      this.num(a[i]!);
    }
  }
}

function writeJson(out: JsonBytes, v: unknown): void {
  if (typeof v === 'number') return out.num(v);
  if (v instanceof JsonRows) {
    const { data, width } = v;
    if (!(width >= 1) || data.length % width !== 0) throw new RangeError('JsonRows: length must be a multiple of width');
    out.byte(91);
    for (let r = 0, rows = data.length / width; r < rows; r++) {
      if (r > 0) out.byte(44);
      out.byte(91);
      out.list(data, r * width, (r + 1) * width);
      out.byte(93);
    }
    return out.byte(93);
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as unknown as ArrayLike<number>;
    out.byte(91);
    out.list(a, 0, a.length);
    return out.byte(93);
  }
  if (Array.isArray(v)) {
    out.byte(91);
    v.forEach((x, i) => {
      if (i > 0) out.byte(44);
      if (x === undefined || typeof x === 'function') out.text('null');
      else writeJson(out, x);
    });
    return out.byte(93);
  }
  if (v && typeof v === 'object') {
    out.byte(123);
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      if (!first) out.byte(44);
      first = false;
      out.text(JSON.stringify(k));
      out.byte(58);
      writeJson(out, x);
    }
    return out.byte(125);
  }
  const t = JSON.stringify(v);
  if (t !== undefined) out.text(t);
}

/**
 * `JSON.stringify(toJsonValue(v))` as UTF-8 bytes, written straight from typed arrays (and
 * {@link JsonRows}) with integers printed digit by digit: no array of boxed numbers, of small row
 * arrays or of number strings is built, so large results (a kNN graph has ~50,000 edges at
 * n = 2000) are written without a garbage-collection storm. Same text as JSON.stringify.
 */
export function jsonBytes(v: unknown, newline = false): Uint8Array {
  const out = new JsonBytes();
  writeJson(out, v);
  if (newline) out.byte(10);
  return out.buf.subarray(0, out.len);
}

/** {@link jsonBytes} as a string. */
export function jsonText(v: unknown): string {
  return Buffer.from(jsonBytes(v)).toString('utf8');
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
