/**
 * NumPy `.npy` arrays (format versions 1–3): parsing to a {@link Matrix} (float16/32/64, integer and
 * boolean dtypes; N-D arrays flattened per row) and encoding.
 */
import { FormatError, InvalidArgumentError } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { basename } from 'node:path';
import { readWhole, writeWhole } from './read.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const NPY_ALIGN = 64;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * Parse the Python-literal dict of an NPY header, e.g.
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`.
 * Only the three keys NumPy writes are read; a structured dtype (a list as `descr`) is refused.
 */
function parseNpyHeader(text: string, name: string): NpyHeader {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) {
    throw new FormatError(`${name}: npy header is not a dict literal: ${JSON.stringify(t.slice(0, 80))}`);
  }
  const descrM = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(t);
  if (!descrM) {
    if (/['"]descr['"]\s*:\s*\[/.test(t)) {
      throw new FormatError(`${name}: structured npy dtypes are not supported (need a plain numeric array)`);
    }
    throw new FormatError(`${name}: npy header has no 'descr' entry`);
  }
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(t);
  if (!fortranM) throw new FormatError(`${name}: npy header has no valid 'fortran_order' entry`);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(t);
  if (!shapeM) throw new FormatError(`${name}: npy header has no valid 'shape' entry`);
  const shapeText = shapeM[1]!.trim();
  const shape: number[] = [];
  if (shapeText !== '') {
    for (const part of shapeText.split(',')) {
      const p = part.trim();
      if (p === '') continue; // trailing comma of a 1-tuple: "(5,)"
      if (!/^\d+L?$/.test(p)) throw new FormatError(`${name}: npy shape entry ${JSON.stringify(p)} is not a non-negative integer`);
      const v = Number.parseInt(p, 10);
      if (!Number.isSafeInteger(v)) throw new FormatError(`${name}: npy shape entry ${p} is too large`);
      shape.push(v);
    }
  }
  return { descr: descrM[2]!, fortranOrder: fortranM[1] === 'True', shape };
}

type Kind = 'f' | 'i' | 'u' | 'b';

interface Dtype {
  kind: Kind;
  size: number;
  littleEndian: boolean;
}

function parseDescr(descr: string, name: string): Dtype {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const supported = "'<f2', '<f4', '<f8' (either byte order), integer types ('|u1', '<i2', '<i4', '<i8', …) and '|b1'";
  if (!m) throw new FormatError(`${name}: unsupported npy dtype ${JSON.stringify(descr)} (supported: ${supported})`);
  const order = m[1]!;
  const kind = m[2] as Kind;
  const size = Number(m[3]);
  const ok =
    (kind === 'f' && (size === 2 || size === 4 || size === 8)) ||
    ((kind === 'i' || kind === 'u') && (size === 1 || size === 2 || size === 4 || size === 8)) ||
    (kind === 'b' && size === 1);
  if (!ok) throw new FormatError(`${name}: unsupported npy dtype ${JSON.stringify(descr)} (supported: ${supported})`);
  // '=' is native order of the writer; NumPy never writes it to files, assume little-endian.
  const littleEndian = order !== '>';
  return { kind, size, littleEndian };
}

/**
 * Decode an in-memory `.npy` file (format versions 1.0, 2.0 and 3.0).
 *
 * - `<f4` → `Float32Array`, `<f8` → `Float64Array` (big-endian floats are byte-swapped into a copy);
 *   `<f2` (half precision) is widened exactly to `Float32Array`; integer and boolean dtypes are
 *   converted to `Float64Array` (64-bit integers beyond 2^53 lose precision).
 * - A 1-D array of length `n` is `n×1`; a 2-D array is `n×d`; an N-D array `(n, a, b, …)` is
 *   `n × a·b·…` (each sample flattened in C order) and its `shape` is kept on the result.
 *   0-D arrays (scalars) are refused.
 * - Fortran order is refused.
 * - When the data are properly aligned in `buf`, the returned array is a zero-copy view of `buf`
 *   (it shares memory with it); otherwise the values are copied.
 *
 * @param name shown in error messages (a file name); defaults to `'<npy buffer>'`.
 * @throws FormatError on bad magic, bad header, unsupported dtype or shape, or wrong data length.
 */
export function parseNpy(buf: Uint8Array, name = '<npy buffer>'): Matrix {
  if (buf.length < 10 || NPY_MAGIC.some((b, i) => buf[i] !== b)) {
    throw new FormatError(`${name}: not an npy file (bad magic; expected \\x93NUMPY)`);
  }
  const major = buf[6]!;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new FormatError(`${name}: npy file truncated inside its header`);
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new FormatError(`${name}: unsupported npy format version ${major}.${buf[7]} (supported: 1, 2, 3)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > buf.length) {
    throw new FormatError(`${name}: npy file truncated inside its header (header needs ${headerLen} bytes)`);
  }
  const headerBytes = buf.subarray(headerStart, dataStart);
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const header = parseNpyHeader(headerText, name);
  if (header.fortranOrder) {
    throw new FormatError(`${name}: npy array is in Fortran order; save it in C order (numpy.ascontiguousarray)`);
  }
  let n: number;
  let d: number;
  if (header.shape.length === 1) {
    n = header.shape[0]!;
    d = 1;
  } else if (header.shape.length === 2) {
    n = header.shape[0]!;
    d = header.shape[1]!;
  } else if (header.shape.length > 2) {
    n = header.shape[0]!;
    d = header.shape.slice(1).reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(n * d)) throw new FormatError(`${name}: npy shape (${header.shape.join(', ')}) is too large`);
  } else {
    throw new FormatError(`${name}: npy array is 0-D (a scalar); expected 1-D (n), 2-D (n, d) or N-D (n, …)`);
  }
  const dtype = parseDescr(header.descr, name);
  const count = n * d;
  const nbytes = count * dtype.size;
  const available = buf.length - dataStart;
  if (available < nbytes) {
    throw new FormatError(
      `${name}: npy data truncated: shape (${n}, ${d}) of ${header.descr} needs ${nbytes} bytes, file has ${available}`,
    );
  }
  if (available > nbytes) {
    throw new FormatError(
      `${name}: npy data has ${available - nbytes} trailing bytes after the (${n}, ${d}) array of ${header.descr}`,
    );
  }
  const absOffset = buf.byteOffset + dataStart;
  const data = decodeValues(buf, dv, dataStart, absOffset, count, dtype);
  return header.shape.length === 2 ? { data, n, d } : { data, n, d, shape: header.shape };
}

function decodeValues(
  buf: Uint8Array,
  dv: DataView,
  start: number,
  absOffset: number,
  count: number,
  dt: Dtype,
): Float32Array | Float64Array {
  const native = dt.size === 1 || dt.littleEndian === LITTLE_ENDIAN_HOST;
  if (dt.kind === 'f') {
    const le = dt.littleEndian;
    const aligned = native && absOffset % dt.size === 0;
    if (dt.size === 2) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(start + 2 * i, le));
      return out;
    }
    if (dt.size === 4) {
      if (aligned) return new Float32Array(buf.buffer, absOffset, count); // zero-copy view
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(start + 4 * i, le);
      return out;
    }
    if (aligned) return new Float64Array(buf.buffer, absOffset, count); // zero-copy view
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getFloat64(start + 8 * i, le);
    return out;
  }
  const out = new Float64Array(count);
  const le = dt.littleEndian;
  const signed = dt.kind === 'i';
  switch (dt.size) {
    case 1:
      if (signed) for (let i = 0; i < count; i++) out[i] = dv.getInt8(start + i);
      else for (let i = 0; i < count; i++) out[i] = buf[start + i]!; // u1 and b1
      break;
    case 2:
      if (signed) for (let i = 0; i < count; i++) out[i] = dv.getInt16(start + 2 * i, le);
      else for (let i = 0; i < count; i++) out[i] = dv.getUint16(start + 2 * i, le);
      break;
    case 4:
      if (signed) for (let i = 0; i < count; i++) out[i] = dv.getInt32(start + 4 * i, le);
      else for (let i = 0; i < count; i++) out[i] = dv.getUint32(start + 4 * i, le);
      break;
    default:
      if (signed) for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(start + 8 * i, le));
      else for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(start + 8 * i, le));
  }
  return out;
}

/** IEEE 754 binary16 → number (exact: every half is a float32). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function checkMatrix(m: Matrix, what: string): void {
  if (!(m.data instanceof Float32Array || m.data instanceof Float64Array)) {
    throw new InvalidArgumentError(`${what}: data must be a Float32Array or Float64Array`, 'data');
  }
  if (!Number.isSafeInteger(m.n) || m.n < 0 || !Number.isSafeInteger(m.d) || m.d < 0) {
    throw new InvalidArgumentError(`${what}: n and d must be non-negative integers (got n=${m.n}, d=${m.d})`, 'n');
  }
  if (m.data.length !== m.n * m.d) {
    throw new InvalidArgumentError(
      `${what}: data has ${m.data.length} values, expected n*d = ${m.n}*${m.d} = ${m.n * m.d}`,
      'data',
    );
  }
}

/**
 * Encode a matrix as an NPY 1.0 file (`<f4` or `<f8` after the data's type, C order, shape
 * `(n, d)`), header padded so the data start on a 64-byte boundary.
 */
export function encodeNpy(m: Matrix): Uint8Array {
  checkMatrix(m, 'encodeNpy');
  const f32 = m.data instanceof Float32Array;
  const size = f32 ? 4 : 8;
  let dict = `{'descr': '<f${size}', 'fortran_order': False, 'shape': (${m.n}, ${m.d}), }`;
  // 10-byte preamble + dict + spaces + '\n' must be a multiple of 64.
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((NPY_ALIGN - (unpadded % NPY_ALIGN)) % NPY_ALIGN) + '\n';
  const headerLen = dict.length;
  const out = new Uint8Array(10 + headerLen + m.data.length * size);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, headerLen, true);
  for (let i = 0; i < headerLen; i++) out[10 + i] = dict.charCodeAt(i);
  const start = 10 + headerLen;
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), start);
  } else if (f32) {
    for (let i = 0; i < m.data.length; i++) dv.setFloat32(start + 4 * i, m.data[i]!, true);
  } else {
    for (let i = 0; i < m.data.length; i++) dv.setFloat64(start + 8 * i, m.data[i]!, true);
  }
  return out;
}

/** Typed arrays {@link encodeNpyArray} writes, and their NPY dtypes. */
export type NpyTypedArray = Float32Array | Float64Array | Uint8Array | Int32Array;

/**
 * Encode any array of an NPY-supported typed array with an explicit C-order shape (`<f4`, `<f8`,
 * `|u1`, `<i4`): e.g. labels as a 1-D `uint8` array `(n,)`. The header is padded to 64 bytes.
 */
export function encodeNpyArray(data: NpyTypedArray, shape: readonly number[]): Uint8Array {
  const descr =
    data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : data instanceof Uint8Array ? '|u1' : data instanceof Int32Array ? '<i4' : null;
  if (descr === null) throw new InvalidArgumentError('encodeNpyArray: data must be a Float32Array, Float64Array, Uint8Array or Int32Array', 'data');
  if (shape.some((v) => !Number.isSafeInteger(v) || v < 0) || shape.reduce((a, b) => a * b, 1) !== data.length)
    throw new InvalidArgumentError(`encodeNpyArray: shape (${shape.join(', ')}) does not hold ${data.length} values`, 'shape');
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((NPY_ALIGN - (unpadded % NPY_ALIGN)) % NPY_ALIGN) + '\n';
  const out = new Uint8Array(10 + dict.length + data.byteLength);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  const start = 10 + dict.length;
  if (LITTLE_ENDIAN_HOST || data instanceof Uint8Array) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start);
  else
    for (let i = 0; i < data.length; i++) {
      if (data instanceof Float32Array) dv.setFloat32(start + 4 * i, data[i]!, true);
      else if (data instanceof Float64Array) dv.setFloat64(start + 8 * i, data[i]!, true);
      else dv.setInt32(start + 4 * i, data[i]!, true);
    }
  return out;
}

/** Read a `.npy` file; see {@link parseNpy}. @throws IoError, FormatError */
export async function readNpy(path: string): Promise<Matrix> {
  const buf = await readWhole(path);
  return parseNpy(buf, basename(path));
}

/** Write a matrix to a `.npy` file; see {@link encodeNpy}. @throws IoError, InvalidArgumentError */
export async function writeNpy(path: string, m: Matrix): Promise<void> {
  await writeWhole(path, encodeNpy(m));
}

// ---------------------------------------------------------------------------------------------
// CSV
