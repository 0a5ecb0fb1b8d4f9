import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { catalogPage, offerRows } from '../../../src/store/catalog/catalog.ts';
import type { StoreFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime } from '../../support/runtime.ts';
import { seedWorld } from '../../support/world.ts';

// The unfiltered catalog comes from one statement (page query and rows together); every other
// page from the page query, then offerRows: both must show the same rows, prices, stock and stamp.
describe('store/catalog: the page in one statement or two', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    fx = await seedWorld(rt);
  });

  const scope = () => ({ counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain });

  it('the unfiltered page: the rows of offerRows for the same ids, in name order, with the as-of stamp', async () => {
    const page = await catalogPage(rt.db, scope(), { sort: 'name', page: 1, perPage: 50 });
    const ids = (await rt.db('products as p').join('offers as o', 'o.product_id', 'p.id').where({ 'p.deleted': false, 'o.deleted': false })
      .orderByRaw('lower(p.name), p.id, o.id').select('o.id')).map((r) => r.id as number);
    expect(page.rows.map((r) => r.offerId)).to.deep.equal(ids);
    expect(page.rows).to.deep.equal(await offerRows(rt.db, scope(), ids));
    expect(page.asOf).to.equal('2026-11-27T09:00:00.000Z');
    expect(page.total).to.equal(ids.length);
  });

  it('pages of the name and stock sorts: the same rows as the two-step path of a filter that keeps every offer', async () => {
    for (const sort of ['name', 'stock'] as const) {
      for (const page of [1, 2, 3, 4]) {
        const one = await catalogPage(rt.db, scope(), { sort, page, perPage: 2 });
        // every offer here has a price: priceMin 0 keeps them all, and binds a value (the two-step path)
        const two = await catalogPage(rt.db, scope(), { sort, page, perPage: 2, priceMin: '0' });
        expect(one.rows, `${sort} page ${page}`).to.deep.equal(two.rows);
        expect(one.asOf).to.equal(two.asOf);
      }
    }
  });

  it('shows current prices and stock: a change in the mirror is on the next page', async () => {
    const before = await catalogPage(rt.db, scope(), { sort: 'name', page: 1, perPage: 50 });
    const offer = fx.offers[0]!;
    await rt.db('stock').where({ offer_id: offer }).update({ quantity: '7' });
    await rt.db('prices').where({ offer_id: offer }).update({ value: '200.00' });
    const after = await catalogPage(rt.db, scope(), { sort: 'name', page: 1, perPage: 50 });
    const row = after.rows.find((r) => r.offerId === offer)!;
    expect(row.price).to.not.equal(before.rows.find((r) => r.offerId === offer)!.price);
    expect(row.price).to.equal('190.00'); // 200.00 wholesale − 5 % contract discount
    expect(Object.values(row.stock).every((q) => q === '7')).to.equal(true);
  });

  it('an empty page still carries the stamp', async () => {
    const page = await catalogPage(rt.db, scope(), { sort: 'name', page: 20, perPage: 50 });
    expect(page.rows).to.deep.equal([]);
    expect(page.asOf).to.equal('2026-11-27T09:00:00.000Z');
  });
});
