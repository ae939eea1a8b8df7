/**
 * A minimal ZIP container reader and writer, enough for NumPy's `.npz` files (np.savez writes
 * stored entries, np.savez_compressed deflated ones, both with Zip64 local headers).
 *
 * Reading: the central directory is authoritative (sizes, offsets, Zip64 extras); entries are
 * stored (method 0) or deflated (method 8, inflated with node:zlib off the main thread), and
 * their CRC-32 is checked. Encrypted entries, multi-disk archives and other methods are refused.
 * Writing: stored entries only (no compression), Zip64 where an entry or offset needs it.
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

import { FormatError } from '../core/errors.js';

// node:zlib is loaded on first use: a verb that reads only .npy or text files never needs it.
const require = createRequire(import.meta.url);
let zlibModule: typeof import('node:zlib') | null = null;
function zlib(): typeof import('node:zlib') {
  return (zlibModule ??= require('node:zlib') as typeof import('node:zlib'));
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;

let crcTable: Uint32Array | null = null;
/** CRC-32 (IEEE), zlib's when this Node has it. */
export function crc32(data: Uint8Array): number {
  const native = (zlib() as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(data) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u64(dv: DataView, at: number, name: string): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`${name}: zip64 value out of range`);
  return Number(v);
}

/**
 * The entries of a ZIP archive, in central-directory order (the order they were written).
 * @param name shown in error messages.
 * @throws FormatError when `buf` is not a readable ZIP archive or an entry is corrupt.
 */
export async function readZip(buf: Uint8Array, name = '<zip>'): Promise<ZipEntry[]> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 22) throw new FormatError(`${name}: not a zip/npz archive (too short)`);
  // End of central directory: the last 22 bytes plus an optional comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(`${name}: not a zip/npz archive (no end-of-central-directory record)`);
  if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0)
    throw new FormatError(`${name}: multi-disk zip archives are not supported`);
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_EOCD64_LOCATOR)
      throw new FormatError(`${name}: zip64 archive without its end-of-central-directory locator`);
    const e64 = u64(dv, loc + 8, name);
    if (e64 + 56 > buf.length || dv.getUint32(e64, true) !== SIG_EOCD64)
      throw new FormatError(`${name}: zip64 end-of-central-directory record not found`);
    count = u64(dv, e64 + 32, name);
    cdSize = u64(dv, e64 + 40, name);
    cdOffset = u64(dv, e64 + 48, name);
  }
  if (cdOffset + cdSize > buf.length) throw new FormatError(`${name}: zip central directory lies outside the file (truncated?)`);
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > buf.length || dv.getUint32(p, true) !== SIG_CENTRAL)
      throw new FormatError(`${name}: zip central directory entry ${e + 1} is corrupt`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let csize = dv.getUint32(p + 20, true);
    let usize = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let local = dv.getUint32(p + 42, true);
    const entryName = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(buf.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extra field (id 1): the 8-byte values of the fields that are 0xFFFFFFFF, in order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = dv.getUint16(x, true);
      const len = dv.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        if (usize === U32_MAX) (usize = u64(dv, q, name)), (q += 8);
        if (csize === U32_MAX) (csize = u64(dv, q, name)), (q += 8);
        if (local === U32_MAX) local = u64(dv, q, name);
      }
      x += 4 + len;
    }
    p = xEnd + commentLen;
    if (flags & 1) throw new FormatError(`${name}: entry '${entryName}' is encrypted`);
    if (entryName.endsWith('/')) continue; // a directory
    if (local + 30 > buf.length || dv.getUint32(local, true) !== SIG_LOCAL)
      throw new FormatError(`${name}: entry '${entryName}': local header not found (truncated archive?)`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + csize > buf.length) throw new FormatError(`${name}: entry '${entryName}' is truncated`);
    const raw = buf.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = await promisify(zlib().inflateRaw)(raw);
      } catch (err) {
        throw new FormatError(`${name}: entry '${entryName}': cannot inflate: ${(err as Error).message}`);
      }
    } else throw new FormatError(`${name}: entry '${entryName}' uses compression method ${method} (supported: stored, deflate)`);
    if (data.length !== usize) throw new FormatError(`${name}: entry '${entryName}' has ${data.length} bytes, its header says ${usize}`);
    if (crc32(data) !== crc) throw new FormatError(`${name}: entry '${entryName}' fails its CRC-32 check (corrupt archive)`);
    entries.push({ name: entryName, data });
  }
  return entries;
}

/** A ZIP archive of stored (uncompressed) entries, with Zip64 records where sizes need them. */
export function writeZip(entries: readonly ZipEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const nameBytes = enc.encode(e.name);
    const crc = crc32(e.data);
    const size = e.data.length;
    const big = size >= U32_MAX || offset >= U32_MAX;
    // Local header, with a Zip64 extra holding both sizes when they do not fit.
    const lx = size >= U32_MAX ? 20 : 0;
    const lh = new Uint8Array(30 + nameBytes.length + lx);
    const l = new DataView(lh.buffer);
    l.setUint32(0, SIG_LOCAL, true);
    l.setUint16(4, big ? 45 : 20, true);
    l.setUint16(6, 0x800, true); // UTF-8 names
    l.setUint16(8, 0, true); // stored
    l.setUint32(14, crc, true);
    l.setUint32(18, size >= U32_MAX ? U32_MAX : size, true);
    l.setUint32(22, size >= U32_MAX ? U32_MAX : size, true);
    l.setUint16(26, nameBytes.length, true);
    l.setUint16(28, lx, true);
    lh.set(nameBytes, 30);
    if (lx) {
      l.setUint16(30 + nameBytes.length, 1, true);
      l.setUint16(32 + nameBytes.length, 16, true);
      l.setBigUint64(34 + nameBytes.length, BigInt(size), true);
      l.setBigUint64(42 + nameBytes.length, BigInt(size), true);
    }
    const cvals: bigint[] = [];
    if (size >= U32_MAX) cvals.push(BigInt(size), BigInt(size));
    if (offset >= U32_MAX) cvals.push(BigInt(offset));
    const cx = cvals.length ? 4 + 8 * cvals.length : 0;
    const ch = new Uint8Array(46 + nameBytes.length + cx);
    const c = new DataView(ch.buffer);
    c.setUint32(0, SIG_CENTRAL, true);
    c.setUint16(4, big ? 45 : 20, true);
    c.setUint16(6, big ? 45 : 20, true);
    c.setUint16(8, 0x800, true);
    c.setUint16(10, 0, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, size >= U32_MAX ? U32_MAX : size, true);
    c.setUint32(24, size >= U32_MAX ? U32_MAX : size, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint16(30, cx, true);
    c.setUint32(42, offset >= U32_MAX ? U32_MAX : offset, true);
    ch.set(nameBytes, 46);
    if (cx) {
      c.setUint16(46 + nameBytes.length, 1, true);
      c.setUint16(48 + nameBytes.length, 8 * cvals.length, true);
      cvals.forEach((v, i) => c.setBigUint64(50 + nameBytes.length + 8 * i, v, true));
    }
    parts.push(lh, e.data);
    central.push(ch);
    offset += lh.length + size;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((s, b) => s + b.length, 0);
  const tail: Uint8Array[] = [];
  const zip64 = entries.length >= 0xffff || cdOffset + cdSize >= U32_MAX;
  if (zip64) {
    const r = new Uint8Array(56 + 20);
    const v = new DataView(r.buffer);
    v.setUint32(0, SIG_EOCD64, true);
    v.setBigUint64(4, 44n, true);
    v.setUint16(12, 45, true);
    v.setUint16(14, 45, true);
    v.setBigUint64(24, BigInt(entries.length), true);
    v.setBigUint64(32, BigInt(entries.length), true);
    v.setBigUint64(40, BigInt(cdSize), true);
    v.setBigUint64(48, BigInt(cdOffset), true);
    v.setUint32(56, SIG_EOCD64_LOCATOR, true);
    v.setBigUint64(64, BigInt(cdOffset + cdSize), true);
    v.setUint32(72, 1, true);
    tail.push(r);
  }
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, SIG_EOCD, true);
  ev.setUint16(8, zip64 ? 0xffff : entries.length, true);
  ev.setUint16(10, zip64 ? 0xffff : entries.length, true);
  ev.setUint32(12, zip64 ? U32_MAX : cdSize, true);
  ev.setUint32(16, zip64 ? U32_MAX : cdOffset, true);
  tail.push(eocd);
  const all = [...parts, ...central, ...tail];
  const out = new Uint8Array(all.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of all) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
