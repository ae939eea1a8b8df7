/**
 * Inputs from the Python side: .npz archives (stored and deflated, JS- and numpy-written),
 * float16 and N-D .npy arrays, delimited text with comments, natural layer order. The done-when
 * check: 12 layers of activations give the same coefficients from one .npz as from 12 .npy files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { analyzeLayers } from '../../src/analysis/pipeline.js';
import { createRng } from '../../src/data/rng.js';
import { FormatError, InvalidArgumentError } from '../../src/core/errors.js';
import { encodeNpy, halfToFloat, parseCsv, parseNpy, writeNpy, type Matrix } from '../../src/io/arrays.js';
import { encodeNpz, layerOrder, naturalCompare, parseNpz, readLayerFiles, readNpz, writeNpz } from '../../src/io/npz.js';
import { writeZip } from '../../src/io/zip.js';
import { ricciflow, tempDir } from '../helpers/cli.js';
import { pythonHas } from '../helpers/python.js';

const dir = tempDir('npz');

const NUMPY = pythonHas('numpy');
const py = (code: string): string => execFileSync('/usr/bin/python3', ['-c', code]).toString();

/** 12 layers of a random ReLU network on 120 points (deterministic). */
function twelveLayers(): Matrix[] {
  const rng = createRng(7);
  const n = 120;
  let d = 3;
  let x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const out: Matrix[] = [{ data: x, n, d }];
  const widths = [8, 8, 6, 10, 8, 8, 7, 9, 8, 6, 2];
  for (const w of widths) {
    const W = new Float64Array(d * w);
    for (let i = 0; i < W.length; i++) W[i] = rng.normal() / Math.sqrt(d);
    const y = new Float64Array(n * w);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < w; j++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += x[i * d + q]! * W[q * w + j]!;
        y[i * w + j] = Math.max(0, s) + 0.01 * s; // leaky, so layers keep distinct points
      }
    x = y;
    d = w;
    out.push({ data: x, n, d });
  }
  return out;
}

describe('natural layer order', () => {
  it('compares digit runs as numbers', () => {
    const names = ['layer10', 'layer2', 'layer1', 'layer0', 'layer11'];
    expect([...names].sort(naturalCompare)).toEqual(['layer0', 'layer1', 'layer2', 'layer10', 'layer11']);
    expect(naturalCompare('a2b', 'a10b')).toBeLessThan(0);
    expect(naturalCompare('x', 'x')).toBe(0);
  });
  it('sorts only names of one numbered skeleton, else keeps the given order', () => {
    expect(layerOrder(['h10.npy', 'h2.npy', 'h1.npy'])).toEqual([2, 1, 0]);
    expect(layerOrder(['input', 'fc1', 'output'])).toEqual([0, 1, 2]);
    expect(layerOrder(['fc2', 'relu1'])).toEqual([0, 1]);
    expect(layerOrder(['blocks.10.out', 'blocks.9.out'])).toEqual([1, 0]);
  });
});

describe('npy: float16 and N-D arrays', () => {
  it('decodes half precision exactly (normals, subnormals, signed zero, inf, nan)', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
    expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
  });

  it('flattens (n, c, h, w) to n × c·h·w and keeps the shape', () => {
    const data = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
    const two = encodeNpy({ data, n: 2, d: 12 });
    // Rewrite the header's shape (same length padded) to (2, 3, 2, 2).
    const text = new TextDecoder('latin1').decode(two.subarray(10, 10 + new DataView(two.buffer).getUint16(8, true)));
    const patched = text.replace('(2, 12)', '(2, 3, 2, 2)').padEnd(text.length - 1, ' ').slice(0, text.length - 1) + '\n';
    const buf = two.slice();
    for (let i = 0; i < patched.length; i++) buf[10 + i] = patched.charCodeAt(i);
    const m = parseNpy(buf, 'conv.npy');
    expect([m.n, m.d]).toEqual([2, 12]);
    expect(m.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(m.data)).toEqual(Array.from(data));
  });

  it.skipIf(!NUMPY)('reads numpy float16 and 4-D files (python3 numpy)', () => {
    const f16 = join(dir, 'half.npy'), nd = join(dir, 'conv.npy');
    py(
      `import numpy as np\nr=np.random.default_rng(1)\n` +
        `np.save('${f16}', (r.standard_normal((5, 3))*100).astype(np.float16))\n` +
        `np.save('${nd}', r.standard_normal((4, 2, 3, 3)).astype(np.float32))\n` +
        `open('${f16}.txt','w').write(' '.join(repr(float(v)) for v in np.load('${f16}').astype(np.float64).ravel()))\n` +
        `open('${nd}.txt','w').write(' '.join(repr(float(v)) for v in np.load('${nd}').astype(np.float64).ravel()))\n`,
    );
    const h = parseNpy(readFileSync(f16), 'half.npy');
    expect(h.data).toBeInstanceOf(Float32Array);
    expect([h.n, h.d, h.shape]).toEqual([5, 3, undefined]);
    expect(Array.from(h.data)).toEqual(readFileSync(`${f16}.txt`, 'utf8').split(' ').map(Number));
    const c = parseNpy(readFileSync(nd), 'conv.npy');
    expect([c.n, c.d, c.shape]).toEqual([4, 18, [4, 2, 3, 3]]);
    expect(Array.from(c.data)).toEqual(readFileSync(`${nd}.txt`, 'utf8').split(' ').map(Number).map(Math.fround));
  });
});

describe('delimited text', () => {
  it("reads np.savetxt's default (spaces, # header), tabs and comments", () => {
    const spaced = parseCsv('# x y z\n1.000000000000000000e+00 2.5e+00 -3\n  4 5 6  \n# footer\n');
    expect([spaced.n, spaced.d, Array.from(spaced.data)]).toEqual([2, 3, [1, 2.5, -3, 4, 5, 6]]);
    const tabbed = parseCsv('a\tb\n1\t2\n3\t4 # note\n');
    expect([tabbed.n, tabbed.d, Array.from(tabbed.data)]).toEqual([2, 2, [1, 2, 3, 4]]);
    expect(() => parseCsv('1 2\n3\n', 't.txt')).toThrow(/line 2 has 1 columns, expected 2/);
    expect(() => parseCsv('1,,2\n')).toThrow(FormatError);
  });

  it.skipIf(!NUMPY)('reads what np.savetxt writes with its defaults (python3 numpy)', async () => {
    const p = join(dir, 'saved.txt');
    py(`import numpy as np\nnp.savetxt('${p}', np.arange(12.0).reshape(4, 3) / 7, header='a b c')`);
    const { layers } = await readLayerFiles([p, p]);
    expect([layers[0]!.n, layers[0]!.d]).toEqual([4, 3]);
    layers[0]!.data.forEach((v, i) => expect(v).toBeCloseTo(i / 7, 15));
  });
});

describe('npz', () => {
  const layers = twelveLayers();

  it('round-trips through a JS-written stored zip, in key order', async () => {
    const arrays = [
      { key: 'b', matrix: layers[1]! },
      { key: 'a', matrix: { data: Float32Array.from([1, 2, 3]), n: 3, d: 1 } },
    ];
    const back = await parseNpz(encodeNpz(arrays), 'x.npz');
    expect(back.map((a) => a.key)).toEqual(['b', 'a']);
    expect(Array.from(back[0]!.matrix.data)).toEqual(Array.from(layers[1]!.data));
    expect(back[1]!.matrix.data).toBeInstanceOf(Float32Array);
    expect(() => encodeNpz([{ key: 'a', matrix: layers[0]! }, { key: 'a', matrix: layers[0]! }])).toThrow(InvalidArgumentError);
  });

  it('refuses corrupt archives with FormatError', async () => {
    const good = encodeNpz([{ key: 'x', matrix: layers[0]! }]);
    await expect(parseNpz(good.subarray(0, 10), 'short.npz')).rejects.toThrow(/not a zip/);
    await expect(parseNpz(new Uint8Array(100), 'zeros.npz')).rejects.toThrow(/no end-of-central-directory/);
    const flipped = good.slice();
    flipped[200] = flipped[200]! ^ 0xff; // inside the array data
    await expect(parseNpz(flipped, 'crc.npz')).rejects.toThrow(/CRC-32/);
    await expect(parseNpz(writeZip([{ name: 'readme.txt', data: new Uint8Array(3) }]), 'none.npz')).rejects.toThrow(/no \.npy arrays/);
    const err = await parseNpz(flipped, 'crc.npz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
  });

  it('12 layers: one .npz (JS-written, stored) gives the same coefficients as 12 .npy files', async () => {
    // The .npy files are listed as a shell glob would (layer10 before layer2): natural order fixes it.
    const files = layers.map((_, l) => join(dir, `layer${l}.npy`));
    for (const [l, m] of layers.entries()) await writeNpy(files[l]!, m);
    const globbed = [...files].sort();
    expect(globbed[2]).toMatch(/layer10\.npy$/);
    // The archive holds its keys in lexicographic order too.
    const npz = join(dir, 'acts.npz');
    await writeNpz(npz, [...layers.keys()].map((l) => ({ key: `layer${l}`, matrix: layers[l]! })).sort((a, b) => (a.key < b.key ? -1 : 1)));
    const fromNpz = await readLayerFiles([npz]);
    expect(fromNpz.reordered).toBe(true);
    expect(fromNpz.sources.map((s) => s.key)).toEqual(layers.map((_, l) => `layer${l}`));

    const expected = await analyzeLayers(layers, { k: [10], curvatures: ['forman', 'augmented'] });
    const out1 = join(dir, 'from-npy.json'), out2 = join(dir, 'from-npz.json');
    const r1 = await ricciflow(['analyze', ...globbed, '--k', '10', '--curvature', 'forman,augmented', '--out', out1]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stderr).toMatch(/natural order/);
    const r2 = await ricciflow(['analyze', npz, '--k', '10', '--curvature', 'forman,augmented', '--out', out2]);
    expect(r2.code, r2.stderr).toBe(0);
    const a = JSON.parse(readFileSync(out1, 'utf8')), b = JSON.parse(readFileSync(out2, 'utf8'));
    expect(a.results).toEqual(b.results);
    expect(b.inputs).toHaveLength(12);
    expect(b.inputs[11]).toEqual({ file: npz, key: 'layer11', shape: [120, 2] });
    const K = expected.byK[0]!;
    expect(b.results[0].global.rho).toBe(K.coefficients.forman!.global.rho);
    expect(b.results[0].global.ric).toEqual(K.coefficients.forman!.global.ric);
    expect(b.results[1].layer).toEqual(K.coefficients.augmented!.layer.map((v) => (Number.isFinite(v) ? v : null)));
    expect(b.results[0].global.rho).not.toBeNull();
    // meta block: inputs hashed
    expect(b.meta.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // --order given keeps the glob order: different coefficients
    const r3 = await ricciflow(['analyze', ...globbed, '--k', '10', '--order', 'given', '--out', '-', '--quiet']);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toBe('');
    expect(JSON.parse(r3.stdout).inputs[2].file).toMatch(/layer10\.npy$/);
  });

  it.skipIf(!NUMPY)('12 layers: numpy-written .npz (np.savez and np.savez_compressed) match the .npy files (python3 numpy)', async () => {
    const files = layers.map((_, l) => join(dir, `layer${l}.npy`));
    for (const [l, m] of layers.entries()) await writeNpy(files[l]!, m);
    const stored = join(dir, 'np-stored.npz'), deflated = join(dir, 'np-deflated.npz');
    py(
      `import numpy as np\nL=[np.load('${dir}/layer%d.npy' % l) for l in range(12)]\n` +
        `np.savez('${stored}', *L)\nnp.savez_compressed('${deflated}', **{'layer%d' % l: a for l, a in enumerate(L)})\n`,
    );
    for (const f of [stored, deflated]) {
      const arrays = await readNpz(f);
      expect(arrays).toHaveLength(12);
      arrays.forEach((a) => expect(/^(arr_|layer)\d+$/.test(a.key)).toBe(true));
      const got = await readLayerFiles([f]);
      got.layers.forEach((m, l) => {
        expect([m.n, m.d]).toEqual([layers[l]!.n, layers[l]!.d]);
        expect(Array.from(m.data)).toEqual(Array.from(layers[l]!.data));
      });
    }
    const outA = join(dir, 'np-a.json'), outB = join(dir, 'np-b.json');
    const ra = await ricciflow(['analyze', ...files, '--k', '10', '--out', outA]);
    const rb = await ricciflow(['analyze', deflated, '--k', '10', '--out', outB]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(JSON.parse(readFileSync(outB, 'utf8')).results).toEqual(JSON.parse(readFileSync(outA, 'utf8')).results);
    // numpy reads what we write
    const ours = join(dir, 'ours.npz');
    await writeNpz(ours, [{ key: 'w', matrix: layers[3]! }]);
    const m = layers[3]!;
    expect(py(`import numpy as np\nz=np.load('${ours}')\nprint(z['w'].shape, repr(float(z['w'][0, 0])), repr(float(z['w'][-1, -1])))`).trim()).toBe(
      `(${m.n}, ${m.d}) ${m.data[0]} ${m.data[m.data.length - 1]}`,
    );
  });

  it('--keys chooses arrays; geometry needs --key for a multi-array .npz', async () => {
    const npz = join(dir, 'two.npz');
    await writeNpz(npz, [{ key: 'x', matrix: layers[0]! }, { key: 'y', matrix: layers[1]! }]);
    const sel = await readLayerFiles([npz], { keys: ['y', 'x'] });
    expect(sel.sources.map((s) => s.key)).toEqual(['y', 'x']);
    await expect(readLayerFiles([npz], { keys: ['z'] })).rejects.toThrow(/no array 'z'/);
    const r = await ricciflow(['geometry', npz, '--k', '5', '--out', join(dir, 'g.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--key NAME/);
    const ok = await ricciflow(['geometry', npz, '--key', 'y', '--k', '5', '--out', '-']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).n).toBe(120);
    expect(existsSync(join(dir, 'g.json'))).toBe(false);
  });
});
