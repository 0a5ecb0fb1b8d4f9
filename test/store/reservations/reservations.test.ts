import type { Worker } from 'bullmq';
import { DomainError } from '../../../src/infra/domain-error.ts';
import { expect } from 'chai';
import { mailSendJob } from '../../../jobs/mail-send.ts';
import { reservationsExpireJob } from '../../../jobs/reservations-expire.ts';
import { reservationsSweepJob } from '../../../jobs/reservations-sweep.ts';
import { waitlistNotifyJob } from '../../../jobs/waitlist-notify.ts';
import { startWorkers } from '../../../src/app/roles/worker.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { placeReservation } from '../../../src/store/reservations/reserve-batch.ts';
import { expireDue, warnDue } from '../../../src/store/reservations/lifecycle.ts';
import { setReservationSetting } from '../../../src/store/reservations/settings.ts';
import {
  type Actor,
  cancelReservation,
  convertToOrder,
  extendReservation,
  listReservations,
  reserve,
} from '../../../src/store/reservations/reservations.ts';
import { RESERVATION_KINDS } from '../../../src/mirror/outbound.ts';
import { availableQuantity, subscribe } from '../../../src/store/waitlist/waitlist.ts';
import type { StoreFixture } from '../../support/mirror-fixtures.ts';
import { resetQueues } from '../../support/queues.ts';
import { testRuntime } from '../../support/runtime.ts';
import { type SmtpCapture, startTestSmtp } from '../../support/smtp-capture.ts';
import { until, waitSettled } from '../../support/wait.ts';
import { seedWorld } from '../../support/world.ts';
import { refusal } from '../../support/refusal.ts';

describe('store: reservations', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let a: Actor;
  let b: Actor;
  let smtp: SmtpCapture;
  let workers: Worker[] = [];

  const setStock = (offerId: number, warehouseId: number, quantity: string) =>
    rt.db('stock').where({ offer_id: offerId, warehouse_id: warehouseId }).update({ quantity });

  before(async () => {
    rt = await testRuntime();
    smtp = await startTestSmtp(rt);
  });
  after(() => smtp.stop());
  beforeEach(async () => {
    fx = await seedWorld(rt);
    await resetQueues(rt);
    await setReservationSetting(rt.db, 'extensionAllowed', true);
    await setReservationSetting(rt.db, 'maxExtensions', 1);
    // The fixture's source delivers reservations (as a SOAP source whose mapping has them does).
    await rt.db('sources').where({ id: fx.sourceId }).update({ outbound: ['order.create', ...RESERVATION_KINDS] });
    a = { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead };
    b = { userId: fx.users.b, clientId: fx.clients.b, counterpartyId: fx.cp.bHead };
    smtp.clear();
  });
  afterEach(async () => {
    for (const w of workers) await w.close();
    workers = [];
  });

  it('race: 200 concurrent requests for 10 units reserve exactly 10; the rest hear "not enough stock"', async () => {
    const offer = fx.offers[2]!;
    await setStock(offer, fx.warehouses.main, '10');
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => reserve(rt, i % 2 ? a : b, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '1' })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).to.have.length(10);
    expect(refused).to.have.length(190);
    for (const r of refused) {
      expect(r.reason).to.be.instanceOf(DomainError);
      expect(r.reason.code).to.equal('reservation.not_enough_stock');
      expect(r.reason.type).to.equal('conflict');
      expect(r.reason.message).to.match(/^Не хватает на складе: доступно 0 шт\., вы просили 1\.$/);
    }
    const { rows: [{ sum }] } = await rt.db.raw<{ rows: { sum: string }[] }>(`SELECT sum(quantity)::text AS sum FROM reservations WHERE offer_id = ? AND state = 'active'`, [offer]);
    expect(Number(sum)).to.equal(10);
    expect(await rt.db('outbox').where({ kind: 'reservation.place' }).count('* as n').first()).to.deep.equal({ n: 10 });
    expect(await availableQuantity(rt.db, offer, fx.warehouses.main)).to.equal('0');
  });

  it('reservations arriving together share one statement: one that fails (a client that does not exist) fails alone, the others are placed', async () => {
    const offer = fx.offers[1]!; // main: 20
    const call = (actor: Actor, quantity: string, warehouseId = fx.warehouses.main) =>
      placeReservation(rt, { ...actor, offerId: offer, warehouseId, quantity, periodHours: 24 });
    const batches: number[] = [];
    const seen = (q: { sql: string; bindings: unknown[] }) => {
      if (q.sql.includes('cp_reserve_many')) batches.push((q.bindings[0] as unknown[]).length);
    };
    rt.db.on('query', seen);
    const results = await Promise.allSettled([
      call(a, '2'),
      call({ userId: null, clientId: 999_999_999, counterpartyId: fx.cp.aHead }, '1'),
      call(b, '3'),
      call(a, '1', 999_999),
    ]).finally(() => rt.db.removeListener('query', seen));
    // One statement for the four (same tick), then, as it failed on the ghost's row, one each.
    expect(batches).to.deep.equal([4, 1, 1, 1, 1]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const [first, , third, unstocked] = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
    expect([first?.id, third?.id].every((id) => typeof id === 'number')).to.equal(true);
    expect(Number(third?.available)).to.equal(15);
    expect(unstocked).to.equal(undefined);
    const placed = await rt.db('reservations').where({ offer_id: offer, state: 'active' }).orderBy('quantity').select('client_id', 'quantity');
    expect(placed.map((r) => [r.client_id, Number(r.quantity)])).to.deep.equal([[fx.clients.a, 2], [fx.clients.b, 3]]);
    expect(await availableQuantity(rt.db, offer, fx.warehouses.main)).to.equal('15');
  });

  it('refuses bad quantities, unstocked warehouses and more than is available, naming what is wrong', async () => {
    const offer = fx.offers[1]!; // main: 20
    expect((await refusal(reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '-1' }))).message).to.match(/положительное число/);
    expect((await refusal(reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '1.0001' }))).code).to.equal('reservation.quantity');
    expect((await refusal(reserve(rt, a, { offerId: offer, warehouseId: 999_999, quantity: '1' }))).message).to.equal('Этот товар не хранится на этом складе.');
    await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '12,5' });
    const e = await refusal(reserve(rt, b, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '8' }));
    expect(e.message).to.equal('Не хватает на складе: доступно 7,5 шт., вы просили 8.');
    expect(e.details).to.deep.equal({ available: '7.5' });
  });

  it('extend: once (settings), warning re-armed, outbox row; not when settings forbid', async () => {
    const r = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' });
    expect(r.expiresAt.getTime() - r.createdAt.getTime()).to.be.closeTo(24 * 3600_000, 5000);
    await rt.db('reservations').where({ id: r.id }).update({ expires_at: rt.db.raw("now() + interval '1 hour'"), warned_at: rt.db.fn.now() });
    const x = await extendReservation(rt, a, r.id);
    expect(x.extensions).to.equal(1);
    expect(x.expiresAt.getTime() - Date.now()).to.be.closeTo(24 * 3600_000, 5000);
    expect((await rt.db('reservations').where({ id: r.id }).first())!.warned_at).to.equal(null);
    expect(await rt.db('outbox').where({ kind: 'reservation.extend' }).count('* as n').first()).to.deep.equal({ n: 1 });
    expect((await refusal(extendReservation(rt, a, r.id))).message).to.equal('Этот резерв уже продлён 1 раз — это наибольшее допустимое число.');
    await setReservationSetting(rt.db, 'maxExtensions', 5);
    await setReservationSetting(rt.db, 'extensionAllowed', false);
    expect((await refusal(extendReservation(rt, a, r.id))).message).to.equal('Продлевать резервы нельзя.');
    // A client override wins over the global setting.
    await rt.db('clients').where({ id: fx.clients.a }).update({ settings: JSON.stringify({ reservations: { extensionAllowed: true, periodHours: 2 } }) });
    const y = await extendReservation(rt, a, r.id);
    expect(y.extensions).to.equal(2);
  });

  it('cancel returns the goods and writes a release for the accounting system', async () => {
    const offer = fx.offers[2]!; // main: 30
    const r = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '30' });
    expect(await availableQuantity(rt.db, offer, fx.warehouses.main)).to.equal('0');
    await cancelReservation(rt, a, r.id);
    expect(await availableQuantity(rt.db, offer, fx.warehouses.main)).to.equal('30');
    const rows = await rt.db('outbox').where({ ordering_key: `reservation:${r.id}` }).orderBy('id').select('kind', 'payload');
    expect(rows.map((x) => x.kind)).to.deep.equal(['reservation.place', 'reservation.release']);
    expect(rows[1].payload).to.deep.equal({ reservationId: r.id, reason: 'cancelled' });
    expect((await refusal(cancelReservation(rt, a, r.id))).message).to.equal(`Резерв №${r.id} уже отменён.`);
  });

  it('nobody touches another client\'s reservations: not found, nothing changes', async () => {
    const r = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    for (const act of [() => cancelReservation(rt, b, r.id), () => extendReservation(rt, b, r.id), () => convertToOrder(rt, b, [r.id])]) {
      const e = await refusal(act());
      expect(e.code).to.equal('reservation.not_found');
      expect(e.type).to.equal('not_found');
      expect(e.message).to.equal('Резерв не найден.');
    }
    expect(await listReservations(rt, b)).to.have.length(0);
    expect((await rt.db('reservations').where({ id: r.id }).first())!.state).to.equal('active');
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('convert: one order with lines, exact prices, status history and outbox; reservations end "ordered"', async () => {
    const r1 = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '3' });
    const r2 = await reserve(rt, a, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.partner, quantity: '1.5' });
    const order = await convertToOrder(rt, { ...a, contractId: fx.contracts.aMain }, [r1.id, r2.id], 'asap');
    // Offer 2: individual contract price 150 − 5 % = 142.50 → 427.50. Offer 3 at the partner:
    // wholesale 270 − 5 % = 256.50, + 10 % commission = 282.15 → 1.5 × 282.15 = 423.23 (rounded).
    const lines = await rt.db('order_lines').where({ order_id: order.orderId }).orderBy('line_no');
    expect(lines.map((l) => [l.quantity, l.price, l.amount])).to.deep.equal([
      ['3.000', '142.50', '427.50'],
      ['1.500', '282.15', '423.23'],
    ]);
    expect(order.total).to.equal('850.73');
    expect(order.number).to.match(/^CP-\d{6}$/);
    const o = await rt.db('orders').where({ id: order.orderId }).first();
    expect(o).to.include({ client_id: fx.clients.a, counterparty_id: fx.cp.aHead, contract_id: fx.contracts.aMain, total: '850.73', comment: 'asap' });
    expect(await rt.db('order_status_history').where({ order_id: order.orderId }).pluck('status')).to.deep.equal(['new']);
    expect(await rt.db('outbox').where({ kind: 'order.create' }).pluck('idempotency_key')).to.deep.equal([`order.create:${order.orderId}`]);
    const states = await rt.db('reservations').whereIn('id', [r1.id, r2.id]).pluck('state');
    expect(states).to.deep.equal(['ordered', 'ordered']);
    expect((await refusal(convertToOrder(rt, a, [r1.id]))).message).to.equal(`Резерв №${r1.id} уже оформлен в заказ.`);
  });

  it('convert twice at once: one order, the other attempt is told the reservations are ordered', async () => {
    const r1 = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const r2 = await reserve(rt, a, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const results = await Promise.allSettled([convertToOrder(rt, a, [r1.id, r2.id]), convertToOrder(rt, a, [r2.id, r1.id])]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const err = results.find((r) => r.status === 'rejected')!.reason;
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('reservation.not_active');
    expect(await rt.db('orders').pluck('creation_key')).to.deep.equal([`reservations:${r1.id},${r2.id}`]);
  });

  it('convert is all or nothing: one foreign id and no order is created', async () => {
    const mine = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const theirs = await reserve(rt, b, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    expect((await refusal(convertToOrder(rt, a, [mine.id, theirs.id]))).code).to.equal('reservation.not_found');
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
    expect((await rt.db('reservations').where({ id: mine.id }).first())!.state).to.equal('active');
  });

  it('expiry returns stock within seconds (real BullMQ worker), e-mails the buyer, and wakes the waiting list', async () => {
    workers = await startWorkers(rt, [reservationsExpireJob, mailSendJob, waitlistNotifyJob]);
    await rt.db('clients').where({ id: fx.clients.a }).update({ settings: JSON.stringify({ reservations: { periodHours: 1.5 / 3600 } }) });
    const offer = fx.offers[2]!;
    await setStock(offer, fx.warehouses.main, '5');
    const r = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '5' });
    await subscribe(rt, { userId: fx.users.b, counterpartyId: fx.cp.bHead }, { offerId: offer, warehouseId: fx.warehouses.main });
    await until(async () => (await rt.db('reservations').where({ id: r.id }).first())!.state === 'expired', 'the reservation to expire', 5000);
    const lateMs = Date.now() - r.expiresAt.getTime();
    expect(lateMs).to.be.below(2000);
    expect(await availableQuantity(rt.db, offer, fx.warehouses.main)).to.equal('5');
    const mails = await smtp.waitFor(2);
    const expired = mails.find((m) => m.envelopeTo[0] === fx.emails.a)!;
    expect(expired.subject).to.equal(`Резерв №${r.id} истёк: Hammer 500g`);
    const wl = mails.find((m) => m.envelopeTo[0] === fx.emails.b)!;
    expect(wl.subject).to.equal('Поступление: Hammer 500g — 5 шт. на складе «Main»');
    expect(await rt.db('outbox').where({ kind: 'reservation.release' }).pluck('payload')).to.deep.equal([{ reservationId: r.id, reason: 'expired' }]);
  });

  it('the sweep expires what lost its delayed job (Redis loss) and warns once before the deadline', async () => {
    workers = await startWorkers(rt, [mailSendJob]);
    const r1 = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const r2 = await reserve(rt, a, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' });
    await resetQueues(rt); // the delayed jobs are gone
    await rt.db('reservations').where({ id: r1.id }).update({ expires_at: rt.db.raw("now() - interval '1 second'") });
    await rt.db('reservations').where({ id: r2.id }).update({ expires_at: rt.db.raw("now() + interval '30 minutes'") });
    const res = await reservationsSweepJob.process(rt, { data: {} } as never);
    expect(res).to.deep.include({ expired: 1, warned: 1 });
    expect(await warnDue(rt)).to.deep.equal([]);
    expect(await expireDue(rt)).to.deep.equal([]);
    const mails = await smtp.waitFor(2);
    expect(mails.map((m) => m.subject).sort()).to.deep.equal([
      `Резерв №${r1.id} истёк: Drill Makita HP1630`,
      `Резерв №${r2.id} истекает ${new Intl.DateTimeFormat('ru-RU', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Moscow' }).format((await rt.db('reservations').where({ id: r2.id }).first())!.expires_at)}: Hammer 500g`,
    ]);
    await waitSettled(rt, { what: 'every queued mail to be sent' });
    expect(smtp.messages()).to.have.length(2);
  });

  it('writes no reservation row for a source that does not deliver them (CommerceML, a mapping without reservations)', async () => {
    const offer = fx.offers[1]!;
    for (const outbound of [['order.create'], []]) {
      await rt.db('sources').where({ id: fx.sourceId }).update({ outbound });
      const r = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '1' });
      await extendReservation(rt, a, r.id);
      await cancelReservation(rt, a, r.id);
      expect(await rt.db('reservations').where({ id: r.id }).first()).to.include({ held_by_source: false, state: 'cancelled', extensions: 1 });
    }
    // A reservation the system never got is not extended or released there, even once the source delivers.
    await rt.db('sources').where({ id: fx.sourceId }).update({ outbound: [] });
    const before = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '1' });
    await rt.db('sources').where({ id: fx.sourceId }).update({ outbound: [...RESERVATION_KINDS] });
    await extendReservation(rt, a, before.id);
    await cancelReservation(rt, a, before.id);
    expect(await rt.db('outbox').count('* as n').first()).to.deep.equal({ n: 0 });
    const after = await reserve(rt, a, { offerId: offer, warehouseId: fx.warehouses.main, quantity: '1' });
    expect(await rt.db('outbox').pluck('kind')).to.deep.equal(['reservation.place']);
    expect((await rt.db('reservations').where({ id: after.id }).first())!.held_by_source).to.equal(true);
  });

  it('takes the period from the settings it is given; the database function has no default of its own', async () => {
    await setReservationSetting(rt.db, 'periodHours', 3);
    try {
      const r = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
      expect(r.expiresAt.getTime() - r.createdAt.getTime()).to.be.closeTo(3 * 3600_000, 5000);
    } finally {
      await setReservationSetting(rt.db, 'periodHours', 24);
    }
    let refused: Error | undefined;
    try {
      await rt.db.raw('SELECT * FROM cp_reserve(?, ?, ?, ?, ?, 1, NULL)', [a.clientId, a.counterpartyId, a.userId, fx.offers[1]!, fx.warehouses.main]);
    } catch (err) {
      refused = err as Error;
    }
    expect(refused?.message).to.match(/the reservation period must be a positive number of hours, got <NULL>/);
  });
});
