// The Redis prefix is bound to the database it serves. Every role claims `<prefix>:owner` with
// this store's identity (store_identity.id, the database name, the PostgreSQL system identifier)
// and refuses to start while the key names another store: two stores sharing one Redis and
// prefix would take each other's jobs (an exchange then hangs at "queued" in the other store).
// The key lives OWNER_TTL_MS and every running role renews it, so it names a store that runs: a
// store stopped for good frees the prefix within that time (at once on a clean shutdown), and a
// Redis restarted empty gets it back at the next renewal or reconnect.
import type { Db } from '../db/knex.ts';
import { log } from '../log.ts';
import type { Runtime } from '../runtime.ts';

export interface StoreIdentity {
  store: string;
  database: string;
  /** pg_control_system()'s system identifier; null where the server does not tell it. */
  system: string | null;
}

export const ownerKey = (prefix: string) => `${prefix}:owner`;
export const OWNER_TTL_MS = 60_000;

/** 1: ours (renewed or claimed); 0: another store's. */
const CLAIM = `local v = redis.call('get', KEYS[1])
if v == false or v == ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** One spelling of an identity, so Redis compares strings. */
const encode = (i: StoreIdentity) => JSON.stringify({ store: i.store, database: i.database, system: i.system });

export async function storeIdentity(db: Db): Promise<StoreIdentity> {
  const {
    rows: [first],
  } = await db.raw<{ rows: { store: string | null; database: string }[] }>('SELECT (SELECT id::text FROM store_identity) AS store, current_database() AS database');
  if (!first?.store) throw new Error('store_identity is empty: run the migrations (counterpart migrate)');
  let system: string | null = null;
  try {
    system = (await db.raw<{ rows: { s: string }[] }>('SELECT system_identifier::text AS s FROM pg_control_system()')).rows[0]?.s ?? null;
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'pg_control_system() not readable; the Redis prefix is bound to store id and database name only');
  }
  return { store: first.store, database: first.database, system };
}

export class PrefixTakenError extends Error {
  constructor(
    readonly prefix: string,
    readonly theirs: Partial<StoreIdentity>,
    readonly ours: StoreIdentity,
  ) {
    const who = (i: Partial<StoreIdentity>) => `database "${i.database ?? '?'}" (store ${i.store ?? '?'}, PostgreSQL system ${i.system ?? '?'})`;
    super(
      `Redis prefix "${prefix}" belongs to another store that is running: ${who(theirs)}; this store is ${who(ours)}. ` +
        "Two stores sharing one Redis and prefix would take each other's jobs. Give this store its own REDIS_PREFIX (or Redis); " +
        `the key "${ownerKey(prefix)}" expires ${OWNER_TTL_MS / 1000} s after that store stopped.`,
    );
  }
}

/** Claims (or renews) the prefix for this store, or throws PrefixTakenError naming both stores. */
export async function claimPrefix(rt: Pick<Runtime, 'db' | 'redis' | 'prefix'>, identity?: StoreIdentity, ttlMs = OWNER_TTL_MS): Promise<StoreIdentity> {
  const ours = identity ?? (await storeIdentity(rt.db));
  const key = ownerKey(rt.prefix);
  if (Number(await rt.redis.eval(CLAIM, 1, key, encode(ours), String(ttlMs))) === 1) return ours;
  let theirs: Partial<StoreIdentity> = {};
  try {
    theirs = JSON.parse((await rt.redis.get(key)) ?? '{}');
  } catch {
    theirs = {};
  }
  throw new PrefixTakenError(rt.prefix, theirs, ours);
}

/**
 * Claims the prefix at start (throws when another store holds it), renews it every third of its
 * lifetime and after every reconnect, and gives it up on shutdown. Another store's key found by a
 * running process cannot stop it cleanly: that is logged as an error.
 */
export async function bindPrefix(rt: Runtime, ttlMs = OWNER_TTL_MS): Promise<void> {
  const ours = await claimPrefix(rt, undefined, ttlMs);
  let complained = false;
  const renew = () =>
    claimPrefix(rt, ours, ttlMs).then(
      () => {
        complained = false;
      },
      (err: Error) => {
        if (!complained) log.error({ prefix: rt.prefix, err: err.message }, 'Redis prefix check failed');
        complained = true;
      },
    );
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();
  let first = rt.redis.status === 'ready';
  const again = () => {
    if (!first) {
      first = true;
      return;
    }
    void renew();
  };
  rt.redis.on('ready', again);
  rt.onShutdown('redis prefix owner', async () => {
    clearInterval(timer);
    rt.redis.off('ready', again);
    // Another role of this store renews it at its next tick; a store started next need not wait.
    await rt.redis.eval(RELEASE, 1, ownerKey(rt.prefix), encode(ours)).catch((err: Error) => log.warn({ err: err.message }, 'Redis prefix owner key not released'));
  });
  log.info({ prefix: rt.prefix, store: ours.store, database: ours.database }, 'redis prefix bound to this database');
}
