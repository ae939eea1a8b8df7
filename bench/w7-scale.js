#!/usr/bin/env node
/**
 * W7 of docs/benchmarks.md: how the whole-network analysis grows with the number of test points.
 * `analyzeLayers` on 7 layers (Gaussian input, 50-D; 5 hidden ReLU layers of 50; a sigmoid output
 * unit: a randomly initialised wide-5 network, Glorot-uniform weights, seeded), k = 30, union
 * graphs, Forman curvature, geodesics and every coefficient, at n = 500 … 10,000, and extended to
 * n = 20,000, 40,000 and 70,000 (70,000 = all of MNIST or Fashion-MNIST, train + test).
 *
 * Each n runs in a fresh child process so that its peak resident memory (getrusage maxrss) is
 * its own; the time is the analysis call alone (data generation excluded), with its phases
 * (kNN, graphs, geodesics, curvature, coefficients) from analyzeLayers' timings, so the growth of
 * each phase shows: everything but the geodesics (all-pairs hop sums, O(n·m)) should grow
 * near-linearly in the edges. Target: peak memory ≤ 1 GiB at n = 10,000; aim ≤ 4 GiB at 70,000.
 * The sizes above 10,000 take minutes (CPU grows ~n² through the geodesics): --quick skips them.
 *
 *   node bench/w7-scale.js [--quick] [--threads T]      (alone; needs `npm run build`)
 *   npm run bench -- --only W7                          (through bench/run.js)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');
const SIZES = [500, 1000, 2000, 4000, 8000, 10000, 20000, 40000, 70000];
const QUICK_SIZES = [500, 1000, 2000];
const D_IN = 50;
const WIDTHS = [50, 50, 50, 50, 50, 1];
const K = 30;
const LIMIT_MIB = 1024;
const AIM_70K_MIB = 4096;

/** Activations of a random wide-5 ReLU network (sigmoid output) on n Gaussian points. */
function activations(api, n, seed = 1) {
  const rng = api.createRng(seed);
  const x = new Float32Array(n * D_IN);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal(0, 1);
  const layers = [{ data: x, n, d: D_IN }];
  let prev = x, din = D_IN;
  WIDTHS.forEach((dout, li) => {
    const limit = Math.sqrt(6 / (din + dout));
    const w = new Float32Array(din * dout);
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
    const out = new Float32Array(n * dout);
    const last = li === WIDTHS.length - 1;
    for (let r = 0; r < n; r++)
      for (let j = 0; j < dout; j++) {
        let s = 0;
        for (let i = 0; i < din; i++) s += prev[r * din + i] * w[i * dout + j];
        out[r * dout + j] = last ? 1 / (1 + Math.exp(-s)) : Math.max(0, s);
      }
    layers.push({ data: out, n, d: dout });
    prev = out;
    din = dout;
  });
  return layers;
}

/** Child: one n, prints one JSON line. */
async function child(n, threads) {
  const api = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  const layers = activations(api, n);
  const rssBefore = process.resourceUsage().maxRSS;
  // Repetitions: the median wall time is reported, and the CPU time (less sensitive to other load).
  const reps = n <= 2000 ? 5 : n <= 4000 ? 3 : n <= 10000 ? 2 : 1;
  const times = [], cpus = [], phases = [];
  let res;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    res = await api.analyzeLayers(layers, { k: K, curvatures: ['forman'], mode: 'union', layers: 'all', threads });
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    phases.push(res.timings);
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const ms = med(times);
  const K0 = res.byK[0];
  const co = K0.coefficients.forman;
  const out = {
    n,
    ms,
    minMs: Math.min(...times),
    cpuMs: med(cpus),
    reps,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMiB: rssBefore / 1024,
    edges: K0.layers.reduce((s, l) => s + l.edgeCount, 0),
    disconnected: K0.disconnected.length,
    rho: co.global.rho,
    // Phases of the fastest repetition (ms).
    phases: phases[times.indexOf(Math.min(...times))] ?? null,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runChild(n, threads) {
  return new Promise((res) => {
    execFile(process.execPath, [self, '--child', String(n), String(threads)], { cwd: root, maxBuffer: 16 << 20, timeout: 3 * 3600_000 }, (err, stdout, stderr) => {
      const last = String(stdout).trim().split('\n').pop();
      try {
        res(JSON.parse(last));
      } catch {
        res({ n, error: `child failed (${err ? err.message : 'no output'}): ${String(stderr).trim().slice(-500)}` });
      }
    });
  });
}

export async function run(ctx) {
  const threads = ctx.threads ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  const sizes = ctx.quick ? QUICK_SIZES : SIZES;
  console.log(`  W7: analyzeLayers, 7 layers (Gaussian 50-D → random wide-5 ReLU net), k = ${K}, union, Forman; threads = ${threads}; one process per n`);
  let prev = null;
  for (const n of sizes) {
    const r = await runChild(n, threads);
    if (r.error) {
      ctx.log({ workload: 'W7', case: `n=${n}`, status: 'ERROR', note: r.error });
      continue;
    }
    const growth = prev ? `CPU ×${(r.cpuMs / prev.cpuMs).toFixed(1)}, edges ×${(r.edges / prev.edges).toFixed(1)} for n ×${(n / prev.n).toFixed(1)}; ` : '';
    const p = r.phases;
    const pp = prev?.phases;
    const phaseText = p
      ? `; phases (fastest run) kNN ${(p.knn / 1000).toFixed(2)} s, graphs ${(p.graphs / 1000).toFixed(2)} s, geodesics ${(p.geodesics / 1000).toFixed(2)} s, ` +
        `curvature ${(p.curvature / 1000).toFixed(2)} s, coefficients ${(p.coefficients / 1000).toFixed(2)} s` +
        (pp ? ` (growth ×${(p.knn / pp.knn).toFixed(1)} / ×${(p.graphs / pp.graphs).toFixed(1)} / ×${(p.geodesics / pp.geodesics).toFixed(1)} / ×${(p.curvature / pp.curvature).toFixed(1)} / ×${(p.coefficients / pp.coefficients).toFixed(1)})` : '')
      : '';
    const limit = n === 10000 ? LIMIT_MIB : n === 70000 ? AIM_70K_MIB : null;
    const withinLimit = limit === null || r.peakRssMiB <= limit;
    ctx.log({
      workload: 'W7',
      case: `n=${n}, 7 layers, k=${K}`,
      ours: r.ms,
      anchor: 'peak RSS',
      anchorText: `${r.peakRssMiB.toFixed(0)} MiB`,
      status: limit !== null ? (withinLimit ? 'PASS' : 'BELOW') : 'INFO',
      note: `${growth}median of ${r.reps}, fastest ${(r.minMs / 1000).toFixed(2)} s, CPU ${(r.cpuMs / 1000).toFixed(2)} s; ${r.edges} edges over 7 layers; peak RSS ${r.peakRssMiB.toFixed(0)} MiB (process before the call: ${r.rssBeforeMiB.toFixed(0)} MiB)` +
        (n === 10000 ? `; target ≤ ${LIMIT_MIB} MiB` : n === 70000 ? `; aim ≤ ${AIM_70K_MIB} MiB` : '') + phaseText + (r.disconnected ? `; ${r.disconnected} disconnected layers` : ''),
    });
    prev = r;
  }
}

async function standalone(argv) {
  let quick = false;
  let threads = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--threads') threads = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: node bench/w7-scale.js [--quick] [--threads T])`);
  }
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first');
  const api = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  const rows = [];
  await run({ api, quick, threads, log: (row) => rows.push(row) });
  const head = ['n', 'time', 'peak RSS', 'status', 'note'];
  const body = rows.map((r) => [r.case, r.ours === undefined ? '—' : `${(r.ours / 1000).toFixed(2)} s`, r.anchorText ?? '—', r.status, r.note ?? '']);
  const w = head.map((h, c) => Math.max(h.length, ...body.map((b) => String(b[c]).length)));
  console.log(head.map((h, c) => h.padEnd(w[c])).join('  '));
  for (const b of body) console.log(b.map((x, c) => String(x).padEnd(w[c])).join('  '));
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  const argv = process.argv.slice(2);
  const main = argv[0] === '--child' ? child(Number(argv[1]), Number(argv[2])) : standalone(argv);
  main.catch((err) => {
    console.error(`w7-scale: ${err.message}`);
    process.exitCode = 1;
  });
}
