import { expect } from 'chai';
import { generateDataset, SimState } from '../../sim/index.ts';
import { offerXml, productXml } from '../../sim/soap/service.ts';
import { rendered } from '../../sim/soap/xml.ts';
import type { SimOffer, SimProduct } from '../../sim/data/types.ts';

/** The offer as the generic renderer writes an object of the WSDL's shape: what offerXml must equal. */
function generic(s: SimState, o: SimOffer): string {
  return rendered({
    Offer: {
      Id: o.id, ProductId: o.productId, Name: o.name, Article: o.sku, DeletionMark: o.deleted,
      Characteristics: { Property: Object.entries(o.characteristics).map(([Name, Value]) => ({ Name, Value })) },
      Prices: { Price: s.pricesOf(o).map((p) => ({ PriceTypeId: p.priceTypeId, Value: p.value })) },
      Stock: { Item: s.stockOf(o).map((x) => ({ WarehouseId: x.warehouseId, Quantity: x.quantity })) },
    },
  }).$xml;
}

function genericProduct(p: SimProduct): string {
  return rendered({
    Product: {
      Id: p.id, GroupId: p.groupId, Article: p.sku, Barcode: p.barcode || undefined, Name: p.name, Unit: p.unit, VatRate: p.vatRate,
      DeletionMark: p.deleted, Properties: { Property: Object.entries(p.properties).map(([Name, Value]) => ({ Name, Value })) },
    },
  }).$xml;
}

describe('sim: the <Offer> and <Product> elements written straight from the state', () => {
  it('is the generic rendering of the offer, for generated offers and accountant edits', () => {
    const s = new SimState(generateDataset({ seed: 3, products: 300, warehouses: 6, partnerWarehouses: 2, priceTypes: 5 }));
    const withChars = s.data.offers.find((o) => Object.keys(o.characteristics).length > 0);
    expect(withChars, 'a generated offer with characteristics').to.not.equal(undefined);
    const added = s.addProduct({ id: 'p-<&>', name: 'Клей "Момент" & <к>', sku: '', prices: { PT001: '10.50' }, stock: { WH01: '3' } });
    s.setStock(s.data.offers[0]!.id, 'WH02', '7.125');
    s.setPrice(s.data.offers[0]!.id, 'PT002', '99.99');
    s.markProductDeleted(s.data.offers[1]!.productId);
    expect(s.data.offers).to.include(added);
    expect(s.data.offers.some((o) => o.deleted)).to.equal(true);
    for (const o of s.data.offers) expect(offerXml(s, o)).to.equal(generic(s, o));
    expect(s.data.products.some((p) => p.barcode) && s.data.products.some((p) => !p.barcode), 'products with and without a barcode').to.equal(true);
    expect(s.data.products.some((p) => Object.keys(p.properties).length > 0), 'a product with properties').to.equal(true);
    for (const p of s.data.products) expect(productXml(p)).to.equal(genericProduct(p));
    expect(offerXml(s, added)).to.contain('<Name>Клей &quot;Момент&quot; &amp; &lt;к&gt;</Name><Article></Article>');
  });
});
