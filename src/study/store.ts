/**
 * `networks.jsonl`: one JSON record per line. Appends are one write of a whole line followed by
 * fsync, so a process killed at any moment (SIGKILL included) leaves at most one torn last line;
 * readers detect it, warn and ignore it, and the next writer truncates it before appending.
 */
import { open, readFile, truncate, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { FormatError, IoError } from '../errors.js';
import type { NetworkRecord } from './types.js';

export interface ReadResult {
  records: NetworkRecord[];
  /** Byte length of the intact prefix (everything up to the last complete line). */
  intactBytes: number;
  /** Whether a torn (incomplete or unparsable) last line was found. */
  torn: boolean;
}

export async function readRecords(path: string, warn: (msg: string) => void = (m) => process.stderr.write(m + '\n')): Promise<ReadResult> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], intactBytes: 0, torn: false };
    throw new IoError(`cannot read ${path}: ${(err as Error).message}`, 'path');
  }
  const records: NetworkRecord[] = [];
  let pos = 0;
  let torn = false;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      torn = true;
      warn(`warning: ${path}: ignoring a torn last record (${buf.length - pos} bytes without a newline; the run was interrupted)`);
      break;
    }
    const line = buf.subarray(pos, nl).toString('utf8').trim();
    if (line) {
      try {
        records.push(JSON.parse(line) as NetworkRecord);
      } catch {
        if (nl === buf.length - 1) {
          torn = true;
          warn(`warning: ${path}: ignoring an unparsable last record`);
          break;
        }
        throw new FormatError(`${path}: line ${records.length + 1} is not valid JSON (not a torn tail: later lines follow)`, 'path');
      }
    }
    pos = nl + 1;
  }
  return { records, intactBytes: pos, torn };
}

/** Appends records to a JSONL file (creating it), repairing a torn tail first. */
export class RecordWriter {
  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<{ writer: RecordWriter; existing: NetworkRecord[] }> {
    await mkdir(dirname(path), { recursive: true });
    const r = await readRecords(path);
    if (r.torn) await truncate(path, r.intactBytes);
    return { writer: new RecordWriter(path), existing: r.records };
  }

  async append(record: NetworkRecord): Promise<void> {
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    const fh = await open(this.path, 'a');
    try {
      await fh.write(line, 0, line.length);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
