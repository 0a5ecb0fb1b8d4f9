import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { catalogPage } from '../../../src/store/catalog/catalog.ts';
import { pricesFor } from '../../../src/store/pricing/pricing.ts';
import type { StoreFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime } from '../../support/runtime.ts';
import { seedWorld } from '../../support/world.ts';

describe('store/pricing: the price chain in SQL', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    fx = await seedWorld(rt);
  });

  const one = async (counterpartyId: number, contractId: number | null, offer: number) =>
    (await pricesFor(rt.db, { counterpartyId, contractId }, [offer])).get(offer)!;

  it('individual contract price first, then the contract discount', async () => {
    // offer 2: contract price 150.00, discount 5 % → 142.50
    const p = await one(fx.cp.aHead, fx.contracts.aMain, fx.offers[1]!);
    expect(p).to.include({ price: '142.50', origin: 'contract', currency: 'RUB' });
  });

  it("then the contract's price type (with discount)", async () => {
    // offer 1: wholesale 90.00 − 5 % = 85.50
    expect(await one(fx.cp.aHead, fx.contracts.aMain, fx.offers[0]!)).to.include({ price: '85.50', origin: 'contract_type' });
  });

  it("then the counterparty's price type when the contract has none", async () => {
    // contract A-2 has no price type and no discount; Alpha's type is dealer: 80.00
    expect(await one(fx.cp.aHead, fx.contracts.aSecond, fx.offers[0]!)).to.include({ price: '80.00', origin: 'counterparty_type' });
    // an individual price of another contract does not leak
    expect(await one(fx.cp.aHead, fx.contracts.aSecond, fx.offers[1]!)).to.include({ price: '160.00', origin: 'counterparty_type' });
  });

  it('then the base price type, and no price at all when even that is missing', async () => {
    // Alpha North: no price type, contract without type → base 100.00
    expect(await one(fx.cp.aChild, fx.contracts.aChild, fx.offers[0]!)).to.include({ price: '100.00', origin: 'base' });
    expect(await one(fx.cp.aChild, null, fx.offers[0]!)).to.include({ price: '100.00', origin: 'base' });
    await rt.db('prices').where({ offer_id: fx.offers[0]!, price_type_id: fx.priceTypes.base }).update({ deleted: true });
    expect(await one(fx.cp.aChild, null, fx.offers[0]!)).to.include({ price: null, origin: null });
  });

  it('skips deleted prices and a deleted contract price', async () => {
    await rt.db('contract_prices').where({ contract_id: fx.contracts.aMain }).update({ deleted: true });
    expect(await one(fx.cp.aHead, fx.contracts.aMain, fx.offers[1]!)).to.include({ price: '171.00', origin: 'contract_type' });
  });

  it('ignores a contract that belongs to another counterparty', async () => {
    // B's contract id with A's counterparty: no contract terms → A's own type (dealer)
    expect(await one(fx.cp.aHead, fx.contracts.bMain, fx.offers[0]!)).to.include({ price: '80.00', origin: 'counterparty_type' });
  });

  it('adds the partner commission at partner warehouses, rounding half up to cents', async () => {
    const p = await one(fx.cp.aHead, fx.contracts.aMain, fx.offers[0]!);
    expect(p.partner).to.deep.equal({ [String(fx.warehouses.partner)]: '94.05' }); // 85.50 × 1.10
    await rt.db('warehouses').where({ id: fx.warehouses.partner }).update({ commission_pct: '12.345' });
    expect((await one(fx.cp.aHead, fx.contracts.aMain, fx.offers[0]!)).partner[String(fx.warehouses.partner)]).to.equal('96.05'); // 85.50 × 1.12345 = 96.054975
  });

  it('prices a whole catalog page in the same query, per counterparty', async () => {
    const q = { sort: 'name', page: 1, perPage: 50 } as const;
    const a = await catalogPage(rt.db, { counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain }, q);
    const b = await catalogPage(rt.db, { counterpartyId: fx.cp.bHead, contractId: fx.contracts.bMain }, q);
    const price = (page: typeof a, sku: string) => page.rows.find((r) => r.sku === sku)!.price;
    expect(price(a, 'SKU-001')).to.equal('85.50');
    expect(price(b, 'SKU-001')).to.equal('80.00');
    expect(a.total).to.equal(6);
    expect(a.asOf).to.equal('2026-11-27T09:00:00.000Z');
  });
});
