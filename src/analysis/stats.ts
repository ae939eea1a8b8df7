/**
 * Small, dependency-light statistics used by the coefficient and accuracy-association
 * analyses (docs/method.md §5, §6) and by the plots: Pearson / Spearman correlation with two-sided
 * t-test p-values, the Fisher z-score, ordinary least squares with treatment-coded factors,
 * and five-number summaries.
 *
 * Everything here is pure and synchronous. Conventions:
 * - Inputs must be finite numbers; NaN / ±Infinity are rejected with {@link InvalidArgumentError}
 *   (no silent NA dropping — filter first and count what you excluded).
 * - Correlation quantities that are mathematically undefined for the given data (too few pairs,
 *   a constant variable) are reported as `null`, never NaN, so they survive JSON round trips.
 * - p-values come from the regularized incomplete beta function of `jstat`
 *   (p = I_{df/(df+t²)}(df/2, ½), which avoids the cancellation in `1 − cdf`); they agree with
 *   R's `pt` to roughly 1e-6 relative accuracy, ample for reporting.
 */
import { InvalidArgumentError } from '../core/errors.js';

import { assertFiniteArray, assertPaired, meanOf, isConstant } from './stats-base.js';
import { studentTTwoSidedP } from './stats-base.js';
export { studentTTwoSidedP } from './stats-base.js';

export * from './linear-model.js';

// ---------------------------------------------------------------------------------------------
// correlation

/**
 * Pearson product-moment correlation of paired samples.
 *
 * Returns `null` when it is undefined: fewer than 2 pairs, or either variable constant (zero
 * variance). The result is clamped to [−1, 1].
 * @throws InvalidArgumentError on unequal lengths or non-finite values.
 */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  assertPaired(x, y);
  const n = x.length;
  if (n < 2 || isConstant(x) || isConstant(y)) return null;
  const mx = meanOf(x);
  const my = meanOf(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  // one rounding in the denominator (exact ±1 for exactly proportional small-integer data);
  // split the square roots only if the product would overflow or underflow
  const prod = sxx * syy;
  const den = Number.isFinite(prod) && prod > 0 ? Math.sqrt(prod) : Math.sqrt(sxx) * Math.sqrt(syy);
  const r = sxy / den;
  return Math.max(-1, Math.min(1, r));
}

/**
 * Ranks 1..n; tied values get the average of the ranks they span (R's `rank`,
 * ties.method = "average").
 */
export function averageRanks(values: readonly number[]): number[] {
  assertFiniteArray(values, 'values');
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = avg;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman rank correlation: Pearson correlation of the average ranks (ties averaged).
 * `null` in the same cases as {@link pearson} (fewer than 2 pairs, a constant variable).
 */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  assertPaired(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Fisher z-score of a correlation from `m` pairs: `atanh(r) · sqrt(m − 3)` (docs/method.md §5).
 *
 * Returns `null` when it is undefined or not finite: `r` is `null`, `m ≤ 3`, or `|r| = 1`
 * (atanh(±1) = ±∞; a null keeps such networks out of downstream statistics instead of
 * poisoning them with infinities, and serializes to JSON unchanged).
 * @throws InvalidArgumentError if `r` is outside [−1, 1] or `m` is not a non-negative integer.
 */
export function fisherZ(r: number | null, m: number): number | null {
  if (!Number.isInteger(m) || m < 0) {
    throw new InvalidArgumentError(`m must be a non-negative integer, got ${m}`, 'm');
  }
  if (r === null) return null;
  if (typeof r !== 'number' || Number.isNaN(r) || r < -1 || r > 1) {
    throw new InvalidArgumentError(`r must be a correlation in [-1, 1], got ${String(r)}`, 'r');
  }
  if (m <= 3 || Math.abs(r) === 1) return null;
  return Math.atanh(r) * Math.sqrt(m - 3);
}

export type CorrelationMethod = 'pearson' | 'spearman';

export interface CorrelationTestResult {
  method: CorrelationMethod;
  /** Number of pairs. */
  n: number;
  /** Correlation coefficient (Pearson r or Spearman ρ); `null` if undefined (n < 2, constant). */
  r: number | null;
  /** t statistic r·sqrt(df / (1 − r²)); `null` if `r` is null or `df < 1`. ±Infinity if |r| = 1. */
  t: number | null;
  /** Degrees of freedom n − 2 (may be ≤ 0 for tiny samples, in which case `t`/`p` are null). */
  df: number;
  /** Two-sided p-value for H0: no association; `null` when `t` is null. 0 when |r| = 1. */
  p: number | null;
}

/**
 * Correlation test with a two-sided p-value from the t distribution with n − 2 degrees of
 * freedom. For Spearman this is the large-sample t approximation used by R's
 * `cor.test(method = "spearman", exact = FALSE)` and by `scipy.stats.spearmanr`.
 */
export function correlationTest(
  x: readonly number[],
  y: readonly number[],
  method: CorrelationMethod = 'pearson',
): CorrelationTestResult {
  if (method !== 'pearson' && method !== 'spearman') {
    throw new InvalidArgumentError(`method must be 'pearson' or 'spearman', got ${String(method)}`, 'method');
  }
  const r = method === 'pearson' ? pearson(x, y) : spearman(x, y);
  const n = x.length;
  const df = n - 2;
  if (r === null || df < 1) return { method, n, r, t: null, df, p: null };
  if (Math.abs(r) === 1) return { method, n, r, t: r * Infinity, df, p: 0 };
  const t = r * Math.sqrt(df / ((1 - r) * (1 + r)));
  return { method, n, r, t, df, p: studentTTwoSidedP(t, df) };
}

// ---------------------------------------------------------------------------------------------
// descriptive statistics

/**
 * Sample quantile of type 7 (R's default, numpy's "linear"): with sorted values x₁..xₙ and
 * h = (n − 1)·prob, interpolate between x_{⌊h⌋+1} and x_{⌊h⌋+2}.
 * @throws InvalidArgumentError on an empty sample, non-finite values or prob ∉ [0, 1].
 */
export function quantile(values: readonly number[], prob: number): number {
  assertFiniteArray(values, 'values');
  if (values.length === 0) throw new InvalidArgumentError('cannot take a quantile of an empty sample', 'values');
  return quantileSorted([...values].sort((a, b) => a - b), prob);
}

function quantileSorted(sorted: readonly number[], prob: number): number {
  if (typeof prob !== 'number' || !(prob >= 0 && prob <= 1)) {
    throw new InvalidArgumentError(`prob must be in [0, 1], got ${String(prob)}`, 'prob');
  }
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface Description {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 denominator); `null` when n < 2. */
  sd: number | null;
  min: number;
  /** First quartile, type 7. */
  q1: number;
  median: number;
  /** Third quartile, type 7. */
  q3: number;
  max: number;
}

/**
 * Summary statistics of a sample (for box plots and tables): mean, sample sd, min, type-7
 * quartiles, median, max.
 * @throws InvalidArgumentError on an empty sample or non-finite values.
 */
export function describe(values: readonly number[]): Description {
  assertFiniteArray(values, 'values');
  const n = values.length;
  if (n === 0) throw new InvalidArgumentError('cannot describe an empty sample', 'values');
  const sorted = [...values].sort((a, b) => a - b);
  const mean = meanOf(values);
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return {
    n,
    mean,
    sd: n >= 2 ? Math.sqrt(ss / (n - 1)) : null,
    min: sorted[0]!,
    q1: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    q3: quantileSorted(sorted, 0.75),
    max: sorted[n - 1]!,
  };
}
