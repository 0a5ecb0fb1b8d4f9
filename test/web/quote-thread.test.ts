
import { expect } from 'chai';
import { reconcileWork } from '../../jobs/work-reconcile.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { withQuoteMail } from '../../src/store/quotes/notify.ts';
import { requestQuote } from '../../src/store/quotes/quotes.ts';
import { freePort } from '../faults/processes.ts';
import { notifyUnreadMessages } from '../../jobs/messages-notify.ts';
import { storeToday } from '../../src/store/arrivals/arrivals.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { resetQueues } from '../support/queues.ts';
import { until, waitSettled } from '../support/wait.ts';
import { useMailDelivery } from '../support/mail-delivery.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

const day = (n: number) => {
  const d = new Date(`${storeToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

describe('web/quote thread: messages bound to a quote, both sides; e-mails on request, answer and unread messages', () => {
  const w = useWorld({ staff: true, tables: ['orders', 'outbox', 'messages', 'message_threads'] });
  const smtp = useMailDelivery(() => w.rt);
  beforeEach(async () => {
    await resetQueues(w.rt);
    smtp.clear();
  });

  async function asked() {
    const a = await w.signIn('a');
    await a.post('/cart/add', { offerId: String(w.fx.offers[2]), qty: '4' });
    await a.get('/cart');
    const r = await a.post('/quotes', { desiredDate: day(5), comment: 'Нужно к пятнице' });
    expect(r.status, r.text.slice(0, 300)).to.equal(303);
    return { a, id: Number(/^\/quotes\/(\d+)$/.exec(r.location ?? '')?.[1]) };
  }

  it('the manager is e-mailed on the request, the buyer on the answer (a second answer e-mails again)', async () => {
    const { id } = await asked();
    const [req] = await smtp.waitFor(1);
    expect(req!.envelopeTo).to.deep.equal(['ivanov@seller.test']);
    expect(req!.subject).to.equal(`Alpha LLC: запрос цены № ${id}`);
    expect(req!.text).to.contain('Нужно к пятнице').and.contain(`/quotes/${id}`);
    const iv = await w.signIn('ivanov');
    await iv.get(`/quotes/${id}`);
    expect((await iv.post(`/quotes/${id}/answer`, { price_1: '250', validUntil: day(3), answer: 'Цена со склада' })).status).to.equal(303);
    const mails = await smtp.waitFor(2);
    expect(mails[1]!.envelopeTo).to.deep.equal(['buyer@alpha.test']);
    expect(mails[1]!.subject).to.equal(`Предложение по запросу цены № ${id} — действует до ${day(3).split('-').reverse().join('.')}`);
    expect(mails[1]!.text.replaceAll('\u00a0', ' ')).to.contain('1 000,00').and.contain('Цена со склада').and.contain(`/quotes/${id}`);
    await w.rt.db('quotes').where({ id }).update({ answered_at: w.rt.db.raw(`now() - interval '1 minute'`) });
    await iv.post(`/quotes/${id}/answer`, { price_1: '240', validUntil: day(4) });
    await smtp.waitFor(3);
    await waitSettled(w.rt, { what: 'every queued mail to be sent' });
    expect(smtp.messages()).to.have.length(3);
    // each went through the mail outbox, and mail.send marked it sent
    const rows = await w.rt.db('mail_outbox').orderBy('id').select('key', 'sent_at');
    expect(rows.map((r) => r.key)).to.have.length(3).and.to.include(`quote-${id}-requested-0`);
    expect(rows.every((r) => r.sent_at !== null)).to.equal(true);
    expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails).to.equal(0);
  });

  it('Redis down when a quote is asked for: the quote is saved at once with its e-mail, which goes out once, when work.reconcile runs with Redis back', async () => {
    const a = await w.signIn('a');
    await a.post('/cart/add', { offerId: String(w.fx.offers[2]), qty: '4' });
    const closers: (() => Promise<void>)[] = [];
    // the same store with nothing answering at its Redis address
    const down: Runtime = { ...w.rt, redisUrl: `redis://127.0.0.1:${await freePort()}`, onShutdown: (_name, fn) => void closers.push(fn) };
    try {
      const started = Date.now();
      const id = await withQuoteMail(down, 'requested', (trx) =>
        requestQuote(trx, { userId: w.fx.users.a, clientId: w.fx.clients.a, counterpartyId: w.fx.cp.aHead, contractId: w.fx.contracts.aMain, desiredDate: null, comment: 'Redis недоступен' }));
      expect(Date.now() - started, 'the buyer does not wait for Redis').to.be.below(5000);
      const [row] = await w.rt.db('mail_outbox').select('key', 'mail', 'enqueued_at', 'sent_at');
      expect(row).to.deep.include({ key: `quote-${id}-requested-0`, enqueued_at: null, sent_at: null });
      expect(row!.mail).to.deep.include({ to: 'ivanov@seller.test', template: 'quote-requested' });
      expect(smtp.messages()).to.have.length(0);
      expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails).to.equal(1);
      const [m] = await smtp.waitFor(1);
      expect(m!.subject).to.equal(`Alpha LLC: запрос цены № ${id}`);
      expect(m!.text).to.contain('Redis недоступен');
      await until(async () => (await w.rt.db('mail_outbox').first('sent_at'))?.sent_at, 'the outbox row marked sent');
      expect((await reconcileWork(w.rt, { mailGraceS: 0 })).mails).to.equal(0);
      await waitSettled(w.rt, { what: 'every queued mail to be sent' });
      expect(smtp.messages()).to.have.length(1);
    } finally {
      for (const c of closers.reverse()) await c();
    }
  });

  it('both sides write on the quote page; the client thread shows it labelled; the unread e-mail links to the quote', async () => {
    const { a, id } = await asked();
    await a.get(`/quotes/${id}`);
    const posted = await a.post(`/quotes/${id}/messages`, { body: 'Можно ли скидку за объём?' });
    expect(posted.status, posted.text.slice(0, 300)).to.equal(303);
    expect(posted.location).to.equal(`/quotes/${id}`);
    const iv = await w.signIn('ivanov');
    const page = await iv.get(`/quotes/${id}`);
    expect(page.text).to.contain('Переписка по запросу').and.contain('Можно ли скидку за объём?').and.contain(`action="/quotes/${id}/messages"`);
    const reply = await iv.post(`/quotes/${id}/messages`, { body: 'Да, от 10 штук — 5 %' }, { headers: { 'hx-request': 'true' } });
    expect(reply.status).to.equal(200);
    expect(reply.text).to.contain('Да, от 10 штук — 5 %').and.not.contain(`запрос цены № ${id}</a>`);
    const row = await w.rt.db('messages').where({ body: 'Да, от 10 штук — 5 %' }).first('client_id', 'quote_id', 'from_side');
    expect(row).to.deep.equal({ client_id: w.fx.clients.a, quote_id: id, from_side: 'manager' });
    // the client's own thread has both, each linked to the quote
    const all = await a.get('/messages');
    expect(all.text).to.contain('Можно ли скидку за объём?').and.contain(`<a href="/quotes/${id}">запрос цены № ${id}</a>`);
    // a message of the client's general thread is not on the quote page
    await a.post('/messages', { body: 'Общий вопрос про доставку' });
    expect((await a.get(`/quotes/${id}/messages/thread`)).text).to.contain('Да, от 10 штук').and.not.contain('Общий вопрос');
    // unread: the manager's reply, read by nobody yet → the buyer's e-mail opens the quote
    await w.rt.db('messages').update({ read_at: null, created_at: w.rt.db.raw(`now() - interval '2 minutes'`) }).where({ from_side: 'manager' });
    expect(await notifyUnreadMessages(w.rt)).to.deep.equal({ sent: 1 });
    const mails = await smtp.waitFor(2);
    const unread = mails.find((m) => m.subject.includes('Ответ от вашего менеджера'))!;
    expect(unread.subject).to.equal(`Ответ от вашего менеджера Ivan Ivanov — запрос цены № ${id}`);
    expect(unread.text).to.contain(`/quotes/${id}`);
    // reading the quote page marks the quote's messages read
    await a.get(`/quotes/${id}`);
    expect((await w.rt.db('messages').where({ quote_id: id, from_side: 'manager' }).first('read_at'))!.read_at).to.be.instanceOf(Date);
  });

  it('another client, another manager, an employee without the legal entity and bad ids: 404 on the quote and every thread route', async () => {
    const { a, id } = await asked();
    await a.get(`/quotes/${id}`);
    await a.post(`/quotes/${id}/messages`, { body: 'секрет' });
    const msg = (await w.rt.db('messages').where({ quote_id: id }).first('id'))!.id as number;
    // an employee of the same client granted only the other legal entity
    const emp = await createUser(w.rt.db, { email: 'north@alpha.test', role: 'buyer', clientId: w.fx.clients.a, password: PASSWORD });
    await w.rt.db('users').where({ id: emp }).update({ company_role: 'buyer', all_counterparties: false });
    await w.rt.db('user_counterparties').insert({ user_id: emp, counterparty_id: w.fx.cp.aChild });
    const outsiders = [await w.signIn('b'), await w.signIn('petrova'), await w.signIn('north@alpha.test')];
    for (const c of outsiders) {
      await c.get('/quotes');
      expect((await c.get(`/quotes/${id}`)).status).to.equal(404);
      expect((await c.get('/quotes')).text).not.to.contain(`href="/quotes/${id}"`);
      expect((await c.get(`/quotes/${id}/messages/thread`)).status).to.equal(404);
      expect((await c.get(`/quotes/${id}/messages/attachments/${msg}`)).status).to.equal(404);
      expect((await c.post(`/quotes/${id}/messages`, { body: 'чужое' })).status).to.equal(404);
    }
    // the employee's own view: not even in the list
    expect(await w.rt.db('messages').where({ body: 'чужое' }).first()).to.equal(undefined);
    expect((await a.get('/quotes/abc/messages/thread')).status).to.equal(404);
    expect((await a.get('/quotes/99999999/messages/thread')).status).to.equal(404);
    expect((await a.post('/quotes/99999999/messages', { body: 'x' })).status).to.equal(404);
    // an empty message names what is wrong
    const empty = await a.post(`/quotes/${id}/messages`, { body: '  ' });
    expect(empty.status).to.equal(422);
  });

  it('a viewer of the same company reads the quote and its thread but cannot accept or decline it (403, no buttons)', async () => {
    const { id } = await asked();
    const iv = await w.signIn('ivanov');
    await iv.get(`/quotes/${id}`);
    await iv.post(`/quotes/${id}/answer`, { price_1: '250', validUntil: day(3) });
    const emp = await createUser(w.rt.db, { email: 'viewer@alpha.test', role: 'buyer', clientId: w.fx.clients.a, password: PASSWORD });
    await w.rt.db('users').where({ id: emp }).update({ company_role: 'viewer', all_counterparties: true });
    const viewer = await w.signIn('viewer@alpha.test');
    const page = await viewer.get(`/quotes/${id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('есть предложение').and.not.contain('Принять и оформить заказ').and.not.contain('>Отклонить<');
    const refused = await viewer.post(`/quotes/${id}/accept`, {});
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('Ваша роль в компании (наблюдатель) не позволяет оформлять заказы');
    expect((await viewer.post(`/quotes/${id}/decline`, {})).status).to.equal(403);
    expect((await viewer.post('/quotes', { comment: 'x' })).status).to.equal(403);
    expect((await w.rt.db('quotes').where({ id }).first('status'))!.status).to.equal('answered');
  });
});
