// Results directories and output files under faults (issue 13 items 5, 7–12, and the lock
// heartbeat): the sweep lock, merge, --out under /proc or on special files, foreign lines in
// networks.jsonl, a full disk.
import { execFile, execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { InvalidArgumentError, IoError } from '../../src/core/errors.js';
import { ensureDir, writeFileAtomic } from '../../src/core/files.js';
import { configId } from '../../src/study/network.js';
import { acquireDirLock, STALE_MS } from '../../src/study/lock.js';
import { appendFault, readRecords, RecordWriter } from '../../src/study/store.js';
import { exportCsv, MAX_GRID_NETWORKS, mergeSweepDirs, readResultsDir, resolveSweep, runSweep, sweepConfigs } from '../../src/study/sweep.js';
import type { NetworkRecord } from '../../src/study/types.js';

const root = resolve(__dirname, '../..');
const cli = join(root, 'bin', 'ricciflow.js');

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'rf-files-'));
}

function run(args: string[], timeout = 60_000): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, timeout, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string }) | null;
      res({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** Two tiny sweeps (4 networks each, seconds to run) that differ in their seeds. */
const tiny = (name: string, seeds: number[]) =>
  resolveSweep({
    name,
    datasets: ['B'],
    architectures: ['narrow'],
    depths: [2],
    seeds,
    k: [5],
    curvatures: ['forman'],
    training: { epochs: 2 },
    data: { nTrain: 200, nTest: 40 },
  });
const quiet = (): void => undefined;

let base = ''; // a finished tiny sweep, copied by tests that need records
beforeAll(async () => {
  base = join(scratch(), 'base');
  const r = await runSweep({ spec: tiny('base', [0, 1]), outDir: base, warn: quiet });
  expect(r.computed).toBe(2);
});

async function copyBase(): Promise<string> {
  const dir = join(scratch(), 'copy');
  await cp(base, dir, { recursive: true });
  return dir;
}

describe('the sweep lock (items 7, 8; heartbeat)', () => {
  it('two different sweeps started at once on one new directory: one runs, the other is refused; sweep.json matches the records', async () => {
    for (let trial = 0; trial < 4; trial++) {
      const dir = join(scratch(), 'race');
      const a = tiny('first', [0, 1]);
      const b = tiny('second', [5, 6]);
      const results = await Promise.allSettled([runSweep({ spec: a, outDir: dir, warn: quiet }), runSweep({ spec: b, outDir: dir, warn: quiet })]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(ok.length, `trial ${trial}`).toBe(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidArgumentError);
      expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/in use by another ricciflow process/);
      const stored = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as { sweep: { name: string } };
      const winner = stored.sweep.name === 'first' ? a : b;
      const ids = new Set(sweepConfigs(winner).map(configId));
      const { records } = await readRecords(join(dir, 'networks.jsonl'), quiet);
      expect(records.length).toBe(2);
      for (const r of records) expect(ids.has(r.id)).toBe(true);
      expect(existsSync(join(dir, '.lock'))).toBe(false);
    }
  });

  it('merge refuses a directory whose lock is held, and leaves its records alone', async () => {
    const dir = await copyBase();
    const other = await copyBase();
    const before = readFileSync(join(dir, 'networks.jsonl'));
    const lock = await acquireDirLock(dir, quiet);
    try {
      await expect(mergeSweepDirs(dir, [other], quiet)).rejects.toThrow(/in use by another ricciflow process/);
    } finally {
      await lock.release();
    }
    expect(readFileSync(join(dir, 'networks.jsonl')).equals(before)).toBe(true);
    // Unlocked, the same merge goes through (and takes and gives back the lock).
    const m = await mergeSweepDirs(dir, [other], quiet);
    expect(m.networks).toBe(2);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('a lock with a fresh heartbeat from another host is never taken over; a stale one is, with a warning', async () => {
    const dir = scratch();
    const lockPath = join(dir, '.lock');
    writeFileSync(lockPath, JSON.stringify({ host: 'some-other-node', pid: 1, since: new Date().toISOString(), token: 'x' }));
    await expect(acquireDirLock(dir, quiet)).rejects.toThrow(InvalidArgumentError);
    await expect(acquireDirLock(dir, quiet)).rejects.toThrow(/some-other-node pid 1/);
    // The same lock, silent for longer than STALE_MS: taken over.
    const old = new Date(Date.now() - STALE_MS - 60_000);
    utimesSync(lockPath, old, old);
    const warnings: string[] = [];
    const lock = await acquireDirLock(dir, (m) => warnings.push(m));
    expect(warnings.join('\n')).toMatch(/taking over a stale lock \(some-other-node pid 1: its heartbeat is \d+ s old\)/);
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('a lock of a dead process on this host is taken over at once; a live one is not', async () => {
    const dir = scratch();
    const lockPath = join(dir, '.lock');
    const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lockPath, JSON.stringify({ host: hostname(), pid: Number(dead), token: 'y' }));
    const lock = await acquireDirLock(dir, quiet);
    await lock.release();
    writeFileSync(lockPath, JSON.stringify({ host: hostname(), pid: process.ppid, token: 'z' }));
    await expect(acquireDirLock(dir, quiet)).rejects.toThrow(InvalidArgumentError);
  });

  it('the heartbeat keeps the lock fresh, and a holder whose lock was taken over learns it (lost) and keeps its hands off', async () => {
    const dir = scratch();
    const lockPath = join(dir, '.lock');
    const lock = await acquireDirLock(dir, quiet, { heartbeatMs: 40 });
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lockPath, old, old);
    await new Promise((r) => setTimeout(r, 300));
    expect(Date.now() - statSync(lockPath).mtimeMs).toBeLessThan(60_000);
    expect(lock.lost()).toBe(false);
    writeFileSync(lockPath, JSON.stringify({ host: 'another-node', pid: 7, token: 'theirs' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(lock.lost()).toBe(true);
    await lock.release();
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).token).toBe('theirs');
  });
});

describe('output paths (items 9, 10)', () => {
  it('--out under /proc fails fast with an I/O error (geometry and sweep)', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'p.csv'), '0,0\n1,0\n0,1\n5,5\n');
    const g = await run(['geometry', join(dir, 'p.csv'), '--k', '1', '--out', '/proc/ricciflow-nope/r.json'], 30_000);
    expect(g.signal).toBeNull();
    expect(g.code).toBe(1);
    expect(g.stderr).toMatch(/cannot create directory \/proc\/ricciflow-nope/);
    const s = await run(['sweep', '--preset', 'quick', '--out', '/proc/ricciflow-nope'], 30_000);
    expect(s.signal).toBeNull();
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/cannot create directory \/proc\/ricciflow-nope/);
    await expect(ensureDir('/proc/ricciflow-nope/a/b')).rejects.toThrow(IoError);
  });

  it('a parent that is a file is an IoError naming it', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'file'), 'x');
    await expect(ensureDir(join(dir, 'file', 'sub'))).rejects.toThrow(/file is a regular file, not a directory/);
    await expect(writeFileAtomic(join(dir, 'file', 'r.json'), '{}')).rejects.toThrow(IoError);
  });

  it('a symlink at the output path stays a symlink; its target gets the content', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'real.json'), 'old');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    await writeFileAtomic(join(dir, 'link.json'), 'new');
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe(join(dir, 'real.json'));
    expect(readFileSync(join(dir, 'real.json'), 'utf8')).toBe('new');
  });

  it('a FIFO at the output path is written through and stays a FIFO (geometry --out)', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'p.csv'), '0,0\n1,0\n0,1\n5,5\n');
    const fifo = join(dir, 'out.json');
    execFileSync('mkfifo', [fifo]);
    const reader = new Promise<string>((res, rej) => {
      let text = '';
      createReadStream(fifo, 'utf8').on('data', (c) => (text += c)).on('end', () => res(text)).on('error', rej);
    });
    const g = await run(['geometry', join(dir, 'p.csv'), '--k', '1', '--out', fifo]);
    expect(g.code).toBe(0);
    const text = await reader;
    expect(JSON.parse(text).n).toBe(4);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a character device at the output path is written through, never replaced (root only: mknod)', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const dir = scratch();
    const dev = join(dir, 'null');
    try {
      execFileSync('mknod', [dev, 'c', '1', '3']); // a private /dev/null
    } catch {
      return ctx.skip();
    }
    await writeFileAtomic(dev, 'discarded');
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a directory at the output path is refused', async () => {
    const dir = scratch();
    await expect(writeFileAtomic(dir, '{}')).rejects.toThrow(/directory; refusing to replace it/);
  });
});

describe('networks.jsonl (items 11, 12)', () => {
  it('a valid-JSON line that is not a record is skipped and counted with a warning, by every reader', async () => {
    const dir = await copyBase();
    const path = join(dir, 'networks.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    writeFileSync(path, [lines[0], '{}', '[1,2]', '"text"', lines[1], ''].join('\n'));
    const warnings: string[] = [];
    const r = await readRecords(path, (m) => warnings.push(m));
    expect(r.records.length).toBe(2);
    expect(r.foreign).toBe(3);
    expect(warnings.join('\n')).toMatch(/skipping 3 lines that are valid JSON but not a network record/);
    expect((await readResultsDir(dir, quiet)).records.length).toBe(2);
    expect((await exportCsv(dir, quiet)).networks).toBe(2);
    const stats = await run(['stats', dir]);
    expect(stats.stderr).not.toMatch(/TypeError/);
    expect(stats.code).toBe(0);
    const report = await run(['report', dir, '--out', join(dir, 'report.html')]);
    expect(report.stderr).not.toMatch(/TypeError/);
    expect(report.code).toBe(0);
    // A k or curvature that was never analysed is refused, not drawn as an empty report.
    const noK = await run(['report', dir, '--k', '99', '--out', join(dir, 'r2.html')]);
    expect(noK.code).toBe(2);
    expect(noK.stderr).toMatch(/no network was analysed at k = 99 \(analysed: 5\)/);
    // The sweep continues over it (nothing to do: both networks are there).
    const again = await runSweep({ spec: tiny('base', [0, 1]), outDir: dir, warn: quiet });
    expect(again.skipped).toBe(2);
  });

  it('a full disk mid-append leaves no partial record: the file is cut back and the error says so', async () => {
    const dir = await copyBase();
    const path = join(dir, 'networks.jsonl');
    const before = readFileSync(path);
    const records = (await readRecords(path, quiet)).records;
    const { writer } = await RecordWriter.open(path);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    appendFault.next = { partialBytes: 100, error: enospc };
    const err = await writer.append({ ...records[0]!, id: 'x'.repeat(16) } as NetworkRecord).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/the disk is full \(ENOSPC\); the file was left as it was before this record/);
    expect(readFileSync(path).equals(before)).toBe(true);
    const after = await readRecords(path, quiet);
    expect(after.torn).toBe(false);
    expect(after.records.length).toBe(2);
    // The next append (space freed) works and the file reads back whole.
    await writer.append({ ...records[0]!, id: 'y'.repeat(16) } as NetworkRecord);
    expect((await readRecords(path, quiet)).records.map((r) => r.id)).toEqual([records[0]!.id, records[1]!.id, 'y'.repeat(16)]);
  });

  it('a real full disk (a 64 KiB tmpfs; root only): the append fails whole, the file is as before', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    const mnt = scratch();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      return ctx.skip();
    }
    try {
      const path = join(mnt, 'networks.jsonl');
      await cp(join(base, 'networks.jsonl'), path);
      const records = (await readRecords(path, quiet)).records;
      const before = readFileSync(path);
      // Fill the file system: only the slack of the record file's last page stays writable.
      try {
        writeFileSync(join(mnt, 'filler'), Buffer.alloc(1 << 20));
      } catch {
        /* ENOSPC: full */
      }
      const { writer } = await RecordWriter.open(path);
      const big = { ...records[0]!, id: 'z'.repeat(16), error: 'x'.repeat(20_000) } as NetworkRecord;
      const err = await writer.append(big).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IoError);
      expect((err as Error).message).toMatch(/disk is full \(ENOSPC\)/);
      expect(readFileSync(path).equals(before)).toBe(true);
      expect((await readRecords(path, quiet)).torn).toBe(false);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('a sweep hitting a full disk stops with an IoError, and its resume finds every record whole', async () => {
    const dir = join(scratch(), 'full');
    const spec = tiny('full', [0, 1, 2]);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    appendFault.next = { partialBytes: 50, error: enospc };
    await expect(runSweep({ spec, outDir: dir, warn: quiet })).rejects.toThrow(/disk is full/);
    const mid = await readRecords(join(dir, 'networks.jsonl'), quiet);
    expect(mid.torn).toBe(false);
    const resumed = await runSweep({ spec, outDir: dir, warn: quiet });
    expect(resumed.skipped + resumed.computed).toBe(3);
    expect((await readRecords(join(dir, 'networks.jsonl'), quiet)).records.length).toBe(3);
  });
});

describe('grid size (item 5)', () => {
  it('replicates: 1e9 is refused before the grid is expanded, by the API and by sweep --dry-run', async () => {
    const raw = { datasets: ['A'], architectures: ['narrow'], depths: [3], replicates: 1e9 };
    expect(() => resolveSweep(raw)).toThrow(InvalidArgumentError);
    expect(() => resolveSweep(raw)).toThrow(new RegExp(`at most ${MAX_GRID_NETWORKS} networks`));
    expect(() => resolveSweep({ ...raw, datasets: ['A', 'B', 'C'], architectures: ['narrow', 'wide'], depths: [3, 4, 5], replicates: 10_000 })).toThrow(/= 180000 networks/);
    expect(resolveSweep({ ...raw, replicates: MAX_GRID_NETWORKS }).seeds.length).toBe(MAX_GRID_NETWORKS);
    const dir = scratch();
    await writeFile(join(dir, 'huge.json'), JSON.stringify(raw));
    const r = await run(['sweep', '--config', join(dir, 'huge.json'), '--dry-run', '--out', join(dir, 'out')], 60_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replicates/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    void readFile;
  });
});
