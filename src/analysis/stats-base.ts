/** Input checks, small helpers and the t distribution shared by the statistics modules (docs/method.md §5, §6). */
import jStat from 'jstat';
import { InvalidArgumentError } from '../core/errors.js';

export function assertFiniteArray(values: readonly number[], name: string): void {
  if (!Array.isArray(values)) {
    throw new InvalidArgumentError(`${name} must be an array of numbers`, name);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(
        `${name}[${i}] must be a finite number, got ${String(v)}`,
        name,
      );
    }
  }
}

export function assertPaired(x: readonly number[], y: readonly number[]): void {
  assertFiniteArray(x, 'x');
  assertFiniteArray(y, 'y');
  if (x.length !== y.length) {
    throw new InvalidArgumentError(
      `x and y must have the same length (got ${x.length} and ${y.length})`,
      'y',
    );
  }
}

/** Mean with one refinement pass (as R's `mean`), accurate for large, nearly-constant inputs. */
export function meanOf(values: readonly number[]): number {
  const n = values.length;
  let s = 0;
  for (const v of values) s += v;
  let m = s / n;
  let c = 0;
  for (const v of values) c += v - m;
  m += c / n;
  return m;
}

export function isConstant(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// distributions

/**
 * Two-sided p-value of a Student t statistic: P(|T_df| ≥ |t|).
 * `df` must be positive (need not be an integer). `t = ±Infinity` gives 0.
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new InvalidArgumentError(`degrees of freedom must be a positive finite number, got ${df}`, 'df');
  }
  if (Number.isNaN(t)) {
    throw new InvalidArgumentError('t statistic must not be NaN', 't');
  }
  if (!Number.isFinite(t)) return 0;
  if (t === 0) return 1;
  const x = df / (df + t * t);
  const p = jStat.ibeta(x, df / 2, 0.5);
  if (p === false || !Number.isFinite(p)) {
    throw new InvalidArgumentError(`cannot evaluate the t distribution at t=${t}, df=${df}`, 't');
  }
  return Math.min(1, Math.max(0, p));
}
