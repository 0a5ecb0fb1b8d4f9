// Attempt limits on Redis with rate-limiter-flexible: each take is one atomic Lua call per key
// (INCR + TTL), so N parallel attempts can never get more than the limit through — a check
// and a later increment around a slow password hash could. Fixed windows. Used by the web
// sign-in and password reset, the 1C exchange login and the accounting webhook.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from './domain-error.ts';
import { log } from './log.ts';
import { within } from './within.ts';

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

/** `boundMs`: how long one key's count may take (QUEUE_HANDOVER_MS) before Redis counts as down. */
export function attemptLimits(redis: Redis, prefix: string, boundMs = 1500): AttemptLimits {
  return {
    async take(keys) {
      let wait = 0;
      for (const { rule, key } of keys) {
        try {
          await within(boundMs, limiterFor(redis, prefix, rule).consume(key, 1));
        } catch (err) {
          // Redis down: fail closed with a 503 saying so, never unlimited — these limits stop
          // password guessing and form spam, and an outage (or one provoked) must not lift them.
          if (!(err instanceof RateLimiterRes)) {
            log.warn({ limit: rule.name, err: (err as Error).message }, 'attempt limit unreadable (Redis down): refused');
            throw new DomainError('unavailable', { key: 'queueDown.limiter' }, { code: 'limits.unavailable' });
          }
          wait = Math.max(wait, Math.ceil(err.msBeforeNext / 1000) || rule.windowS);
        }
      }
      return wait;
    },
    async refund(keys) {
      for (const { rule, key } of keys) {
        await within(boundMs, limiterFor(redis, prefix, rule).reward(key, 1))
          .catch((err: unknown) => log.warn({ err, limit: rule.name }, 'rate limit refund failed'));
      }
    },
  };
}
