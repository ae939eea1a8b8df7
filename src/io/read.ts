/**
 * Whole-file reads and writes for the array readers: regular files only, bounded, with fs failures
 * turned into an IoError that names the path.
 */
import { constants as fsConstants } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { IoError } from '../core/errors.js';
import { fileKind } from '../core/files.js';

export { fileKind } from '../core/files.js';

/**
 * Read a whole regular file, turning fs failures into an {@link IoError} that names the path.
 * Anything else (a device such as /dev/zero, a FIFO, a socket, a directory; symbolic links are
 * followed first) is refused before a byte is read, so an endless input cannot exhaust memory;
 * at most the size the file had when opened is read, and at most `maxBytes`.
 */
export async function readRegularFile(path: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
  const fail = (what: string, err?: unknown): IoError => {
    const e = new IoError(`cannot read ${path}: ${what}`, 'path');
    if (err !== undefined) e.cause = err;
    return e;
  };
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (regular files ignore the flag).
    fh = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    throw fail((err as Error).message, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fail(`${fileKind(st)}, not a regular file`);
    if (st.size > maxBytes) throw fail(`${st.size} bytes, more than the ${maxBytes} this reader accepts`);
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const { bytesRead } = await fh.read(buf, got, st.size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === st.size ? buf : buf.subarray(0, got);
  } catch (err) {
    if (err instanceof IoError) throw err;
    throw fail((err as Error).message, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Read a whole regular file (see {@link readRegularFile}; also used by src/io/npz.ts). */
export async function readWhole(path: string, maxBytes?: number): Promise<Buffer> {
  return readRegularFile(path, maxBytes);
}

/** Largest delimited-text file read (V8 strings hold at most ~512 MiB; use .npy for larger data). */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

export async function writeWhole(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (err) {
    const e = new IoError(`cannot write ${path}: ${(err as Error).message}`);
    e.cause = err;
    throw e;
  }
}
