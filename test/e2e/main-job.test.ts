/**
 * The main job, as the README's Quick start runs it: `ricciflow run` with no grid option (only
 * `--out`). It must write networks.jsonl, summary.csv, reproduction.csv and report.html, and most
 * networks must have defined coefficients (docs: README "Quick start"). About 11 s of wall time on
 * an idle 2-core machine. Without Fashion-MNIST on the machine, the follow-up's two cells are left
 * empty with the reason (the job still succeeds); the download is pointed at a closed local port so
 * the test never waits on the network.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { locateIdxFiles } from '../../src/data/mnist.js';
import type { ReproductionTable } from '../../src/study/reproduce.js';
import type { NetworkRecord } from '../../src/study/types.js';
import { recordsIn, ricciflow } from '../helpers/cli.js';

const haveFashion = await locateIdxFiles({ dataset: 'fashion-mnist', download: false }).then(
  () => true,
  () => false,
);
if (!haveFashion) console.warn('test/main-job.test.ts: Fashion-MNIST is not on this machine; only the seed part of the main job is checked (apt-get install dataset-fashion-mnist; .ci/run does).');

describe('ricciflow run (the main job, no grid option)', () => {
  let tmp: string;
  let out: string;
  let code = -1;
  let stdout = '';
  let stderr = '';
  let records: NetworkRecord[] = [];
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ricciflow-main-job-'));
    out = join(tmp, 'results');
    const r = await ricciflow(['run', '--out', out], {
      cwd: tmp,
      timeout: 1_200_000,
      env: { RICCIFLOW_FASHION_MNIST_URL: 'http://127.0.0.1:9/', RICCIFLOW_CACHE_DIR: join(tmp, 'cache') },
    });
    ({ stdout, stderr } = r);
    code = r.code ?? -1;
    if (existsSync(join(out, 'networks.jsonl')))
      records = await recordsIn(out);
  }, 1_300_000);
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('succeeds and writes networks.jsonl, summary.csv, reproduction.csv and report.html', async () => {
    expect(stderr).not.toMatch(/Error|at .*\.js:\d+/);
    expect(code).toBe(0);
    for (const f of ['networks.jsonl', 'summary.csv', 'reproduction.csv', 'reproduction.json', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const seed = records.filter((r) => r.recipe === 'seed');
    const follow = records.filter((r) => r.recipe === 'follow-up');
    expect(seed).toHaveLength(27); // A, B, C × narrow, wide, bottleneck × 3 replicates
    expect(follow).toHaveLength(haveFashion ? 2 : 0); // Fashion-MNIST 5v7, w25 × depth 7 and 15
    for (const r of records) expect(r.status).toBe('ok');
    // summary.csv: one row per network × k × curvature.
    const csv = (await readFile(join(out, 'summary.csv'), 'utf8')).trim().split('\n');
    const expected = records.reduce((s, r) => s + r.byK.reduce((t, K) => t + Object.keys(K.coefficients).length, 0), 0);
    expect(csv).toHaveLength(1 + expected);
    for (const r of records) expect(csv.some((l) => l.startsWith(`${r.id},`)), r.id).toBe(true);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="reproduction"');
  });

  it('most networks have defined coefficients, and the printout counts them truly', () => {
    const seed = records.filter((r) => r.recipe === 'seed');
    for (const k of [30, 120]) {
      const rhos = seed.map((r) => r.byK.find((b) => b.k === k)?.coefficients.forman?.rho);
      const defined = rhos.filter((x) => typeof x === 'number' && Number.isFinite(x)).length;
      expect(defined, `k = ${k}: ${defined} of 27 seed networks with a defined ρ`).toBeGreaterThan(27 / 2);
      for (const x of rhos) if (x !== null && x !== undefined) expect(Math.abs(x)).toBeLessThanOrEqual(1);
    }
    for (const r of records.filter((x) => x.recipe === 'follow-up')) {
      const c = r.byK.find((b) => b.k === 50)!.coefficients.augmented!;
      expect(Number.isFinite(c.localMean)).toBe(true);
      expect(c.localMean!).toBeLessThan(0); // trained networks contract locally (the follow-up's finding)
    }
    const first = records.filter((r) => r.byK[0] && Object.values(r.byK[0].coefficients)[0]?.rho !== null).length;
    expect(first).toBeGreaterThan(records.length / 2);
    expect(stdout).toContain(`${records.length} networks (${first} with a defined ρ at their first k)`);
  });

  it('prints and writes our numbers beside the published ones', async () => {
    const t = JSON.parse(await readFile(join(out, 'reproduction.json'), 'utf8')) as ReproductionTable;
    expect(t.paper).toBe('main');
    const seedRows = t.rows.filter((r) => r.paper === 'seed');
    expect(seedRows.some((r) => r.experiment === 'exclusions' && r.published !== null)).toBe(true);
    const local = t.rows.filter((r) => r.experiment === 'local coefficients' && r.metric === 'mean local ρ');
    expect(local.map((r) => r.setting)).toEqual(['w25 d7', 'w25 d15']);
    for (const r of local) {
      expect(Number.isFinite(r.published)).toBe(true);
      if (haveFashion) {
        expect(Number.isFinite(r.ours)).toBe(true);
        expect(r.difference).toBeCloseTo(r.ours! - r.published!, 12);
      } else expect(r.ours).toBeNull();
    }
    expect(stdout).toMatch(/mean local ρ/);
  });
});
