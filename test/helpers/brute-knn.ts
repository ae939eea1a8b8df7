/**
 * The kNN lists by brute force, for checking the engine's exact kNN: squared distances summed in
 * double precision over the coordinates in order, each row ordered by (distance, index), self
 * excluded (docs/method.md §2). Row i of the result holds point i's k neighbours.
 */
export function bruteKnn(data: Float32Array | Float64Array, n: number, d: number, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const order: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const x = data[i * d + t]! - data[j * d + t]!;
        s += x * x;
      }
      order.push([s, j]);
    }
    order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(order.slice(0, k).map((p) => p[1]));
  }
  return out;
}
