import { expect } from 'chai';
import type { DomainError } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { storeToday } from '../../../src/store/arrivals/arrivals.ts';
import type { Actor } from '../../../src/store/messages/messages.ts';
import { acceptQuote, answerQuote, declineQuote, listQuotes, quoteView, requestQuote } from '../../../src/store/quotes/quotes.ts';
import { testRuntime } from '../../support/runtime.ts';
import type { StaffFixture } from '../../support/staff-fixtures.ts';
import { seedWorld } from '../../support/world.ts';

const day = (n: number, from = storeToday()) => {
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a refusal'); }, (e: DomainError) => ({ type: e.type, code: e.code, message: e.message }));

describe('store/quotes: request, answer, accept at the quoted prices, expiry', () => {
  let rt: Runtime;
  let fx: StaffFixture;
  let buyerA: Actor;
  let buyerB: Actor;
  let ivanov: Actor; // Alpha's manager
  let petrova: Actor; // Beta's
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    fx = await seedWorld(rt, { staff: true, tables: ['orders', 'outbox'] });
    buyerA = { userId: fx.users.a, role: 'buyer', clientId: fx.clients.a, managerId: null };
    buyerB = { userId: fx.users.b, role: 'buyer', clientId: fx.clients.b, managerId: null };
    ivanov = { userId: fx.staff.ivanov, role: 'manager', clientId: null, managerId: fx.managers.ivanov };
    petrova = { userId: fx.staff.petrova, role: 'manager', clientId: null, managerId: fx.managers.petrova };
    const [cart] = await rt.db('carts').insert({ user_id: fx.users.a, counterparty_id: fx.cp.aHead, contract_id: fx.contracts.aMain }).returning('id');
    await rt.db('cart_lines').insert([
      { cart_id: cart.id, offer_id: fx.offers[2]!, warehouse_id: fx.warehouses.main, quantity: '10', added_at: new Date(Date.now() - 1000) },
      { cart_id: cart.id, offer_id: fx.offers[3]!, warehouse_id: null, quantity: '2.5' },
    ]);
  });
  const ask = (extra: Partial<Parameters<typeof requestQuote>[1]> = {}) =>
    requestQuote(rt.db, { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain, desiredDate: day(7), comment: 'Нужно к понедельнику', ...extra });
  const answer = (id: number, extra: Partial<Parameters<typeof answerQuote>[3]> = {}) =>
    answerQuote(rt.db, ivanov, id, { validUntil: day(3), lines: [{ lineNo: 1, price: '250.55', quantity: '12' }, { lineNo: 2, price: '333.33' }], answer: 'Цены до четверга', ...extra });

  it('a buyer asks on their cart: lines, desired date and comment; bad dates, an empty cart or another client’s entity are refused', async () => {
    const id = await ask();
    const v = await quoteView(rt.db, buyerA, id);
    expect(v).to.include({ status: 'requested', desiredDate: day(7), comment: 'Нужно к понедельнику', total: null, expired: false });
    expect(v.lines.map((l) => [l.lineNo, l.sku, l.requestedQuantity, l.price])).to.deep.equal([[1, 'SKU-003', '10', null], [2, 'SKU-004', '2.5', null]]);
    expect(await refusal(ask({ desiredDate: day(-1) }))).to.include({ code: 'quote.date' });
    expect(await refusal(ask({ desiredDate: '2026-02-30' }))).to.include({ code: 'quote.date' });
    expect(await refusal(ask({ counterpartyId: fx.cp.bHead }))).to.include({ type: 'not_found' });
    expect(await refusal(requestQuote(rt.db, { userId: fx.users.b, clientId: fx.clients.b, counterpartyId: fx.cp.bHead, contractId: null, desiredDate: null, comment: '' })))
      .to.include({ code: 'quote.empty', message: 'Корзина пуста: добавьте товары, на которые нужна цена.' });
  });

  it('only the client’s manager answers (a price per line, a validity date, maybe another quantity); others get "not found"', async () => {
    const id = await ask();
    expect(await refusal(answerQuote(rt.db, petrova, id, { validUntil: day(3), lines: [{ lineNo: 1, price: '1' }, { lineNo: 2, price: '1' }] }))).to.include({ type: 'not_found' });
    expect(await refusal(answerQuote(rt.db, buyerA, id, { validUntil: day(3), lines: [] }))).to.include({ type: 'not_found' });
    expect(await refusal(answer(id, { lines: [{ lineNo: 1, price: '250.55' }] }))).to.include({ code: 'quote.price', message: 'Строка 2: укажите цену, например 1234.50.' });
    expect(await refusal(answer(id, { lines: [{ lineNo: 1, price: '1,5' }, { lineNo: 2, price: '1' }] }))).to.include({ code: 'quote.price' });
    expect(await refusal(answer(id, { validUntil: day(-1) }))).to.include({ code: 'quote.valid_until' });
    expect((await quoteView(rt.db, buyerA, id)).status).to.equal('requested'); // nothing of a refused answer stays
    await answer(id);
    const v = await quoteView(rt.db, buyerA, id);
    expect(v).to.include({ status: 'answered', validUntil: day(3), currency: 'RUB', answer: 'Цены до четверга' });
    // 12 × 250.55 = 3006.60; 2.5 × 333.33 = 833.325 → 833.33 (each line rounded once, like an order)
    expect(v.lines.map((l) => [l.requestedQuantity, l.quantity, l.price, l.amount])).to.deep.equal([['10', '12', '250.55', '3006.60'], ['2.5', '2.5', '333.33', '833.33']]);
    expect(v.total).to.equal('3839.93');
    expect(await refusal(quoteView(rt.db, buyerB, id))).to.include({ type: 'not_found' });
    expect((await listQuotes(rt.db, petrova)).map((q) => q.id)).to.deep.equal([]);
    expect((await listQuotes(rt.db, ivanov)).map((q) => q.id)).to.deep.equal([id]);
  });

  it('accepting makes one order at the quoted prices, exported like any order; accepting again returns it; another client cannot', async () => {
    const id = await ask();
    expect(await refusal(acceptQuote(rt.db, buyerA, id))).to.include({ code: 'quote.not_answered' });
    await answer(id);
    expect(await refusal(acceptQuote(rt.db, buyerB, id))).to.include({ type: 'not_found' });
    const order = await acceptQuote(rt.db, buyerA, id);
    expect(order).to.include({ total: '3839.93', currency: 'RUB', repeated: false });
    const lines = await rt.db('order_lines').where({ order_id: order.orderId }).orderBy('line_no').select('offer_id', 'warehouse_id', 'quantity', 'price', 'amount');
    expect(lines.map((l) => [l.offer_id, l.quantity, l.price, l.amount])).to.deep.equal([[fx.offers[2], '12.000', '250.55', '3006.60'], [fx.offers[3], '2.500', '333.33', '833.33']]);
    expect(lines[0]!.warehouse_id).to.equal(fx.warehouses.main);
    expect(lines[1]!.warehouse_id).to.not.equal(null); // the line had none: the first own warehouse with enough
    expect(Number((await rt.db('outbox').where({ kind: 'order.create' }).count({ n: '*' }).first())!.n)).to.equal(1);
    expect((await rt.db('orders').where({ id: order.orderId }).first('comment', 'contract_id'))).to.deep.equal({ comment: `По запросу цены №${id}. Нужно к понедельнику`, contract_id: fx.contracts.aMain });
    expect((await quoteView(rt.db, buyerA, id))).to.include({ status: 'accepted', orderId: order.orderId });
    expect(await acceptQuote(rt.db, buyerA, id)).to.include({ orderId: order.orderId, repeated: true });
    expect(await refusal(answer(id))).to.include({ code: 'quote.closed' });
  });

  it('an expired quote cannot be accepted (the last valid day still can); a declined one neither', async () => {
    const id = await ask();
    await answer(id, { validUntil: storeToday() });
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect((await quoteView(rt.db, buyerA, id, tomorrow)).expired).to.equal(true);
    const late = await refusal(acceptQuote(rt.db, buyerA, id, tomorrow));
    expect(late).to.include({ type: 'conflict', code: 'quote.expired' });
    expect(late.message).to.contain('Срок действия предложения истёк');
    expect(Number((await rt.db('orders').count({ n: '*' }).first())!.n)).to.equal(0);
    const other = await ask();
    await answer(other);
    await declineQuote(rt.db, buyerA, other);
    expect(await refusal(acceptQuote(rt.db, buyerA, other))).to.include({ code: 'quote.declined' });
    expect(await refusal(declineQuote(rt.db, buyerB, id))).to.include({ type: 'not_found' });
    expect(await acceptQuote(rt.db, buyerA, id)).to.include({ repeated: false }); // today is its last day
  });
});
