
import { expect } from 'chai';
import { expireDueApprovals } from '../../src/store/approvals/approvals.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { resetQueues } from '../support/queues.ts';
import type { CapturedMail } from '../support/smtp-capture.ts';
import { until } from '../support/wait.ts';
import { useMailDelivery } from '../support/mail-delivery.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('web/company mail: approvals and registration requests e-mail both sides over SMTP', () => {
  const w = useWorld({ staff: true, tables: ['orders', 'outbox', 'reservations', 'registration_requests'] });
  const smtp = useMailDelivery(() => w.rt);
  beforeEach(async () => {
    await resetQueues(w.rt);
    const id = await createUser(w.rt.db, { email: 'emp@alpha.test', role: 'buyer', clientId: w.fx.clients.a, password: PASSWORD, name: 'Олег' });
    await w.rt.db('users').where({ id }).update({ company_role: 'buyer', order_limit: '100.00' });
    await w.rt.db('users').where({ id: w.fx.users.a }).update({ name: 'Ирина' });
    smtp.clear();
  });

  /** The one message to `to` whose subject contains `subject`, once it arrived. */
  const mailTo = (to: string, subject: string): Promise<CapturedMail> =>
    until(() => smtp.messages().find((m) => m.envelopeTo.includes(to) && m.subject.includes(subject)), `mail to ${to}: ${subject}`, 10_000);

  const overLimit = async () => {
    const emp = await w.signIn('emp@alpha.test');
    await emp.post('/cart/add', { offerId: String(w.fx.offers[2]), qty: '3' });
    const key = (await emp.get('/cart')).text.match(/name="checkoutKey" value="([^"]+)"/)![1]!;
    const r = await emp.post('/checkout', { checkoutKey: key, [`qty_${w.fx.offers[2]}`]: '3' });
    expect(r.status).to.equal(303);
    const orderId = Number(r.location!.split('/').pop());
    const { number } = (await w.rt.db('orders').where({ id: orderId }).first('number'))!;
    return { orderId, number: number as string };
  };

  it('over the limit: the owner is asked; approved: the buyer and the approver each get the decision with the comment', async () => {
    const { orderId, number } = await overLimit();
    const ask = await mailTo(w.fx.emails.a, `Заказ ${number} ждёт вашего согласования`);
    expect(ask.text).to.contain('Олег').and.contain('больше лимита на один заказ').and.contain('/approvals');
    const owner = await w.signIn('a');
    await owner.get('/approvals');
    expect((await owner.post(`/approvals/${orderId}/approve`, { comment: 'Согласовано, оплата в пятницу' })).status).to.equal(303);
    const toBuyer = await mailTo('emp@alpha.test', `Заказ ${number}: согласован`);
    expect(toBuyer.text).to.contain('Комментарий: Согласовано, оплата в пятницу').and.contain(`/orders/${orderId}`).and.contain('Ирина');
    const toApprover = await mailTo(w.fx.emails.a, `Заказ ${number}: согласован`);
    expect(toApprover.text).to.contain(`Вы согласовали заказ ${number}`);
    // nobody else heard of it (another client's owner, staff)
    const others = smtp.messages().filter((m) => m.subject.includes(number) && !m.envelopeTo.some((t) => ['emp@alpha.test', w.fx.emails.a].includes(t)));
    expect(others.map((m) => m.envelopeTo)).to.deep.equal([]);
  });

  it('rejected: the buyer gets the owner’s reason; the order page says it too', async () => {
    const { orderId, number } = await overLimit();
    await mailTo(w.fx.emails.a, `Заказ ${number} ждёт вашего согласования`);
    const owner = await w.signIn('a');
    await owner.get('/approvals');
    expect((await owner.post(`/approvals/${orderId}/reject`, { comment: 'Дорого, возьмите аналог' })).status).to.equal(303);
    const toBuyer = await mailTo('emp@alpha.test', `Заказ ${number}: отклонён`);
    expect(toBuyer.text).to.contain('Комментарий: Дорого, возьмите аналог').and.contain('резерв товара снят');
    const emp = await w.signIn('emp@alpha.test');
    expect((await emp.get(`/orders/${orderId}`)).text).to.contain('Дорого, возьмите аналог');
  });

  it('nobody decided within the hold: the sweep cancels the order, frees its stock and tells the buyer', async () => {
    const { orderId, number } = await overLimit();
    await mailTo(w.fx.emails.a, `Заказ ${number} ждёт вашего согласования`);
    expect(await w.rt.db('reservations').where({ order_id: orderId }).pluck('state')).to.deep.equal(['active']);
    await w.rt.db('order_approvals').where({ order_id: orderId }).update({ expires_at: w.rt.db.raw(`now() - interval '1 second'`) });
    expect(await expireDueApprovals(w.rt)).to.deep.equal([orderId]);
    const m = await mailTo('emp@alpha.test', `Заказ ${number}: не согласован в срок`);
    expect(m.text).to.contain(number);
    expect(await w.rt.db('reservations').where({ order_id: orderId }).pluck('state')).to.deep.equal(['cancelled']);
    const emp = await w.signIn('emp@alpha.test');
    expect((await emp.get(`/orders/${orderId}`)).text).to.contain('не согласован в срок');
  });

  it('a registration request: the client’s manager is e-mailed; a request matching nobody goes to the admins', async () => {
    // Alpha North: a valid INN + KPP, its cabinet (client A) managed by Ivanov
    await w.rt.db('counterparties').where({ id: w.fx.cp.aChild }).update({ inn: '7707083893', kpp: '775001001' });
    await w.rt.db('clients').where({ id: w.fx.clients.a }).update({ manager_id: w.fx.managers.ivanov, manager_assigned: true });
    const form = { inn: '7707083893', kpp: '775001001', contactName: 'Анна Петрова', email: 'anna@branch.example', phone: '+7 900 123-45-67' };
    const c = w.anon();
    await c.get('/register');
    expect((await c.post('/register', form)).status).to.equal(200);
    const m = await mailTo(w.fx.staffEmails.ivanov, 'Заявка на подключение');
    expect(m.text).to.contain('ИНН: 7707083893, КПП: 775001001').and.contain('Alpha North LLC (кабинет «Alpha LLC»)');
    await c.get('/register');
    expect((await c.post('/register', { ...form, inn: '7736207543', kpp: '770401001', email: 'boris@nowhere.example' })).status).to.equal(200);
    const toAdmin = await mailTo(w.fx.emails.admin, 'ИНН 7736207543');
    expect(toAdmin.text).to.contain('boris@nowhere.example');
    const all = smtp.messages().map((x) => [x.envelopeTo.join(','), x.subject.replace(/№ \d+/, '№ N')]);
    expect(all).to.have.deep.members([
      [w.fx.staffEmails.ivanov, 'Заявка на подключение № N: ИНН 7707083893'],
      [w.fx.emails.admin, 'Заявка на подключение № N: ИНН 7736207543'],
    ]);
  });
});
