#!/usr/bin/env node
/**
 * W8 of docs/benchmarks.md: the `seed-paper` preset (1,512 networks: 7 datasets × 3 architectures ×
 * 2 depths × 36 replicates; 50 epochs each; analysed at k = 30, 120, 300) end to end on 2 cores.
 *
 * Method: a SLICE of the preset — the first S replicate seeds of every dataset × architecture ×
 * depth cell (S = 2: 84 networks; --quick: S = 1, 42 networks) — runs as one whole
 * `ricciflow sweep --config SLICE.json --workers 2 --threads 1` process (the CLI's defaults on 2
 * cores), and its wall time is extrapolated to 1,512 networks:
 *
 *     full ≈ data loading + (slice wall − data loading) × 1512 / S·42
 *
 * (the datasets are loaded once per process, whatever the number of networks; every network of a
 * cell costs the same arithmetic, whatever its seed). The bench prints the extrapolated wall time
 * and, separately, where the time went: per network and phase (training; kNN lists, graphs,
 * geodesics, curvature and coefficients from each record's analysisPhases; the record's JSON line
 * and fsync, re-measured on the slice's own records; data loading, timed once per dataset; process
 * start-up). Must: ≤ 45 min; aim: ≤ 30 min.
 *
 * MNIST: this machine may hold no MNIST files (they are downloaded on first use, and only package
 * registries may be reachable). Then the two MNIST cells (mnist:1v7, mnist:6v8) are timed on
 * Fashion-MNIST stand-ins of the same shape (784-d raw pixels, 12,000 training and 2,000 test
 * points; MNIST's pairs have 11,769–13,007 and 1,932–2,163), through a data directory whose
 * `mnist/` holds the Fashion-MNIST files; the bench says so.
 *
 *   node bench/w8-paper.js [--quick] [--seeds S]      (alone; needs `npm run build`)
 *   npm run bench -- --only W8                         (through bench/run.js)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');
const BUDGET_MIN = 45;
const AIM_MIN = 30;
const FMNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

const importDist = (rel) => import(pathToFileURL(join(root, 'dist', rel)).href);

function runCmd(cmd, args, opts = {}) {
  return new Promise((res) => {
    const t0 = performance.now();
    execFile(cmd, args, { cwd: root, timeout: 3 * 3600_000, maxBuffer: 256 << 20, ...opts }, (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 }),
    );
  });
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const fmtS = (s) => (s >= 600 ? `${(s / 60).toFixed(1)} min` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`);

/**
 * A data directory for the image pairs when MNIST cannot be loaded here: `fashion-mnist/` (the
 * real files) and `mnist/` (Fashion-MNIST files standing in). Returns null when MNIST loads.
 */
async function imageDataDir(tmp, loadPair) {
  try {
    await loadPair({ dataset: 'mnist', classes: [1, 7], download: false, mnistSource: 'official' });
    return null;
  } catch {
    /* no MNIST here: stand-ins */
  }
  if (!existsSync(FMNIST_SYSTEM_DIR)) throw new Error(`Fashion-MNIST not found in ${FMNIST_SYSTEM_DIR} (apt-get install dataset-fashion-mnist)`);
  const dir = join(tmp, 'images');
  await mkdir(dir, { recursive: true });
  await symlink(FMNIST_SYSTEM_DIR, join(dir, 'fashion-mnist'));
  await symlink(FMNIST_SYSTEM_DIR, join(dir, 'mnist'));
  return dir;
}

export async function run(ctx) {
  const log = ctx.log ?? ((row) => console.log(JSON.stringify(row)));
  const cores = ctx.threads ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  const seedsPerCell = ctx.w8Seeds ?? (ctx.quick ? 1 : 2);
  const sweepMod = await importDist('study/sweep.js');
  const { loadStudyDataset } = await importDist('study/datasets.js');
  const { loadPair } = await importDist('data/mnist.js');
  const { RecordWriter } = await importDist('study/store.js');

  const preset = sweepMod.presetSweep('seed-paper');
  const fullNetworks = sweepMod.sweepConfigs(preset).length;
  const slice = { ...preset, name: `seed-paper-slice-${seedsPerCell}`, seeds: preset.seeds.slice(0, seedsPerCell) };
  delete slice.description;
  const sliceConfigs = sweepMod.sweepConfigs(sweepMod.resolveSweep(structuredClone(slice)));
  const cells = preset.datasets.length * preset.architectures.length * preset.depths.length;
  const tmp = await mkdtemp(join(os.tmpdir(), 'ricciflow-w8-'));
  try {
    const dataDir = await imageDataDir(tmp, loadPair);
    const standIn = dataDir !== null;
    console.log(
      `  W8: slice = seeds ${slice.seeds.join(',')} of every cell: ${preset.datasets.length} datasets × ${preset.architectures.length} architectures × ` +
        `${preset.depths.length} depths = ${cells} cells, ${sliceConfigs.length} of ${fullNetworks} networks; ` +
        `one \`ricciflow sweep\` process, --workers ${cores} --threads 1` + (standIn ? '; MNIST absent: mnist cells on Fashion-MNIST stand-ins' : ''),
    );

    // Data loading, once per dataset (what a sweep process pays once, whatever its size).
    const load = {};
    for (const ds of preset.datasets) {
      const cfg = sliceConfigs.find((c) => c.dataset === ds);
      const t0 = performance.now();
      const d = await loadStudyDataset(cfg, dataDir ? { dataDir } : {});
      load[ds] = { s: (performance.now() - t0) / 1000, nTrain: d.nTrain, nTest: d.nTest, d: d.d };
    }
    const loadS = sum(Object.values(load).map((x) => x.s));

    // Process start-up: `ricciflow sweep --help` loads the sweep verb's modules and exits.
    const help = await runCmd(process.execPath, [join(root, 'bin', 'ricciflow.js'), 'sweep', '--help']);
    const startS = help.ms / 1000;

    // The slice, end to end.
    const configPath = join(tmp, 'slice.json');
    await writeFile(configPath, JSON.stringify(slice, null, 2));
    const out = join(tmp, 'out');
    // The child reports its own CPU time (all threads) at exit: on a shared machine the wall time
    // also holds other people's load, the CPU time does not.
    const rusage = `data:text/javascript,process.on('exit',()=>{const r=process.resourceUsage();process.stderr.write('\\nRUSAGE '+JSON.stringify({user:r.userCPUTime,system:r.systemCPUTime})+'\\n')})`;
    const args = ['--import', rusage, join(root, 'bin', 'ricciflow.js'), 'sweep', '--config', configPath, '--out', out, '--workers', String(cores), '--threads', '1'];
    if (dataDir) args.push('--data-dir', dataDir);
    const r = await runCmd(process.execPath, args);
    if (r.code !== 0) throw new Error(`ricciflow sweep failed (exit ${r.code}): ${r.stderr.trim().slice(-800)}`);
    const wallS = r.ms / 1000;
    const ru = r.stderr.split('\n').filter((l) => l.startsWith('RUSAGE ')).pop();
    const cpuS = ru ? (JSON.parse(ru.slice(7)).user + JSON.parse(ru.slice(7)).system) / 1e6 : null;
    const { records } = await (await importDist('study/store.js')).readRecords(join(out, 'networks.jsonl'));
    const ok = records.filter((x) => x.status === 'ok');
    if (ok.length !== sliceConfigs.length)
      throw new Error(`slice wrote ${ok.length} ok records of ${sliceConfigs.length} (${records.length - ok.length} failed): ${r.stderr.trim().slice(-500)}`);

    // Record writing: the same records appended (JSON line + fsync) to a scratch file.
    const scratch = await RecordWriter.open(join(tmp, 'scratch.jsonl'));
    const tw = performance.now();
    for (const rec of records) await scratch.writer.append(rec);
    const recordS = (performance.now() - tw) / 1000;

    // Per-phase task time (seconds summed over the slice's networks).
    const phase = {
      training: sum(ok.map((x) => x.trainSeconds ?? 0)),
      knn: sum(ok.map((x) => x.analysisPhases?.knn ?? 0)),
      graphs: sum(ok.map((x) => x.analysisPhases?.graphs ?? 0)),
      geodesics: sum(ok.map((x) => x.analysisPhases?.geodesics ?? 0)),
      curvature: sum(ok.map((x) => x.analysisPhases?.curvature ?? 0)),
      coefficients: sum(ok.map((x) => x.analysisPhases?.coefficients ?? 0)),
    };
    const analysisS = sum(ok.map((x) => x.analysisSeconds ?? 0));
    const phaseAnalysis = phase.knn + phase.graphs + phase.geodesics + phase.curvature + phase.coefficients;
    phase['analysis, other (record building)'] = Math.max(0, analysisS - phaseAnalysis);
    phase['records (JSON + fsync)'] = recordS;
    phase['data loading (once per dataset)'] = loadS;
    phase['process start-up'] = startS;
    const accounted = sum(Object.values(phase));
    // Core-seconds the slice had (workers × wall) that no phase used: scheduling tail, event loop.
    phase['idle / unaccounted core time'] = Math.max(0, cores * wallS - accounted);

    const scale = fullNetworks / ok.length;
    const fullS = loadS + startS + Math.max(0, wallS - loadS - startS) * scale;
    const fullMin = fullS / 60;
    // The same extrapolation from CPU time: what the slice would take with both cores to itself.
    const cpuWallS = cpuS === null ? null : cpuS / cores;
    const fullCpuS = cpuWallS === null ? null : loadS + startS + Math.max(0, cpuWallS - loadS - startS) * scale;
    const loadAvg = os.loadavg();
    log({
      workload: 'W8',
      case: `seed-paper preset, ${fullNetworks} networks, k = ${preset.k.join('/')}, ${cores} cores`,
      ours: fullS * 1000,
      oursText: `${fullMin.toFixed(1)} min (extrap.)`,
      anchor: `budget ${BUDGET_MIN} min`,
      anchorMs: BUDGET_MIN * 60_000,
      target: 1,
      aim: BUDGET_MIN / AIM_MIN,
      note:
        `slice of ${ok.length} networks covering every dataset × architecture × depth (${cells} cells × seeds ${slice.seeds.join(',')}), ` +
        `extrapolated to ${fullNetworks}: slice wall ${fmtS(wallS)} (one \`ricciflow sweep\` process, ${cores} workers × 1 thread); ` +
        `full ≈ loading ${fmtS(loadS)} + start ${fmtS(startS)} + (wall − both) × ${scale.toFixed(0)}; ratio = ${BUDGET_MIN} min / ours (aim ${AIM_MIN} min)` +
        (fullCpuS !== null ? `; from the process's CPU time instead (${fmtS(cpuS)} CPU / ${cores} cores = ${fmtS(cpuWallS)}): ${(fullCpuS / 60).toFixed(1)} min` : '') +
        `; load average ${loadAvg.map((x) => x.toFixed(1)).join(', ')}` +
        (standIn ? `; MNIST not on this machine: the mnist:1v7 and mnist:6v8 cells ran on Fashion-MNIST stand-ins of the same shape (784-d, 12,000 train, 2,000 test)` : ''),
    });

    // Breakdown: share of the task time (core-seconds), per network.
    const total = sum(Object.values(phase));
    console.log(`  W8 where the time goes (slice, core-seconds over ${ok.length} networks; ${cores} × wall = ${fmtS(cores * wallS)}):`);
    for (const [name, s] of Object.entries(phase))
      console.log(`    ${name.padEnd(36)} ${fmtS(s).padStart(9)}  ${((100 * s) / total).toFixed(1).padStart(5)} %   ${((1000 * s) / ok.length).toFixed(0).padStart(6)} ms/network`);
    for (const [name, s] of Object.entries(phase))
      log({
        workload: 'W8',
        case: `phase: ${name}`,
        ours: (1000 * s) / ok.length,
        oursText: `${((1000 * s) / ok.length).toFixed(0)} ms/net`,
        status: 'INFO',
        note: `${((100 * s) / total).toFixed(1)} % of the slice's ${fmtS(total)} core-seconds`,
      });

    // Per cell (dataset × architecture × depth): mean seconds per network.
    console.log('  W8 per cell (mean per network): train s, analysis s [kNN / graphs / geodesics / curvature / coefficients], ms/epoch');
    const byCell = new Map();
    for (const x of ok) {
      const key = `${x.config.dataset} ${x.config.architecture}-${x.config.depth}`;
      if (!byCell.has(key)) byCell.set(key, []);
      byCell.get(key).push(x);
    }
    for (const [key, xs] of byCell) {
      const m = (f) => sum(xs.map(f)) / xs.length;
      const p = (k) => m((x) => x.analysisPhases?.[k] ?? 0).toFixed(2);
      console.log(
        `    ${key.padEnd(34)} train ${m((x) => x.trainSeconds ?? 0).toFixed(2).padStart(6)}  analysis ${m((x) => x.analysisSeconds ?? 0).toFixed(2).padStart(5)} ` +
          `[${p('knn')} / ${p('graphs')} / ${p('geodesics')} / ${p('curvature')} / ${p('coefficients')}]  ${m((x) => x.msPerEpoch ?? 0).toFixed(0)} ms/epoch`,
      );
    }
    console.log(
      `  W8 data: ${Object.entries(load).map(([k, v]) => `${k} ${v.nTrain}+${v.nTest}×${v.d} ${fmtS(v.s)}`).join('; ')}` +
        (standIn ? ' (mnist = Fashion-MNIST stand-in)' : ''),
    );
    if (fullCpuS !== null)
      log({
        workload: 'W8',
        case: `the same, from the slice's CPU time / ${cores} cores (machine to itself)`,
        ours: fullCpuS * 1000,
        oursText: `${(fullCpuS / 60).toFixed(1)} min (extrap.)`,
        anchor: `budget ${BUDGET_MIN} min`,
        anchorMs: BUDGET_MIN * 60_000,
        target: 1,
        aim: BUDGET_MIN / AIM_MIN,
        note: `slice CPU ${fmtS(cpuS)} (user + system, all threads of the sweep process) / ${cores} cores = ${fmtS(cpuWallS)}, extrapolated as above; a lower bound of the wall time on ${cores} otherwise idle cores`,
      });
    return { wallS, fullS, cpuS, fullCpuS, phase, networks: ok.length };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function standalone(argv) {
  let quick = false, seeds;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--seeds') seeds = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: node bench/w8-paper.js [--quick] [--seeds S])`);
  }
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first');
  const rows = [];
  await run({ quick, w8Seeds: seeds, log: (row) => (rows.push(row), console.log(`  [${row.workload}] ${row.case}: ${row.oursText ?? row.ours}${row.note ? ` (${row.note})` : ''}`)) });
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  standalone(process.argv.slice(2)).catch((err) => {
    console.error(`w8-paper: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  });
}
