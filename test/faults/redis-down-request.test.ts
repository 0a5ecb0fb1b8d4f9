// Redis dies under a running store and an owner rejects an approval: the decision answers within
// the hand-over bound; the waiting-list check it could not queue sits in ioredis' offline queue,
// lands when a Redis (restarted empty) is back, and a worker runs it — the waiting list is told
// once, and the re-scan that covers a lost hand-over finds nothing more to do.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { waitlistNotifyJob } from '../../jobs/waitlist-notify.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import { queueReadyWithin } from '../../src/infra/queue/handover.ts';
import { QUEUES } from '../../src/infra/queue/names.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { loadViewer } from '../../src/store/accounts/viewer.ts';
import { decideApproval } from '../../src/store/approvals/approvals.ts';
import { placeOrder } from '../../src/store/orders/checkout.ts';
import { notifyAvailable, subscribe } from '../../src/store/waitlist/waitlist.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { testRuntime } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { seedWorld } from '../support/world.ts';
import { freePort, type OwnRedis, startRedis } from './processes.ts';

describe('faults: Redis down when an owner rejects an approval — answered at once, the waiting list told once Redis is back', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let redis: OwnRedis;
  let view: Runtime;
  let workers: Worker[] = [];
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    rt = await testRuntime();
    redis = await startRedis(await freePort());
    const conn = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    const errors: string[] = [];
    conn.on('error', (err: Error) => void errors.push(err.message)); // down on purpose while the test restarts it
    view = { ...rt, redis: conn, redisUrl: redis.url, onShutdown: (_name, fn) => void closers.push(fn), shutdown: async () => {} };
    closers.push(async () => void conn.disconnect());
  });
  after(async () => {
    for (const x of workers) await x.close();
    for (const c of closers.reverse()) await c();
    await redis?.kill();
  });

  it('the rejection answers within 5 s while Redis is down; the late hand-over runs once after the restart; the re-scan adds nothing', async () => {
    const fx = await seedWorld(rt, { tables: ['orders', 'outbox', 'reservations', 'order_approvals', 'waitlist'] });
    const offer = fx.offers[2]!;
    await rt.db('stock').where({ offer_id: offer }).update({ quantity: '0' });
    await rt.db('stock').where({ offer_id: offer, warehouse_id: fx.warehouses.partner }).update({ quantity: '4' });
    const emp = (await rt.db('users').insert({ email: 'emp@alpha.test', name: 'Олег', role: 'buyer', client_id: fx.clients.a, company_role: 'buyer', order_limit: '1.00' }).returning('id'))[0].id;
    const order = await placeOrder(rt.db, {
      userId: emp, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: null, checkoutKey: 'fault-redis-down-approval', comment: '',
      lines: [{ offerId: offer, warehouseId: fx.warehouses.partner, quantity: '4' }],
    });
    const entry = await subscribe(rt, { userId: fx.users.b, counterpartyId: fx.cp.bHead }, { offerId: offer });
    // the waiting list's queue is connected, as in a running web
    expect(await queueReadyWithin(view, QUEUES.waitlistNotify)).to.equal(true);

    await redis.kill();
    const owner = (await loadViewer(rt.db, fx.users.a))!;
    const started = Date.now();
    const d = await decideApproval(view, owner, order.orderId, 'rejected', 'Не сейчас');
    expect(Date.now() - started, 'the owner does not wait for Redis').to.be.below(5000);
    expect([d.state, d.waitlistDeferred]).to.deep.equal(['rejected', true]);
    expect((await rt.db('orders').where({ id: order.orderId }).first('status'))!.status).to.equal('cancelled');

    // Redis back, empty: the queued add lands and a worker runs it
    redis = await startRedis(redis.port);
    workers = await startWorkers(view, [waitlistNotifyJob]);
    await until(async () => (await rt.db('waitlist').where({ id: entry.id }).first('notified_at'))?.notified_at, 'the waiting-list entry told by the late job', 20_000, 50);
    // it was the rejection's own job (no scheduler runs here): one, for the freed offer
    const done = await getQueue(view, QUEUES.waitlistNotify).getJobs(['completed', 'active', 'waiting', 'failed']);
    expect(done.map((j) => j.data)).to.deep.equal([{ offerIds: [offer] }]);
    // the re-scan (what covers a hand-over that never landed) finds nothing more
    expect(await notifyAvailable(view)).to.deep.equal([]);
    expect((await outboxLetters(rt.db, `waitlist-${entry.id}`)).map((l) => l.to)).to.deep.equal([fx.emails.b]);
  });
});
