// Attempt limits on Redis with rate-limiter-flexible: each take is one atomic Lua call per key
// (INCR + TTL), so N parallel attempts can never get more than the limit through — a check
// and a later increment around a slow password hash could. Fixed windows. Used by the web
// sign-in and password reset, the 1C exchange login and the accounting webhook.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { log } from './log.ts';

export interface LimitRule {
  /** Key namespace under the deployment prefix, e.g. `login:email`. */
  name: string;
  /** Attempts allowed per window. */
  points: number;
  windowS: number;
}

/** One counted key: a rule and the value it limits (an address, an e-mail, a login). */
export interface LimitKey {
  rule: LimitRule;
  key: string;
}

const limiters = new WeakMap<Redis, Map<string, RateLimiterRedis>>();

function limiterFor(redis: Redis, prefix: string, rule: LimitRule): RateLimiterRedis {
  let byRule = limiters.get(redis);
  if (!byRule) {
    byRule = new Map();
    limiters.set(redis, byRule);
  }
  const id = `${prefix}:${rule.name}:${rule.points}:${rule.windowS}`;
  let l = byRule.get(id);
  if (!l) {
    l = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${rule.name}`, points: rule.points, duration: rule.windowS });
    byRule.set(id, l);
  }
  return l;
}

export interface AttemptLimits {
  /**
   * Counts one attempt against every key, atomically per key. Returns the seconds to wait when
   * any key is over its limit (the attempt must then be refused), else 0.
   */
  take(keys: LimitKey[]): Promise<number>;
  /** Gives a counted attempt back (a successful sign-in does not count against anyone). */
  refund(keys: LimitKey[]): Promise<void>;
}

export function attemptLimits(redis: Redis, prefix: string): AttemptLimits {
  return {
    async take(keys) {
      let wait = 0;
      for (const { rule, key } of keys) {
        try {
          await limiterFor(redis, prefix, rule).consume(key, 1);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err; // Redis down: fail closed (an error page), never unlimited
          wait = Math.max(wait, Math.ceil(err.msBeforeNext / 1000) || rule.windowS);
        }
      }
      return wait;
    },
    async refund(keys) {
      for (const { rule, key } of keys) {
        await limiterFor(redis, prefix, rule)
          .reward(key, 1)
          .catch((err: unknown) => log.warn({ err, limit: rule.name }, 'rate limit refund failed'));
      }
    },
  };
}
