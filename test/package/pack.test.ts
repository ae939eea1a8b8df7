/**
 * The published package works from its prebuilt binary alone: `npm pack` the package, install the
 * tarball into a scratch project with no compiling allowed (`--ignore-scripts`, so node-gyp never
 * runs; `PREBUILDS_ONLY=1`, so node-gyp-build loads nothing but `prebuilds/<platform>-<arch>/`),
 * and compute there through the public API and through the `ricciflow` bin.
 *
 * Needs `npm run prebuildify` first (CI runs it before the tests); without prebuilds the suite is
 * skipped and says so. Dependencies install from the npm cache when they are there
 * (`--prefer-offline`), else from the registry.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const platformDir = `${process.platform}-${process.arch}`;
const prebuildDir = join(root, 'prebuilds', platformDir);
const hasPrebuild = existsSync(prebuildDir) && readdirSync(prebuildDir).some((f) => f.endsWith('.node'));

if (!hasPrebuild) {
  console.warn(
    `test/pack.test.ts: skipped, prebuilds/${platformDir}/ does not exist. ` +
      'Run `npm run prebuildify` first (prebuildify --napi --strip; CI does this before the tests).',
  );
}

/**
 * The environment for child npm/node processes: without the parent `npm run`'s package and
 * lifecycle variables (they describe this repository, not the scratch project), without an
 * addon override, and with the prebuilt binary as the only thing node-gyp-build may load.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/i.test(key)) continue;
    if (/^npm_config_(local_)?prefix$/i.test(key) || key === 'npm_command' || key === 'INIT_CWD') continue;
    if (key === 'RICCIFLOW_ADDON') continue;
    env[key] = value;
  }
  env.PREBUILDS_ONLY = '1';
  env.npm_config_build_from_source = 'false';
  return env;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/** Sources the native build compiles, as listed (one list for cmake-js and binding.gyp). */
function nativeSources(): string[] {
  return readFileSync(join(root, 'native/sources.txt'), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Headers under native/ (an install that falls back to compiling needs them too). */
function nativeHeaders(dir = 'native'): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...nativeHeaders(rel));
    else if (/\.(h|hpp)$/.test(e.name)) out.push(rel);
  }
  return out;
}

// Points on a line at x = 0, 1, 3, 6, 10, 15: the gaps grow, so every nearest neighbour is unique.
// k = 1 lists: 0→1, 1→0, 2→1, 3→2, 4→3, 5→4.
// union: the path 0-1-2-3-4-5, g = Σ_{i<j} |i−j| = 5·1 + 4·2 + 3·3 + 2·4 + 1·5 = 35, diameter 5;
//   degrees 1,2,2,2,2,1 so Forman 4 − d_i − d_j = 1,0,0,0,1 and node means 1,.5,0,0,.5,1.
// mutual: only 0↔1 choose each other: edge {0,1}, components {0,1},{2},{3},{4},{5}: 5, g = null.
// Unit square, k = 2: each corner's two sides (1) beat the diagonal (√2): the 4-cycle
//   0-1, 0-2, 1-3, 2-3, g = 4·1 + 2·2 = 8.
const COMPUTE = `
import { readFileSync } from 'node:fs';
import { knn, knnGraph, geodesics, edgeList, curvature } from 'ricciflow';

const line = { data: new Float64Array([0, 1, 3, 6, 10, 15]), n: 6, d: 1 };
const union = await knnGraph(line, { k: 1, mode: 'union' });
const unionGeo = await geodesics(union, { pairs: new Int32Array([0, 5, 2, 4]) });
const forman = (await curvature(union, { curvatures: ['forman'] })).forman;
const mutual = await knnGraph(line, { k: 1, mode: 'mutual' });
const mutualGeo = await geodesics(mutual);
const square = await knnGraph([[0, 0], [1, 0], [0, 1], [1, 1]], { k: 2 });
const squareGeo = await geodesics(square, { threads: 2 });

// Which binary the process loaded (Linux: the mapped .node files).
let addonFiles = [];
try {
  addonFiles = [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
    .map((l) => l.trim().split(/\\s+/).slice(5).join(' ')).filter((p) => p.endsWith('.node')))];
} catch {}

console.log(JSON.stringify({
  knn: Array.from(await knn(line, { k: 1 })),
  union: { edges: edgeList(union), connected: unionGeo.connected, components: unionGeo.components,
           geodesicSum: unionGeo.geodesicSum, diameter: unionGeo.diameter, pairHops: Array.from(unionGeo.pairHops),
           forman: Array.from(forman.edge), formanNodeMean: Array.from(forman.nodeMean) },
  mutual: { edges: edgeList(mutual), connected: mutualGeo.connected, components: mutualGeo.components,
            geodesicSum: mutualGeo.geodesicSum },
  square: { knn: Array.from(square.knn), edges: edgeList(square), geodesicSum: squareGeo.geodesicSum,
            diameter: squareGeo.diameter },
  addonFiles,
}));
`;

// CommonJS consumers: require(esm) (Node >= 20.19 / 22.12) loads the package, and the documented
// subpaths resolve through "exports" (require and import alike).
const REQUIRE = `
const rf = require('ricciflow');
const report = require('ricciflow/report');
const training = require('ricciflow/geometry-training');
const exp = require('ricciflow/export');
(async () => {
  const union = await rf.knnGraph({ data: new Float64Array([0, 1, 3, 6, 10, 15]), n: 6, d: 1 }, { k: 1, mode: 'union' });
  const geo = await rf.geodesics(union);
  const viaImport = await import('ricciflow/report');
  console.log(JSON.stringify({
    geodesicSum: geo.geodesicSum,
    invalid: rf.InvalidArgumentError.name,
    writeReport: typeof report.writeReport,
    buildFigures: typeof report.buildFigures,
    sameModule: viaImport.writeReport === report.writeReport,
    trainWithGeometry: typeof training.trainWithGeometry,
    buildTable: typeof exp.buildTable,
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe.skipIf(!hasPrebuild)(
  `npm pack → install into a scratch project → compute, prebuilds only (needs prebuilds/${platformDir}: npm run prebuildify)`,
  () => {
    let tmp = '';
    let scratch = '';
    let packedFiles: string[] = [];

    beforeAll(() => {
      if (!existsSync(join(root, 'dist/index.js'))) {
        throw new Error('dist/ is missing: run `npm run build:ts` (npm install runs it through `prepare`) before this test');
      }
      tmp = mkdtempSync(join(tmpdir(), 'ricciflow-pack-'));
      const packDir = join(tmp, 'pack');
      mkdirSync(packDir);
      // --ignore-scripts: packs what is built (dist/, prebuilds/) without running `prepare` in the repository.
      const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], root, 120_000);
      const info = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
      packedFiles = info[0]!.files.map((f) => f.path);
      const tarball = join(packDir, info[0]!.filename);

      scratch = join(tmp, 'scratch');
      mkdirSync(scratch);
      writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2));
      writeFileSync(join(scratch, 'compute.mjs'), COMPUTE);
      writeFileSync(join(scratch, 'require.cjs'), REQUIRE);
      writeFileSync(join(scratch, 'square.csv'), 'x,y\n0,0\n1,0\n0,1\n1,1\n');
      // No compiling: install scripts (node-gyp-build, whose fallback is node-gyp) never run.
      run(
        'npm',
        ['install', tarball, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
        scratch,
        540_000,
      );
    }, 600_000);

    afterAll(() => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('the tarball holds dist, bin, the prebuilt binary and everything a from-source build needs, and no build/', () => {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
      const expected = [
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        `prebuilds/${platformDir}/ricciflow.node`,
        'binding.gyp',
        'CMakeLists.txt',
        'native/sources.txt',
        ...nativeSources(),
        ...nativeHeaders(),
        ...Object.values(pkg.bin ?? {}).map((p) => p.replace(/^\.\//, '')),
      ];
      const missing = expected.filter((p) => !packedFiles.includes(p));
      expect(missing, 'files missing from the npm tarball').toEqual([]);
      // node-gyp-build prefers build/Release over prebuilds/: a packed build/ would shadow the prebuild.
      expect(packedFiles.filter((p) => /^(build|node_modules)\//.test(p))).toEqual([]);
    });

    it('installs without compiling: no build/ in the installed package, and the prebuild passes node-gyp-build-test', () => {
      const installed = join(scratch, 'node_modules/ricciflow');
      expect(existsSync(join(installed, `prebuilds/${platformDir}/ricciflow.node`))).toBe(true);
      expect(existsSync(join(installed, 'build'))).toBe(false);
      // What the package's install script (node-gyp-build) runs first: when this loads, it never compiles.
      run(process.execPath, [join(scratch, 'node_modules/node-gyp-build/build-test.js')], installed, 60_000);
    });

    it('computes kNN graphs and geodesics with the installed package (values worked out by hand)', () => {
      const r = run(process.execPath, ['compute.mjs'], scratch, 120_000);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        knn: number[];
        union: Record<string, unknown>;
        mutual: Record<string, unknown>;
        square: Record<string, unknown>;
        addonFiles: string[];
      };
      expect(out.knn).toEqual([1, 0, 1, 2, 3, 4]);
      expect(out.union).toEqual({
        edges: [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]],
        connected: true,
        components: 1,
        geodesicSum: 35,
        diameter: 5,
        pairHops: [5, 2],
        forman: [1, 0, 0, 0, 1],
        formanNodeMean: [1, 0.5, 0, 0, 0.5, 1],
      });
      expect(out.mutual).toEqual({ edges: [[0, 1]], connected: false, components: 5, geodesicSum: null });
      expect(out.square).toEqual({
        knn: [1, 2, 0, 3, 0, 3, 1, 2],
        edges: [[0, 1], [0, 2], [1, 3], [2, 3]],
        geodesicSum: 8,
        diameter: 2,
      });
      if (process.platform === 'linux') {
        // The binary in use is the installed package's prebuild, nothing from this repository.
        expect(out.addonFiles).toEqual([join(scratch, `node_modules/ricciflow/prebuilds/${platformDir}/ricciflow.node`)]);
      }
    });

    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const requireEsm = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23;
    it.runIf(requireEsm)("require('ricciflow') and the documented subpaths work from CommonJS in the installed package", () => {
      const r = run(process.execPath, ['require.cjs'], scratch, 120_000);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({
        geodesicSum: 35,
        invalid: 'InvalidArgumentError',
        writeReport: 'function',
        buildFigures: 'function',
        sameModule: true,
        trainWithGeometry: 'function',
        buildTable: 'function',
      });
    });

    it('the installed `ricciflow geometry` bin writes RESULT.json', () => {
      run(join(scratch, 'node_modules/.bin/ricciflow'), ['geometry', 'square.csv', '--k', '2', '--out', 'result.json'], scratch, 120_000);
      const result = JSON.parse(readFileSync(join(scratch, 'result.json'), 'utf8')) as Record<string, unknown>;
      expect(result).toMatchObject({
        n: 4,
        k: 2,
        mode: 'union',
        edges: [[0, 1], [0, 2], [1, 3], [2, 3]],
        connected: true,
        components: 1,
        geodesicSum: 8,
        curvature: { forman: [0, 0, 0, 0] },
      });
    });
  },
);
