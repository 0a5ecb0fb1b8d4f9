// The hand-over bound: a request waits for a queue at most QUEUE_HANDOVER_MS, whatever Redis does,
// and no outcome — in time, failed, late — is left as an unhandled rejection. The queue-readiness
// check answers false within the bound for a Redis that does not answer, true for the real one.
import { expect } from 'chai';
import { handOver, queueReadyWithin } from '../../../src/infra/queue/handover.ts';
import { QUEUES } from '../../../src/infra/queue/names.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { freePort, startRedis } from '../../faults/processes.ts';
import { testRuntime } from '../../support/runtime.ts';
import { until } from '../../support/wait.ts';

describe('infra/queue/handover: a request never waits on a queue longer than the bound', () => {
  let rt: Runtime;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  const opts = { what: 'a test job', covers: 'the test' };
  before(async () => {
    rt = await testRuntime();
    process.on('unhandledRejection', onUnhandled);
  });
  after(() => void process.off('unhandledRejection', onUnhandled));
  const bounded = (ms: number): Pick<Runtime, 'config'> => ({ config: { ...rt.config, QUEUE_HANDOVER_MS: ms } });

  it('in time: queued', async () => {
    expect(await handOver(bounded(1000), async () => 'ok', opts)).to.equal('queued');
  });

  it('a failing add (thrown at once or rejected): deferred at once, nothing unhandled', async () => {
    const started = Date.now();
    expect(await handOver(bounded(5000), () => { throw new Error('sync throw'); }, opts)).to.equal('deferred');
    expect(await handOver(bounded(5000), async () => { throw new Error('rejected'); }, opts)).to.equal('deferred');
    expect(Date.now() - started, 'a failure does not wait for the bound').to.be.below(1000);
    await new Promise((r) => setImmediate(r));
    expect(unhandled).to.deep.equal([]);
  });

  it('an add that hangs: deferred at the bound; it still runs on, and its late failure is handled', async () => {
    let fail: (err: Error) => void = () => undefined;
    let settled = false;
    const hanging = () => new Promise((_, reject) => { fail = reject; }).finally(() => { settled = true; });
    const started = Date.now();
    expect(await handOver(bounded(200), hanging, opts)).to.equal('deferred');
    const took = Date.now() - started;
    expect(took).to.be.within(190, 1500);
    fail(new Error('Redis gave up'));
    await until(() => settled, 'the late outcome');
    await new Promise((r) => setImmediate(r));
    expect(unhandled).to.deep.equal([]);
  });

  it('queueReadyWithin: false within the bound where nothing answers, true once a Redis answers there', async () => {
    const port = await freePort();
    const closers: (() => Promise<void>)[] = [];
    const down: Runtime = { ...rt, config: { ...rt.config, QUEUE_HANDOVER_MS: 300 }, redisUrl: `redis://127.0.0.1:${port}`, onShutdown: (_n, fn) => void closers.push(fn) };
    const started = Date.now();
    expect(await queueReadyWithin(down, QUEUES.syncFull)).to.equal(false);
    expect(Date.now() - started).to.be.below(1500);
    const back = await startRedis(port);
    try {
      await until(() => queueReadyWithin(down, QUEUES.syncFull), 'the queue to answer once Redis is back', 10_000);
      for (const c of closers) await c();
    } finally {
      await back.kill();
    }
    expect(await queueReadyWithin(rt, QUEUES.syncFull), 'the real Redis').to.equal(true);
  });
});
