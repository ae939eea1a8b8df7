/**
 * The whole `ricciflow reproduce follow-up --quick` and `reproduce seed-paper --quick`, end to end
 * through the real command (test/reproduce.test.ts runs one-dataset slices of them on every
 * `npm test`). Each takes about half a minute of CPU time, one to two minutes of wall time on 2
 * busy cores, so they run only with RICCIFLOW_REPRODUCE_QUICK=1 (.ci/run sets it), or
 * RICCIFLOW_REPRODUCE_QUICK=require (a missing Fashion-MNIST is then a failure, not a skip).
 *
 * Asserted (never timings): every published cell of the quick grid is in the table; our values are
 * finite and equal the mean of the records written beside the table; each published value stands
 * beside ours with its spread, and the difference, band max(0.1, 2 × spread), within-band flag and
 * the printed band count follow from them; the records carry each paper's recipe.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { locateIdxFiles } from '../../src/data/mnist.js';
import { comparisonBand, FOLLOW_UP_UNTRAINED, publishedLocalCell, SEED_PUBLISHED } from '../../src/study/published.js';
import { REPRODUCTION_CSV_COLUMNS, type ReproductionRow, type ReproductionTable } from '../../src/study/reproduce.js';
import { recordsIn, ricciflow } from '../helpers/cli.js';

const MODE = process.env.RICCIFLOW_REPRODUCE_QUICK ?? '';
const ENABLED = MODE !== '' && MODE !== '0';
const REQUIRED = MODE === 'require';

async function fashionMissing(): Promise<string | null> {
  try {
    await locateIdxFiles({ dataset: 'fashion-mnist', download: false });
    return null;
  } catch (e) {
    return `Fashion-MNIST is not available offline (${(e as Error).message.split('\n')[0]}; apt-get install dataset-fashion-mnist, .ci/run does)`;
  }
}

const skip = !ENABLED
  ? 'set RICCIFLOW_REPRODUCE_QUICK=1 to run the whole quick reproductions (about a minute each; .ci/run does)'
  : await fashionMissing();
if (skip && REQUIRED) throw new Error(`RICCIFLOW_REPRODUCE_QUICK=require, but: ${skip}`);
if (skip) console.warn(`test/reproduce-quick.test.ts: skipped, ${skip}.`);

const run = (args: string[]) => ricciflow(args, { timeout: 1_800_000 });

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function expectRowArithmetic(r: ReproductionRow): void {
  expect(Number.isFinite(r.ours), `${r.dataset} ${r.setting} ${r.metric}: ours`).toBe(true);
  expect(Number.isFinite(r.published), `${r.dataset} ${r.setting} ${r.metric}: published`).toBe(true);
  expect(r.difference).toBeCloseTo(r.ours! - r.published!, 12);
  if (r.band !== null) expect(r.within).toBe(Math.abs(r.difference!) <= r.band);
}

describe.skipIf(skip !== null)('ricciflow reproduce follow-up --quick (whole)', () => {
  let tmp: string;
  let out: string;
  let stdout = '';
  let table: ReproductionTable;
  let code = -1;
  let stderr = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ricciflow-reproduce-quick-'));
    out = join(tmp, 'follow-up');
    const r = await run(['reproduce', 'follow-up', '--quick', '--out', out]);
    ({ code, stdout, stderr } = r);
    if (code === 0) table = JSON.parse(await readFile(join(out, 'reproduction.json'), 'utf8')) as ReproductionTable;
  }, 1_900_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('finishes, every network of both experiments computed', () => {
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    expect(table).toMatchObject({ format: 'ricciflow-reproduction/1', paper: 'follow-up', quick: true });
    expect(table.parts.map((p) => [p.name, p.grid, p.ok, p.failed, p.missing])).toEqual([
      ['local', 10, 10, 0, 0],
      ['untrained', 8, 8, 0, 0],
    ]);
  });

  it('local cells: each published cell of the grid beside our mean over the records, with band and within computed', async () => {
    const datasets = ['fashion-mnist:5v7', 'syn1', 'syn2', 'syn3', 'syn4'];
    const recs = await recordsIn(join(out, 'local'));
    expect(recs).toHaveLength(10);
    for (const rec of recs) {
      expect(rec.status).toBe('ok');
      expect(rec.recipe).toBe('follow-up');
      expect(rec.config.training).toMatchObject({ optimizer: 'adam', batchSize: 'full', init: 'pytorch', stopAtTrainAccuracy: 0.99 });
      expect(rec.config.widths).toEqual(new Array(7).fill(25));
      // The stop rule: 99 % training accuracy reached, or the 20,000-epoch cap.
      expect(rec.trainAccuracy! >= 0.99 || rec.stoppedEpoch === 20000).toBe(true);
    }
    const local = table.rows.filter((r) => r.experiment === 'local coefficients');
    expect(local.map((r) => [r.dataset, r.setting, r.metric])).toEqual(
      datasets.flatMap((d) => [[d, 'w25 d7', 'mean local ρ'], [d, 'w25 d7', 'share ρ(x) < 0']]),
    );
    for (const d of datasets) {
      const pub = publishedLocalCell(d, 25, 7)!;
      const [rho, share] = local.filter((r) => r.dataset === d);
      const mine = recs.filter((r) => r.config.dataset === d).map((r) => r.byK[0]!.coefficients.augmented!);
      expect(mine).toHaveLength(2);
      expect(rho!.networks).toBe(2);
      expect(rho!.ours).toBeCloseTo(mean(mine.map((c) => c.localMean!)), 12);
      expect(rho!.ours!).toBeGreaterThanOrEqual(-1);
      expect(rho!.ours!).toBeLessThanOrEqual(1);
      expect(Number.isFinite(rho!.oursSpread)).toBe(true);
      expect(rho!.published).toBe(pub.meanLocalRho);
      expect(rho!.publishedSpread).toBe(pub.spread);
      expect(rho!.band).toBe(comparisonBand(pub.spread));
      expectRowArithmetic(rho!);
      expect(share!.ours).toBeCloseTo(mean(mine.map((c) => c.localShareNegative!)), 12);
      expect(share!.published).toBe(pub.shareNegative);
      expectRowArithmetic(share!);
      expect(rho!.dataSource).toMatch(d.startsWith('fashion') ? /^official: / : /^generated/);
    }
    // The printed band count is the count of the rows' within flags.
    const within = local.filter((r) => r.metric === 'mean local ρ' && r.within).length;
    expect(stdout).toContain(`Mean local ρ within max(0.1, 2 × published spread): ${within} of 5 cells with our value (5 published cells in this grid).`);
    // Trained networks contract locally (the follow-up's finding): every cell's mean local ρ is negative.
    for (const r of local.filter((x) => x.metric === 'mean local ρ')) expect(r.ours!).toBeLessThan(0);
  });

  it('untrained networks: Syn-I…IV beside the published means and shares', () => {
    const rows = table.rows.filter((r) => r.experiment === 'untrained networks');
    expect(rows).toHaveLength(12);
    for (const pub of FOLLOW_UP_UNTRAINED) {
      const [g, neg, loc] = rows.filter((r) => r.dataset === pub.dataset);
      expect(g!.metric).toBe('global ρ (Forman), mean');
      expect(g!.published).toBe(pub.global.mean);
      expect(g!.band).toBe(comparisonBand(pub.global.std));
      expect(neg!.published).toBe(pub.global.negative / pub.networks);
      expect([0, 0.5, 1]).toContain(neg!.ours); // of 1 or 2 networks
      expect(loc!.published).toBe(pub.local.mean);
      for (const r of [g!, neg!, loc!]) {
        // 2 networks per set; one whose graph is disconnected does not count (as the notebook).
        expect(r.networks).toBeGreaterThanOrEqual(1);
        expect(r.networks).toBeLessThanOrEqual(2);
        expectRowArithmetic(r);
      }
    }
  });

  it('CSV and report hold the same table', async () => {
    const csv = (await readFile(join(out, 'reproduction.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(REPRODUCTION_CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + table.rows.length);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="reproduction"');
  });
});

describe.skipIf(skip !== null)('ricciflow reproduce seed-paper --quick (whole)', () => {
  let tmp: string;
  let out: string;
  let table: ReproductionTable;
  let code = -1;
  let stderr = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ricciflow-reproduce-quick-seed-'));
    out = join(tmp, 'seed');
    const r = await run(['reproduce', 'seed-paper', '--quick', '--out', out]);
    ({ code, stderr } = r);
    if (code === 0) table = JSON.parse(await readFile(join(out, 'reproduction.json'), 'utf8')) as ReproductionTable;
  }, 1_900_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('finishes, all 24 networks with the seed recipe', async () => {
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    expect(table).toMatchObject({ paper: 'seed-paper', quick: true });
    expect(table.parts.map((p) => [p.name, p.grid, p.ok, p.failed, p.missing])).toEqual([['seed', 24, 24, 0, 0]]);
    const recs = await recordsIn(join(out, 'seed'));
    expect(recs).toHaveLength(24);
    for (const r of recs) {
      expect(r.recipe).toBe('seed');
      expect(r.config.training).toMatchObject({ optimizer: 'rmsprop', epochs: 50, batchSize: 32 });
      expect(r.stoppedEpoch).toBe(50);
    }
  });

  it('per k: exclusions beside the published 134 of 1,361, Spearman, share of negative ρ per dataset (recomputed from the records), aa2 and aa', async () => {
    const recs = await recordsIn(join(out, 'seed'));
    const excludedPub = SEED_PUBLISHED.find((p) => p.id === 'excluded-disconnected')!.value!;
    const analysedPub = SEED_PUBLISHED.find((p) => p.id === 'analysed')!.value!;
    for (const k of [30, 120]) {
      const rows = table.rows.filter((r) => r.setting === `k = ${k}`);
      expect(rows.map((r) => [r.experiment, r.dataset])).toEqual([
        ['exclusions', 'all'], ['accuracy association', 'all'],
        ['negative ρ', 'A'], ['negative ρ', 'B'], ['negative ρ', 'C'], ['negative ρ', 'fashion-mnist:5v9'],
        ['pooled correlations', 'all'], ['pooled correlations', 'all'],
      ]);
      const above = recs.filter((r) => r.status === 'ok' && r.accuracy !== null && r.accuracy > 0.98);
      const excl = rows[0]!;
      expect(excl.published).toBe(excludedPub / analysedPub);
      expect(excl.networks).toBe(above.length);
      expectRowArithmetic(excl);
      const sp = rows[1]!;
      expect(sp.ours!).toBeGreaterThanOrEqual(-1);
      expect(sp.ours!).toBeLessThanOrEqual(1);
      expect(sp.within).toBe(sp.ours! < 0); // agreement with the paper's sign (its value is not published)
      for (const row of rows.slice(2, 6)) {
        const rhos = above.filter((r) => r.config.dataset === row.dataset)
          .map((r) => r.byK.find((b) => b.k === k)?.coefficients.forman?.rho)
          .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
        if (rhos.length === 0) expect(row.ours).toBeNull();
        else expect(row.ours).toBeCloseTo(rhos.filter((x) => x < 0).length / rhos.length, 12);
      }
      for (const row of rows.slice(6)) {
        expect(Number.isFinite(row.ours)).toBe(true);
        expect(Math.abs(row.ours!)).toBeLessThanOrEqual(1);
      }
      expect(rows[6]!.metric).toMatch(/^aa2/);
      expect(rows[7]!.metric).toMatch(/^aa: /);
    }
  });
});
