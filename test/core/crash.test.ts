// Faults that used to kill the process: each scenario runs in a child Node process, so a crash
// (segfault, abort) fails the test instead of the test runner. `npm run test:asan` runs this file
// against the AddressSanitizer build (RICCIFLOW_ADDON), where a read of freed memory also fails.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { InvalidArgumentError, knn, setDefaultThreads, setThreadBudget, threadInfo } from '../../src/index.js';

const DIST = pathToFileURL(resolve(__dirname, '../..', 'dist', 'index.js')).href;
// Problem sizes scale down under the sanitised build (scripts/test-asan.sh sets 0.3): everything
// runs several times slower there, so smaller calls still last long enough to be interrupted.
const SCALE = Number(process.env.RICCIFLOW_TEST_SCALE ?? '1') || 1;
const sized = (n: number): number => Math.max(500, Math.round(n * SCALE));

/** Runs an ES module body in a child process (`rf` = the built package); returns its exit and output. */
function child(body: string, timeoutMs = 110_000): { status: number | null; signal: string | null; out: string } {
  const src = `import * as rf from ${JSON.stringify(DIST)};\n${body}`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', src], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: process.env,
  });
  return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
}

function expectClean(r: ReturnType<typeof child>): void {
  if (r.status !== 0) throw new Error(`child exited ${r.status} (signal ${r.signal}):\n${r.out}`);
  expect(r.out).toContain('OK');
}

// A deterministic cloud (no RNG needed in the child).
const CLOUD = `
function cloud(n, d, Arr = Float32Array, buffer) {
  const a = buffer ? new Arr(buffer) : new Arr(n * d);
  for (let i = 0; i < n * d; i++) a[i] = Math.sin(i * 12.9898) * 43758.5453 % 1;
  return a;
}
function same(a, b) { if (a.length !== b.length) return false; for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false; return true; }
`;

describe('thread settings (issue item 3)', () => {
  it('setThreadBudget and setDefaultThreads reject NaN, Infinity, non-integers and values past the maximum', () => {
    const before = threadInfo();
    const max = before.max;
    expect(max).toBeGreaterThanOrEqual(64);
    for (const bad of [1e6, max + 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, 0, -1]) {
      expect(() => setThreadBudget(bad), `budget ${bad}`).toThrow(InvalidArgumentError);
    }
    for (const bad of [1e6, max + 1, Number.NaN, Number.POSITIVE_INFINITY, 2.5, -1]) {
      expect(() => setDefaultThreads(bad), `default ${bad}`).toThrow(InvalidArgumentError);
    }
    expect(() => setThreadBudget('4' as unknown as number)).toThrow(InvalidArgumentError);
    expect(threadInfo().budget).toBe(before.budget);
    expect(threadInfo().defaultThreads).toBe(before.defaultThreads);
  });

  it('the largest budget and default are accepted and the next default-thread call computes', async () => {
    const before = threadInfo();
    try {
      setThreadBudget(before.max);
      setDefaultThreads(before.max);
      const data = new Float64Array([0, 0, 1, 0, 0, 1, 5, 5]);
      const lists = await knn({ data, n: 4, d: 2 }, { k: 1 });
      expect(Array.from(lists)).toEqual([1, 0, 0, 1]);
    } finally {
      setThreadBudget(before.budget);
      setDefaultThreads(before.defaultThreads);
    }
  });
});

describe('inputs detached or shrunk during a call (issue item 1)', () => {
  it('knn: transferring the input buffer mid-call (structuredClone, postMessage) changes nothing', () => {
    const r = child(`${CLOUD}
const { MessageChannel } = await import('node:worker_threads');
const n = ${sized(12000)}, d = 50;
const expected = await rf.knn({ data: cloud(n, d), n, d }, { k: 30 });
for (const how of ['structuredClone', 'postMessage']) {
  for (let rep = 0; rep < 2; rep++) {
    const data = cloud(n, d);
    const p = rf.knn({ data, n, d }, { k: 30 });
    if (how === 'structuredClone') structuredClone(data.buffer, { transfer: [data.buffer] });
    else { const ch = new MessageChannel(); ch.port1.postMessage(data, [data.buffer]); ch.port1.close(); ch.port2.close(); }
    if (data.length !== 0) throw new Error('the buffer was not detached: the test tests nothing');
    // Let the collector free the detached memory while the call runs, and reuse it.
    for (let t = 0; t < 5; t++) { globalThis.gc(); new Float32Array(n * d).fill(7); await new Promise((r) => setTimeout(r, 20)); }
    const got = await p;
    if (!same(got, expected)) throw new Error(how + ': neighbour lists differ');
  }
}
console.log('OK');
`);
    expectClean(r);
  });

  it('knnGraph, geodesics pairs and graphFromKnn lists: detached mid-call, results unchanged', () => {
    const r = child(`${CLOUD}
const n = 2000, d = 20;
const ref = await rf.knnGraph({ data: cloud(n, d, Float64Array), n, d }, { k: 10 });
const data = cloud(n, d, Float64Array);
const pg = rf.knnGraph({ data, n, d }, { k: 10 });
structuredClone(data.buffer, { transfer: [data.buffer] });
globalThis.gc();
const g = await pg;
if (!same(g.edges, ref.edges)) throw new Error('knnGraph edges differ');
const pairs = Int32Array.from(ref.edges);
const pp = rf.geodesics(ref, { pairs });
structuredClone(pairs.buffer, { transfer: [pairs.buffer] });
globalThis.gc();
const geo = await pp;
const refGeo = await rf.geodesics(ref, { pairs: Int32Array.from(ref.edges) });
if (!same(geo.pairHops, refGeo.pairHops) || geo.geodesicSum !== refGeo.geodesicSum) throw new Error('geodesics differ');
const lists = Int32Array.from(ref.knn);
const pf = rf.graphFromKnn(lists, { n, k: 10 });
structuredClone(lists.buffer, { transfer: [lists.buffer] });
globalThis.gc();
const g2 = await pf;
if (!same(g2.edges, ref.edges)) throw new Error('graphFromKnn edges differ');
// A graph whose arrays the caller made (copies of ours): curvature while they are detached
// (one native call per curvature() here: combinatorial ones, then Ollivier).
for (const names of [['forman', 'augmented'], ['ollivier']]) {
  const mine = { ...ref, offsets: Int32Array.from(ref.offsets), neighbors: Int32Array.from(ref.neighbors), edges: Int32Array.from(ref.edges), knn: Int32Array.from(ref.knn) };
  const pc = names[0] === 'ollivier' ? rf.ollivierCurvature(mine).then((edge) => ({ ollivier: { edge } })) : rf.curvature(mine, { curvatures: names });
  for (const a of [mine.offsets, mine.neighbors, mine.edges]) structuredClone(a.buffer, { transfer: [a.buffer] });
  if (mine.edges.length !== 0) throw new Error('not detached');
  globalThis.gc();
  const c = await pc;
  const refC = await rf.curvature(ref, { curvatures: names });
  for (const name of names) if (!same(c[name].edge, refC[name].edge)) throw new Error(name + ' differs');
}
console.log('OK');
`);
    expectClean(r);
  });

  it('a resizable ArrayBuffer shrunk to 0 mid-call: results unchanged, no crash', () => {
    const r = child(`${CLOUD}
const n = 3000, d = 40;
const expected = await rf.knn({ data: cloud(n, d, Float64Array), n, d }, { k: 20 });
for (let rep = 0; rep < 3; rep++) {
  const ab = new ArrayBuffer(n * d * 8, { maxByteLength: n * d * 8 });
  const data = cloud(n, d, Float64Array, ab);
  const p = rf.knn({ data, n, d }, { k: 20 });
  ab.resize(0);
  globalThis.gc();
  if (!same(await p, expected)) throw new Error('neighbour lists differ');
}
// A length-tracking view and a SharedArrayBuffer (read in place: it can be neither detached nor shrunk).
const sab = new SharedArrayBuffer(n * d * 8);
const shared = cloud(n, d, Float64Array, sab);
if (!same(await rf.knn({ data: shared, n, d }, { k: 20 }), expected)) throw new Error('SharedArrayBuffer input differs');
console.log('OK');
`);
    expectClean(r);
  });

  it('composite calls (curvature with ollivier, analyzeLayers): an input detached or shrunk between their native calls is an InvalidArgumentError, never read', () => {
    // README "Guarantees" (Buffers): each native call copies what can be detached or shrunk for the
    // whole of that call; a composite function makes several calls, and an input taken away
    // between two of them is refused with InvalidArgumentError. Detached during the first call
    // only (a layer already read), nothing changes.
    const r = child(`${CLOUD}
const n = ${sized(1500)}, d = 20;
const ref = await rf.knnGraph({ data: cloud(n, d, Float64Array), n, d }, { k: 10 });
const refC = await rf.curvature(ref, { curvatures: ['forman', 'ollivier'] });
const mineOf = () => ({ ...ref, offsets: Int32Array.from(ref.offsets), neighbors: Int32Array.from(ref.neighbors), edges: Int32Array.from(ref.edges), knn: Int32Array.from(ref.knn) });
const detach = (a) => structuredClone(a.buffer, { transfer: [a.buffer] });
// Settles at once (a rejection is handled from the start), checked later by expectInvalid.
const settle = (p) => p.then((value) => ({ value }), (error) => ({ error }));
async function expectInvalid(settled, what, pattern) {
  const { error: e } = await settled;
  if (!e) throw new Error(what + ': resolved although its input was taken away between native calls');
  if (!(e instanceof rf.InvalidArgumentError)) throw new Error(what + ': not an InvalidArgumentError: ' + e);
  if (!pattern.test(e.message)) throw new Error(what + ': unexpected message: ' + e.message);
}
// curvature(['forman', 'ollivier']): the Forman call is made (and its input copied) at once;
// the graph's arrays detached before the Ollivier call.
{
  const mine = mineOf();
  const p = settle(rf.curvature(mine, { curvatures: ['forman', 'ollivier'] }));
  for (const a of [mine.offsets, mine.neighbors, mine.edges, mine.knn]) detach(a);
  if (mine.edges.length !== 0) throw new Error('not detached');
  for (let t = 0; t < 3; t++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
  await expectInvalid(p, 'curvature detached', /graph\\.\\w+: length 0/);
}
// curvature(['ollivier']): detached while the Ollivier call runs (its first progress report),
// before the node values are computed from the graph.
{
  const mine = mineOf();
  let detached = false;
  const p = settle(rf.curvature(mine, { curvatures: ['ollivier'], onProgress: () => { if (!detached) { detached = true; for (const a of [mine.offsets, mine.neighbors, mine.edges, mine.knn]) detach(a); globalThis.gc(); } } }));
  await expectInvalid(p, 'ollivier detached mid-call', /graph\\.\\w+: length 0/);
  if (!detached) throw new Error('no progress reported: the test tests nothing');
}
// Resizable buffers shrunk between the calls: to 0 (a fixed-length view goes out of bounds) and
// by two elements (a length-tracking view gets shorter).
for (const tracking of [false, true]) {
  const mine = mineOf();
  const bufs = [];
  for (const key of ['offsets', 'neighbors', 'edges']) {
    const src = mine[key];
    const ab = new ArrayBuffer(src.byteLength, { maxByteLength: src.byteLength });
    const v = tracking ? new Int32Array(ab) : new Int32Array(ab, 0, src.length);
    v.set(src);
    mine[key] = v;
    bufs.push(ab);
  }
  const p = settle(rf.curvature(mine, { curvatures: ['forman', 'ollivier'] }));
  for (const ab of bufs) ab.resize(tracking ? ab.byteLength - 8 : 0);
  globalThis.gc();
  await expectInvalid(p, 'curvature shrunk, tracking ' + tracking, /graph\\.\\w+: length \\d+ != expected/);
}
// The same graph untouched still gives the reference values (nothing cached or poisoned).
const again = await rf.curvature(mineOf(), { curvatures: ['forman', 'ollivier'] });
for (const c of ['forman', 'ollivier']) if (!same(again[c].edge, refC[c].edge) || !same(again[c].nodeMean, refC[c].nodeMean)) throw new Error(c + ' differs afterwards');
// analyzeLayers: one kNN call per layer, in order.
const layersOf = () => [0, 1, 2].map((l) => ({ data: cloud(n, d + l), n, d: d + l }));
const opts = { k: [10], curvatures: ['forman', 'ollivier'] };
const refA = JSON.stringify((await rf.analyzeLayers(layersOf(), opts)).byK);
{
  // Layer 0 detached while its own kNN call runs: that call has its copy, and layer 0 is not read again.
  const layers = layersOf();
  const p = rf.analyzeLayers(layers, opts);
  detach(layers[0].data);
  globalThis.gc();
  if (JSON.stringify((await p).byK) !== refA) throw new Error('analyzeLayers: layer 0 detached during its call changed the result');
}
{
  // Layer 2 detached before its kNN call.
  const layers = layersOf();
  const p = settle(rf.analyzeLayers(layers, opts));
  detach(layers[2].data);
  globalThis.gc();
  await expectInvalid(p, 'analyzeLayers detached', /layers\\[2\\]: its ArrayBuffer was detached or shrunk during analyzeLayers \\(data length 0/);
}
for (const tracking of [false, true]) {
  const bufs = [];
  const layers = [0, 1, 2].map((l) => {
    const bytes = n * (d + l) * 4;
    const ab = new ArrayBuffer(bytes, { maxByteLength: bytes });
    const v = tracking ? new Float32Array(ab) : new Float32Array(ab, 0, n * (d + l));
    v.set(cloud(n, d + l));
    bufs.push(ab);
    return { data: v, n, d: d + l };
  });
  const p = settle(rf.analyzeLayers(layers, opts));
  bufs[2].resize(tracking ? 400 : 0);
  globalThis.gc();
  await expectInvalid(p, 'analyzeLayers shrunk, tracking ' + tracking, new RegExp('layers\\\\[2\\\\]: its ArrayBuffer was detached or shrunk during analyzeLayers \\\\(data length ' + (tracking ? 100 : 0)));
}
console.log('OK');
`);
    expectClean(r);
  });

  it('forward passes and training keep their own copy of the data', () => {
    const r = child(`
const data = rf.syntheticDataset('B', { nTrain: 400, nTest: 200, seed: 0 });
const [net] = await rf.trainNetworks(data, { architecture: 'narrow', depth: 2, epochs: 3, seeds: [0] });
const x = Float32Array.from(data.xTest);
const ref = await rf.forward(net.weights, { data: Float32Array.from(data.xTest), n: data.nTest, d: data.d });
const p = rf.forward(net.weights, { data: x, n: data.nTest, d: data.d });
await new Promise((r) => setImmediate(r)); // forward() reaches the native call after a few microtasks
structuredClone(x.buffer, { transfer: [x.buffer] });
globalThis.gc();
const got = await p;
// Layer 0 is the caller's x itself (now detached); the computed layers must be unchanged.
if (got[0].data !== x || ref.length !== got.length) throw new Error('layer 0 is not the input');
for (let l = 1; l < ref.length; l++) for (let i = 0; i < ref[l].data.length; i++) if (ref[l].data[i] !== got[l].data[i]) throw new Error('forward differs at layer ' + l);
console.log('OK');
`);
    expectClean(r);
  });
});

// A Worker that starts a long native call, reports 'started', then is terminated or exits.
function workerScenario(call: string, mode: 'terminate' | 'exit'): ReturnType<typeof child> {
  return child(`
const { Worker } = await import('node:worker_threads');
const { writeFileSync, mkdtempSync } = await import('node:fs');
const { join } = await import('node:path');
const { tmpdir } = await import('node:os');
const file = join(mkdtempSync(join(tmpdir(), 'rf-worker-')), 'w.mjs');
writeFileSync(file, ${JSON.stringify(`import { parentPort } from 'node:worker_threads';
import * as rf from ${JSON.stringify(DIST)};
const p = (async () => { ${call} })();
p.catch(() => {});
setTimeout(() => { parentPort.postMessage('started'); ${mode === 'exit' ? 'setTimeout(() => process.exit(3), 100);' : ''} }, 300);
await p;
parentPort.postMessage('finished');
`)});
const w = new Worker(file, { execArgv: [] });
let msgs = [];
const exited = new Promise((res) => w.on('exit', res));
w.on('error', (e) => { console.log('worker error', e); });
await new Promise((res) => w.on('message', (m) => { msgs.push(m); if (m === 'started') res(); }));
${mode === 'terminate' ? 'await w.terminate();' : ''}
const code = await exited;
if (msgs.includes('finished')) throw new Error('the call finished before the worker stopped: the test tests nothing');
// The worker's call gave its threads back: nothing is leased any more.
const info = rf.threadInfo();
if (info.inUse !== 0) throw new Error('threads still leased: ' + info.inUse);
// The main thread still computes (and can cancel: its Control class is its own).
const ac = new AbortController();
const lists = await rf.knn({ data: new Float64Array([0, 0, 1, 0, 5, 5]), n: 3, d: 2 }, { k: 1, signal: ac.signal });
if (lists[0] !== 1) throw new Error('main thread result wrong');
console.log('exit code', code);
console.log('OK');
`);
}

const LONG_CALLS: Record<string, string> = {
  // Each would run for minutes if not cancelled.
  knn: `const n = ${sized(150000)}, d = 16; const data = new Float32Array(n * d); for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 1.7) + Math.cos(i * 0.37);
        await rf.knn({ data, n, d }, { k: 50 });`,
  geodesics: `const n = ${sized(100000)}, k = 2; const lists = new Int32Array(n * k);
        for (let i = 0; i < n; i++) { lists[2 * i] = (i + 1) % n; lists[2 * i + 1] = (i + n - 1) % n; }
        const g = await rf.graphFromKnn(lists, { n, k, mode: 'union' }); await rf.geodesics(g);`,
  ollivier: `const n = ${sized(20000)}, d = 10; const data = new Float32Array(n * d); for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 1.7) + Math.cos(i * 0.37);
        const g = await rf.knnGraph({ data, n, d }, { k: 30 }); await rf.curvature(g, { curvatures: ['ollivier'] });`,
  training: `const data = rf.syntheticDataset('A', { nTrain: 4000, nTest: 100, seed: 0 });
        await rf.trainNetworks(data, { architecture: 'wide', depth: 5, epochs: 100000, seeds: [0, 1] });`,
};

describe('a worker_threads Worker stopped mid-call (issue item 2)', () => {
  for (const [name, call] of Object.entries(LONG_CALLS)) {
    for (const mode of ['terminate', 'exit'] as const) {
      it(`${name}: worker.${mode === 'terminate' ? 'terminate()' : 'process.exit()'} cancels and joins the call; the process lives on`, () => {
        expectClean(workerScenario(call, mode));
      });
    }
  }
});

describe('process.exit() on the main thread while native calls run', () => {
  // Node runs the addon's environment cleanup hooks on exit: they cancel and join every call in
  // flight (computing, or still waiting for threads), so the process ends with the code it was
  // given, never an abort (134) or a segfault (139) from a thread outliving the environment.
  for (const delay of [0, 300]) {
    for (const code of [7, 0]) {
      it(`knn, geodesics, Ollivier, training and analyzeLayers in flight; process.exit(${code}) after ${delay} ms: exit status ${code}`, () => {
        const calls = Object.values(LONG_CALLS).map((c) => `(async () => { ${c} })()`);
        calls.push(`(async () => { const n = ${sized(8000)}; await rf.analyzeLayers([0, 1, 2, 3].map((l) => { const d = 20 + l; const data = new Float32Array(n * d); for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 1.3 + l); return { data, n, d }; }), { k: [30], curvatures: ['ollivier'] }); })()`);
        const r = child(`
let finished = 0;
const calls = [${calls.join(',\n')}];
for (const p of calls) p.then(() => finished++, (e) => { console.log('rejected: ' + e.message); });
setTimeout(() => {
  if (finished > 0) { console.log('a call finished before exit: the test tests nothing'); process.exit(99); }
  console.log('exiting with ' + rf.threadInfo().inUse + ' threads leased');
  process.exit(${code});
}, ${delay});
`);
        expect(r.signal, r.out).toBeNull();
        expect(r.status, r.out).toBe(code);
        expect(r.out).toMatch(/exiting with \d+ threads leased/);
        expect(r.out).not.toMatch(/terminate called|Napi::Error|Aborted|Segmentation|rejected/);
      });
    }
  }
});
