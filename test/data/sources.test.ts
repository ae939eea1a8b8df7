/**
 * Image data from other frameworks' caches (torchvision, Keras), the cache directory from the
 * environment (RICCIFLOW_CACHE_DIR, XDG_CACHE_HOME), and downloads through HTTP(S)_PROXY — all
 * on this machine: fake IDX files, a proxy and mirrors on 127.0.0.1 (fake host names are mapped
 * to loopback by the test proxy).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { IDX_FILES, loadPair } from '../../src/data/mnist.js';
import { cacheRoot, frameworkDirs, proxyFor, requestVia } from '../../src/data/sources.js';
import { encodeNpyArray } from '../../src/io/arrays.js';
import { writeZip } from '../../src/io/zip.js';
import { idx } from '../helpers/idx.js';

const root = mkdtempSync(join(tmpdir(), 'ricciflow-sources-'));
const ENV_KEYS = ['RICCIFLOW_DATA_DIR', 'RICCIFLOW_CACHE_DIR', 'XDG_CACHE_HOME', 'TORCHVISION_ROOT', 'KERAS_HOME', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A tiny MNIST-like set: 30 train and 20 test 3×3 images, labels cycling 0–9.
const trainX = Uint8Array.from({ length: 270 }, (_, i) => (i * 7) % 256);
const trainY = Uint8Array.from({ length: 30 }, (_, i) => i % 10);
const testX = Uint8Array.from({ length: 180 }, (_, i) => (i * 3) % 256);
const testY = Uint8Array.from({ length: 20 }, (_, i) => i % 10);
const raw: Record<string, Uint8Array> = {
  [IDX_FILES.trainImages]: idx([30, 3, 3], trainX),
  [IDX_FILES.trainLabels]: idx([30], trainY),
  [IDX_FILES.testImages]: idx([20, 3, 3], testX),
  [IDX_FILES.testLabels]: idx([20], testY),
};
function writeIdxDir(dir: string, gz: boolean): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(raw)) writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
}
const expectPair = (p: { nTrain: number; nTest: number; d: number; xTest: Float32Array }): void => {
  expect([p.nTrain, p.nTest, p.d]).toEqual([6, 4, 9]); // classes 1 and 7: 3 + 3 train, 2 + 2 test
  expect(p.xTest[0]).toBe(testX[9]); // test image 1 (label 1), first pixel
};

describe('where data are found', () => {
  it('the cache directory follows RICCIFLOW_CACHE_DIR, then XDG_CACHE_HOME', () => {
    expect(cacheRoot({})).toBe(join(homedir(), '.cache', 'ricciflow'));
    expect(cacheRoot({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/ricciflow');
    expect(cacheRoot({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'ricciflow')); // XDG: absolute paths only
    expect(cacheRoot({ XDG_CACHE_HOME: '/x/cache', RICCIFLOW_CACHE_DIR: '/y' })).toBe('/y');
  });

  it('probes the torchvision and Keras layouts', () => {
    const d = frameworkDirs('fashion-mnist', { TORCHVISION_ROOT: '/t', KERAS_HOME: '/k' });
    expect(d[0]).toBe('/k/datasets/fashion-mnist');
    expect(d[1]).toBe('/t/FashionMNIST/raw');
    expect(d).toContain(join(homedir(), 'data', 'FashionMNIST', 'raw'));
    expect(frameworkDirs('mnist', { TORCHVISION_ROOT: '/t' })[0]).toBe('/t/MNIST/raw');
  });

  it('loads MNIST from a torchvision root (raw IDX files)', async () => {
    const tv = join(root, 'torchvision');
    writeIdxDir(join(tv, 'MNIST', 'raw'), false);
    process.env.TORCHVISION_ROOT = tv;
    const p = await loadPair({ dataset: 'mnist', classes: [1, 7], cacheDir: join(root, 'empty-cache-1'), download: false });
    expect(p.dir).toBe(join(tv, 'MNIST', 'raw'));
    expectPair(p);
  });

  it('loads Fashion-MNIST from the Keras cache (.gz IDX files)', async () => {
    const kh = join(root, 'keras');
    writeIdxDir(join(kh, 'datasets', 'fashion-mnist'), true);
    process.env.KERAS_HOME = kh;
    const p = await loadPair({ dataset: 'fashion-mnist', classes: [1, 7], cacheDir: join(root, 'empty-cache-2'), download: false });
    // Debian's dataset-fashion-mnist (the real files) comes first when installed.
    if (p.dir !== '/usr/share/datasets/fashion-mnist') {
      expect(p.dir).toBe(join(kh, 'datasets', 'fashion-mnist'));
      expectPair(p);
    }
  });

  it("converts Keras's mnist.npz into IDX files in the cache (RICCIFLOW_CACHE_DIR)", async () => {
    const kh = join(root, 'keras2');
    mkdirSync(join(kh, 'datasets'), { recursive: true });
    writeFileSync(
      join(kh, 'datasets', 'mnist.npz'),
      writeZip([
        { name: 'x_test.npy', data: encodeNpyArray(testX, [20, 3, 3]) },
        { name: 'x_train.npy', data: encodeNpyArray(trainX, [30, 3, 3]) },
        { name: 'y_train.npy', data: encodeNpyArray(trainY, [30]) },
        { name: 'y_test.npy', data: encodeNpyArray(testY, [20]) },
      ]),
    );
    process.env.KERAS_HOME = kh;
    process.env.RICCIFLOW_CACHE_DIR = join(root, 'rf-cache');
    const p = await loadPair({ dataset: 'mnist', classes: [1, 7], download: false });
    expect(p.dir).toBe(join(root, 'rf-cache', 'mnist'));
    expectPair(p);
    for (const [name, bytes] of Object.entries(raw)) expect(readFileSync(join(root, 'rf-cache', 'mnist', name))).toEqual(Buffer.from(bytes));
  });
});

describe('downloads through a proxy', () => {
  const gz = Object.fromEntries(Object.entries(raw).map(([k, v]) => [`${k}.gz`, gzipSync(v)]));
  const hashes = Object.fromEntries(Object.entries(gz).map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));
  let mirror: http.Server, proxy: http.Server;
  let mirrorPort = 0, proxyPort = 0;
  const proxied: string[] = [];
  const tunnels: { destroy(): void }[] = [];
  beforeAll(async () => {
    mirror = http.createServer((req, res) => {
      const body = gz[(req.url ?? '').split('/').pop() ?? ''];
      if (!body) res.writeHead(404).end();
      else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    mirrorPort = (mirror.address() as AddressInfo).port;
    // A forward proxy that maps every host to 127.0.0.1 (absolute-URI GETs and CONNECT tunnels).
    proxy = http.createServer((req, res) => {
      proxied.push(`GET ${req.url} auth=${req.headers['proxy-authorization'] ?? ''}`);
      const u = new URL(req.url ?? '');
      const up = http.get({ host: '127.0.0.1', port: u.port, path: u.pathname, headers: { host: u.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
    });
    proxy.on('connect', (req, socket, head) => {
      proxied.push(`CONNECT ${req.url}`);
      tunnels.push(socket);
      const [, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), '127.0.0.1', () => {
        tunnels.push(up);
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const t of tunnels) t.destroy();
    for (const s of [mirror, proxy]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('proxyFor honours HTTPS_PROXY, HTTP_PROXY, NO_PROXY and never proxies loopback', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'p2:8080', NO_PROXY: 'internal.org,.corp' };
    expect(proxyFor(new URL('https://a.example/x'), env)?.host).toBe('p:3128');
    expect(proxyFor(new URL('http://a.example/x'), env)?.host).toBe('p2:8080');
    expect(proxyFor(new URL('https://internal.org/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://m.corp/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://127.0.0.1/x'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://a.example/x'), { ...env, NO_PROXY: '*' })).toBeUndefined();
    expect(proxyFor(new URL('https://a.example/x'), {})).toBeUndefined();
  });

  it('loadPair downloads through HTTP_PROXY (with credentials)', async () => {
    process.env.HTTP_PROXY = `http://user:pa%3Ass@127.0.0.1:${proxyPort}`;
    proxied.length = 0;
    const p = await loadPair({
      dataset: 'mnist', classes: [1, 7], baseUrl: `http://mirror.test:${mirrorPort}/mnist/`, cacheDir: join(root, 'proxy-cache'), sha256: hashes,
    });
    expectPair(p);
    expect(proxied).toHaveLength(4);
    expect(proxied[0]).toMatch(new RegExp(`^GET http://mirror.test:${mirrorPort}/mnist/train-images-idx3-ubyte.gz auth=Basic ${Buffer.from('user:pa:ss').toString('base64')}$`));
  });

  let hasOpenssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    hasOpenssl = false;
  }
  it.skipIf(!hasOpenssl)('https goes through a CONNECT tunnel of HTTPS_PROXY (TLS to the real host; needs openssl for a test certificate)', async () => {
    const key = join(root, 'key.pem'), cert = join(root, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test'], { stdio: 'ignore' });
    const tlsServer = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('secret'));
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    const port = (tlsServer.address() as AddressInfo).port;
    try {
      proxied.length = 0;
      const via = requestVia(new URL(`https://secure.test:${port}/x`), { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` });
      const body = await new Promise<string>((res, rej) => {
        via.mod
          .get(via.target, { ...via.options, ca: readFileSync(cert) }, (r) => {
            let s = '';
            r.on('data', (c) => (s += c));
            r.on('end', () => res(s));
          })
          .on('error', rej);
      });
      expect(body).toBe('secret');
      expect(proxied).toEqual([`CONNECT secure.test:${port}`]);
    } finally {
      tlsServer.closeAllConnections();
      await new Promise((r) => tlsServer.close(r));
    }
  });
});
