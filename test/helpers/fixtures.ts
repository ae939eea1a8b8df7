import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reference fixtures, tracked in the repository (test/fixtures/reference/README.md). */
export const referenceDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/reference');

export interface PointFixture {
  points: number[][];
  k: number;
  mode: 'union' | 'mutual';
  knn: number[][];
  edges: [number, number][];
  connected: boolean;
  geodesic_sum: number | null;
  forman: number[];
  augmented: number[];
  approx_ollivier: number[];
  'ollivier_alpha_0.0'?: number[];
  'ollivier_alpha_0.5'?: number[];
  forman_node_mean: (number | null)[];
}

export const POINT_FIXTURES = ['blobs-120-union', 'blobs-120-mutual', 'ties-50', 'two-islands-60'] as const;

export function loadFixture<T = PointFixture>(name: string): T {
  return JSON.parse(readFileSync(resolve(referenceDir, `${name}.json`), 'utf8')) as T;
}

export function toF64(rows: number[][]): { data: Float64Array; n: number; d: number } {
  const n = rows.length, d = rows[0]!.length;
  const data = new Float64Array(n * d);
  rows.forEach((r, i) => r.forEach((v, j) => (data[i * d + j] = v)));
  return { data, n, d };
}
