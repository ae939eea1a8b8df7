// The exact kNN's float Gram kernels (native/core/gram.h, docs/method.md §2): the AVX-512, AVX2 and
// Eigen products round differently, but every order that rounding could change is re-ranked by
// exact distances, so all three give the same lists as a brute-force double computation, at any
// thread count. Each variant runs in its own process (RICCIFLOW_KNN_KERNEL is read per call; the
// child reports which kernel it actually got, and a CPU without AVX-512 checks the others).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bruteKnn } from '../helpers/brute-knn.js';

const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const output = fileURLToPath(new URL('../../dist/cli/output.js', import.meta.url));

// Point clouds, made the same way in the child and here.
const makeCases = `
  let s = 987654321;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const cases = [];
  {
    // Symmetric Gram blocks with partial blocks and partial register tiles (n, d not multiples of
    // 120, 16, 8 or 3); near-duplicates (a 1e-4 nudge) whose float approximations overlap.
    const n = 263, d = 157, x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = rnd() * 2 - 1;
    for (const [a, b] of [[5, 200], [130, 131], [7, 262]])
      for (let t = 0; t < d; t++) x[b * d + t] = x[a * d + t] + (t === 3 ? 1e-4 : 0);
    cases.push({ label: 'floats, partial blocks, near-duplicates', data: x, n, d, k: 20 });
  }
  {
    // d > 1024: the kernels split the dimensions into chunks and add the partial products.
    const n = 250, d = 1100, x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = Math.round((rnd() - 0.5) * 1000) / 64;
    for (let t = 0; t < d; t++) x[249 * d + t] = x[17 * d + t];
    cases.push({ label: 'd = 1100 (dimension chunks), a duplicate', data: x, n, d, k: 12 });
  }
  {
    // Small integers: exact ties everywhere (the integer re-ranking path), float64 input.
    const n = 370, d = 200, x = new Float64Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = Math.floor(rnd() * rnd() * 8);
    cases.push({ label: 'integer pixels with ties (float64)', data: x, n, d, k: 40 });
  }
  {
    // Below d = 128 the streamed row-block path (Eigen for every kernel setting).
    const n = 300, d = 40, x = new Float32Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = rnd();
    cases.push({ label: 'low dimension (streamed blocks)', data: x, n, d, k: 25 });
  }
`;

const script = `
  const api = await import(${JSON.stringify(index)});
  const { kernelInfo } = await import(${JSON.stringify(output)});
  ${makeCases}
  const out = [];
  for (const c of cases)
    for (const threads of [1, 3]) out.push(Array.from(await api.knn({ data: c.data, n: c.n, d: c.d }, { k: c.k, threads })));
  process.stdout.write(JSON.stringify({ kernel: (await kernelInfo()).knn, out }));`;

function run(kernel: string): { kernel: string; out: number[][] } {
  const env = { ...process.env, RICCIFLOW_KNN_KERNEL: kernel };
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, maxBuffer: 1 << 26 }).toString());
}

function cpuHas(flag: string): boolean {
  try {
    return new RegExp(`^flags\\s*:.*\\b${flag}\\b`, 'm').test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}


describe('exact kNN Gram kernels (docs/method.md §2)', () => {
  it('AVX-512, AVX2 and Eigen products give the brute-force lists, at 1 and 3 threads', () => {
    const cases = new Function(`${makeCases}; return cases;`)() as Array<{
      label: string;
      data: Float32Array | Float64Array;
      n: number;
      d: number;
      k: number;
    }>;
    const expected = cases.map((c) => bruteKnn(c.data, c.n, c.d, c.k).flat());
    const results = ['eigen', 'avx2', 'avx512'].map(run);
    expect(results[0]!.kernel).toBe('eigen');
    if (process.arch === 'x64' && cpuHas('avx2') && cpuHas('fma')) expect(results[1]!.kernel).toBe('avx2');
    if (process.arch === 'x64' && cpuHas('avx512f')) expect(results[2]!.kernel).toBe('avx512');
    for (const r of results)
      cases.forEach((c, i) => {
        expect(r.out[2 * i], `${r.kernel}: ${c.label}, 1 thread`).toEqual(expected[i]);
        expect(r.out[2 * i + 1], `${r.kernel}: ${c.label}, 3 threads`).toEqual(expected[i]);
      });
  });
});
