// Cost of copying detachable inputs (README "Guarantees: buffers"): the synchronous part of
// knn() on W1's fMNIST points (2000 x 784 float32, 6.3 MB) given as a plain Float32Array (copied
// into native memory) and as a SharedArrayBuffer view (read in place), alternating, 31 calls each.
// Usage: node bench/input-copy.js
import { knn, loadPair } from '../dist/index.js';

const pair = await loadPair({ dataset: 'fashion-mnist', classes: [5, 9], scale: 'unit' });
const x = pair.test?.x ?? pair.xTest;
const n = 2000, d = 784;
const plain = Float32Array.from(x.subarray(0, n * d));
const shared = new Float32Array(new SharedArrayBuffer(n * d * 4));
shared.set(plain);
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const copied = [], inPlace = [];
for (let r = 0; r < 31; r++) {
  const order = r % 2 ? [[plain, copied], [shared, inPlace]] : [[shared, inPlace], [plain, copied]];
  for (const [arr, out] of order) {
    const t0 = process.hrtime.bigint();
    const p = knn({ data: arr, n, d }, { k: 30 });
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await p;
  }
}
console.log(
  `synchronous part of knn(), W1 fMNIST (6.3 MB): copied median ${median(copied).toFixed(2)} ms (min ${Math.min(...copied).toFixed(2)}), ` +
    `in place median ${median(inPlace).toFixed(2)} ms (min ${Math.min(...inPlace).toFixed(2)})`,
);
