/**
 * W4 of docs/benchmarks.md: exact Ollivier-Ricci curvature of every edge of the k = 30 union kNN graph
 * of seeded 50-D Gaussian clouds (n = 2000: ~49k edges with hubs of degree > 500, and n = 1000),
 * α = 0 and 0.5, against `bench/anchors/reference.py POINTS.npy 30 --steps ollivier --procs 2
 * --alpha A` (POT network simplex per edge over 2 processes) in the same run.
 *
 * Equal values: the curvature totals must agree to 1e-9·m, and a sample of edges (the 150 with the
 * largest d_u·d_v, where the transport problems are biggest, plus 250 random ones) is recomputed
 * per edge with the reference's own POT code and compared to 1e-9. A difference is a MISMATCH.
 * Also reported: edges per second, and the share of our time spent on hub edges (an endpoint of
 * degree > 4k), measured by computing those edges alone (same values, `edgeIds`).
 *
 *   npm run bench -- --only W4 [--quick]      (quick: n = 1000 only)
 *   node bench/w4-ollivier.js [--quick] [--threads T]   (standalone; needs `npm run build`)
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import os from 'node:os';

import { gaussian } from './data.js';

const K = 30;
const ALPHAS = [0, 0.5];
const SAMPLE_TOP = 150;
const SAMPLE_RANDOM = 250;

// Recomputes the listed edges with reference.py's own functions (knn, graph, edges, hops, ollivier).
const PER_EDGE_PY = `
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, reference as R
X = R.load_points(sys.argv[2]); k = int(sys.argv[3]); alpha = float(sys.argv[4])
ids = json.load(open(sys.argv[5]))
A = R.graph(R.knn(X, k), "union"); E = R.edges(A); G = R.hops(A)
sel = E[ids]
print(json.dumps({"m": int(len(E)), "edges": sel.tolist(), "values": [float(v) for v in R.ollivier(A, sel, G, alpha)]}))
`;

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export async function run(ctx) {
  const { api, threads } = ctx;
  const sizes = ctx.quick ? [1000] : [2000, 1000];
  const reps = ctx.quick ? 3 : 5;
  const referencePy = join(ctx.anchorsDir, 'reference.py');
  const haveRef = ctx.has.numpy && ctx.has.scipy && ctx.has.pot && existsSync(referencePy);
  if (!haveRef)
    console.log('  reference.py anchor: not installed (apt-get install python3-numpy python3-scipy python3-pot)');
  // The raw addon (for edgeIds); the public wrapper computes all edges.
  let addon = null;
  try {
    addon = (await import(pathToFileURL(join(ctx.root ?? resolve(ctx.benchDir, '..'), 'dist', 'native.js')).href)).addon;
  } catch {
    addon = null;
  }
  console.log(`  threads = ${threads}; k = ${K}, union; ours: median of at least ${reps} calls after at least 3 warm-up calls`);

  for (const n of sizes) {
    const pts = await gaussian(ctx, { n, d: 50, seed: 1 });
    const g = await api.knnGraph(pts, { k: K, mode: 'union', threads });
    const m = g.edgeCount;
    const deg = new Int32Array(n);
    for (let i = 0; i < n; i++) deg[i] = g.offsets[i + 1] - g.offsets[i];
    let maxDeg = 0, work = 0, hubWork = 0;
    const hubIds = [];
    const hubThreshold = 4 * K;
    const prod = new Float64Array(m);
    for (let e = 0; e < m; e++) {
      const du = deg[g.edges[2 * e]], dv = deg[g.edges[2 * e + 1]];
      maxDeg = Math.max(maxDeg, du, dv);
      prod[e] = du * dv;
      work += prod[e];
      if (Math.max(du, dv) > hubThreshold) {
        hubIds.push(e);
        hubWork += prod[e];
      }
    }
    console.log(
      `  data: ${pts.name} (${pts.npy}); graph: ${m} edges, max degree ${maxDeg}, ` +
        `${hubIds.length} hub edges (an endpoint of degree > ${hubThreshold}) carrying ${((100 * hubWork) / work).toFixed(1)}% of Σ d_u·d_v`,
    );
    // edge sample for the per-edge check: largest d_u·d_v first, then random ones
    const order = Array.from({ length: m }, (_, e) => e).sort((a, b) => prod[b] - prod[a] || a - b);
    const rnd = lcg(n);
    const sample = new Set(order.slice(0, Math.min(SAMPLE_TOP, m)));
    while (sample.size < Math.min(m, SAMPLE_TOP + SAMPLE_RANDOM)) sample.add(Math.floor(rnd() * m));
    const sampleIds = [...sample].sort((a, b) => a - b);
    const idsPath = join(ctx.dataDir, `w4-sample-n${n}.json`);
    await writeFile(idsPath, JSON.stringify(sampleIds));

    for (const alpha of ALPHAS) {
      const label = `n=${n} α=${alpha}`;
      let values = null;
      const ours = await ctx.time(async () => {
        values = await api.ollivierCurvature(g, { alpha, threads });
      }, reps);
      let total = 0;
      for (let e = 0; e < m; e++) total += values[e];
      let hubMs = null;
      if (addon?.ollivierCurvature && hubIds.length) {
        const ids = Int32Array.from(hubIds);
        let sub = null;
        hubMs = await ctx.time(async () => {
          sub = await addon.ollivierCurvature(g, { alpha, threads, edgeIds: ids });
        }, reps);
        for (let p = 0; p < ids.length; p++)
          if (sub[p] !== values[ids[p]]) throw new Error(`${label}: edge subset value differs at edge ${ids[p]}`);
      }
      const perSec = (m / ours) * 1000;
      const hubText = hubMs === null ? '' : `; hub edges: ${((100 * hubIds.length) / m).toFixed(1)}% of edges, ${((100 * hubMs) / ours).toFixed(0)}% of our time`;
      console.log(`  ${label}: ours ${ours.toFixed(1)} ms (${Math.round(perSec)} edges/s), total ${total.toFixed(9)}${hubText}`);

      if (!haveRef) {
        ctx.log({ workload: 'W4', case: label, ours, anchor: 'reference.py (POT, 2 procs)', anchorMs: null, target: 100, aim: 200, note: 'reference.py: not installed' });
        continue;
      }
      let note = `${Math.round(perSec)} edges/s${hubText}`;
      let status;
      const r = await ctx.exec(ctx.python, [referencePy, pts.npy, String(K), '--steps', 'ollivier', '--procs', '2', '--alpha', String(alpha)], { env: ctx.anchorEnv });
      const last = r.stdout.trim().split('\n').filter(Boolean).pop();
      let ref = null;
      try {
        ref = JSON.parse(last);
      } catch {
        ref = null;
      }
      if (r.code !== 0 || !ref) {
        ctx.log({ workload: 'W4', case: label, ours, anchor: 'reference.py (POT, 2 procs)', anchorMs: null, status: 'ERROR', note: `reference.py failed (exit ${r.code}): ${(r.stderr || '').trim().slice(-300)}` });
        continue;
      }
      const dTotal = Math.abs(ref.ollivier_total - total);
      if (ref.edges !== m) {
        status = 'MISMATCH';
        note += `; edge count ${m} vs reference ${ref.edges}`;
      } else if (!(dTotal <= 1e-9 * m)) {
        status = 'MISMATCH';
        note += `; total ${total} vs reference ${ref.ollivier_total}`;
      } else note += `; totals agree (|Δ| = ${dTotal.toExponential(1)})`;
      // per-edge sample with the reference's POT code
      const pe = await ctx.exec(ctx.python, ['-c', PER_EDGE_PY, ctx.anchorsDir, pts.npy, String(K), String(alpha), idsPath], { env: ctx.anchorEnv });
      try {
        const got = JSON.parse(pe.stdout.trim().split('\n').filter(Boolean).pop());
        let worst = 0, bad = 0;
        got.values.forEach((v, p) => {
          const e = sampleIds[p];
          const [u, w] = got.edges[p];
          if (u !== g.edges[2 * e] || w !== g.edges[2 * e + 1]) bad++;
          worst = Math.max(worst, Math.abs(v - values[e]));
        });
        if (bad || !(worst <= 1e-9)) {
          status = 'MISMATCH';
          note += `; per-edge sample: ${bad} edges differ, worst |Δκ| ${worst.toExponential(2)}`;
        } else note += `; ${got.values.length} sampled edges agree (worst |Δκ| ${worst.toExponential(1)})`;
      } catch {
        note += `; per-edge sample check failed to run (exit ${pe.code})`;
      }
      ctx.log({
        workload: 'W4',
        case: label,
        ours,
        anchor: 'reference.py (POT per edge, 2 procs)',
        anchorMs: ref.ollivier_s * 1000,
        target: 100,
        aim: 200,
        note,
        ...(status ? { status } : {}),
      });
    }
  }
}

// ---- standalone: node bench/w4-ollivier.js [--quick] [--threads T] ----------------------------
const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(here, '..');
  const distIndex = join(root, 'dist', 'index.js');
  if (!existsSync(distIndex)) {
    console.error('w4-ollivier: dist/index.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const ti = argv.indexOf('--threads');
  const threads = ti >= 0 ? Number(argv[ti + 1]) : Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  const api = await import(pathToFileURL(distIndex).href);
  const dataDir = join(here, 'data');
  await mkdir(dataDir, { recursive: true });
  const python = '/usr/bin/python3';
  const exec = (cmd, args, { env } = {}) =>
    new Promise((res) => {
      execFile(cmd, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
        res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
    });
  const has = { numpy: false, scipy: false, pot: false };
  if (existsSync(python)) {
    const r = await exec(python, ['-c', 'import importlib.util as u, json; print(json.dumps({k: u.find_spec(m) is not None for k, m in [("numpy","numpy"),("scipy","scipy"),("pot","ot")]}))']);
    try {
      Object.assign(has, JSON.parse(r.stdout.trim()));
    } catch {
      /* python unusable */
    }
  }
  const time = async (fn, reps = 5) => {
    await fn();
    const ts = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await fn();
      ts.push(performance.now() - t0);
    }
    ts.sort((a, b) => a - b);
    return ts.length % 2 ? ts[ts.length >> 1] : (ts[ts.length / 2 - 1] + ts[ts.length / 2]) / 2;
  };
  const ctx = {
    api,
    root,
    benchDir: here,
    dataDir,
    anchorsDir: join(here, 'anchors'),
    python,
    has,
    quick,
    threads,
    anchorEnv: { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
    exec,
    time,
    log(row) {
      const ratio = row.anchorMs && row.ours ? row.anchorMs / row.ours : null;
      const status = row.status ?? (ratio === null ? 'INFO' : ratio >= row.target ? 'PASS' : 'BELOW');
      console.log(
        `  [W4] ${row.case}: ours ${row.ours?.toFixed(1)} ms, ${row.anchor} ${row.anchorMs ? (row.anchorMs / 1000).toFixed(2) + ' s' : '—'}` +
          `${ratio ? `, ratio ${ratio.toFixed(1)}×` : ''} → ${status}${row.note ? ` (${row.note})` : ''}`,
      );
    },
  };
  console.log(`W4 standalone — ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
  await run(ctx);
}
