/**
 * A sweep on a researcher's own dataset files ("files" in the sweep file) with uniform "widths":
 * fed the very points `ricciflow data syn1` exports, it gives the same networks and coefficients
 * as the sweep on the built-in syn1.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { resolveSweep } from '../../src/study/sweep.js';
import { writeZip } from '../../src/io/zip.js';
import { recordsIn, ricciflow, tempDir } from '../helpers/cli.js';

const dir = tempDir('own');
const grid = { widths: [8, 12], depths: [2], seeds: [0, 1], k: [10], curvatures: ['forman', 'augmented'], training: { epochs: 3 } };
beforeAll(async () => {
  const r = await ricciflow(['data', 'syn1', '--out', join(dir, 'syn1'), '--n-train', '200', '--n-test', '80', '-q']);
  if (r.code !== 0) throw new Error(r.stderr);
});

describe('sweeps on your own data', () => {
  it('files (relative to the sweep file) and an .npz give the same records as the built-in dataset', async () => {
    const files = { train: 'syn1/x_train.npy', trainLabels: 'syn1/y_train.npy', test: 'syn1/x_test.npy', testLabels: 'syn1/y_test.npy' };
    const z = writeZip(await Promise.all(['x_train', 'y_train', 'x_test', 'y_test'].map(async (k) => ({ name: `${k}.npy`, data: await readFile(join(dir, 'syn1', `${k}.npy`)) }))));
    await writeFile(join(dir, 'mine.npz'), z);
    await writeFile(join(dir, 'own.json'), JSON.stringify({ name: 'own', datasets: ['mine', 'zipped'], files: { mine: files, zipped: { npz: 'mine.npz' } }, ...grid }));
    await writeFile(join(dir, 'builtin.json'), JSON.stringify({ name: 'builtin', datasets: ['syn1'], data: { nTrain: 200, nTest: 80 }, ...grid }));
    const [a, b] = await Promise.all([
      ricciflow(['sweep', '--config', join(dir, 'own.json'), '--out', join(dir, 'own'), '--workers', '1', '-q']),
      ricciflow(['sweep', '--config', join(dir, 'builtin.json'), '--out', join(dir, 'builtin'), '--workers', '1', '-q']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const own = await recordsIn(join(dir, 'own'));
    const ref = await recordsIn(join(dir, 'builtin'));
    expect(own).toHaveLength(8); // 2 datasets × 2 widths × 2 seeds
    expect(ref).toHaveLength(4);
    expect(own[0]!.config.data.files).toEqual(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, join(dir, v)])));
    expect(own[0]!.config.architecture).toBe('w8');
    for (const name of ['mine', 'zipped'])
      for (const r of ref) {
        const o = own.find((x) => x.config.dataset === name && x.config.architecture === r.config.architecture && x.config.seed === r.config.seed)!;
        expect(o.status).toBe('ok');
        expect(o.accuracy).toBe(r.accuracy);
        expect(o.layerDims).toEqual(r.layerDims);
        expect(o.byK[0]!.coefficients).toEqual(r.byK[0]!.coefficients);
      }
  }, 180_000);

  it('refuses bad entries with the key named', () => {
    const base = { datasets: ['mine'], widths: [4], depths: [1], seeds: [0] };
    expect(() => resolveSweep({ ...base, files: { mine: { train: 'a.npy' } } }, 'x')).toThrow(/'files\.mine\.trainLabels' is required/);
    expect(() => resolveSweep({ ...base, datasets: ['A'], files: { A: { npz: 'a.npz' } } }, 'x')).toThrow(/'files\.A' is a built-in dataset name/);
    expect(() => resolveSweep({ ...base, datasets: ['A'], files: { mine: { npz: 'a.npz' } } }, 'x')).toThrow(/'files\.mine' is not used/);
    expect(() => resolveSweep({ ...base }, 'x')).toThrow(/unknown dataset 'mine'/);
    expect(resolveSweep({ ...base, files: { mine: { npz: 'd/a.npz' } } }, 'x', '/data').files).toEqual({ mine: { npz: '/data/d/a.npz' } });
  });

  it('a missing file or non-binary labels fail clearly', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ datasets: ['gone'], files: { gone: { npz: 'nope.npz' } }, ...grid, widths: [4], seeds: [0] }));
    const r = await ricciflow(['sweep', '--config', join(dir, 'bad.json'), '--out', join(dir, 'bad'), '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.npz/);
  });
});
