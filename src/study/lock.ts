/**
 * The lock of a results directory (`DIR/.lock`): held by one process at a time, so two sweeps, or
 * a sweep and a merge, never write one directory together.
 *
 * - Taken atomically (`open(O_CREAT | O_EXCL)`), before anything is written into the directory.
 * - While held, a heartbeat touches the lock file every {@link HEARTBEAT_MS}.
 * - A lock is stale when its heartbeat is older than {@link STALE_MS} (any host: a job killed on
 *   another cluster node), or at once when it names a process of this host that no longer
 *   exists. A lock with a fresh heartbeat from another host is never taken over.
 * - Taking over a stale lock goes through `DIR/.lock.takeover` (also O_EXCL), so two processes
 *   that both find it stale cannot both take it.
 * - A holder that finds its lock taken (its heartbeat stalled past STALE_MS, e.g. a suspended
 *   process) learns it through `lost()` and must stop writing.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { codeOf, InvalidArgumentError, IoError, NODE_CODES } from '../core/errors.js';
import { ensureDir } from '../core/files.js';

/** Heartbeat period of a held lock. */
export const HEARTBEAT_MS = 10_000;
/** Age of the last heartbeat after which a lock is stale (whatever host holds it). */
export const STALE_MS = 120_000;

export interface DirLock {
  /** Removes the lock (only if it is still ours) and stops the heartbeat. */
  release(): Promise<void>;
  /** Whether another process has taken the lock over (then stop writing). */
  lost(): boolean;
}

interface Holder {
  host?: string;
  pid?: number;
  since?: string;
  token?: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) === NODE_CODES.notPermitted;
  }
}

async function readHolder(path: string): Promise<{ holder: Holder; ageMs: number } | null> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let holder: Holder = {};
    try {
      holder = JSON.parse(text) as Holder;
    } catch {
      /* unreadable content: judged by age alone */
    }
    return { holder, ageMs: Date.now() - st.mtimeMs };
  } catch (err) {
    if (codeOf(err) === NODE_CODES.notFound) return null;
    throw err;
  }
}

function staleReason(h: { holder: Holder; ageMs: number }): string | null {
  const { holder, ageMs } = h;
  if (ageMs > STALE_MS) return `its heartbeat is ${Math.round(ageMs / 1000)} s old`;
  if (holder.host === hostname() && typeof holder.pid === 'number' && holder.pid !== process.pid && !pidAlive(holder.pid))
    return `process ${holder.pid} of this host is gone`;
  return null;
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if (codeOf(err) === NODE_CODES.exists) return false;
    throw err;
  }
}

/**
 * Takes `dir/.lock` (creating `dir`), or throws InvalidArgumentError naming the live holder.
 * `heartbeatMs` overrides {@link HEARTBEAT_MS} (tests).
 */
export async function acquireDirLock(dir: string, warn: (m: string) => void, options: { heartbeatMs?: number } = {}): Promise<DirLock> {
  await ensureDir(dir);
  const path = join(dir, '.lock');
  const takeover = join(dir, '.lock.takeover');
  const token = randomBytes(12).toString('hex');
  const me = JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString(), token });
  const fail = (err: unknown): IoError => new IoError(`cannot take the lock ${path}: ${(err as Error).message}`, 'out');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      if (await createExclusive(path, me)) return held(path, token, options.heartbeatMs ?? HEARTBEAT_MS);
      const h = await readHolder(path);
      if (h === null) continue; // released meanwhile: try again
      const reason = staleReason(h);
      if (reason === null) {
        const who = `${h.holder.host ?? '?'} pid ${h.holder.pid ?? '?'}`;
        throw new InvalidArgumentError(
          `${dir} is in use by another ricciflow process (${who}, heartbeat ${Math.round(h.ageMs / 1000)} s ago); ` +
            `wait for it to finish or use another directory (a lock is stale after ${STALE_MS / 1000} s without a heartbeat)`,
          'out',
        );
      }
      // Only one process takes a stale lock over: the one that creates the takeover marker. A
      // marker left by a process killed mid-takeover is itself stale after STALE_MS.
      if (!(await createExclusive(takeover, me))) {
        const t = await readHolder(takeover);
        if (t !== null && t.ageMs > STALE_MS) await rm(takeover, { force: true });
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        const again = await readHolder(path);
        if (again !== null && again.holder.token === h.holder.token && staleReason(again) !== null) {
          warn(`warning: ${dir}: taking over a stale lock (${h.holder.host ?? '?'} pid ${h.holder.pid ?? '?'}: ${reason})`);
          await rm(path, { force: true });
        }
        if (await createExclusive(path, me)) return held(path, token, options.heartbeatMs ?? HEARTBEAT_MS);
      } finally {
        await rm(takeover, { force: true });
      }
    } catch (err) {
      if (err instanceof InvalidArgumentError || err instanceof IoError) throw err;
      throw fail(err);
    }
  }
  throw new IoError(`cannot take the lock ${path}: it keeps changing hands`, 'out');
}

function held(path: string, token: string, heartbeatMs: number): DirLock {
  let lost = false;
  let beating = false;
  const beat = async (): Promise<void> => {
    if (beating || lost) return;
    beating = true;
    try {
      const h = await readHolder(path);
      if (h === null || h.holder.token !== token) {
        lost = true;
        return;
      }
      const now = new Date();
      await utimes(path, now, now);
    } catch {
      /* a missed beat is not fatal: the next one retries */
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat(), heartbeatMs);
  timer.unref();
  return {
    lost: () => lost,
    async release(): Promise<void> {
      clearInterval(timer);
      const h = await readHolder(path).catch(() => null);
      if (h !== null && h.holder.token === token) await rm(path, { force: true });
    },
  };
}
