/**
 * Loads the native addon (prebuilt binary, or a local build), checks that it is exactly the
 * {@link NativeAddon} this package was written against, and gives it the error classes of
 * `errors.ts`, which it then throws itself (with their `.code`, the native text kept as `cause`).
 * Everything else in `src/` talks to the core through `addon`.
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

import { CancelledError, InvalidArgumentError, NativeError, OutOfMemoryError } from './errors.js';

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

/** One curvature as `curvature()` returns it: per edge, or per kNN arc when `perArc` (the core's choice). */
export interface RawCurvature extends RawNodeStats {
  edge: Float64Array;
  perArc: boolean;
}

/** Options of `ollivierCurvature`. `distance2` and `fastPath` are testing hooks (test/analysis/ollivier.test.ts). */
export interface RawOllivierOptions extends RawCallOptions {
  alpha?: number;
  /** Only these edges (value p is the curvature of edge edgeIds[p]). */
  edgeIds?: Int32Array;
  /** The distance-2 tables: 'push' is the route of large graphs. Same values whatever it says. */
  distance2?: 'auto' | 'bitsets' | 'push';
  /** false: every edge through the general max-flow. Same values. */
  fastPath?: boolean;
}

/** Counters and kernels of the running addon (tests, `meta.kernel` of JSON outputs). */
export interface NativeDiagnostics {
  /** Full graph validations so far (graphs the core built are not re-validated). */
  graphValidations: number;
  /** Compute threads created so far. */
  computeThreads: number;
  kernel: { avx2: boolean; avx512: boolean; triangles: string; training: string; knn: string };
}

/**
 * The optimiser of a training run (docs/method.md §8a, §8b): what the addon's trainer takes per
 * call and what `train/prepare.ts` resolves from the options and the recipes' defaults.
 */
export interface OptimizerSettings {
  /** Epochs to run: in a resolved run with a stop rule, the cap; in one trainer call, that call's. */
  epochs: number;
  batchSize: number | 'full';
  optimizer: 'rmsprop' | 'adam';
  learningRate: number;
  rho: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The trainer object of the addon: R replicate networks and their bound data (core/mlp.h). */
export interface RawTrainer {
  readonly replicates: number;
  readonly paramCount: number;
  setData(d: { x: Float32Array; y: Float32Array; n: number; xVal?: Float32Array; yVal?: Float32Array; nVal?: number }): void;
  train(o: RawCallOptions & OptimizerSettings & {
    /** The accuracy stop as the least count of correct training rows (0: none; src/train/stopping.ts). */
    stopAtCorrect: number;
    flushDenormals?: boolean;
    active?: Uint8Array;
  }): Promise<Float64Array>;
  getWeights(r: number): Float32Array;
  setWeights(r: number, w: Float32Array): void;
  /** [stopped 0/1, checkLoss, checkAccuracy, epochsDone, steps] */
  stopInfo(r: number): Float64Array;
  /** [loss, accuracy] of replicate r's weights on the training rows. */
  trainMetrics(r: number, o?: RawCallOptions): Promise<Float64Array>;
}

/** The error classes the addon throws, by kind (given to it once, at load). */
export interface NativeErrorClasses {
  invalidArgument: new (message: string, arg?: string) => Error;
  cancelled: new (message: string, arg?: string) => Error;
  outOfMemory: new (message: string, arg?: string) => Error;
  native: new (message: string, arg?: string) => Error;
}

/**
 * Everything the addon exports, and nothing else (private; the public API wraps it). Closed: the
 * loader checks that the addon has exactly these members ({@link ADDON_MEMBERS}).
 */
export interface NativeAddon {
  abiVersion: number;
  registerErrors(classes: NativeErrorClasses): void;
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
  ): Promise<Record<string, RawCurvature> & { triangles?: Int32Array }>;
  nodeCurvature(graph: RawGraph, values: Float64Array, perArc: boolean): RawNodeStats;
  pairwiseDistances(points: RawPoints, options: RawCallOptions): Promise<Float64Array>;
  ollivierCurvature(graph: RawGraph, options: RawOllivierOptions): Promise<Float64Array>;
  setDefaultThreads(threads: number): void;
  setThreadBudget(threads: number): void;
  threadInfo(): ThreadInfo;
  diagnostics(): NativeDiagnostics;
  MlpTrainer: new (o: { sizes: number[]; seeds: number[]; weights?: (Float32Array | null)[]; init?: 'glorot' | 'pytorch' }) => RawTrainer;
  mlpForward(sizes: number[], weights: Float32Array, x: Float32Array, n: number, o?: RawCallOptions): Promise<Float32Array[]>;
  mlpInitWeights(sizes: number[], seed: number, init?: 'glorot' | 'pytorch'): Float32Array;
  mlpParamCount(sizes: number[]): number;
  /** Diagnostics (docs/method.md §8c): per OpenMP thread of a call, flush flags (1 FTZ, 2 DAZ) + 4 if subnormals are exact. */
  mlpFpProbe(o?: RawCallOptions): Promise<{ threads: number[]; lastTraining: number; supported: boolean }>;
  /** The older-glibc shim's self-check (native/compat), or null in a build without the shim. */
  glibcCompat(): { fallback: boolean; findObjectCheck: number } | null;
}

/** The members of {@link NativeAddon}, checked against the loaded addon. */
export const ADDON_MEMBERS = [
  'abiVersion', 'registerErrors', 'Control', 'knn', 'knnGraph', 'graphFromKnn', 'geodesics', 'curvature',
  'nodeCurvature', 'pairwiseDistances', 'ollivierCurvature', 'setDefaultThreads', 'setThreadBudget',
  'threadInfo', 'diagnostics', 'MlpTrainer', 'mlpForward', 'mlpInitWeights', 'mlpParamCount', 'mlpFpProbe',
  'glibcCompat',
] as const satisfies readonly (keyof NativeAddon)[];
// Compile-time: every member of NativeAddon is listed above.
const listsEveryMember: Exclude<keyof NativeAddon, (typeof ADDON_MEMBERS)[number]> extends never ? true : false = true;
void listsEveryMember;

/**
 * Checks that `raw` (what a `.node` file exports) is exactly the addon this package expects: every
 * member of {@link NativeAddon} and nothing else, functions where functions are expected. A build
 * left over from another version fails here, loudly, instead of at its first call.
 */
export function checkAddon(raw: unknown, from: string): NativeAddon {
  const o = (raw ?? {}) as Record<string, unknown>;
  const have = new Set(Object.keys(o));
  const missing = ADDON_MEMBERS.filter((m) => !have.has(m) || (m !== 'abiVersion' && typeof o[m] !== 'function'));
  const unexpected = [...have].filter((m) => !(ADDON_MEMBERS as readonly string[]).includes(m));
  if (missing.length > 0 || unexpected.length > 0)
    throw new NativeError(
      `ricciflow: the native addon ${from} does not match this package` +
        (missing.length ? ` (missing: ${missing.join(', ')})` : '') +
        (unexpected.length ? ` (unexpected: ${unexpected.join(', ')})` : '') +
        '. Rebuild it: `npm run build:gyp` (or `npm run build:native`).',
    );
  return o as unknown as NativeAddon;
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
  let raw: unknown;
  let from: string;
  try {
    // The local build is where node-gyp-build looks first; load it without loading node-gyp-build
    // (start-up time: a verb may run once per file from a shell loop). Its switches (PREBUILDS_ONLY,
    // RICCIFLOW_PREBUILD) still go through node-gyp-build.
    const local = resolve(packageRoot, 'build/Release/ricciflow.node');
    if (explicit) from = resolve(explicit);
    else if (!process.env.PREBUILDS_ONLY && !process.env.RICCIFLOW_PREBUILD && existsSync(local)) from = local;
    else from = (require('node-gyp-build') as { resolve(dir: string): string }).resolve(packageRoot);
    raw = require(from);
  } catch (err) {
    const hint = cpuLacksAvx2()
      ? ' This CPU lacks AVX2/FMA: rebuild from source with `npm_config_build_from_source=true npm_config_ricciflow_march=x86-64 npm rebuild ricciflow`.'
      : ' Build it with `npm run build:gyp` (needs g++, make, python3; Eigen is vendored) or install a package with prebuilds.';
    throw new NativeError(`ricciflow: cannot load the native addon: ${(err as Error).message}.${hint}`);
  }
  const addon = checkAddon(raw, from);
  addon.registerErrors({ invalidArgument: InvalidArgumentError, cancelled: CancelledError, outOfMemory: OutOfMemoryError, native: NativeError });
  return addon;
}

export const addon: NativeAddon = load();

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
 * progress callback (the addon's errors are already typed). Input objects stay referenced by the native
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
  } finally {
    settled = true;
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}
