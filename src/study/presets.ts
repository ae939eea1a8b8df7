/** Built-in sweeps (`ricciflow sweep --preset NAME`): sweep files, validated as any other. */
import { InvalidArgumentError } from '../core/errors.js';
import { resolveSweep, type SweepSpec } from './sweep-spec.js';

/** Built-in sweeps. Each is a sweep file (the same validation applies). */
export const PRESETS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  quick: {
    name: 'quick',
    description:
      'Under a few minutes on 2 cores: synthetic A, B, C × narrow, wide × 5 hidden layers × 3 seeds (18 networks), ' +
      'seed recipe training (50 epochs, batch 32) on 4000 points, analysed on 1000 test points at k = 15 and 30 (Forman, hidden layers); geometry trajectory every 10 epochs.',
    datasets: ['A', 'B', 'C'],
    architectures: ['narrow', 'wide'],
    depths: [5],
    seeds: [0, 1, 2],
    k: [15, 30],
    curvatures: ['forman'],
    layers: 'hidden',
    training: { epochs: 50 },
    data: { nTrain: 4000, nTest: 1000 },
    trajectoryEvery: 10,
  },
  'seed-paper': {
    name: 'seed-paper',
    description:
      'The seed paper (Baptista et al. 2024): its 7 datasets × narrow/wide/bottleneck × 5 and 11 hidden layers × 36 ' +
      'replicates = 1,512 networks; its recipe (RMSprop 1e-3, 50 epochs, batch 32, validation 0.2, Glorot); raw pixels, ' +
      'whole test split of each pair; analysed with the seed R recipe (directed kNN, hidden layers, node sums, Forman) at k = 30, 120, 300.',
    datasets: ['A', 'B', 'C', 'fashion-mnist:5v9', 'fashion-mnist:6v4', 'mnist:1v7', 'mnist:6v8'],
    architectures: ['narrow', 'wide', 'bottleneck'],
    depths: [5, 11],
    replicates: 36,
    k: [30, 120, 300],
    curvatures: ['forman'],
    mode: 'directed',
    layers: 'hidden',
    node: 'sum',
    training: { recipe: 'seed' },
    data: { nTrain: 8000, nTest: 2000, scale: 'raw' },
  },
  'follow-up': {
    name: 'follow-up',
    description:
      "The follow-up's local-coefficient tables (Hehl, von Renesse, Weber 2025; its local_ricci_coefficients notebook): " +
      'Fashion-MNIST 5v7, 3v6, MNIST 1v7, 6v9 (pixels in [0,1], whole training split, 500 test images per class) and ' +
      'Syn-I…IV (1,000 training and 1,000 test points; Syn-I noise 0.03) × uniform widths 15, 25, 50 × depths 7, 10, 15 × ' +
      '3 replicates = 216 networks; its recipe (full-batch Adam 1e-3 until 99 % training accuracy, ≤ 20,000 epochs, ' +
      'PyTorch init); union kNN graphs, all layers, node means, augmented Forman at k = 50.',
    datasets: ['fashion-mnist:5v7', 'fashion-mnist:3v6', 'mnist:1v7', 'mnist:6v9', 'syn1', 'syn2', 'syn3', 'syn4'],
    widths: [15, 25, 50],
    depths: [7, 10, 15],
    replicates: 3,
    k: [50],
    curvatures: ['augmented'],
    mode: 'union',
    layers: 'all',
    node: 'mean',
    training: { recipe: 'follow-up' },
    data: { nTrain: 1000, nTest: 1000, noise: { syn1: 0.03 }, scale: 'unit', balanced: 500 },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** A preset by name, resolved. */
export function presetSweep(name: string): SweepSpec {
  const p = PRESETS[name];
  if (!p) throw new InvalidArgumentError(`--preset: unknown preset '${name}' (expected ${PRESET_NAMES.join(', ')})`, 'preset');
  return resolveSweep(structuredClone(p), `preset ${name}`);
}

