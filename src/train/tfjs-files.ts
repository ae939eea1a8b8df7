/**
 * TensorFlow.js model files: a LayersModel read from a `model.json` (path, `file://` or
 * `http(s)://` URL) and written as `model.json` + `weights.bin`, with the runtime of
 * src/train/tfjs-backend.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TfCore from '@tensorflow/tfjs-core';

import { FormatError, InvalidArgumentError, IoError } from '../core/errors.js';
import { ensureDir } from '../core/files.js';
import { activeTf, type LayersModel } from './tfjs-backend.js';

function toPath(pathOrUrl: string): string {
  return pathOrUrl.startsWith('file://') ? fileURLToPath(pathOrUrl) : resolve(pathOrUrl);
}

/**
 * Loads a tfjs LayersModel. `http(s)://` URLs go to `tf.loadLayersModel`; `file://` URLs and plain
 * paths to a `model.json` are read from disk (tfjs without tfjs-node has no file handler): the
 * topology and the weight shards of its manifest, handed over with `tf.io.fromMemory`.
 */
export async function loadLayersModel(pathOrUrl: string): Promise<LayersModel> {
  if (typeof pathOrUrl !== 'string' || pathOrUrl.length === 0)
    throw new InvalidArgumentError('expected a path or URL of a model.json', 'path');
  const tf = await activeTf();
  if (/^https?:\/\//i.test(pathOrUrl)) return tf.loadLayersModel(pathOrUrl);
  const path = toPath(pathOrUrl);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new IoError(`cannot read ${path}: ${(err as Error).message}`, 'path');
  }
  let json: TfCore.io.ModelJSON;
  try {
    json = JSON.parse(text) as TfCore.io.ModelJSON;
  } catch (err) {
    throw new FormatError(`${path} is not JSON: ${(err as Error).message}`, 'path');
  }
  if (json === null || typeof json !== 'object' || !json.modelTopology)
    throw new FormatError(`${path} has no modelTopology (not a tfjs LayersModel model.json)`, 'path');
  const specs: TfCore.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dirname(path), p);
      try {
        const b = await readFile(file);
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      } catch (err) {
        throw new IoError(`cannot read weight file ${file}: ${(err as Error).message}`, 'path');
      }
    }
  }
  const artifacts: TfCore.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
    ...(json.format !== undefined ? { format: json.format } : {}),
    ...(json.generatedBy !== undefined ? { generatedBy: json.generatedBy } : {}),
    ...(json.convertedBy !== undefined && json.convertedBy !== null ? { convertedBy: json.convertedBy } : {}),
    ...(json.trainingConfig !== undefined ? { trainingConfig: json.trainingConfig } : {}),
  };
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new FormatError(`cannot build a model from ${path}: ${(err as Error).message}`, 'path');
  }
}

/** Saves a LayersModel as `dir/model.json` + `dir/weights.bin` (loadable by {@link loadLayersModel}). */
export async function saveLayersModel(model: LayersModel, dirOrUrl: string): Promise<string> {
  const tf = await activeTf();
  const dir = toPath(dirOrUrl);
  const file = join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = a.weightData === undefined ? new ArrayBuffer(0) : new tf.io.CompositeArrayBuffer(a.weightData).slice();
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        trainingConfig: a.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      try {
        await ensureDir(dir, 'path');
        await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights));
        await writeFile(file, JSON.stringify(json));
      } catch (err) {
        throw new IoError(`cannot write ${file}: ${(err as Error).message}`, 'path');
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return file;
}
