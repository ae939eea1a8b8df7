/**
 * IDX files (the MNIST / Fashion-MNIST container), raw or gzip-compressed.
 *
 * Layout: two zero bytes, a type byte, the number of dimensions `k`, then `k` big-endian uint32
 * sizes, then the values in row-major order. Only type 0x08 (unsigned byte) is accepted: it is
 * the only type the MNIST-style datasets use. Gzip is recognised by its magic bytes `1f 8b`,
 * whatever the file is called.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { FormatError, IoError } from '../core/errors.js';

const gunzipAsync = promisify(gunzip);

/** A decoded IDX array: `dims` (e.g. `[10000, 28, 28]`) and the bytes, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const IDX_UBYTE = 0x08;

/** True when `buf` starts with the gzip magic bytes 1f 8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

function gunzipError(name: string, err: unknown): FormatError {
  const e = new FormatError(`${name}: corrupt or truncated gzip data (${(err as Error).message})`);
  e.cause = err;
  return e;
}

/** Decode already-decompressed IDX bytes. `data` is a view into `raw` (no copy). */
function decodeIdx(raw: Uint8Array, name: string): IdxArray {
  if (raw.length < 4) throw new FormatError(`${name}: too short for an IDX header (${raw.length} bytes)`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new FormatError(`${name}: not an IDX file (first two bytes must be zero)`);
  }
  if (raw[2] !== IDX_UBYTE) {
    throw new FormatError(
      `${name}: unsupported IDX data type 0x${raw[2]!.toString(16).padStart(2, '0')} (only 0x08, unsigned byte)`,
    );
  }
  const k = raw[3]!;
  if (k === 0) throw new FormatError(`${name}: IDX header declares 0 dimensions`);
  const headerLen = 4 + 4 * k;
  if (raw.length < headerLen) throw new FormatError(`${name}: IDX header truncated (${k} dimensions declared)`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < k; i++) {
    const v = dv.getUint32(4 + 4 * i, false);
    dims.push(v);
    count *= v;
  }
  const expected = headerLen + count;
  if (raw.length < expected) {
    throw new FormatError(
      `${name}: IDX data truncated: dims [${dims.join(', ')}] need ${expected} bytes, got ${raw.length}`,
    );
  }
  if (raw.length > expected) {
    throw new FormatError(
      `${name}: IDX file has ${raw.length - expected} bytes beyond dims [${dims.join(', ')}]`,
    );
  }
  return { dims, data: raw.subarray(headerLen) };
}

/**
 * Parse an IDX file held in memory; gzip-compressed input is decompressed first.
 * @param name shown in error messages; defaults to `'<idx buffer>'`.
 * @throws FormatError on corrupt gzip, bad magic, a type other than 0x08, or a length that does
 *   not match the declared dimensions exactly.
 */
export function parseIdx(buf: Uint8Array, name = '<idx buffer>'): IdxArray {
  let raw: Uint8Array = buf;
  if (isGzip(buf)) {
    try {
      raw = gunzipSync(buf);
    } catch (err) {
      throw gunzipError(name, err);
    }
  }
  return decodeIdx(raw, name);
}

/**
 * Read an IDX file (`.gz` or raw; decided by content, not name). Decompression runs off the
 * main thread. `name` (default: the file's base name) is used in error messages.
 * @throws IoError when the file cannot be read; FormatError as {@link parseIdx}.
 */
export async function readIdx(path: string, name = basename(path)): Promise<IdxArray> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const e = new IoError(`cannot read ${path}: ${(err as Error).message}`);
    e.cause = err;
    throw e;
  }
  let raw: Uint8Array = buf;
  if (isGzip(buf)) {
    try {
      raw = await gunzipAsync(buf);
    } catch (err) {
      throw gunzipError(name, err);
    }
  }
  return decodeIdx(raw, name);
}
