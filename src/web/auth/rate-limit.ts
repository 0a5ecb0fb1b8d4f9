// Sign-in throttling in Redis, fixed windows: failed attempts are counted per client address
// and per e-mail; while either is over its limit every attempt is refused (even a right
// password), so guessing is slowed without touching the database. Successful sign-ins do not
// count, so a busy office behind one address is not locked out by its own colleagues.
import type { Redis } from 'ioredis';

export interface LimitRule {
  key: string;
  max: number;
  windowS: number;
}

/** Seconds to wait if any rule is already at its limit, else 0 (does not count). */
export async function limitWait(redis: Redis, rules: LimitRule[]): Promise<number> {
  const m = redis.multi();
  for (const r of rules) m.get(r.key).ttl(r.key);
  const out = (await m.exec()) ?? [];
  let wait = 0;
  rules.forEach((r, i) => {
    const count = Number(out[i * 2]?.[1] ?? 0);
    const ttl = Number(out[i * 2 + 1]?.[1] ?? r.windowS);
    if (count >= r.max) wait = Math.max(wait, ttl > 0 ? ttl : r.windowS);
  });
  return wait;
}

/** Counts one failure against every rule. */
export async function countFailure(redis: Redis, rules: LimitRule[]): Promise<void> {
  const m = redis.multi();
  for (const r of rules) m.incr(r.key).expire(r.key, r.windowS, 'NX');
  await m.exec();
}

/** Counts one attempt and returns the wait when this attempt is over a limit (for actions that count every try). */
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
