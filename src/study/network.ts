/**
 * One step of a study: train the replicate networks of one grid cell (same data, architecture and
 * training options; one network per seed, trained in parallel natively), then analyse each one.
 */
import { analyzeLayers } from '../analysis/pipeline.js';
import { codeOf, ERROR_CODES, InvalidArgumentError } from '../core/errors.js';
import { addon } from '../core/native.js';
import { TRAJECTORY_PROBE_SIZE } from '../core/recipes.js';
import { VERSION } from '../core/version.js';
import { forward, trainNetworks } from '../train/index.js';
import type { EpochEvent, TrainedNetwork } from '../train/types.js';
import { TrajectoryRecorder, type TrajectoryPoint } from '../train/trajectory.js';
import { writeNetworkWeights } from '../train/weights.js';
import { loadStudyDataset } from './datasets.js';
import { projectionRecord } from './projection.js';
import { cellKey, configId } from './config-id.js';
import { trainOptionsFor } from './recipe-spec.js';
import type { CoefficientRecord, KRecord, NetworkConfig, NetworkRecord } from './types.js';

// Config identity (pure: no training), kept importable from here.
export { canonicalJson, cellKey, configId, widthsFor } from './config-id.js';

export interface CellOptions {
  threads?: number;
  signal?: AbortSignal;
  dataDir?: string;
  /** Keep local ρ(x) per point in the records (default true). */
  keepLocal?: boolean;
  onEpoch?: (e: EpochEvent) => void;
  /**
   * Record the geometry trajectory during training (src/train/trajectory.ts): every N epochs and
   * at the last one, the mean local ρ and the layer coefficients r_l (first k and curvature of the
   * config) on a probe of up to TRAJECTORY_PROBE_SIZE (500) test points, with train and probe accuracy. Recorded, never
   * used to stop.
   */
  trajectoryEvery?: number;
  /** Called when a network's analysis finishes. */
  onAnalysed?: (record: NetworkRecord) => void;
  /** Keep each trained network's weights as `<weightsDir>/<record id>.npz` (src/train/weights.ts). */
  weightsDir?: string;
}

function failed(config: NetworkConfig, message: string, nTest: number): NetworkRecord {
  return {
    id: configId(config),
    config,
    status: 'failed',
    error: message,
    versions: { ricciflow: VERSION, node: process.version, abi: addon.abiVersion },
    accuracy: null,
    testLoss: null,
    trainAccuracy: null,
    epochsTrained: null,
    msPerEpoch: null,
    trainSeconds: null,
    analysisSeconds: null,
    nTest,
    layerDims: [],
    byK: [],
    finishedAt: new Date().toISOString(),
  };
}

/** The report's figure 6 data for 3-D datasets (src/study/projection.ts), as a record field. */
function projectionField(net: TrainedNetwork, labels: ArrayLike<number>): Pick<NetworkRecord, 'projection'> {
  const projection = projectionRecord(net.activations, labels);
  return projection ? { projection } : {};
}

/**
 * Trains and analyses the networks of one cell (configs identical but for `seed`).
 * Training failures become `failed` records; cancellation rejects.
 */
export async function runCell(configs: NetworkConfig[], options: CellOptions = {}): Promise<NetworkRecord[]> {
  if (configs.length === 0) return [];
  const key = cellKey(configs[0]!);
  for (const c of configs) if (cellKey(c) !== key) throw new InvalidArgumentError('runCell: configs differ beyond the seed', 'configs');
  const base = configs[0]!;
  const data = await loadStudyDataset(base, options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
  const t0 = Date.now();
  const trajectories: TrajectoryPoint[][] = configs.map(() => []);
  const every = options.trajectoryEvery;
  if (every !== undefined && (!Number.isInteger(every) || every < 1))
    throw new InvalidArgumentError('trajectoryEvery: a positive integer', 'trajectoryEvery');
  // The probe: the first (at most TRAJECTORY_PROBE_SIZE) test rows; the record's first k and curvature.
  const probeN = Math.min(TRAJECTORY_PROBE_SIZE, data.nTest);
  const probe = { data: data.xTest.subarray(0, probeN * data.d), n: probeN, d: data.d };
  const calls = {
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const recorder =
    every === undefined
      ? null
      : new TrajectoryRecorder({
          every,
          labels: Array.prototype.slice.call(data.yTest, 0, probeN) as number[],
          curvature: base.analysis.curvatures[0]!,
          analysis: { k: Math.min(base.analysis.k[0]!, probeN - 1), mode: base.analysis.mode, node: base.analysis.node, alpha: base.analysis.alpha, ...calls },
        });
  const onEpoch = async (e: EpochEvent): Promise<void> => {
    options.onEpoch?.(e);
    if (!recorder || !e.weights || !recorder.due(e)) return;
    const acts = await forward(e.weights(), probe, calls);
    trajectories[e.network]!.push(await recorder.measure(e, acts));
  };
  let nets: TrainedNetwork[];
  try {
    nets = await trainNetworks(data, {
      ...trainOptionsFor(base),
      seeds: configs.map((c) => c.seed),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEpoch || every !== undefined ? { onEpoch } : {}),
    });
  } catch (err) {
    if (codeOf(err) === ERROR_CODES.cancelled) throw err;
    return configs.map((c) => ({ ...failed(c, `training failed: ${(err as Error).message}`, data.nTest), dataSource: data.source ?? 'synthetic' }));
  }
  const trainSeconds = (Date.now() - t0) / 1000 / configs.length;
  const records: NetworkRecord[] = [];
  for (let r = 0; r < configs.length; r++) {
    const config = configs[r]!, net = nets[r]!;
    const t1 = Date.now();
    const a = base.analysis;
    const res = await analyzeLayers(net.activations, {
      k: a.k,
      curvatures: a.curvatures,
      mode: a.mode,
      layers: a.layers,
      node: a.node,
      alpha: a.alpha,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const byK: KRecord[] = res.byK.map((K) => ({
      k: K.k,
      connected: K.layers.map((l) => l.connected),
      components: K.layers.map((l) => l.components),
      edgeCount: K.layers.map((l) => l.edgeCount),
      disconnected: K.disconnected,
      coefficients: Object.fromEntries(
        Object.entries(K.coefficients).map(([c, co]) => {
          const rec: CoefficientRecord = {
            rho: co.global.rho,
            z: co.global.z,
            m: co.global.m,
            reason: co.global.reason ?? null,
            ric: co.global.ric,
            g: co.global.g,
            eta: co.global.eta,
            localMean: co.local.mean,
            localShareNegative: co.local.shareNegative,
            localNullCount: co.local.nullCount,
            layer: co.layer,
          };
          if (options.keepLocal !== false) rec.local = co.local.values.map((v) => (v === null ? null : Number(v.toPrecision(6))));
          return [c, rec];
        }),
      ),
    }));
    const last = net.history[net.history.length - 1];
    const record: NetworkRecord = {
      id: configId(config),
      config,
      status: 'ok',
      backend: net.backend,
      versions: { ricciflow: VERSION, node: process.version, abi: addon.abiVersion },
      accuracy: net.testAccuracy,
      testLoss: net.testLoss,
      // With a stop rule, the accuracy of the returned weights (the rule's last check), not the last epoch's pre-step pass.
      trainAccuracy: net.finalTrainAccuracy ?? (last ? last.accuracy : null),
      epochsTrained: net.epochsTrained,
      recipe: config.training.recipe ?? 'seed',
      dataSource: data.source ?? 'synthetic',
      ...(data.sourceNote !== undefined ? { dataNote: data.sourceNote } : {}),
      stoppedEpoch: net.stoppedEpoch,
      msPerEpoch: net.msPerEpoch,
      trainSeconds,
      analysisSeconds: (Date.now() - t1) / 1000,
      analysisPhases: {
        knn: res.timings.knn / 1000,
        graphs: res.timings.graphs / 1000,
        geodesics: res.timings.geodesics / 1000,
        curvature: res.timings.curvature / 1000,
        coefficients: res.timings.coefficients / 1000,
      },
      nTest: data.nTest,
      layerDims: net.activations.map((l) => l.d),
      history: net.history.map((h) => ({ epoch: h.epoch, loss: h.loss, accuracy: h.accuracy, valLoss: h.valLoss, valAccuracy: h.valAccuracy })),
      ...(every !== undefined ? { trajectory: trajectories[r]! } : {}),
      ...projectionField(net, data.yTest),
      byK,
      finishedAt: new Date().toISOString(),
    };
    if (options.weightsDir !== undefined) await writeNetworkWeights(options.weightsDir, record.id, net.weights);
    records.push(record);
    options.onAnalysed?.(record);
  }
  return records;
}
