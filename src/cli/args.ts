/**
 * Command-line parsing shared by the verbs: `--help`, integer, number and curvature options, and
 * the `--threads` / `--workers` pair of the verbs that compute networks. Every bad value is an
 * InvalidArgumentError naming the option (exit status 2, src/cli/output.ts).
 */
import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { CURVATURE_NAMES, type CurvatureName } from '../analysis/geometry.js';
import { InvalidArgumentError } from '../core/errors.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
type VerbConfig<O extends OptionsConfig> = { args: string[]; allowPositionals: boolean; options: O & typeof HELP_OPTION };

/**
 * A verb's arguments by `parseArgs` (strict: an unknown option is a usage error), with
 * `--help` / `-h` added. Returns null when --help was given, after printing `help` on stdout
 * (the verb then exits 0). `allowPositionals: false` refuses any positional argument.
 */
export function verbArgs<const O extends OptionsConfig>(
  argv: string[],
  help: string,
  options: O,
  allowPositionals = true,
): ReturnType<typeof parseArgs<VerbConfig<O>>> | null {
  const config: VerbConfig<O> = { args: argv, allowPositionals, options: { ...options, ...HELP_OPTION } };
  const parsed = parseArgs(config);
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help + '\n');
    return null;
  }
  return parsed;
}

export function parseIntOption(v: string | undefined, name: string, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new InvalidArgumentError(`--${name} is required`, name);
    return fallback;
  }
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`--${name}: expected an integer, got '${v}'`, name);
  return Number.parseInt(v, 10);
}

/** {@link parseIntOption} for a count: at least 1. */
export function parseCountOption(v: string | undefined, name: string, fallback?: number): number {
  const n = parseIntOption(v, name, fallback);
  if (n < 1) throw new InvalidArgumentError(`--${name}: must be >= 1`, name);
  return n;
}

export function parseNumberOption(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`--${name}: expected a number, got '${v}'`, name);
  return x;
}

export function parseCurvatures(v: string | undefined, fallback: CurvatureName[] = ['forman']): CurvatureName[] {
  if (v === undefined) return fallback;
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const c of names)
    if (!CURVATURE_NAMES.includes(c as CurvatureName))
      throw new InvalidArgumentError(`--curvature: unknown curvature '${c}' (expected ${CURVATURE_NAMES.join(', ')})`, 'curvature');
  if (names.length === 0) throw new InvalidArgumentError('--curvature: empty list', 'curvature');
  return names as CurvatureName[];
}

/**
 * `--threads T` (native threads per task, default 1) and `--workers N` (tasks in flight, default
 * cores / T, at least 1), both at least 1; `cores` is the machine's available parallelism.
 */
export function parseParallelism(values: { threads?: string | undefined; workers?: string | undefined }): { threads: number; workers: number; cores: number } {
  const threads = parseCountOption(values.threads, 'threads', 1);
  const cores = availableParallelism();
  const workers = parseCountOption(values.workers, 'workers', Math.max(1, Math.floor(cores / threads)));
  return { threads, workers, cores };
}
