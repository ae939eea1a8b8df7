/**
 * Shards of a sweep's grid, for job arrays (SLURM, Kubernetes Indexed Jobs; docs/sweeps.md):
 * which shard this process computes, the networks dealt to it, and its units of work.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { cells } from './grid.js';
import type { NetworkConfig } from './types.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const NO_SHARD: Shard = { index: 0, count: 1 };

function shardInt(v: string | undefined, what: string): number {
  if (v === undefined || !/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`--shard: ${what} must be a non-negative integer, got '${v ?? ''}'`, 'shard');
  return Number.parseInt(v, 10);
}

/** A shard as people count it: `I/N` with I from 1 (as in `--shard I/N`), or 'the whole grid'. */
export function formatShard(s: Shard): string {
  return `${s.index + 1}/${s.count}`;
}

/**
 * Which shard this process computes (stored 0-based in {@link Shard}):
 * - `--shard I/N`: I counted from 1 (1/N … N/N), as in Jest, Vitest and Playwright;
 * - `--shard-index I --shard-count N`: I counted from 0 (0 … N-1), for schedulers that number
 *   tasks from 0 (`--shard-index "$SLURM_ARRAY_TASK_ID"`, `$JOB_COMPLETION_INDEX`);
 * - `--shard slurm`: SLURM_ARRAY_TASK_ID relative to SLURM_ARRAY_TASK_MIN and _STEP, of
 *   SLURM_ARRAY_TASK_COUNT (or `--shard-count N`);
 * - `--shard k8s`: an Indexed Job's JOB_COMPLETION_INDEX, of `--shard-count N`.
 */
export function parseShard(arg: string | undefined, env: NodeJS.ProcessEnv = process.env, shardCount?: string, shardIndex?: string): Shard {
  if (shardIndex !== undefined) {
    if (arg !== undefined) throw new InvalidArgumentError('give --shard or --shard-index, not both', 'shard-index');
    if (shardCount === undefined) throw new InvalidArgumentError('--shard-index I needs --shard-count N (I counts from 0)', 'shard-count');
    const index = shardInt(shardIndex, '--shard-index');
    const count = shardInt(shardCount, '--shard-count');
    if (count < 1) throw new InvalidArgumentError(`--shard-count must be >= 1, got ${count}`, 'shard-count');
    if (index >= count) throw new InvalidArgumentError(`--shard-index ${index} is outside 0…${count - 1} (it counts from 0)`, 'shard-index');
    return { index, count };
  }
  if (arg === undefined) {
    if (shardCount !== undefined) throw new InvalidArgumentError('--shard-count goes with --shard k8s, --shard slurm or --shard-index', 'shard-count');
    return NO_SHARD;
  }
  let index: number, count: number;
  if (arg === 'slurm') {
    if (env.SLURM_ARRAY_TASK_ID === undefined)
      throw new InvalidArgumentError('--shard slurm: SLURM_ARRAY_TASK_ID is not set (submit with sbatch --array=0-N)', 'shard');
    const id = shardInt(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN !== undefined ? shardInt(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
    const step = env.SLURM_ARRAY_TASK_STEP !== undefined ? Math.max(1, shardInt(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP')) : 1;
    count =
      shardCount !== undefined
        ? shardInt(shardCount, '--shard-count')
        : env.SLURM_ARRAY_TASK_COUNT !== undefined
          ? shardInt(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT')
          : NaN;
    if (Number.isNaN(count)) throw new InvalidArgumentError('--shard slurm: SLURM_ARRAY_TASK_COUNT is not set (or give --shard-count N)', 'shard');
    if ((id - min) % step !== 0) throw new InvalidArgumentError(`--shard slurm: task id ${id} is not on the array's step ${step} from ${min}`, 'shard');
    index = (id - min) / step;
  } else if (arg === 'k8s' || arg === 'kubernetes') {
    if (env.JOB_COMPLETION_INDEX === undefined)
      throw new InvalidArgumentError('--shard k8s: JOB_COMPLETION_INDEX is not set (run as a Kubernetes Indexed Job)', 'shard');
    index = shardInt(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX');
    if (shardCount === undefined) throw new InvalidArgumentError('--shard k8s needs --shard-count N (the Job\'s completions)', 'shard-count');
    count = shardInt(shardCount, '--shard-count');
  } else {
    const m = /^(\d+)\/(\d+)$/.exec(arg.trim());
    if (!m) throw new InvalidArgumentError(`--shard: expected I/N (I from 1 to N, e.g. 1/4), slurm or k8s; got '${arg}'`, 'shard');
    if (shardCount !== undefined) throw new InvalidArgumentError('--shard-count goes with --shard k8s (I/N already names the count)', 'shard-count');
    count = Number(m[2]);
    const i = Number(m[1]);
    if (count >= 1 && (i < 1 || i > count))
      throw new InvalidArgumentError(
        `--shard ${arg}: I counts from 1 to ${count} (as in Jest/Vitest/Playwright)${i === 0 ? `; for 0-based indices use --shard-index ${i} --shard-count ${count}` : ''}`,
        'shard',
      );
    index = i - 1;
  }
  if (count < 1) throw new InvalidArgumentError(`--shard: the shard count must be >= 1, got ${count}`, 'shard');
  if (index < 0 || index >= count) throw new InvalidArgumentError(`--shard: index ${index} is outside 0…${count - 1}`, 'shard');
  return { index, count };
}

/**
 * The networks of one shard: the grid, in its fixed order (dataset, architecture, depth, seed),
 * dealt round-robin. Each shard thus gets an even share of every cell (the replicates of one
 * dataset × architecture × depth), so shards cost about the same; every network belongs to exactly
 * one shard, and shard sizes differ by at most one.
 */
export function selectShard(configs: readonly NetworkConfig[], shard: Shard): NetworkConfig[] {
  return configs.filter((_, i) => i % shard.count === shard.index);
}

/** Units of work: the cells of `configs` (same everything but the seed) in chunks of ≤ `group`. */
export function workUnits(configs: readonly NetworkConfig[], group: number): NetworkConfig[][] {
  if (!Number.isSafeInteger(group) || group < 1) throw new InvalidArgumentError(`group must be a positive integer, got ${group}`, 'group');
  const out: NetworkConfig[][] = [];
  for (const cell of cells([...configs])) for (let i = 0; i < cell.length; i += group) out.push(cell.slice(i, i + group));
  return out;
}

