#!/usr/bin/env node
/**
 * W9, second half (docs/benchmarks.md): the wall time of the follow-up's reproduction as a user
 * runs it. Method: the whole command `ricciflow reproduce follow-up --quick --out TMP` runs as one
 * child process (its defaults: 2 workers on 2 cores), timed from spawn to exit; its CPU time is
 * the child's user + system time (Linux: /proc/self/stat's cutime + cstime of waited-for children).
 * Its records then give the epochs each network trained (the stop rule — 99 % training accuracy,
 * docs/method.md §8b — sets them, not we) and where the time went (training, analysis).
 * Must: `--quick` ≤ 10 min.
 *
 * The whole reproduction (216 trained + 40 untrained networks; 3 vs 6 needs thousands of epochs) is
 * run only when asked: `npm run bench -- --only W9R --full-reproduction` (tens of minutes), with
 * the same method and the same rows.
 *
 *   node bench/w9-reproduce.js [--full-reproduction] [--reproduction-out DIR]   (alone; needs `npm run build`)
 *
 * --reproduction-out DIR keeps the results there (an existing directory is resumed, so use a new one
 * for a timing).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');
const QUICK_BUDGET_MIN = 10;

/** CPU seconds (user + system) of this process's waited-for children, or null off Linux. */
function childrenCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of stat(5), i.e. indices 13 and 14 here.
    const ticks = Number(f[13]) + Number(f[14]);
    return Number.isFinite(ticks) ? ticks / 100 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function runWhole(args) {
  return new Promise((res) => {
    const cpu0 = childrenCpuSeconds();
    const t0 = performance.now();
    execFile(process.execPath, [join(root, 'bin', 'ricciflow.js'), ...args], { cwd: root, timeout: 4 * 3600_000, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      const cpu1 = childrenCpuSeconds();
      res({
        code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
        ms,
        cpuS: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
      });
    });
  });
}

async function readRecords(file) {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l))
      .filter((r) => r.status === 'ok');
  } catch {
    return [];
  }
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : NaN;
}
const fmtMin = (ms) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);

export async function run(ctx) {
  const log = ctx.log ?? ((row) => console.log(JSON.stringify(row)));
  const full = !!ctx.fullReproduction;
  const label = full ? 'reproduce follow-up' : 'reproduce follow-up --quick';
  // --reproduction-out DIR keeps the results (a resumable reproduction directory with its table);
  // by default they go to a temporary directory that is removed afterwards.
  const keep = ctx.reproductionOut ? resolve(ctx.reproductionOut) : null;
  const tmp = keep ?? (await mkdtemp(join(os.tmpdir(), 'ricciflow-w9r-')));
  try {
    console.log(`  running the whole \`ricciflow ${label}\` (one process, its defaults)…`);
    const r = await runWhole(['reproduce', 'follow-up', ...(full ? [] : ['--quick']), '--out', tmp]);
    if (r.code !== 0) {
      log({ workload: 'W9', case: `${label}, whole command`, status: 'ERROR', note: `exit ${r.code}: ${r.stderr.trim().slice(-300)}` });
      return;
    }
    const trained = await readRecords(join(tmp, 'local', 'networks.jsonl'));
    const untrained = await readRecords(join(tmp, 'untrained', 'networks.jsonl'));
    const trainS = sum(trained.map((x) => x.trainSeconds ?? 0));
    const analysisS = sum([...trained, ...untrained].map((x) => x.analysisSeconds ?? 0));
    const load = os.loadavg();
    log({
      workload: 'W9',
      case: `${label}: whole command, wall time (${trained.length} trained + ${untrained.length} untrained networks)`,
      ours: r.ms,
      oursText: fmtMin(r.ms),
      ...(full
        ? { status: 'INFO' }
        : { anchor: `budget ${QUICK_BUDGET_MIN} min`, anchorMs: QUICK_BUDGET_MIN * 60_000, target: 1 }),
      note:
        `one child process \`ricciflow ${label} --out TMP\` timed spawn to exit` +
        (r.cpuS !== null ? `; its CPU time (user + system, all threads) ${r.cpuS.toFixed(0)} s` : '') +
        `; per-network wall times summed from its records: training ${trainS.toFixed(0)} s, analysis ${analysisS.toFixed(0)} s (2 workers overlap, and on a busy machine they wait)` +
        `; load average ${load.map((x) => x.toFixed(1)).join(', ')}`,
    });

    // Epochs per network, per dataset: the stop rule sets them.
    const byData = new Map();
    for (const x of trained) {
      const key = x.config?.dataset ?? '?';
      if (!byData.has(key)) byData.set(key, []);
      byData.get(key).push(x);
    }
    for (const [dataset, xs] of [...byData].sort(([a], [b]) => a.localeCompare(b))) {
      const epochs = xs.map((x) => x.stoppedEpoch ?? x.epochsTrained ?? 0);
      const capped = xs.filter((x) => (x.trainAccuracy ?? 1) < (x.config?.training?.stopAtTrainAccuracy ?? 0)).length;
      log({
        workload: 'W9',
        case: `${label}: ${dataset}, epochs per network`,
        ours: median(epochs),
        oursText: `median ${median(epochs)}, max ${Math.max(...epochs)}`,
        status: 'INFO',
        note:
          `${xs.length} networks, ${sum(epochs)} epochs, training ${sum(xs.map((x) => x.trainSeconds ?? 0)).toFixed(1)} s` +
          ` (${((1000 * sum(xs.map((x) => x.trainSeconds ?? 0))) / Math.max(1, sum(epochs))).toFixed(1)} ms per epoch)` +
          (capped ? `; ${capped} stopped at the epoch cap below the accuracy stop` : ''),
      });
    }
  } finally {
    if (!keep) await rm(tmp, { recursive: true, force: true });
  }
}

// Stand-alone: node bench/w9-reproduce.js [--full-reproduction]
if (process.argv[1] && resolve(process.argv[1]) === self) {
  const at = process.argv.indexOf('--reproduction-out');
  await run({
    fullReproduction: process.argv.includes('--full-reproduction'),
    reproductionOut: at > 0 ? process.argv[at + 1] : undefined,
  });
}
