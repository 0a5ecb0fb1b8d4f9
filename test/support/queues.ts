// Between tests: empty every BullMQ queue and forget "mail sent" markers, because the tests
// restart table identities (a new reservation #1 must not look like the last test's #1).
import { getQueue } from '../../src/infra/queue/connection.ts';
import { QUEUES } from '../../src/infra/queue/names.ts';
import type { Runtime } from '../../src/infra/runtime.ts';

export async function resetQueues(rt: Runtime): Promise<void> {
  for (const name of Object.values(QUEUES)) await getQueue(rt, name).obliterate({ force: true });
  const keys = await rt.redis.keys(`${rt.prefix}:mail:sent:*`);
  if (keys.length) await rt.redis.del(...keys);
}
