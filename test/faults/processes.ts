// Real processes for the fault tier: a redis-server of the test's own (no persistence, so a
// restart is an empty server, as in production without RDB/AOF) and store roles as child
// processes of `src/main.ts`, whose output the tests read.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { redisAnswers } from '../../src/infra/redis/redis.ts';
import { until } from '../support/wait.ts';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

/** Whether a process of this pid still runs (signal 0 only asks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL, as a crash or a failover does it; resolves when the process is gone. */
  kill(): Promise<void>;
}

/** Starts redis-server on `port` without persistence; resolves once it answers PING. */
export async function startRedis(port: number): Promise<OwnRedis> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `redis://127.0.0.1:${port}`;
  await until(() => redisAnswers(url, 200), `redis-server on port ${port}`, 10_000, 50);
  return {
    url,
    port,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Role {
  child: ChildProcess;
  out(): string;
  exit: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * `counterpart <args>` as a production start (no --demo) with `env` over the test's environment;
 * a variable given as undefined is removed (DATABASE_URL: the embedded cluster).
 */
export function startRole(args: string[], env: Record<string, string | undefined>): Role {
  let out = '';
  const merged: Record<string, string | undefined> = { ...process.env, PUBLIC_URL: 'https://store.example', SESSION_SECRET: 'fault-tier-secret-fault-tier-secret', LOG_LEVEL: 'info', ...env };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    out: () => out,
    exit,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exit;
    },
  };
}
