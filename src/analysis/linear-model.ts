/**
 * Ordinary least squares (Householder QR, R-style rank-deficiency detection) and model matrices
 * with treatment-coded factors, for the accuracy-association analysis (docs/method.md §6).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { assertFiniteArray, meanOf } from './stats-base.js';
import { studentTTwoSidedP } from './stats-base.js';

// ---------------------------------------------------------------------------------------------
// linear model

/** A design matrix stored by columns; `columns[j][i]` is observation `i` of term `names[j]`. */
export interface DesignMatrix {
  names: string[];
  columns: number[][];
}

export interface LinearModelOptions {
  /** Prepend an intercept column named `(Intercept)`. Default `true`. */
  intercept?: boolean;
}

export interface LinearModelCoefficient {
  name: string;
  estimate: number;
  /** Standard error. */
  se: number;
  /** estimate / se (NaN for 0/0 in an exact fit). */
  t: number;
  /** Two-sided p-value, t distribution with the residual degrees of freedom. */
  p: number;
}

export interface LinearModelResult {
  /** Number of observations. */
  n: number;
  /** Number of estimated coefficients (including the intercept if any). */
  rank: number;
  /** Residual degrees of freedom n − rank (≥ 1). */
  df: number;
  intercept: boolean;
  /** In design order, `(Intercept)` first when present. */
  coefficients: LinearModelCoefficient[];
  /**
   * Coefficient of determination as R's `summary.lm`: 1 − RSS/TSS with TSS centred on the mean
   * when there is an intercept, uncentred otherwise (NaN if TSS = 0).
   */
  rSquared: number;
  adjRSquared: number;
  /** Residual standard error sqrt(RSS / df). */
  sigma: number;
  /** Residual sum of squares. */
  rss: number;
  fitted: number[];
  residuals: number[];
}

/** Same tolerance as R's `lm` (dqrdc2, tol = 1e-7), relative to each column's original norm. */
const RANK_TOLERANCE = 1e-7;

/**
 * Thrown when the columns of a design matrix are (numerically) linearly dependent, e.g. two
 * factors that always vary together (every network of dataset A is an MLP) or a factor level
 * that coincides with a numeric column. The model cannot separate those effects.
 */
export class RankDeficientDesignError extends InvalidArgumentError {
  /** The first column found to be a linear combination of the columns before it. */
  readonly column: string;
  /** The columns preceding it (candidates for the dependency). */
  readonly precedingColumns: string[];
  constructor(column: string, precedingColumns: string[], relativeNorm: number) {
    const before = precedingColumns.length > 0 ? precedingColumns.join(', ') : '(none)';
    super(
      `rank-deficient design: column '${column}' is (numerically) a linear combination of the ` +
        `preceding columns [${before}] (residual norm ratio ${relativeNorm.toExponential(2)} ≤ ` +
        `${RANK_TOLERANCE}); these effects cannot be estimated separately — drop or merge a term, ` +
        `or add observations that break the confounding`,
      'design',
    );
    this.name = 'RankDeficientDesignError';
    this.column = column;
    this.precedingColumns = precedingColumns;
  }
}

interface QrFactorization {
  /** Upper-triangular R (p × p), row-major: r[i][j] for j ≥ i. */
  r: number[][];
  /** Qᵀy (length n). */
  qty: number[];
}

/**
 * Householder QR of the n × p matrix given by columns (no pivoting), applied to y as well.
 * Throws {@link RankDeficientDesignError} when a column's remaining norm after removing the
 * span of the earlier columns is ≤ RANK_TOLERANCE × its original norm.
 */
function householderQr(columns: readonly (readonly number[])[], names: readonly string[], y: readonly number[]): QrFactorization {
  const p = columns.length;
  const n = y.length;
  const a = columns.map((c) => c.slice());
  const qty = y.slice();
  const r: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const v = new Array<number>(n).fill(0);

  for (let j = 0; j < p; j++) {
    const col = a[j]!;
    let orig = 0;
    for (let i = 0; i < n; i++) orig = Math.hypot(orig, columns[j]![i]!);
    let norm = 0;
    for (let i = j; i < n; i++) norm = Math.hypot(norm, col[i]!);
    if (orig === 0 || norm <= RANK_TOLERANCE * orig) {
      throw new RankDeficientDesignError(names[j]!, names.slice(0, j), orig === 0 ? 0 : norm / orig);
    }
    const alpha = col[j]! > 0 ? -norm : norm;
    // v = x − alpha·e1 (restricted to rows j..n−1)
    let vv = 0;
    for (let i = j; i < n; i++) {
      v[i] = col[i]! - (i === j ? alpha : 0);
      vv += v[i]! * v[i]!;
    }
    const apply = (target: number[]): void => {
      let s = 0;
      for (let i = j; i < n; i++) s += v[i]! * target[i]!;
      const f = (2 * s) / vv;
      for (let i = j; i < n; i++) target[i] = target[i]! - f * v[i]!;
    };
    for (let k = j + 1; k < p; k++) apply(a[k]!);
    apply(qty);
    r[j]![j] = alpha;
    for (let k = j + 1; k < p; k++) r[j]![k] = a[k]![j]!;
  }
  return { r, qty };
}

/**
 * Ordinary least squares `y ~ [1 +] design`, solved by Householder QR (numerically stable; no
 * normal equations). Standard errors from σ²(XᵀX)⁻¹ = σ² R⁻¹R⁻ᵀ, two-sided p-values from the t
 * distribution with n − rank degrees of freedom — the numbers of R's `summary(lm(...))`.
 *
 * @throws RankDeficientDesignError if the design (with intercept) is rank-deficient.
 * @throws InvalidArgumentError on non-finite data, mismatched lengths, duplicate or reserved
 *   names, or fewer observations than coefficients + 1 (no residual degrees of freedom).
 */
export function linearModel(
  y: readonly number[],
  design: DesignMatrix,
  options: LinearModelOptions = {},
): LinearModelResult {
  const intercept = options.intercept ?? true;
  assertFiniteArray(y, 'y');
  const n = y.length;
  if (!design || !Array.isArray(design.names) || !Array.isArray(design.columns)) {
    throw new InvalidArgumentError('design must be { names: string[], columns: number[][] }', 'design');
  }
  if (design.names.length !== design.columns.length) {
    throw new InvalidArgumentError(
      `design has ${design.names.length} names but ${design.columns.length} columns`,
      'design',
    );
  }
  const names: string[] = [];
  const columns: number[][] = [];
  if (intercept) {
    names.push('(Intercept)');
    columns.push(new Array<number>(n).fill(1));
  }
  design.columns.forEach((c, j) => {
    const name = design.names[j]!;
    assertFiniteArray(c, `design column '${name}'`);
    if (c.length !== n) {
      throw new InvalidArgumentError(
        `design column '${name}' has ${c.length} values but y has ${n}`,
        'design',
      );
    }
    if (names.includes(name)) {
      throw new InvalidArgumentError(`duplicate design column name '${name}'`, 'design');
    }
    names.push(name);
    columns.push(c.slice());
  });
  const p = columns.length;
  if (p === 0) {
    throw new InvalidArgumentError('model has no terms (no design columns and no intercept)', 'design');
  }
  const df = n - p;
  if (df < 1) {
    throw new InvalidArgumentError(
      `linear model needs more observations than coefficients: n = ${n}, coefficients = ${p}`,
      'y',
    );
  }

  const { r, qty } = householderQr(columns, names, y);

  // back substitution R β = (Qᵀy)[0..p)
  const beta = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = qty[i]!;
    for (let k = i + 1; k < p; k++) s -= r[i]![k]! * beta[k]!;
    beta[i] = s / r[i]![i]!;
  }
  // R⁻¹ (upper triangular), column by column
  const rinv: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    rinv[j]![j] = 1 / r[j]![j]!;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r[i]![k]! * rinv[k]![j]!;
      rinv[i]![j] = -s / r[i]![i]!;
    }
  }

  const fitted = new Array<number>(n).fill(0);
  for (let j = 0; j < p; j++) {
    const c = columns[j]!;
    const b = beta[j]!;
    for (let i = 0; i < n; i++) fitted[i] = fitted[i]! + b * c[i]!;
  }
  const residuals = y.map((v, i) => v - fitted[i]!);
  let rss = 0;
  for (const e of residuals) rss += e * e;
  const sigma = Math.sqrt(rss / df);

  const coefficients: LinearModelCoefficient[] = names.map((name, j) => {
    let s = 0;
    for (let k = j; k < p; k++) s += rinv[j]![k]! ** 2;
    const se = sigma * Math.sqrt(s);
    const estimate = beta[j]!;
    const t = estimate / se;
    const pv = Number.isNaN(t) ? NaN : studentTTwoSidedP(t, df);
    return { name, estimate, se, t, p: pv };
  });

  let tss = 0;
  if (intercept) {
    const my = meanOf(y);
    for (const v of y) tss += (v - my) ** 2;
  } else {
    for (const v of y) tss += v * v;
  }
  const rSquared = tss > 0 ? 1 - rss / tss : NaN;
  const dfTotal = intercept ? n - 1 : n;
  const adjRSquared = 1 - (1 - rSquared) * (dfTotal / df);

  return { n, rank: p, df, intercept, coefficients, rSquared, adjRSquared, sigma, rss, fitted, residuals };
}

// ---------------------------------------------------------------------------------------------
// model matrix with treatment-coded factors

export interface ModelMatrixSpec {
  /** Numeric predictors, entered as-is (values must be finite numbers). */
  numeric?: string[];
  /** Categorical predictors, treatment (dummy) coded. Values: strings, finite numbers or booleans. */
  factors?: string[];
  /**
   * Whether the model will have an intercept (default `true`, as {@link linearModel}). With an
   * intercept every factor drops its baseline level; without one the first factor keeps all
   * its levels (R's behaviour for `y ~ 0 + f + ...`). Also used for the rank check.
   */
  intercept?: boolean;
}

export interface ModelMatrix extends DesignMatrix {
  /** Observed levels of each factor, in coding order (baseline first). */
  levels: Record<string, string[]>;
  /** Baseline (reference) level of each factor; absent for a factor coded with all levels. */
  baselines: Record<string, string>;
}

/** Column name of the dummy for `level` of `factor`. */
export function dummyName(factor: string, level: string): string {
  return `${factor}=${level}`;
}

/**
 * Builds a design matrix from records, like R's `model.matrix` with treatment contrasts:
 * numeric columns first (in `spec.numeric` order), then for each factor (in `spec.factors`
 * order) one 0/1 column per non-baseline level, named `factor=level` (see {@link dummyName}).
 *
 * - Levels are the values that actually occur (unused levels are dropped automatically),
 *   sorted numerically when every value of the factor is a number, otherwise by string code
 *   units (deterministic, locale-independent; R's `factor()` uses the locale's collation, which
 *   can differ for mixed-case strings). The first sorted level is the baseline.
 * - A factor with a single observed level contributes no column (it is absorbed into the
 *   intercept); its level is still listed in `levels`.
 * - Missing values (`null`, `undefined`, NaN, ±Infinity) are rejected, not dropped.
 * - The result is checked for rank deficiency (with the intercept, unless `intercept: false`);
 *   confounded terms raise {@link RankDeficientDesignError} naming the offending column.
 *
 * The intercept column itself is not included — {@link linearModel} adds it.
 */
export function modelMatrix(
  rows: readonly Readonly<Record<string, unknown>>[],
  spec: ModelMatrixSpec,
): ModelMatrix {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new InvalidArgumentError('rows must be a non-empty array of records', 'rows');
  }
  const numeric = spec.numeric ?? [];
  const factors = spec.factors ?? [];
  const intercept = spec.intercept ?? true;
  const seen = new Set<string>();
  for (const name of [...numeric, ...factors]) {
    if (seen.has(name)) {
      throw new InvalidArgumentError(`variable '${name}' is listed more than once in the model spec`, 'spec');
    }
    seen.add(name);
  }

  const names: string[] = [];
  const columns: number[][] = [];
  const levels: Record<string, string[]> = {};
  const baselines: Record<string, string> = {};

  for (const name of numeric) {
    const col = rows.map((row, i) => {
      const v = row[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new InvalidArgumentError(
          `rows[${i}].${name} must be a finite number (numeric predictor), got ${describeValue(v)}`,
          'rows',
        );
      }
      return v;
    });
    names.push(name);
    columns.push(col);
  }

  factors.forEach((name, fi) => {
    let allNumbers = true;
    const keys = rows.map((row, i) => {
      const v = row[name];
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) {
          throw new InvalidArgumentError(`rows[${i}].${name} is missing (${String(v)})`, 'rows');
        }
        return String(v);
      }
      allNumbers = false;
      if (typeof v === 'string' || typeof v === 'boolean') return String(v);
      throw new InvalidArgumentError(
        `rows[${i}].${name} must be a string, number or boolean (factor), got ${describeValue(v)}`,
        'rows',
      );
    });
    const distinct = [...new Set(keys)];
    if (allNumbers) distinct.sort((a, b) => Number(a) - Number(b));
    else distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    levels[name] = distinct;
    const fullCoding = !intercept && fi === 0;
    if (!fullCoding) baselines[name] = distinct[0]!;
    const coded = fullCoding ? distinct : distinct.slice(1);
    for (const level of coded) {
      names.push(dummyName(name, level));
      columns.push(keys.map((k) => (k === level ? 1 : 0)));
    }
  });

  // rank check (same QR and tolerance as linearModel); y is irrelevant here
  const checkNames = intercept ? ['(Intercept)', ...names] : names;
  const checkColumns = intercept ? [new Array<number>(rows.length).fill(1), ...columns] : columns;
  if (checkColumns.length > 0) {
    if (checkColumns.length > rows.length) {
      throw new InvalidArgumentError(
        `design has ${checkColumns.length} columns (${checkNames.join(', ')}) but only ` +
          `${rows.length} rows; it cannot have full rank`,
        'rows',
      );
    }
    householderQr(checkColumns, checkNames, new Array<number>(rows.length).fill(0));
  }

  return { names, columns, levels, baselines };
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return v === null ? 'null' : 'an object';
  return String(v);
}
