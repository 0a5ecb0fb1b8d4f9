// The store as separate processes for the multi-process tests (test/ops/multi-process*.test.ts):
// `counterpart web`, `worker`, `scheduler` as child processes on the run's PostgreSQL database and
// a Redis prefix of their own (the test process's own workers, started by other files, must not
// take their jobs), each with a DATA_DIR of its own — they share nothing on disk. Also: signed-in
// buyers made without the login form (200 argon2 checks would be the test's whole time budget).
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ownerKey } from '../../src/infra/redis/prefix-owner.ts';
import { freePort, type Role, startRole } from '../faults/processes.ts';
import { until } from '../support/wait.ts';

/** The SESSION_SECRET startRole gives every role. */
const ROLE_SESSION_SECRET = 'fault-tier-secret-fault-tier-secret';

export interface Cluster {
  /** http://127.0.0.1:port of each web, in start order. */
  webs: string[];
  roles: Role[];
  /** Each role's DATA_DIR. */
  dirs: string[];
  /** The roles' Redis prefix. */
  prefix: string;
  /** The test's runtime with the roles' prefix: what it publishes (changes, store events) reaches them. */
  rt: Runtime;
  env: Record<string, string>;
  /** Starts one more role with the cluster's settings and a fresh DATA_DIR; resolves once it runs. */
  start(role: 'web' | 'worker' | 'scheduler', env?: Record<string, string>): Promise<Role>;
  /** SIGTERM to every role still running, then the folders removed. */
  stop(): Promise<void>;
}

const READY: Record<string, string> = { web: 'web listening', worker: 'workers started', scheduler: 'scheduler started' };

/** Waits for `text` in a role's output; the failure carries the output. */
export const started = (role: Role, text: string, what: string) =>
  until(() => role.out().includes(text), what, 90_000, 100).catch((err) => {
    throw new Error(`${(err as Error).message}\n${role.out()}`);
  });

export async function startCluster(
  rt: Runtime,
  shape: { webs: number; workers: number; scheduler: boolean },
  env: Record<string, string> = {},
): Promise<Cluster> {
  const prefix = `${process.env.REDIS_PREFIX}_mp`;
  const common = { BLOB_STORE: 'postgres', REDIS_PREFIX: prefix, HOST: '127.0.0.1', ...env };
  const roles: Role[] = [];
  const dirs: string[] = [];
  const start = async (role: 'web' | 'worker' | 'scheduler', extra: Record<string, string> = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cp-mp-${role}-`));
    dirs.push(dir);
    // webs[i] is the i-th web started (the port is taken before anything else awaits)
    const at = role === 'web' ? webs.push('') - 1 : -1;
    const port: Record<string, string> = role === 'web' ? { PORT: String(await freePort()) } : {};
    if (port.PORT) webs[at] = `http://127.0.0.1:${port.PORT}`;
    const r = startRole([role], { ...common, DATA_DIR: dir, ...port, ...extra });
    roles.push(r);
    await started(r, READY[role]!, `${role} ${roles.length} to start`);
    return r;
  };
  const webs: string[] = [];
  const wanted = [
    ...Array.from({ length: shape.webs }, () => 'web' as const),
    ...Array.from({ length: shape.workers }, () => 'worker' as const),
    ...(shape.scheduler ? ['scheduler' as const] : []),
  ];
  const cluster: Cluster = {
    webs,
    roles,
    dirs,
    prefix,
    rt: { ...rt, prefix },
    env: common,
    start,
    async stop() {
      for (const r of roles) await r.stop();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
  };
  // Every earlier cluster of this run is gone (each file stops or kills its roles), but a killed
  // role's claim on the prefix outlives it by OWNER_TTL_MS and would refuse this cluster's roles.
  await rt.redis.del(ownerKey(prefix));
  try {
    await Promise.all(wanted.map((r) => start(r)));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** A signed-in session for `userId` written straight into `sessions`: its cookie and CSRF token. */
export async function sessionFor(rt: Runtime, userId: number): Promise<{ cookie: string; csrf: string }> {
  const sid = randomBytes(24).toString('base64url');
  const csrf = randomBytes(18).toString('base64url');
  await rt.db('sessions').insert({ sid, sess: { userId, csrf }, expire: new Date(Date.now() + 3600_000) });
  const sig = createHmac('sha256', ROLE_SESSION_SECRET).update(sid).digest('base64url');
  return { cookie: `cp_sid=${sid}.${sig}`, csrf };
}
