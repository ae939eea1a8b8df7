/** `ricciflow geometry` and `ricciflow analyze`: the engine from the command line. */
import type { LayerSelection } from '../analysis/pipeline.js';
import { InvalidArgumentError } from '../core/errors.js';
import { curvature, geodesics, knnGraph, type GraphMode } from '../analysis/geometry.js';
import { readLayerFiles, type LayerSource } from '../io/npz.js';
import { parseCurvatures, parseIntOption, parseNumberOption, verbArgs } from './args.js';
import { isQuiet, metaBlock, note, writeOutput } from './output.js';
import { jsonBytes, JsonRows, toJsonValue, ProgressBar } from './util.js';

/** Notices for inputs that were reshaped (N-D flattened) or reordered (natural sort). */
export function noteShapes(sources: readonly LayerSource[], reordered = false): void {
  for (const s of sources)
    if (s.shape.length !== 2)
      note(
        `note: ${s.file}${s.key !== undefined ? `[${s.key}]` : ''}: array of shape (${s.shape.join(', ')}) read as ` +
          `${s.shape[0]} points × ${s.shape.slice(1).reduce((a, b) => a * b, 1)} values`,
      );
  if (reordered)
    note(`note: layers taken in natural order: ${sources.map((s) => s.key ?? s.file.split('/').pop()).join(', ')} (--order given keeps the order given)`);
}

export const GEOMETRY_HELP = `ricciflow geometry POINTS --k K [--mode union|mutual|directed]
                   [--curvature forman,augmented,approx-ollivier,ollivier] [--alpha 0.5]
                   [--threads T] --out RESULT.json

POINTS is .npy (float16/32/64 or integers, C order; N-D arrays flattened to n × ∏rest), .npz
(one array, or --key NAME), or delimited text (.csv/.tsv/.txt: comma, tab or spaces; # comments).
--out - writes RESULT to stdout. RESULT.json holds
n, k, mode, knn, edges ([i,j], i<j, row-major), connected, components, geodesicSum,
curvature {name: per-edge array}, nodeMean {name: per-point array}, total {name: Ric}.
In directed mode, Forman is per kNN arc (seed R recipe) and "arcs" lists them.`;

export async function geometryCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, GEOMETRY_HELP, {
    k: { type: 'string' },
    mode: { type: 'string', default: 'union' },
    curvature: { type: 'string' },
    alpha: { type: 'string' },
    threads: { type: 'string' },
    key: { type: 'string' },
    out: { type: 'string', short: 'o' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new InvalidArgumentError('geometry: give exactly one POINTS file (.npy or .csv)', 'POINTS');
  if (!values.out) throw new InvalidArgumentError('geometry: --out RESULT.json is required', 'out');
  const k = parseIntOption(values.k, 'k');
  const threads = parseIntOption(values.threads, 'threads', 0);
  const mode = values.mode as GraphMode;
  const curvatures = parseCurvatures(values.curvature);
  const alpha = parseNumberOption(values.alpha, 'alpha', 0.5);
  const input = await readLayerFiles([positionals[0]!], values.key !== undefined ? { keys: [values.key] } : {});
  if (input.layers.length !== 1)
    throw new InvalidArgumentError(
      `geometry: ${positionals[0]} holds ${input.layers.length} arrays (${input.sources.map((s) => s.key).join(', ')}); choose one with --key NAME`,
      'key',
    );
  noteShapes(input.sources);
  const points = input.layers[0]!;
  const g = await knnGraph(points, { k, mode, threads });
  const geo = await geodesics(g, { threads });
  // Ollivier reports progress in edges.
  const bar = curvatures.includes('ollivier') && !isQuiet() ? new ProgressBar('ollivier', g.edgeCount) : null;
  const curv = await curvature(g, {
    curvatures,
    alpha,
    threads,
    ...(bar ? { onProgress: (d: number) => bar.update(d) } : {}),
  });
  // Written straight from the typed arrays (jsonText): no per-edge or per-row JS arrays.
  const result: Record<string, unknown> = {
    n: g.n,
    d: points.d,
    k,
    mode: g.mode,
    knn: new JsonRows(g.knn, k),
    edges: new JsonRows(g.edges.subarray(0, 2 * g.edgeCount), 2),
    connected: geo.connected,
    components: geo.components,
    geodesicSum: geo.geodesicSum,
    diameter: geo.diameter,
    curvature: Object.fromEntries(curvatures.map((c) => [c, curv[c]!.edge])),
    nodeMean: Object.fromEntries(curvatures.map((c) => [c, curv[c]!.nodeMean])),
    total: Object.fromEntries(curvatures.map((c) => [c, curv[c]!.total])),
  };
  if (curvatures.includes('ollivier')) result.alpha = alpha;
  if (mode === 'directed') {
    const arcs = new Int32Array(2 * g.n * k);
    for (let a = 0; a < g.n * k; a++) {
      arcs[2 * a] = Math.floor(a / k);
      arcs[2 * a + 1] = g.knn[a]!;
    }
    result.arcs = new JsonRows(arcs, 2);
  }
  result.input = input.sources[0];
  result.meta = await metaBlock([positionals[0]!]);
  await writeOutput(values.out, jsonBytes(result, true));
  note(
    `ricciflow geometry: n=${g.n} k=${k} mode=${g.mode} edges=${g.edgeCount} connected=${geo.connected} ` +
      `components=${geo.components} g=${geo.geodesicSum ?? 'null'} -> ${values.out}\n`,
  );
  return 0;
}

export const ANALYZE_HELP = `ricciflow analyze (LAYER0.npy LAYER1.npy … | LAYERS.npz) --k 30[,120,…] [--curvature forman]
                  [--layers all|hidden] [--mode union|mutual|directed] [--node mean|sum]
                  [--alpha 0.5] [--threads T] [--keys K0,K1,…] [--order auto|given] --out RESULT.json

Each LAYER file holds the activations of one layer on the same n points, in order input, hidden…,
output: .npy (float16/32/64 or integers; N-D arrays such as conv outputs (n, c, h, w) are flattened
to n × c·h·w, with a notice) or delimited text (.csv/.tsv/.txt: comma, tab or spaces; # comments).
One .npz (np.savez of every layer) works too: its arrays in key order, or --keys to choose them.
--order auto (default) puts numbered names (layer2 before layer10, arr_0 … arr_11) in natural
order; --order given keeps the order given. --out - writes RESULT to stdout. RESULT.json: global {rho, z, ric, g, eta}, local (one value or null per
point), layer (one value per transition l -> l+1), connected per layer; one block per k and curvature.`;

export async function analyzeCommand(argv: string[]): Promise<number> {
  const args = verbArgs(argv, ANALYZE_HELP, {
    k: { type: 'string' },
    curvature: { type: 'string' },
    layers: { type: 'string', default: 'all' },
    mode: { type: 'string', default: 'union' },
    node: { type: 'string', default: 'mean' },
    alpha: { type: 'string' },
    threads: { type: 'string' },
    keys: { type: 'string' },
    order: { type: 'string', default: 'auto' },
    out: { type: 'string', short: 'o' },
  });
  if (!args) return 0;
  const { values, positionals } = args;
  const oneNpz = positionals.length === 1 && /\.npz$/i.test(positionals[0]!);
  if (positionals.length < 2 && !oneNpz)
    throw new InvalidArgumentError('analyze: give at least two LAYER files (input and output), or one .npz holding every layer', 'LAYER');
  if (values.order !== 'auto' && values.order !== 'given')
    throw new InvalidArgumentError(`--order: expected auto or given, got '${values.order}'`, 'order');
  if (!values.out) throw new InvalidArgumentError('analyze: --out RESULT.json is required', 'out');
  if (values.k === undefined) throw new InvalidArgumentError('--k is required', 'k');
  const ks = values.k.split(',').map((s) => parseIntOption(s, 'k'));
  const curvatures = parseCurvatures(values.curvature);
  const threads = parseIntOption(values.threads, 'threads', 0);
  const input = await readLayerFiles(positionals, {
    order: values.order,
    ...(values.keys !== undefined ? { keys: values.keys.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
  });
  const layers = input.layers;
  if (layers.length < 2) throw new InvalidArgumentError(`analyze: ${positionals[0]} holds ${layers.length} array; need at least two layers`, 'LAYER');
  noteShapes(input.sources, input.reordered);
  const { analyzeLayers } = await import('../analysis/pipeline.js');
  const bar = isQuiet() ? null : new ProgressBar('analyze', layers.length * ks.length);
  // An error about layers[i] names the file (and .npz key) it came from.
  const res = await analyzeLayers(layers, {
    k: ks,
    curvatures,
    layers: values.layers as LayerSelection,
    mode: values.mode as GraphMode,
    node: values.node as 'mean' | 'sum',
    alpha: parseNumberOption(values.alpha, 'alpha', 0.5),
    threads,
    onLayer: (d) => bar?.update(d),
  }).catch((err: unknown) => {
    const m = err instanceof InvalidArgumentError ? /^layers\[(\d+)\]/.exec(err.arg ?? '') : null;
    const src = m ? input.sources[Number(m[1])] : undefined;
    if (!m || !src) throw err;
    const label = src.key !== undefined ? `${src.file} (array '${src.key}')` : src.file;
    throw new InvalidArgumentError(`${label}: ${(err as Error).message.replace(/^layers\[\d+\]: /, '')} (layer ${m[1]})`, err instanceof InvalidArgumentError ? err.arg : 'LAYER');
  });
  const blocks = res.byK.flatMap((K) =>
    curvatures.map((c) => {
      const co = K.coefficients[c]!;
      return {
        k: K.k,
        curvature: c,
        mode: K.mode,
        global: { rho: co.global.rho, z: co.global.z, m: co.global.m, ric: co.global.ric, g: co.global.g, eta: co.global.eta, reason: co.global.reason },
        local: co.local.values,
        localSummary: { mean: co.local.mean, shareNegative: co.local.shareNegative, nullCount: co.local.nullCount },
        layer: co.layer,
        connected: K.layers.map((l) => l.connected),
        components: K.layers.map((l) => l.components),
      };
    }),
  );
  const first = blocks[0]!;
  const out = {
    n: res.n,
    layers: res.layerCount,
    selection: res.selection,
    node: res.node,
    // The first (k, curvature) block at top level, all blocks under "results".
    global: first.global,
    local: first.local,
    layer: first.layer,
    connected: first.connected,
    results: blocks,
    inputs: input.sources,
    meta: await metaBlock(positionals),
  };
  await writeOutput(values.out, JSON.stringify(toJsonValue(out)) + '\n');
  for (const b of blocks)
    note(
      `k=${b.k} ${b.curvature}: rho=${b.global.rho ?? 'null'} z=${b.global.z ?? 'null'} local mean=${b.localSummary.mean ?? 'null'}` +
        `${b.global.reason ? ' (' + b.global.reason + ')' : ''}\n`,
    );
  return 0;
}
