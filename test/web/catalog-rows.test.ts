import { expect } from 'chai';
import type { Warehouse } from '../../src/store/catalog/availability.ts';
import type { CatalogRow } from '../../src/store/catalog/catalog.ts';
import { formats } from '../../src/infra/intl.ts';
import { rowView } from '../../src/web/routes/catalog.ts';

// rowView shares one frozen cell per own warehouse and quantity between rows and pages; partner
// cells carry their row's price. Same texts as formatting each cell anew.
describe('web/catalog rows: the stock cells', () => {
  const warehouses: Warehouse[] = [
    { id: 1, name: 'Main', kind: 'own', commissionPct: '0', deliveryDays: 0 },
    { id: 2, name: 'North', kind: 'own', commissionPct: '0', deliveryDays: 1 },
    { id: 3, name: 'Partner', kind: 'partner', commissionPct: '10', deliveryDays: 3 },
  ];
  const row = (stock: Record<string, string>, partner: Record<string, string>, totalQty: string): CatalogRow => ({
    offerId: 1, productId: 1, sku: 'S', name: 'N', unit: 'pcs', vatRate: null, image: null, characteristics: {}, price: '10.00',
    currency: 'RUB', vatIncluded: true, priceOrigin: 'base', partner, stock, totalQty,
  });

  it('prints quantities, the partner price, and a dash for none', () => {
    const v = rowView(row({ '1': '12345.5', '2': '0', '3': '4' }, { '3': '1234.50' }, '12349.5'), warehouses);
    expect(v.cells).to.deep.equal([
      { warehouseId: 1, has: true, qtyText: formats().qty('12345.5'), partner: false, priceText: null },
      { warehouseId: 2, has: false, qtyText: '0', partner: false, priceText: null },
      { warehouseId: 3, has: true, qtyText: '4', partner: true, priceText: formats().money('1234.50', null) },
    ]);
    expect(v.cells[2]!.priceText).to.match(/^1\s?234,50$/); // the store's locale (ru)
    expect(v.inStock).to.equal(true);
    expect(rowView(row({}, {}, '0'), warehouses).inStock).to.equal(false);
  });

  it('shares own cells for the same warehouse and quantity (frozen), not partner cells', () => {
    const a = rowView(row({ '1': '7', '2': '7', '3': '7' }, { '3': '11.00' }, '21'), warehouses);
    const b = rowView(row({ '1': '7', '2': '8', '3': '7' }, { '3': '12.00' }, '22'), warehouses);
    expect(a.cells[0]).to.equal(b.cells[0]);
    expect(Object.isFrozen(a.cells[0])).to.equal(true);
    expect(a.cells[1]).to.not.equal(b.cells[1]);
    expect(b.cells[1]!.qtyText).to.equal('8');
    expect(a.cells[2]!.priceText).to.not.equal(b.cells[2]!.priceText);
    expect(b.cells[2]!.priceText).to.equal('12,00');
  });
});
