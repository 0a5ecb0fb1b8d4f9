import type { Worker } from 'bullmq';
import { expect } from 'chai';
import { mailSendJob } from '../../jobs/mail-send.ts';
import { exportDueOrders } from '../../jobs/orders-export.ts';
import { mailOrderStatuses, pullOrderStatuses } from '../../jobs/orders-status.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import type { Simulator } from '../../sim/index.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { resetQueues } from '../support/queues.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { type SmtpCapture, startTestSmtp } from '../support/smtp-capture.ts';

describe('jobs: orders.export and orders.status against the simulator', () => {
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  let orderId: number;
  let smtp: SmtpCapture;
  let workers: Worker[];

  const outbox = () => rt.db('outbox').orderBy('id').first();
  const makeDue = () => rt.db('outbox').update({ next_attempt_at: rt.db.fn.now() });

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'clients', 'users', 'orders', 'outbox');
    smtp = await startTestSmtp(rt);
    await resetQueues(rt); // mail other test files left queued must not reach this capture
    workers = await startWorkers(rt, [mailSendJob]);
    ({ sim, sourceId } = await simSource(rt, 'sim'));
    await runFullSync(rt, await soapSourceRow(rt, 'sim'));
    const cp = await rt.db('counterparties').where({ source_id: sourceId }).orderBy('id').first('id', 'external_id');
    const contract = await rt.db('contracts').where({ counterparty_id: cp!.id }).first('id');
    const offers = await rt.db('offers').where({ source_id: sourceId }).orderBy('id').limit(2).select('id', 'name', 'external_id');
    const wh = await rt.db('warehouses').where({ source_id: sourceId, external_id: 'WH01' }).first('id');
    const [client] = await rt.db('clients').insert({ name: 'Клиент' }).returning('id');
    const [user] = await rt.db('users').insert({ email: 'buyer@client.test', name: 'Анна', role: 'buyer', client_id: client.id }).returning('id');
    [{ id: orderId }] = await rt.db('orders')
      .insert({ number: 'CP-1001', source_id: sourceId, client_id: client.id, user_id: user.id, counterparty_id: cp!.id, contract_id: contract?.id ?? null, total: '350.00', comment: 'к 10:00' })
      .returning('id');
    await rt.db('order_lines').insert([
      { order_id: orderId, line_no: 1, offer_id: offers[0].id, warehouse_id: wh!.id, name: offers[0].name ?? '', quantity: '2', price: '100.00', amount: '200.00' },
      { order_id: orderId, line_no: 2, offer_id: offers[1].id, warehouse_id: null, name: offers[1].name ?? '', quantity: '1.5', price: '100.00', amount: '150.00' },
    ]);
    await rt.db('outbox').insert({ source_id: sourceId, kind: 'order.create', idempotency_key: `order:${orderId}`, payload: { orderId } });
    // the stock hold checkout writes with an order
    await rt.db('reservations').insert({
      client_id: client.id, counterparty_id: cp!.id, user_id: user.id, offer_id: offers[0].id, warehouse_id: wh!.id, quantity: '2', state: 'active',
      expires_at: rt.db.raw(`now() + interval '2 hours'`), order_id: orderId,
    });
  });
  const hold = () => rt.db('reservations').where({ order_id: orderId }).first('state').then((r) => r!.state as string);
  after(async () => {
    for (const w of workers) await w.close();
    await smtp.stop();
    await sim.stop();
  });
  afterEach(() => sim.faults.clear());

  it('keeps the order while the system is down, retrying with growing backoff, never giving up', async () => {
    sim.faults.set({ kind: 'down' });
    for (let i = 1; i <= 4; i++) {
      await makeDue();
      expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
      const row = await outbox();
      expect(row).to.include({ state: 'pending', attempts: i });
      expect(row!.last_error).to.match(/unreachable/);
      expect(new Date(row!.next_attempt_at).getTime()).to.be.greaterThan(Date.now());
    }
    // Not due yet: nothing is attempted.
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    expect(sim.state.orders()).to.have.length(0);
  });

  it('delivers exactly once even when the answer to CreateOrder is lost', async () => {
    // The system registers the order, but its answer is cut off: the store cannot know.
    sim.faults.set({ kind: 'truncated', operations: ['CreateOrder'], times: 1 });
    await makeDue();
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
    expect(sim.state.orders()).to.have.length(1);
    await makeDue();
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 1, failed: 0, retrying: 0 });
    expect(sim.state.orders()).to.have.length(1);
    const o = sim.state.orders()[0]!;
    expect(o).to.include({ storeOrderId: `order:${orderId}`, storeNumber: 'CP-1001', comment: 'к 10:00' });
    expect(o.lines.map((l) => [l.quantity, l.warehouseId])).to.deep.equal([['2.000', 'WH01'], ['1.500', null]]);
    const order = await rt.db('orders').where({ id: orderId }).first();
    expect(order).to.include({ export_state: 'exported', external_id: o.id, external_number: o.number });
    // Delivered is not yet confirmed: the hold counts until a status or the next stock sync.
    expect(await hold()).to.equal('active');
    expect(await outbox()).to.include({ state: 'delivered', attempts: 6, last_error: null });
    await makeDue();
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    expect(sim.state.orders()).to.have.length(1);
  });

  it('marks an outbox row failed, with the reason, when retrying cannot help', async () => {
    await rt.db('outbox').insert({ source_id: sourceId, kind: 'order.create', idempotency_key: 'order:999999', payload: { orderId: 999999 } });
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 1, retrying: 0 });
    const row = await rt.db('outbox').where({ idempotency_key: 'order:999999' }).first();
    expect(row!.state).to.equal('failed');
    expect(row!.last_error).to.equal(`outbox row ${row!.id}: order 999999 does not exist`);
  });

  it('pulls order statuses into the history and the order, once, as the mapping’s code plus the system’s text', async () => {
    sim.postOrderStatus('CP-1001', 'Собран', 'ожидает отгрузки');
    sim.postOrderStatus('CP-1001', 'Отгружен');
    const r = await pullOrderStatuses(rt, 'sim');
    expect(r).to.deep.equal({ applied: 3, unknown: [], unmapped: [] });
    const hist = await rt.db('order_status_history').where({ order_id: orderId }).orderBy('id').select('status', 'status_text', 'note', 'origin');
    expect(hist).to.deep.equal([
      { status: 'confirmed', status_text: 'Принят', note: 'Заказ зарегистрирован в учётной системе', origin: 'accounting' },
      { status: 'confirmed', status_text: 'Собран', note: 'ожидает отгрузки', origin: 'accounting' },
      { status: 'shipped', status_text: 'Отгружен', note: '', origin: 'accounting' },
    ]);
    expect(await rt.db('orders').where({ id: orderId }).first()).to.include({ status: 'shipped', status_text: 'Отгружен', external_number: sim.state.orders()[0]!.number });
    // The system confirmed the order: its stock accounts for it, the store's hold ended.
    expect(await hold()).to.equal('ordered');
    expect(await pullOrderStatuses(rt, 'sim')).to.deep.equal({ applied: 0, unknown: [], unmapped: [] });
    // A crash after the pull but before the cursor moved repeats it: still no duplicates.
    await rt.db('source_cursors').where({ source_id: sourceId }).del();
    expect(await pullOrderStatuses(rt, 'sim')).to.deep.equal({ applied: 0, unknown: [], unmapped: [] });
    expect(await rt.db('order_status_history').where({ order_id: orderId }).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
    expect(await rt.db('orders').where({ id: orderId }).first()).to.include({ status: 'shipped', status_text: 'Отгружен' });
  });

  it('e-mails each new status to the order’s author over SMTP, once', async () => {
    expect(await mailOrderStatuses(rt)).to.equal(3);
    const mails = await smtp.waitFor(3);
    expect(mails.map((m) => m.envelopeTo)).to.deep.equal([['buyer@client.test'], ['buyer@client.test'], ['buyer@client.test']]);
    expect(mails.map((m) => m.subject).sort()).to.deep.equal(['Заказ CP-1001: Отгружен', 'Заказ CP-1001: Подтверждён', 'Заказ CP-1001: Подтверждён']);
    const shipped = mails.find((m) => m.subject.endsWith('Отгружен'))!;
    expect(shipped.text).to.contain('Здравствуйте, Анна!').and.contain('Отгружен — «Отгружен»').and.contain(`/orders/${orderId}`);
    expect(shipped.text).to.contain(`в учётной системе ${sim.state.orders()[0]!.number}`);
    expect(mails.find((m) => m.text.includes('«Собран»'))!.text).to.contain('ожидает отгрузки');
    expect(await rt.db('order_status_history').where({ mail_pending: true }).count({ n: '*' })).to.deep.equal([{ n: 0 }]);
    // Nothing new: nothing queued; a second sweep over the same rows (a crash before the mark
    // was cleared) is harmless because each mail is keyed by its history row.
    expect(await mailOrderStatuses(rt)).to.equal(0);
    await rt.db('order_status_history').where({ order_id: orderId }).update({ mail_pending: true });
    expect(await mailOrderStatuses(rt)).to.equal(3);
    await rt.db('order_status_history').insert({ order_id: orderId, status: 'shipped', status_text: 'Отгружен', note: 'marker', origin: 'accounting', mail_pending: true });
    expect(await mailOrderStatuses(rt)).to.equal(1);
    const all = await smtp.waitFor(4);
    expect(all[3]!.text).to.contain('marker');
    expect(smtp.messages()).to.have.length(4);
  });

  it('stores a status text the mapping has no code for with its text, reports it, and never moves the order back', async () => {
    smtp.clear();
    sim.postOrderStatus('CP-1001', 'Собран частично', 'остаток позже');
    expect(await pullOrderStatuses(rt, 'sim')).to.deep.equal({ applied: 1, unknown: [], unmapped: ['CP-1001: Собран частично'] });
    expect(await rt.db('orders').where({ id: orderId }).first()).to.include({ status: 'shipped', status_text: 'Собран частично' });
    const last = await rt.db('order_status_history').where({ order_id: orderId }).orderBy('id', 'desc').first('status', 'status_text', 'note', 'mail_pending');
    expect(last).to.deep.equal({ status: 'shipped', status_text: 'Собран частично', note: 'остаток позже', mail_pending: true });
    expect(await mailOrderStatuses(rt)).to.equal(1);
    const [m] = await smtp.waitFor(1);
    expect(m!.text).to.contain('Отгружен — «Собран частично»');
  });
});
