// The Redis prefix is bound to the database it serves. Every role claims `<prefix>:owner` with
// this store's identity (store_identity.id, the database name, the PostgreSQL system identifier)
// at start and refuses to start when the key names another store: two stores sharing one Redis
// and prefix would take each other's jobs (an exchange then hangs at "queued" in the other store).
// A Redis restarted empty lost the key: it is claimed again on every reconnect.
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
      `Redis prefix "${prefix}" belongs to another store: ${who(theirs)}; this store is ${who(ours)}. ` +
        'Two stores sharing one Redis and prefix would take each other\'s jobs. Give this store its own REDIS_PREFIX (or Redis), ' +
        `or, if that store is gone for good, delete the key "${ownerKey(prefix)}" (redis-cli DEL ${ownerKey(prefix)}).`,
    );
  }
}

const same = (a: Partial<StoreIdentity>, b: StoreIdentity) => a.store === b.store && a.database === b.database && (a.system ?? null) === b.system;

/** Claims the prefix for this store, or throws PrefixTakenError naming both stores. */
export async function claimPrefix(rt: Pick<Runtime, 'db' | 'redis' | 'prefix'>, identity?: StoreIdentity): Promise<StoreIdentity> {
  const ours = identity ?? (await storeIdentity(rt.db));
  const key = ownerKey(rt.prefix);
  const value = JSON.stringify({ ...ours, claimedAt: new Date().toISOString() });
  if ((await rt.redis.set(key, value, 'NX')) === 'OK') return ours;
  const raw = await rt.redis.get(key);
  let theirs: Partial<StoreIdentity> = {};
  try {
    theirs = JSON.parse(raw ?? '{}');
  } catch {
    theirs = {};
  }
  if (raw === null) return claimPrefix(rt, ours); // gone between the two calls
  if (!same(theirs, ours)) throw new PrefixTakenError(rt.prefix, theirs, ours);
  return ours;
}

/**
 * Claims the prefix at start (throws when it is another store's) and again after every reconnect
 * (a Redis restarted empty lost the key). Another store's key found after a reconnect cannot stop
 * a running process cleanly: it is logged as an error at every reconnect.
 */
export async function bindPrefix(rt: Runtime): Promise<void> {
  const ours = await claimPrefix(rt);
  let first = rt.redis.status === 'ready';
  const again = () => {
    if (!first) {
      first = true;
      return;
    }
    claimPrefix(rt, ours).catch((err: Error) => log.error({ prefix: rt.prefix, err: err.message }, 'Redis prefix check after a reconnect failed'));
  };
  rt.redis.on('ready', again);
  rt.onShutdown('redis prefix owner', async () => void rt.redis.off('ready', again));
  log.info({ prefix: rt.prefix, store: ours.store, database: ours.database }, 'redis prefix bound to this database');
}
