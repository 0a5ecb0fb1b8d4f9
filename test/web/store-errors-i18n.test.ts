// Store refusals carry a catalog key with values (src/infra/domain-error.ts): the web shows them in
// the reader's language — Russian by default, English for a user who chose it — with quantities
// through Intl; the quick order's line errors get "Строка N:" / "Line N:" the same way.
import { expect } from 'chai';
import { DomainError, messageIn } from '../../src/infra/domain-error.ts';
import { useWorld } from '../support/world.ts';

describe('web: store refusals in the reader language', () => {
  const w = useWorld({ tables: ['orders', 'outbox', 'reservations'] });

  it('a keyed refusal: the default language as userMessage, each language on demand, quantities formatted', () => {
    const e = new DomainError('conflict', { key: 'storeErrors.cart.stock', params: { what: 'SKU-1', available: '12345.500', wanted: '2.5' } });
    expect(e.userMessage).to.equal(`Не хватает SKU-1: доступно 12\u00a0345,5, нужно 2,5.`);
    expect(e.message).to.equal(e.userMessage);
    expect(messageIn('en', e.text!)).to.equal('Not enough stock of SKU-1: 12,345.5 available, 2.5 wanted.');
    expect(messageIn('en', { key: 'storeErrors.reservation.notEnough', params: { available: '1', asked: '2', unit: 'шт' } })).to.equal(
      'Not enough stock: 1 pcs available, you asked for 2.',
    );
    expect(messageIn('ru', { key: 'storeErrors.quick.variants', params: { sku: 'X', count: 5 } })).to.equal('артикулу «X» соответствуют 5 вариантов; добавьте товар со страницы товара.');
  });

  it('quick order and add to cart: Russian for a Russian buyer, English after the buyer chose English', async () => {
    const a = await w.signIn('a');
    await a.get('/cart/quick');
    const ru = await a.post('/cart/quick', { lines: `NO-SUCH-SKU\t1\nSKU-001 999` });
    expect(ru.text).to.contain('Строка 1: неизвестный артикул «NO-SUCH-SKU».').and.contain('Строка 2: Не хватает SKU-001: доступно 101, нужно 999.');
    await w.rt.db('users').where({ id: w.fx.users.a }).update({ language: 'en' });
    const en = await a.post('/cart/quick', { lines: `NO-SUCH-SKU\t1\nSKU-001 999\nSKU-002 abc` });
    expect(en.text).to.contain('Line 1: unknown SKU &quot;NO-SUCH-SKU&quot;.').and.contain('Line 2: Not enough stock of SKU-001: 101 available, 999 wanted.');
    expect(en.text).to.contain('Line 3: &quot;abc&quot; is not a quantity');
    const add = await a.post('/cart/add', { offerId: String(w.fx.offers[0]), qty: '100000' }, { headers: { 'hx-request': 'true' } });
    expect(add.text).to.contain('Not enough stock of SKU-001: 101 available, 100,000 wanted.');
    // the error handler's page: a keyed refusal in the viewer's language
    const missing = await a.post('/reservations/999999/extend', {});
    expect(missing.status).to.equal(404);
    expect(missing.text).to.contain('Reservation not found.');
  });
});
