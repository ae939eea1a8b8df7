#!/usr/bin/env node
/**
 * CLI start-up (docs/benchmarks.md): whole processes, as a user runs them from a shell.
 *   - `node -e 0` (bare Node), `ricciflow --version`;
 *   - `ricciflow geometry GAUSS.npy --k 30 --out RESULT.json` on W1's Gaussian set (2000 × 50,
 *     bench/data.js): kNN, union graph, geodesic sum, Forman curvature per edge and node means,
 *     JSON result written;
 *   - against `/usr/bin/python3 bench/anchors/reference.py GAUSS.npy 30 --steps knn,apsp,forman`
 *     as a whole process (interpreter and numpy/scipy start-up included; the same kNN, graph,
 *     all-pairs hops and Forman; it writes no result file). Must: ≥ 15×.
 * Our processes alternate with each other (median of ≥ 11 runs each, after 2 warm-up runs); the
 * reference runs 3 times (median). Totals are compared: g and the Forman total must agree.
 *
 *   npm run bench -- --only CLI
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { gaussian } from './data.js';

const TARGET = 15;

export async function run(ctx) {
  const node = process.execPath;
  const bin = join(ctx.root, 'bin', 'ricciflow.js');
  const ga = await gaussian(ctx);
  const out = join(ctx.outDir, 'cli-geometry.json');
  const threads = String(ctx.threads);
  const cmds = [
    { name: 'node -e 0 (bare Node)', args: ['-e', '0'] },
    { name: 'ricciflow --version', args: [bin, '--version'] },
    { name: `ricciflow geometry Gauss n=${ga.n} d=${ga.d} --k 30`, args: [bin, 'geometry', ga.npy, '--k', '30', '--threads', threads, '--out', out], geometry: true },
  ];
  const reps = ctx.quick ? 5 : 11;
  const times = cmds.map(() => []);
  for (let r = 0; r < reps + 2; r++)
    for (let c = 0; c < cmds.length; c++) {
      const x = await ctx.exec(node, cmds[c].args, { timeoutMs: 120_000 });
      if (x.code !== 0) throw new Error(`${cmds[c].name} failed (exit ${x.code}): ${x.stderr.trim().slice(-300)}`);
      if (r >= 2) times[c].push(x.ms);
    }
  const med = times.map((t) => ctx.median(t));
  const ours = JSON.parse(await readFile(out, 'utf8'));
  for (let c = 0; c < 2; c++)
    ctx.log({ workload: 'CLI', case: cmds[c].name, ours: med[c], status: 'INFO', note: `whole process, median of ${reps} (alternating)` });

  const anchorsDir = ctx.anchorsDir ?? join(ctx.benchDir, 'anchors');
  const reference = [join(anchorsDir, 'reference.py')].find((p) => existsSync(p));
  const caseName = `${cmds[2].name} vs reference.py, whole processes`;
  if (!reference || !ctx.has?.numpy || !ctx.has?.scipy) {
    ctx.log({ workload: 'CLI', case: caseName, ours: med[2], anchor: 'reference.py', anchorMs: null, target: TARGET, note: 'reference.py / numpy / scipy: not installed' });
    return;
  }
  const refTimes = [];
  let ref = null;
  for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
    const x = await ctx.exec(ctx.python, [reference, ga.npy, '30', '--steps', 'knn,apsp,forman'], { env: ctx.anchorEnv, timeoutMs: 600_000 });
    if (x.code !== 0) throw new Error(`reference.py failed (exit ${x.code}): ${x.stderr.trim().slice(-300)}`);
    refTimes.push(x.ms);
    ref = JSON.parse(x.stdout.trim().split('\n').pop());
  }
  const same = ref.geodesic_sum === ours.geodesicSum && ref.forman_total === ours.total.forman;
  ctx.log({
    workload: 'CLI',
    case: caseName,
    ours: med[2],
    anchor: 'reference.py knn,apsp,forman (python3 process)',
    anchorMs: ctx.median(refTimes),
    target: TARGET,
    ...(same ? {} : { status: 'MISMATCH' }),
    note:
      `whole processes: ours median of ${reps} (bare node ${med[0].toFixed(0)} ms of it), reference median of ${refTimes.length}; ` +
      `g ${ours.geodesicSum} vs ${ref.geodesic_sum}, Forman total ${ours.total.forman} vs ${ref.forman_total}${same ? ' (equal)' : ' (DIFFER)'}`,
  });
}
