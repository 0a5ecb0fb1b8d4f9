// Reads a Redis stream with a consumer group: each entry goes to one consumer of the group,
// is acknowledged after its handler succeeded, and entries left pending by a crashed consumer
// are claimed again after `claimIdleMs`. Handlers must be idempotent (they may see an entry twice).
// A Redis restarted without persistence (or a failover) has no group: the consumer re-creates it
// at the first NOGROUP and after every reconnect, reading from the stream's start (everything in
// it arrived after the restart), instead of logging NOGROUP every second until a manual restart.
import type { Redis } from 'ioredis';
import { log } from '../log.ts';
import { createRedis } from '../redis/redis.ts';
import type { Runtime } from '../runtime.ts';

export interface StreamConsumerDefinition {
  name: string;
  stream(rt: Runtime): string;
  group: string;
  handle(rt: Runtime, fields: Record<string, string>, id: string): Promise<void>;
  claimIdleMs?: number;
}

type Entry = [id: string, fields: string[]];

const toFields = (flat: string[]) => {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
};

/** Creates the group unless it exists; `from` '$' skips what the stream holds, '0' reads it all. */
export async function ensureGroup(redis: Redis, stream: string, group: string, from: '$' | '0' = '$'): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, from, 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

export async function startStreamConsumer(rt: Runtime, def: StreamConsumerDefinition, consumer: string): Promise<RunningConsumer> {
  const stream = def.stream(rt);
  const conn = createRedis(rt.redisUrl, { forBullmq: true });
  conn.on('error', (err) => log.debug({ consumer: def.name, err: err.message }, 'stream connection error'));
  await ensureGroup(rt.redis, stream, def.group);
  const claimIdleMs = def.claimIdleMs ?? 30_000;
  let running = true;
  let lastClaim = 0;
  // Set on every reconnect after the first connection: the server may be a new, empty one.
  let regroup = false;
  let connectedOnce = false;
  conn.on('ready', () => {
    if (connectedOnce) regroup = true;
    connectedOnce = true;
  });
  const recreateGroup = async (why: string) => {
    await ensureGroup(conn, stream, def.group, '0');
    log.info({ consumer: def.name, stream, group: def.group, why }, 'stream consumer group ensured');
  };

  const process = async (entries: Entry[]) => {
    for (const [id, flat] of entries) {
      try {
        await def.handle(rt, toFields(flat), id);
        await rt.redis.xack(stream, def.group, id);
      } catch (err) {
        log.warn({ consumer: def.name, id, err: (err as Error).message }, 'stream entry failed; it stays pending and is retried');
      }
    }
  };

  const loop = (async () => {
    // First our own entries left pending by a previous run of this consumer.
    let pendingFirst = true;
    while (running) {
      try {
        if (regroup) {
          regroup = false;
          await recreateGroup('reconnected');
          pendingFirst = true;
        }
        if (Date.now() - lastClaim > claimIdleMs) {
          lastClaim = Date.now();
          const res = (await conn.xautoclaim(stream, def.group, consumer, claimIdleMs, '0-0', 'COUNT', 100)) as [string, Entry[]];
          await process(res[1].filter((e) => e[1]));
        }
        const res = (await conn.xreadgroup('GROUP', def.group, consumer, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', stream, pendingFirst ? '0' : '>')) as
          | [string, Entry[]][]
          | null;
        const entries = res?.[0]?.[1] ?? [];
        if (pendingFirst && entries.length === 0) pendingFirst = false;
        await process(entries.filter((e) => e[1]));
      } catch (err) {
        if (!running) break;
        if (String((err as Error).message).includes('NOGROUP')) {
          // The group (or the whole stream) is gone: re-create it and read again at once.
          try {
            await recreateGroup('NOGROUP');
            pendingFirst = true;
            continue;
          } catch (again) {
            log.warn({ consumer: def.name, err: (again as Error).message }, 'stream consumer group could not be re-created; retrying');
          }
        } else log.warn({ consumer: def.name, err: (err as Error).message }, 'stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();

  const stop = async () => {
    running = false;
    conn.disconnect();
    await loop;
  };
  rt.onShutdown(`stream consumer ${def.name}`, stop);
  return { stop };
}
