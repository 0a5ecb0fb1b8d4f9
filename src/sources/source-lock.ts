// One sync per source at a time (a full sync and a changes run must not interleave their
// cursors). Two locks, taken in this order:
// - a Redis key with a token, renewed while the holder works: cheap, and what waiters poll;
// - a PostgreSQL session advisory lock keyed by the source, held on a connection of its own for
//   the whole sync: the real exclusion. A Redis restarted empty (or a key evicted, expired
//   during a long outage) lets a second caller take the key, but not the database lock, so no
//   second sync starts while the first one runs. It is released with its connection, so a
//   killed process never leaves it behind.
// The holder keeps working when only the Redis key went (it claims the key again); it is told to
// stop (its `signal`) when the database lock's connection is lost. Every commit is fenced as
// well (sync_epoch, src/sync/run.ts), so a sync that still lost the race never writes an older
// snapshot.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectionSettings } from '../infra/db/knex.ts';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** 1: renewed; 2: the key was gone and is claimed again; 0: someone else's. */
const RENEW = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;
const TTL_MS = 60_000;

export interface SourceLock {
  /** Aborted when the database lock is lost; its reason says why. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long the key lives without a renewal (renewed every third of it). */
  ttlMs?: number;
}

export class SourceLockLostError extends Error {
  constructor(
    readonly source: string,
    why: string,
  ) {
    super(`the sync lock of source "${source}" was lost (${why}); stopping so two syncs do not run at once`);
  }
}

export const lockKey = (prefix: string, source: string) => `${prefix}:lock:sync:${source}`;

/** What pg_stat_activity shows for the connection holding a source's database lock. */
export const lockApplicationName = (source: string) => `counterpart sync lock ${source}`.slice(0, 63);

/** The advisory lock's two keys: this application's namespace, then the source. */
const ADVISORY = `hashtext('counterpart:sync-source'), hashtext($1)`;

/** A connection holding the source's advisory lock, or null when another holder has it. */
async function lockInDatabase(rt: Runtime, source: string): Promise<pg.Client | null> {
  const conn = new pg.Client({ ...connectionSettings(rt.db), application_name: lockApplicationName(source) });
  await conn.connect();
  try {
    const { rows } = await conn.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${ADVISORY}) AS ok`, [source]);
    if (rows[0]?.ok) return conn;
  } catch (err) {
    // the query's error is the one to report; a failed close is only worth a line
    await conn.end().catch((end: Error) => log.warn({ source, err: end.message }, 'sync lock: closing the lock connection failed'));
    throw err;
  }
  await conn.end();
  return null;
}

const lastRefusal = new Map<string, number>();

export async function tryLockSource(rt: Runtime, source: string, opts: LockOptions = {}): Promise<SourceLock | null> {
  const ttl = opts.ttlMs ?? TTL_MS;
  const key = lockKey(rt.prefix, source);
  const token = randomUUID();
  if ((await rt.redis.set(key, token, 'PX', ttl, 'NX')) !== 'OK') return null;
  const dropKey = () =>
    rt.redis.eval(RELEASE, 1, key, token).catch((err: Error) => log.warn({ source, key, err: err.message }, 'sync lock key not released; it expires by itself'));
  let conn: pg.Client | null;
  try {
    conn = await lockInDatabase(rt, source);
  } catch (err) {
    await dropKey();
    throw err;
  }
  if (!conn) {
    // The key was free but the database lock is not: a holder runs whose key Redis lost (it
    // claims the key again at its next renewal). Said once per holder, not at every poll.
    if ((lastRefusal.get(source) ?? 0) < Date.now() - ttl) log.warn({ source, key }, 'sync lock: the Redis key was free but another sync holds the database lock');
    lastRefusal.set(source, Date.now());
    await dropKey();
    return null;
  }
  const held = conn;
  const lost = new AbortController();
  let released = false;
  const stop = (why: string, err?: unknown) => {
    clearInterval(timer);
    if (lost.signal.aborted || released) return;
    log.error({ source, key, err }, `sync lock lost: ${why}`);
    lost.abort(new SourceLockLostError(source, why));
  };
  held.on('error', (err) => stop(`the database connection holding it failed: ${err.message}`, err));
  held.on('end', () => stop('the database connection holding it closed'));

  let keyTrouble: string | undefined;
  const note = (trouble: string | undefined, err?: unknown) => {
    // Logged when the state changes, not at every renewal.
    if (trouble === keyTrouble) return;
    keyTrouble = trouble;
    if (trouble) log.warn({ source, key, err }, `sync lock key: ${trouble}; the database lock still holds, the sync goes on`);
    else log.info({ source, key }, 'sync lock key held again');
  };
  const renew = async () => {
    try {
      const r = Number(await rt.redis.eval(RENEW, 1, key, token, String(ttl)));
      if (r === 0) note('held by another token (a caller that will not get the database lock)');
      else if (r === 2) note(undefined);
      else if (keyTrouble) note(undefined);
    } catch (err) {
      note(`renewal failed: ${(err as Error).message}`, err);
    }
  };
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(ttl / 3)));
  timer.unref();
  return {
    signal: lost.signal,
    async release() {
      released = true;
      clearInterval(timer);
      // Closing the connection releases the advisory lock, whatever state it is in.
      await held.end().catch((err: Error) => log.warn({ source, err: err.message }, 'sync lock: closing its database connection failed'));
      await dropKey();
    },
  };
}

/** Waits up to `waitMs` for the lock (a full sync queues behind a running changes run). */
export async function lockSource(rt: Runtime, source: string, waitMs: number, opts: LockOptions = {}): Promise<SourceLock | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const lock = await tryLockSource(rt, source, opts);
    if (lock || Date.now() >= until) return lock;
    await new Promise((r) => setTimeout(r, 100));
  }
}
