/**
 * What tests that run commands share: the repository root, the `ricciflow` command (bin/ricciflow.js
 * over dist/, built once by test/global-setup.ts), a temporary directory per test file, and the
 * records of a results directory.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

import type { NetworkRecord } from '../../src/study/types.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = join(root, 'bin', 'ricciflow.js');

/** How a command ended: its exit status (null when a signal ended it), the signal, its output. */
export interface CommandRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables set on top of this process's environment (`undefined` removes one). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the command is killed (default: none). */
  timeout?: number;
  /** Working directory (default: the repository root). */
  cwd?: string;
}

/** Runs `cmd args` (in the repository root unless told) and resolves with how it ended (never rejects). */
export function runCommand(cmd: string, args: string[], o: RunOptions = {}): Promise<CommandRun> {
  return new Promise((res) => {
    const options = { cwd: o.cwd ?? root, env: { ...process.env, ...o.env }, maxBuffer: 64 << 20, ...(o.timeout !== undefined ? { timeout: o.timeout } : {}) };
    execFile(cmd, args, options, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      res({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** `ricciflow ...args`, run by this Node. */
export function ricciflow(args: string[], o: RunOptions = {}): Promise<CommandRun> {
  return runCommand(process.execPath, [bin, ...args], o);
}

/**
 * A fresh directory `ricciflow-<name>-XXXXXX` under the OS temporary directory, made now and
 * removed after the test file (call it at the top level of the file).
 */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ricciflow-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The non-empty lines of `dir/networks.jsonl` (one record each), in file order. */
export async function recordLines(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'networks.jsonl'), 'utf8');
  return text.split('\n').filter((l) => l.length > 0);
}

/** The records of `dir/networks.jsonl`, in file order. */
export async function recordsIn(dir: string): Promise<NetworkRecord[]> {
  return (await recordLines(dir)).map((l) => JSON.parse(l) as NetworkRecord);
}

/** A record without the fields that depend on timing. */
export function stableRecord(r: NetworkRecord): unknown {
  const { msPerEpoch, trainSeconds, analysisSeconds, analysisPhases, finishedAt, ...rest } = r;
  void msPerEpoch, trainSeconds, analysisSeconds, analysisPhases, finishedAt;
  return rest;
}
