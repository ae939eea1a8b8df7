/**
 * A throw-away single-node SLURM cluster for the end-to-end test of docs/slurm/*.sbatch
 * (test/slurm.test.ts): munged, slurmctld and slurmd started in the foreground as child processes
 * of the test, with every file (munge key and socket, slurm.conf, state, spool, logs) in one
 * temporary directory and free TCP ports, so nothing on the machine is touched and nothing needs
 * systemd. ProctrackType=proctrack/linuxproc and TaskPlugin=task/none need no cgroups.
 * Debian packages: slurm-wlm (slurmctld, slurmd, slurm-client) and munge. Needs root (slurmd
 * starts job steps as the submitting user).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, totalmem } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Exec> {
  return new Promise((res) => {
    execFile(cmd, args, { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      res({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr: stderr || (e && typeof e.code !== 'number' ? e.message : '') });
    });
  });
}

const SEARCH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/bin'];

/** Absolute path of an executable on PATH or in the sbin directories, or null. */
export function which(name: string): string | null {
  for (const d of SEARCH) if (d && existsSync(join(d, name))) return join(d, name);
  return null;
}

const NEEDED = ['munged', 'slurmctld', 'slurmd', 'slurmstepd', 'sbatch', 'squeue', 'scontrol', 'sinfo', 'srun', 'scancel'];

/** Why a cluster cannot be started here (without trying), or null. */
export function slurmUnavailable(): string | null {
  if (process.platform !== 'linux') return `SLURM is tested on Linux only (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (slurmd must run as root to start job steps)';
  const missing = NEEDED.filter((n) => which(n) === null);
  if (missing.length > 0) return `${missing.join(', ')} not found (apt-get install slurm-wlm munge)`;
  return null;
}

export interface SlurmCluster {
  /** The cluster's directory (slurm.conf, munge/, state/, spool/, log/). */
  dir: string;
  conf: string;
  node: string;
  /** Node hardware as slurmd -C reported it (and slurm.conf declares). */
  cpus: number;
  realMemoryMiB: number;
  /** Environment for the client commands (sbatch, squeue, …): SLURM_CONF and PATH. */
  env: NodeJS.ProcessEnv;
  /** Runs a client command against this cluster. */
  run(cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string }): Promise<Exec>;
  /** The daemons' log files, for failure messages. */
  logs(): Promise<string>;
  /** Cancels every job, stops the daemons, removes the directory (unless keep). */
  stop(keep?: boolean): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startDaemon(cmd: string, args: string[], logPath: string): ChildProcess {
  const fd = openSync(logPath, 'a');
  try {
    return spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } });
  } finally {
    closeSync(fd);
  }
}

async function tail(path: string, lines = 15): Promise<string> {
  const t = await readFile(path, 'utf8').catch(() => '');
  return t.trimEnd().split('\n').slice(-lines).join('\n');
}

async function stopDaemon(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(t);
}

/**
 * Starts munged, slurmctld and slurmd and waits until the node is idle. Throws an Error saying why
 * when a daemon does not come up (its log's tail included); whatever was started is stopped.
 */
export async function startSlurm(timeoutMs = 90_000): Promise<SlurmCluster> {
  const why = slurmUnavailable();
  if (why) throw new Error(why);
  const dir = await mkdtemp(join(tmpdir(), 'ricciflow-slurm-'));
  // munged insists that every directory above its socket is searchable by all.
  await chmod(dir, 0o755);
  for (const d of ['munge', 'state', 'spool', 'log']) await mkdir(join(dir, d), { mode: 0o755 });
  const daemons: ChildProcess[] = [];
  const node = hostname().split('.')[0] || 'localhost';
  const conf = join(dir, 'slurm.conf');
  const env: NodeJS.ProcessEnv = {
    PATH: [dirname(process.execPath), ...SEARCH].join(delimiter),
    HOME: process.env.HOME ?? '/root',
    LANG: 'C',
    SLURM_CONF: conf,
  };
  const run = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Exec> =>
    exec(which(cmd) ?? cmd, args, { env: { ...env, ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  const logs = async (): Promise<string> =>
    [
      `--- munged.log\n${await tail(join(dir, 'munge', 'munged.log'))}`,
      `--- slurmctld.log\n${await tail(join(dir, 'log', 'slurmctld.log'))}`,
      `--- slurmd.log\n${await tail(join(dir, 'log', 'slurmd.log'))}`,
    ].join('\n');
  const stop = async (keep = false): Promise<void> => {
    if (daemons.some((p) => p.exitCode === null && p.signalCode === null) && existsSync(conf)) {
      // Cancel whatever still runs, so no job step outlives the cluster.
      await run('scancel', ['--full', '--signal=KILL', `--user=${process.getuid?.() ?? 0}`]);
      await run('scancel', [`--user=${process.getuid?.() ?? 0}`]);
      for (let i = 0; i < 40; i++) {
        const q = await run('squeue', ['-h', '-o', '%i']);
        if (q.code !== 0 || q.stdout.trim() === '') break;
        await sleep(500);
      }
    }
    for (const p of [...daemons].reverse()) await stopDaemon(p);
    if (!keep) await rm(dir, { recursive: true, force: true });
  };

  try {
    // munge: a private key (what mungekey or dd from /dev/urandom writes) and a private socket.
    const m = join(dir, 'munge');
    await writeFile(join(m, 'munge.key'), randomBytes(1024), { mode: 0o600 });
    const socket = join(m, 'munge.socket');
    const munged = startDaemon(
      which('munged')!,
      ['-F', '--force', `--socket=${socket}`, `--key-file=${join(m, 'munge.key')}`, `--log-file=${join(m, 'munged.log')}`, `--pid-file=${join(m, 'munged.pid')}`, `--seed-file=${join(m, 'munged.seed')}`],
      join(m, 'munged.out'),
    );
    daemons.push(munged);
    for (let t = 0; !existsSync(socket); t += 100) {
      if (munged.exitCode !== null || t > 20_000)
        throw new Error(`munged did not start:\n${await tail(join(m, 'munged.out'))}\n${await tail(join(m, 'munged.log'))}`);
      await sleep(100);
    }

    // The node's hardware as slurmd sees it (slurm.conf must not claim more).
    const c = await exec(which('slurmd')!, ['-C'], { env });
    const hw = /CPUs=(\d+).*?RealMemory=(\d+)/.exec(c.stdout);
    const hwLine = c.stdout.split('\n')[0]?.replace(/^NodeName=\S+\s*/, '').trim() ?? '';
    const cpus = hw ? Number(hw[1]) : availableParallelism();
    const realMemoryMiB = hw ? Number(hw[2]) : Math.floor(totalmem() / 2 ** 20);
    const hardware = hw ? hwLine : `CPUs=${cpus} RealMemory=${realMemoryMiB}`;

    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const lines = [
      'ClusterName=ricciflow-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'MpiDefault=none',
      'ReturnToService=2',
      'MailProg=/bin/true',
      // finished jobs stay visible to scontrol for 10 minutes; 30 s from SIGTERM to SIGKILL
      'MinJobAge=600',
      'KillWait=30',
      `NodeName=${node} NodeAddr=127.0.0.1 ${hardware} State=UNKNOWN`,
      'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
    ];
    await writeFile(conf, lines.join('\n') + '\n');

    const ctld = startDaemon(which('slurmctld')!, ['-D', '-f', conf], join(dir, 'log', 'slurmctld.out'));
    daemons.push(ctld);
    const slurmd = startDaemon(which('slurmd')!, ['-D', '-N', node, '-f', conf], join(dir, 'log', 'slurmd.out'));
    daemons.push(slurmd);

    const deadline = Date.now() + timeoutMs;
    let state = '';
    for (;;) {
      for (const [name, p, out] of [['slurmctld', ctld, 'slurmctld.out'], ['slurmd', slurmd, 'slurmd.out']] as const)
        if (p.exitCode !== null || p.signalCode !== null)
          throw new Error(`${name} exited (${p.exitCode ?? p.signalCode}):\n${await tail(join(dir, 'log', out))}\n${await logs()}`);
      const s = await run('sinfo', ['-h', '-N', '-o', '%T']);
      state = s.code === 0 ? s.stdout.trim() : s.stderr.trim();
      if (s.code === 0 && /^idle/.test(state)) break;
      if (Date.now() > deadline) throw new Error(`the node did not become idle within ${timeoutMs / 1000} s (sinfo: ${state}):\n${await logs()}`);
      await sleep(500);
    }
    return { dir, conf, node, cpus, realMemoryMiB, env, run, logs, stop };
  } catch (err) {
    await stop(process.env.RICCIFLOW_SLURM_KEEP === '1').catch(() => undefined);
    throw err;
  }
}

export interface JobTask {
  /** The array task id, or null for a job that is not an array. */
  task: number | null;
  state: string;
  exitCode: string;
  runTime: string;
}

/** Waits until no task of a job is pending or running, then returns each task's final state. */
export async function waitJob(c: SlurmCluster, jobId: string, timeoutMs: number): Promise<JobTask[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const q = await c.run('squeue', ['-h', '-j', jobId, '-o', '%i %T']);
    if (q.code === 0 && q.stdout.trim() === '') break;
    if (q.code !== 0 && !/Invalid job id/i.test(q.stderr)) throw new Error(`squeue -j ${jobId} failed: ${q.stderr}`);
    if (q.code !== 0) break;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still queued or running after ${timeoutMs / 1000} s:\n${q.stdout}`);
    await sleep(2000);
  }
  const s = await c.run('scontrol', ['-o', 'show', 'job', jobId]);
  if (s.code !== 0) throw new Error(`scontrol show job ${jobId} failed: ${s.stderr}`);
  return s.stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const f = (k: string): string => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(l)?.[1] ?? '';
      const t = f('ArrayTaskId');
      return { task: t === '' ? null : Number(t), state: f('JobState'), exitCode: f('ExitCode'), runTime: f('RunTime') };
    })
    .sort((a, b) => (a.task ?? 0) - (b.task ?? 0));
}

/** sbatch --parsable …: the job id. */
export async function sbatch(c: SlurmCluster, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd: string }): Promise<string> {
  const r = await c.run('sbatch', ['--parsable', ...args], opts);
  if (r.code !== 0) throw new Error(`sbatch ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${r.stdout} ${r.stderr}`);
  return id;
}
