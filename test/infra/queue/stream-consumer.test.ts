import { expect } from 'chai';
import { type RunningConsumer, startStreamConsumer } from '../../../src/infra/queue/stream-consumer.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime } from '../../support/runtime.ts';
import { until } from '../../support/wait.ts';

describe('infra/queue: stream consumer', () => {
  let rt: Runtime;
  let consumer: RunningConsumer | undefined;
  let stream: string;
  const seen: string[] = [];
  before(async () => {
    rt = await testRuntime();
    stream = `${rt.prefix}:test:consumer-stream`;
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await rt.redis.del(stream);
    seen.length = 0;
  });

  const start = () =>
    startStreamConsumer(rt, { name: 'test', group: 'g', stream: () => stream, handle: async (_rt, f) => void seen.push(f.n!) }, 'c1');

  it('re-creates its group when the stream and group vanished (Redis restarted empty) and reads what came after', async () => {
    consumer = await start();
    await rt.redis.xadd(stream, '*', 'n', 'before');
    await until(() => seen.includes('before'), 'the first entry');
    // Everything gone, as after a restart without persistence; a producer writes again at once.
    await rt.redis.del(stream);
    await rt.redis.xadd(stream, '*', 'n', 'after-1');
    await rt.redis.xadd(stream, '*', 'n', 'after-2');
    await until(() => seen.includes('after-2'), 'the entries written after the group was lost', 8000);
    expect(seen).to.deep.equal(['before', 'after-1', 'after-2']);
    // Acknowledged in the new group: nothing left pending.
    const pending = (await rt.redis.xpending(stream, 'g')) as [number, ...unknown[]];
    expect(pending[0]).to.equal(0);
  });

  it('re-creates a group destroyed while the stream stayed', async () => {
    consumer = await start();
    await rt.redis.xadd(stream, '*', 'n', 'one');
    await until(() => seen.includes('one'), 'the first entry');
    await rt.redis.xgroup('DESTROY', stream, 'g');
    await rt.redis.xadd(stream, '*', 'n', 'two');
    await until(() => seen.includes('two'), 'the entry after the group was destroyed', 8000);
    // Handlers are idempotent: the re-created group reads from the start, so 'one' may come again.
    expect(seen.filter((n) => n === 'two')).to.have.length(1);
  });
});
