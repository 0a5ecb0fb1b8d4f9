import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { offerPrices } from '../../../src/store/pricing/offer-prices.ts';
import { pricesFor } from '../../../src/store/pricing/pricing.ts';
import { setSetting } from '../../../src/store/settings/settings.ts';
import type { StoreFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime } from '../../support/runtime.ts';
import { seedWorld } from '../../support/world.ts';

describe('store: partner-warehouse commission override (console setting)', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    fx = await seedWorld(rt);
  });
  after(() => rt.db('settings').where({ key: 'warehouses.commission_overrides' }).delete());

  it('replaces the accounting system’s commission in every price, and only for that warehouse', async () => {
    const scope = { counterpartyId: fx.cp.bHead, contractId: fx.contracts.bMain };
    const offer = fx.offers[2]!;
    const before = (await pricesFor(rt.db, scope, [offer])).get(offer)!;
    const partner = String(fx.warehouses.partner);
    // 10 % from the accounting system
    expect(Number(before.partner[partner])).to.equal(Math.round(Number(before.price) * 110) / 100);
    await setSetting(rt.db, 'warehouses.commission_overrides', { [partner]: '25' });
    const after = (await pricesFor(rt.db, scope, [offer])).get(offer)!;
    expect(after.price).to.equal(before.price);
    expect(Number(after.partner[partner])).to.equal(Math.round(Number(before.price) * 125) / 100);
    const [asked] = await offerPrices(rt.db, [{ counterpartyId: fx.cp.bHead, offerId: offer, warehouseId: fx.warehouses.partner }]);
    expect(asked!.value).to.equal(after.partner[partner]);
    expect((await rt.db('warehouses').where({ id: fx.warehouses.partner }).first())!.commission_pct).to.equal('10.000'); // mirror untouched
  });
});
