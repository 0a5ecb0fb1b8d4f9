import { expect } from 'chai';
import { messageIn } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { evaluateLimits, moneyText } from '../../../src/store/company/limits.ts';
import { createOrder } from '../../../src/store/orders/create.ts';
import { add } from '../../../src/store/shared/decimal.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('store/company/limits: an employee’s order limits per order and per month, exact; over them the order waits for approval', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let emp: number;
  let n = 0;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations', 'order_approvals');
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

  it('the rule, exact: at a limit passes, a kopeck over waits; per order first, then the month', () => {
    const f = { total: '1000.00', currency: 'RUB', orderLimit: null, monthlyLimit: null, spent: '0' };
    expect(evaluateLimits(f)).to.equal(null);
    expect(evaluateLimits({ ...f, orderLimit: '1000.00' })).to.equal(null);
    const over = evaluateLimits({ ...f, orderLimit: '999.99' })!;
    expect([over.reason, over.limit, over.total]).to.deep.equal(['order_limit', '999.99', '1000.00']);
    expect(over.message).to.equal('Заказ на 1\u00a0000,00\u00a0₽ больше лимита на один заказ (999,99\u00a0₽): он ждёт согласования владельцем кабинета.');
    // the same as a key with values: in English for an English reader
    expect(messageIn('en', over.text)).to.equal("The order for RUB\u00a01,000.00 is over the per-order limit (RUB\u00a0999.99): it awaits the account owner's approval.");
    expect(evaluateLimits({ ...f, monthlyLimit: '5000.00', spent: '4000.00' })).to.equal(null);
    const month = evaluateLimits({ ...f, monthlyLimit: '5000.00', spent: '4000.01' })!;
    expect([month.reason, month.spent]).to.deep.equal(['monthly_limit', '4000.01']);
    expect(month.message).to.contain('5\u00a0000,01\u00a0₽ при лимите 5\u00a0000,00\u00a0₽ в месяц (уже заказано на 4\u00a0000,01\u00a0₽)');
    // both passed: the per-order limit is named
    expect(evaluateLimits({ ...f, orderLimit: '1.00', monthlyLimit: '1.00' })!.reason).to.equal('order_limit');
    // huge figures stay exact (no floats)
    expect(evaluateLimits({ ...f, total: '9007199254740993.01', orderLimit: '9007199254740993.00' })!.reason).to.equal('order_limit');
  });

  it('per order: a total up to the limit is exported; a kopeck over is created held back, with no outbox row, waiting for approval', async () => {
    const one = await order('1');
    const unit = one.total;
    await rt.db('users').where({ id: emp }).update({ order_limit: add(unit, unit, 2) });
    const atLimit = await order('2');
    expect([atLimit.repeated, atLimit.awaitingApproval]).to.deep.equal([false, false]);
    await rt.db('users').where({ id: emp }).update({ order_limit: add(add(unit, unit, 2), '-0.01', 2) });
    const before = { orders: await orders(), outbox: await outboxRows() };
    const held = await order('2');
    expect(held.awaitingApproval).to.equal(true);
    expect(held.approvalMessage).to.match(/^Заказ на .+\s₽ больше лимита на один заказ \(.+\s₽\): он ждёт согласования владельцем кабинета\.$/);
    expect({ orders: await orders(), outbox: await outboxRows() }).to.deep.equal({ orders: before.orders + 1, outbox: before.outbox });
    expect((await rt.db('orders').where({ id: held.orderId }).first('export_state'))!.export_state).to.equal('held');
    const a = (await rt.db('order_approvals').where({ order_id: held.orderId }).first())!;
    expect([a.state, a.reason, a.limit_amount, a.requested_by, a.outbox_key]).to.deep.equal(['pending', 'order_limit', add(add(unit, unit, 2), '-0.01', 2), emp, `order.create:limits-${n}`]);
  });

  it('per month: this month’s orders plus this one; cancelled, waiting, earlier months’ and other users’ orders do not count', async () => {
    const first = await order('1');
    const unit = first.total;
    const other = await createOrder(rt.db, {
      origin: { kind: 'checkout', checkoutKey: 'owner-1' }, userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: 'default',
      lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.partner, quantity: '5' }], comment: '',
    });
    expect(other.repeated).to.equal(false);
    await rt.db('users').where({ id: emp }).update({ monthly_limit: add(unit, unit, 2) });
    expect((await order('1')).awaitingApproval).to.equal(false); // 2 units this month: at the limit
    const waiting = await order('1');
    expect(waiting.awaitingApproval).to.equal(true);
    expect(waiting.approvalMessage).to.contain('при лимите').and.to.contain('в месяц');
    expect((await rt.db('order_approvals').where({ order_id: waiting.orderId }).first('month_spent'))!.month_spent).to.equal(add(unit, unit, 2));
    // The waiting order is not spent yet: a cancelled one frees room for the next.
    await rt.db('orders').where({ id: first.orderId }).update({ status: 'cancelled' });
    expect((await order('1')).awaitingApproval).to.equal(false);
    await rt.db('orders').where({ user_id: emp }).update({ created_at: rt.db.raw(`now() - interval '40 days'`) });
    expect((await order('2')).awaitingApproval).to.equal(false);
  });

  it('no limits: nothing is checked; the owner’s limits apply to the owner too', async () => {
    expect((await order('50')).awaitingApproval).to.equal(false);
    await rt.db('users').where({ id: fx.users.a }).update({ order_limit: '1.00' });
    expect((await order('1', fx.users.a)).awaitingApproval).to.equal(true);
  });
});
