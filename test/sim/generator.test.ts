import { expect } from 'chai';
import { generateDataset } from '../../sim/data/generate.ts';
import { isValidInn } from '../../sim/data/inn.ts';
import { SimState } from '../../sim/state.ts';

describe('sim: data generator', () => {
  const opts = { seed: 5, products: 400, warehouses: 5, partnerWarehouses: 2, priceTypes: 6, counterparties: 60, managers: 5 };

  it('refuses as many price types or warehouses as a price or stock cell key can hold', () => {
    expect(() => generateDataset({ products: 10, warehouses: 4096 })).to.throw(/fewer than 4096 price types and warehouses/);
    expect(() => generateDataset({ products: 10, priceTypes: 4096 })).to.throw(/fewer than 4096/);
    expect(generateDataset({ products: 10, priceTypes: 30, warehouses: 30 }).warehouses).to.have.length(30);
  });

  it('is deterministic: the same seed gives the same data, another seed other data', () => {
    const a = generateDataset(opts);
    const b = generateDataset(opts);
    const c = generateDataset({ ...opts, seed: 6 });
    const pick = (d: typeof a) => JSON.stringify([d.products.slice(0, 50), d.counterparties.slice(0, 20), d.offers.slice(-5)]);
    expect(pick(a)).to.equal(pick(b));
    expect(pick(a)).not.to.equal(pick(c));
    expect(new SimState(a).counts()).to.deep.equal(new SimState(b).counts());
  });

  it('makes realistic wholesale data: valid INN/KPP, groups three levels deep, variants, partner-only goods', () => {
    const d = generateDataset(opts);
    expect(d.products).to.have.length(400);
    for (const cp of d.counterparties) {
      expect(isValidInn(cp.inn), cp.inn).to.equal(true);
      if (cp.inn.length === 10) expect(cp.kpp).to.match(/^\d{9}$/);
    }
    const byId = new Map(d.groups.map((g) => [g.id, g]));
    const depth = (id: string): number => (byId.get(id)!.parentId ? 1 + depth(byId.get(id)!.parentId!) : 1);
    expect(new Set(d.products.map((p) => depth(p.groupId)))).to.deep.equal(new Set([3]));
    expect(d.offers.some((o) => o.id.includes('#') && Object.keys(o.characteristics).length === 1)).to.equal(true);
    expect(d.products.every((p) => /[а-яё]/i.test(p.name) && p.unit)).to.equal(true);

    const s = new SimState(d);
    const partnerOnly = d.offers.filter((o) => o.partnerOnly);
    expect(partnerOnly.length).to.be.greaterThan(0);
    for (const o of partnerOnly) {
      const whs = s.stockOf(o).map((x) => d.warehouses.find((w) => w.id === x.warehouseId)!.kind);
      expect(whs.every((k) => k === 'partner')).to.equal(true);
    }
  });

  it('links counterparties to heads, gives contracts price types, discounts and individual prices, managers contacts', () => {
    const d = generateDataset(opts);
    const ids = new Set(d.counterparties.map((c) => c.id));
    const linked = d.counterparties.filter((c) => c.headId);
    expect(linked.length).to.be.greaterThan(3);
    for (const c of linked) {
      expect(ids.has(c.headId!)).to.equal(true);
      expect(d.counterparties.find((h) => h.id === c.headId)!.headId).to.equal(null);
    }
    expect(d.contracts.every((c) => d.priceTypes.some((p) => p.id === c.priceTypeId))).to.equal(true);
    expect(d.contracts.some((c) => c.discountPct !== '0')).to.equal(true);
    expect(d.contracts.some((c) => c.prices.size > 0)).to.equal(true);
    const partners = d.warehouses.filter((w) => w.kind === 'partner');
    expect(partners).to.have.length(2);
    for (const w of partners) {
      expect(Number(w.commissionPct)).to.be.greaterThan(0);
      expect(w.deliveryDays).to.be.greaterThan(0);
    }
    for (const m of d.managers) {
      expect(m.email).to.match(/^[a-z.0-9]+@[a-z.-]+$/);
      expect(m.phone).to.match(/^\+7 \(\d{3}\) \d{3}-\d{2}-\d{2}$/);
    }
  });
});
