/**
 * Loads the native addon (prebuilt binary, or a local build) and maps its errors to the typed
 * error classes of `errors.ts`. Everything else in `src/` talks to the core through `addon`.
 *
 * Search order: `RICCIFLOW_ADDON` (an explicit `.node` path), then node-gyp-build on the package
 * root (`build/Release` first, then `prebuilds/<platform>-<arch>/`; `PREBUILDS_ONLY=1` skips the
 * local build).
 */
import type { Matrix } from './matrix.js';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CancelledError,
  ERROR_CODES,
  InvalidArgumentError,
  NativeError,
  RicciflowError,
} from './errors.js';

const require = createRequire(import.meta.url);

/** Root of the installed package (this file lives in `src/` or `dist/`). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Raw shape of a graph object as the core returns and accepts it. */
export interface RawGraph {
  n: number;
  k: number;
  mode: string;
  edgeCount: number;
  knn: Int32Array;
  offsets: Int32Array;
  neighbors: Int32Array;
  edges: Int32Array;
}

export interface RawGeodesics {
  connected: boolean;
  components: number;
  component: Int32Array;
  geodesicSum: number | null;
  diameter: number | null;
  pairHops?: Int32Array;
  hopMatrix?: Uint8Array | Uint16Array;
}

export interface RawNodeStats {
  nodeMean: Float64Array;
  nodeSum: Float64Array;
  total: number;
}

export interface NativeControl {
  cancel(): void;
}

/** Options every native computing call accepts. */
export interface RawCallOptions {
  threads?: number;
  control?: NativeControl;
  onProgress?: (done: number, total: number) => void;
}

type RawPoints = Matrix;

/** Thread budget state: cores, budget, default per call, threads leased now and at peak. */
export interface ThreadInfo {
  hardware: number;
  budget: number;
  defaultThreads: number;
  inUse: number;
  peak: number;
}

/** The addon's functions (private; the public API wraps them). */
export interface NativeAddon {
  abiVersion: number;
  Control: new () => NativeControl;
  knn(points: RawPoints, options: RawCallOptions & { k: number }): Promise<Int32Array>;
  knnGraph(points: RawPoints, options: RawCallOptions & { k: number; mode?: string }): Promise<RawGraph>;
  graphFromKnn(knn: Int32Array, options: RawCallOptions & { n: number; k: number; mode?: string }): Promise<RawGraph>;
  geodesics(
    graph: RawGraph,
    options: RawCallOptions & { pairs?: Int32Array; hopMatrix?: 'none' | 'uint8' | 'uint16' },
  ): Promise<RawGeodesics>;
  curvature(
    graph: RawGraph,
    options: RawCallOptions & { names: string[]; triangles?: boolean; edgeValues?: boolean },
  ): Promise<Record<string, RawNodeStats & { edge: Float64Array; perArc: boolean }> & { triangles?: Int32Array }>;
  nodeCurvature(graph: RawGraph, values: Float64Array, perArc: boolean): RawNodeStats;
  pairwiseDistances(points: RawPoints, options: RawCallOptions): Promise<Float64Array>;
  ollivierCurvature?(graph: RawGraph, options: RawCallOptions & { alpha?: number }): Promise<Float64Array>;
  setDefaultThreads(threads: number): void;
  setThreadBudget(threads: number): void;
  threadInfo(): ThreadInfo;
  /** Full graph validations so far and compute threads created (for tests and diagnostics). */
  diagnostics(): { graphValidations: number; computeThreads: number };
  [name: string]: unknown;
}

function cpuLacksAvx2(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
    return !(/\bavx2\b/.test(flags) && /\bfma\b/.test(flags));
  } catch {
    return false;
  }
}

function load(): NativeAddon {
  const explicit = process.env.RICCIFLOW_ADDON;
  // Prebuilt binaries target x86-64-v3 (AVX2/FMA). On an older CPU they would die with SIGILL at
  // the first computation, so refuse them with a clear message unless a local build exists.
  if (!explicit && cpuLacksAvx2() && !existsSync(resolve(packageRoot, 'build/Release/ricciflow.node'))) {
    throw new NativeError(
      'ricciflow: this CPU lacks AVX2/FMA, which the prebuilt binaries need. Rebuild from source for this CPU: ' +
        '`npm_config_build_from_source=true npm_config_ricciflow_march=x86-64 npm rebuild ricciflow` (needs g++, make, python3).',
    );
  }
  try {
    if (explicit) return require(resolve(explicit)) as NativeAddon;
    // The local build is where node-gyp-build looks first; load it without loading node-gyp-build
    // (start-up time: a verb may run once per file from a shell loop). Its switches (PREBUILDS_ONLY,
    // RICCIFLOW_PREBUILD) still go through node-gyp-build.
    const local = resolve(packageRoot, 'build/Release/ricciflow.node');
    if (!process.env.PREBUILDS_ONLY && !process.env.RICCIFLOW_PREBUILD && existsSync(local)) return require(local) as NativeAddon;
    const gypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return gypBuild(packageRoot) as NativeAddon;
  } catch (err) {
    const hint = cpuLacksAvx2()
      ? ' This CPU lacks AVX2/FMA: rebuild from source with `npm_config_build_from_source=true npm_config_ricciflow_march=x86-64 npm rebuild ricciflow`.'
      : ' Build it with `npm run build:gyp` (needs g++, make, python3; Eigen is vendored) or install a package with prebuilds.';
    throw new NativeError(`ricciflow: cannot load the native addon: ${(err as Error).message}.${hint}`);
  }
}

export const addon: NativeAddon = load();

/** Converts an error thrown or rejected by the addon into the matching typed error class. */
export function toRicciflowError(err: unknown): Error {
  if (err instanceof RicciflowError) return err;
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    const arg = (err as { arg?: string }).arg;
    if (code === ERROR_CODES.invalidArgument) return new InvalidArgumentError(err.message, arg);
    if (code === ERROR_CODES.cancelled) return new CancelledError('the computation was cancelled', arg);
    if (code === ERROR_CODES.native) return new NativeError(err.message, arg);
    return err;
  }
  return new NativeError(String(err));
}

export interface CallOptions {
  /** Compute threads for this call (0 or absent: the global default, see `setDefaultThreads`). */
  threads?: number;
  /** Cancels the computation; the Promise then rejects with `CancelledError`. */
  signal?: AbortSignal;
  /** Called on the main thread with (done, total) work units, about every 1%. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs one native call with the common options: thread count, AbortSignal -> native Control,
 * progress callback; errors become typed errors. Input objects stay referenced by the native
 * worker until it finishes.
 */
export async function callNative<T>(
  options: CallOptions | undefined,
  run: (raw: RawCallOptions) => Promise<T>,
): Promise<T> {
  const raw: RawCallOptions = {};
  if (options?.threads !== undefined) raw.threads = options.threads;
  // Progress arrives from several native threads through a queue: deliver it monotonic, end it
  // with (total, total) before the Promise resolves, and never call it after that.
  let settled = false;
  let last = -1;
  let lastTotal = -1;
  const onProgress = options?.onProgress;
  if (onProgress) {
    raw.onProgress = (done, total) => {
      lastTotal = total;
      if (settled || done <= last) return;
      last = done;
      onProgress(done, total);
    };
  }
  const signal = options?.signal;
  if (signal?.aborted) throw new CancelledError('the computation was cancelled before it started');
  let onAbort: (() => void) | undefined;
  if (signal) {
    const control = new addon.Control();
    raw.control = control;
    onAbort = () => control.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    const result = await run(raw);
    if (onProgress && lastTotal >= 0 && last < lastTotal) {
      last = lastTotal;
      onProgress(lastTotal, lastTotal);
    }
    return result;
  } catch (err) {
    throw toRicciflowError(err);
  } finally {
    settled = true;
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** Synchronous native call with typed errors. */
export function callNativeSync<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw toRicciflowError(err);
  }
}
