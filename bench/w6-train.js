/**
 * W6 of docs/benchmarks.md: the seed paper's Fashion-MNIST network (5 vs 9, raw pixels,
 * 784 → 50×5 → 1 sigmoid, BCE, RMSprop(1e-3, ρ 0.9, ε 1e-7), batch 32, validation split 0.2:
 * 9,600 fitting rows), time per epoch, side by side in one run:
 *   - ours, native backend (the default), one network on one thread (as the anchor), and
 *     replicates on all threads (models per hour of the machine);
 *   - ours, tfjs backend (wasm, or whatever loadTf picks), one network;
 *   - PyTorch CPU, 1 thread: /usr/bin/python3 bench/anchors/torch_mlp.py 1 EPOCHS.
 * Target: native ≤ 1.5× PyTorch's time per epoch (ratio ≥ 0.67); aim: faster (ratio ≥ 1).
 * Note on fairness: our epochs include the Keras-style validation pass over the 2,400 held-out
 * rows (≈ 8 % of an epoch's arithmetic); the PyTorch anchor runs no validation.
 *
 * Runnable alone: `node bench/w6-train.js [--quick]` (needs `npm run build`; RICCIFLOW_ADDON may
 * point to another addon build).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');

async function importDist(rel) {
  return import(pathToFileURL(join(root, 'dist', rel)).href);
}

/** The training API and the Fashion-MNIST loader, from the public API or the dist modules. */
async function resolveApi(api) {
  const trainNetworks = api?.trainNetworks ?? (await importDist('train/index.js')).trainNetworks;
  const loadPair = api?.loadPair ?? (await importDist('data/mnist.js')).loadPair;
  return { trainNetworks, loadPair };
}

function runCmd(cmd, args, env) {
  return new Promise((res) => {
    const t0 = performance.now();
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 30 * 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 }),
    );
  });
}

const perHour = (msPerEpoch, epochs = 50, parallel = 1) => (3_600_000 / (msPerEpoch * epochs)) * parallel;
const fmtN = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '—');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function run(ctx) {
  const log = ctx.log ?? ((row) => console.log(JSON.stringify(row)));
  const quick = !!ctx.quick;
  const threads = ctx.threads ?? 2;
  const python = ctx.python ?? '/usr/bin/python3';
  const anchorsDir = ctx.anchorsDir ?? join(root, 'bench', 'anchors');
  const { trainNetworks, loadPair } = await resolveApi(ctx.api);

  const epochs = quick ? 3 : 5;
  const tfEpochs = quick ? 1 : 2;
  const data = await loadPair({ dataset: 'fashion-mnist', classes: [5, 9], scale: 'raw', download: false });
  console.log(`  data: Fashion-MNIST 5 vs 9 from ${data.source}: ${data.nTrain} train (9,600 fit + 2,400 validation), ${data.nTest} test, raw pixels`);
  const recipe = { architecture: 'wide', depth: 5, batchSize: 32, learningRate: 1e-3, validationSplit: 0.2 };

  // The per-epoch figure: median over the epochs of one run, timed epoch by epoch via onEpoch.
  async function timed(options) {
    const stamps = [];
    let last = performance.now();
    const nets = await trainNetworks(data, {
      ...options,
      onEpoch: (e) => {
        if (e.network === 0) {
          const now = performance.now();
          stamps.push(now - last);
          last = now;
        }
      },
    });
    // The first epoch carries set-up (tensor upload, warm caches): report the median of the rest.
    const steady = stamps.length > 1 ? stamps.slice(1) : stamps;
    return { nets, msPerEpoch: median(steady), stamps };
  }

  // --- ours, native, one network, one thread (what the anchor does) ---
  const native1 = await timed({ ...recipe, epochs: epochs + 1, seeds: [0], backend: 'native', threads: 1 });
  const acc1 = native1.nets[0].testAccuracy;
  // --- ours, native, one replicate per thread (the machine's throughput) ---
  const seedsN = Array.from({ length: threads }, (_, i) => i + 1);
  const nativeN = await timed({ ...recipe, epochs: epochs + 1, seeds: seedsN, backend: 'native', threads });

  // --- PyTorch anchor, same run ---
  const torchPy = join(anchorsDir, 'torch_mlp.py');
  let torch = null;
  let torchNote = '';
  const hasTorch = ctx.has ? ctx.has.torch : existsSync(python);
  if (!existsSync(torchPy)) torchNote = `anchor script missing (${torchPy})`;
  else if (!hasTorch || !existsSync(python)) torchNote = 'PyTorch not installed (apt-get install python3-torch)';
  else {
    const r = await runCmd(python, [torchPy, '1', String(epochs)], { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
    const m = /ms_per_epoch=([\d.]+) test_accuracy=([\d.]+)/.exec(r.stdout);
    if (m) torch = { ms: Number(m[1]), acc: Number(m[2]) };
    else torchNote = `torch_mlp.py failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-200)}`;
  }

  // --- ours, tfjs backend ---
  let tf = null;
  let tfNote = '';
  try {
    const t = await timed({ ...recipe, epochs: tfEpochs + 1, seeds: [0], backend: 'tfjs' });
    tf = { ms: t.msPerEpoch, backend: t.nets[0].backend, acc: t.nets[0].testAccuracy };
  } catch (e) {
    tfNote = `tfjs training failed: ${String(e?.message ?? e).slice(0, 200)}`;
  }

  const anchorName = `PyTorch CPU 1 thread (torch_mlp.py 1 ${epochs})`;
  const torchMs = torch ? torch.ms : null;
  log({
    workload: 'W6',
    case: 'native, 1 network, 1 thread: ms/epoch',
    ours: native1.msPerEpoch,
    anchor: anchorName,
    anchorMs: torchMs,
    target: 0.67, // ≤ 1.5× PyTorch's time per epoch
    aim: 1,
    note:
      (torch ? '' : `${torchNote}; `) +
      `${epochs} epochs timed after a warm-up epoch; our epochs include the validation pass, the anchor's do not; ` +
      `test accuracy after ${epochs + 1} epochs: ours ${acc1.toFixed(4)}` +
      (torch ? `, PyTorch ${torch.acc.toFixed(4)} after ${epochs}` : ''),
  });
  log({
    workload: 'W6',
    case: `native, ${threads} replicates on ${threads} threads: ms/epoch per network`,
    ours: nativeN.msPerEpoch / threads,
    anchor: anchorName,
    anchorMs: torchMs,
    status: 'INFO',
    note: `wall ${nativeN.msPerEpoch.toFixed(1)} ms per epoch for ${threads} networks at once`,
  });
  if (tf) {
    log({
      workload: 'W6',
      case: `${tf.backend}, 1 network: ms/epoch`,
      ours: tf.ms,
      anchor: anchorName,
      anchorMs: torchMs,
      status: 'INFO',
      note: `${tfEpochs} epoch(s) timed after a warm-up epoch; test accuracy ${tf.acc.toFixed(4)}`,
    });
  } else {
    log({ workload: 'W6', case: 'tfjs, 1 network: ms/epoch', status: 'ERROR', note: tfNote });
  }
  const mph = [
    `native ${fmtN(perHour(native1.msPerEpoch))} (1 thread)`,
    `${fmtN(perHour(nativeN.msPerEpoch, 50, threads))} (${threads} threads)`,
    tf ? `${tf.backend} ${fmtN(perHour(tf.ms))}` : null,
  ].filter(Boolean);
  log({
    workload: 'W6',
    case: 'models per hour (50 epochs each)',
    oursText: mph.join(', '),
    anchor: 'PyTorch, 1 thread',
    anchorText: torch ? fmtN(perHour(torch.ms)) : 'not installed',
    status: 'INFO',
  });
}

// Stand-alone: node bench/w6-train.js [--quick]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const api = await import(pathToFileURL(join(root, 'dist', 'index.js')).href).catch(() => null);
  await run({
    api,
    quick: process.argv.includes('--quick'),
    threads: 2,
    python: '/usr/bin/python3',
    anchorsDir: join(root, 'bench', 'anchors'),
    log: (row) => {
      const ratio = Number.isFinite(row.anchorMs) && row.ours > 0 ? ` ratio ${(row.anchorMs / row.ours).toFixed(2)}×` : '';
      const ours = row.oursText ?? (Number.isFinite(row.ours) ? `${row.ours.toFixed(1)} ms` : '—');
      const anchor = row.anchorText ?? (Number.isFinite(row.anchorMs) ? `${row.anchorMs.toFixed(0)} ms` : '—');
      console.log(`  [${row.workload}] ${row.case}: ours ${ours}; ${row.anchor ?? ''} ${anchor}${ratio}${row.note ? ` (${row.note})` : ''}`);
    },
  });
}
