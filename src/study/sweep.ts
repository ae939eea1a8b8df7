/**
 * Sweeps: a grid of networks described by a JSON file (or a built-in preset), computed into a
 * results directory that survives being killed at any moment, split deterministically into shards
 * for job arrays, and merged back. One module per seam:
 *
 * - ./sweep-spec.ts: the sweep file validated and resolved (`resolveSweep`), its grid (`sweepConfigs`);
 * - ./presets.ts: the built-in sweeps (`PRESETS`, `presetSweep`);
 * - ./shard.ts: shards for job arrays (`parseShard`, `selectShard`) and units of work;
 * - ./results-dir.ts: the sweep directory (`sweep.json`, records read back, `summary.csv`);
 * - ./sweep-run.ts: the runner (`runSweep`), under the directory's lock (./lock.ts);
 * - ./merge.ts: shards merged back (`mergeSweepDirs`).
 *
 * This module re-exports them all: import sweeps from here.
 */
export * from './sweep-spec.js';
export * from './presets.js';
export * from './shard.js';
export * from './results-dir.js';
export * from './sweep-run.js';
export * from './merge.js';
