import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, FormatError, IoError } from '../../src/core/errors.js';
import { IDX_FILES, downloadIdx, loadPair } from '../../src/data/mnist.js';
import { idx } from '../helpers/idx.js';


const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// 50 training and 20 test "images" of 3×3 pixels; label i % 10.
const files: Record<string, Buffer> = {
  [`${IDX_FILES.trainImages}.gz`]: gzipSync(idx([50, 3, 3], Uint8Array.from({ length: 450 }, (_, i) => i % 256))),
  [`${IDX_FILES.trainLabels}.gz`]: gzipSync(idx([50], Uint8Array.from({ length: 50 }, (_, i) => i % 10))),
  [`${IDX_FILES.testImages}.gz`]: gzipSync(idx([20, 3, 3], Uint8Array.from({ length: 180 }, (_, i) => (i * 3) % 256))),
  [`${IDX_FILES.testLabels}.gz`]: gzipSync(idx([20], Uint8Array.from({ length: 20 }, (_, i) => i % 10))),
};
const hashes = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha(v)]));
const FIRST = `${IDX_FILES.trainImages}.gz`; // the first file fetched
const truncatedContent = files[FIRST]!.subarray(0, files[FIRST]!.length - 10);

let server: http.Server;
let base: string;
const hits: string[] = [];
let root: string;
let cacheDir: string;

beforeAll(async () => {
  delete process.env.RICCIFLOW_DATA_DIR;
  delete process.env.RICCIFLOW_MNIST_URL;
  root = mkdtempSync(join(tmpdir(), 'ricciflow-dl-'));
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const [, mode, file] = (req.url ?? '').split('/');
    const body = files[file ?? ''];
    if (!body || mode === 'missing') {
      res.writeHead(404).end('not found');
      return;
    }
    switch (mode) {
      case 'good':
        res.writeHead(200, { 'content-length': body.length }).end(body);
        return;
      case 'redirect':
        res.writeHead(302, { location: `/good/${file}` }).end();
        return;
      case 'cut': {
        // announces the full length, sends half, then drops the connection
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.destroy(), 20));
        return;
      }
      case 'corrupt': {
        const c = Buffer.from(body);
        c[c.length >> 1] ^= 0xff;
        res.writeHead(200, { 'content-length': c.length }).end(c);
        return;
      }
      case 'short': // a file that is itself truncated (served completely)
        res.writeHead(200, { 'content-length': truncatedContent.length }).end(truncatedContent);
        return;
      case 'slow':
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 10)); // then nothing
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

let caseNo = 0;
beforeEach(() => {
  cacheDir = join(root, `cache-${caseNo++}`);
  hits.length = 0;
});

/** Files left in the dataset's cache directory (none if it was never created). */
function cacheEntries(dataset = 'mnist'): string[] {
  const d = join(cacheDir, dataset);
  return existsSync(d) ? readdirSync(d) : [];
}

describe('download into the cache', () => {
  it('good files load, are cached, and are not fetched again', async () => {
    const p = await loadPair({ dataset: 'mnist', classes: [1, 7], baseUrl: `${base}/good/`, cacheDir, sha256: hashes });
    expect([p.nTrain, p.nTest, p.d]).toEqual([10, 4, 9]);
    expect(Array.from(p.yTrain)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(p.dir).toBe(join(cacheDir, 'mnist'));
    expect(p.source).toBe('official');
    expect(cacheEntries().sort()).toEqual(Object.keys(files).sort());
    expect(hits).toHaveLength(4);

    hits.length = 0;
    // the mirror now answers 404 to everything: the cache must serve
    const q = await loadPair({ dataset: 'mnist', classes: [1, 7], baseUrl: `${base}/missing`, cacheDir, sha256: hashes });
    expect(hits).toHaveLength(0);
    expect(q.xTrain).toEqual(p.xTrain);
  });

  it('follows redirects; base URL from RICCIFLOW_MNIST_URL', async () => {
    process.env.RICCIFLOW_MNIST_URL = `${base}/redirect`;
    try {
      const p = await loadPair({ dataset: 'mnist', classes: [0, 9], cacheDir, sha256: hashes, scale: 'unit' });
      expect(p.nTest).toBe(4);
      expect(hits.filter((h) => h.startsWith('/redirect/'))).toHaveLength(4);
      expect(hits.filter((h) => h.startsWith('/good/'))).toHaveLength(4);
    } finally {
      delete process.env.RICCIFLOW_MNIST_URL;
    }
  });

  it('a truncated transfer is an IoError and leaves nothing in the cache', async () => {
    const err = await loadPair({ dataset: 'mnist', classes: [1, 7], baseUrl: `${base}/cut`, cacheDir, sha256: hashes }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/truncated/);
    expect((err as Error).message).toContain(FIRST);
    expect(cacheEntries()).toEqual([]);
  });

  it('a corrupted file (wrong SHA-256) is a FormatError and leaves nothing in the cache', async () => {
    const err = await loadPair({
      dataset: 'mnist',
      classes: [1, 7],
      baseUrl: `${base}/corrupt`,
      cacheDir,
      sha256: hashes,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/SHA-256 mismatch/);
    expect((err as Error).message).toContain(hashes[FIRST]);
    expect(cacheEntries()).toEqual([]);
  });

  it('the built-in table is used when no override is given (our test files are not MNIST)', async () => {
    const err = await loadPair({ dataset: 'mnist', classes: [1, 7], baseUrl: `${base}/good`, cacheDir }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toContain('440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609');
    expect(cacheEntries()).toEqual([]);
  });

  it('a truncated file whose hash matches still fails the IDX check and is not cached', async () => {
    const err = await loadPair({
      dataset: 'mnist',
      classes: [1, 7],
      baseUrl: `${base}/short`,
      cacheDir,
      sha256: { ...hashes, [FIRST]: sha(truncatedContent) },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/not a valid IDX file/);
    expect((err as Error).message).not.toMatch(/\.part/);
    expect(cacheEntries()).toEqual([]);
  });

  it('HTTP errors are IoError', async () => {
    const err = await loadPair({ dataset: 'mnist', classes: [1, 7], baseUrl: `${base}/missing`, cacheDir, sha256: hashes }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/HTTP 404/);
    expect(cacheEntries()).toEqual([]);
  });

  it('a stalled transfer times out with IoError, nothing cached', async () => {
    const err = await loadPair({
      dataset: 'mnist',
      classes: [1, 7],
      baseUrl: `${base}/slow`,
      cacheDir,
      sha256: hashes,
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/timed out/);
    expect(cacheEntries()).toEqual([]);
  });

  it('an abort signal cancels with CancelledError, nothing cached', async () => {
    const ac = new AbortController();
    const pending = downloadIdx(`${base}/slow/${FIRST}`, join(cacheDir, 'mnist', FIRST), hashes[FIRST]!, {
      signal: ac.signal,
    }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 100);
    expect(await pending).toBeInstanceOf(CancelledError);
    expect(cacheEntries()).toEqual([]);
  });

  it('with download disabled, missing files are an IoError', async () => {
    const err = await loadPair({ dataset: 'mnist', classes: [1, 7], cacheDir, download: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/downloading is disabled/);
    expect(hits).toHaveLength(0);
  });
});
