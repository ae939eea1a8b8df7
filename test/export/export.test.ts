/**
 * Tidy outputs: `ricciflow export` tables (CSV and Arrow IPC) equal the records they come from;
 * pandas reads them (python3-pandas, skipped when absent); the report writes each figure's
 * Vega-Lite spec and data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { analyzeLayers } from '../../src/analysis/pipeline.js';
import { layersTable, networksTable, pointsTable, tableToCsv } from '../../src/export/index.js';
import { readNetworkWeights } from '../../src/train/weights.js';
import { loadStudyDataset } from '../../src/study/datasets.js';
import { forward } from '../../src/train/index.js';
import { specDataTable } from '../../src/export/figures.js';
import { buildFigures } from '../../src/report/index.js';
import { projectionRecord } from '../../src/study/projection.js';
import { readRecords } from '../../src/study/store.js';
import type { NetworkRecord } from '../../src/study/types.js';
import { ricciflow, tempDir } from '../helpers/cli.js';
import { pythonHas } from '../helpers/python.js';

const PANDAS = pythonHas('pandas');
const PYARROW = pythonHas('pyarrow');

const dir = tempDir('export');
let records: NetworkRecord[] = [];
beforeAll(async () => {
  const r = await ricciflow([
    'run', '--datasets', 'A,syn1', '--architectures', 'narrow', '--depth', '2', '--seeds', '0,1', '--epochs', '2',
    '--n-train', '150', '--n-test', '60', '--k', '8,12', '--out', dir, '--no-report', '-q', '--save-weights',
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  records = (await readRecords(join(dir, 'networks.jsonl'))).records;
}, 120_000);

const parseCsv = (text: string): Record<string, string>[] => {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [cols[j]!, v])));
};

describe('export tables', () => {
  it('networks: one row per network × k × curvature with every scalar', () => {
    expect(records).toHaveLength(4);
    const t = networksTable(records);
    expect(t.rows).toHaveLength(4 * 2 * 2);
    for (const c of ['train_accuracy', 'alpha', 'node', 'n_test', 'rho', 'z', 'data_seed', 'training_epochs', 'training_batch_size'])
      expect(t.columns).toContain(c);
    const col = (name: string) => t.columns.indexOf(name);
    const r0 = records[0]!;
    const K = r0.byK[1]!;
    const row = t.rows.find((x) => x[0] === r0.id && x[col('k')] === K.k && x[col('curvature')] === 'augmented')!;
    expect(row[col('rho')]).toBe(K.coefficients.augmented!.rho);
    expect(row[col('train_accuracy')]).toBe(r0.trainAccuracy);
    expect(row[col('n_test')]).toBe(60);
    expect(row[col('alpha')]).toBe(0.5);
    expect(row[col('node')]).toBe('mean');
    expect(row[col('layer_dims')]).toBe(r0.layerDims.join('-'));
    for (const x of t.rows) expect(x).toHaveLength(t.columns.length);
  });

  it('layers: one row per layer with Ric, g, η, r and connectivity', () => {
    const t = layersTable(records);
    const L = records[0]!.layerDims.length;
    expect(t.rows).toHaveLength(4 * 2 * 2 * L);
    const col = (name: string) => t.columns.indexOf(name);
    const r = records[1]!, K = r.byK[0]!, co = K.coefficients.forman!;
    const mine = t.rows.filter((x) => x[0] === r.id && x[col('k')] === K.k && x[col('curvature')] === 'forman');
    expect(mine.map((x) => x[col('ric')])).toEqual(co.ric);
    expect(mine.map((x) => x[col('g')])).toEqual(co.g);
    expect(mine.map((x) => x[col('eta')])).toEqual([...co.eta, null]);
    expect(mine.map((x) => x[col('r')])).toEqual([...co.layer, null]);
    expect(mine.map((x) => x[col('connected')])).toEqual(K.connected);
    expect(mine.map((x) => x[col('width')])).toEqual(r.layerDims);
    // The per-layer edge counts: the record's edgeCount, exported under the column 'edges'.
    expect(mine.map((x) => x[col('edges')])).toEqual(K.edgeCount);
    expect(K.edgeCount).toHaveLength(L);
    for (const m of K.edgeCount) expect(Number.isInteger(m) && m > 0).toBe(true);
  });

  it('records written before edgeCount (per-layer counts stored as `edges`) read back with edgeCount', async () => {
    const old = records.map((r) => ({
      ...r,
      byK: r.byK.map(({ edgeCount, ...K }) => ({ ...K, edges: edgeCount })),
    }));
    expect(JSON.stringify(old)).not.toContain('"edgeCount"');
    const path = join(dir, 'old-networks.jsonl');
    await writeFile(path, old.map((r) => JSON.stringify(r) + '\n').join(''));
    const back = (await readRecords(path)).records;
    expect(back).toEqual(records);
    for (const r of back) for (const K of r.byK) expect(K).not.toHaveProperty('edges');
    expect(layersTable(back)).toEqual(layersTable(records));
  });

  it('run.json carries a meta block', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')).meta;
    expect(meta.tool).toBe('ricciflow');
    expect(meta.argv).toContain('--save-weights');
    expect(typeof meta.kernel.triangles).toBe('string');
  });

  it('points: local ρ(x) per test point', () => {
    const t = pointsTable(records);
    expect(t.rows).toHaveLength(4 * 2 * 2 * 60);
    const co = records[2]!.byK[1]!.coefficients.forman!;
    const mine = t.rows.filter((x) => x[0] === records[2]!.id && x[7] === records[2]!.byK[1]!.k && x[8] === 'forman');
    expect(mine.map((x) => x[10])).toEqual(co.local);
  });

  it('CSV quotes and leaves missing values empty', () => {
    expect(tableToCsv({ columns: ['a', 'b'], rows: [['x,"y"', null], [true, 1.5]] })).toBe('a,b\n"x,""y""",\ntrue,1.5\n');
  });
});

describe('ricciflow export', () => {
  it('writes networks.csv, layers.csv and points.csv; --out - prints one table', async () => {
    const r = await ricciflow(['export', dir, '--points']);
    expect(r.code, r.stderr).toBe(0);
    const net = parseCsv(await readFile(join(dir, 'networks.csv'), 'utf8'));
    expect(net).toHaveLength(16);
    expect(Number(net[0]!.rho)).toBe(records[0]!.byK[0]!.coefficients.forman!.rho);
    expect(parseCsv(await readFile(join(dir, 'layers.csv'), 'utf8'))).toHaveLength(16 * records[0]!.layerDims.length);
    expect(parseCsv(await readFile(join(dir, 'points.csv'), 'utf8'))).toHaveLength(16 * 60);
    const s = await ricciflow(['export', dir, '--table', 'layers', '--out', '-']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toBe(await readFile(join(dir, 'layers.csv'), 'utf8'));
    expect((await ricciflow(['export', dir, '--format', 'parquet'])).code).toBe(2);
  });

  it.skipIf(!PANDAS)('pandas reads the CSV tables (python3-pandas)', () => {
    const out = execFileSync('/usr/bin/python3', [
      '-c',
      `import pandas as pd, json
n = pd.read_csv('${dir}/networks.csv'); l = pd.read_csv('${dir}/layers.csv'); p = pd.read_csv('${dir}/points.csv')
m = l.groupby(['id', 'k', 'curvature'])['ric'].sum().reset_index().merge(n[['id', 'k', 'curvature', 'rho']], on=['id', 'k', 'curvature'])
print(json.dumps({'n': n.shape, 'l': l.shape, 'p': p.shape, 'rho': str(n['rho'].dtype), 'acc': str(n['train_accuracy'].dtype), 'merged': len(m),
  'local': float(p.groupby(['id','k','curvature'])['local_rho'].mean().iloc[0])}))`,
    ]).toString();
    const j = JSON.parse(out);
    expect(j.n[0]).toBe(16);
    expect(j.l[0]).toBe(16 * records[0]!.layerDims.length);
    expect(j.p).toEqual([960, 11]);
    expect(j.rho).toBe('float64');
    expect(j.acc).toBe('float64');
    expect(j.merged).toBe(16);
    expect(Number.isFinite(j.local)).toBe(true);
  });

  it('--format arrow writes Arrow IPC files that read back equal (apache-arrow)', async () => {
    const r = await ricciflow(['export', dir, '--format', 'arrow', '--points']);
    expect(r.code, r.stderr).toBe(0);
    const arrow = await import('apache-arrow');
    const t = arrow.tableFromIPC(await readFile(join(dir, 'networks.arrow')));
    const ref = networksTable(records);
    expect(t.numRows).toBe(ref.rows.length);
    expect(t.schema.fields.map((f) => f.name)).toEqual(ref.columns);
    expect(String(t.schema.fields.find((f) => f.name === 'rho')!.type)).toBe('Float64');
    expect(String(t.schema.fields.find((f) => f.name === 'k')!.type)).toBe('Int32');
    expect(String(t.schema.fields.find((f) => f.name === 'dataset')!.type)).toBe('Utf8');
    const rho = t.getChild('rho')!.toArray();
    ref.rows.forEach((row, i) => expect(rho[i]).toBe(row[ref.columns.indexOf('rho')]));
    const pts = arrow.tableFromIPC(await readFile(join(dir, 'points.arrow')));
    expect(pts.numRows).toBe(960);
  });

  it.skipIf(!PYARROW)('pandas reads the Arrow files (python3 pyarrow)', () => {
    const out = execFileSync('/usr/bin/python3', ['-c', `import pandas as pd\nprint(pd.read_feather('${dir}/networks.arrow').shape[0])`]).toString();
    expect(Number(out)).toBe(16);
  });
  it.runIf(!PYARROW)('pyarrow is not installed for /usr/bin/python3 (Debian 12 has no python3-pyarrow): pandas Arrow check skipped', () => {
    expect(PYARROW).toBe(false);
  });
});

describe('--save-weights', () => {
  it('keeps each network as weights/<id>.npz; re-analysing them reproduces the record', async () => {
    const files = (await readdir(join(dir, 'weights'))).sort();
    expect(files).toEqual(records.map((r) => `${r.id}.npz`).sort());
    const r = records[3]!;
    const w = await readNetworkWeights(join(dir, 'weights', `${r.id}.npz`));
    expect(w.sizes).toEqual(r.layerDims);
    const data = await loadStudyDataset(r.config);
    const acts = await forward(w, { data: data.xTest, n: data.nTest, d: data.d });
    const res = await analyzeLayers(acts, { k: r.config.analysis.k, curvatures: r.config.analysis.curvatures, mode: r.config.analysis.mode, layers: r.config.analysis.layers });
    for (const [i, K] of res.byK.entries())
      for (const c of r.config.analysis.curvatures) {
        expect(K.coefficients[c]!.global.rho).toBe(r.byK[i]!.coefficients[c]!.rho);
        expect(K.coefficients[c]!.global.ric).toEqual(r.byK[i]!.coefficients[c]!.ric);
      }
  });

  it('a 3-D dataset\'s record carries figure 6\'s projection, equal to the one its saved network gives', async () => {
    const threeD = records.filter((r) => r.layerDims[0] === 3);
    expect(threeD.length).toBeGreaterThan(0);
    for (const r of records) expect(r.projection !== undefined).toBe(r.layerDims[0] === 3);
    const r = threeD[threeD.length - 1]!;
    const p = r.projection!;
    expect(p.layer).toBe(r.layerDims.length - 2);
    expect(p.view).toEqual({ azimuth: 35, elevation: 40 });
    for (const cloud of [p.input, p.hidden])
      for (const v of [cloud.x, cloud.y, cloud.depth]) {
        expect(v.length).toBe(r.nTest);
        for (const x of v) expect(Math.abs(x)).toBeLessThanOrEqual(Math.sqrt(3));
      }
    const w = await readNetworkWeights(join(dir, 'weights', `${r.id}.npz`));
    const data = await loadStudyDataset(r.config);
    const acts = await forward(w, { data: data.xTest, n: data.nTest, d: data.d });
    expect(projectionRecord(acts, data.yTest)).toEqual(p);
    expect(p.labels).toEqual(Array.from(data.yTest));
  });

  it.skipIf(!pythonHas('numpy'))('numpy reads the weights: W_l (fan_in, fan_out) float32, sizes int32 (python3 numpy)', () => {
    const r = records[0]!;
    const out = execFileSync('/usr/bin/python3', ['-c', `import numpy as np\nz=np.load('${dir}/weights/${r.id}.npz')\nprint(list(z['sizes']), z['W0'].shape, z['W0'].dtype, z['b1'].shape, sorted(z.files)[:3])`]).toString().trim();
    expect(out).toBe(`[${r.layerDims.join(', ')}] (${r.layerDims[0]}, ${r.layerDims[1]}) float32 (${r.layerDims[2]},) ['W0', 'W1', 'W2']`);
  });
});

describe('report figure specs', () => {
  it('figure 6 is drawn from the records\' projection; records without one: unavailable, nothing trained', async () => {
    const drawn = (await buildFigures(records)).figures.find((f) => f.id === 'fig6-projection')!;
    expect(drawn.svg).toMatch(/^<svg/);
    const best = records.filter((r) => r.projection).sort((a, b) => b.accuracy! - a.accuracy! || a.config.seed - b.config.seed)[0]!;
    const points = specDataTable(drawn.spec).rows.length;
    expect(points).toBeGreaterThanOrEqual(2 * best.nTest);
    const old = records.map(({ projection: _, ...r }) => r as NetworkRecord);
    const fig = (await buildFigures(old)).figures.find((f) => f.id === 'fig6-projection')!;
    expect(fig.svg).toBeNull();
    expect(fig.note).toMatch(/^Unavailable: these records carry no projection/);
  });

  it('writes each figure as <id>.vl.json with its data as <id>.csv', async () => {
    const r = await ricciflow(['report', dir, '--no-projection']);
    expect(r.code, r.stderr).toBe(0);
    const files = await readdir(join(dir, 'figures'));
    const specs = files.filter((f) => f.endsWith('.vl.json'));
    expect(specs.length).toBeGreaterThanOrEqual(5);
    for (const f of specs) {
      const id = f.replace(/\.vl\.json$/, '');
      expect(existsSync(join(dir, 'figures', `${id}.svg`))).toBe(true);
      const spec = JSON.parse(await readFile(join(dir, 'figures', f), 'utf8'));
      expect(spec.$schema).toMatch(/vega-lite/);
      const csv = (await readFile(join(dir, 'figures', `${id}.csv`), 'utf8')).trim().split('\n');
      expect(csv.length - 1).toBe(specDataTable(spec).rows.length);
      expect(csv.length).toBeGreaterThan(1);
    }
  });
});
