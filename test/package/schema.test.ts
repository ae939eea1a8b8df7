/**
 * schema/sweep.schema.json (shipped in the package) describes exactly what resolveSweep accepts:
 * the same keys at every level, every preset valid, and invalid files refused by both.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';

import { TRAINING_KEYS } from '../../src/study/recipe-spec.js';
import { PRESETS, resolveSweep } from '../../src/study/sweep.js';

const root = resolve(__dirname, '../..');
const schema = JSON.parse(readFileSync(join(root, 'schema', 'sweep.schema.json'), 'utf8'));
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

/** The keys resolveSweep accepts at one level, read off its "not a known key" message. */
function acceptedKeys(raw: Record<string, unknown>): string[] {
  try {
    resolveSweep(raw, 'x');
  } catch (err) {
    const m = /expected one of: ([^)]*)\)/.exec((err as Error).message);
    if (m) return m[1]!.split(', ').sort();
  }
  throw new Error('no key list in the error');
}

const base = { datasets: ['A'], architectures: ['narrow'], depths: [2], seeds: [0], k: [5] };

describe('schema/sweep.schema.json', () => {
  it('names the same keys as resolveSweep at every level', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(acceptedKeys({ ...base, bogus: 1 }));
    expect(Object.keys(schema.properties.training.properties).sort()).toEqual([...TRAINING_KEYS].sort());
    expect(Object.keys(schema.properties.data.properties).sort()).toEqual(acceptedKeys({ ...base, data: { bogus: 1 } }));
  });

  it('accepts every preset and "$schema"', () => {
    for (const [name, p] of Object.entries(PRESETS)) {
      const ok = validate(p);
      expect(ok, `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const withSchema = { $schema: './node_modules/ricciflow/schema/sweep.schema.json', ...base, widths: undefined };
    expect(validate(JSON.parse(JSON.stringify(withSchema)))).toBe(true);
    expect(resolveSweep(withSchema).datasets).toEqual(['A']);
    expect(() => resolveSweep({ ...base, $schema: 3 })).toThrow(/'\$schema' must be a string/);
    const follow = { datasets: ['syn1'], widths: [15, 25], depths: [3], replicates: 2, training: { recipe: 'follow-up', batchSize: 'full', stopAtTrainAccuracy: null }, data: { noise: { syn1: 0.03 } } };
    expect(validate(follow), JSON.stringify(validate.errors)).toBe(true);
    expect(() => resolveSweep(follow)).not.toThrow();
  });

  it.each([
    ['an unknown key', { ...base, epochs: 3 }],
    ['architectures and widths together', { ...base, widths: [5] }],
    ['neither seeds nor replicates', { datasets: ['A'], architectures: ['narrow'], depths: [2] }],
    ['a string for epochs', { ...base, training: { epochs: '50' } }],
    ['an unknown curvature', { ...base, curvatures: ['ricci'] }],
    ['batchSize "half"', { ...base, training: { batchSize: 'half' } }],
    ['an unknown dataset', { ...base, datasets: ['mnist:1v'] }],
    ['a repeated seed', { ...base, seeds: [0, 0] }],
    ['an unknown data key', { ...base, data: { size: 3 } }],
    ['alpha above 1', { ...base, alpha: 1.5 }],
  ])('refuses %s (schema and resolveSweep alike)', (_what, raw) => {
    expect(validate(raw)).toBe(false);
    expect(() => resolveSweep(raw)).toThrow();
  });

  it('ships in the package', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, string> };
    expect(pkg.files).toContain('schema');
    expect(pkg.exports['./schema/sweep.schema.json']).toBe('./schema/sweep.schema.json');
  });
});
