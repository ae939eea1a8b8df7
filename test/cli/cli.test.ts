import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { writeNpy } from '../../src/index.js';
import { bin, ricciflow, root, runCommand, tempDir } from '../helpers/cli.js';
import { loadFixture, toF64 } from '../helpers/fixtures.js';

const tmp = tempDir('cli');
beforeAll(() => {
  // dist/ is built once by test/global-setup.ts.
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js missing');
});

describe('ricciflow', () => {
  it('prints its version (the package version) and lists its commands', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const v = await ricciflow(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(`ricciflow ${pkg.version}`);
    const h = await ricciflow(['--help']);
    expect(h.code).toBe(0);
    for (const verb of ['geometry', 'analyze', 'run', 'sweep', 'merge', 'stats', 'report']) expect(h.stdout).toContain(verb);
    const bad = await ricciflow(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(h.stdout).toMatch(/Exit status: 0 success; 1 failure/);
  });

  it('help VERB prints the verb help; --quiet silences notices; NODE_DEBUG=ricciflow prints stacks', async () => {
    const h = await ricciflow(['help', 'analyze']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^ricciflow analyze/);
    expect((await ricciflow(['help', 'nope'])).code).toBe(2);
    const pts = join(tmp, 'q.csv');
    await writeFile(pts, '0 0\n1 0\n0 1\n1 1\n2 2\n');
    const q = await ricciflow(['geometry', pts, '--k', '2', '--out', '-', '-q']);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stderr).toBe('');
    const res = JSON.parse(q.stdout);
    expect(res.n).toBe(5);
    expect(res.meta.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.meta.argv).toEqual(['geometry', pts, '--k', '2', '--out', '-', '-q']);
    expect(res.meta.inputs[0].sha256).toBe(createHash('sha256').update(await readFile(pts)).digest('hex'));
    expect(typeof res.meta.kernel.avx512).toBe('boolean');
    const plain = await ricciflow(['geometry', 'nope.npy', '--k', '3', '--out', '-']);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await ricciflow(['geometry', 'nope.npy', '--k', '3', '--out', '-'], { env: { NODE_DEBUG: 'ricciflow' } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

/**
 * Runs the CLI with a module-resolution hook; resolves the package modules it loaded (paths under
 * root), and `builtins`: the Node built-in modules loaded in the process (process.moduleLoadList,
 * which also sees modules loaded through require()).
 */
async function loadedModules(args: string[]): Promise<string[] & { builtins: string[]; cjs: string[] }> {
  const hook = join(tmp, 'hook.mjs');
  const reg = join(tmp, 'register.mjs');
  await writeFile(hook, "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n");
  await writeFile(
    reg,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n` +
      "import { createRequire } from 'node:module';\nconst cjs = createRequire(import.meta.url).cache;\n" +
      "process.on('exit', () => process.stderr.write('BUILTINS ' + JSON.stringify(process.moduleLoadList) + '\\nCJS ' + JSON.stringify(Object.keys(cjs)) + '\\n'));\n",
  );
  const r = await runCommand(process.execPath, ['--import', pathToFileURL(reg).href, bin, ...args]);
  expect(r.code).toBe(0);
  const rootUrl = pathToFileURL(root).href + '/';
  const mods = [...new Set(r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7)))]
    .filter((u) => u.startsWith(rootUrl))
    .map((u) => u.slice(rootUrl.length));
  const line = r.stderr.split('\n').find((l) => l.startsWith('BUILTINS '));
  expect(line).toBeDefined();
  const builtins = (JSON.parse(line!.slice(9)) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  const cjsLine = r.stderr.split('\n').find((l) => l.startsWith('CJS '));
  expect(cjsLine).toBeDefined();
  const cjs = (JSON.parse(cjsLine!.slice(4)) as string[]).filter((p) => p.startsWith(root + '/')).map((p) => p.slice(root.length + 1));
  return Object.assign(mods, { builtins, cjs });
}

describe('ricciflow start-up: a verb loads only what it uses', () => {
  it('--version loads neither the addon nor any engine module, nor node:crypto', async () => {
    const mods = await loadedModules(['--version']);
    expect(mods).toContain('dist/cli.js');
    // The dispatcher's own small helpers (errors, cli/output, cli/util) only.
    for (const m of mods) expect(m).not.toMatch(/native|geometry|analysis|stats|train|study|report|io\/|npz|data\//);
    expect(mods.some((m) => m.startsWith('node_modules/'))).toBe(false);
    expect(mods.builtins).toContain('fs'); // the list is real
    expect(mods.builtins).not.toContain('crypto');
    expect(mods.builtins).not.toContain('zlib');
  });

  it('geometry loads no statistics, training, study or report code (no jstat, no tfjs), and no zlib for .csv or .npy', async () => {
    const pts = join(tmp, 'startup.csv');
    await writeFile(pts, '0,0\n1,0\n0,1\n1,1\n5,5\n');
    const mods = await loadedModules(['geometry', pts, '--k', '2', '--out', join(tmp, 'startup.json')]);
    expect(mods).toContain('dist/analysis/geometry.js');
    for (const m of mods) expect(m).not.toMatch(/analysis\/(pipeline|stats)|train|study|report|data\/|jstat|tensorflow|vega/);
    expect(mods.builtins).toContain('crypto'); // the input's SHA-256 in meta
    expect(mods.builtins).not.toContain('zlib');
    // With a local build (and none of node-gyp-build's switches), the addon is required directly.
    if (existsSync(join(root, 'build/Release/ricciflow.node')) && !process.env.RICCIFLOW_ADDON && !process.env.PREBUILDS_ONLY && !process.env.RICCIFLOW_PREBUILD) {
      expect(mods.cjs).toContain('build/Release/ricciflow.node');
      expect(mods.cjs.filter((m) => m.startsWith('node_modules/'))).toEqual([]);
    }
    const npy = join(tmp, 'startup.npy');
    await writeNpy(npy, { data: new Float64Array([0, 0, 1, 0, 0, 1, 1, 1, 5, 5]), n: 5, d: 2 });
    expect((await loadedModules(['geometry', npy, '--k', '2', '--out', join(tmp, 'startup.json')])).builtins).not.toContain('zlib');
    // An .npz needs it (inflate and CRC-32 come from node:zlib).
    const npz = join(tmp, 'startup.npz');
    const { writeNpz } = await import('../../src/io/npz.js');
    await writeNpz(npz, [{ key: 'x', matrix: { data: new Float64Array([0, 0, 1, 0, 0, 1, 1, 1, 5, 5]), n: 5, d: 2 } }]);
    expect((await loadedModules(['geometry', npz, '--k', '2', '--out', join(tmp, 'startup.json')])).builtins).toContain('zlib');
  });
});

describe('ricciflow geometry', () => {
  it('writes RESULT.json with the fixture values (npy in, JSON out)', async () => {
    const fx = loadFixture('blobs-120-mutual');
    const pts = join(tmp, 'blobs.npy');
    await writeNpy(pts, toF64(fx.points));
    const out = join(tmp, 'geometry.json');
    const r = await ricciflow(['geometry', pts, '--k', String(fx.k), '--mode', 'mutual', '--curvature', 'forman,augmented', '--out', out]);
    expect(r.code).toBe(0);
    const res = JSON.parse(await readFile(out, 'utf8'));
    expect(res.edges).toEqual(fx.edges);
    expect(res.knn).toEqual(fx.knn);
    expect(res.connected).toBe(false);
    expect(res.geodesicSum).toBeNull();
    expect(res.components).toBeGreaterThan(1);
    expect(res.curvature.forman).toEqual(fx.forman);
    expect(res.curvature.augmented).toEqual(fx.augmented);
    fx.forman_node_mean.forEach((v, i) => {
      if (v === null) expect(res.nodeMean.forman[i]).toBeNull();
      else expect(Math.abs(res.nodeMean.forman[i] - v)).toBeLessThanOrEqual(1e-9);
    });
  });

  it('a missing file exits 1 (I/O failure) and writes nothing', async () => {
    const out = join(tmp, `bad-${Math.random()}.json`);
    const r = await ricciflow(['geometry', 'nope.npy', '--k', '3', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/IoError.*nope\.npy/);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['k out of range', ['geometry', '__PTS__', '--k', '500', '--out', 'x.json'], /InvalidArgumentError: k/],
    ['an unknown mode', ['geometry', '__PTS__', '--k', '3', '--mode', 'both', '--out', 'x.json'], /mode/],
    ['a missing --out', ['geometry', '__PTS__', '--k', '3'], /--out/],
  ])('reports %s with exit status 2 and writes nothing', async (_label, args, pattern) => {
    const pts = join(tmp, 'blobs.npy');
    const out = join(tmp, `bad-${Math.random()}.json`);
    const r = await ricciflow(args.map((a) => (a === '__PTS__' ? pts : a === 'x.json' ? out : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(existsSync(out)).toBe(false);
  });
});

describe('ricciflow analyze', () => {
  it('reproduces the circles fixture from per-layer .npy files', async () => {
    const fx = loadFixture<{ layers: number[][][]; k: number; global_forman: { rho: number; ric: number[] }; layer_forman: number[] }>(
      'circles-relu-150',
    );
    const files: string[] = [];
    for (const [l, L] of fx.layers.entries()) {
      const f = join(tmp, `layer${l}.npy`);
      await writeNpy(f, toF64(L));
      files.push(f);
    }
    const out = join(tmp, 'analyze.json');
    const r = await ricciflow(['analyze', ...files, '--k', String(fx.k), '--curvature', 'forman', '--out', out]);
    expect(r.code).toBe(0);
    const res = JSON.parse(await readFile(out, 'utf8'));
    expect(Math.abs(res.global.rho - fx.global_forman.rho)).toBeLessThanOrEqual(1e-9);
    expect(res.global.ric).toEqual(fx.global_forman.ric);
    expect(res.layer).toHaveLength(fx.layers.length - 1);
    fx.layer_forman.forEach((v, l) => expect(Math.abs(res.layer[l] - v)).toBeLessThanOrEqual(1e-9));
    expect(res.local).toHaveLength(150);
    expect(res.connected).toEqual([true, true, true, true, true]);
  });

  it('refuses layers with different point counts and ragged CSV files', async () => {
    const a = join(tmp, 'a.csv'), b = join(tmp, 'b.csv'), ragged = join(tmp, 'ragged.csv');
    await writeFile(a, '0,0\n1,0\n0,1\n1,1\n');
    await writeFile(b, '0\n1\n2\n');
    await writeFile(ragged, '0,0\n1\n');
    const out = join(tmp, 'never.json');
    const r1 = await ricciflow(['analyze', a, b, '--k', '2', '--out', out]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/every layer must hold the same points/);
    const r2 = await ricciflow(['analyze', a, ragged, '--k', '1', '--out', out]);
    expect(r2.code).toBe(1); // a format error: exit 1
    expect(r2.stderr).toMatch(/FormatError.*ragged\.csv/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('jsonText (the CLI result writer)', () => {
  it('writes the same text as JSON.stringify(toJsonValue(v)), typed arrays and JsonRows included', async () => {
    const { jsonBytes, jsonText, JsonRows, toJsonValue } = await import('../../src/cli/util.js');
    const f = new Float64Array([1.5, NaN, -0, Infinity, -Infinity, 1e21, 1e-7, 0.1 + 0.2]);
    const i = new Int32Array([3, -1, 2147483647, -2147483648, 0, 7]);
    const rows = (a: ArrayLike<number>, w: number): number[][] => {
      const all = Array.from(a);
      return Array.from({ length: a.length / w }, (_, r) => all.slice(r * w, (r + 1) * w));
    };
    const v = {
      n: 3, s: 'a"b', nul: null, t: true, u: undefined, nan: NaN, f, f32: new Float32Array([0.1, 2]), i, list: [1, NaN, 'x'], empty: new Int32Array(0),
      big: [2 ** 53, -(2 ** 53) + 1, 2 ** 53 + 2, -12345, 1e21, 123456789012345680000, 5e-324, -0, 10, 100, -1000000],
      uni: { 'clé ä→': 'données/é.npy' }, nested: [[new Float64Array([-0, 0.5])]],
    };
    expect(jsonText(v)).toBe(JSON.stringify(toJsonValue(v)));
    expect(jsonText({ e: new JsonRows(i, 2), f: new JsonRows(f, 4), one: new JsonRows(i, 6), none: new JsonRows(new Int32Array(0), 2) })).toBe(
      JSON.stringify(toJsonValue({ e: rows(i, 2), f: rows(f, 4), one: rows(i, 6), none: [] })),
    );
    expect(() => jsonText(new JsonRows(i, 4))).toThrow(RangeError);
    // Bytes: UTF-8 of the same text, with the newline when asked; a buffer that has to grow.
    expect(Buffer.from(jsonBytes(v, true)).toString('utf8')).toBe(JSON.stringify(toJsonValue(v)) + '\n');
    const long = new Int32Array(200_000).map((_, k) => k * 7919 - 500_000);
    expect(jsonText({ long: new JsonRows(long, 4) })).toBe(JSON.stringify({ long: rows(long, 4) }));
  });

  it('writes rows of every width and kind as JSON.stringify does (runs of pairs, NaN and ±Infinity, plain arrays, BigInt)', async () => {
    const { jsonText, JsonRows, toJsonValue } = await import('../../src/cli/util.js');
    const rows = (a: ArrayLike<number>, w: number): unknown[][] => {
      const all = Array.from(a);
      return Array.from({ length: a.length / w }, (_, r) => all.slice(r * w, (r + 1) * w));
    };
    const same = (data: ArrayLike<number>, w: number): void =>
      expect(jsonText({ x: new JsonRows(data, w) })).toBe(JSON.stringify(toJsonValue({ x: rows(data, w) })));
    // Pairs: runs of one first element (edges, arcs), runs of one, NaN and ±Infinity in either column.
    same(new Int32Array([0, 1, 0, 2, 0, 5, 1, 2, 3, 0, 3, 4, 7, 7]), 2);
    same(new Float64Array([NaN, 1, NaN, 2, Infinity, -Infinity, -0, 0.5, -0, NaN, 1e21, 1e-7]), 2);
    same(new Float32Array([0.1, 0.1, 0.1, 0.2, 3, NaN]), 2);
    same(new Uint8Array([0, 255, 0, 1]), 2);
    // Width 1 (one join with "],[" between rows), wide rows, plain arrays.
    same(new Float64Array([1.5, NaN, -Infinity, 2]), 1);
    same(new Int16Array([-3, 4, 5]), 1);
    same(new Float64Array([1, NaN, 3, Infinity, 5, 6, -0, 8, 9]), 3);
    same([1, NaN, 2.5, -0], 2);
    same([3, 4, 5], 1);
    expect(() => jsonText(new JsonRows(new Int32Array(4), 0))).toThrow(RangeError);
    // Typed arrays outside rows; BigInt arrays become nulls, as toJsonValue makes them.
    const v = { a: new Float32Array([NaN, 1, -Infinity]), b: new BigInt64Array([1n, 2n]), c: new Uint16Array([65535, 0]), d: [new Int8Array([-128])] };
    expect(jsonText(v)).toBe(JSON.stringify(toJsonValue(v)));
    // Undefined, functions and symbols: skipped in objects, null in arrays (as JSON.stringify).
    const w = { u: undefined, f: () => 1, s: Symbol('s'), list: [undefined, () => 1, Symbol('t'), 1] };
    expect(jsonText(w)).toBe(JSON.stringify(w));
  });

  it('writes large arrays in pieces (over 2^18 numbers: flat, pairs with a long run, wide rows) with the same text', async () => {
    const { jsonBytes, jsonText, JsonRows } = await import('../../src/cli/util.js');
    const rows = (a: ArrayLike<number>, w: number): number[][] => {
      const all = Array.from(a);
      return Array.from({ length: a.length / w }, (_, r) => all.slice(r * w, (r + 1) * w));
    };
    const flat = new Float64Array(600_000).map((_, i) => (i % 7 === 0 ? NaN : i / 8));
    const pairs = new Int32Array(2 * 300_000).map((_, i) => (i % 2 === 0 ? (i < 400_000 ? 3 : i >> 4) : i));
    const wide = new Int32Array(3 * 100_000).map((_, i) => i - 7);
    const v = { flat, pairs: new JsonRows(pairs, 2), wide: new JsonRows(wide, 3), one: new JsonRows(wide, 1) };
    const expected = JSON.stringify({
      flat: Array.from(flat, (x) => (Number.isFinite(x) ? x : null)),
      pairs: rows(pairs, 2),
      wide: rows(wide, 3),
      one: rows(wide, 1),
    });
    expect(jsonText(v)).toBe(expected);
    expect(Buffer.from(jsonBytes(v, true)).toString('utf8')).toBe(expected + '\n');
  });
});
