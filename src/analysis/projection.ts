/**
 * Small linear algebra for the 3-D views of the report's figure 6 (computed with the records:
 * src/study/projection.ts): principal components of a layer's activations
 * (covariance eigendecomposition by cyclic Jacobi rotations: exact for the symmetric d × d
 * covariance, d ≤ a few hundred here) and a fixed oblique projection of 3-D points to the page.
 */

export interface Pca {
  /** Column means (length d). */
  mean: Float64Array;
  /** Eigenvalues of the covariance, descending. */
  values: number[];
  /** Unit eigenvectors, same order as `values` (each of length d). */
  vectors: Float64Array[];
  /** Share of the total variance of each component (0 when the total is 0). */
  explained: number[];
}

/** Eigen-decomposition of a symmetric matrix (row-major n × n) by cyclic Jacobi rotations. */
export function symmetricEigen(a: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) {
      diag += A[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off += A[i * n + j]! ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300) || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        const app = A[p * n + p]!, aqq = A[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!, akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!, aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!, vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j]! - A[i * n + i]!);
  const values = order.map((i) => A[i * n + i]!);
  const vectors = order.map((i) => {
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) v[k] = V[k * n + i]!;
    // Deterministic sign: the largest-magnitude entry is positive.
    let big = 0;
    for (let k = 1; k < n; k++) if (Math.abs(v[k]!) > Math.abs(v[big]!)) big = k;
    if (v[big]! < 0) for (let k = 0; k < n; k++) v[k] = -v[k]!;
    return v;
  });
  return { values, vectors };
}

/** Principal components of `n × d` row-major data. */
export function pca(data: ArrayLike<number>, n: number, d: number): Pca {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(n, 1);
  const C = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j]! - mean[j]!;
    for (let j = 0; j < d; j++) {
      const rj = row[j]!;
      if (rj === 0) continue;
      for (let k = j; k < d; k++) C[j * d + k]! += rj * row[k]!;
    }
  }
  const denom = Math.max(n - 1, 1);
  for (let j = 0; j < d; j++)
    for (let k = j; k < d; k++) {
      const v = C[j * d + k]! / denom;
      C[j * d + k] = v;
      C[k * d + j] = v;
    }
  const { values, vectors } = symmetricEigen(C, d);
  const clipped = values.map((v) => Math.max(v, 0));
  const total = clipped.reduce((s, v) => s + v, 0);
  return { mean, values: clipped, vectors, explained: clipped.map((v) => (total > 0 ? v / total : 0)) };
}

/**
 * Coordinates of the rows of `data` in 3 dimensions: the data itself when d = 3 (centred), its
 * first three principal components otherwise (zero-padded when d < 3).
 */
export function to3d(data: ArrayLike<number>, n: number, d: number): { points: Float64Array; explained: number[] | null } {
  const out = new Float64Array(n * 3);
  if (d === 3) {
    const m = [0, 0, 0];
    for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) m[j]! += data[i * 3 + j]! / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = data[i * 3 + j]! - m[j]!;
    return { points: out, explained: null };
  }
  const p = pca(data, n, d);
  const m = Math.min(3, d);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < m; c++) {
      const v = p.vectors[c]!;
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j]! - p.mean[j]!) * v[j]!;
      out[i * 3 + c] = s;
    }
  return { points: out, explained: p.explained.slice(0, 3) };
}

/** Fixed view of the oblique projection (degrees). */
export const VIEW = { azimuth: 35, elevation: 40 } as const;

/**
 * Oblique (orthographic, rotated) projection of 3-D points to the page: rotate by `azimuth` about
 * the third axis and tilt by `elevation`, keep the horizontal and vertical screen coordinates and
 * the depth (larger = nearer the viewer). Coordinates are scaled by one common factor so that the
 * cloud fits in [−1, 1] (shape preserved: no per-axis rescaling).
 */
export function obliqueProject(
  points: ArrayLike<number>,
  n: number,
  view: { azimuth: number; elevation: number } = VIEW,
): { x: Float64Array; y: Float64Array; depth: Float64Array; scale: number } {
  let maxAbs = 0;
  for (let i = 0; i < n * 3; i++) maxAbs = Math.max(maxAbs, Math.abs(points[i]!));
  const scale = maxAbs > 0 ? 1 / maxAbs : 1;
  const x = new Float64Array(n), y = new Float64Array(n), depth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = rotate(points[i * 3]! * scale, points[i * 3 + 1]! * scale, points[i * 3 + 2]! * scale, view);
    x[i] = p[0];
    y[i] = p[1];
    depth[i] = p[2];
  }
  return { x, y, depth, scale };
}

/** Screen coordinates (x right, y up, depth towards the viewer) of one 3-D point. */
export function rotate(px: number, py: number, pz: number, view: { azimuth: number; elevation: number } = VIEW): [number, number, number] {
  const az = (view.azimuth * Math.PI) / 180, el = (view.elevation * Math.PI) / 180;
  // Rotation about the vertical (third) axis.
  const x1 = px * Math.cos(az) - py * Math.sin(az);
  const y1 = px * Math.sin(az) + py * Math.cos(az);
  // Tilt: the viewer looks down at the horizontal plane from `elevation` above it.
  const screenY = pz * Math.cos(el) + y1 * Math.sin(el);
  const depth = -y1 * Math.cos(el) + pz * Math.sin(el);
  return [x1, screenY, depth];
}
