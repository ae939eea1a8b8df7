/**
 * Where image datasets come from besides our own cache and mirrors, and how downloads reach the
 * network (src/data/mnist-files.ts uses these):
 *
 * - The cache directory: `$RICCIFLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/ricciflow`, else
 *   `~/.cache/ricciflow`.
 * - Other frameworks' caches, probed (read only) before downloading:
 *   - Keras: `~/.keras/datasets/fashion-mnist/` (the four IDX `.gz` files, used as they are) and
 *     `~/.keras/datasets/mnist.npz` (x_train, y_train, x_test, y_test; converted once into IDX files
 *     in our cache); `$KERAS_HOME/datasets` when KERAS_HOME is set.
 *   - torchvision: `<root>/MNIST/raw/` and `<root>/FashionMNIST/raw/` (IDX files, raw or `.gz`)
 *     for root in `$TORCHVISION_ROOT` (ours: the `root=` you pass to torchvision), `./data`,
 *     `~/data`, `~/datasets`, `~/.torch/datasets` and `~/.cache/torchvision`.
 * - Proxies: `HTTPS_PROXY`/`https_proxy` for https URLs, `HTTP_PROXY`/`http_proxy` for http URLs
 *   (an `http://[user:pass@]host:port` proxy; https goes through a CONNECT tunnel), except hosts
 *   listed in `NO_PROXY`/`no_proxy` (comma-separated names or `.suffix`es, `*` = all) and loopback
 *   addresses (localhost, 127.x, ::1).
 */
import { rename, stat } from 'node:fs/promises';
import { ensureDir } from '../core/files.js';
import http from 'node:http';
import https from 'node:https';
import { PassThrough, type Duplex } from 'node:stream';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import tls from 'node:tls';
import { writeFile } from 'node:fs/promises';

import { IoError } from '../core/errors.js';

/** Our download cache: RICCIFLOW_CACHE_DIR, else XDG_CACHE_HOME/ricciflow, else ~/.cache/ricciflow. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RICCIFLOW_CACHE_DIR) return resolve(env.RICCIFLOW_CACHE_DIR);
  if (env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/')) return join(env.XDG_CACHE_HOME, 'ricciflow');
  return join(homedir(), '.cache', 'ricciflow');
}

/** Directories of other frameworks' caches that may hold a dataset's IDX files, in probe order. */
export function frameworkDirs(dataset: 'mnist' | 'fashion-mnist', env: NodeJS.ProcessEnv = process.env): string[] {
  const home = homedir();
  const keras = env.KERAS_HOME ? join(env.KERAS_HOME, 'datasets') : join(home, '.keras', 'datasets');
  const torchRoots = [
    ...(env.TORCHVISION_ROOT ? [resolve(env.TORCHVISION_ROOT)] : []),
    resolve('data'),
    join(home, 'data'),
    join(home, 'datasets'),
    join(home, '.torch', 'datasets'),
    join(home, '.cache', 'torchvision'),
  ];
  const torchName = dataset === 'mnist' ? 'MNIST' : 'FashionMNIST';
  return [
    ...(dataset === 'fashion-mnist' ? [join(keras, 'fashion-mnist')] : []),
    ...torchRoots.map((r) => join(r, torchName, 'raw')),
  ];
}

/** Keras's `mnist.npz`, when present. */
export function kerasMnistNpz(env: NodeJS.ProcessEnv = process.env): string {
  const keras = env.KERAS_HOME ? join(env.KERAS_HOME, 'datasets') : join(homedir(), '.keras', 'datasets');
  return join(keras, 'mnist.npz');
}

function idxBytes(data: Uint8Array, dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint8(2, 0x08); // unsigned byte
  dv.setUint8(3, dims.length);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * Converts Keras's `mnist.npz` (uint8 x (n, 28, 28), y (n,)) into the four raw IDX files in `dest`
 * (the same images and labels as the official files). Returns false when there is no such file.
 * @throws FormatError when the archive does not hold what Keras writes.
 */
export async function importKerasMnist(dest: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const src = kerasMnistNpz(env);
  const st = await stat(src).catch(() => null);
  if (!st?.isFile()) return false;
  const { readNpz } = await import('../io/npz.js');
  const { FormatError } = await import('../core/errors.js');
  const arrays = new Map((await readNpz(src)).map((a) => [a.key, a.matrix]));
  const files: Array<[string, Uint8Array]> = [];
  for (const [split, prefix] of [['train', 'train'], ['test', 't10k']] as const) {
    const x = arrays.get(`x_${split}`), y = arrays.get(`y_${split}`);
    if (!x || !y || x.n !== y.n || y.d !== 1 || (x.shape && x.shape.length !== 3))
      throw new FormatError(`${src}: expected x_${split} (n, 28, 28) and y_${split} (n,) as Keras writes them`);
    const dims = x.shape ?? [x.n, x.d];
    files.push([`${prefix}-images-idx3-ubyte`, idxBytes(Uint8Array.from(x.data), dims)]);
    files.push([`${prefix}-labels-idx1-ubyte`, idxBytes(Uint8Array.from(y.data), [y.n])]);
  }
  try {
    await ensureDir(dest, 'dir');
    for (const [name, bytes] of files) {
      const tmp = join(dest, `${name}.${process.pid}.part`);
      await writeFile(tmp, bytes);
      await rename(tmp, join(dest, name));
    }
  } catch (err) {
    throw new IoError(`cannot write the converted Keras MNIST into ${dest}: ${(err as Error).message}`);
  }
  return true;
}

/** The proxy URL for `target`, or undefined (no proxy variable, or NO_PROXY matches). */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const raw = target.protocol === 'https:' ? env.HTTPS_PROXY ?? env.https_proxy : env.HTTP_PROXY ?? env.http_proxy;
  if (!raw) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return undefined; // loopback never goes through a proxy
  for (const np of noProxy) {
    if (np === '*') return undefined;
    const bare = np.replace(/^\*?\./, '').replace(/:\d+$/, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new IoError(`proxy setting '${raw}' is not a valid URL`);
  }
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}

/** An https agent that reaches every host through a CONNECT tunnel of an http proxy. */
class TunnelAgent extends https.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: false });
  }

  override createConnection(options: http.ClientRequestArgs, cb?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const host = (options.hostname ?? options.host ?? 'localhost') as string;
    const port = Number(options.port ?? 443);
    const req = http.request({
      host: this.proxy.hostname,
      port: Number(this.proxy.port || 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers: { Host: `${host}:${port}`, ...proxyAuth(this.proxy) },
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        cb?.(new IoError(`proxy ${this.proxy.host} refused CONNECT ${host}:${port}: HTTP ${res.statusCode}`), socket);
        return;
      }
      const o = options as tls.ConnectionOptions;
      cb?.(null, tls.connect({ ...o, socket, servername: o.servername ?? (isIP(host) ? undefined : host) } as tls.ConnectionOptions));
    });
    req.once('error', (err) => cb?.(new IoError(`proxy ${this.proxy.host}: ${err.message}`), req.socket ?? new PassThrough()));
    req.end();
    return undefined;
  }
}

/**
 * How to GET `url`: the module, URL and options to pass to `get`, going through the environment's
 * proxy when one applies (https by CONNECT tunnel, http by absolute-URI request to the proxy).
 */
export function requestVia(url: URL, env: NodeJS.ProcessEnv = process.env): { mod: typeof http | typeof https; target: URL; options: http.RequestOptions } {
  const proxy = proxyFor(url, env);
  if (!proxy) return { mod: url.protocol === 'https:' ? https : http, target: url, options: {} };
  if (url.protocol === 'https:') return { mod: https, target: url, options: { agent: new TunnelAgent(proxy) } };
  return {
    mod: http,
    target: proxy,
    options: { path: url.toString(), headers: { Host: url.host, ...proxyAuth(proxy) } },
  };
}
