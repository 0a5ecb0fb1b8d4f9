// Change events go to a Redis stream after commit: consumers (waiting list, live pages,
// reservations) read it with consumer groups or XREAD, and re-scan when `truncated` is set.
import type { Redis } from 'ioredis';
import { changesStreamKey, type MirrorChangeEvent } from '../mirror/changes.ts';

export async function publishChange(redis: Redis, prefix: string, event: MirrorChangeEvent): Promise<string | null> {
  return redis.xadd(changesStreamKey(prefix), 'MAXLEN', '~', '10000', '*', 'event', JSON.stringify(event));
}
