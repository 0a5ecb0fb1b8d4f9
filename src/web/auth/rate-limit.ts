// Login attempts per client address and per e-mail in Redis: fixed windows, so a burst from one
// address or against one account is slowed without touching the database.
import type { Redis } from 'ioredis';

export interface LimitRule {
  key: string;
  max: number;
  windowS: number;
}

/** Counts one attempt against every rule; the seconds to wait if any is over, else 0. */
export async function hitLimits(redis: Redis, rules: LimitRule[]): Promise<number> {
  const m = redis.multi();
  for (const r of rules) m.incr(r.key).expire(r.key, r.windowS, 'NX').ttl(r.key);
  const out = (await m.exec()) ?? [];
  let wait = 0;
  rules.forEach((r, i) => {
    const count = Number(out[i * 3]?.[1] ?? 0);
    const ttl = Number(out[i * 3 + 2]?.[1] ?? r.windowS);
    if (count > r.max) wait = Math.max(wait, ttl > 0 ? ttl : r.windowS);
  });
  return wait;
}

export async function clearLimit(redis: Redis, key: string): Promise<void> {
  await redis.del(key);
}
