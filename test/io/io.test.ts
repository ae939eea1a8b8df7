import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CancelledError,
  FormatError,
  InvalidArgumentError,
  IoError,
  NativeError,
  RicciflowError,
} from '../../src/core/errors.js';
import { encodeNpy, parseCsv, parseNpy, readCsv, readNpy, readPoints, writeNpy } from '../../src/io/arrays.js';
import { pythonHas } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'ricciflow-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Build an npy file by hand: any version, descr, shape text and payload. */
function npy(opts: { version?: number; descr: string; shape: string; fortran?: boolean; payload: Uint8Array; rawHeader?: string }): Uint8Array {
  const version = opts.version ?? 1;
  const dict =
    opts.rawHeader ??
    `{'descr': '${opts.descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${opts.shape}, }`;
  const pre = version === 1 ? 10 : 12;
  let header = dict;
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const hb = new TextEncoder().encode(header);
  const out = new Uint8Array(pre + hb.length + opts.payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hb.length, true);
  else dv.setUint32(8, hb.length, true);
  out.set(hb, pre);
  out.set(opts.payload, pre + hb.length);
  return out;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const NUMPY = pythonHas('numpy');

describe('errors', () => {
  it('have codes, names and a common base', () => {
    const cases = [
      [new InvalidArgumentError('m', 'k'), 'ERR_INVALID_ARGUMENT', 'InvalidArgumentError'],
      [new FormatError('m'), 'ERR_FORMAT', 'FormatError'],
      [new IoError('m'), 'ERR_IO', 'IoError'],
      [new CancelledError('m'), 'ERR_CANCELLED', 'CancelledError'],
      [new NativeError('m'), 'ERR_NATIVE', 'NativeError'],
    ] as const;
    for (const [e, code, name] of cases) {
      expect(e).toBeInstanceOf(RicciflowError);
      expect(e).toBeInstanceOf(Error);
      expect(e.code).toBe(code);
      expect(e.name).toBe(name);
      expect(e.message).toBe('m');
    }
    expect(new InvalidArgumentError('m', 'k').arg).toBe('k');
    const base = new RicciflowError('ERR_X', 'msg');
    expect(base.code).toBe('ERR_X');
    expect(base.arg).toBeUndefined();
  });
});

describe('npy', () => {
  it('round-trips float32 and float64 through files', async () => {
    const f32 = { data: Float32Array.from([1, -2.5, 3.25, 4, 5e-8, 6e20]), n: 3, d: 2 };
    const f64 = { data: Float64Array.from([Math.PI, -Math.E, 1e-300, 7]), n: 2, d: 2 };
    await writeNpy(join(dir, 'a.npy'), f32);
    await writeNpy(join(dir, 'b.npy'), f64);
    const a = await readNpy(join(dir, 'a.npy'));
    const b = await readNpy(join(dir, 'b.npy'));
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(b.data).toBeInstanceOf(Float64Array);
    expect([a.n, a.d, b.n, b.d]).toEqual([3, 2, 2, 2]);
    expect(Array.from(a.data)).toEqual(Array.from(f32.data));
    expect(Array.from(b.data)).toEqual(Array.from(f64.data));
  });

  it('aligns data to 64 bytes and returns a zero-copy view when aligned', () => {
    const m = { data: Float64Array.from([1, 2, 3]), n: 3, d: 1 };
    const buf = encodeNpy(m);
    const headerLen = new DataView(buf.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    const back = parseNpy(buf);
    expect(back.data.buffer).toBe(buf.buffer);
    expect(Array.from(back.data)).toEqual([1, 2, 3]);
  });

  it('copies when the data are not aligned', () => {
    const buf = encodeNpy({ data: Float32Array.from([1.5, 2.5]), n: 1, d: 2 });
    const shifted = new Uint8Array(buf.length + 1);
    shifted.set(buf, 1);
    const m = parseNpy(shifted.subarray(1));
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(m.data.buffer).not.toBe(shifted.buffer);
    expect(Array.from(m.data)).toEqual([1.5, 2.5]);
  });

  it('treats a 1-D array as n×1 and accepts an empty array', () => {
    const m = parseNpy(npy({ descr: '<f8', shape: '(3,)', payload: bytesOf(Float64Array.from([1, 2, 3])) }));
    expect([m.n, m.d]).toEqual([3, 1]);
    const e = parseNpy(npy({ descr: '<f4', shape: '(0, 4)', payload: new Uint8Array(0) }));
    expect([e.n, e.d, e.data.length]).toEqual([0, 4, 0]);
  });

  it('reads versions 2 and 3', () => {
    for (const version of [2, 3]) {
      const m = parseNpy(npy({ version, descr: '<f4', shape: '(2, 1)', payload: bytesOf(Float32Array.from([7, 8])) }));
      expect(Array.from(m.data)).toEqual([7, 8]);
    }
  });

  it('converts integer and boolean dtypes to Float64Array', () => {
    const cases: [string, Uint8Array, number[]][] = [
      ['|u1', Uint8Array.from([0, 255, 7, 1]), [0, 255, 7, 1]],
      ['<u1', Uint8Array.from([3, 4, 5, 6]), [3, 4, 5, 6]],
      ['|i1', bytesOf(Int8Array.from([-128, 127, -1, 0])), [-128, 127, -1, 0]],
      ['<i2', bytesOf(Int16Array.from([-300, 300, 0, 1])), [-300, 300, 0, 1]],
      ['<u2', bytesOf(Uint16Array.from([65535, 1, 2, 3])), [65535, 1, 2, 3]],
      ['<i4', bytesOf(Int32Array.from([-5, 2 ** 31 - 1, 0, 9])), [-5, 2 ** 31 - 1, 0, 9]],
      ['<u4', bytesOf(Uint32Array.from([2 ** 32 - 1, 0, 1, 2])), [2 ** 32 - 1, 0, 1, 2]],
      ['<i8', bytesOf(BigInt64Array.from([-5n, 10n, 2n ** 40n, 0n])), [-5, 10, 2 ** 40, 0]],
      ['<u8', bytesOf(BigUint64Array.from([5n, 10n, 2n ** 50n, 0n])), [5, 10, 2 ** 50, 0]],
      ['|b1', Uint8Array.from([1, 0, 0, 1]), [1, 0, 0, 1]],
    ];
    for (const [descr, payload, expected] of cases) {
      const m = parseNpy(npy({ descr, shape: '(2, 2)', payload }), descr);
      expect(m.data, descr).toBeInstanceOf(Float64Array);
      expect(Array.from(m.data), descr).toEqual(expected);
      expect([m.n, m.d]).toEqual([2, 2]);
    }
  });

  it('byte-swaps big-endian floats', () => {
    const p = new Uint8Array(16);
    const dv = new DataView(p.buffer);
    dv.setFloat64(0, 1.25, false);
    dv.setFloat64(8, -3, false);
    const m = parseNpy(npy({ descr: '>f8', shape: '(2,)', payload: p }));
    expect(Array.from(m.data)).toEqual([1.25, -3]);
  });

  it('loads NaN and Inf (the engine rejects them later)', () => {
    const m = parseNpy(encodeNpy({ data: Float64Array.from([NaN, Infinity]), n: 1, d: 2 }));
    expect(Number.isNaN(m.data[0])).toBe(true);
    expect(m.data[1]).toBe(Infinity);
  });

  it.skipIf(!NUMPY)('reads files written by numpy', async () => {
    const script = `
import numpy as np, sys
d = sys.argv[1]
np.save(d + '/py32.npy', np.arange(12, dtype='<f4').reshape(4, 3) / 4)
np.save(d + '/py64.npy', np.linspace(0, 1, 5))
np.save(d + '/pyi8.npy', np.array([[1, -2], [3, 4]], dtype=np.int64))
np.save(d + '/pyu8.npy', np.array([[0, 255]], dtype=np.uint8))
np.save(d + '/pyf.npy', np.asfortranarray(np.ones((3, 2))))
np.save(d + '/py3d.npy', np.zeros((2, 2, 2)))
`;
    execFileSync('/usr/bin/python3', ['-c', script, dir]);
    const a = await readNpy(join(dir, 'py32.npy'));
    expect(a.data).toBeInstanceOf(Float32Array);
    expect([a.n, a.d]).toEqual([4, 3]);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 12 }, (_, i) => i / 4));
    const b = await readNpy(join(dir, 'py64.npy'));
    expect(b.data).toBeInstanceOf(Float64Array);
    expect([b.n, b.d]).toEqual([5, 1]);
    expect(Array.from(b.data)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from((await readNpy(join(dir, 'pyi8.npy'))).data)).toEqual([1, -2, 3, 4]);
    expect(Array.from((await readNpy(join(dir, 'pyu8.npy'))).data)).toEqual([0, 255]);
    await expect(readNpy(join(dir, 'pyf.npy'))).rejects.toThrow(/Fortran order/);
    const c = await readNpy(join(dir, 'py3d.npy')); // N-D: flattened per sample
    expect([c.n, c.d, c.shape]).toEqual([2, 4, [2, 2, 2]]);
  });

  it.skipIf(!NUMPY)('numpy reads what we write (skipped without /usr/bin/python3 + numpy)', () => {
    const m = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), n: 2, d: 3 };
    writeFileSync(join(dir, 'ours.npy'), encodeNpy(m));
    const out = execFileSync('/usr/bin/python3', [
      '-c',
      `import numpy as np; a = np.load('${join(dir, 'ours.npy')}'); print(a.dtype, a.shape, a.sum())`,
    ]).toString();
    expect(out.trim()).toBe('float32 (2, 3) 21.0');
  });

  describe('malformed files give FormatError naming the file', () => {
    const good = encodeNpy({ data: Float64Array.from([1, 2, 3, 4]), n: 2, d: 2 });
    const f8 = bytesOf(Float64Array.from([1, 2, 3, 4]));
    const cases: [string, Uint8Array, RegExp][] = [
      ['bad magic', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, 1, 0, 0, 0, 0]), /bad magic/],
      ['empty', new Uint8Array(0), /bad magic/],
      ['unknown version', (() => { const b = good.slice(); b[6] = 9; return b; })(), /version 9/],
      ['header longer than file', good.slice(0, 30), /truncated inside its header/],
      ['header not a dict', npy({ descr: '', shape: '', payload: f8, rawHeader: "['descr', '<f8']" }), /not a dict/],
      ['no shape', npy({ descr: '', shape: '', payload: f8, rawHeader: "{'descr': '<f8', 'fortran_order': False}" }), /shape/],
      ['no descr', npy({ descr: '', shape: '', payload: f8, rawHeader: "{'fortran_order': False, 'shape': (4,)}" }), /descr/],
      ['no fortran_order', npy({ descr: '', shape: '', payload: f8, rawHeader: "{'descr': '<f8', 'shape': (4,)}" }), /fortran_order/],
      ['structured dtype', npy({ descr: '', shape: '', payload: f8, rawHeader: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,)}" }), /structured/],
      ['bad shape entry', npy({ descr: '<f8', shape: '(2, x)', payload: f8 }), /shape entry/],
      ['fortran order', npy({ descr: '<f8', shape: '(2, 2)', fortran: true, payload: f8 }), /Fortran order/],
      ['0-D', npy({ descr: '<f8', shape: '()', payload: f8.subarray(0, 8) }), /0-D/],
      ['3-D truncated', npy({ descr: '<f8', shape: '(1, 2, 3)', payload: f8 }), /truncated/],
      ['complex dtype', npy({ descr: '<c16', shape: '(2,)', payload: f8 }), /unsupported npy dtype/],
      ['float128', npy({ descr: '<f16', shape: '(2,)', payload: f8 }), /unsupported npy dtype/],
      ['object dtype', npy({ descr: '|O', shape: '(2,)', payload: f8 }), /unsupported npy dtype/],
      ['truncated data', good.slice(0, good.length - 3), /truncated/],
      ['trailing bytes', Uint8Array.from([...good, 0, 0]), /trailing bytes/],
    ];
    for (const [what, buf, re] of cases) {
      it(what, async () => {
        const p = join(dir, `bad-${what.replace(/\W+/g, '_')}.npy`);
        writeFileSync(p, buf);
        const err = await readNpy(p).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FormatError);
        expect((err as FormatError).code).toBe('ERR_FORMAT');
        expect((err as Error).message).toMatch(re);
        expect((err as Error).message).toContain(`bad-${what.replace(/\W+/g, '_')}.npy`);
      });
    }
  });

  it('unreadable file gives IoError naming the path', async () => {
    const p = join(dir, 'does-not-exist.npy');
    const err = await readNpy(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toContain(p);
    await expect(readCsv(join(dir, 'nope.csv'))).rejects.toBeInstanceOf(IoError);
    await expect(readNpy(dir)).rejects.toBeInstanceOf(IoError); // a directory
  });

  it('encodeNpy rejects inconsistent matrices', () => {
    expect(() => encodeNpy({ data: new Float32Array(5), n: 2, d: 3 })).toThrow(InvalidArgumentError);
    expect(() => encodeNpy({ data: new Float32Array(6), n: -2, d: -3 })).toThrow(InvalidArgumentError);
    expect(() => encodeNpy({ data: [1, 2] as unknown as Float32Array, n: 1, d: 2 })).toThrow(InvalidArgumentError);
  });

  it('writeNpy to an impossible path gives IoError', async () => {
    await expect(writeNpy(join(dir, 'no/such/dir/x.npy'), { data: new Float32Array(1), n: 1, d: 1 })).rejects.toBeInstanceOf(
      IoError,
    );
  });
});

describe('csv', () => {
  it('reads a file without header', async () => {
    writeFileSync(join(dir, 'plain.csv'), '1,2,3\n4.5,-6e2,.5\n');
    const m = await readCsv(join(dir, 'plain.csv'));
    expect(m.data).toBeInstanceOf(Float64Array);
    expect([m.n, m.d]).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4.5, -600, 0.5]);
  });

  it('skips a header row of names, handles CRLF, BOM, blanks and quotes', async () => {
    writeFileSync(join(dir, 'head.csv'), '\ufeff"x","y"\r\n1, 2\r\n\r\n"3",4\r\n');
    const m = await readCsv(join(dir, 'head.csv'));
    expect([m.n, m.d]).toEqual([2, 2]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4]);
  });

  it('a single column works', () => {
    const m = parseCsv('v\n1\n2\n3');
    expect([m.n, m.d]).toEqual([3, 1]);
  });

  it('loads nan and inf', () => {
    const m = parseCsv('nan,inf,-Infinity');
    expect(Number.isNaN(m.data[0])).toBe(true);
    expect(m.data[1]).toBe(Infinity);
    expect(m.data[2]).toBe(-Infinity);
  });

  const bad: [string, string, RegExp][] = [
    ['ragged rows', '1,2\n3,4,5\n', /line 2 has 3 columns, expected 2/],
    ['ragged against the header', 'a,b,c\n1,2\n', /line 2 has 2 columns, expected 3/],
    ['non-numeric cell', '1,2\n3,abc\n', /line 2, column 2: "abc" is not a number/],
    ['empty cell', '1,,3\n', /line 1, column 2/],
    ['mixed header', 'x,1\n2,3\n', /line 1, column 1/],
    ['empty file', '', /no data rows/],
    ['header only', 'x,y\n', /no data rows/],
  ];
  for (const [what, text, re] of bad) {
    it(`${what} → FormatError`, async () => {
      const p = join(dir, `bad-${what.replace(/\W+/g, '_')}.csv`);
      writeFileSync(p, text);
      const err = await readCsv(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).toContain(`bad-${what.replace(/\W+/g, '_')}.csv`);
    });
  }
});

describe('readPoints', () => {
  it('dispatches on the extension', async () => {
    writeFileSync(join(dir, 'p.CSV'), '1,2\n');
    await writeNpy(join(dir, 'p.npy'), { data: Float32Array.from([1, 2]), n: 1, d: 2 });
    expect((await readPoints(join(dir, 'p.CSV'))).data).toBeInstanceOf(Float64Array);
    expect((await readPoints(join(dir, 'p.npy'))).data).toBeInstanceOf(Float32Array);
  });

  it('refuses other extensions', async () => {
    const err = await readPoints(join(dir, 'points.bin')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/\.npy, \.npz or delimited text/);
    expect(existsSync(join(dir, 'points.bin'))).toBe(false);
  });
});
