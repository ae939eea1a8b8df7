/**
 * `networks.jsonl`: one JSON record per line. Appends are one write of a whole line followed by
 * fsync, so a process killed at any moment (SIGKILL included) leaves at most one torn last line;
 * readers detect it, warn and ignore it, and the next writer truncates it before appending. An
 * append that fails (a full disk: ENOSPC, EDQUOT, EIO) is cut back to the file's previous length
 * before the error is reported, so a record is written whole or not at all. Lines that are valid
 * JSON but not network records (e.g. `{}` from a hand edit) are skipped and counted, with a warning.
 */
import { open, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

import { codeOf, FormatError, IoError, NODE_CODES } from '../core/errors.js';
import { ensureDir } from '../core/files.js';
import { isJsonObject } from '../core/json.js';
import { readRegularFile } from '../io/arrays.js';
import type { NetworkRecord } from './types.js';

export interface ReadResult {
  records: NetworkRecord[];
  /** Byte length of the intact prefix (everything up to the last complete line). */
  intactBytes: number;
  /** Whether a torn (incomplete or unparsable) last line was found. */
  torn: boolean;
  /** Lines that are valid JSON but not network records (skipped). */
  foreign: number;
}

/** Whether a parsed line has the shape of a {@link NetworkRecord} (the fields readers rely on). */
export function isNetworkRecord(x: unknown): x is NetworkRecord {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const r = x as Record<string, unknown>;
  const config = r.config as Record<string, unknown> | null | undefined;
  return (
    typeof r.id === 'string' &&
    r.id !== '' &&
    (r.status === 'ok' || r.status === 'failed') &&
    config !== null &&
    typeof config === 'object' &&
    !Array.isArray(config) &&
    typeof config.dataset === 'string' &&
    Array.isArray(r.byK)
  );
}

/**
 * Brings a record written by an older version to the current field names, in place: a k entry's
 * per-layer edge counts were stored as `edges` and are now `edgeCount` (`edges` names a graph's
 * pair array elsewhere). Returns the record.
 */
export function upgradeRecord(r: NetworkRecord): NetworkRecord {
  for (const K of r.byK as unknown[]) {
    if (isJsonObject(K) && !('edgeCount' in K) && Array.isArray(K.edges)) {
      K.edgeCount = K.edges;
      delete K.edges;
    }
  }
  return r;
}

export async function readRecords(path: string, warn: (msg: string) => void = (m) => process.stderr.write(m + '\n')): Promise<ReadResult> {
  let buf: Buffer;
  try {
    buf = await readRegularFile(path);
  } catch (err) {
    if (codeOf((err as Error).cause) === NODE_CODES.notFound) return { records: [], intactBytes: 0, torn: false, foreign: 0 };
    throw err;
  }
  const records: NetworkRecord[] = [];
  let pos = 0;
  let torn = false;
  let foreign = 0;
  let lineNo = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      torn = true;
      warn(`warning: ${path}: ignoring a torn last record (${buf.length - pos} bytes without a newline; the run was interrupted)`);
      break;
    }
    const line = buf.subarray(pos, nl).toString('utf8').trim();
    lineNo++;
    if (line) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        if (nl === buf.length - 1) {
          torn = true;
          warn(`warning: ${path}: ignoring an unparsable last record`);
          break;
        }
        throw new FormatError(`${path}: line ${lineNo} is not valid JSON (not a torn tail: later lines follow)`, 'path');
      }
      if (isNetworkRecord(parsed)) records.push(upgradeRecord(parsed));
      else foreign++;
    }
    pos = nl + 1;
  }
  if (foreign > 0)
    warn(`warning: ${path}: skipping ${foreign} line${foreign === 1 ? '' : 's'} that ${foreign === 1 ? 'is' : 'are'} valid JSON but not a network record`);
  return { records, intactBytes: pos, torn, foreign };
}

/**
 * Test seam: when set, `append` writes only `partialBytes` of the line and then fails with
 * `error`, as a full disk does. Not part of the API.
 */
export const appendFault: { next: { partialBytes: number; error: NodeJS.ErrnoException } | null } = { next: null };

/** Appends records to a JSONL file (creating it), repairing a torn tail first. */
export class RecordWriter {
  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<{ writer: RecordWriter; existing: NetworkRecord[] }> {
    await ensureDir(dirname(path));
    const r = await readRecords(path);
    if (r.torn) await truncate(path, r.intactBytes);
    return { writer: new RecordWriter(path), existing: r.records };
  }

  /** Appends one record, whole or not at all. @throws IoError (the file is left as it was). */
  async append(record: NetworkRecord): Promise<void> {
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    let fh;
    try {
      fh = await open(this.path, 'a');
    } catch (err) {
      throw new IoError(`cannot append to ${this.path}: ${(err as Error).message}`, 'out');
    }
    let before = -1;
    try {
      before = (await fh.stat()).size;
      let off = 0;
      while (off < line.length) {
        const fault = appendFault.next;
        if (fault) {
          appendFault.next = null;
          await fh.write(line, 0, Math.min(fault.partialBytes, line.length));
          throw fault.error;
        }
        const { bytesWritten } = await fh.write(line, off, line.length - off);
        off += bytesWritten;
      }
      await fh.sync();
    } catch (err) {
      // Cut the partial line off again, so the file never holds half a record.
      let restored = before < 0;
      if (before >= 0) restored = await fh.truncate(before).then(() => fh!.sync()).then(() => true, () => false);
      const code = codeOf(err);
      const why = code === NODE_CODES.noSpace || code === NODE_CODES.quotaExceeded ? 'the disk is full' : (err as Error).message;
      const e = new IoError(
        `cannot append a record to ${this.path}: ${why}${code ? ` (${code})` : ''}; ` +
          (restored ? 'the file was left as it was before this record' : `and it could not be cut back to ${before} bytes`),
        'out',
      );
      e.cause = err;
      throw e;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
}
