import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { expireDue } from '../../src/store/reservations/lifecycle.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { resetQueues } from '../support/queues.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('web: reservations and waiting list pages', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let server: { base: string; close(): Promise<void> };
  let a: WebClient;
  let b: WebClient;

  before(async () => {
    rt = await testRuntime();
    server = await listen(createApp(rt));
  });
  after(() => server.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'clients', 'users', 'sessions');
    await resetQueues(rt);
    // Sign-in is rate-limited per address (the whole suite signs in from 127.0.0.1).
    const limits = await rt.redis.keys(`${rt.prefix}:login:*`);
    if (limits.length) await rt.redis.del(...limits);
    fx = await storeFixture(rt.db);
    a = new WebClient(server.base);
    b = new WebClient(server.base);
    await a.login(fx.emails.a, PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
  });

  it('reserves from the reserve box (htmx fragment) and lists it with a countdown', async () => {
    const product = await a.get(`/product/${fx.offers[1]}`);
    // the box is in the page (no JS needed); htmx re-fetches its live part on availability events
    expect(product.text).to.contain(`id="reserve-box-${fx.offers[1]}"`).and.contain('data-available="20"').and.not.contain('Loading availability');
    expect(product.text).to.contain(`hx-get="/reservations/box/${fx.offers[1]}?back=%2Fproduct%2F${fx.offers[1]}"`);
    expect(product.text).to.contain('sse-connect="/reservations/events"');
    const catalog = await a.get('/catalog');
    expect(catalog.text).to.contain(`href="/product/${fx.offers[1]}#reserve"`);
    const box = await a.get(`/reservations/box/${fx.offers[1]}`);
    expect(box.status).to.equal(200);
    expect(box.text).to.contain('data-available="20"');
    const r = await a.post('/reservations', { offerId: String(fx.offers[1]), warehouseId: String(fx.warehouses.main), quantity: '3' }, { headers: { 'hx-request': 'true' } });
    expect(r.status).to.equal(200);
    expect(r.text).to.match(/Зарезервировано 3 шт\. «Drill Makita HP1630» на складе Main до/);
    expect(r.text).to.contain('data-available="17"');
    const page = await a.get('/reservations');
    expect(page.text).to.contain('Drill Makita HP1630');
    expect(page.text).to.match(/<time datetime="[^"]+" data-expires="[^"]+" data-units="ч мин с" data-due="истекает">23 ч 59 мин<\/time>/);
    expect(page.text).to.contain('sse-connect="/reservations/events"');
  });

  it('a refusal says why, in the fragment (htmx) or as a flash (plain form)', async () => {
    const r = await a.post('/reservations', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.main), quantity: '2' }, { headers: { 'hx-request': 'true' } });
    expect(r.status).to.equal(409); // swapped by htmx: the layout's responseHandling
    expect(r.text).to.contain('Не хватает на складе: доступно 1 шт., вы просили 2.');
    const plain = await a.post('/reservations', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.main), quantity: 'lots', back: '/product/1' });
    expect(plain.status).to.equal(303);
    expect(plain.location).to.equal('/product/1');
    expect((await a.get('/product/1')).status).to.be.oneOf([200, 404]);
  });

  it('extend, cancel and order from "My reservations"', async () => {
    await a.post('/reservations', { offerId: String(fx.offers[1]), warehouseId: String(fx.warehouses.main), quantity: '2' });
    await a.post('/reservations', { offerId: String(fx.offers[2]), warehouseId: String(fx.warehouses.main), quantity: '1' });
    const [r1, r2] = await rt.db('reservations').orderBy('id').pluck('id');
    await a.get('/reservations');
    const ext = await a.post(`/reservations/${r1}/extend`, {}, { headers: { 'hx-request': 'true' } });
    expect(ext.text).to.contain('Резерв «Drill Makita HP1630» продлён.').and.contain('>Продлить</button>');
    const ord = await a.post('/reservations/order', { ids: String(r1), comment: 'please' }, { headers: { 'hx-request': 'true' } });
    expect(ord.text).to.match(/Заказ CP-\d{6} на 285,00\u00a0₽ оформлен\./);
    const cancel = await a.post(`/reservations/${r2}/cancel`, {});
    expect(cancel.status).to.equal(303);
    const page = await a.get('/reservations');
    expect(page.text).to.contain('Резерв «Hammer 500g» отменён.').and.contain('>отменён</td>');
    // A buyer who chose English: the list, its states and the flashes in English.
    a.cookies.set('lang', 'en');
    const en = await a.get('/reservations');
    expect(en.text).to.contain('<h1>My reservations</h1>').and.contain('>cancelled</td>').and.contain('>ordered · order CP-');
    a.cookies.delete('lang');
    expect(await rt.db('reservations').orderBy('id').pluck('state')).to.deep.equal(['ordered', 'cancelled']);
  });

  it('ordering reservations in two currencies is refused in the list (htmx) and as a flash, nothing is ordered', async () => {
    await rt.db('contract_prices').where({ contract_id: fx.contracts.aMain, offer_id: fx.offers[1]! }).update({ currency: 'USD' });
    await a.post('/reservations', { offerId: String(fx.offers[1]), warehouseId: String(fx.warehouses.main), quantity: '2' });
    await a.post('/reservations', { offerId: String(fx.offers[2]), warehouseId: String(fx.warehouses.main), quantity: '1' });
    const ids = (await rt.db('reservations').orderBy('id').pluck('id')).map(String);
    await a.get('/reservations');
    const text = 'Один заказ — в одной валюте (USD): закажите SKU-003 (RUB) отдельно.';
    // Several ids are repeated fields (the list's checkboxes), which WebClient.post cannot send.
    const order = (headers: Record<string, string> = {}) =>
      fetch(`${server.base}/reservations/order`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams([...ids.map((id) => ['ids', id]), ['_csrf', a.csrf]]),
      });
    const frag = await order({ 'hx-request': 'true' });
    expect(await frag.text()).to.contain(text);
    const plain = await order();
    expect(plain.status).to.equal(303);
    expect((await a.get('/reservations')).text).to.contain(text);
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
    expect(await rt.db('reservations').orderBy('id').pluck('state')).to.deep.equal(['active', 'active']);
  });

  it('nobody touches another client\'s reservations or waiting list: 404, nothing changes', async () => {
    await a.post('/reservations', { offerId: String(fx.offers[1]), warehouseId: String(fx.warehouses.main), quantity: '2' });
    const rid = (await rt.db('reservations').first('id'))!.id;
    await a.post('/waitlist', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.north) });
    const wid = (await rt.db('waitlist').first('id'))!.id;
    await b.get('/reservations');
    for (const path of [`/reservations/${rid}/cancel`, `/reservations/${rid}/extend`, `/waitlist/${wid}/delete`]) {
      const r = await b.post(path, {});
      expect(r.status, path).to.equal(404);
      expect(r.text).not.to.match(/at .*\.ts:\d+/);
    }
    expect((await b.post('/reservations/order', { ids: String(rid) })).status).to.equal(404);
    expect((await b.get('/reservations')).text).not.to.contain('Drill Makita HP1630');
    expect((await b.get('/waitlist')).text).not.to.contain('Drill Bosch GSB 13');
    expect((await rt.db('reservations').first())!.state).to.equal('active');
    expect(await rt.db('waitlist').count('* as n').first()).to.deep.equal({ n: 1 });
    // Anonymous visitors are sent to sign in.
    const anon = await fetch(`${server.base}/reservations`, { redirect: 'manual' });
    expect(anon.status).to.equal(303);
  });

  it('waiting list: notify me, listed, unsubscribe', async () => {
    const r = await a.post('/waitlist', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.north) }, { headers: { 'hx-request': 'true' } });
    expect(r.text).to.contain('Напишем вам один раз, когда Drill Bosch GSB 13 появится на складе North.');
    const refused = await a.post('/waitlist', { offerId: String(fx.offers[0]), warehouseId: '' }, { headers: { 'hx-request': 'true' } });
    expect(refused.text).to.contain('Этот товар сейчас есть в наличии');
    const page = await a.get('/waitlist');
    expect(page.text).to.contain('Drill Bosch GSB 13').and.contain('Мой лист ожидания').and.contain('Отписаться');
    const wid = (await rt.db('waitlist').first('id'))!.id;
    expect((await a.post(`/waitlist/${wid}/delete`, {})).status).to.equal(303);
    expect(await rt.db('waitlist').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('live update: an expiring reservation is pushed to its client\'s open pages over SSE', async () => {
    await a.post('/reservations', { offerId: String(fx.offers[1]), warehouseId: String(fx.warehouses.main), quantity: '2' });
    const rid = (await rt.db('reservations').first('id'))!.id;
    const ctrl = new AbortController();
    const cookie = [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${server.base}/reservations/events`, { headers: { cookie }, signal: ctrl.signal });
    expect(res.headers.get('content-type')).to.match(/text\/event-stream/);
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    await rt.db('reservations').where({ id: rid }).update({ expires_at: rt.db.raw("now() - interval '1 second'") });
    await expireDue(rt);
    let text = '';
    const deadline = Date.now() + 3000;
    while (!text.includes('event: reservation') && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    expect(text).to.contain('event: reservation');
    expect(text).to.contain(`"id":${rid},"change":"expired"`);
  });

  it('admins change the reservation period; buyers cannot', async () => {
    expect((await a.get('/admin/settings/reservations')).status).to.equal(403);
    const admin = new WebClient(server.base);
    await admin.login(fx.emails.admin, PASSWORD);
    const page = await admin.get('/admin/settings/reservations');
    expect(page.text).to.contain('value="24"');
    const bad = await admin.post('/admin/settings/reservations', { periodHours: '0', maxExtensions: '1', warningLeadMinutes: '60' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Срок резерва — не меньше 1 часа.');
    const ok = await admin.post('/admin/settings/reservations', { periodHours: '48', extensionAllowed: 'on', maxExtensions: '2', warningLeadMinutes: '30' });
    expect(ok.status).to.equal(303);
    try {
      await a.post('/reservations', { offerId: String(fx.offers[1]), warehouseId: String(fx.warehouses.main), quantity: '1' });
      const r = await rt.db('reservations').first();
      expect(new Date(r!.expires_at).getTime() - new Date(r!.created_at).getTime()).to.be.closeTo(48 * 3600_000, 5000);
    } finally {
      await admin.post('/admin/settings/reservations', { periodHours: '24', extensionAllowed: 'on', maxExtensions: '1', warningLeadMinutes: '120' });
    }
  });

  it('open catalog pages of other buyers see goods come back when a reservation expires (SSE)', async () => {
    const offer = fx.offers[2]!; // main: 30
    await a.post('/reservations', { offerId: String(offer), warehouseId: String(fx.warehouses.main), quantity: '30' });
    const rid = (await rt.db('reservations').first('id'))!.id;
    const ctrl = new AbortController();
    const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${server.base}/live/offers?ids=${offer}`, { headers: { cookie }, signal: ctrl.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await rt.db('reservations').where({ id: rid }).update({ expires_at: rt.db.raw("now() - interval '1 second'") });
    await expireDue(rt);
    let text = '';
    const want = `event: s${offer}-${fx.warehouses.main}`;
    const deadline = Date.now() + 3000;
    while (!text.includes(want) && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    const cell = text.slice(text.indexOf(want)).split('\n')[1]!;
    expect(cell).to.match(/30/);
  });
});
