// Faults that used to kill the process: each scenario runs in a child Node process, so a crash
// (segfault, abort) fails the test instead of the test runner. `npm run test:asan` runs this file
// against the AddressSanitizer build (RICCIFLOW_ADDON), where a read of freed memory also fails.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { InvalidArgumentError, knn, setDefaultThreads, setThreadBudget, threadInfo } from '../src/index.js';

const DIST = pathToFileURL(resolve(__dirname, '..', 'dist', 'index.js')).href;
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
