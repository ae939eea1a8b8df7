/**
 * CLI output conventions shared by every verb: `--quiet`, `--out -` (stdout), the `meta` block
 * of JSON outputs, and the exit codes.
 */
import { readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { arch, cpus, platform } from 'node:os';
import { resolve } from 'node:path';

import { InvalidArgumentError, isParseArgsError, RicciflowError } from '../core/errors.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isQuiet, writeFileAtomic } from './util.js';

/** Exit codes of the `ricciflow` command (listed in `ricciflow --help`). */
export const EXIT = {
  ok: 0,
  /** I/O, format, native or other failures at run time. */
  failure: 1,
  /** Usage errors and invalid arguments (unknown verb or option, bad value). */
  usage: 2,
} as const;

export const EXIT_HELP = `Exit status: 0 success; 1 failure (I/O, file format, native or training error, failed networks);
2 usage error or invalid argument (unknown command or option, bad value); 130/143 interrupted by
SIGINT/SIGTERM (sweep: finished networks are kept).`;

/** The exit code for an error thrown by a verb. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof InvalidArgumentError) return EXIT.usage;
  if (isParseArgsError(err)) return EXIT.usage;
  return EXIT.failure;
}

export { RicciflowError };

let cliArgv: string[] = process.argv.slice(2);
/** The command line as given to `main` (recorded in `meta.argv`). */
export function setArgv(argv: readonly string[]): void {
  cliArgv = [...argv];
}

export { isQuiet, setQuiet } from './util.js';

/** A notice on stderr (suppressed by --quiet). */
export function note(message: string): void {
  if (!isQuiet()) process.stderr.write(message.endsWith('\n') ? message : message + '\n');
}

/** Whether `NODE_DEBUG` names ricciflow (then errors print their stack). */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NODE_DEBUG ?? '').split(/[\s,]+/).some((s) => s.toLowerCase() === 'ricciflow' || s === '*');
}

/** Writes `text` (a string, or UTF-8 bytes) to `path`, or to stdout when `path` is `-`. */
export async function writeOutput(path: string, text: string | Uint8Array): Promise<void> {
  if (path === '-') {
    await new Promise<void>((res, rej) => process.stdout.write(text, (err) => (err ? rej(err) : res())));
    return;
  }
  await writeFileAtomic(path, text);
}

/**
 * SHA-256 (hex) of a file, read in 1 MiB pieces. node:crypto is loaded here, on first use, and
 * no fs stream is opened: a verb that writes no `meta` block (or `--version`) never loads either.
 */
export async function sha256File(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

export interface MetaInput {
  path: string;
  bytes: number;
  sha256: string;
}

/** Provenance of a JSON output: who wrote it, on what, from which inputs. */
export interface Meta {
  tool: 'ricciflow';
  version: string;
  node: string;
  platform: string;
  arch: string;
  cpu: string;
  /**
   * Compute kernels the native core dispatches to on this CPU (docs/prebuilds.md); `training`: the
   * trainer's vector kernels (`avx512`, `avx2` or `portable`; all give the same bits, docs/method.md §8c);
   * `knn`: the exact kNN's float Gram kernel (`avx512`, `avx2` or `eigen`; all give the same lists).
   */
  kernel: { avx2: boolean; avx512: boolean; triangles: string; training: string; knn: string };
  argv: string[];
  inputs: MetaInput[];
  date: string;
}

let versionCache: string | null = null;
function version(): string {
  if (versionCache === null) {
    try {
      versionCache = (JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string }).version;
    } catch {
      versionCache = 'unknown';
    }
  }
  return versionCache;
}

function cpuFlags(): Set<string> {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = /^flags\s*:(.*)$/m.exec(info);
    return new Set((line?.[1] ?? '').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/** Which kernels run here: the addon's own report when it gives one, else the CPU's flags. */
export async function kernelInfo(): Promise<Meta['kernel']> {
  try {
    const { addon } = await import('../core/native.js');
    return addon.diagnostics().kernel;
  } catch {
    // no addon: fall through to the CPU flags
  }
  const f = cpuFlags();
  const avx512 = f.has('avx512f') && f.has('avx512_vpopcntdq');
  const avx2 = f.has('avx2') && f.has('fma');
  const training = f.has('avx512f') && avx2 ? 'avx512' : avx2 ? 'avx2' : 'portable';
  const knn = f.has('avx512f') && avx2 ? 'avx512' : avx2 ? 'avx2' : 'eigen';
  return { avx2, avx512, triangles: avx512 ? 'avx512-vpopcntdq' : 'portable', training, knn };
}

/** The `meta` block of a JSON output; `inputs` are hashed (SHA-256). */
export async function metaBlock(inputs: readonly string[] = [], argv: readonly string[] = cliArgv): Promise<Meta> {
  const hashed: MetaInput[] = [];
  for (const p of inputs) {
    const abs = resolve(p);
    const st = await stat(abs).catch(() => null);
    if (!st?.isFile()) continue;
    hashed.push({ path: abs, bytes: st.size, sha256: await sha256File(abs) });
  }
  return {
    tool: 'ricciflow',
    version: version(),
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    kernel: await kernelInfo(),
    argv: [...argv],
    inputs: hashed,
    date: new Date().toISOString(),
  };
}
