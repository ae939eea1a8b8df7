/**
 * The named architectures' hidden widths (docs/method.md §8a), a pure table with no training
 * code, so that readers of records and sweep files (study/config-id.ts) need nothing from train/:
 *
 * - `narrow`: `depth` hidden layers of width 25;
 * - `wide`: `depth` hidden layers of width 50;
 * - `bottleneck`: `a` layers of 50, one of 25, `a` layers of 50, with `depth = 2a + 1`
 *   (the seed paper's depth 5 → a = 2, depth 11 → a = 5).
 */
import { InvalidArgumentError } from './errors.js';

export type ArchitectureName = 'narrow' | 'wide' | 'bottleneck';
export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = ['narrow', 'wide', 'bottleneck'];
/** The seed paper's depths (number of hidden layers). */
export const SEED_DEPTHS: readonly number[] = [5, 11];

/** `v` when it is an integer ≥ `min`, else an InvalidArgumentError naming `name`. */
export function checkInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${String(v)}`, name);
  return v;
}

/** Hidden widths of a named architecture. */
export function hiddenWidths(architecture: ArchitectureName, depth: number): number[] {
  checkInt(depth, 'depth', 1);
  switch (architecture) {
    case 'narrow':
      return new Array<number>(depth).fill(25);
    case 'wide':
      return new Array<number>(depth).fill(50);
    case 'bottleneck': {
      if (depth < 3 || depth % 2 === 0)
        throw new InvalidArgumentError(
          `bottleneck depth must be odd and >= 3 (a layers of 50, one of 25, a of 50; the seed paper uses 5 and 11), got ${depth}`,
          'depth',
        );
      const a = (depth - 1) / 2;
      return [...new Array<number>(a).fill(50), 25, ...new Array<number>(a).fill(50)];
    }
    default:
      throw new InvalidArgumentError(
        `unknown architecture '${String(architecture)}' (expected ${ARCHITECTURE_NAMES.join(', ')}, or give widths)`,
        'architecture',
      );
  }
}
