// The promises of the README's "Guarantees" section that are not crash tests (those live in
// crash.test.ts): endless inputs, extreme magnitudes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { analyzeLayers, InvalidArgumentError, IoError, knn, knnGraph, pairwiseDistances, readCsv, readNpy, readPoints, syntheticDataset, writeNpy } from '../../src/index.js';
import { resolveSweep } from '../../src/study/sweep.js';
import { createRng } from '../../src/data/rng.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'rf-guarantees-'));
}

describe('endless and special input files (issue item 4)', () => {
  it('a .npy or .csv path that is a symlink to /dev/zero is refused before reading', async () => {
    const dir = scratch();
    for (const name of ['zero.npy', 'zero.csv']) {
      symlinkSync('/dev/zero', join(dir, name));
      await expect(readPoints(join(dir, name))).rejects.toThrow(IoError);
      await expect(readPoints(join(dir, name))).rejects.toThrow(/character device, not a regular file/);
    }
    await expect(readNpy('/dev/zero')).rejects.toThrow(IoError);
    await expect(readCsv('/dev/urandom')).rejects.toThrow(IoError);
  });

  it('a FIFO is refused without waiting for a writer; a directory is refused', async () => {
    const dir = scratch();
    const fifo = join(dir, 'pipe.npy');
    execFileSync('mkfifo', [fifo]);
    await expect(readPoints(fifo)).rejects.toThrow(/FIFO/);
    const sub = join(dir, 'dir.csv');
    execFileSync('mkdir', [sub]);
    await expect(readPoints(sub)).rejects.toThrow(/directory/);
  });

  it('regular files still read (through a symlink too)', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'p.csv'), 'x,y\n1,2\n3,4\n');
    symlinkSync(join(dir, 'p.csv'), join(dir, 'link.csv'));
    const m = await readPoints(join(dir, 'link.csv'));
    expect([m.n, m.d, Array.from(m.data)]).toEqual([2, 2, [1, 2, 3, 4]]);
  });
});

/** A cloud with coordinates in [1, 2) (so scaled by a power of two, nothing is subnormal). */
function cloud(n: number, d: number, Arr: Float32ArrayConstructor | Float64ArrayConstructor, seed: number) {
  const rng = createRng(seed);
  const data = new Arr(n * d);
  for (let i = 0; i < data.length; i++) data[i] = 1 + rng.uniform();
  return data;
}

function scaled(data: Float32Array | Float64Array, f: number): Float32Array | Float64Array {
  const out = data instanceof Float32Array ? new Float32Array(data.length) : new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * f;
  for (let i = 0; i < data.length; i++) if (out[i]! / f !== data[i]) throw new Error('scaling was not exact');
  return out;
}

describe('kNN at extreme magnitudes (issue item 6)', () => {
  // Multiplying by a power of two is exact, so the exact neighbour ordering cannot change.
  const cases: Array<[string, Float32ArrayConstructor | Float64ArrayConstructor, number[]]> = [
    ['float32', Float32Array, [2 ** 64, 2 ** 100, 2 ** 125, 2 ** -60, 2 ** -120]],
    ['float64', Float64Array, [2 ** 64, 2 ** 520, 2 ** 1000, 2 ** -520, 2 ** -1000]],
  ];
  for (const [label, Arr, factors] of cases) {
    for (const d of [1, 20, 150]) {
      it(`${label}, d = ${d}: clouds scaled by 2^${factors.map((f) => Math.log2(f)).join(', 2^')} have the unscaled neighbours`, async () => {
        const n = d === 150 ? 600 : 1500;
        const k = 12;
        const base = cloud(n, d, Arr, 7 + d);
        const expected = Array.from(await knn({ data: base, n, d }, { k }));
        for (const f of factors) {
          const got = Array.from(await knn({ data: scaled(base, f), n, d }, { k }));
          let differ = 0;
          for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) differ++;
          expect(differ, `factor 2^${Math.log2(f)}`).toBe(0);
        }
      });
    }
  }

  it('pairwiseDistances of a scaled cloud are the scaled distances (no overflow to Infinity)', async () => {
    const n = 50, d = 5;
    const base = cloud(n, d, Float64Array, 3);
    const ref = await pairwiseDistances({ data: base, n, d });
    for (const f of [2 ** 600, 2 ** -600]) {
      const got = await pairwiseDistances({ data: scaled(base, f), n, d });
      for (let i = 0; i < ref.length; i++) {
        expect(Number.isFinite(got[i]!)).toBe(true);
        expect(Math.abs(got[i]! / f - ref[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, ref[i]!));
      }
    }
  });
});

describe('small ones (item 13)', () => {
  it('knn(points) and knnGraph(points) without options: InvalidArgumentError naming k, not a TypeError', async () => {
    const points = { data: new Float64Array([0, 0, 1, 0, 5, 5]), n: 3, d: 2 };
    await expect(knn(points, undefined as unknown as { k: number })).rejects.toThrow(InvalidArgumentError);
    await expect(knnGraph(points, undefined as unknown as { k: number })).rejects.toThrow(/k: is required/);
  });

  it('a NaN in a layer names the layer (API) and the file (CLI analyze)', async () => {
    const ok = { data: new Float32Array([0, 0, 1, 0, 0, 1, 1, 1, 5, 5, 6, 5]), n: 6, d: 2 };
    const bad = { data: Float32Array.from(ok.data), n: 6, d: 2 };
    bad.data[7] = Number.NaN;
    const err = await analyzeLayers([ok, ok, bad], { k: [2] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/^layers\[2\]: non-finite value \(NaN\) at row 3, column 1/);
    const dir = scratch();
    await writeNpy(join(dir, 'l0.npy'), ok);
    await writeNpy(join(dir, 'l1.npy'), ok);
    await writeNpy(join(dir, 'l2.npy'), bad);
    const r = spawnSync(process.execPath, [join(__dirname, '../..', 'bin', 'ricciflow.js'), 'analyze', join(dir, 'l0.npy'), join(dir, 'l1.npy'), join(dir, 'l2.npy'), '--k', '2', '--out', join(dir, 'r.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'l2.npy')}: non-finite value (NaN) at row 3, column 1 (layer 2)`);
  });

  it('syntheticDataset refuses a fractional seed and absurd sizes; sweeps refuse 5v5 and nTrain 1e12 at validation', () => {
    expect(() => syntheticDataset('A', { nTrain: 10, nTest: 10, seed: 1.5 })).toThrow(/seed must be a non-negative integer, got 1.5/);
    expect(() => syntheticDataset('A', { nTrain: 1e12, nTest: 10 })).toThrow(InvalidArgumentError);
    const base = { datasets: ['A'], architectures: ['narrow'], depths: [3], seeds: [0] };
    expect(() => resolveSweep({ ...base, datasets: ['fashion-mnist:5v5'] })).toThrow(/pairs class 5 with itself/);
    expect(() => resolveSweep({ ...base, data: { nTrain: 1e12 } })).toThrow(/data.nTrain/);
  });
});
