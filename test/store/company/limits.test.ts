import { expect } from 'chai';
import { DomainError } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { moneyText } from '../../../src/store/company/limits.ts';
import { createOrder } from '../../../src/store/orders/create.ts';
import { add } from '../../../src/store/shared/decimal.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('store/company/limits: an employee’s order limits per order and per month, exact', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let emp: number;
  let n = 0;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    emp = (await rt.db('users').insert({ email: 'emp@alpha.test', role: 'buyer', client_id: fx.clients.a, company_role: 'buyer' }).returning('id'))[0].id;
  });

  const order = (quantity: string, userId = emp) =>
    createOrder(rt.db, {
      origin: { kind: 'checkout', checkoutKey: `limits-${++n}` }, userId, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: 'default',
      lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.partner, quantity }], comment: '',
    });
  const orders = async () => Number((await rt.db('orders').count<{ n: string }[]>('* as n'))[0]!.n);
  const outboxRows = async () => Number((await rt.db('outbox').count<{ n: string }[]>('* as n'))[0]!.n);

  it('formats money the Russian way, exactly', () => {
    expect(moneyText('1234567.5', 'RUB')).to.equal('1\u00a0234\u00a0567,50 RUB');
    expect(moneyText('0.00', 'RUB')).to.equal('0,00 RUB');
  });

  it('per order: a total up to the limit passes, a kopeck over is refused (409) and nothing is written', async () => {
    const one = await order('1');
    const unit = one.total;
    await rt.db('users').where({ id: emp }).update({ order_limit: add(unit, unit, 2) });
    expect((await order('2')).repeated).to.equal(false); // exactly the limit
    await rt.db('users').where({ id: emp }).update({ order_limit: add(add(unit, unit, 2), '-0.01', 2) });
    const before = { orders: await orders(), outbox: await outboxRows() };
    const err = await refusal(order('2'));
    expect([err.type, err.code]).to.deep.equal(['conflict', 'company.over_order_limit']);
    expect(err.userMessage).to.match(/^Заказ на .+ RUB больше вашего лимита на один заказ \(.+ RUB\)\. Уменьшите заказ или обратитесь к владельцу кабинета\.$/);
    expect({ orders: await orders(), outbox: await outboxRows() }).to.deep.equal(before);
  });

  it('per month: this month’s orders plus this one; cancelled orders, earlier months and other users do not count', async () => {
    const first = await order('1');
    const unit = first.total;
    const other = await createOrder(rt.db, {
      origin: { kind: 'checkout', checkoutKey: 'owner-1' }, userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: 'default',
      lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.partner, quantity: '5' }], comment: '',
    });
    expect(other.repeated).to.equal(false);
    await rt.db('users').where({ id: emp }).update({ monthly_limit: add(unit, unit, 2) });
    await order('1'); // 2 units this month: at the limit
    const err = await refusal(order('1'));
    expect(err.code).to.equal('company.over_monthly_limit');
    expect(err.userMessage).to.contain('при лимите').and.to.contain('в месяц');
    expect((err.details as { spent: string }).spent).to.equal(add(unit, unit, 2));
    // A cancelled order and one of last month free the room again.
    await rt.db('orders').where({ id: first.orderId }).update({ status: 'cancelled' });
    expect((await order('1')).repeated).to.equal(false);
    await rt.db('orders').where({ user_id: emp }).update({ created_at: rt.db.raw(`now() - interval '40 days'`) });
    expect((await order('2')).repeated).to.equal(false);
  });

  it('no limits: nothing is checked; the owner’s limits apply to the owner too', async () => {
    expect((await order('50')).repeated).to.equal(false);
    await rt.db('users').where({ id: fx.users.a }).update({ order_limit: '1.00' });
    const err = await refusal(order('1', fx.users.a));
    expect(err.code).to.equal('company.over_order_limit');
  });
});
