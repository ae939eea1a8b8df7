/**
 * `ricciflow reproduce` and the published values: the tables read from the papers' sources, the
 * comparison arithmetic on hand-made records (mean, population spread, band), and a faithful
 * slice of a reproduction run end to end through the real command, whose table must hold every
 * published cell of its grid with finite values.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  comparisonBand,
  FOLLOW_UP_LOADABLE,
  FOLLOW_UP_LOCAL,
  FOLLOW_UP_UNTRAINED,
  publishedLocalCell,
  SEED_PUBLISHED,
} from '../../src/study/published.js';
import {
  compareDepth,
  compareLocal,
  followUpPlan,
  mainPlan,
  REPRODUCTION_CSV_COLUMNS,
  reproductionCsv,
  seedPlan,
  type ReproductionTable,
} from '../../src/study/reproduce.js';
import { resolveSweep, sweepConfigs } from '../../src/study/sweep.js';
import type { NetworkRecord } from '../../src/study/types.js';
import { ricciflow, tempDir } from '../helpers/cli.js';

const run = (args: string[]) => ricciflow(args, { timeout: 600_000 });

describe('published values', () => {
  it("hold the follow-up's nine local tables, each cell once, with its notebook cell", () => {
    expect(FOLLOW_UP_LOCAL).toHaveLength(81);
    const keys = new Set(FOLLOW_UP_LOCAL.map((c) => `${c.dataset}|${c.width}|${c.depth}`));
    expect(keys.size).toBe(81);
    for (const c of FOLLOW_UP_LOCAL) {
      expect(c.meanLocalRho).toBeGreaterThanOrEqual(-1);
      expect(c.meanLocalRho).toBeLessThan(0);
      expect(c.spread).toBeGreaterThan(0);
      expect(c.shareNegative).toBeGreaterThan(0.5);
      expect(c.shareNegative).toBeLessThanOrEqual(1);
      expect(c.source).toMatch(/local_ricci_coefficients\.ipynb, cell \d+ output/);
    }
    // Spot checks against the notebook's printed df_results (cell 8: Fashion-MNIST 5 vs 7).
    expect(publishedLocalCell('fashion-mnist:5v7', 25, 10)).toMatchObject({ meanLocalRho: -0.688582, spread: 0.056017, shareNegative: 0.986 });
    expect(publishedLocalCell('fashion-mnist:5v7', 50, 15)).toMatchObject({ meanLocalRho: -0.890486, spread: 0.006285 });
    expect(publishedLocalCell('syn4', 50, 7)).toMatchObject({ meanLocalRho: -0.231093, spread: 0.066751, shareNegative: 0.690667 });
    expect(FOLLOW_UP_LOCAL.filter((c) => (FOLLOW_UP_LOADABLE as readonly string[]).includes(c.dataset))).toHaveLength(72);
    expect(FOLLOW_UP_UNTRAINED.map((u) => u.global.negative)).toEqual([8, 10, 10, 9]);
    expect(SEED_PUBLISHED.find((p) => p.id === 'excluded-disconnected')?.value).toBe(134);
    // Values not found offline are null, never guessed.
    expect(SEED_PUBLISHED.find((p) => p.id === 'spearman')?.value).toBeNull();
  });

  it('band is max(0.1, 2 × spread)', () => {
    expect(comparisonBand(0.01)).toBe(0.1);
    expect(comparisonBand(0.056017)).toBeCloseTo(0.112034, 12);
  });
});

function localRecord(dataset: string, width: number, depth: number, seed: number, localMean: number | null, share: number | null, status: 'ok' | 'failed' = 'ok'): NetworkRecord {
  return {
    id: `${dataset}-${width}-${depth}-${seed}`,
    config: {
      dataset, data: { dataSeed: 0 }, architecture: `w${width}`, depth, widths: new Array(depth).fill(width), seed,
      training: { recipe: 'follow-up', optimizer: 'adam', epochs: 20000, batchSize: 'full', learningRate: 0.001, validationSplit: 0, init: 'pytorch', stopAtTrainAccuracy: 0.99, maxEpochs: 20000, backend: 'native' },
      analysis: { k: [50], curvatures: ['augmented'], mode: 'union', layers: 'all', node: 'mean', alpha: 0.5 },
    },
    status, versions: { ricciflow: 'test', node: 'test', abi: 0 }, accuracy: 0.99, testLoss: 0.1, trainAccuracy: 0.99, epochsTrained: 300, stoppedEpoch: 300,
    msPerEpoch: 1, trainSeconds: 1, analysisSeconds: 1, nTest: 1000, layerDims: [], finishedAt: '',
    byK: status === 'ok'
      ? [{ k: 50, connected: [], components: [], edgeCount: [], disconnected: [], coefficients: { augmented: { rho: null, z: null, m: 0, reason: null, ric: [], g: [], eta: [], localMean, localShareNegative: share, localNullCount: 0, layer: [] } } }]
      : [],
    ...(status === 'failed' ? { error: 'training failed: test' } : {}),
  };
}

describe('comparisons', () => {
  const spec = resolveSweep({
    datasets: ['fashion-mnist:5v7'], widths: [25], depths: [7, 15], replicates: 3, k: [50], curvatures: ['augmented'],
    training: { recipe: 'follow-up' }, data: { scale: 'unit', balanced: 500 },
  });

  it('mean, population spread, difference and band of the local cells', () => {
    const recs = [
      localRecord('fashion-mnist:5v7', 25, 7, 0, -0.8, 0.99),
      localRecord('fashion-mnist:5v7', 25, 7, 1, -0.7, 0.97),
      localRecord('fashion-mnist:5v7', 25, 7, 2, -0.9, 1.0),
      localRecord('fashion-mnist:5v7', 25, 15, 0, -0.5, 0.9),
      localRecord('fashion-mnist:5v7', 25, 15, 1, null, null),
      localRecord('fashion-mnist:5v7', 25, 15, 2, null, null, 'failed'),
    ];
    const rows = compareLocal(recs, spec, new Map([['fashion-mnist:5v7', 'test dir']]));
    expect(rows.map((r) => [r.setting, r.metric])).toEqual([
      ['w25 d7', 'mean local ρ'], ['w25 d7', 'share ρ(x) < 0'], ['w25 d15', 'mean local ρ'], ['w25 d15', 'share ρ(x) < 0'],
    ]);
    const d7 = rows[0]!;
    expect(d7.ours).toBeCloseTo(-0.8, 12);
    expect(d7.oursSpread).toBeCloseTo(Math.sqrt(((0.0 ** 2) + 0.1 ** 2 + 0.1 ** 2) / 3), 12); // np.std, ddof 0
    expect(d7.networks).toBe(3);
    expect(d7.published).toBe(-0.789115);
    expect(d7.difference).toBeCloseTo(-0.8 + 0.789115, 12);
    expect(d7.band).toBe(0.1); // 2 × 0.018591 < 0.1
    expect(d7.within).toBe(true);
    expect(d7.dataSource).toBe('test dir');
    expect(rows[1]!.ours).toBeCloseTo((0.99 + 0.97 + 1.0) / 3, 12);
    const d15 = rows[2]!;
    expect(d15.ours).toBe(-0.5);
    expect(d15.networks).toBe(1);
    expect(d15.band).toBe(0.1); // 2 × 0.040434 < 0.1
    expect(d15.within).toBe(false); // |−0.5 + 0.87541| = 0.375 > 0.1
    expect(d15.note).toMatch(/1 failed: training failed: test/);
    expect(d15.note).toMatch(/1 network\(s\) without a defined mean local ρ/);
    const depth = compareDepth(rows);
    expect(depth).toHaveLength(1);
    expect(depth[0]).toMatchObject({ ours: 0, published: 1, within: false }); // ours: d15 above d7; published: below
  });

  it('plans: the papers\' settings, and slices of them', () => {
    const f = followUpPlan();
    expect(f.map((p) => p.name)).toEqual(['local', 'untrained']);
    expect(sweepConfigs(f[0]!.spec)).toHaveLength(216);
    expect(f[1]!.spec).toMatchObject({ datasets: ['syn1', 'syn2', 'syn3', 'syn4'], architectures: ['w25'], depths: [10], k: [50], curvatures: ['forman', 'ollivier'], alpha: 0 });
    expect(f[1]!.spec.training).toMatchObject({ recipe: 'follow-up', maxEpochs: 0, epochs: 0, init: 'pytorch' });
    expect(sweepConfigs(f[1]!.spec).find((c) => c.dataset === 'syn1')!.data).toEqual({ dataSeed: 0, nTrain: 2, nTest: 1000, noise: 0.05 });
    const q = followUpPlan({ quick: true, datasets: ['syn1'], replicates: 1 });
    expect(q.map((p) => sweepConfigs(p.spec).length)).toEqual([1, 1]);
    expect(sweepConfigs(q[0]!.spec)[0]!.data).toEqual({ dataSeed: 0, nTrain: 1000, nTest: 1000, noise: 0.03 });
    expect(seedPlan({ quick: true }).map((p) => sweepConfigs(p.spec).length)).toEqual([24]);
    expect(seedPlan()[0]!.spec.k).toEqual([30, 120, 300]);
    const m = mainPlan();
    expect(m.map((p) => [p.name, sweepConfigs(p.spec).length])).toEqual([['seed', 27], ['follow-up', 2]]);
    expect(m[0]!.spec).toMatchObject({ mode: 'directed', layers: 'hidden', node: 'sum', k: [30, 120] });
  });
});

describe('ricciflow reproduce', () => {
  const tmp = tempDir('reproduce');

  it('refuses a missing or unknown paper', async () => {
    const none = await run(['reproduce']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name one paper: follow-up or seed-paper/);
    const bad = await run(['reproduce', 'hehl']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/got 'hehl'/);
    const ds = await run(['reproduce', 'follow-up', '--datasets', 'nope', '--out', join(tmp, 'never')]);
    expect(ds.code).toBe(2);
    expect(ds.stderr).toMatch(/--datasets: none of nope/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('seed-paper --quick slice: a table with every statistic per k, finite values, CSV, JSON and report', async () => {
    const out = join(tmp, 'seed');
    const r = await run(['reproduce', 'seed-paper', '--quick', '--datasets', 'B', '--replicates', '2', '--out', out]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toMatch(/the accuracy study — quick subset/);
    const t = JSON.parse(await readFile(join(out, 'reproduction.json'), 'utf8')) as ReproductionTable;
    expect(t.parts).toHaveLength(1);
    expect(t.parts[0]).toMatchObject({ name: 'seed', grid: 4, ok: 4, missing: 0 });
    for (const k of ['k = 30', 'k = 120']) {
      const rows = t.rows.filter((x) => x.setting === k);
      expect(rows.map((x) => x.experiment)).toEqual(['exclusions', 'accuracy association', 'negative ρ', 'pooled correlations', 'pooled correlations']);
      expect(rows[3]!.metric).toMatch(/^aa2/);
      expect(rows[4]!.metric).toMatch(/^aa: the seed script's same-layer/);
      for (const x of rows.slice(1)) expect(Number.isFinite(x.ours)).toBe(true);
      const excl = rows[0]!;
      expect(excl.published).toBeCloseTo(134 / 1361, 12);
      expect(Number.isFinite(excl.ours)).toBe(true);
    }
    const csv = (await readFile(join(out, 'reproduction.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(REPRODUCTION_CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + t.rows.length);
    expect(reproductionCsv(t).trim().split('\n')).toHaveLength(csv.length);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="reproduction"');
    expect(html).toContain('Reproduction: our numbers beside the published ones');
    // Resumable: a second run computes nothing and gives the same table.
    const again = await run(['reproduce', 'seed-paper', '--quick', '--datasets', 'B', '--replicates', '2', '--out', out]);
    expect(again.stderr).toMatch(/4 already done, 0 to compute/);
    const t2 = JSON.parse(await readFile(join(out, 'reproduction.json'), 'utf8')) as ReproductionTable;
    expect(t2.rows.map((x) => [x.metric, x.ours])).toEqual(t.rows.map((x) => [x.metric, x.ours]));
  });

  it('follow-up --quick slice (Syn-I, 1 replicate): every published cell of the grid with finite values, the follow-up recipe recorded', async () => {
    const out = join(tmp, 'follow');
    const r = await run(['reproduce', 'follow-up', '--quick', '--datasets', 'syn1', '--replicates', '1', '--out', out]);
    expect(r.code).toBe(0);
    const t = JSON.parse(await readFile(join(out, 'reproduction.json'), 'utf8')) as ReproductionTable;
    expect(t.parts.map((p) => [p.name, p.grid, p.ok])).toEqual([['local', 1, 1], ['untrained', 1, 1]]);
    expect(t.rows.map((x) => [x.experiment, x.setting, x.metric])).toEqual([
      ['local coefficients', 'w25 d7', 'mean local ρ'],
      ['local coefficients', 'w25 d7', 'share ρ(x) < 0'],
      ['untrained networks', 'w25 d10', 'global ρ (Forman), mean'],
      ['untrained networks', 'w25 d10', 'share of networks with global ρ < 0'],
      ['untrained networks', 'w25 d10', 'mean local ρ (Ollivier α = 0), mean'],
    ]);
    const local = t.rows[0]!;
    expect(local.published).toBe(-0.41241);
    expect(local.band).toBeCloseTo(2 * 0.053412, 12);
    for (const x of t.rows) {
      expect(Number.isFinite(x.ours)).toBe(true);
      expect(Number.isFinite(x.published)).toBe(true);
      expect(x.difference).toBeCloseTo(x.ours! - x.published!, 12);
    }
    expect(local.ours!).toBeLessThan(0); // trained networks flow like Ricci flow locally
    const rec = JSON.parse((await readFile(join(out, 'local', 'networks.jsonl'), 'utf8')).trim()) as NetworkRecord;
    expect(rec.recipe).toBe('follow-up');
    expect(rec.config.training).toMatchObject({ optimizer: 'adam', batchSize: 'full', init: 'pytorch', stopAtTrainAccuracy: 0.99 });
    expect(rec.stoppedEpoch).toBeGreaterThan(0);
    expect(rec.stoppedEpoch).toBeLessThan(20000);
    expect(rec.trainAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(t.parts[0]!.epochs).toEqual({ min: rec.stoppedEpoch, median: rec.stoppedEpoch, max: rec.stoppedEpoch });
  });
});
