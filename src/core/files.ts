/**
 * Output files and directories, safely: directories created one level at a time (a failure is
 * an IoError at once, never a retry loop, which `mkdir -p` under /proc would spin in forever), and
 * results written atomically (temporary file + rename) over regular files only. A special file
 * at the output path is never replaced: character devices and FIFOs (`/dev/stdout`, `/dev/null`,
 * a named pipe) are written through, a symbolic link is followed and its target written, and
 * block devices, sockets and directories are refused.
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { codeOf, IoError, NODE_CODES } from './errors.js';

/** What a non-regular file is, for error messages. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFile()) return 'a regular file';
  return 'not a regular file';
}

function ioError(message: string, arg: string, cause?: unknown): IoError {
  const e = new IoError(message, arg);
  if (cause !== undefined) e.cause = cause;
  return e;
}

/**
 * Makes sure `dir` is a directory, creating it and any missing parents one level at a time.
 * @throws IoError naming the path and the reason (a parent that is not a directory, a file
 * system that refuses to create entries such as /proc, permissions).
 */
export async function ensureDir(dir: string, arg = 'out'): Promise<void> {
  const target = resolve(dir);
  const missing: string[] = [];
  let p = target;
  for (;;) {
    try {
      const st = await stat(p);
      if (!st.isDirectory()) throw ioError(`cannot create directory ${dir}: ${p} is ${fileKind(st)}, not a directory`, arg);
      break;
    } catch (err) {
      if (err instanceof IoError) throw err;
      const code = codeOf(err);
      // ENOTDIR: some ancestor is not a directory; walking up finds and names it.
      if (code !== NODE_CODES.notFound && code !== NODE_CODES.notDirectory) throw ioError(`cannot create directory ${dir}: ${(err as Error).message}`, arg, err);
      const parent = dirname(p);
      if (parent === p) throw ioError(`cannot create directory ${dir}: no existing parent`, arg, err);
      missing.push(p);
      p = parent;
    }
  }
  for (const m of missing.reverse()) {
    try {
      await mkdir(m);
    } catch (err) {
      if (codeOf(err) === NODE_CODES.exists) {
        const st = await stat(m).catch(() => null);
        if (st?.isDirectory()) continue;
      }
      throw ioError(`cannot create directory ${m}: ${(err as Error).message}`, arg, err);
    }
  }
}

/** How `writeFileAtomic` will write `path`: where, and whether through (no rename). */
async function outputTarget(path: string, arg: string): Promise<{ path: string; through: boolean }> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if (codeOf(err) === NODE_CODES.notFound) return { path, through: false };
    throw ioError(`cannot write ${path}: ${(err as Error).message}`, arg, err);
  }
  if (st.isSymbolicLink()) {
    let real: string;
    try {
      real = await realpath(path);
    } catch (err) {
      throw ioError(`cannot write ${path}: it is a symbolic link whose target cannot be resolved (${(err as Error).message})`, arg, err);
    }
    const t = await outputTarget(real, arg);
    return t;
  }
  if (st.isFile()) return { path, through: false };
  if (st.isCharacterDevice() || st.isFIFO()) return { path, through: true };
  throw ioError(`cannot write ${path}: it is ${fileKind(st)}; refusing to replace it`, arg);
}

/**
 * Writes `content` to `path`: to a temporary file beside it, flushed, then renamed over it, so
 * readers see the old or the new file, never a part. Parent directories are created
 * ({@link ensureDir}). Special files are never replaced (see the module comment).
 * @throws IoError naming the path.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, arg = 'out'): Promise<void> {
  await ensureDir(dirname(path), arg);
  const target = await outputTarget(path, arg);
  if (target.through) {
    try {
      // No O_CREAT and no rename: the device or pipe stays what it is.
      const fh = await open(target.path, fsConstants.O_WRONLY);
      try {
        await fh.writeFile(content);
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw ioError(`cannot write ${path}: ${(err as Error).message}`, arg, err);
    }
    return;
  }
  const tmp = join(dirname(target.path), `.${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target.path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError(`cannot write ${path}: ${(err as Error).message}`, arg, err);
  }
}
