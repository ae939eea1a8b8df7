/**
 * Our values beside the published ones (src/study/published.ts), cell by cell: a row holds ours (with its spread over
 * replicates where the paper gives one), the published value and spread, the difference and whether it lies within
 * max(0.1, 2 × published spread).
 */

import type { CurvatureName } from '../analysis/geometry.js';
import { loadStudyDataset, parseImagePair } from './datasets.js';
import { comparisonBand, FOLLOW_UP_LOCAL_SETTINGS, FOLLOW_UP_UNTRAINED, FOLLOW_UP_UNTRAINED_SETTINGS, SEED_PUBLISHED, SEED_SETTINGS, publishedLocalCell } from './published.js';
import { uniformWidth } from './recipe-spec.js';
import { coefficientsAt, isWellTrained } from './results.js';
import { accuracyStatistics } from './statistics.js';
import { sweepConfigs, type SweepSpec } from './sweep.js';
import type { NetworkRecord } from './types.js';
import type { ReproductionRow } from './reproduce-plan.js';

// ---------------------------------------------------------------------------------------------
// comparisons

export const mean = (v: readonly number[]): number | null => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
/** Population standard deviation (ddof 0), as numpy's np.std the follow-up uses. */
function popSd(v: readonly number[]): number | null {
  const m = mean(v);
  if (m === null) return null;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
}

function row(r: Omit<ReproductionRow, 'difference' | 'band' | 'within'> & { band?: number | null; within?: boolean | null }): ReproductionRow {
  const difference = r.ours !== null && r.published !== null ? r.ours - r.published : null;
  const band = r.band !== undefined ? r.band : r.publishedSpread !== null ? comparisonBand(r.publishedSpread) : null;
  const within = r.within !== undefined ? r.within : difference !== null && band !== null ? Math.abs(difference) <= band + 1e-12 : null;
  return { ...r, difference, band, within };
}

const coefficient = coefficientsAt;

/** Per dataset: where its data came from (resolved once per dataset of a part). */
export async function dataSources(spec: SweepSpec, dataDir?: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const configs = sweepConfigs(spec);
  for (const d of spec.datasets) {
    if (!parseImagePair(d)) {
      out.set(d, 'generated (seeded)');
      continue;
    }
    const c = configs.find((x) => x.dataset === d)!;
    try {
      const data = (await loadStudyDataset(c, dataDir !== undefined ? { dataDir } : {})) as unknown as Record<string, unknown>;
      const source = typeof data.source === 'string' ? data.source : 'unknown';
      out.set(d, typeof data.dir === 'string' ? `${source}: ${data.dir}` : source);
    } catch (err) {
      out.set(d, `not loaded: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return out;
}

/** The follow-up's local-coefficient cells: ours beside each published cell of the sweep's grid. */
export function compareLocal(records: readonly NetworkRecord[], spec: SweepSpec, sources: Map<string, string>): ReproductionRow[] {
  const k = FOLLOW_UP_LOCAL_SETTINGS.k, curvature = FOLLOW_UP_LOCAL_SETTINGS.curvature as CurvatureName;
  const rows: ReproductionRow[] = [];
  const byCell = new Map<string, NetworkRecord[]>();
  for (const r of records) {
    const key = `${r.config.dataset}|${r.config.architecture}|${r.config.depth}`;
    (byCell.get(key) ?? byCell.set(key, []).get(key)!).push(r);
  }
  const settingsNote = spec.k.includes(k) && spec.curvatures.includes(curvature) ? '' : `not analysed at k = ${k} with ${curvature}`;
  for (const dataset of spec.datasets)
    for (const arch of spec.architectures)
      for (const depth of spec.depths) {
        const width = uniformWidth(arch);
        const pub = width !== null ? publishedLocalCell(dataset, width, depth) : undefined;
        if (!pub) continue;
        const recs = byCell.get(`${dataset}|${arch}|${depth}`) ?? [];
        const ok = recs.filter((r) => r.status === 'ok');
        const means: number[] = [], shares: number[] = [];
        for (const r of ok) {
          const co = coefficient(r, k, curvature);
          if (co?.localMean !== null && co?.localMean !== undefined) means.push(co.localMean);
          if (co?.localShareNegative !== null && co?.localShareNegative !== undefined) shares.push(co.localShareNegative);
        }
        const failed = recs.filter((r) => r.status !== 'ok');
        const notes: string[] = [];
        if (settingsNote) notes.push(settingsNote);
        const expected = spec.seeds.length;
        if (recs.length < expected) notes.push(`${expected - recs.length} of ${expected} networks not computed`);
        if (failed.length) notes.push(`${failed.length} failed: ${failed[0]!.error ?? ''}`.slice(0, 160));
        if (ok.length > means.length) notes.push(`${ok.length - means.length} network(s) without a defined mean local ρ`);
        const stopped = ok.map((r) => r.stoppedEpoch ?? r.epochsTrained).filter((x): x is number => typeof x === 'number');
        const capped = ok.filter((r) => r.config.training.stopAtTrainAccuracy !== undefined && (r.stoppedEpoch ?? r.epochsTrained) === r.config.training.maxEpochs).length;
        if (stopped.length) notes.push(`epochs ${Math.min(...stopped)}–${Math.max(...stopped)}${capped ? ` (${capped} reached the cap)` : ''}`);
        const accs = ok.map((r) => r.accuracy).filter((x): x is number => typeof x === 'number');
        if (accs.length) notes.push(`test acc ${mean(accs)!.toFixed(3)}`);
        const common = { paper: 'follow-up' as const, experiment: 'local coefficients', dataset, setting: `w${width} d${depth}`, dataSource: sources.get(dataset) ?? '', note: notes.join('; ') };
        rows.push(
          row({ ...common, metric: 'mean local ρ', ours: mean(means), oursSpread: popSd(means), networks: means.length, published: pub.meanLocalRho, publishedSpread: pub.spread, source: pub.source }),
        );
        rows.push(
          row({
            ...common, metric: 'share ρ(x) < 0', ours: mean(shares), oursSpread: popSd(shares), networks: shares.length, published: pub.shareNegative, publishedSpread: null,
            band: null, within: null, source: pub.source, note: '',
          }),
        );
      }
  return rows;
}

/**
 * The depth observation: per (dataset, width) with both depths 7 and 15 computed, whether the
 * depth-15 mean local ρ is below the depth-7 one — ours beside the published tables' count.
 */
export function compareDepth(localRows: readonly ReproductionRow[]): ReproductionRow[] {
  const rhoRows = localRows.filter((r) => r.metric === 'mean local ρ');
  const pairs = new Map<string, { d7?: ReproductionRow; d15?: ReproductionRow }>();
  for (const r of rhoRows) {
    const m = /^w(\d+) d(\d+)$/.exec(r.setting);
    if (!m || (m[2] !== '7' && m[2] !== '15')) continue;
    const key = `${r.dataset}|${m[1]}`;
    const p = pairs.get(key) ?? {};
    if (m[2] === '7') p.d7 = r;
    else p.d15 = r;
    pairs.set(key, p);
  }
  let oursN = 0, oursDeeper = 0, pubN = 0, pubDeeper = 0;
  for (const p of pairs.values()) {
    if (!p.d7 || !p.d15) continue;
    pubN++;
    if (p.d15.published! < p.d7.published!) pubDeeper++;
    if (p.d7.ours !== null && p.d15.ours !== null) {
      oursN++;
      if (p.d15.ours < p.d7.ours) oursDeeper++;
    }
  }
  if (pubN === 0) return [];
  const ours = oursN ? oursDeeper / oursN : null, published = pubDeeper / pubN;
  return [
    row({
      paper: 'follow-up', experiment: 'depth observation', dataset: 'all computed', setting: 'depth 15 vs 7', metric: 'share of (dataset, width) with lower ρ at depth 15',
      ours, oursSpread: null, networks: oursN, published, publishedSpread: null, band: null,
      within: ours === null ? null : ours > 0.5 === published > 0.5,
      source: 'derived from the published local tables (local_ricci_coefficients.ipynb)', dataSource: '',
      note: `ours ${oursDeeper} of ${oursN} pairs, published ${pubDeeper} of ${pubN} (same pairs); agreement = same majority`,
    }),
  ];
}

/** The follow-up's untrained networks: global and mean local coefficients per synthetic set. */
export function compareUntrained(records: readonly NetworkRecord[], spec: SweepSpec): ReproductionRow[] {
  const u = FOLLOW_UP_UNTRAINED_SETTINGS;
  const rows: ReproductionRow[] = [];
  for (const pub of FOLLOW_UP_UNTRAINED) {
    if (!spec.datasets.includes(pub.dataset)) continue;
    const ok = records.filter((r) => r.status === 'ok' && r.config.dataset === pub.dataset);
    // As the notebook: a network with a disconnected graph does not count (it redrew one).
    const defined = ok.filter((r) => coefficient(r, u.k, 'forman')?.rho !== null && coefficient(r, u.k, 'forman')?.rho !== undefined);
    const globals = defined.map((r) => coefficient(r, u.k, 'forman')!.rho!);
    const locals = defined.map((r) => coefficient(r, u.k, 'ollivier')?.localMean).filter((x): x is number => typeof x === 'number');
    const skipped = ok.length - defined.length;
    const note = `${defined.length} of ${ok.length} networks connected${skipped ? ` (published: ${pub.retries} redrawn)` : ''}; one data draw, ${spec.seeds.length} initialisations (the notebook redrew the data per network)`;
    const common = { paper: 'follow-up' as const, experiment: 'untrained networks', dataset: pub.dataset, setting: `w${u.width} d${u.depth}`, dataSource: 'generated (seeded)', source: pub.source };
    rows.push(row({ ...common, metric: 'global ρ (Forman), mean', ours: mean(globals), oursSpread: popSd(globals), networks: globals.length, published: pub.global.mean, publishedSpread: pub.global.std, note }));
    rows.push(
      row({
        ...common, metric: 'share of networks with global ρ < 0', ours: globals.length ? globals.filter((x) => x < 0).length / globals.length : null, oursSpread: null, networks: globals.length,
        published: pub.global.negative / pub.networks, publishedSpread: null, band: 0.1 + 1e-9, note: `published ${pub.global.negative} of ${pub.networks}`,
      }),
    );
    rows.push(row({ ...common, metric: 'mean local ρ (Ollivier α = 0), mean', ours: mean(locals), oursSpread: popSd(locals), networks: locals.length, published: pub.local.mean, publishedSpread: pub.local.std, note: '' }));
  }
  return rows;
}

/** The seed paper's statistics: per k, exclusions, shares of negative ρ, Spearman(ρ, accuracy), pooled aa2 / aa. */
export function compareSeed(records: readonly NetworkRecord[], spec: SweepSpec, sources: Map<string, string>): ReproductionRow[] {
  const rows: ReproductionRow[] = [];
  const pub = (id: string) => SEED_PUBLISHED.find((p) => p.id === id)!;
  const threshold = SEED_SETTINGS.threshold;
  for (const k of spec.k) {
    const s = accuracyStatistics(records, { threshold, k, curvature: 'forman' });
    const setting = `k = ${k}`;
    const base = { paper: 'seed' as const, setting, dataSource: '' };
    const analysed = records.filter((r) => isWellTrained(r, threshold)).length;
    const disc = s.counts.excluded['disconnected layer'];
    const analysedPub = pub('analysed').value!, excludedPub = pub('excluded-disconnected').value!;
    rows.push(
      row({
        ...base, experiment: 'exclusions', dataset: 'all', metric: `share excluded for a disconnected graph (of networks above ${threshold})`,
        ours: analysed ? disc / analysed : null, oursSpread: null, networks: analysed, published: excludedPub / analysedPub, publishedSpread: null, band: null, within: null,
        source: pub('excluded-disconnected').source, note: `ours ${disc} of ${analysed}; published ${excludedPub} of ${analysedPub} (their grid, k not stated): not comparable cell for cell`,
      }),
    );
    rows.push(
      row({
        ...base, experiment: 'accuracy association', dataset: 'all', metric: `Spearman(ρ, accuracy), networks above ${threshold}`,
        ours: s.overall.rho.spearman.r, oursSpread: null, networks: s.overall.rho.spearman.n, published: null, publishedSpread: null, band: null,
        within: s.overall.rho.spearman.r === null ? null : s.overall.rho.spearman.r < 0,
        source: `${pub('spearman').source}; sign: ${pub('spearman-sign').source}`,
        note: `p = ${s.overall.rho.spearman.p === null ? '—' : s.overall.rho.spearman.p.toPrecision(2)}; agreement = negative, as the paper's claim (its value was not available)`,
      }),
    );
    for (const [dataset, g] of Object.entries(s.byDataset)) {
      const retained = g.n;
      const neg = records.filter((r) => r.config.dataset === dataset && isWellTrained(r, threshold))
        .map((r) => coefficient(r, k, 'forman')?.rho).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
      rows.push(
        row({
          ...base, experiment: 'negative ρ', dataset, metric: 'share of well-trained networks with ρ < 0', dataSource: sources.get(dataset) ?? '',
          ours: neg.length ? neg.filter((x) => x < 0).length / neg.length : null, oursSpread: null, networks: retained,
          published: null, publishedSpread: null, band: null, within: null, source: pub('share-negative').source, note: `mean ρ ${g.meanRho === null ? '—' : g.meanRho.toFixed(3)}`,
        }),
      );
    }
    for (const d of spec.datasets)
      if (!s.byDataset[d])
        rows.push(
          row({
            ...base, experiment: 'negative ρ', dataset: d, metric: 'share of well-trained networks with ρ < 0', dataSource: sources.get(d) ?? '', ours: null, oursSpread: null, networks: 0,
            published: null, publishedSpread: null, band: null, within: null, source: pub('share-negative').source, note: `no network above ${threshold} with a defined ρ`,
          }),
        );
    rows.push(
      row({
        ...base, experiment: 'pooled correlations', dataset: 'all', metric: 'aa2: pooled layer-skip Pearson(g_l − g_{l−1}, Ric_{l−1})',
        ours: s.layerSkip.r, oursSpread: null, networks: s.layerSkip.networks, published: null, publishedSpread: null, band: null, within: null, source: pub('aa2').source,
        note: `${s.layerSkip.n} layer pairs; p = ${s.layerSkip.p === null ? '—' : s.layerSkip.p.toPrecision(2)}`,
      }),
    );
    rows.push(
      row({
        ...base, experiment: 'pooled correlations', dataset: 'all', metric: "aa: the seed script's same-layer Pearson(g_l − g_{l−1}, Ric_l) (not a Ricci-flow coefficient)",
        ours: s.sameLayer.r, oursSpread: null, networks: s.sameLayer.networks, published: null, publishedSpread: null, band: null, within: null, source: pub('aa2').source,
        note: `${s.sameLayer.n} layer pairs; beside aa2 for comparison with the seed R script's output only`,
      }),
    );
  }
  return rows;
}
