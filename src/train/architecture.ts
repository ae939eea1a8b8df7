/**
 * Network architectures of docs/method.md §8: dense ReLU layers, one sigmoid output unit. The
 * named architectures (narrow, wide, bottleneck) and their widths are the table of
 * core/architectures.ts; any list of hidden widths (`widths`) overrides `architecture` and `depth`.
 *
 * Flat weight layout (both backends, and {@link NetworkWeights}): per layer the kernel
 * (`in × out`, row-major: the Keras/tfjs `Dense.kernel` layout) then the bias (`out`), layers in
 * order — the concatenation of tfjs `model.getWeights()`.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { checkInt, hiddenWidths, type ArchitectureName } from '../core/architectures.js';

export { ARCHITECTURE_NAMES, SEED_DEPTHS, hiddenWidths, type ArchitectureName } from '../core/architectures.js';

/** What was trained: enough to rebuild the network and to label results. */
export interface ArchitectureInfo {
  /** `'narrow' | 'wide' | 'bottleneck'`, or `'custom'` for an explicit width list. */
  kind: ArchitectureName | 'custom';
  /** Short label, e.g. `wide-5`, `bottleneck-11`, `custom-64x32`. */
  name: string;
  /** Number of hidden layers. */
  depth: number;
  /** Hidden widths, input to output. */
  hidden: number[];
  /** All layer sizes: `[inputDim, ...hidden, 1]`. */
  sizes: number[];
  /** Number of trainable parameters. */
  params: number;
  /** Activation of the hidden layers and of the output unit. */
  activation: 'relu';
  output: 'sigmoid';
}

/** Weights of one network in the flat layout described above. */
export interface NetworkWeights {
  sizes: number[];
  data: Float32Array;
}

/** Number of parameters of a network with these layer sizes. */
export function paramCount(sizes: readonly number[]): number {
  let total = 0;
  for (let l = 1; l < sizes.length; l++) total += (sizes[l - 1]! + 1) * sizes[l]!;
  return total;
}

/**
 * Resolves architecture options into a full description. `widths` (any list of positive
 * integers) wins over `architecture`/`depth`.
 */
export function describeArchitecture(opts: {
  inputDim: number;
  architecture?: ArchitectureName;
  depth?: number;
  widths?: readonly number[];
}): ArchitectureInfo {
  const inputDim = checkInt(opts.inputDim, 'inputDim', 1);
  let kind: ArchitectureInfo['kind'];
  let hidden: number[];
  if (opts.widths !== undefined) {
    if (!Array.isArray(opts.widths) || opts.widths.length === 0)
      throw new InvalidArgumentError('widths must be a non-empty array of hidden layer widths', 'widths');
    hidden = opts.widths.map((w, i) => checkInt(w, `widths[${i}]`, 1));
    kind = 'custom';
  } else {
    const architecture = opts.architecture ?? 'wide';
    hidden = hiddenWidths(architecture, opts.depth ?? 5);
    kind = architecture;
  }
  const sizes = [inputDim, ...hidden, 1];
  const name = kind === 'custom' ? `custom-${hidden.join('x')}` : `${kind}-${hidden.length}`;
  return { kind, name, depth: hidden.length, hidden, sizes, params: paramCount(sizes), activation: 'relu', output: 'sigmoid' };
}

/** Views of one layer's kernel and bias inside flat weights (no copy). */
export interface DenseLayerWeights {
  inputs: number;
  units: number;
  /** `inputs × units`, row-major. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** Splits flat weights into per-layer kernel/bias views; checks the length. */
export function splitWeights(w: NetworkWeights): DenseLayerWeights[] {
  const { sizes, data } = w;
  if (!Array.isArray(sizes) || sizes.length < 3)
    throw new InvalidArgumentError('weights.sizes must list [inputDim, ...hidden, 1]', 'weights');
  sizes.forEach((s, i) => checkInt(s, `weights.sizes[${i}]`, 1));
  if (sizes[sizes.length - 1] !== 1)
    throw new InvalidArgumentError('the output layer must have exactly 1 unit (sigmoid)', 'weights');
  if (!(data instanceof Float32Array))
    throw new InvalidArgumentError('weights.data must be a Float32Array', 'weights');
  const want = paramCount(sizes);
  if (data.length !== want)
    throw new InvalidArgumentError(`weights.data has ${data.length} values, the architecture needs ${want}`, 'weights');
  const layers: DenseLayerWeights[] = [];
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    const inputs = sizes[l - 1]!;
    const units = sizes[l]!;
    const kernel = data.subarray(off, off + inputs * units);
    off += inputs * units;
    const bias = data.subarray(off, off + units);
    off += units;
    layers.push({ inputs, units, kernel, bias });
  }
  return layers;
}
