import type { Worker } from 'bullmq';
import { DomainError, messageIn } from '../../../src/infra/domain-error.ts';
import { expect } from 'chai';
import { mailSendJob } from '../../../jobs/mail-send.ts';
import { mirrorChangesConsumer } from '../../../jobs/mirror-changes.ts';
import { reservationsStockChangedJob } from '../../../jobs/reservations-stock-changed.ts';
import { waitlistNotifyJob } from '../../../jobs/waitlist-notify.ts';
import type { RunningConsumer } from '../../../src/infra/queue/stream-consumer.ts';
import { startStreamConsumer } from '../../../src/infra/queue/stream-consumer.ts';
import { startWorkers } from '../../../src/app/roles/worker.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { type Actor, convertToOrder, reserve } from '../../../src/store/reservations/reservations.ts';
import { listWaitlist, notifyAvailable, subscribe, unsubscribe, type WaitlistActor } from '../../../src/store/waitlist/waitlist.ts';
import { applyBatch, changesStreamKey } from '../../../src/sync/index.ts';
import type { StoreFixture } from '../../support/mirror-fixtures.ts';
import { resetQueues } from '../../support/queues.ts';
import { testRuntime } from '../../support/runtime.ts';
import { type SmtpCapture, startTestSmtp } from '../../support/smtp-capture.ts';
import { until, waitSettled } from '../../support/wait.ts';
import { seedWorld } from '../../support/world.ts';

describe('store: waiting list and the stock-drop policy (real sync, change stream, workers, SMTP)', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let wa: WaitlistActor;
  let wb: WaitlistActor;
  let smtp: SmtpCapture;
  let workers: Worker[] = [];
  let consumers: RunningConsumer[] = [];

  const stockBatch = (offerExt: string, warehouseExt: string, quantity: string) =>
    applyBatch(rt, { sourceId: fx.sourceId, kind: 'test', mode: 'delta' }, { stock: [{ offerExternalId: offerExt, warehouseExternalId: warehouseExt, quantity }] });

  /** Two worker processes' worth: two BullMQ workers per queue and two stream consumers. */
  async function startTwoWorkers() {
    const jobs = [mailSendJob, waitlistNotifyJob, reservationsStockChangedJob] as never;
    workers = [...(await startWorkers(rt, jobs)), ...(await startWorkers(rt, jobs))];
    consumers = [await startStreamConsumer(rt, mirrorChangesConsumer, 'w1'), await startStreamConsumer(rt, mirrorChangesConsumer, 'w2')];
  }

  before(async () => {
    rt = await testRuntime();
    smtp = await startTestSmtp(rt);
  });
  after(() => smtp.stop());
  beforeEach(async () => {
    await resetQueues(rt);
    await rt.redis.del(changesStreamKey(rt.prefix));
    fx = await seedWorld(rt);
    wa = { userId: fx.users.a, counterpartyId: fx.cp.aHead };
    wb = { userId: fx.users.b, counterpartyId: fx.cp.bHead };
    smtp.clear();
  });
  afterEach(async () => {
    for (const c of consumers) await c.stop();
    for (const w of workers) await w.close();
    workers = [];
    consumers = [];
  });

  it('subscribe only to what is unavailable; duplicates collapse; unsubscribe only your own', async () => {
    const [o1] = fx.offers; // main 1, north 0, partner 100
    try {
      await subscribe(rt, wa, { offerId: o1! });
      expect.fail('should refuse');
    } catch (err) {
      expect(err).to.be.instanceOf(DomainError);
      expect((err as DomainError).code).to.equal('waitlist.available');
      expect((err as Error).message).to.equal('Этот товар сейчас есть в наличии: зарезервируйте или закажите его.');
      expect(messageIn('en', (err as DomainError).text!)).to.equal('This item is available now: reserve or order it instead.');
    }
    const e1 = await subscribe(rt, wa, { offerId: o1!, warehouseId: fx.warehouses.north });
    const e2 = await subscribe(rt, wa, { offerId: o1!, warehouseId: fx.warehouses.north });
    expect(e2.id).to.equal(e1.id);
    expect(e1).to.include({ warehouseName: 'North', itemName: 'Drill Bosch GSB 13', notifiedAt: null });
    expect(await listWaitlist(rt, wb)).to.have.length(0);
    try {
      await unsubscribe(rt, wb, e1.id);
      expect.fail('should refuse');
    } catch (err) {
      expect((err as DomainError).code).to.equal('waitlist.no_entry');
    }
    expect(await listWaitlist(rt, wa)).to.have.length(1);
    await unsubscribe(rt, wa, e1.id);
    expect(await listWaitlist(rt, wa)).to.have.length(0);
  });

  it('a stock arrival e-mails each subscriber exactly once — repeated syncs, duplicate events, two workers, racing jobs', async () => {
    const offer = fx.offers[3]!; // p4: main 40, north 5, partner 100 → make it unavailable everywhere
    await rt.db('stock').where({ offer_id: offer }).update({ quantity: '0' });
    await subscribe(rt, wa, { offerId: offer });
    await subscribe(rt, wb, { offerId: offer, warehouseId: fx.warehouses.north });
    await startTwoWorkers();

    await stockBatch('p4', 'w-north', '7');
    const mails = await smtp.waitFor(2, 8000);
    // Everything at once that could double a mail: the same sync again, a copy of the last
    // event, more stock, and direct notify runs racing each other.
    await stockBatch('p4', 'w-north', '7');
    const [[, last]] = (await rt.redis.xrevrange(changesStreamKey(rt.prefix), '+', '-', 'COUNT', 1)) as [string, string[]][];
    await rt.redis.xadd(changesStreamKey(rt.prefix), '*', ...last!);
    await stockBatch('p4', 'w-main', '3');
    await Promise.all([notifyAvailable(rt, [offer]), notifyAvailable(rt, [offer]), notifyAvailable(rt), waitlistNotifyJob.process(rt, { data: {} } as never)]);
    await waitSettled(rt, { what: 'the change events, notify jobs and mails to be processed' });
    expect(smtp.messages()).to.have.length(2);

    const toA = mails.find((m) => m.envelopeTo[0] === fx.emails.a)!;
    const toB = mails.find((m) => m.envelopeTo[0] === fx.emails.b)!;
    expect(toA.subject).to.equal('Поступление: Screwdriver set — 7 шт. на складе «North»');
    // A: contract "Main" → wholesale 360 − 5 % = 342.00. B: no contract price type → dealer 320.
    expect(toA.text).to.contain('Ваша цена: 342,00\u00a0₽');
    expect(toB.text).to.contain('Ваша цена: 320,00\u00a0₽');
    expect(toA.text).to.match(/Открыть товар: http:\/\/127\.0\.0\.1:\d+\/product\/\d+/);
    expect(toA.html).to.contain('<td>North</td>');
    expect(toB.text).to.contain('Количество: 7 шт.');
    const rows = await rt.db('waitlist').orderBy('id');
    expect(rows.every((r) => r.notified_at !== null)).to.equal(true);
  });

  it('stock drop: the newest reservations become short, buyers are told once, short ones cannot be ordered; cover lifts it', async () => {
    const a: Actor = { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead };
    const b: Actor = { userId: fx.users.b, clientId: fx.clients.b, counterpartyId: fx.cp.bHead };
    await startTwoWorkers();
    const offer = fx.offers[2]!; // p3 main 30
    const r1 = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '4' });
    const r2 = await reserve(rt, b, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '3' });
    const r3 = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '2' });
    await stockBatch('p3', 'w-main', '6');
    await until(async () => (await rt.db('reservations').where({ short: true })).length === 2, 'two short reservations', 8000);
    const short = await rt.db('reservations').where({ short: true }).orderBy('id').pluck('id');
    expect(short).to.deep.equal([r2.id, r3.id]);
    const mails = await smtp.waitFor(2, 8000);
    expect(mails.map((m) => m.subject).sort()).to.deep.equal([
      `Резерв №${r2.id}: товара на складе стало меньше — Hammer 500g`,
      `Резерв №${r3.id}: товара на складе стало меньше — Hammer 500g`,
    ]);
    expect(mails.find((m) => m.subject.includes(`№${r2.id}`))!.text).to.contain('Сейчас на складе: 6 шт.');
    try {
      await convertToOrder(rt, a, [r3.id]);
      expect.fail('should refuse');
    } catch (err) {
      expect((err as DomainError).code).to.equal('reservation.short');
    }
    // Nothing new can be promised while short.
    try {
      await reserve(rt, b, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '1' });
      expect.fail('should refuse');
    } catch (err) {
      expect((err as DomainError).code).to.equal('reservation.not_enough_stock');
    }
    await convertToOrder(rt, a, [r1.id]); // the oldest is still covered
    await stockBatch('p3', 'w-main', '10');
    await until(async () => (await rt.db('reservations').where({ short: true })).length === 0, 'the short marks to lift', 8000);
    await waitSettled(rt, { what: 'the change events, notify jobs and mails to be processed' });
    expect(smtp.messages()).to.have.length(2);
  });
});
