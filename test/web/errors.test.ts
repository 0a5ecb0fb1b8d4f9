// Refusals reach the user as the right 4xx with their message — as a whole page, an htmx
// answer or JSON — through the one error handler; an unknown error is a logged 500 that shows
// nothing of itself.
import { expect } from 'chai';
import { Router } from 'express';
import { log } from '../../src/infra/log.ts';
import { createApp } from '../../src/web/app.ts';
import { resetQueues } from '../support/queues.ts';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

const HTMX = { 'hx-request': 'true' };
/** The error page's message paragraph, as Handlebars escapes it. */
const shown = (message: string) => `<p>${message.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}</p>`;

describe('web: refusals and unknown errors', () => {
  const w = useWorld({
    staff: true,
    tables: ['managers'],
    app: (rt) => {
      const boom = Router();
      boom.get('/', () => {
        throw new Error('secret detail from /srv/app/db.ts:42');
      });
      return createApp(rt, [{ path: '/test-boom', router: boom }]);
    },
  });
  let buyer: WebClient;
  let manager: WebClient;
  let admin: WebClient;

  beforeEach(async () => {
    await resetQueues(w.rt);
    buyer = await w.signIn('a');
    manager = await w.signIn('ivanov');
    admin = await w.signIn('admin');
  });

  it('an unknown error is a 500 page without the error text or a stack, and it is logged', async () => {
    const logged: unknown[][] = [];
    const original = log.error;
    log.error = ((...args: unknown[]) => void logged.push(args)) as typeof log.error;
    try {
      const page = await buyer.get('/test-boom');
      expect(page.status).to.equal(500);
      expect(page.text).to.contain(shown('У нас что-то пошло не так. Попробуйте ещё раз.'));
      expect(page.text).not.to.contain('secret detail');
      expect(page.text).not.to.match(/\bat .+:\d+:\d+/);
      const json = await buyer.get('/test-boom', { accept: 'application/json' });
      expect(json.status).to.equal(500);
      expect(JSON.parse(json.text)).to.deep.equal({ error: 'У нас что-то пошло не так. Попробуйте ещё раз.' });
    } finally {
      log.error = original;
    }
    expect(logged).to.have.length(2);
    const [fields, text] = logged[0] as [{ err: Error; url: string }, string];
    expect(fields.err.message).to.equal('secret detail from /srv/app/db.ts:42');
    expect(fields.url).to.equal('/test-boom');
    expect(text).to.equal('request failed');
  });

  it('a refusal is not logged as a failure', async () => {
    const logged: unknown[][] = [];
    const original = log.error;
    log.error = ((...args: unknown[]) => void logged.push(args)) as typeof log.error;
    try {
      expect((await buyer.get('/no-such-page')).status).to.equal(404);
    } finally {
      log.error = original;
    }
    expect(logged).to.deep.equal([]);
  });

  /** Each refusal a route can answer, as a whole page and as an htmx request. */
  // (the English ones are the store's own texts: src/store, translated separately)
  const pageRefusals: { what: string; status: number; message: string; who: () => WebClient; send: (c: WebClient, h: Record<string, string>) => Promise<{ status: number; text: string }> }[] = [
    { what: 'an unknown page', status: 404, message: 'Страница не найдена.', who: () => buyer, send: (c, h) => c.get('/no-such-page', h) },
    { what: 'a form without its CSRF token', status: 403, message: 'Форма устарела или пришла не с этого сайта. Обновите страницу и попробуйте снова.', who: () => buyer, send: (c, h) => c.post('/cart/add', { offerId: '1', qty: '1' }, { csrf: null, headers: h }) },
    { what: 'a buyer in the console', status: 403, message: 'У вас нет доступа к этой странице.', who: () => buyer, send: (c, h) => c.get('/console/clients', h) },
    { what: 'staff in the store', status: 403, message: 'Магазин — для покупателей; сотрудникам — консоль.', who: () => manager, send: (c, h) => c.get('/cart', h) },
    { what: 'a reserve form without its fields', status: 422, message: 'Выберите товар, склад и количество.', who: () => buyer, send: (c, h) => c.post('/reservations', { quantity: '1' }, { headers: h }) },
    { what: 'the reserve box of an unknown item', status: 404, message: 'Товар не найден.', who: () => buyer, send: (c, h) => c.get('/reservations/box/999999', h) },
    { what: 'extending a reservation that is not there', status: 404, message: 'Резерв не найден.', who: () => buyer, send: (c, h) => c.post('/reservations/999999/extend', {}, { headers: h }) },
    { what: 'a waiting-list form without its item', status: 422, message: 'Choose an item (and optionally a warehouse).', who: () => buyer, send: (c, h) => c.post('/waitlist', {}, { headers: h }) },
    { what: 'waiting for an unknown item', status: 404, message: 'Товар не найден.', who: () => buyer, send: (c, h) => c.post('/waitlist', { offerId: '999999' }, { headers: h }) },
    { what: 'removing a waiting-list entry that is not there', status: 404, message: 'Запись в листе ожидания не найдена.', who: () => buyer, send: (c, h) => c.post('/waitlist/999999/delete', {}, { headers: h }) },
    { what: "another client's conversation", status: 404, message: 'Переписка не найдена.', who: () => manager, send: (c, h) => c.get(`/manager/clients/${w.fx.clients.b}/messages`, h) },
    { what: 'an attachment that is not there', status: 404, message: 'Вложение не найдено.', who: () => buyer, send: (c, h) => c.get('/messages/attachments/999999', h) },
    { what: 'a manager for an unknown client', status: 404, message: 'Клиент 999999 не найден.', who: () => admin, send: (c, h) => c.post('/console/clients/999999/manager', { manager_id: 'auto' }, { headers: h }) },
  ];
  for (const r of pageRefusals) {
    it(`${r.what}: ${r.status} with its message, page and htmx`, async () => {
      const client = r.who();
      await client.get('/');
      for (const headers of [{}, HTMX]) {
        const res = await r.send(client, headers);
        expect(res.status, JSON.stringify(headers)).to.equal(r.status);
        expect(res.text).to.contain(r.message.includes('&quot;') ? `<p>${r.message}</p>` : shown(r.message));
      }
    });
  }

  it('a POST without a session is a 401 after the CSRF check lets it through', async () => {
    await buyer.get('/');
    await buyer.post('/logout', {});
    await buyer.get('/login');
    const res = await buyer.post('/reservations', { offerId: '1', warehouseId: '1', quantity: '1' });
    expect(res.status).to.equal(401);
    expect(res.text).to.contain(shown('Сеанс закончился. Войдите снова.'));
  });

  it('a refusal speaks the viewer\'s language: the 404 page and its message in English for a buyer who chose it', async () => {
    await w.rt.db('users').where({ id: w.fx.users.a }).update({ language: 'en' });
    const res = await buyer.get('/reservations/box/999999');
    expect(res.status).to.equal(404);
    expect(res.text).to.contain('<html lang="en">').and.contain(shown('Item not found.')).and.contain('Back to the start page');
  });

  it('JSON clients get the status and the message', async () => {
    const res = await buyer.get('/reservations/box/999999', { accept: 'application/json' });
    expect(res.status).to.equal(404);
    expect(JSON.parse(res.text)).to.deep.equal({ error: 'Товар не найден.' });
  });

  it('a refusal answered in place: the htmx fragment or a flash, with the same message', async () => {
    // reserve more than there is: the reserve box says why, with the 409 (htmx swaps 4xx: see the layout)
    const hx = await buyer.post('/reservations', { offerId: String(w.fx.offers[0]), warehouseId: String(w.fx.warehouses.main), quantity: '5' }, { headers: HTMX });
    expect(hx.status).to.equal(409);
    expect(hx.text).to.contain('Не хватает на складе: доступно 1 шт., вы просили 5.');
    const bad = await buyer.post('/reservations', { offerId: String(w.fx.offers[0]), warehouseId: String(w.fx.warehouses.main), quantity: 'lots' }, { headers: HTMX });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Количество — положительное число, не больше 3 знаков после запятой.');
    const plain = await buyer.post('/reservations', { offerId: String(w.fx.offers[0]), warehouseId: String(w.fx.warehouses.main), quantity: '5', back: '/reservations' });
    expect(plain.status).to.equal(303);
    expect((await buyer.get('/reservations')).text).to.contain('Не хватает на складе: доступно 1 шт., вы просили 5.');

    // the cart's "add" answers with its small fragment, or a flash
    const add = await buyer.post('/cart/add', { offerId: String(w.fx.offers[0]), qty: '1000' }, { headers: HTMX });
    expect(add.status).to.equal(200);
    expect(add.text).to.contain('Не хватает SKU-001: доступно 101, нужно 1000.');
    await w.rt.db('offers').where({ id: w.fx.offers[1] }).update({ deleted: true });
    const gone = await buyer.post('/cart/add', { offerId: String(w.fx.offers[1]), qty: '1', back: '/cart' });
    expect(gone.status).to.equal(303);
    expect((await buyer.get('/cart')).text).to.contain('Этого товара больше нет в каталоге.');

    // waiting for what is available now
    const wl = await buyer.post('/waitlist', { offerId: String(w.fx.offers[2]) }, { headers: HTMX });
    expect(wl.status).to.equal(200);
    expect(wl.text).to.contain('Этот товар сейчас есть в наличии: зарезервируйте или закажите его.');

    // an empty message: under the form for htmx (422), a 422 page otherwise
    const msgHx = await buyer.post('/messages', { body: ' ' }, { headers: HTMX });
    expect(msgHx.status).to.equal(422);
    expect(msgHx.res.headers.get('hx-retarget')).to.equal('#message-error');
    expect(msgHx.text).to.contain('Напишите сообщение или приложите файл.');
    const msg = await buyer.post('/messages', { body: ' ' });
    expect(msg.status).to.equal(422);
    expect(msg.text).to.contain(shown('Напишите сообщение или приложите файл.'));

    // inviting an e-mail that is taken: a flash on the client page
    const invite = await admin.post(`/console/clients/${w.fx.clients.a}/invite`, { email: w.fx.emails.b, companyRole: 'buyer' });
    expect(invite.status).to.equal(303);
    expect((await admin.get(`/console/clients/${w.fx.clients.a}`)).text).to.contain(`Пользователь с почтой ${w.fx.emails.b} уже есть.`);
  });
});
