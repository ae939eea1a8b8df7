/**
 * A network config's identity, with no training code (importable by readers of results):
 * canonical JSON, the record id (its hash), the cell key (configs trained together) and the hidden
 * widths of an architecture name.
 */
import { createHash } from 'node:crypto';

import { InvalidArgumentError } from '../core/errors.js';
import { hiddenWidths, type ArchitectureName, ARCHITECTURE_NAMES } from '../core/architectures.js';
import { uniformWidth } from './recipe-spec.js';
import type { NetworkConfig } from './types.js';

/** Canonical JSON: object keys sorted, so equal configs serialise identically. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Deterministic id of a grid point. */
export function configId(config: NetworkConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** Hidden widths of a named architecture, of `wN` (uniform width N), or explicit widths for 'custom'. */
export function widthsFor(architecture: string, depth: number, widths?: number[]): number[] {
  const uniform = uniformWidth(architecture);
  if (uniform !== null) {
    if (!Number.isSafeInteger(depth) || depth < 1) throw new InvalidArgumentError(`depth must be a positive integer, got ${depth}`, 'depth');
    return new Array<number>(depth).fill(uniform);
  }
  if (architecture === 'custom') {
    if (!widths || widths.length === 0) throw new InvalidArgumentError('architecture custom needs widths', 'widths');
    return widths;
  }
  if (!(ARCHITECTURE_NAMES as readonly string[]).includes(architecture))
    throw new InvalidArgumentError(
      `architecture: unknown architecture '${architecture}' (expected ${ARCHITECTURE_NAMES.join(', ')} or custom)`,
      'architecture',
    );
  return hiddenWidths(architecture as ArchitectureName, depth);
}

/** Configs that can be trained together: identical except for the seed. */
export function cellKey(c: NetworkConfig): string {
  return canonicalJson({ ...c, seed: 0 });
}
