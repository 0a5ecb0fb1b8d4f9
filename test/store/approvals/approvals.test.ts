import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { RESERVATION_KINDS } from '../../../src/mirror/outbound.ts';
import { loadViewer } from '../../../src/store/accounts/viewer.ts';
import { decideApproval, expireDueApprovals, listApprovals, mailApprovalRequested, pendingApprovalCount } from '../../../src/store/approvals/approvals.ts';
import { placeOrder } from '../../../src/store/orders/checkout.ts';
import { convertToOrder, listReservations, reserve } from '../../../src/store/reservations/reservations.ts';
import { mul } from '../../../src/store/shared/decimal.ts';
import type { OutgoingMail } from '../../../src/store/shared/mail-port.ts';
import { availableQuantity } from '../../../src/store/waitlist/waitlist.ts';
import { outboxLetters } from '../../support/mail-outbox.ts';
import type { StoreFixture } from '../../support/mirror-fixtures.ts';
import { resetQueues } from '../../support/queues.ts';
import { testRuntime } from '../../support/runtime.ts';
import { seedWorld } from '../../support/world.ts';
import { refusal } from '../../support/refusal.ts';

describe('store/approvals: an order over the limit waits for an owner, who approves or rejects it', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let emp: number;
  let n = 0;
  const sent: OutgoingMail[] = [];
  const mail = { send: async (m: OutgoingMail) => void sent.push(m) };
  const viewer = async (id: number) => (await loadViewer(rt.db, id))!;
  const offer = () => fx.offers[2]!; // 100 at the partner warehouse
  const partner = () => fx.warehouses.partner;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    fx = await seedWorld(rt, { tables: ['orders', 'outbox', 'reservations', 'order_approvals'] });
    await resetQueues(rt);
    emp = (await rt.db('users').insert({ email: 'emp@alpha.test', name: 'Олег', role: 'buyer', client_id: fx.clients.a, company_role: 'buyer', order_limit: '100.00' }).returning('id'))[0].id;
    sent.length = 0;
  });

  const checkout = (quantity: string, userId = emp) =>
    placeOrder(rt.db, {
      userId, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: null, checkoutKey: `approval-${++n}-key`, comment: '',
      lines: [{ offerId: offer(), warehouseId: partner(), quantity }],
    });
  const outbox = (orderId: number) => rt.db('outbox').whereRaw(`kind = 'order.create' AND (payload->>'orderId')::bigint = ?`, [orderId]).select('idempotency_key', 'state');
  const holds = (orderId: number) => rt.db('reservations').where({ order_id: orderId }).orderBy('id').pluck('state');

  it('approved: the order gets its one outbox row (its checkout key) and export_state pending; both are e-mailed; twice is a 409', async () => {
    const o = await checkout('5');
    expect(o.awaitingApproval).to.equal(true);
    expect(await outbox(o.orderId)).to.deep.equal([]);
    expect(await holds(o.orderId)).to.deep.equal(['active']);
    const owner = await viewer(fx.users.a);
    expect(await pendingApprovalCount(rt.db, owner)).to.equal(1);
    const [pending] = await listApprovals(rt.db, owner);
    expect([pending!.number, pending!.state, pending!.requestedBy?.email, pending!.total]).to.deep.equal([o.number, 'pending', 'emp@alpha.test', o.total]);
    expect([pending!.reason, pending!.limit]).to.deep.equal(['order_limit', '100.00']);

    expect(await mailApprovalRequested(rt, mail, o.orderId)).to.equal(1);
    expect(sent.map((m) => [m.to, m.subject])).to.deep.equal([[fx.emails.a, `Заказ ${o.number} ждёт вашего согласования`]]);
    expect(sent[0]!.text).to.contain('Олег оформил(а) заказ').and.contain('больше лимита на один заказ 100,00\u00a0₽');
    sent.length = 0;

    const d = await decideApproval(rt, owner, o.orderId, 'approved', '  Срочно нужно  ');
    expect(d.state).to.equal('approved');
    expect(await outbox(o.orderId)).to.deep.equal([{ idempotency_key: `order.create:approval-${n}-key`, state: 'pending' }]);
    const row = await rt.db('orders').where({ id: o.orderId }).first('export_state', 'status');
    expect(row).to.deep.equal({ export_state: 'pending', status: 'new' });
    expect(await holds(o.orderId)).to.deep.equal(['active']); // held until the system has it, like any order
    expect((await rt.db('order_approvals').where({ order_id: o.orderId }).first('comment', 'decided_by'))).to.deep.equal({ comment: 'Срочно нужно', decided_by: fx.users.a });
    // written with the decision, in its transaction: the mail outbox hands them to mail.send
    const decided = await outboxLetters(rt.db, `approval-${o.orderId}-approved-%`);
    expect(decided.map((m) => [m.key, m.to, m.subject])).to.deep.equal([
      [`approval-${o.orderId}-approved-author`, 'emp@alpha.test', `Заказ ${o.number}: согласован`],
      [`approval-${o.orderId}-approved-approver`, fx.emails.a, `Заказ ${o.number}: согласован`],
    ]);
    expect(decided[0]!.text).to.contain('Комментарий: Срочно нужно').and.contain('передаётся в учётную систему');

    const again = await refusal(decideApproval(rt, owner, o.orderId, 'rejected', 'нет'));
    expect([again.type, again.code]).to.deep.equal(['conflict', 'approval.decided']);
    expect(await outbox(o.orderId)).to.have.length(1);
    expect(await pendingApprovalCount(rt.db, owner)).to.equal(0);
  });

  it('rejected (a comment is required): the order is cancelled, its stock free again, the comment in its history and the e-mail', async () => {
    const before = await availableQuantity(rt.db, offer(), partner());
    const o = await checkout('7');
    expect(await availableQuantity(rt.db, offer(), partner())).to.equal(String(Number(before) - 7));
    const owner = await viewer(fx.users.a);
    const empty = await refusal(decideApproval(rt, owner, o.orderId, 'rejected', '   '));
    expect([empty.type, empty.code]).to.deep.equal(['invalid', 'approval.comment_required']);
    await decideApproval(rt, owner, o.orderId, 'rejected', 'Слишком дорого');
    expect(await availableQuantity(rt.db, offer(), partner())).to.equal(before);
    expect(await holds(o.orderId)).to.deep.equal(['cancelled']);
    expect(await outbox(o.orderId)).to.deep.equal([]);
    expect((await rt.db('orders').where({ id: o.orderId }).first('status', 'export_state'))).to.deep.equal({ status: 'cancelled', export_state: 'held' });
    const last = await rt.db('order_status_history').where({ order_id: o.orderId }).orderBy('id', 'desc').first('status', 'note');
    expect(last).to.deep.equal({ status: 'cancelled', note: 'Отклонён владельцем кабинета: Слишком дорого' });
    const [rejected] = await outboxLetters(rt.db, `approval-${o.orderId}-rejected-%`);
    expect(rejected!.subject).to.equal(`Заказ ${o.number}: отклонён`);
    expect(rejected!.text).to.contain('Комментарий: Слишком дорого').and.contain('резерв товара снят');
  });

  it('who may decide: only an owner of the order’s company — an employee or a viewer 403, another client’s owner 404, staff 403', async () => {
    const o = await checkout('2');
    const viewerId = (await rt.db('users').insert({ email: 'view@alpha.test', role: 'buyer', client_id: fx.clients.a, company_role: 'viewer' }).returning('id'))[0].id;
    const acc = (await rt.db('users').insert({ email: 'acc@alpha.test', role: 'buyer', client_id: fx.clients.a, company_role: 'accountant' }).returning('id'))[0].id;
    for (const id of [emp, viewerId, acc, fx.users.admin]) {
      const e = await refusal(decideApproval(rt, await viewer(id), o.orderId, 'approved', ''));
      expect([e.type, e.code], `user ${id}`).to.deep.equal(['forbidden', 'approval.not_owner']);
    }
    const ownerB = await viewer(fx.users.b);
    expect((await refusal(decideApproval(rt, ownerB, o.orderId, 'approved', ''))).type).to.equal('not_found');
    expect(await listApprovals(rt.db, ownerB)).to.deep.equal([]);
    expect((await refusal(decideApproval(rt, await viewer(fx.users.a), 999_999, 'approved', ''))).type).to.equal('not_found');
    // The admin sees it (read only); nothing was decided.
    expect((await listApprovals(rt.db, await viewer(fx.users.admin))).map((a) => a.orderId)).to.deep.equal([o.orderId]);
    expect((await rt.db('order_approvals').where({ order_id: o.orderId }).first('state'))!.state).to.equal('pending');
  });

  it('an owner restricted to entities sees only theirs; an owner’s order over the owner’s own limit waits too', async () => {
    await rt.db('users').where({ id: fx.users.a }).update({ order_limit: mul('1', '1.00') });
    const own = await checkout('1', fx.users.a);
    expect(own.awaitingApproval).to.equal(true);
    const owner = await viewer(fx.users.a);
    expect((await listApprovals(rt.db, owner)).map((a) => a.orderId)).to.deep.equal([own.orderId]);
    expect((await listApprovals(rt.db, { ...owner, counterpartyIds: [fx.cp.aChild] }))).to.deep.equal([]);
    await decideApproval(rt, owner, own.orderId, 'approved', '');
    // one e-mail: the author is the approver
    expect((await outboxLetters(rt.db, `approval-${own.orderId}-approved-%`)).map((m) => m.to)).to.deep.equal([fx.emails.a]);
  });

  it('expiry: past its hold period the sweep ends it (order cancelled, stock free); a late decision is a 409', async () => {
    const o = await checkout('3');
    const a = (await rt.db('order_approvals').where({ order_id: o.orderId }).first('expires_at', 'created_at'))!;
    expect(new Date(a.expires_at).getTime() - new Date(a.created_at).getTime()).to.be.closeTo(24 * 3600_000, 5000); // the reservation period
    await rt.db('order_approvals').where({ order_id: o.orderId }).update({ expires_at: rt.db.raw(`now() - interval '1 second'`) });
    const late = await refusal(decideApproval(rt, await viewer(fx.users.a), o.orderId, 'approved', ''));
    expect([late.type, late.code]).to.deep.equal(['conflict', 'approval.expired']);
    expect(await expireDueApprovals(rt)).to.deep.equal([o.orderId]);
    expect(await expireDueApprovals(rt)).to.deep.equal([]);
    // the author hears of it once, written with the expiry
    expect((await outboxLetters(rt.db, `approval-${o.orderId}-%`)).map((m) => [m.key, m.to])).to.deep.equal([[`approval-${o.orderId}-expired-author`, 'emp@alpha.test']]);
    expect((await rt.db('orders').where({ id: o.orderId }).first('status'))!.status).to.equal('cancelled');
    expect(await holds(o.orderId)).to.deep.equal(['cancelled']);
    expect((await rt.db('order_approvals').where({ order_id: o.orderId }).first('state'))!.state).to.equal('expired');
  });

  it('from reservations: they stay active as the order’s hold while it waits; approving releases the system’s hold as ordered, rejecting as cancelled', async () => {
    await rt.db('sources').where({ id: fx.sourceId }).update({ outbound: ['order.create', ...RESERVATION_KINDS] });
    const actor = { userId: emp, clientId: fx.clients.a, counterpartyId: fx.cp.aHead };
    const placed = [];
    for (const q of ['4', '6']) placed.push(await reserve(rt, actor, { offerId: offer(), warehouseId: partner(), quantity: q }));
    const first = await convertToOrder(rt, actor, [placed[0]!.id]);
    const second = await convertToOrder(rt, actor, [placed[1]!.id]);
    expect([first.awaitingApproval, second.awaitingApproval]).to.deep.equal([true, true]);
    const rows = await rt.db('reservations').whereIn('id', placed.map((p) => p.id)).orderBy('id').select('state', 'order_hold', 'order_id');
    expect(rows).to.deep.equal([
      { state: 'active', order_hold: true, order_id: first.orderId },
      { state: 'active', order_hold: true, order_id: second.orderId },
    ]);
    expect(await listReservations(rt, actor, { activeOnly: true })).to.deep.equal([]);
    const releases = () => rt.db('outbox').where({ kind: 'reservation.release' }).orderBy('id').select(rt.db.raw(`payload->>'reason' AS reason`));
    expect(await releases()).to.deep.equal([]);
    const owner = await viewer(fx.users.a);
    await decideApproval(rt, owner, first.orderId, 'approved', '');
    await decideApproval(rt, owner, second.orderId, 'rejected', 'Не сейчас');
    expect(await releases()).to.deep.equal([{ reason: 'ordered' }, { reason: 'cancelled' }]);
    expect(await holds(first.orderId)).to.deep.equal(['active']);
    expect(await holds(second.orderId)).to.deep.equal(['cancelled']);
  });
});
