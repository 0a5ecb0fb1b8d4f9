// Redis connections. BullMQ wants maxRetriesPerRequest: null on connections it blocks on.
import { Redis } from 'ioredis';

export function createRedis(url: string, opts: { forBullmq?: boolean; lazy?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: opts.forBullmq ? null : 3,
    lazyConnect: opts.lazy ?? false,
    enableOfflineQueue: true,
  });
}

/** True when something answers PING at url within timeoutMs. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
