import { expect } from 'chai';
import { messageIn } from '../../../src/infra/domain-error.ts';
import { DomainError } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { creditMessage, evaluateCredit, orderTotal, rub } from '../../../src/store/credit/check.ts';
import { type CreditState, creditOf } from '../../../src/store/credit/credit.ts';
import { placeOrder } from '../../../src/store/orders/checkout.ts';
import { convertToOrder, reserve } from '../../../src/store/reservations/reservations.ts';
import { add } from '../../../src/store/shared/decimal.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

/** The messages keep a figure and its ₽ together with no-break spaces; tests read plain ones. */
const plain = (s: string) => s.replace(/\u00a0/g, ' ');

const state = (o: Partial<CreditState> = {}): CreditState => ({
  counterpartyId: 1, debt: '475000.00', overdue: '47500.00', limit: '500000.00', openOrders: '0.00', left: '25000.00', policy: 'refuse',
  currency: 'RUB', asOf: new Date('2026-12-03T06:00:00Z'), ...o,
});

describe('store/credit: the credit check (exact money)', () => {
  it('totals an order as the order writes it: round(quantity × price, 2) per line, summed exactly', () => {
    expect(orderTotal([{ quantity: '3', price: '0.10' }, { quantity: '0.333', price: '33.33' }])).to.equal('11.40'); // 0.30 + 11.09889 → 11.10
    expect(orderTotal([{ quantity: '0.005', price: '1.0000' }])).to.equal('0.01'); // half up, like SQL round()
    expect(orderTotal([{ quantity: '999999.999', price: '99999999.9999' }, { quantity: '1', price: '0.01' }])).to.equal('99999999899900.01');
  });

  it('passes an order that reaches the limit exactly, refuses one a kopeck past it, and says by how much', () => {
    expect(evaluateCredit(state(), '25000.00', 'RUB')).to.include({ outcome: 'ok', over: '0.00' });
    expect(evaluateCredit(state(), '25000.01', 'RUB')).to.include({ outcome: 'refuse', over: '0.01', order: '25000.01' });
    expect(evaluateCredit(state({ policy: 'warn' }), '30000.00', 'RUB')).to.include({ outcome: 'warn', over: '5000.00' });
  });

  it('counts the store’s open orders, and a prepayment (negative debt) as headroom', () => {
    expect(evaluateCredit(state({ openOrders: '20000.00' }), '5000.01', 'RUB')).to.include({ outcome: 'refuse', over: '0.01' });
    expect(evaluateCredit(state({ debt: '-1000.50', overdue: '0.00' }), '501000.50', 'RUB')).to.include({ outcome: 'ok' });
    expect(evaluateCredit(state({ debt: '-1000.50', overdue: '0.00' }), '501000.51', 'RUB')).to.include({ outcome: 'refuse', over: '0.01' });
  });

  it('has nothing to compare without settlements, without a limit, or for an order in another currency', () => {
    expect(evaluateCredit(null, '1000000000.00', 'RUB').outcome).to.equal('ok');
    expect(evaluateCredit(state({ limit: null, left: null }), '1000000000.00', 'RUB').outcome).to.equal('ok');
    expect(evaluateCredit(state(), '1000000000.00', 'USD').outcome).to.equal('ok');
  });

  it('names the figures (Russian, and English for an English reader): limit, debt with its overdue part, open orders, this order, over by', () => {
    const refused = plain(messageIn(null, creditMessage(evaluateCredit(state({ openOrders: '1234.56' }), '30000.00', 'RUB'))));
    expect(refused).to.equal(
      'Заказ превышает лимит задолженности и не может быть оформлен: лимит задолженности 500 000,00 ₽, текущий долг 475 000,00 ₽ (из них просрочено 47 500,00 ₽), '
        + 'заказы в работе 1 234,56 ₽, этот заказ 30 000,00 ₽, превышение 6 234,56 ₽. Уменьшите заказ, оплатите долг или обратитесь к менеджеру.',
    );
    const warned = plain(messageIn(null, creditMessage(evaluateCredit(state({ policy: 'warn', overdue: '0.00' }), '25000.01', 'RUB'))));
    expect(warned).to.equal('Заказ превышает лимит задолженности: лимит задолженности 500 000,00 ₽, текущий долг 475 000,00 ₽, этот заказ 25 000,01 ₽, превышение 0,01 ₽. Его можно оформить, подтвердив превышение.');
    const inEnglish = plain(messageIn('en', creditMessage(evaluateCredit(state({ policy: 'warn', overdue: '0.00' }), '25000.01', 'RUB'))));
    expect(inEnglish).to.equal('The order exceeds the debt limit: debt limit RUB 500,000.00, current debt RUB 475,000.00, this order RUB 25,000.01, over by RUB 0.01. You may place it by confirming the excess.');
    expect(plain(rub('-1234567.5'))).to.equal('−1 234 567,50 ₽');
    expect(plain(rub('12.3', 'USD'))).to.equal('12,30 USD');
  });
});

describe('store/credit: checkout refuses or warns past the limit (placeOrder)', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let total: string;
  let n = 0;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    // The price of one line under the buyer's contract, learnt from an order that is then cancelled.
    const first = await order();
    total = first.total;
    await rt.db('orders').where({ id: first.orderId }).update({ status: 'cancelled' });
  });

  const lines = () => [{ offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' }];
  const order = (o: { who?: 'a' | 'b'; creditConfirmed?: boolean } = {}) =>
    placeOrder(rt.db, {
      userId: fx.users[o.who ?? 'a'], clientId: fx.clients[o.who ?? 'a'], counterpartyId: o.who === 'b' ? fx.cp.bHead : fx.cp.aHead,
      contractId: o.who === 'b' ? fx.contracts.bMain : fx.contracts.aMain, lines: lines(), comment: '', checkoutKey: `credit-key-${++n}`,
      creditConfirmed: o.creditConfirmed,
    });
  const setCredit = (counterpartyId: number, limit: string | null, debt: string, policy: 'refuse' | 'warn') =>
    rt.db('counterparty_credit')
      .insert({ counterparty_id: counterpartyId, source_id: fx.sourceId, debt, overdue: '0', credit_limit: limit, policy, as_of: new Date('2026-12-03T06:00:00Z') })
      .onConflict('counterparty_id').merge();
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  };
  const live = async () => Number((await rt.db('orders').whereNot({ status: 'cancelled' }).count({ n: '*' }).first())!.n);

  it('refuses an order a kopeck past the limit (policy refuse) and writes nothing; exactly at the limit it goes through', async () => {
    await setCredit(fx.cp.aHead, add('100000.00', total), '100000.01', 'refuse');
    const err = await refusal(order());
    expect(err).to.include({ type: 'conflict', code: 'order.credit_refused' });
    expect(plain(err.userMessage)).to.contain(`этот заказ ${plain(rub(total))}, превышение 0,01 ₽`);
    expect(await live()).to.equal(0);
    expect(Number((await rt.db('outbox').where({ kind: 'order.create' }).count({ n: '*' }).first())!.n)).to.equal(1); // the cancelled one's only
    await setCredit(fx.cp.aHead, add('100000.00', total), '100000.00', 'refuse');
    expect((await order()).repeated).to.equal(false);
  });

  it('policy warn: refused until the buyer confirms, then placed; confirming does not pass a refuse policy', async () => {
    await setCredit(fx.cp.aHead, '1000.00', '1000.00', 'warn');
    const err = await refusal(order());
    expect(err).to.include({ type: 'conflict', code: 'order.credit_warning' });
    expect(plain(err.userMessage)).to.match(/^Заказ превышает лимит задолженности: лимит задолженности 1 000,00 ₽, текущий долг 1 000,00 ₽, этот заказ .* Его можно оформить, подтвердив превышение\.$/);
    expect((await order({ creditConfirmed: true })).repeated).to.equal(false);
    await setCredit(fx.cp.aHead, '1000.00', '1000.00', 'refuse');
    expect((await refusal(order({ creditConfirmed: true }))).code).to.equal('order.credit_refused');
  });

  it('counts the store’s open orders: the second of two orders passes the limit; once shipped it is the system’s debt', async () => {
    await setCredit(fx.cp.aHead, add(total, total), '1.00', 'refuse');
    const first = await order();
    const err = await refusal(order());
    expect(plain(err.userMessage)).to.contain(`заказы в работе ${plain(rub(total))}, этот заказ ${plain(rub(total))}, превышение 1,00 ₽`);
    expect((await creditOf(rt.db, [fx.cp.aHead])).get(fx.cp.aHead)).to.include({ openOrders: total, left: add(total, '-1.00') });
    // shipped: the system's debt now holds it (a sync brings the new debt), the store stops counting it
    await rt.db('orders').where({ id: first.orderId }).update({ status: 'shipped' });
    await setCredit(fx.cp.aHead, add(total, total), add(total, '1.00'), 'refuse');
    expect(plain((await refusal(order())).userMessage)).to.contain('превышение 1,00 ₽');
    await setCredit(fx.cp.aHead, add(total, total), total, 'refuse');
    expect((await order()).repeated).to.equal(false);
  });

  it('checks the ordering counterparty’s own limit only: another client’s exhausted limit does not apply', async () => {
    await setCredit(fx.cp.aHead, '0.00', '5000000.00', 'refuse');
    await setCredit(fx.cp.bHead, null, '5000000.00', 'refuse');
    expect((await order({ who: 'b' })).repeated).to.equal(false); // no limit: anything goes
    expect((await refusal(order())).code).to.equal('order.credit_refused');
    expect([...(await creditOf(rt.db, [fx.cp.bHead])).keys()]).to.deep.equal([fx.cp.bHead]);
  });

  it('an order from reservations is checked too; with policy warn the buyer’s confirmation lets it through', async () => {
    const actor = { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain };
    const held = await reserve(rt, actor, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' });
    await setCredit(fx.cp.aHead, '10.00', '10.00', 'warn');
    expect((await refusal(convertToOrder(rt, actor, [held.id]))).code).to.equal('order.credit_warning');
    expect((await rt.db('reservations').where({ id: held.id }).first('state'))!.state).to.equal('active');
    const o = await convertToOrder(rt, actor, [held.id], '', { creditConfirmed: true });
    expect(o.total).to.equal(total);
  });
});
