// One sync per source at a time (a full sync and a changes run must not interleave their
// cursors). A Redis lock with a token, renewed while the holder works. A renewal that fails
// (Redis error) or finds the key gone or someone else's aborts the holder's `signal`: the sync
// checks it between batches and rolls back, since another holder may already be running.
import { randomUUID } from 'node:crypto';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const TTL_MS = 60_000;

export interface SourceLock {
  /** Aborted when the lock is lost or could not be renewed; its reason says which. */
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

export async function tryLockSource(rt: Runtime, source: string, opts: LockOptions = {}): Promise<SourceLock | null> {
  const ttl = opts.ttlMs ?? TTL_MS;
  const key = lockKey(rt.prefix, source);
  const token = randomUUID();
  if ((await rt.redis.set(key, token, 'PX', ttl, 'NX')) !== 'OK') return null;
  const lost = new AbortController();
  const stop = (why: string, err?: unknown) => {
    clearInterval(timer);
    if (lost.signal.aborted) return;
    log.error({ source, key, err }, `sync lock lost: ${why}`);
    lost.abort(new SourceLockLostError(source, why));
  };
  const renew = async () => {
    try {
      if (Number(await rt.redis.eval(RENEW, 1, key, token, String(ttl))) !== 1) stop('the key is gone or held by another token');
    } catch (err) {
      // Unrenewed, the key may expire before the next attempt and let a second sync in.
      stop(`renewal failed: ${(err as Error).message}`, err);
    }
  };
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(ttl / 3)));
  timer.unref();
  return {
    signal: lost.signal,
    async release() {
      clearInterval(timer);
      try {
        await rt.redis.eval(RELEASE, 1, key, token);
      } catch (err) {
        // The key expires by itself within its TTL; the sync's own outcome matters more.
        log.warn({ source, key, err }, 'sync lock not released; it expires by itself');
      }
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
