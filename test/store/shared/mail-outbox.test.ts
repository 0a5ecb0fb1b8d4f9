import { expect } from 'chai';
import { reconcileWork } from '../../../jobs/work-reconcile.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { flushMails } from '../../../src/mail/index.ts';
import { loadViewer } from '../../../src/store/accounts/viewer.ts';
import { decideApproval } from '../../../src/store/approvals/approvals.ts';
import { placeOrder } from '../../../src/store/orders/checkout.ts';
import { type Confirmation, placeOrderWithMails } from '../../../src/store/orders/confirmation.ts';
import { notifyAvailable, subscribe } from '../../../src/store/waitlist/waitlist.ts';
import { freePort } from '../../faults/processes.ts';
import { useMailDelivery } from '../../support/mail-delivery.ts';
import { outboxLetters } from '../../support/mail-outbox.ts';
import { resetQueues } from '../../support/queues.ts';
import { refusal } from '../../support/refusal.ts';
import { until, waitSettled } from '../../support/wait.ts';
import { useWorld } from '../../support/world.ts';

describe('store/shared/mail-outbox: e-mails of committed events are written with them and delivered once, Redis down or not', () => {
  const w = useWorld({ tables: ['orders', 'outbox', 'reservations', 'order_approvals', 'waitlist'] });
  const smtp = useMailDelivery(() => w.rt);
  let n = 0;
  const closers: (() => Promise<void>)[] = [];
  /** The same store with nothing answering at its queue's Redis address: every hand-over fails. */
  const queueDown = async (): Promise<Runtime> => ({ ...w.rt, redisUrl: `redis://127.0.0.1:${await freePort()}`, onShutdown: (_name, fn) => void closers.push(fn) });

  beforeEach(async () => {
    await resetQueues(w.rt);
    smtp.clear();
  });
  afterEach(async () => {
    for (const c of closers.reverse()) await c();
    closers.length = 0;
  });

  const input = (userId: number, quantity = '2') => ({
    userId, clientId: w.fx.clients.a, counterpartyId: w.fx.cp.aHead, contractId: null, checkoutKey: `outbox-mail-${++n}-key`, comment: 'к понедельнику',
    lines: [{ offerId: w.fx.offers[2]!, warehouseId: w.fx.warehouses.partner, quantity }],
  });
  const letter = (to: string): Confirmation => ({ to, language: null, lines: [{ sku: 'P3', name: 'Hammer 500g', quantity: '2', unit: 'шт', amount: '200.00' }] });

  /** work.reconcile with Redis back hands the row over once; the SMTP capture gets the e-mail once; the row is marked sent. */
  async function deliveredOnceByReconcile(key: string, rows = 1) {
    expect(smtp.messages(), 'nothing reached SMTP while the queue was down').to.have.length(0);
    expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails).to.equal(rows);
    const mails = await smtp.waitFor(rows);
    await until(async () => (await outboxLetters(w.rt.db, key)).every((l) => l.sent), `the outbox rows ${key} marked sent`);
    expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails, 'a second reconcile hands nothing').to.equal(0);
    await waitSettled(w.rt, { what: 'every queued mail to be sent' });
    expect(smtp.messages()).to.have.length(rows);
    return mails;
  }

  it('order confirmation: the queue unreachable at checkout — the order and its unsent row commit together; reconcile delivers it once', async () => {
    const started = Date.now();
    const o = await placeOrderWithMails(await queueDown(), input(w.fx.users.a), letter(w.fx.emails.a));
    expect(Date.now() - started, 'the buyer does not wait for Redis').to.be.below(5000);
    const [row] = await outboxLetters(w.rt.db);
    expect(row).to.deep.include({ key: `order-confirmation-${o.orderId}`, to: w.fx.emails.a, template: 'store-plain', sent: false });
    expect(row!.subject).to.contain(o.number);
    const [m] = await deliveredOnceByReconcile(`order-confirmation-${o.orderId}`);
    expect(m!.envelopeTo).to.deep.equal([w.fx.emails.a]);
    expect(m!.subject).to.equal(row!.subject);
    expect(m!.text).to.contain('к понедельнику');
  });

  it('a repeated checkout form writes no second confirmation; a refused one writes none', async () => {
    const first = input(w.fx.users.a);
    const o = await placeOrderWithMails(w.rt, first, letter(w.fx.emails.a));
    const again = await placeOrderWithMails(w.rt, first, letter(w.fx.emails.a));
    expect([again.orderId, again.repeated]).to.deep.equal([o.orderId, true]);
    const refused = await refusal(placeOrderWithMails(w.rt, input(w.fx.users.a, '100000'), letter(w.fx.emails.a)));
    expect(refused.code, 'more than the stock is refused').to.equal('order.stock');
    await smtp.waitFor(1);
    await waitSettled(w.rt, { what: 'every queued mail to be sent' });
    expect((await outboxLetters(w.rt.db)).map((l) => [l.key, l.sent])).to.deep.equal([[`order-confirmation-${o.orderId}`, true]]);
    expect(smtp.messages()).to.have.length(1);
  });

  it('an approval decision: the queue unreachable when the owner decides — both e-mails are written with the decision, delivered once by reconcile', async () => {
    const emp = (await w.rt.db('users').insert({ email: 'emp@alpha.test', name: 'Олег', role: 'buyer', client_id: w.fx.clients.a, company_role: 'buyer', order_limit: '100.00' }).returning('id'))[0].id;
    const o = await placeOrder(w.rt.db, input(emp, '5'));
    expect(o.awaitingApproval).to.equal(true);
    const owner = (await loadViewer(w.rt.db, w.fx.users.a))!;
    // approved: nothing else of the decision needs the queue (a rejection wakes the waiting list through it)
    await decideApproval(await queueDown(), owner, o.orderId, 'approved', 'Срочно');
    expect((await w.rt.db('orders').where({ id: o.orderId }).first('export_state'))!.export_state).to.equal('pending');
    const rows = await outboxLetters(w.rt.db, `approval-${o.orderId}-%`);
    expect(rows.map((r) => [r.key, r.to, r.sent])).to.deep.equal([
      [`approval-${o.orderId}-approved-author`, 'emp@alpha.test', false],
      [`approval-${o.orderId}-approved-approver`, w.fx.emails.a, false],
    ]);
    const mails = await deliveredOnceByReconcile(`approval-${o.orderId}-%`, 2);
    expect(mails.map((m) => m.envelopeTo[0]).sort()).to.deep.equal(['emp@alpha.test', w.fx.emails.a].sort());
    expect(mails.every((m) => m.subject === `Заказ ${o.number}: согласован`)).to.equal(true);
  });

  it('a waiting list: the queue unreachable when stock comes back — the claim and its e-mail commit together; reconcile delivers it once', async () => {
    const offer = w.fx.offers[3]!;
    await w.rt.db('stock').where({ offer_id: offer }).update({ quantity: '0' });
    const entry = await subscribe(w.rt, { userId: w.fx.users.b, counterpartyId: w.fx.cp.bHead }, { offerId: offer });
    await w.rt.db('stock').where({ offer_id: offer, warehouse_id: w.fx.warehouses.north }).update({ quantity: '7' });
    expect(await notifyAvailable(await queueDown(), [offer])).to.deep.equal([entry.id]);
    expect(await notifyAvailable(w.rt, [offer]), 'claimed once').to.deep.equal([]);
    expect((await outboxLetters(w.rt.db)).map((r) => [r.key, r.to, r.template, r.sent])).to.deep.equal([[`waitlist-${entry.id}`, w.fx.emails.b, 'waitlist-available', false]]);
    const [m] = await deliveredOnceByReconcile(`waitlist-${entry.id}`);
    expect(m!.subject).to.contain('7 шт. на складе «North»');
  });

  it('no duplicates: the hand-over after the commit, reconcile runs and a second hand-over of the same keys all at once — one e-mail per key', async () => {
    const offer = w.fx.offers[3]!;
    await w.rt.db('stock').where({ offer_id: offer }).update({ quantity: '0' });
    await subscribe(w.rt, { userId: w.fx.users.a, counterpartyId: w.fx.cp.aHead }, { offerId: offer });
    await w.rt.db('stock').where({ offer_id: offer }).update({ quantity: '3' });
    const [o] = await Promise.all([placeOrderWithMails(w.rt, input(w.fx.users.a), letter(w.fx.emails.a)), notifyAvailable(w.rt, [offer])]);
    const keys = (await outboxLetters(w.rt.db)).map((l) => l.key);
    expect(keys).to.have.length(2).and.include(`order-confirmation-${o.orderId}`);
    await Promise.all([reconcileWork(w.rt, { mailGraceS: 0 }), reconcileWork(w.rt, { mailGraceS: 0 }), flushMails(w.rt, keys)]);
    await smtp.waitFor(2);
    await until(async () => (await outboxLetters(w.rt.db)).every((l) => l.sent), 'every outbox row marked sent');
    await reconcileWork(w.rt, { mailGraceS: 0 });
    await waitSettled(w.rt, { what: 'every queued mail to be sent' });
    expect(smtp.messages()).to.have.length(2);
  });
});
