#!/usr/bin/env node
/**
 * ricciflow benchmark harness (docs: docs/benchmarks.md).
 *
 *   npm run bench [-- --only W1,W2] [--quick] [--threads T] [--full-reproduction] [--reproduction-out DIR]
 *
 * Runs the workload modules in order; each exports `async function run(ctx)` and reports rows
 * through `ctx.log(row)`. Every ratio is measured side by side in this one run: an anchor that is
 * not installed is reported as "not installed", never replaced by a remembered figure.
 *
 * A row: { workload, case, ours (ms), anchor (name), anchorMs (ms | null), ratio?, target?, aim?,
 *          unit?, note?, status? }. `ratio` defaults to anchorMs / ours (higher = we are faster);
 * `target` is the ratio that must be reached (PASS / BELOW). A row may set `status` itself
 * (e.g. 'MISMATCH', 'ERROR', 'INFO'), and `oursText` / `anchorText` to show values that are not
 * times (memory, models per hour, …).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');

/** Workload modules, in the order they run, with the workload ids each one covers. */
const MODULES = [
  // CLI first: it spawns whole processes, and a child's start-up is slower from a parent that
  // earlier workloads have grown (bare `node -e 0` measured 77 ms at the end of a whole run
  // against 52 ms from a fresh bench process); a user starts the CLI from a shell.
  { file: 'cli-startup.js', ids: ['CLI'] },
  { file: 'w1-w3-geometry.js', ids: ['W1', 'W2', 'W3'] },
  { file: 'w4-ollivier.js', ids: ['W4'] },
  { file: 'w5-analysis.js', ids: ['W5'] },
  { file: 'w6-train.js', ids: ['W6'] },
  { file: 'w7-scale.js', ids: ['W7'] },
  { file: 'w8-paper.js', ids: ['W8'] },
  { file: 'w9-followup.js', ids: ['W9'] },
  { file: 'w9-reproduce.js', ids: ['W9R'] },
];
/** Every workload id the modules cover (for --only). */
const KNOWN_IDS = MODULES.flatMap((m) => m.ids);

function usage() {
  return [
    'usage: npm run bench [-- --only W1,W2] [--quick] [--threads T] [--full-reproduction] [--reproduction-out DIR]',
    `  --only IDS    comma-separated workload ids (${KNOWN_IDS.join(', ')}) to run; default: all`,
    '  --quick       fewer cases and repetitions (a smoke run; ratios still side by side)',
    '  --threads T   threads for our calls and for the anchors that take a count (default: min(2, cores))',
    '  --full-reproduction  W9R times the whole `reproduce follow-up` (tens of minutes) instead of its --quick plan',
    '  --reproduction-out DIR  W9R keeps its results in DIR (a new directory; an existing one is resumed)',
  ].join('\n');
}

function parseArgs(argv) {
  const opts = { only: null, quick: false, fullReproduction: false, threads: Math.min(2, os.availableParallelism?.() ?? os.cpus().length) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--full-reproduction') opts.fullReproduction = true;
    else if (a === '--reproduction-out' || a.startsWith('--reproduction-out=')) opts.reproductionOut = value();
    else if (a === '--only' || a.startsWith('--only=')) {
      opts.only = new Set(value().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
      for (const id of opts.only)
        if (!KNOWN_IDS.includes(id)) throw new Error(`--only: unknown workload '${id}' (expected ${KNOWN_IDS.join(', ')})`);
    } else if (a === '--threads' || a.startsWith('--threads=')) {
      const t = Number(value());
      if (!Number.isInteger(t) || t < 1) throw new Error('--threads: expected a positive integer');
      opts.threads = t;
    } else if (a === '-h' || a === '--help') {
      console.log(usage());
      process.exit(0);
    } else throw new Error(`unknown argument '${a}'\n${usage()}`);
  }
  return opts;
}

/** Runs a command; resolves { code, stdout, stderr, ms } (never rejects on a non-zero exit). */
function exec(cmd, args, { env, timeoutMs = 30 * 60_000, cwd = root } = {}) {
  return new Promise((resolveP) => {
    const t0 = performance.now();
    execFile(
      cmd,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolveP({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === -1 ? String(err.message) : ''), ms: performance.now() - t0 });
      },
    );
  });
}

/** Runs a command whose last non-empty stdout line is JSON; throws with stderr on failure. */
async function execJson(cmd, args, options) {
  const r = await exec(cmd, args, options);
  const lines = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  if (r.code !== 0 || !last) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().slice(-2000)}`);
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`${cmd} ${args.join(' ')}: last line is not JSON: ${last.slice(0, 500)}`);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median wall time in ms of calls of fn (sync or async), calibrated by time as timeit and pyperf
 * do: warm-up calls until at least 3 calls and 50 ms have passed, then timed calls until at
 * least `reps` calls and 250 ms (at most 2000 calls). Slow workloads thus get `reps` calls after
 * one warm-up batch; sub-millisecond ones get hundreds, so that one noisy wake-up or garbage
 * collection does not decide the figure. `time.last` holds the counts and the median of the
 * first `reps` timed calls alone.
 */
async function time(fn, reps = 5) {
  const w0 = performance.now();
  let warm = 0;
  while (warm < 3 || (performance.now() - w0 < 50 && warm < 2000)) {
    await fn();
    warm++;
  }
  const ts = [];
  const t00 = performance.now();
  while (ts.length < reps || (performance.now() - t00 < 250 && ts.length < 2000)) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  time.last = { warm, reps: ts.length, firstMedian: median(ts.slice(0, reps)) };
  return median(ts);
}
time.last = null;

async function probe(python, rscript) {
  const has = { numpy: false, scipy: false, pot: false, torch: false, r_igraph: false, r_fnn: false };
  if (existsSync(python)) {
    const code =
      'import importlib.util, json\n' +
      "print(json.dumps({k: importlib.util.find_spec(m) is not None for k, m in " +
      "[('numpy','numpy'),('scipy','scipy'),('pot','ot'),('torch','torch')]}))";
    try {
      Object.assign(has, await execJson(python, ['-c', code], { timeoutMs: 60_000 }));
    } catch {
      /* python unusable: all false */
    }
  }
  if (rscript) {
    const r = await exec(
      rscript,
      ['-e', 'cat(requireNamespace("igraph", quietly=TRUE), requireNamespace("FNN", quietly=TRUE))'],
      { timeoutMs: 60_000 },
    );
    const [ig, fnn] = r.stdout.trim().split(/\s+/);
    has.r_igraph = ig === 'TRUE';
    has.r_fnn = fnn === 'TRUE';
  }
  return has;
}

async function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return null;
}

function fmtMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function fmtRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

function finishRow(row) {
  const out = { ...row };
  if (out.ratio === undefined && Number.isFinite(out.ours) && Number.isFinite(out.anchorMs) && out.ours > 0)
    out.ratio = out.anchorMs / out.ours;
  if (!out.status) {
    if (!Number.isFinite(out.anchorMs) && out.ratio === undefined) out.status = out.note?.includes('not installed') ? 'NO ANCHOR' : 'INFO';
    else if (typeof out.target === 'number' && Number.isFinite(out.ratio)) out.status = out.ratio >= out.target ? 'PASS' : 'BELOW';
    else out.status = 'INFO';
  }
  return out;
}

function printTable(rows) {
  const head = ['workload', 'case', 'ours', 'anchor', 'anchor time', 'ratio', 'target', 'status'];
  const body = rows.map((r) => [
    r.workload,
    r.case,
    r.oursText ?? fmtMs(r.ours),
    r.anchor ?? '—',
    r.anchorText ?? (Number.isFinite(r.anchorMs) ? fmtMs(r.anchorMs) : r.note?.includes('not installed') ? 'not installed' : '—'),
    fmtRatio(r.ratio),
    typeof r.target === 'number' ? `≥ ${r.target}×${typeof r.aim === 'number' ? ` (aim ${r.aim}×)` : ''}` : '—',
    r.status,
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...body.map((b) => String(b[c]).length)));
  const line = (cells) => cells.map((x, c) => String(x).padEnd(w[c])).join('  ');
  console.log('');
  console.log(line(head));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const b of body) console.log(line(b));
  const notes = rows.filter((r) => r.note);
  if (notes.length) {
    console.log('');
    for (const r of notes) console.log(`  ${r.workload} ${r.case}: ${r.note}`);
  }
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench: ${e.message}`);
    process.exit(2);
  }
  const distIndex = join(root, 'dist', 'index.js');
  if (!existsSync(distIndex)) {
    console.error('bench: dist/index.js is missing; the benchmark builds nothing itself.');
    console.error('       Run `npm run build` (native addon + TypeScript) first, then `npm run bench` again.');
    process.exit(1);
  }
  let api;
  try {
    api = await import(pathToFileURL(distIndex).href);
  } catch (e) {
    console.error(`bench: cannot load dist/index.js (${e.message}).`);
    console.error('       Is the native addon built? Run `npm run build` first.');
    process.exit(1);
  }

  const dataDir = join(benchDir, 'data');
  const outDir = join(benchDir, 'out');
  await mkdir(dataDir, { recursive: true });
  await mkdir(outDir, { recursive: true });
  const anchorsDir = join(benchDir, 'anchors'); // our anchor scripts (docs/benchmarks.md)
  const python = '/usr/bin/python3';
  const rscript = await which('Rscript');
  const has = await probe(python, rscript);

  const rows = [];
  const threads = opts.threads;
  // Anchors that use BLAS / OpenMP get the same thread count as our calls.
  const anchorEnv = {
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const ctx = {
    api,
    root,
    benchDir,
    dataDir,
    outDir,
    anchorsDir,
    python,
    rscript,
    has,
    quick: opts.quick,
    fullReproduction: opts.fullReproduction,
    reproductionOut: opts.reproductionOut,
    threads,
    anchorEnv,
    only: opts.only,
    /** Whether workload `id` (e.g. 'W2') was selected. */
    wants: (id) => !opts.only || opts.only.has(id),
    log(row) {
      const r = finishRow(row);
      rows.push(r);
      const ratio = Number.isFinite(r.ratio) ? ` ratio ${fmtRatio(r.ratio)}` : '';
      console.log(
        `  [${r.workload}] ${r.case}: ours ${r.oursText ?? fmtMs(r.ours)}` +
          (r.anchor ? `, ${r.anchor} ${r.anchorText ?? (Number.isFinite(r.anchorMs) ? fmtMs(r.anchorMs) : 'not installed')}` : '') +
          `${ratio} → ${r.status}${r.note ? ` (${r.note})` : ''}`,
      );
    },
    time,
    median,
    exec,
    execJson,
  };

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`ricciflow bench — ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpu}, ${os.cpus().length} logical cores; threads = ${threads} (ours and anchors)`);
  console.log(
    `anchors: python ${existsSync(python) ? python : 'missing'} [numpy ${has.numpy}, scipy ${has.scipy}, pot ${has.pot}, torch ${has.torch}], ` +
      `Rscript ${rscript ?? 'not installed'} [igraph ${has.r_igraph}, FNN ${has.r_fnn}]`,
  );
  const load0 = os.loadavg();
  console.log(`load average at start: ${load0.map((x) => x.toFixed(2)).join(', ')} (1, 5, 15 min)`);
  if (load0[0] > os.cpus().length)
    console.log(`warning: the machine is busy (load ${load0[0].toFixed(1)} > ${os.cpus().length} cores): times are noisy, ratios less so`);
  if (opts.quick) console.log('quick mode: fewer cases and repetitions');

  const skipped = [];
  for (const m of MODULES) {
    if (opts.only && !m.ids.some((id) => opts.only.has(id))) continue;
    const label = m.ids.length > 1 ? `${m.ids[0]}–${m.ids[m.ids.length - 1]}` : m.ids[0];
    const path = join(benchDir, m.file);
    console.log('');
    if (!existsSync(path)) {
      console.log(`== ${label} (bench/${m.file}): not built yet, skipped`);
      skipped.push({ ids: m.ids, file: m.file, reason: 'not built yet' });
      continue;
    }
    console.log(`== ${label} (bench/${m.file})`);
    const t0 = performance.now();
    try {
      const mod = await import(pathToFileURL(path).href);
      if (typeof mod.run !== 'function') throw new Error('module does not export run(ctx)');
      await mod.run(ctx);
    } catch (e) {
      console.error(`  ${label} failed: ${e?.stack ?? e}`);
      ctx.log({ workload: m.ids[0], case: `bench/${m.file}`, status: 'ERROR', note: String(e?.message ?? e).slice(0, 300) });
    }
    console.log(`  (${label} took ${fmtMs(performance.now() - t0)})`);
  }

  printTable(rows);
  for (const s of skipped) console.log(`  ${s.ids.join(', ')}: bench/${s.file} not built yet`);
  const bad = rows.filter((r) => ['BELOW', 'MISMATCH', 'ERROR'].includes(r.status));
  console.log('');
  console.log(
    `${rows.filter((r) => r.status === 'PASS').length} PASS, ${rows.filter((r) => r.status === 'BELOW').length} BELOW, ` +
      `${rows.filter((r) => r.status === 'MISMATCH').length} MISMATCH, ${rows.filter((r) => r.status === 'ERROR').length} ERROR, ` +
      `${rows.filter((r) => r.status === 'NO ANCHOR').length} without anchor`,
  );

  const load1 = os.loadavg();
  console.log(`load average at end: ${load1.map((x) => x.toFixed(2)).join(', ')}`);
  const results = {
    date: new Date().toISOString(),
    loadavg: { start: load0, end: load1 },
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    node: process.version,
    cpu,
    cores: os.cpus().length,
    threads,
    quick: opts.quick,
    has,
    skipped,
    rows,
  };
  const outFile = join(outDir, 'results.json');
  await writeFile(outFile, JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${outFile}`);
  // A benchmark reports; it fails only on wrong values or crashes, not on slow machines.
  process.exitCode = bad.some((r) => r.status !== 'BELOW') ? 1 : 0;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
