// Reads a Redis stream with a consumer group: each entry goes to one consumer of the group,
// is acknowledged after its handler succeeded, and entries left pending by a crashed consumer
// are claimed again after `claimIdleMs`. Handlers must be idempotent (they may see an entry twice).
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

export async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
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
  conn.on('error', () => {});
  await ensureGroup(rt.redis, stream, def.group);
  const claimIdleMs = def.claimIdleMs ?? 30_000;
  let running = true;
  let lastClaim = 0;

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
        log.warn({ consumer: def.name, err: (err as Error).message }, 'stream read failed; retrying');
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
