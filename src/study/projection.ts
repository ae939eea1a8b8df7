/**
 * The data of the report's figure 6, computed when a network is trained (docs/sweeps.md,
 * "Records": `projection`): the test points of a 3-D dataset at the input and at the last hidden
 * layer, each cloud reduced to 3-D (the input as it is, a hidden layer by its first three
 * principal components), centred, scaled by one factor into [−1, 1] and seen in the fixed oblique
 * view of src/analysis/projection.ts. Stored in the record so that `ricciflow report` only draws.
 */
import { obliqueProject, to3d, VIEW } from '../analysis/projection.js';
import type { ProjectionRecord } from './types.js';

/** One layer's activations on the test points (n × d, row-major). */
interface Layer {
  data: ArrayLike<number>;
  n: number;
  d: number;
}

/** Rounded as figure 6 draws them (1e-4 of the unit-scaled cloud). */
const round = (v: number): number => Math.round(v * 1e4) / 1e4;

function view(layer: Layer): { points: ProjectionRecord['input']; explained: number[] | null } {
  const { points, explained } = to3d(layer.data, layer.n, layer.d);
  const p = obliqueProject(points, layer.n);
  return { points: { x: Array.from(p.x, round), y: Array.from(p.y, round), depth: Array.from(p.depth, round) }, explained };
}

/** A network of a 3-D dataset (input width 3: A, B, C, syn3, syn4 or your own; image pairs are 784-D). */
export function hasProjection(inputWidth: number): boolean {
  return inputWidth === 3;
}

/**
 * Figure 6's view of a network's test points (`activations`: input, hidden layers, output; `labels`
 * their classes), or undefined when the input is not 3-D (see {@link hasProjection}).
 */
export function projectionRecord(activations: readonly Layer[], labels: ArrayLike<number>): ProjectionRecord | undefined {
  const L = activations.length;
  if (L < 2 || !hasProjection(activations[0]!.d)) return undefined;
  const layer = Math.max(1, L - 2);
  const input = view(activations[0]!);
  const hidden = view(activations[layer]!);
  return {
    view: { azimuth: VIEW.azimuth, elevation: VIEW.elevation },
    layer,
    explained: hidden.explained,
    labels: Array.from(labels, Number),
    input: input.points,
    hidden: hidden.points,
  };
}
