/**
 * Synthetic binary-classification datasets (docs/method.md §7).
 *
 * Seed paper (3-D, Figure 1A): `A` double Swiss roll, `B` two ellipsoids in a cube, `C` sinusoidal
 * sheets crossing flat sheets. The paper does not publish its generation parameters; the ones here
 * are ours and are listed in {@link DATASET_DOCS}.
 * Follow-up: `syn1` concentric circles (2-D), `syn2` disc with four inner circles (2-D), `syn3`
 * concentric cylindrical shells (3-D), `syn4` two linked solid tori (3-D).
 *
 * Every generator is deterministic for a given seed. The training split is drawn first and the
 * test split after it from the same stream, so changing `nTest` never changes the training points.
 * Classes are balanced: `floor(n/2)` points of class 1, the rest class 0, in a shuffled order
 * (labels are interleaved, so a trailing validation split sees both classes).
 * The defaults keep the classes separable enough that a small dense ReLU network reaches test
 * accuracy above 0.95.
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng } from './rng.js';

/** A binary-classification dataset: row-major points, labels 0/1. */
export interface BinaryDataset {
  name: string;
  /** `nTrain × d`, row-major. */
  xTrain: Float32Array;
  /** `nTrain` labels, each 0 or 1. */
  yTrain: Uint8Array;
  /** `nTest × d`, row-major. */
  xTest: Float32Array;
  yTest: Uint8Array;
  nTrain: number;
  nTest: number;
  d: number;
}

export interface SyntheticOptions {
  /** Number of training points (default 2000). */
  nTrain?: number;
  /** Number of test points (default 1000). */
  nTest?: number;
  /** Noise level; its meaning and default depend on the dataset (see {@link DATASET_DOCS}). */
  noise?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
}

export type SyntheticName = 'A' | 'B' | 'C' | 'syn1' | 'syn2' | 'syn3' | 'syn4';

export const SYNTHETIC_NAMES: readonly SyntheticName[] = ['A', 'B', 'C', 'syn1', 'syn2', 'syn3', 'syn4'];

export const DEFAULT_N_TRAIN = 2000;
export const DEFAULT_N_TEST = 1000;
export const DEFAULT_SEED = 0;

/** Default `noise` of each dataset. */
export const DEFAULT_NOISE: Readonly<Record<SyntheticName, number>> = {
  A: 0.02,
  B: 0.02,
  C: 0.01,
  syn1: 0.05,
  syn2: 0,
  syn3: 0.1,
  syn4: 0,
};

/** Parameters of each dataset, in words (name → description). */
export const DATASET_DOCS: Readonly<Record<SyntheticName, string>> = {
  A:
    'Seed paper A, 3-D double Swiss roll. t ~ U[1.5π, 4.5π]; class 0 at (t·cos t, t·sin t)/(4.5π), ' +
    'class 1 the same sheet turned by π, (−t·cos t, −t·sin t)/(4.5π), so the two spiral sheets ' +
    'interleave with a radial gap of π/(4.5π) ≈ 0.22; third axis z ~ U[−1, 1]. noise = s.d. of ' +
    'Gaussian jitter added to every coordinate (default 0.02). Range ≈ [−1, 1]^3.',
  B:
    'Seed paper B, 3-D. Class 0 uniform in the cube [−1, 1]^3 outside both ellipsoids enlarged ' +
    'by 15% (a thin empty margin); class 1 uniform inside one of two disjoint ellipsoids (picked ' +
    'with equal probability): centre (−0.45, −0.3, −0.2), semi-axes (0.4, 0.3, 0.5), and centre ' +
    '(0.45, 0.35, 0.25), semi-axes (0.35, 0.5, 0.4). noise = s.d. of Gaussian jitter on every ' +
    'coordinate (default 0.02).',
  C:
    'Seed paper C, 3-D. x, y ~ U[−1, 1]; sheet k ∈ {0, 1} at height h_k = −0.5 + k picked with ' +
    'equal probability. Class 0: flat sheets z = h_k. Class 1: sinusoidal sheets ' +
    'z = h_k + 0.4·(−1)^k·sin(πx), each crossing its flat sheet along x = −1, 0, 1. ' +
    'noise = s.d. of Gaussian jitter on every coordinate (default 0.01).',
  syn1:
    'Follow-up Syn-I, 2-D concentric circles: class 0 on the circle r = 1, class 1 on r = 0.5, ' +
    'angle ~ U[0, 2π). noise = s.d. of Gaussian jitter on x and y (default 0.05).',
  syn2:
    'Follow-up Syn-II, 2-D. Class 1 uniform inside four circles of radius 0.2 centred at ' +
    '(0, ±0.5) and (±0.5, 0) (one picked with equal probability); class 0 uniform in the rest of ' +
    'the unit disc. noise = s.d. of Gaussian jitter on x and y (default 0: sharp boundary).',
  syn3:
    'Follow-up Syn-III, 3-D concentric cylindrical shells around the z axis: class 0 at radius ' +
    '1 + U[−noise, noise], class 1 at 0.8 + U[−noise, noise], angle ~ U[0, 2π), height z ~ U[0, 1]. ' +
    'noise = half-width of the uniform radial noise (default 0.1, as in the follow-up: the shells ' +
    'touch at r = 0.9 but do not overlap; larger values make them overlap).',
  syn4:
    'Follow-up Syn-IV, 3-D two linked solid tori, major radius R = 2, tube radius ≤ 1, uniform ' +
    'in volume. Class 0: core circle in the xy-plane centred at the origin; class 1: core circle ' +
    'in the xz-plane centred at (2, 0, 0), passing through the hole of the first. The two core ' +
    'circles are 2 apart at their closest, so the tori touch but do not overlap. noise = s.d. of ' +
    'Gaussian jitter on every coordinate (default 0). Range x ∈ [−3, 5], y, z ∈ [−3, 3].',
};

const DIMS: Readonly<Record<SyntheticName, number>> = { A: 3, B: 3, C: 3, syn1: 2, syn2: 2, syn3: 3, syn4: 3 };

/** Writes one point of class `cls` into `out` (length d). */
type Sampler = (rng: Rng, cls: 0 | 1, noise: number, out: Float64Array) => void;

function jitter(rng: Rng, noise: number, out: Float64Array): void {
  if (noise > 0) for (let j = 0; j < out.length; j++) out[j]! += rng.normal(0, noise);
}

const TWO_PI = 2 * Math.PI;

// --- A: double Swiss roll ---------------------------------------------------------------------
const sampleA: Sampler = (rng, cls, noise, out) => {
  const T = 4.5 * Math.PI;
  const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
  const sign = cls === 0 ? 1 : -1;
  out[0] = (sign * t * Math.cos(t)) / T;
  out[1] = (sign * t * Math.sin(t)) / T;
  out[2] = rng.uniform(-1, 1);
  jitter(rng, noise, out);
};

// --- B: two ellipsoids in a cube --------------------------------------------------------------
const ELLIPSOIDS = [
  { c: [-0.45, -0.3, -0.2], a: [0.4, 0.3, 0.5] },
  { c: [0.45, 0.35, 0.25], a: [0.35, 0.5, 0.4] },
] as const;
const B_MARGIN = 1.15;

/** Squared normalised distance of `p` from ellipsoid `e`'s centre (≤ 1 inside). */
function ellipsoidQ(e: (typeof ELLIPSOIDS)[number], p: Float64Array): number {
  let q = 0;
  for (let j = 0; j < 3; j++) {
    const u = (p[j]! - e.c[j]!) / e.a[j]!;
    q += u * u;
  }
  return q;
}

const sampleB: Sampler = (rng, cls, noise, out) => {
  if (cls === 1) {
    const e = ELLIPSOIDS[rng.int(2)]!;
    let x: number, y: number, z: number;
    do {
      x = rng.uniform(-1, 1);
      y = rng.uniform(-1, 1);
      z = rng.uniform(-1, 1);
    } while (x * x + y * y + z * z > 1);
    out[0] = e.c[0] + e.a[0] * x;
    out[1] = e.c[1] + e.a[1] * y;
    out[2] = e.c[2] + e.a[2] * z;
  } else {
    const m2 = B_MARGIN * B_MARGIN;
    do {
      out[0] = rng.uniform(-1, 1);
      out[1] = rng.uniform(-1, 1);
      out[2] = rng.uniform(-1, 1);
    } while (ellipsoidQ(ELLIPSOIDS[0], out) <= m2 || ellipsoidQ(ELLIPSOIDS[1], out) <= m2);
  }
  jitter(rng, noise, out);
};

// --- C: sinusoidal sheets crossing flat sheets ------------------------------------------------
const sampleC: Sampler = (rng, cls, noise, out) => {
  const k = rng.int(2);
  const h = -0.5 + k;
  const x = rng.uniform(-1, 1);
  const y = rng.uniform(-1, 1);
  out[0] = x;
  out[1] = y;
  out[2] = cls === 0 ? h : h + 0.4 * (k === 0 ? 1 : -1) * Math.sin(Math.PI * x);
  jitter(rng, noise, out);
};

// --- Syn-I: concentric circles ----------------------------------------------------------------
const sampleSyn1: Sampler = (rng, cls, noise, out) => {
  const r = cls === 0 ? 1 : 0.5;
  const th = rng.uniform(0, TWO_PI);
  out[0] = r * Math.cos(th);
  out[1] = r * Math.sin(th);
  jitter(rng, noise, out);
};

// --- Syn-II: disc with four inner circles -----------------------------------------------------
const SYN2_CENTRES = [
  [0, 0.5],
  [0, -0.5],
  [0.5, 0],
  [-0.5, 0],
] as const;
const SYN2_R = 0.2;

const sampleSyn2: Sampler = (rng, cls, noise, out) => {
  if (cls === 1) {
    const c = SYN2_CENTRES[rng.int(4)]!;
    const r = SYN2_R * Math.sqrt(rng.uniform());
    const th = rng.uniform(0, TWO_PI);
    out[0] = c[0] + r * Math.cos(th);
    out[1] = c[1] + r * Math.sin(th);
  } else {
    for (;;) {
      const x = rng.uniform(-1, 1);
      const y = rng.uniform(-1, 1);
      if (x * x + y * y > 1) continue;
      let inside = false;
      for (const c of SYN2_CENTRES) {
        const dx = x - c[0];
        const dy = y - c[1];
        if (dx * dx + dy * dy <= SYN2_R * SYN2_R) {
          inside = true;
          break;
        }
      }
      if (inside) continue;
      out[0] = x;
      out[1] = y;
      break;
    }
  }
  jitter(rng, noise, out);
};

// --- Syn-III: concentric cylindrical shells ---------------------------------------------------
const sampleSyn3: Sampler = (rng, cls, noise, out) => {
  const r = (cls === 0 ? 1 : 0.8) + (noise > 0 ? rng.uniform(-noise, noise) : 0);
  const th = rng.uniform(0, TWO_PI);
  out[0] = r * Math.cos(th);
  out[1] = r * Math.sin(th);
  out[2] = rng.uniform();
};

// --- Syn-IV: two linked solid tori ------------------------------------------------------------
const TORUS_R = 2;
const TORUS_r = 1;

const sampleSyn4: Sampler = (rng, cls, noise, out) => {
  // Uniform in volume: tube radius ρ = r·sqrt(u); the volume element grows with the distance
  // R + ρ·cos α from the axis, so accept with probability (R + ρ·cos α)/(R + r).
  let rho: number, alpha: number, w: number;
  do {
    rho = TORUS_r * Math.sqrt(rng.uniform());
    alpha = rng.uniform(0, TWO_PI);
    w = TORUS_R + rho * Math.cos(alpha);
  } while (rng.uniform() * (TORUS_R + TORUS_r) > w);
  const phi = rng.uniform(0, TWO_PI);
  const h = rho * Math.sin(alpha);
  if (cls === 0) {
    out[0] = w * Math.cos(phi);
    out[1] = w * Math.sin(phi);
    out[2] = h;
  } else {
    out[0] = TORUS_R + w * Math.cos(phi);
    out[1] = h;
    out[2] = w * Math.sin(phi);
  }
  jitter(rng, noise, out);
};

const SAMPLERS: Readonly<Record<SyntheticName, Sampler>> = {
  A: sampleA,
  B: sampleB,
  C: sampleC,
  syn1: sampleSyn1,
  syn2: sampleSyn2,
  syn3: sampleSyn3,
  syn4: sampleSyn4,
};

function checkCount(v: number, arg: string): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new InvalidArgumentError(`${arg} must be a non-negative integer, got ${v}`, arg);
  }
}

/** Draw `n` balanced, shuffled points of dataset `name`. */
function drawSplit(rng: Rng, n: number, d: number, sample: Sampler, noise: number) {
  const y = new Uint8Array(n);
  y.fill(1, n - Math.floor(n / 2)); // floor(n/2) ones, the rest zeros
  rng.shuffle(y);
  const x = new Float32Array(n * d);
  const p = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    sample(rng, y[i] as 0 | 1, noise, p);
    x.set(p, i * d);
  }
  return { x, y };
}

/**
 * Generate one synthetic dataset.
 *
 * @param name one of {@link SYNTHETIC_NAMES}; parameters in {@link DATASET_DOCS}.
 * @param opts `nTrain` (default 2000), `nTest` (default 1000), `noise` (default per dataset,
 *   {@link DEFAULT_NOISE}), `seed` (default 0).
 * @throws InvalidArgumentError for an unknown name (the message lists the valid ones) or a bad option.
 */
export function syntheticDataset(name: string, opts: SyntheticOptions = {}): BinaryDataset {
  if (!(SYNTHETIC_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(
      `unknown synthetic dataset ${JSON.stringify(name)}; valid names: ${SYNTHETIC_NAMES.join(', ')}`,
      'name',
    );
  }
  const key = name as SyntheticName;
  const nTrain = opts.nTrain ?? DEFAULT_N_TRAIN;
  const nTest = opts.nTest ?? DEFAULT_N_TEST;
  const noise = opts.noise ?? DEFAULT_NOISE[key];
  const seed = opts.seed ?? DEFAULT_SEED;
  checkCount(nTrain, 'nTrain');
  checkCount(nTest, 'nTest');
  if (!Number.isFinite(noise) || noise < 0) {
    throw new InvalidArgumentError(`noise must be a finite number ≥ 0, got ${noise}`, 'noise');
  }
  const rng = new Rng(seed);
  const d = DIMS[key];
  const train = drawSplit(rng, nTrain, d, SAMPLERS[key], noise);
  const test = drawSplit(rng, nTest, d, SAMPLERS[key], noise);
  return { name: key, xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y, nTrain, nTest, d };
}

/** Seed paper A: double Swiss roll (3-D). See {@link DATASET_DOCS}. */
export const datasetA = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('A', opts);
/** Seed paper B: two ellipsoids (class 1) in a filled cube (class 0) (3-D). */
export const datasetB = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('B', opts);
/** Seed paper C: sinusoidal sheets (class 1) crossing flat sheets (class 0) (3-D). */
export const datasetC = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('C', opts);
/** Follow-up Syn-I: concentric circles r = 1 (class 0), r = 0.5 (class 1) (2-D). */
export const synI = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn1', opts);
/** Follow-up Syn-II: four circles of radius 0.2 (class 1) in the unit disc (class 0) (2-D). */
export const synII = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn2', opts);
/** Follow-up Syn-III: cylindrical shells r = 1 (class 0) and r = 0.8 (class 1) (3-D). */
export const synIII = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn3', opts);
/** Follow-up Syn-IV: two linked solid tori, R = 2, r ≤ 1 (3-D). */
export const synIV = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn4', opts);
