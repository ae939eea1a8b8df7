/**
 * The documented SLURM job array, run on a real single-node SLURM cluster (test/helpers/
 * slurm-cluster.ts: munged, slurmctld, slurmd from Debian's slurm-wlm and munge):
 * - docs/slurm/sweep.sbatch as an array of 2 on the `quick` preset, then docs/slurm/merge.sbatch
 *   with --dependency=afterok: the merged records equal the unsharded sweep's, record for record;
 * - the same script under `--time=1` on a slice too large for a minute: SLURM's time limit stops
 *   both tasks (TIMEOUT, the sweep's SIGTERM path), each timed-out task is resubmitted alone
 *   (`--array=I`) and continues where it stopped: earlier records untouched, none computed twice,
 *   every network present.
 * docs/sweeps.md shows both scripts verbatim (checked always). The cluster tests take a few
 * minutes, so they run only with RICCIFLOW_SLURM=1 (skipped, with the reason, where SLURM cannot
 * start) or RICCIFLOW_SLURM=require (fail instead; .ci/run sets it).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { configId } from '../../src/study/network.js';
import { resolveSweep, selectShard, sweepConfigs } from '../../src/study/sweep.js';
import { recordLines, recordsIn, ricciflow, root, stableRecord } from '../helpers/cli.js';
import { sbatch, slurmUnavailable, startSlurm, waitJob, type SlurmCluster } from '../helpers/slurm-cluster.js';

const SWEEP_SBATCH = join(root, 'docs', 'slurm', 'sweep.sbatch');
const MERGE_SBATCH = join(root, 'docs', 'slurm', 'merge.sbatch');

const MODE = process.env.RICCIFLOW_SLURM ?? '';
const REQUIRED = MODE === 'require';
const ENABLED = MODE !== '' && MODE !== '0';
const staticSkip = !ENABLED
  ? 'set RICCIFLOW_SLURM=1 to run it (a single-node SLURM cluster, a few minutes; .ci/run does)'
  : slurmUnavailable();
if (staticSkip && REQUIRED) throw new Error(`RICCIFLOW_SLURM=require, but SLURM cannot run here: ${staticSkip}`);
if (staticSkip) {
  console.warn(`test/slurm.test.ts: cluster tests skipped, ${staticSkip}.`);
  describe('SLURM (single-node cluster)', () => {
    it.skip(`skipped: ${staticSkip}`, () => {});
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

describe('docs/sweeps.md', () => {
  it('shows docs/slurm/sweep.sbatch and merge.sbatch verbatim (the scripts the cluster test submits)', async () => {
    const doc = await readFile(join(root, 'docs', 'sweeps.md'), 'utf8');
    for (const f of [SWEEP_SBATCH, MERGE_SBATCH]) {
      const script = await readFile(f, 'utf8');
      expect(doc.includes('```sh\n' + script + '```\n'), `${f} is not in docs/sweeps.md verbatim`).toBe(true);
    }
  });
});

let cluster: SlurmCluster | null = null;
let startFailure = '';
/** A directory standing for the user's project: node_modules/ricciflow (this package) and its bin. */
let project = '';
let results = '';
/** Seconds per network (training + analysis) measured in the first array, for sizing the second. */
let secondsPerNetwork = 0;

/** Job logs for failure messages: the project directory's *.out files (the scripts' --output). */
async function jobLogs(prefix: string): Promise<string> {
  const files = (await readdir(project)).filter((f) => f.startsWith(prefix) && f.endsWith('.out')).sort();
  const parts = await Promise.all(files.map(async (f) => `--- ${f}\n${(await readFile(join(project, f), 'utf8')).replace(/\r/g, '\n').split('\n').filter((l) => !l.startsWith('networks [')).join('\n')}`));
  return parts.join('\n') + (cluster ? `\n${await cluster.logs()}` : '');
}

async function jobLog(jobId: string, task: number | null): Promise<string> {
  const name = task === null ? `ricciflow-merge-${jobId}.out` : `ricciflow-sweep-${jobId}_${task}.out`;
  return readFile(join(project, name), 'utf8').catch(() => '');
}

describe.skipIf(staticSkip !== null)('SLURM (single-node cluster)', () => {
  beforeAll(async () => {
    try {
      cluster = await startSlurm();
    } catch (err) {
      startFailure = (err as Error).message;
      if (REQUIRED) throw err;
      console.warn(`test/slurm.test.ts: cluster tests skipped, SLURM did not start: ${startFailure}`);
      return;
    }
    // The scripts run `ricciflow` from $SLURM_SUBMIT_DIR/node_modules/.bin, as after
    // `npm install ricciflow` in a project: lay this package out that way and submit from there.
    project = join(cluster.dir, 'project');
    results = join(cluster.dir, 'results');
    await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
    await mkdir(results);
    await symlink(root, join(project, 'node_modules', 'ricciflow'));
    await symlink('../ricciflow/bin/ricciflow.js', join(project, 'node_modules', '.bin', 'ricciflow'));
  }, 180_000);

  afterAll(async () => {
    if (cluster) await cluster.stop(process.env.RICCIFLOW_SLURM_KEEP === '1');
  }, 120_000);

  /** The documented script's memory request, unless the node has less. */
  const memArgs = (): string[] => (cluster && cluster.realMemoryMiB < 3 * 1024 ? ['--mem=512M'] : []);

  it('the documented array (quick preset, 2 shards) and merge job equal the unsharded sweep, record for record', async (ctx) => {
    if (!cluster) return ctx.skip(`SLURM did not start: ${startFailure}`);
    const out = join(results, 'quick');
    const env = { PRESET: 'quick', SHARDS: '2', OUT: out };
    // As documented: PRESET=quick SHARDS=2 sbatch --array=0-1 sweep.sbatch (one CPU per task here).
    const array = await sbatch(cluster, ['--array=0-1', '--cpus-per-task=1', ...memArgs(), SWEEP_SBATCH], { env, cwd: project });
    const merge = await sbatch(cluster, [`--dependency=afterok:${array}`, ...memArgs(), MERGE_SBATCH], { env, cwd: project });
    const tasks = await waitJob(cluster, array, 600_000);
    // The same sweep unsharded, outside SLURM (after the array: its timings size the next test).
    const full = join(results, 'quick-unsharded');
    const unsharded = await ricciflow(['sweep', '--preset', 'quick', '--out', full, '--workers', '1', '--quiet']);
    expect(unsharded.code, unsharded.stderr).toBe(0);
    const merged = await waitJob(cluster, merge, 300_000);
    const logs = await jobLogs('ricciflow-');
    expect(tasks.map((t) => [t.task, t.state]), logs).toEqual([
      [0, 'COMPLETED'],
      [1, 'COMPLETED'],
    ]);
    expect(merged.map((t) => t.state), logs).toEqual(['COMPLETED']);
    for (const t of [0, 1]) expect(await jobLog(array, t)).toMatch(new RegExp(`shard ${t + 1}/2\\n\\s+9 networks in this shard, 0 already done, 9 to compute`));
    expect(await jobLog(merge, null)).toMatch(/merged 18\/18 networks of 'quick'/);

    const a = await recordsIn(join(out, 'merged'));
    const b = await recordsIn(full);
    const gridIds = sweepConfigs(resolveSweep((JSON.parse((await ricciflow(['sweep', '--print-preset', 'quick'])).stdout) as object))).map(configId);
    expect(a.map((r) => r.id)).toEqual(gridIds); // grid order
    const byId = new Map(b.map((r) => [r.id, r]));
    expect(b.length).toBe(18);
    for (const r of a) expect(stableRecord(r)).toEqual(stableRecord(byId.get(r.id)!));
    expect(a.every((r) => r.status === 'ok')).toBe(true);
    const stats = JSON.parse(await readFile(join(out, 'merged', 'stats.json'), 'utf8')) as { counts: { networks: number } };
    expect(stats.counts.networks).toBe(18);

    secondsPerNetwork = median(a.map((r) => (r.trainSeconds ?? 0) + (r.analysisSeconds ?? 0)));
  }, 900_000);

  it('a task stopped by its time limit (--time=1), resubmitted alone, continues where it stopped', async (ctx) => {
    if (!cluster) return ctx.skip(`SLURM did not start: ${startFailure}`);
    const preset = JSON.parse((await ricciflow(['sweep', '--print-preset', 'quick'])).stdout) as Record<string, unknown>;
    // Two tasks, one worker each: size the grid for about 150 s of work at the pace just measured,
    // so the limit (enforced 60–90 s after the start) falls mid-way, with every task having
    // written records. A faster machine than measured gets a second, 3× larger attempt.
    const perNetwork = secondsPerNetwork > 0 ? secondsPerNetwork : 1;
    let replicates = Math.min(400, Math.max(6, Math.ceil((2 * 150) / perNetwork / 6)));

    for (let attempt = 1; ; attempt++) {
      const name = `quick-time-limit-${attempt}`;
      const config = join(results, `${name}.json`);
      const { seeds: _seeds, description: _d, ...rest } = preset;
      void _seeds, _d;
      const sweep = { ...rest, name, replicates };
      await writeFile(config, JSON.stringify(sweep, null, 2));
      const out = join(results, name);
      const env = { CONFIG: config, SHARDS: '2', OUT: out };
      const spec = resolveSweep(sweep);
      const grid = sweepConfigs(spec);
      const shardIds = [0, 1].map((i) => selectShard(grid, { index: i, count: 2 }).map(configId));

      const job = await sbatch(cluster, ['--array=0-1', '--cpus-per-task=1', '--time=1', ...memArgs(), SWEEP_SBATCH], { env, cwd: project });
      const tasks = await waitJob(cluster, job, 600_000);
      const logs = await jobLogs(`ricciflow-sweep-${job}_`);
      for (const t of tasks) expect(['TIMEOUT', 'COMPLETED'], logs).toContain(t.state);
      const timedOut = tasks.filter((t) => t.state === 'TIMEOUT').map((t) => t.task!);
      if (timedOut.length === 0) {
        expect(attempt, `the time limit never hit (${grid.length} networks in under a minute, twice):\n${logs}`).toBe(1);
        replicates *= 3;
        continue;
      }

      // Each stopped task: the sweep took SLURM's SIGTERM, saved what was finished and exited 143.
      const before = new Map<number, string>();
      for (const t of timedOut) {
        const log = await jobLog(job, t);
        expect(log, logs).toMatch(/ricciflow sweep: SIGTERM: stopping; finished networks are saved/);
        expect(log, logs).toMatch(/ricciflow sweep: interrupted; \d+ networks remain/);
        expect(log, logs).toMatch(/exit code 143/);
        const dir = join(out, `shard-${t}`);
        expect(existsSync(join(dir, '.lock')), 'the stopped sweep left its lock').toBe(false);
        const done = await recordLines(dir);
        expect(done.length, `task ${t} wrote no record before its time limit:\n${logs}`).toBeGreaterThan(0);
        expect(done.length).toBeLessThan(shardIds[t]!.length);
        before.set(t, await readFile(join(dir, 'networks.jsonl'), 'utf8'));
      }

      // Resubmit each stopped task on its own (--array=I, a longer limit), as docs/sweeps.md says.
      const again = await Promise.all(
        timedOut.map((t) => sbatch(cluster!, [`--array=${t}`, '--cpus-per-task=1', '--time=20', ...memArgs(), SWEEP_SBATCH], { env, cwd: project })),
      );
      for (const [i, t] of timedOut.entries()) {
        const st = await waitJob(cluster, again[i]!, 900_000);
        const log = await jobLog(again[i]!, t);
        expect(st.map((s) => [s.task, s.state]), await jobLogs(`ricciflow-sweep-${again[i]}_`)).toEqual([[t, 'COMPLETED']]);
        const n = shardIds[t]!.length;
        const had = before.get(t)!.split('\n').filter((l) => l.length > 0).length;
        expect(log).toMatch(new RegExp(`shard ${t + 1}/2\\n\\s+${n} networks in this shard, ${had} already done, ${n - had} to compute`));
        // The records written before the limit are untouched, nothing is computed twice.
        const text = await readFile(join(out, `shard-${t}`, 'networks.jsonl'), 'utf8');
        expect(text.startsWith(before.get(t)!)).toBe(true);
        const ids = (await recordsIn(join(out, `shard-${t}`))).map((r) => r.id);
        expect(ids.length).toBe(n);
        expect(new Set(ids).size).toBe(n);
        expect([...ids].sort()).toEqual([...shardIds[t]!].sort());
      }

      // Every network of the grid is there, once.
      const m = await ricciflow(['merge', join(out, 'merged'), join(out, 'shard-0'), join(out, 'shard-1'), '--json']);
      expect(m.code, m.stderr).toBe(0);
      const mj = JSON.parse(m.stdout) as { networks: number; grid: number };
      expect([mj.networks, mj.grid]).toEqual([grid.length, grid.length]);
      const merged = await recordsIn(join(out, 'merged'));
      expect(merged.map((r) => r.id)).toEqual(grid.map(configId));
      expect(merged.every((r) => r.status === 'ok')).toBe(true);
      return;
    }
  }, 1_800_000);
});
