// Redis unreachable while people use the store: every committed action answers within the
// hand-over bound and says what happened; what could not be queued is done once Redis is back
// (the sweeps read it from PostgreSQL). What nothing redoes is refused (503) before anything is
// done; the attempt limits fail closed with a 503. The "down" app is the same store (database,
// sessions) whose Redis — its connection and every queue's — points at a port nothing listens on.
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { reconcileWork } from '../../jobs/work-reconcile.ts';
import { reservationsSweepJob } from '../../jobs/reservations-sweep.ts';
import { waitlistNotifyJob } from '../../jobs/waitlist-notify.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import { QUEUES } from '../../src/infra/queue/names.ts';
import { createRedis } from '../../src/infra/redis/redis.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { placeOrder } from '../../src/store/orders/checkout.ts';
import { subscribe } from '../../src/store/waitlist/waitlist.ts';
import { createApp } from '../../src/web/app.ts';
import { freePort, startRedis } from '../faults/processes.ts';
import { useMailDelivery } from '../support/mail-delivery.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { resetQueues } from '../support/queues.ts';
import { until, waitSettled } from '../support/wait.ts';
import { listen, WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

/** The bound the brief sets for a page with Redis down (the hand-over itself is QUEUE_HANDOVER_MS, 1.5 s). */
const ANSWER_MS = 5000;

describe('web with Redis unreachable: a committed action answers within the bound, the deferred work happens once Redis is back', () => {
  const w = useWorld({ tables: ['orders', 'outbox', 'reservations', 'order_approvals', 'waitlist'] });
  const smtp = useMailDelivery(() => w.rt);
  let down: Runtime;
  let downRedis: Redis;
  let port: number;
  let srv: Awaited<ReturnType<typeof listen>>;
  const closers: (() => Promise<void>)[] = [];
  const redisErrors: string[] = [];

  before(async () => {
    port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    downRedis = createRedis(url);
    downRedis.on('error', (err: Error) => redisErrors.push(err.message));
    down = { ...w.rt, redis: downRedis, redisUrl: url, onShutdown: (_name, fn) => void closers.push(fn) };
    srv = await listen(createApp(down));
  });
  after(async () => {
    await srv.close();
    // A server at the dead address lets the late hand-overs land (in a Redis no worker reads) and the queues close.
    const back = await startRedis(port);
    try {
      for (const c of closers.reverse()) await c();
      downRedis.disconnect();
    } finally {
      await back.kill();
    }
  });
  beforeEach(async () => {
    await resetQueues(w.rt);
    smtp.clear();
  });

  /** `who` signed in through the working app (sessions live in PostgreSQL), then talking to the app whose Redis is down. */
  const downClient = async (who: 'a' | 'b' | 'admin') => {
    const up = await w.signIn(who);
    const c = new WebClient(srv.base);
    for (const [k, v] of up.cookies) c.cookies.set(k, v);
    await c.get('/'); // the page's CSRF token
    return c;
  };
  /** Runs `act` and returns its answer with how long it took. */
  const timed = async <T>(act: () => Promise<T>): Promise<T & { ms: number }> => {
    const started = Date.now();
    const r = await act();
    return { ...r, ms: Date.now() - started };
  };

  it('an owner rejects an approval: 303 within the bound, the page says the order is rejected and the waiting list hears later; after Redis is back one e-mail', async () => {
    const offer = w.fx.offers[2]!;
    await w.rt.db('stock').where({ offer_id: offer }).update({ quantity: '0' });
    await w.rt.db('stock').where({ offer_id: offer, warehouse_id: w.fx.warehouses.partner }).update({ quantity: '5' });
    const emp = (await w.rt.db('users').insert({ email: 'emp@alpha.test', name: 'Олег', role: 'buyer', client_id: w.fx.clients.a, company_role: 'buyer', order_limit: '1.00' }).returning('id'))[0].id;
    const order = await placeOrder(w.rt.db, {
      userId: emp, clientId: w.fx.clients.a, counterpartyId: w.fx.cp.aHead, contractId: null, checkoutKey: 'redis-down-approval-key', comment: '',
      lines: [{ offerId: offer, warehouseId: w.fx.warehouses.partner, quantity: '5' }],
    });
    expect(order.awaitingApproval).to.equal(true);
    // B waits for the goods the held order takes
    const entry = await subscribe(w.rt, { userId: w.fx.users.b, counterpartyId: w.fx.cp.bHead }, { offerId: offer });

    const owner = await downClient('a');
    await owner.get('/approvals');
    const r = await timed(() => owner.post(`/approvals/${order.orderId}/reject`, { comment: 'Не в этом месяце' }));
    expect([r.status, r.location]).to.deep.equal([303, '/approvals']);
    expect(r.ms, 'the owner does not wait for Redis').to.be.below(ANSWER_MS);
    const page = await owner.get('/approvals');
    expect(page.text).to.contain(`Заказ ${order.number} отклонён. Подписчики листа ожидания узнают об освободившемся товаре, как только очередь заданий снова заработает.`);
    expect((await w.rt.db('orders').where({ id: order.orderId }).first('status'))!.status, 'the rejection is committed').to.equal('cancelled');
    expect(await w.rt.db('waitlist').where({ id: entry.id }).first('notified_at')).to.deep.equal({ notified_at: null });

    // Redis back: the waiting list's re-scan (its schedule) runs — twice, as a late job and the schedule may — and e-mails B once.
    const workers = await startWorkers(w.rt, [waitlistNotifyJob]);
    try {
      await getQueue(w.rt, QUEUES.waitlistNotify).add(QUEUES.waitlistNotify, {});
      await getQueue(w.rt, QUEUES.waitlistNotify).add(QUEUES.waitlistNotify, { offerIds: [offer] });
      const [m] = await smtp.waitFor(1);
      expect(m!.envelopeTo).to.deep.equal([w.fx.emails.b]);
      await waitSettled(w.rt, { what: 'the re-scans and their e-mail' });
      expect(smtp.messages()).to.have.length(1);
      expect((await outboxLetters(w.rt.db, `waitlist-${entry.id}`)).map((l) => l.sent)).to.deep.equal([true]);
    } finally {
      for (const x of workers) await x.close();
    }
  });

  it('checkout: 303 within the bound, the order page shows the order; its confirmation waits in the outbox and is delivered once after Redis is back', async () => {
    const buyer = await downClient('a');
    await buyer.post('/cart/add', { offerId: String(w.fx.offers[1]), qty: '2' });
    const key = (await buyer.get('/cart')).text.match(/name="checkoutKey" value="([^"]+)"/)![1]!;
    const r = await timed(() => buyer.post('/checkout', { checkoutKey: key, [`qty_${w.fx.offers[1]}`]: '2' }));
    expect(r.status, r.text.slice(0, 300)).to.equal(303);
    expect(r.ms, 'the buyer does not wait for Redis').to.be.below(ANSWER_MS);
    const orderId = Number(r.location!.split('/').pop());
    const { number } = (await w.rt.db('orders').where({ id: orderId }).first('number'))!;
    expect((await buyer.get(r.location!)).text).to.contain(`Заказ ${number} оформлен. Подтверждение придёт на ${w.fx.emails.a}.`);
    // the export is the order's outbox row (delivered by the periodic run); the e-mail its outbox row
    expect(await w.rt.db('outbox').where({ kind: 'order.create' }).pluck('state')).to.deep.equal(['pending']);
    expect((await outboxLetters(w.rt.db)).map((l) => [l.key, l.sent])).to.deep.equal([[`order-confirmation-${orderId}`, false]]);

    expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails, 'Redis back: work.reconcile hands the confirmation over').to.equal(1);
    const [m] = await smtp.waitFor(1);
    expect(m!.envelopeTo).to.deep.equal([w.fx.emails.a]);
    await until(async () => (await outboxLetters(w.rt.db)).every((l) => l.sent), 'the confirmation marked sent');
    expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails, 'nothing handed twice').to.equal(0);
    await waitSettled(w.rt, { what: 'mail.send' });
    expect(smtp.messages()).to.have.length(1);
  });

  it('a reservation: placed within the bound with its deadline on the page; its lost expiry timer is done by reservations.sweep once, one e-mail', async () => {
    const buyer = await downClient('a');
    await buyer.get('/reservations');
    const r = await timed(() => buyer.post('/reservations', { offerId: String(w.fx.offers[0]), warehouseId: String(w.fx.warehouses.main), quantity: '1' }));
    expect(r.status, r.text.slice(0, 300)).to.equal(303);
    expect(r.ms, 'the buyer does not wait for Redis').to.be.below(ANSWER_MS);
    expect((await buyer.get('/reservations')).text).to.match(/Зарезервировано/);
    const [res] = await w.rt.db('reservations').where({ state: 'active', order_hold: false }).select('id');
    // the deadline passes while no timer exists; Redis back, the sweep ends it — twice run, once done
    await w.rt.db('reservations').where({ id: res!.id }).update({ expires_at: w.rt.db.raw("now() - interval '1 second'") });
    const workers = await startWorkers(w.rt, [reservationsSweepJob]);
    try {
      await getQueue(w.rt, QUEUES.reservationsSweep).add(QUEUES.reservationsSweep, {});
      await getQueue(w.rt, QUEUES.reservationsSweep).add(QUEUES.reservationsSweep, {});
      await until(async () => (await w.rt.db('reservations').where({ id: res!.id }).first('state'))?.state === 'expired', 'the reservation expired by the sweep');
    } finally {
      for (const x of workers) await x.close();
    }
    expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails).to.be.at.most(1);
    await smtp.waitFor(1);
    await waitSettled(w.rt, { what: 'mail.send' });
    expect(smtp.messages().map((m) => m.subject)).to.have.length(1);
  });

  it('a message to the manager: stored and shown within the bound; its live event is dropped (an open thread shows it on its next load)', async () => {
    const buyer = await downClient('a');
    await buyer.get('/messages');
    const r = await timed(() => buyer.post('/messages', { body: 'Когда будет отгрузка?' }));
    expect(r.status).to.equal(303);
    expect(r.ms).to.be.below(ANSWER_MS);
    expect((await buyer.get('/messages')).text).to.contain('Когда будет отгрузка?');
  });

  it('an invitation (a one-time link only its e-mail carries): refused with a 503 within the bound before anyone is invited', async () => {
    const owner = await downClient('a');
    await owner.get('/company');
    const r = await timed(() => owner.post('/company/invite', { email: 'new@alpha.test', companyRole: 'buyer', scope: 'all' }));
    expect(r.status).to.equal(503);
    expect(r.ms).to.be.below(ANSWER_MS);
    expect(r.text).to.contain('Письма сейчас не отправляются (очередь недоступна), поэтому new@alpha.test не приглашён. Повторите через несколько минут.');
    expect(await w.rt.db('users').where({ email: 'new@alpha.test' }).first('id'), 'nobody invited').to.equal(undefined);
  });

  it('"sync now" in the console: 503 within the bound with a Russian message — refused before any add, as nothing would redo it', async () => {
    const admin = await downClient('admin');
    await admin.get('/console/sources');
    const r = await timed(() => admin.post(`/console/sources/${w.fx.sourceId}/run`, { mode: 'full' }));
    expect(r.status).to.equal(503);
    expect(r.ms).to.be.below(ANSWER_MS);
    expect(r.text).to.contain('Очередь заданий сейчас недоступна, синхронизация не запущена. Повторите через несколько минут.');
  });

  it('sign-in: the attempt limit cannot be read, so sign-in is refused (fail closed) with a 503 saying so, within the bound', async () => {
    const c = new WebClient(srv.base);
    await c.get('/login');
    const r = await timed(() => c.post('/login', { email: w.fx.emails.a, password: 'whatever-it-is' }));
    expect(r.status).to.equal(503);
    expect(r.ms).to.be.below(ANSWER_MS);
    expect(r.text).to.contain('Сервис временно недоступен: вход и отправка форм сейчас невозможны.');
  });

  it("the accounting system's webhook: 503 within the bound (its attempt limit fails closed), so the sender calls again; the source's poll reads the feed anyway", async () => {
    const r = await timed(async () => {
      const res = await fetch(`${srv.base}/hooks/accounting/main`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      return { status: res.status };
    });
    expect(r.status).to.equal(503);
    expect(r.ms).to.be.below(ANSWER_MS);
  });

  it('an open page\'s event stream: opens within the bound (quiet until Redis is back) instead of hanging or failing', async () => {
    const buyer = await downClient('a');
    const ac = new AbortController();
    const r = await timed(async () => {
      const res = await fetch(`${srv.base}/reservations/events`, { headers: { cookie: [...buyer.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, signal: ac.signal });
      return { status: res.status, type: res.headers.get('content-type') };
    });
    ac.abort();
    expect([r.status, r.type]).to.deep.equal([200, 'text/event-stream']);
    expect(r.ms).to.be.below(ANSWER_MS);
  });
});
