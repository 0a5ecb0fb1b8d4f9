// The simulator's data as mirror records, built in memory without SOAP: what the sync core can do
// with the same rows when transport and XML cost nothing (the ceiling for the end-to-end figure).
import type { MirrorRecords } from '../../src/mirror/records.ts';
import type { SimState } from '../../sim/index.ts';

type Chunks = { [E in keyof MirrorRecords]?: () => Generator<MirrorRecords[E][]> };
const CHUNK = 20_000;

function* chunked<T, R>(items: T[], map: (x: T) => R[]): Generator<R[]> {
  let buf: R[] = [];
  for (const x of items) {
    buf.push(...map(x));
    if (buf.length >= CHUNK) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length) yield buf;
}

export function simRecords(s: SimState): Chunks {
  const d = s.data;
  return {
    groups: () => chunked(d.groups, (g) => [{ externalId: g.id, parentExternalId: g.parentId, name: g.name }]),
    priceTypes: () => chunked(d.priceTypes, (p) => [{ externalId: p.id, name: p.name, currency: p.currency, vatIncluded: p.vatIncluded, isBase: p.isBase }]),
    warehouses: () => chunked(d.warehouses, (w) => [{ externalId: w.id, name: w.name, kind: w.kind, commissionPct: w.commissionPct, deliveryDays: w.deliveryDays, address: w.address }]),
    managers: () => chunked(d.managers, (m) => [{ externalId: m.id, name: m.name, email: m.email, phone: m.phone }]),
    products: () => chunked(d.products, (p) => [{ externalId: p.id, groupExternalId: p.groupId, sku: p.sku, barcode: p.barcode, name: p.name, unit: p.unit, vatRate: p.vatRate, properties: p.properties }]),
    offers: () => chunked(d.offers, (o) => [{ externalId: o.id, productExternalId: o.productId, name: o.name, sku: o.sku, characteristics: o.characteristics }]),
    prices: () => chunked(d.offers, (o) => s.pricesOf(o).map((p) => ({ offerExternalId: o.id, priceTypeExternalId: p.priceTypeId, value: p.value }))),
    stock: () => chunked(d.offers, (o) => s.stockOf(o).map((x) => ({ offerExternalId: o.id, warehouseExternalId: x.warehouseId, quantity: x.quantity }))),
    counterparties: () => chunked(d.counterparties, (c) => [{
      externalId: c.id, name: c.name, fullName: c.fullName, inn: c.inn, kpp: c.kpp || null, email: c.email, phone: c.phone, headExternalId: c.headId,
      managerExternalId: c.managerId, priceTypeExternalId: c.priceTypeId, debt: c.debt, creditLimit: c.creditLimit,
    }]),
    contracts: () => chunked(d.contracts, (c) => [{
      externalId: c.id, counterpartyExternalId: c.counterpartyId, name: c.name, number: c.number, priceTypeExternalId: c.priceTypeId,
      discountPct: c.discountPct, currency: c.currency, validFrom: c.validFrom, validTo: c.validTo, isDefault: c.isDefault,
    }]),
    contractPrices: () => chunked(d.contracts, (c) => [...c.prices].map(([offerExternalId, value]) => ({ contractExternalId: c.id, offerExternalId, value }))),
  };
}
