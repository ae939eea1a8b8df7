/**
 * W1–W3 of docs/benchmarks.md, side by side in one run:
 *   W1 exact kNN lists: fMNIST 5v9 test (2000 × 784) and Gaussian (2000 × 50), k = 30, 120, 300,
 *      vs numpy float32 GEMM + argpartition (bench/anchors/numpy_knn.py) and, as information,
 *      R FNN::get.knn brute (the seed R recipe).
 *   W2 geodesic sum g and the hop distances of another graph's edges (what η needs) on the union
 *      kNN graph, vs scipy shortest_path unweighted (reference.py --steps apsp) and, as
 *      information, R igraph distances (seed R recipe).
 *   W3 Forman + augmented Forman with node means, vs reference.py (forman_s + augmented_s);
 *      totals and g are checked against reference.py, a difference is reported as MISMATCH.
 */
import { join } from 'node:path';
import { geometryDatasets } from './data.js';

const fmtS = (s) => `${(s * 1000).toFixed(s < 0.1 ? 2 : 0)} ms`;

export async function run(ctx) {
  const { api, threads } = ctx;
  const ks = ctx.quick ? [30] : [30, 120, 300];
  const reps = ctx.quick ? 5 : 7;
  const sets = await geometryDatasets(ctx);
  const numpyScript = join(ctx.benchDir, 'anchors', 'numpy_knn.py');
  const referencePy = join(ctx.anchorsDir, 'reference.py');
  const seedR = join(ctx.anchorsDir, 'seed_r_recipe.R');
  const haveRef = ctx.has.numpy && ctx.has.scipy;
  const haveR = !!ctx.rscript && ctx.has.r_fnn && ctx.has.r_igraph;
  const wantGraphs = ctx.wants('W2') || ctx.wants('W3');
  console.log(`  threads = ${threads}; k = ${ks.join(', ')}; our times: median of at least ${reps} calls and 250 ms of calls, after at least 3 warm-up calls and 50 ms`);
  for (const s of sets) console.log(`  data: ${s.label}, n = ${s.n} (${s.npy})`);
  if (!haveR) console.log('  R FNN / igraph (seed R recipe): not installed (apt-get install r-base-core r-cran-igraph r-cran-fnn)');

  // --- anchors that run once per data set or per case (same run as ours) ---
  const rRuns = new Map(); // `${name}/${k}` -> parsed line or error text
  async function seedRecipe(s, k) {
    const key = `${s.name}/${k}`;
    if (!rRuns.has(key)) {
      const r = await ctx.exec(ctx.rscript, [seedR, s.csv, String(k)], { env: ctx.anchorEnv });
      const m = /knn_s=([\d.]+) forman_s=([\d.]+) apsp_s=([\d.]+) total_forman=(-?[\d.e+]+) geodesic_sum=([\d.e+]+)/.exec(r.stdout);
      rRuns.set(
        key,
        m
          ? { knn_s: +m[1], forman_s: +m[2], apsp_s: +m[3], total_forman: +m[4], geodesic_sum: +m[5] }
          : { error: `seed R recipe failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-300)}` },
      );
    }
    return rRuns.get(key);
  }

  // Our union graphs for every (data set, k), built once (not timed here: W1 times the kNN).
  const graphs = new Map();
  if (wantGraphs)
    for (const s of sets)
      for (const k of ks) graphs.set(`${s.name}/${k}`, await api.knnGraph(s, { k, mode: 'union', threads }));

  for (const s of sets) {
    const pts = { data: s.data, n: s.n, d: s.d };

    // ---------------- W1 ----------------
    if (ctx.wants('W1')) {
      let npRes = null;
      let npErr = null;
      if (ctx.has.numpy) {
        try {
          npRes = await ctx.execJson(ctx.python, [numpyScript, s.npy, ...ks.map(String), '--reps', String(reps)], { env: ctx.anchorEnv });
        } catch (e) {
          npErr = e.message;
        }
      }
      for (const k of ks) {
        const ours = await ctx.time(() => api.knn(pts, { k, threads }), reps);
        const np = npRes?.results.find((r) => r.k === k);
        ctx.log({
          workload: 'W1',
          case: `${s.label} k=${k}`,
          ours,
          anchor: 'numpy f32 GEMM+argpartition',
          anchorMs: np ? np.median_s * 1000 : null,
          target: 1,
          aim: 2,
          note: np
            ? `numpy: distance matrix ${fmtS(np.dist_s)} + argpartition ${fmtS(np.select_s)}`
            : npErr ?? 'numpy not installed (apt-get install python3-numpy)',
          ...(np ? {} : npErr ? { status: 'ERROR' } : {}),
        });
        if (haveR) {
          const r = await seedRecipe(s, k);
          ctx.log({
            workload: 'W1',
            case: `${s.label} k=${k}`,
            ours,
            anchor: 'R FNN::get.knn brute',
            anchorMs: r.error ? null : r.knn_s * 1000,
            ...(r.error ? { status: 'ERROR', note: r.error } : {}),
          });
        }
      }
    }

    // ---------------- W2 + W3 ----------------
    if (!wantGraphs) continue;
    const other = sets.find((o) => o !== s && o.n === s.n);
    for (const k of ks) {
      const g = graphs.get(`${s.name}/${k}`);
      // "Next-layer" pairs: the edges of the other cloud's k graph, measured in this graph.
      const pairs = other ? graphs.get(`${other.name}/${k}`).edges : g.edges;
      const pairsLabel = other ? `${other.label} k=${k} edges` : 'own edges';
      // reference.py runs once for W2 (apsp) and three times for W3 (forman,augmented alone, in a
      // fresh process each: a run after apsp reuses the memory apsp freed, which is luck, not the
      // anchor); W3's anchor time is the median of the three.
      let ref = null;
      let refErr = null;
      const refRuns = [];
      if (haveRef) {
        try {
          if (ctx.wants('W2')) ref = await ctx.execJson(ctx.python, [referencePy, s.npy, String(k), '--steps', 'apsp'], { env: ctx.anchorEnv });
          if (ctx.wants('W3'))
            for (let r = 0; r < 3; r++)
              refRuns.push(await ctx.execJson(ctx.python, [referencePy, s.npy, String(k), '--steps', 'forman,augmented'], { env: ctx.anchorEnv }));
          ref ??= refRuns[0];
        } catch (e) {
          refErr = e.message;
        }
      }
      const refMissing = haveRef ? refErr : 'numpy/scipy not installed (apt-get install python3-numpy python3-scipy)';
      const mismatches = [];
      if (ref && ref.edges !== g.edgeCount) mismatches.push(`edges ${g.edgeCount} vs reference ${ref.edges}`);

      if (ctx.wants('W2')) {
        let geo;
        const ours = await ctx.time(async () => {
          geo = await api.geodesics(g, { pairs, threads });
        }, reps);
        const mm = [...mismatches];
        if (ref && ref.geodesic_sum !== geo.geodesicSum) mm.push(`g ${geo.geodesicSum} vs reference ${ref.geodesic_sum}`);
        if (geo.pairHops.length !== pairs.length / 2) mm.push(`pairHops length ${geo.pairHops.length} vs ${pairs.length / 2} pairs`);
        const info = `${g.edgeCount} edges, g = ${geo.geodesicSum}, diameter ${geo.diameter}, hops of ${pairs.length / 2} pairs (${pairsLabel})`;
        ctx.log({
          workload: 'W2',
          case: `${s.label} k=${k}`,
          ours,
          anchor: 'scipy shortest_path',
          anchorMs: ref ? ref.apsp_s * 1000 : null,
          target: 50,
          aim: 100,
          note: mm.length ? `MISMATCH: ${mm.join('; ')}` : ref ? `${info}; equal g` : `${info}; ${refMissing}`,
          ...(mm.length ? { status: 'MISMATCH' } : !ref && haveRef ? { status: 'ERROR' } : {}),
        });
        if (mm.length) console.error(`  !!! W2 ${s.label} k=${k}: ${mm.join('; ')}`);
        if (haveR) {
          const r = await seedRecipe(s, k);
          // igraph distances() on the directed kNN graph uses mode "all": the union graph's hops;
          // sum(G) counts each pair twice. Its kNN is FNN's (own tie-break), so g may differ on ties.
          const rNote = r.error
            ? r.error
            : r.geodesic_sum / 2 === geo.geodesicSum
              ? 'equal g'
              : `g differs: R ${r.geodesic_sum / 2} vs ours ${geo.geodesicSum} (FNN's kNN tie-break)`;
          ctx.log({
            workload: 'W2',
            case: `${s.label} k=${k}`,
            ours,
            anchor: 'R igraph distances',
            anchorMs: r.error ? null : r.apsp_s * 1000,
            note: rNote,
            ...(r.error ? { status: 'ERROR' } : {}),
          });
        }
      }

      if (ctx.wants('W3')) {
        let cv;
        const ours = await ctx.time(async () => {
          cv = await api.curvature(g, { curvatures: ['forman', 'augmented'], threads });
        }, reps);
        const mm = [...mismatches];
        const t = ctx.time.last;
        const r3 = refRuns.length ? refRuns : null;
        for (const rr of refRuns) {
          if (rr.forman_total !== cv.forman.total) mm.push(`Forman total ${cv.forman.total} vs reference ${rr.forman_total}`);
          if (rr.augmented_total !== cv.augmented.total) mm.push(`augmented total ${cv.augmented.total} vs reference ${rr.augmented_total}`);
        }
        if (cv.forman.nodeMean.length !== g.n || cv.augmented.nodeMean.length !== g.n) mm.push('node means missing');
        if (cv.forman.edge.length !== g.edgeCount || cv.augmented.edge.length !== g.edgeCount) mm.push('per-edge values missing');
        const anchorRuns = r3 ? r3.map((rr) => (rr.forman_s + rr.augmented_s) * 1000) : [];
        const anchorMs = r3 ? ctx.median(anchorRuns) : null;
        const timing = `ours: median of ${t.reps} calls after ${t.warm} warm-up (first ${reps}: ${fmtS(t.firstMedian / 1000)}); ` +
          `anchor runs ${anchorRuns.map((x) => fmtS(x / 1000)).join(', ')}`;
        ctx.log({
          workload: 'W3',
          case: `${s.label} k=${k}`,
          ours,
          anchor: 'reference.py forman+augmented',
          anchorMs,
          target: 100,
          note: mm.length
            ? `MISMATCH: ${[...new Set(mm)].join('; ')}`
            : r3
              ? `${timing}; equal totals (${cv.forman.total}, ${cv.augmented.total}); per-edge arrays and node means returned`
              : refMissing,
          ...(mm.length ? { status: 'MISMATCH' } : !r3 && haveRef ? { status: 'ERROR' } : {}),
        });
        if (mm.length) console.error(`  !!! W3 ${s.label} k=${k}: ${mm.join('; ')}`);
      }
    }
  }
}
