// The trainer's vector kernels (native/core/mlp_kernels.h, docs/method.md §8c): the portable, AVX2 and
// AVX-512 variants give bit-identical weights and histories, at any thread count, for full-batch
// steps (sparse and dense first layers, padded widths of one, two and three column panels, a partial
// tile group, values as one-byte codes) and for mini-batches. Each variant runs in its own process (RICCIFLOW_TRAIN_KERNEL is
// read per call; the child reports which variant it actually got, and a CPU without AVX-512 checks
// the others).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const output = fileURLToPath(new URL('../../dist/cli/output.js', import.meta.url));

const script = `
  const api = await import(${JSON.stringify(index)});
  const { kernelInfo } = await import(${JSON.stringify(output)});
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  function data(n, d, zeros, pixels = false) {
    const make = (m) => {
      const x = new Float32Array(m * d), y = new Uint8Array(m);
      for (let i = 0; i < m; i++) {
        let t = 0;
        for (let j = 0; j < d; j++) {
          const v = rnd() < zeros ? 0 : pixels ? Math.round(rnd() * 255) / 255 : rnd() * 2 - 1;
          x[i * d + j] = v;
          t += Math.cos(j + 1) * v;
        }
        y[i] = t + 0.3 * (rnd() * 2 - 1) > 0 ? 1 : 0;
      }
      return { x, y };
    };
    const tr = make(n), te = make(100);
    return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y, d };
  }
  const full = { optimizer: 'adam', batchSize: 'full', init: 'pytorch', stopAtTrainAccuracy: 1, maxEpochs: 15, validationSplit: 0, activations: false, seeds: [3] };
  const out = [];
  const keep = (nets) => { for (const n of nets) out.push(Buffer.from(n.weights.data.buffer, n.weights.data.byteOffset, n.weights.data.byteLength).toString('base64'), JSON.stringify(n.history)); };
  const sparse = data(700, 40, 0.7), dense = data(700, 30, 0), ragged = data(600, 39, 0.75);
  const pixels = data(600, 50, 0.6, true); // values k/255: the sparse layer's one-byte codes
  for (const threads of [1, 2]) {
    keep(await api.trainNetworks(sparse, { ...full, widths: [25, 64, 20], threads }));
    keep(await api.trainNetworks(dense, { ...full, widths: [70, 25, 9], threads }));
    // 39 columns: the last 4-column tile group is partial; first-layer stride 48: a panel of two
    // AVX-512 vectors and one of one (three of one with 8-lane vectors).
    keep(await api.trainNetworks(ragged, { ...full, widths: [40, 9], threads }));
    keep(await api.trainNetworks(pixels, { ...full, widths: [25, 12], threads }));
  }
  keep(await api.trainNetworks(dense, { architecture: 'wide', depth: 2, epochs: 2, batchSize: 32, validationSplit: 0.2, activations: false, seeds: [1, 2], threads: 2 }));
  keep(await api.trainNetworks(sparse, { ...full, widths: [17, 17], batchSize: 50, seeds: [5], maxEpochs: 3 }));
  process.stdout.write(JSON.stringify({ kernel: (await kernelInfo()).training, out }));`;

function run(kernel: string): { kernel: string; out: string[] } {
  const env = { ...process.env, RICCIFLOW_TRAIN_KERNEL: kernel };
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString());
}

function cpuHas(flag: string): boolean {
  try {
    return new RegExp(`^flags\\s*:.*\\b${flag}\\b`, 'm').test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

describe('training kernels (docs/method.md §8c)', () => {
  it('portable, AVX2 and AVX-512 kernels train bit-identical networks, at 1 and 2 threads', () => {
    const results = ['portable', 'avx2', 'avx512'].map(run);
    expect(results[0]!.kernel).toBe('portable');
    if (process.arch === 'x64' && cpuHas('avx2') && cpuHas('fma')) expect(results[1]!.kernel).toBe('avx2');
    if (process.arch === 'x64' && cpuHas('avx512f')) expect(results[2]!.kernel).toBe('avx512');
    const ref = results[0]!.out;
    // 1 vs 2 threads (full batch: all threads inside each step), per kernel.
    for (const r of results) {
      for (const i of [0, 2, 4, 6]) expect(r.out[i]).toBe(r.out[i + 8]);
      expect(r.out).toEqual(ref);
    }
    expect(ref.length).toBe(22);
  }, 120_000);
});
