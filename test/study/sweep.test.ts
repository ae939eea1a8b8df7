/**
 * Sweeps end to end through the real command (`node bin/ricciflow.js`, built into dist/ first):
 * a sweep SIGKILLed mid-way and re-run finishes with every network exactly once; a torn last
 * record is detected, reported and repaired; N shards merged equal the unsharded sweep record for
 * record (training is deterministic per seed); merge refuses mixed sweeps; sweep files are
 * validated with messages naming the key.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { InvalidArgumentError } from '../../src/core/errors.js';
import { gridConfigs } from '../../src/study/grid.js';
import { acquireDirLock } from '../../src/study/lock.js';
import { configId } from '../../src/study/network.js';
import {
  NO_SHARD,
  PRESETS,
  parseShard,
  prepareSweepDir,
  presetSweep,
  resolveSweep,
  selectShard,
  sweepConfigs,
  workUnits,
} from '../../src/study/sweep.js';
import type { NetworkRecord } from '../../src/study/types.js';
import { bin, recordLines, recordsIn, ricciflow, root, stableRecord, tempDir } from '../helpers/cli.js';


/** A tiny grid: 3 synthetic datasets × 2 architectures × depth 3 × 2 seeds = 12 networks. */
const SWEEP = {
  name: 'test-grid',
  datasets: ['A', 'B', 'C'],
  architectures: ['narrow', 'wide'],
  depths: [3],
  seeds: [0, 1],
  k: [8],
  curvatures: ['forman'],
  training: { epochs: 30 },
  data: { nTrain: 1500, nTest: 120 },
};
const N = 12;

const tmp = tempDir('sweep');
let configPath: string;
const gridIds = sweepConfigs(resolveSweep(SWEEP)).map(configId);

beforeAll(async () => {
  // The CLI runs from dist/, built once by test/global-setup.ts.
  if (!existsSync(join(root, 'dist', 'cli', 'sweep.js'))) throw new Error('dist/cli/sweep.js was not built');
  configPath = join(tmp, 'sweep.json');
  await writeFile(configPath, JSON.stringify(SWEEP));
});

describe('resumable sweep', () => {
  it('killed with SIGKILL after its first record, re-run finishes with every network exactly once', async () => {
    const dir = join(tmp, 'full');
    const child = spawn(process.execPath, [bin, 'sweep', '--config', configPath, '--out', dir, '--workers', '1'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    const file = join(dir, 'networks.jsonl');
    // Kill as soon as the first complete record is on disk.
    await new Promise<void>((res, rej) => {
      const t = setInterval(async () => {
        const text = await readFile(file, 'utf8').catch(() => '');
        if (text.includes('\n')) {
          clearInterval(t);
          child.kill('SIGKILL');
          res();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(t);
        rej(new Error(`sweep ended before it could be killed:\n${stderr}`));
      });
    });
    expect(await exited).toBe('SIGKILL');
    const partial = await recordLines(dir);
    expect(partial.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeLessThan(N); // killed mid-way
    for (const l of partial) JSON.parse(l); // every line on disk is a whole record

    const again = await ricciflow(['sweep', '--config', configPath, '--out', dir, '--workers', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/stale lock/); // the killed run's lock is taken over
    expect(again.stderr).toMatch(new RegExp(`${partial.length} already done, ${N - partial.length} to compute`));
    const recs = await recordsIn(dir);
    expect(recs.length).toBe(N);
    expect(recs.map((r) => r.id).sort()).toEqual([...gridIds].sort());
    expect(recs.every((r) => r.status === 'ok')).toBe(true);

    // Nothing left: a third run computes nothing.
    const third = await ricciflow(['sweep', '--out', dir]);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(new RegExp(`${N} already done, 0 to compute`));
    expect((await recordLines(dir)).length).toBe(N);
  });

  it('detects, reports and repairs a torn last record', async () => {
    const dir = join(tmp, 'torn');
    await cp(join(tmp, 'full'), dir, { recursive: true });
    const all = await recordLines(dir);
    const last = all[all.length - 1]!;
    const head = all.slice(0, -1).map((l) => l + '\n').join('');
    await writeFile(join(dir, 'networks.jsonl'), head + last.slice(0, Math.floor(last.length / 2)));
    const r = await ricciflow(['sweep', '--config', configPath, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/torn last record/);
    expect(r.stderr).toMatch(new RegExp(`${N - 1} already done, 1 to compute`));
    const text = await readFile(join(dir, 'networks.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const recs = text.trim().split('\n').map((l) => JSON.parse(l) as NetworkRecord);
    expect(recs.length).toBe(N);
    expect(new Set(recs.map((x) => x.id)).size).toBe(N);
    // the recomputed network equals the lost one (deterministic per seed)
    const lost = JSON.parse(last) as NetworkRecord;
    expect(stableRecord(recs.find((x) => x.id === lost.id)!)).toEqual(stableRecord(lost));
  });

  it('refuses to continue into a directory holding another sweep or another shard', async () => {
    const other = join(tmp, 'other.json');
    await writeFile(other, JSON.stringify({ ...SWEEP, training: { epochs: 31 } }));
    const r = await ricciflow(['sweep', '--config', other, '--out', join(tmp, 'full')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a different sweep \('test-grid'; differs in: training\.epochs\)/);
    const s = await ricciflow(['sweep', '--config', configPath, '--out', join(tmp, 'full'), '--shard', '1/2']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/holds the whole grid of this sweep, not shard 1\/2/);
    const zero = await ricciflow(['sweep', '--config', configPath, '--out', join(tmp, 'never'), '--shard', '0/2']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/I counts from 1 to 2.*--shard-index 0 --shard-count 2/);
  });

  it('exports summary.csv', async () => {
    await rm(join(tmp, 'full', 'summary.csv'), { force: true });
    const r = await ricciflow(['sweep', '--export-csv', join(tmp, 'full')]);
    expect(r.code, r.stderr).toBe(0);
    const csv = (await readFile(join(tmp, 'full', 'summary.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^id,dataset,architecture,depth/);
    expect(csv.length).toBe(1 + N); // one k, one curvature
  });

  it('stats reads the results directory and writes JSON', async () => {
    const json = join(tmp, 'stats.json');
    const r = await ricciflow(['stats', join(tmp, 'full'), '--threshold', '0.5', '--out', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/networks: 12; retained/);
    expect(r.stdout).toMatch(/Pooled layer-skip correlation/);
    const s = JSON.parse(await readFile(json, 'utf8')) as { counts: { networks: number }; k: number };
    expect(s.counts.networks).toBe(N);
    expect(s.k).toBe(8);
    // --json: the same JSON on stdout, nothing else
    const j = await ricciflow(['stats', join(tmp, 'full'), '--threshold', '0.5', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const sj = JSON.parse(j.stdout) as { counts: { networks: number }; meta: { inputs: { sha256: string }[] } };
    expect(sj.counts).toEqual(s.counts);
    expect(sj.meta.inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('shards', () => {
  it('3 shards (I/N, SLURM array, Kubernetes index) merged equal the unsharded sweep, record for record', async () => {
    const dirs = [0, 1, 2].map((i) => join(tmp, `shard-${i}`));
    const runs = await Promise.all([
      ricciflow(['sweep', '--config', configPath, '--out', dirs[0]!, '--shard', '1/3', '--workers', '1']),
      // an array submitted as --array=1-3: task 2 is the second shard
      ricciflow(['sweep', '--config', configPath, '--out', dirs[1]!, '--shard', 'slurm', '--workers', '1'], {
        env: { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' },
      }),
      ricciflow(['sweep', '--config', configPath, '--out', dirs[2]!, '--shard', 'k8s', '--shard-count', '3', '--workers', '1'], { env: { JOB_COMPLETION_INDEX: '2' } }),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const sizes = await Promise.all(dirs.map(async (d) => (await recordLines(d)).length));
    expect(sizes.reduce((a, b) => a + b)).toBe(N);
    for (const s of sizes) expect(s).toBeGreaterThan(0);

    const merged = join(tmp, 'merged');
    const m = await ricciflow(['merge', merged, ...dirs, '--json']);
    expect(m.code, m.stderr).toBe(0);
    const mj = JSON.parse(m.stdout) as { networks: number; grid: number; inputs: { shard: { label: string } }[]; meta: { version: string } };
    expect([mj.networks, mj.grid]).toEqual([12, 12]);
    expect(mj.inputs.map((i) => i.shard.label)).toEqual(['1/3', '2/3', '3/3']);
    expect(mj.meta.version).toMatch(/^\d/);
    const a = await recordsIn(merged);
    const b = await recordsIn(join(tmp, 'full'));
    // merged output is in grid order
    expect(a.map((r) => r.id)).toEqual(gridIds);
    const byId = new Map(b.map((r) => [r.id, r]));
    expect(a.length).toBe(b.length);
    for (const r of a) expect(stableRecord(r)).toEqual(stableRecord(byId.get(r.id)!));
    expect(existsSync(join(merged, 'summary.csv'))).toBe(true);

    // merging again (overlapping inputs) deduplicates
    const again = await ricciflow(['merge', merged, dirs[0]!, join(tmp, 'full')]);
    expect(again.code, again.stderr).toBe(0);
    expect((await recordLines(merged)).length).toBe(N);
  });

  it('merge refuses directories of different sweeps', async () => {
    const odd = join(tmp, 'odd');
    const spec = resolveSweep({ ...SWEEP, k: [9] });
    const n = sweepConfigs(spec).length;
    await prepareSweepDir(odd, spec, NO_SHARD, n, n);
    await writeFile(join(odd, 'networks.jsonl'), '');
    const r = await ricciflow(['merge', join(tmp, 'mixed'), join(tmp, 'shard-0'), odd]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a different sweep than .*shard-0 \(differs in: k\); refusing to mix sweeps/);
    expect(existsSync(join(tmp, 'mixed', 'networks.jsonl'))).toBe(false);
  });

  it('sweep --dry-run --json prints the shard plan as JSON on stdout', async () => {
    const r = await ricciflow(['sweep', '--config', configPath, '--out', join(tmp, 'dry'), '--shard', '2/2', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { grid: number; networks: number; shard: { index: number; count: number; label: string }; ids: string[]; meta: { inputs: { path: string }[] } };
    expect(j.grid).toBe(N);
    expect(j.shard).toEqual({ index: 1, count: 2, label: '2/2' });
    expect(j.ids).toEqual(gridIds.filter((_, i) => i % 2 === 1));
    expect(j.meta.inputs[0]!.path).toBe(configPath);
    expect(existsSync(join(tmp, 'dry'))).toBe(false);
  });

  it('deals every network to exactly one shard, for any shard count', () => {
    const configs = sweepConfigs(presetSweep('quick'));
    const ids = configs.map(configId);
    for (const count of [1, 2, 3, 5, 7, 40]) {
      const parts = Array.from({ length: count }, (_, index) => selectShard(configs, { index, count }).map(configId));
      const flat = parts.flat();
      expect(flat.length).toBe(ids.length);
      expect(new Set(flat)).toEqual(new Set(ids));
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    // groups never mix cells
    for (const u of workUnits(configs, 2)) expect(new Set(u.map((c) => `${c.dataset}/${c.architecture}/${c.depth}`)).size).toBe(1);
  });

  it('parses --shard I/N (1-based), --shard-index (0-based), slurm and k8s', () => {
    expect(parseShard(undefined)).toEqual({ index: 0, count: 1 });
    expect(parseShard('2/5')).toEqual({ index: 1, count: 5 });
    expect(parseShard('5/5')).toEqual({ index: 4, count: 5 });
    expect(parseShard(undefined, {}, '5', '0')).toEqual({ index: 0, count: 5 });
    expect(parseShard(undefined, {}, '5', '4')).toEqual({ index: 4, count: 5 });
    expect(() => parseShard(undefined, {}, '5', '5')).toThrow(/outside 0…4/);
    expect(() => parseShard(undefined, {}, undefined, '1')).toThrow(/needs --shard-count/);
    expect(() => parseShard('1/2', {}, '2', '1')).toThrow(/not both/);
    expect(() => parseShard('0/5')).toThrow(/I counts from 1 to 5/);
    expect(parseShard('slurm', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('slurm', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '5' })).toEqual({
      index: 3,
      count: 5,
    });
    expect(parseShard('k8s', { JOB_COMPLETION_INDEX: '0' }, '8')).toEqual({ index: 0, count: 8 });
    expect(() => parseShard('6/5')).toThrow(/I counts from 1 to 5/);
    expect(() => parseShard('1-3')).toThrow(/expected I\/N/);
    expect(() => parseShard('slurm', {})).toThrow(/SLURM_ARRAY_TASK_ID is not set/);
    expect(() => parseShard('k8s', { JOB_COMPLETION_INDEX: '1' })).toThrow(/needs --shard-count/);
  });
});

/** resolveSweep(raw, source) fails with an InvalidArgumentError naming `key`, its message matching. */
function expectSweepError(raw: unknown, source: string, key: string, message: RegExp): void {
  let err: unknown;
  try {
    resolveSweep(raw, source);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect((err as InvalidArgumentError).arg).toBe(key);
  expect((err as Error).message).toMatch(message);
}

describe('sweep files', () => {
  const bad = (patch: Record<string, unknown>, key: string, message: RegExp): void =>
    expectSweepError({ ...SWEEP, ...patch }, 'sweep file x.json', key, message);

  it('names the offending key', () => {
    bad({ epochs: 5 }, 'epochs', /^sweep file x\.json: 'epochs' is not a known key \(expected one of: name, description, datasets/);
    bad({ training: { epochs: '50' } }, 'training.epochs', /'training\.epochs' must be an integer, got the string "50"/);
    bad({ training: { epoch: 5 } }, 'training.epoch', /'training\.epoch' is not a known key \(expected one of: recipe, optimizer, epochs, batchSize/);
    bad({ data: { nTest: 100, scale: 'pixels' } }, 'data.scale', /must be one of raw, unit, got 'pixels'/);
    bad({ datasets: [] }, 'datasets', /'datasets' must not be empty/);
    bad({ datasets: 'A' }, 'datasets', /must be a non-empty list, got the string "A"/);
    bad({ datasets: ['A', 'mnist:1v1x'] }, 'datasets[1]', /unknown dataset 'mnist:1v1x'/);
    bad({ architectures: ['wide', 'deep'] }, 'architectures[1]', /must be one of narrow, wide, bottleneck or wN \(uniform width N, e.g. w25\), got the string "deep"/);
    bad({ architectures: ['bottleneck'], depths: [4] }, 'depths', /does not fit architecture 'bottleneck'/);
    bad({ seeds: [0, 0] }, 'seeds[1]', /repeats 0/);
    bad({ replicates: 3 }, 'replicates', /'seeds' are exclusive/);
    bad({ seeds: undefined }, 'seeds', /is required .* or give 'replicates'/);
    bad({ k: [8, 200] }, 'k', /k = 200 but the synthetic test sets have 120 points/);
    bad({ curvatures: ['forman', 'ricci'] }, 'curvatures[1]', /must be one of forman, augmented, approx-ollivier, ollivier/);
    bad({ training: { validationSplit: 1 } }, 'training.validationSplit', /must be in \[0, 1\), got 1/);
    expect(() => resolveSweep([1, 2])).toThrow(/a sweep must be a JSON object, got an array/);
  });

  it('fills defaults and resolves replicates', () => {
    const s = resolveSweep({ datasets: ['A'], architectures: ['wide'], depths: [5], replicates: 3 });
    expect(s.seeds).toEqual([0, 1, 2]);
    expect(s.training).toEqual({ recipe: 'seed', optimizer: 'rmsprop', epochs: 50, batchSize: 32, learningRate: 0.001, validationSplit: 0.2, init: 'glorot', backend: 'native' });
    expect(s).toMatchObject({ k: [30], curvatures: ['forman'], mode: 'union', layers: 'all', node: 'mean', keepLocal: true });
  });

  it('reports a bad file from the command line', async () => {
    const f = join(tmp, 'bad.json');
    await writeFile(f, JSON.stringify({ ...SWEEP, training: { epochs: -1 } }));
    const r = await ricciflow(['sweep', '--config', f, '--out', join(tmp, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidArgumentError: sweep file .*bad\.json: 'training\.epochs' must be >= 0, got -1/);
    await writeFile(f, '{ "datasets": [');
    const j = await ricciflow(['sweep', '--config', f, '--out', join(tmp, 'never')]);
    expect(j.code).toBe(1); // a format error, not a usage error
    expect(j.stderr).toMatch(/is not valid JSON/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('has the presets the study needs', () => {
    for (const name of Object.keys(PRESETS)) expect(() => presetSweep(name)).not.toThrow();
    const seed = presetSweep('seed-paper');
    const n = sweepConfigs(seed).length;
    expect(n).toBeGreaterThanOrEqual(1500);
    expect(seed.datasets).toEqual(['A', 'B', 'C', 'fashion-mnist:5v9', 'fashion-mnist:6v4', 'mnist:1v7', 'mnist:6v8']);
    expect(seed.architectures.length * seed.depths.length).toBe(6);
    expect(seed.training).toMatchObject({ epochs: 50, batchSize: 32 });
    const follow = presetSweep('follow-up');
    expect(follow.datasets).toEqual(['fashion-mnist:5v7', 'fashion-mnist:3v6', 'mnist:1v7', 'mnist:6v9', 'syn1', 'syn2', 'syn3', 'syn4']);
    expect(follow.architectures).toEqual(['w15', 'w25', 'w50']);
    expect(follow.depths).toEqual([7, 10, 15]);
    expect(sweepConfigs(follow)).toHaveLength(8 * 9 * 3);
    const img = sweepConfigs(follow).find((c) => c.dataset === 'mnist:6v9' && c.architecture === 'w25' && c.depth === 10)!;
    expect(img.data).toEqual({ dataSeed: 0, scale: 'unit', balanced: 500 });
    expect(img.widths).toEqual(new Array(10).fill(25));
    expect(img.training).toEqual({
      recipe: 'follow-up', optimizer: 'adam', epochs: 20000, batchSize: 'full', learningRate: 0.001, validationSplit: 0,
      init: 'pytorch', stopAtTrainAccuracy: 0.99, maxEpochs: 20000, backend: 'native',
    });
    expect(img.analysis).toEqual({ k: [50], curvatures: ['augmented'], mode: 'union', layers: 'all', node: 'mean', alpha: 0.5 });
    const syn = sweepConfigs(follow).find((c) => c.dataset === 'syn1')!;
    expect(syn.data).toEqual({ dataSeed: 0, nTrain: 1000, nTest: 1000, noise: 0.03 });
    expect(sweepConfigs(follow).find((c) => c.dataset === 'syn3')!.data).toEqual({ dataSeed: 0, nTrain: 1000, nTest: 1000 });
    expect(seed.training).toMatchObject({ recipe: 'seed', optimizer: 'rmsprop', init: 'glorot' });
  });
});

describe('recipes and uniform widths in sweep files', () => {
  const base = { datasets: ['A'], depths: [3], seeds: [0], data: { nTest: 120 } };
  const fails = (raw: Record<string, unknown>, key: string, message: RegExp): void => expectSweepError(raw, 'sweep file r.json', key, message);

  it('crosses widths with depths as uniform-width networks', () => {
    const s = resolveSweep({ ...base, widths: [15, 50], depths: [2, 3] });
    expect(s.architectures).toEqual(['w15', 'w50']);
    const cs = sweepConfigs(s);
    expect(cs.map((c) => [c.architecture, c.depth, c.widths])).toEqual([
      ['w15', 2, [15, 15]], ['w15', 3, [15, 15, 15]], ['w50', 2, [50, 50]], ['w50', 3, [50, 50, 50]],
    ]);
    // The resolved form re-resolves to itself (sweep.json is re-validated on reading).
    expect(resolveSweep(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(resolveSweep({ ...base, architectures: ['w25', 'narrow'] }).architectures).toEqual(['w25', 'narrow']);
  });

  it('takes the defaults of a recipe and lets explicit keys override them', () => {
    const f = resolveSweep({ ...base, architectures: ['w25'], training: { recipe: 'follow-up' } });
    expect(f.training).toEqual({
      recipe: 'follow-up', optimizer: 'adam', epochs: 20000, batchSize: 'full', learningRate: 0.001, validationSplit: 0,
      init: 'pytorch', stopAtTrainAccuracy: 0.99, maxEpochs: 20000, backend: 'native',
    });
    expect(resolveSweep(JSON.parse(JSON.stringify(f)))).toEqual(f);
    const o = resolveSweep({ ...base, architectures: ['w25'], training: { recipe: 'follow-up', batchSize: 64, maxEpochs: 300, init: 'glorot' } });
    expect(o.training).toMatchObject({ recipe: 'follow-up', optimizer: 'adam', batchSize: 64, init: 'glorot', stopAtTrainAccuracy: 0.99, maxEpochs: 300, epochs: 300 });
    const off = resolveSweep({ ...base, architectures: ['w25'], training: { recipe: 'follow-up', stopAtTrainAccuracy: null, epochs: 40 } });
    expect(off.training.stopAtTrainAccuracy).toBeUndefined();
    expect(off.training).toMatchObject({ optimizer: 'adam', epochs: 40 });
    const seedStop = resolveSweep({ ...base, architectures: ['wide'], training: { optimizer: 'adam', batchSize: 'full', stopAtTrainAccuracy: 0.95, maxEpochs: 100 } });
    expect(seedStop.training).toMatchObject({ recipe: 'seed', optimizer: 'adam', batchSize: 'full', stopAtTrainAccuracy: 0.95, maxEpochs: 100, epochs: 100, init: 'glorot' });
    const c = sweepConfigs(seedStop)[0]!;
    expect(c.training).toMatchObject({ recipe: 'seed', optimizer: 'adam', batchSize: 'full', stopAtTrainAccuracy: 0.95, maxEpochs: 100 });
  });

  it('refuses bad recipe keys with the key named', () => {
    fails({ ...base, architectures: ['wide'], widths: [25] }, 'widths', /'widths' and 'architectures' are exclusive/);
    fails({ ...base }, 'architectures', /is required .* or give 'widths'/);
    fails({ ...base, widths: [25, 0] }, 'widths[1]', /must be a positive integer \(a hidden width\), got number 0/);
    fails({ ...base, widths: [25, 25] }, 'widths[1]', /repeats "w25"/);
    fails({ ...base, architectures: ['w0'] }, 'architectures[0]', /narrow, wide, bottleneck or wN/);
    fails({ ...base, architectures: ['w25'], training: { recipe: 'keras' } }, 'training.recipe', /must be one of seed, follow-up, got the string "keras"/);
    fails({ ...base, architectures: ['w25'], training: { optimizer: 'sgd' } }, 'training.optimizer', /must be one of rmsprop, adam/);
    fails({ ...base, architectures: ['w25'], training: { batchSize: 'all' } }, 'training.batchSize', /positive integer or "full", got the string "all"/);
    fails({ ...base, architectures: ['w25'], training: { batchSize: 0 } }, 'training.batchSize', /must be >= 1, got 0/);
    fails({ ...base, architectures: ['w25'], training: { init: 'he' } }, 'training.init', /must be one of glorot, pytorch/);
    fails({ ...base, architectures: ['w25'], training: { stopAtTrainAccuracy: 99 } }, 'training.stopAtTrainAccuracy', /in \(0, 1\]/);
    fails({ ...base, architectures: ['w25'], training: { maxEpochs: 100 } }, 'training.maxEpochs', /caps a stop rule/);
    fails({ ...base, architectures: ['w25'], training: { recipe: 'follow-up', epochs: 10, maxEpochs: 20 } }, 'training.epochs', /must equal it or be left out/);
    fails({ ...base, architectures: ['w25'], training: { recipe: 'follow-up', backend: 'tfjs' } }, 'training.backend', /tfjs trains the seed recipe only/);
    fails({ ...base, architectures: ['w25'], data: { nTest: 120, noise: { syn9: 0.1 } } }, 'data.noise.syn9', /names no synthetic dataset of this sweep \(A\)/);
  });
});

describe('ricciflow run with grid options goes through the sweep runner', () => {
  const args = (out: string) => [
    'run', '--datasets', 'A', '--architectures', 'narrow', '--depth', '2', '--seeds', '0,1', '--epochs', '3',
    '--n-train', '150', '--n-test', '60', '--k', '8,12', '--curvature', 'forman,augmented', '--out', out, '--no-report', '-q',
  ];

  it('holds the directory lock, and keeps its own record ids', async () => {
    const out = join(tmp, 'run-grid');
    const lock = await acquireDirLock(out, () => undefined);
    try {
      const busy = await ricciflow(args(out));
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(/in use by another ricciflow process/);
    } finally {
      await lock.release();
    }
    const r = await ricciflow(args(out));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    const ids = (await recordsIn(out)).map((x) => x.id);
    // The grid's own config form (src/study/grid.ts), as before the runner was shared: a sweep
    // file's form would add recipe keys and change every id.
    const grid = gridConfigs({
      datasets: ['A'], architectures: ['narrow'], depths: [2], seeds: [0, 1], epochs: 3, batchSize: 32, learningRate: 0.001,
      validationSplit: 0.2, backend: 'native', k: [8, 12], curvatures: ['forman', 'augmented'], mode: 'union', layers: 'all',
      alpha: 0.5, nTrain: 150, nTest: 60, dataSeed: 0,
    });
    expect(ids).toEqual(grid.map(configId));
    expect(ids[0]).toBe('d8a446f8906659b9'); // the id this grid point had when run.ts had its own loop
    const again = await ricciflow(args(out));
    expect(again.code, again.stderr).toBe(0);
    expect(await recordLines(out)).toHaveLength(2);
  });
});
