import { expect } from 'chai';
import { storeToday } from '../../src/store/arrivals/arrivals.ts';
import { useWorld } from '../support/world.ts';

const day = (n: number) => {
  const d = new Date(`${storeToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

describe('web/quotes: ask from the cart, the manager answers, accept → order; scoped to the client and its manager', () => {
  const w = useWorld({ staff: true, tables: ['orders', 'outbox'] });

  async function asked() {
    const a = await w.signIn('a');
    await a.post('/cart/add', { offerId: String(w.fx.offers[2]), qty: '4' });
    await a.get('/cart');
    const r = await a.post('/quotes', { desiredDate: day(5), comment: 'Срочно' });
    expect(r.status, r.text.slice(0, 300)).to.equal(303);
    const id = Number(/^\/quotes\/(\d+)$/.exec(r.location ?? '')?.[1]);
    expect(id).to.be.greaterThan(0);
    return { a, id };
  }

  it('the whole way: request, the manager’s answer, accept → the order at the quoted price', async () => {
    const { a, id } = await asked();
    const mine = await a.get(`/quotes/${id}`);
    expect(mine.status).to.equal(200);
    expect(mine.text).to.contain('ждёт ответа менеджера').and.contain('Срочно').and.contain('SKU-003');
    expect(mine.text).not.to.contain('Принять и оформить заказ');
    const iv = await w.signIn('ivanov');
    expect((await iv.get('/quotes')).text).to.contain(`href="/quotes/${id}"`);
    const form = await iv.get(`/quotes/${id}`);
    expect(form.text).to.contain('name="price_1"').and.contain('Отправить предложение');
    const ans = await iv.post(`/quotes/${id}/answer`, { price_1: '277,70', qty_1: '5', validUntil: day(2), answer: 'Со склада Main' });
    expect(ans.status, ans.text.slice(0, 300)).to.equal(303);
    const offer = await a.get(`/quotes/${id}`);
    expect(offer.text.replaceAll('\u00a0', ' ')).to.contain('есть предложение').and.contain('1 388,50').and.contain('Принять и оформить заказ');
    const acc = await a.post(`/quotes/${id}/accept`, {});
    expect(acc.status).to.equal(303);
    const orderId = Number(/^\/orders\/(\d+)$/.exec(acc.location ?? '')?.[1]);
    const line = await w.rt.db('order_lines').where({ order_id: orderId }).first('quantity', 'price', 'amount');
    expect(line).to.deep.equal({ quantity: '5.000', price: '277.70', amount: '1388.50' });
    expect((await a.get(`/orders/${orderId}`)).status).to.equal(200);
    expect((await a.get(`/quotes/${id}`)).text).to.contain('принято, заказ оформлен').and.contain(`href="/orders/${orderId}"`);
  });

  it('another client, another manager and bad ids get 404; staff cannot ask nor accept, buyers cannot answer', async () => {
    const { a, id } = await asked();
    const b = await w.signIn('b');
    const pe = await w.signIn('petrova');
    expect((await b.get(`/quotes/${id}`)).status).to.equal(404);
    expect((await b.get('/quotes')).text).not.to.contain(`href="/quotes/${id}"`);
    expect((await pe.get(`/quotes/${id}`)).status).to.equal(404);
    await pe.get('/quotes');
    expect((await pe.post(`/quotes/${id}/answer`, { price_1: '1', validUntil: day(2) })).status).to.equal(404);
    expect((await b.post(`/quotes/${id}/accept`, {})).status).to.equal(404);
    expect((await b.post(`/quotes/${id}/decline`, {})).status).to.equal(404);
    expect((await a.post(`/quotes/${id}/answer`, { price_1: '1', validUntil: day(2) })).status).to.equal(403);
    expect((await pe.post('/quotes', { comment: 'x' })).status).to.equal(403);
    expect((await a.get('/quotes/abc')).status).to.equal(404);
    expect((await a.get('/quotes/99999999')).status).to.equal(404);
    expect((await w.rt.db('quotes').where({ id }).first('status'))!.status).to.equal('requested');
  });

  it('bad input is a 422 naming it: a past date, a missing price; an expired quote cannot be accepted', async () => {
    const { a, id } = await asked();
    const past = await a.post('/quotes', { desiredDate: day(-2), comment: '' });
    expect(past.status).to.equal(422);
    expect(past.text).to.contain('Желаемая дата — день не раньше сегодняшнего');
    const iv = await w.signIn('ivanov');
    await iv.get(`/quotes/${id}`);
    const noPrice = await iv.post(`/quotes/${id}/answer`, { price_1: '', validUntil: day(2) });
    expect(noPrice.status).to.equal(422);
    expect(noPrice.text).to.contain('Строка 1: укажите цену');
    await iv.post(`/quotes/${id}/answer`, { price_1: '100', validUntil: day(2) });
    await w.rt.db('quotes').where({ id }).update({ valid_until: day(-1) });
    const page = await a.get(`/quotes/${id}`);
    expect(page.text).to.contain('срок предложения истёк').and.not.contain('Принять и оформить заказ');
    const late = await a.post(`/quotes/${id}/accept`, {});
    expect(late.status).to.equal(409);
    expect(late.text).to.contain('Срок действия предложения истёк');
    expect(Number((await w.rt.db('orders').count({ n: '*' }).first())!.n)).to.equal(0);
    const dec = await a.post(`/quotes/${id}/decline`, {});
    expect(dec.status).to.equal(303);
    expect((await a.get(`/quotes/${id}`)).text).to.contain('отклонено');
  });
});
