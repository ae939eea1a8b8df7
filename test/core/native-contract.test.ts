/**
 * The closed native contract (src/core/native.ts): the addon exports exactly the NativeAddon
 * members, and throws the package's own error classes, chosen by the kind of failure, with their
 * `.code` and `.arg` and the native text kept as `cause`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

import { ADDON_MEMBERS, addon, checkAddon } from '../../src/core/native.js';
import {
  CancelledError,
  geodesics,
  InvalidArgumentError,
  knn,
  knnGraph,
  NativeError,
  nodeCurvature,
  OutOfMemoryError,
  RicciflowError,
  type NativeCause,
} from '../../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function points(n: number, d: number): { data: Float64Array; n: number; d: number } {
  const data = new Float64Array(n * d);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648;
  }
  return { data, n, d };
}

async function rejection(p: Promise<unknown>): Promise<RicciflowError & { cause: NativeCause }> {
  try {
    await p;
  } catch (err) {
    return err as RicciflowError & { cause: NativeCause };
  }
  throw new Error('expected a rejection');
}

function thrown(f: () => unknown): RicciflowError & { cause: NativeCause } {
  try {
    f();
  } catch (err) {
    return err as RicciflowError & { cause: NativeCause };
  }
  throw new Error('expected a throw');
}

describe('the addon is exactly NativeAddon', () => {
  it('exports every member of the interface and nothing else', () => {
    const loaded = createRequire(import.meta.url)('node-gyp-build') as { resolve(dir: string): string };
    const raw = createRequire(import.meta.url)(process.env.RICCIFLOW_ADDON ?? loaded.resolve(root)) as object;
    expect(Object.keys(raw).sort()).toEqual([...ADDON_MEMBERS].sort());
    expect(Object.keys(addon).sort()).toEqual([...ADDON_MEMBERS].sort());
  });

  it('refuses an addon with a member missing or one too many, naming them', () => {
    const full = Object.fromEntries(ADDON_MEMBERS.map((m) => [m, m === 'abiVersion' ? 1 : () => undefined]));
    expect(checkAddon(full, 'x.node')).toBe(full);
    const { ollivierCurvature: _gone, ...missing } = full;
    const e1 = thrown(() => checkAddon(missing, 'old.node'));
    expect(e1).toBeInstanceOf(NativeError);
    expect(e1.message).toContain('old.node does not match this package (missing: ollivierCurvature)');
    const e2 = thrown(() => checkAddon({ ...full, legacyVerb: () => 0 }, 'new.node'));
    expect(e2.message).toContain('(unexpected: legacyVerb)');
    const e3 = thrown(() => checkAddon({ ...full, knn: 3 }, 'odd.node'));
    expect(e3.message).toContain('(missing: knn)');
  });
});

describe('native errors are the typed classes, with the native text as cause', () => {
  it('a graph the core finds invalid: InvalidArgumentError, its code and arg, cause from the core', async () => {
    const g = await knnGraph(points(40, 3), { k: 4 });
    const bad = { ...g, neighbors: g.neighbors.slice() };
    bad.neighbors[0] = g.n + 5; // a neighbour index out of range
    const err = await rejection(geodesics(bad));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.arg).toMatch(/^graph/);
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.cause.kind).toBe('invalid-argument');
    expect(err.cause.message).toBe(err.message);
    // synchronous calls too
    const sync = thrown(() => nodeCurvature(bad, new Float64Array(g.edgeCount)));
    expect(sync).toBeInstanceOf(InvalidArgumentError);
    expect(sync.cause.kind).toBe('invalid-argument');
  });

  it('an argument the binding refuses: InvalidArgumentError with a cause', async () => {
    const err = await rejection(knn(points(10, 2), { k: 10 }));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.arg).toBe('k');
    expect(err.cause.kind).toBe('invalid-argument');
  });

  it('a network the trainer refuses (core validation): InvalidArgumentError, not a blanket class', () => {
    const err = thrown(() => new addon.MlpTrainer({ sizes: [2, 3, 2], seeds: [1] }));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.arg).toBe('sizes');
    expect(err.message).toContain('exactly 1 unit');
    expect(err.cause.kind).toBe('invalid-argument');
  });

  it('a cancelled native call: CancelledError, code ERR_CANCELLED, the core said "cancelled"', async () => {
    const control = new addon.Control();
    control.cancel();
    const err = await rejection(addon.knn(points(200, 4), { k: 5, control }));
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.code).toBe('ERR_CANCELLED');
    expect(err.message).toBe('the computation was cancelled');
    expect(err.cause.kind).toBe('cancelled');
    expect(err.cause.message).toBe('cancelled');
  });

  // A failed allocation, made certain by an address-space limit in a child process (ulimit -v).
  const dist = resolve(root, 'dist/index.js');
  it.runIf(existsSync(dist) && process.platform === 'linux')(
    'out of memory: OutOfMemoryError (ERR_OUT_OF_MEMORY) from a Promise call and from the trainer',
    () => {
      const script = `
        import { pairwiseDistances, OutOfMemoryError } from ${JSON.stringify(pathToFileURL(dist).href)};
        const { addon } = await import(${JSON.stringify(pathToFileURL(resolve(root, 'dist/core/native.js')).href)});
        const out = [];
        const p = { data: new Float64Array(20000), n: 20000, d: 1 };
        try { await pairwiseDistances(p, { threads: 1 }); out.push('resolved'); }
        catch (e) { out.push([e.name, e.code, e instanceof OutOfMemoryError, e.cause?.kind, e.message]); }
        try { new addon.MlpTrainer({ sizes: [46000, 46000, 1], seeds: [1] }); out.push('constructed'); }
        catch (e) { out.push([e.name, e.code, e instanceof OutOfMemoryError, e.cause?.kind, e.message]); }
        console.log(JSON.stringify(out));`;
      const r = spawnSync('bash', ['-c', `ulimit -v 2500000 && exec "${process.execPath}" --input-type=module -e "$0"`, script], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as unknown[];
      expect(out).toEqual([
        ['OutOfMemoryError', 'ERR_OUT_OF_MEMORY', true, 'out-of-memory', 'out of memory'],
        ['OutOfMemoryError', 'ERR_OUT_OF_MEMORY', true, 'out-of-memory', 'out of memory'],
      ]);
    },
  );
});
