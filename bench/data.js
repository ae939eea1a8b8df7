/**
 * Benchmark data (docs/benchmarks.md): the Fashion-MNIST 5 vs 9 test split (2000 × 784, raw pixels as
 * float32) and a seeded 50-D Gaussian cloud (2000 × 50, float32). Each is written to bench/data/
 * as .npy (for the Python anchors) and .csv (for the R recipe) once, and reused while the files
 * exist.
 *
 *   const fm = await fashionMnistPair(ctx);   // { name, data, n, d, npy, csv }
 *   const ga = await gaussian(ctx);           // same shape of object
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

async function loadIdx(path) {
  const candidates = [path, path.replace(/\.gz$/, '')];
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    let buf = new Uint8Array(await readFile(p));
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = new Uint8Array(gunzipSync(buf));
    if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) throw new Error(`${p}: not an unsigned-byte IDX file`);
    const nd = buf[3];
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const dims = [];
    for (let i = 0; i < nd; i++) dims.push(dv.getUint32(4 + 4 * i, false));
    return { dims, data: buf.subarray(4 + 4 * nd) };
  }
  return null;
}

/** Writes `content` atomically (temporary file, then rename). */
async function writeAtomic(path, content) {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

function toCsv(data, n, d) {
  const lines = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Array(d);
    // Number → shortest decimal that round-trips, so R and numpy read exactly these float32 values.
    for (let j = 0; j < d; j++) row[j] = String(data[i * d + j]);
    lines[i] = row.join(',');
  }
  return lines.join('\n') + '\n';
}

/** Writes .npy and .csv of a float32 matrix unless both exist already. */
async function persist(ctx, name, data, n, d) {
  const npy = join(ctx.dataDir, `${name}.npy`);
  const csv = join(ctx.dataDir, `${name}.csv`);
  if (!existsSync(npy)) {
    const tmp = `${npy}.tmp-${process.pid}.npy`;
    await ctx.api.writeNpy(tmp, { data, n, d });
    await rename(tmp, npy);
  }
  if (!existsSync(csv)) await writeAtomic(csv, toCsv(data, n, d));
  return { name, data, n, d, npy, csv };
}

/**
 * Fashion-MNIST test images of classes a and b (default 5 = sandal, 9 = ankle boot), in file
 * order, raw pixel values 0..255 as float32: 2000 × 784.
 */
export async function fashionMnistPair(ctx, { classes = [5, 9] } = {}) {
  const [a, b] = classes;
  const name = `fmnist-${a}v${b}-test`;
  let data, n, d;
  if (typeof ctx.api.loadPair === 'function') {
    const pair = await ctx.api.loadPair({ dataset: 'fashion-mnist', classes: [a, b], download: false, scale: 'raw' });
    data = pair.xTest instanceof Float32Array ? pair.xTest : Float32Array.from(pair.xTest);
    n = pair.nTest;
    d = data.length / n;
  } else {
    const img = await loadIdx(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
    const lab = await loadIdx(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
    if (!img || !lab)
      throw new Error(`Fashion-MNIST not found in ${FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`);
    d = img.dims.slice(1).reduce((x, y) => x * y, 1);
    const idx = [];
    for (let i = 0; i < lab.data.length; i++) if (lab.data[i] === a || lab.data[i] === b) idx.push(i);
    n = idx.length;
    data = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const src = idx[r] * d;
      for (let j = 0; j < d; j++) data[r * d + j] = img.data[src + j];
    }
  }
  return persist(ctx, name, data, n, d);
}

/** xoshiro128** seeded by splitmix32; Box–Muller normals. Same seed, same points, everywhere. */
function makeRng(seed) {
  let x = seed >>> 0;
  const sm = () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let s0 = sm(), s1 = sm(), s2 = sm(), s3 = sm();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const next = () => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r;
  };
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992; // [0, 1), 53 bits
  let spare;
  const normal = () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

function rotl(x, k) {
  return (x << k) | (x >>> (32 - k));
}

/** Standard normal points (n × d, float32), deterministic for a given seed. */
export async function gaussian(ctx, { n = 2000, d = 50, seed = 1 } = {}) {
  const rng = makeRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return persist(ctx, `gauss-n${n}-d${d}-s${seed}`, data, n, d);
}

/** Both W1 point clouds, in report order. */
export async function geometryDatasets(ctx) {
  const fm = await fashionMnistPair(ctx);
  const ga = await gaussian(ctx);
  return [
    { ...fm, label: `fMNIST d=${fm.d}` },
    { ...ga, label: `Gauss d=${ga.d}` },
  ];
}
