// One sync per source at a time (a full sync and a changes run must not interleave their
// cursors). A Redis lock with a token, renewed while the holder works.
import { randomUUID } from 'node:crypto';
import type { Runtime } from '../infra/runtime.ts';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const TTL_MS = 60_000;

export interface SourceLock {
  release(): Promise<void>;
}

export async function tryLockSource(rt: Runtime, source: string): Promise<SourceLock | null> {
  const key = `${rt.prefix}:lock:sync:${source}`;
  const token = randomUUID();
  if ((await rt.redis.set(key, token, 'PX', TTL_MS, 'NX')) !== 'OK') return null;
  const timer = setInterval(() => void rt.redis.eval(RENEW, 1, key, token, String(TTL_MS)).catch(() => {}), TTL_MS / 3);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await rt.redis.eval(RELEASE, 1, key, token);
    },
  };
}

/** Waits up to `waitMs` for the lock (a full sync queues behind a running changes run). */
export async function lockSource(rt: Runtime, source: string, waitMs: number): Promise<SourceLock | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const lock = await tryLockSource(rt, source);
    if (lock || Date.now() >= until) return lock;
    await new Promise((r) => setTimeout(r, 100));
  }
}
