// Mirror rows written directly with knex for store/web tests (the sync core is tested on its own).
import type { Db } from '../../src/infra/db/knex.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { createUser } from '../../src/store/accounts/users.ts';

export const PASSWORD = 'correct horse battery';

async function ins(db: Db, table: string, row: Record<string, unknown>): Promise<number> {
  const [r] = await db(table).insert(row).returning('id');
  return r.id;
}

export interface StoreFixture {
  sourceId: number;
  priceTypes: { base: number; wholesale: number; dealer: number };
  warehouses: { main: number; north: number; partner: number };
  cp: { aHead: number; aChild: number; bHead: number };
  contracts: { aMain: number; aSecond: number; aChild: number; bMain: number };
  offers: number[];
  products: number[];
  clients: { a: number; b: number };
  users: { a: number; b: number; admin: number };
  emails: { a: string; b: string; admin: string };
}

/**
 * Two clients: A (head "Alpha" + child "Alpha North", contracts with the wholesale type, a 5 %
 * discount, one individual price) and B ("Beta", dealer type). Three warehouses (two own, one
 * partner with 10 % commission and 3 days). Products SKU-001… with base/wholesale/dealer prices.
 */
export async function storeFixture(db: Db, opts: { products?: number } = {}): Promise<StoreFixture> {
  const n = opts.products ?? 6;
  const sourceId = await ins(db, 'sources', { name: 'main', kind: 'soap', as_of: '2026-11-27T09:00:00Z', last_success_at: new Date() });
  const s = { source_id: sourceId };
  const base = await ins(db, 'price_types', { ...s, external_id: 'pt-base', name: 'Retail', is_base: true });
  const wholesale = await ins(db, 'price_types', { ...s, external_id: 'pt-whs', name: 'Wholesale' });
  const dealer = await ins(db, 'price_types', { ...s, external_id: 'pt-dlr', name: 'Dealer' });
  const main = await ins(db, 'warehouses', { ...s, external_id: 'w-main', name: 'Main', sort: 1 });
  const north = await ins(db, 'warehouses', { ...s, external_id: 'w-north', name: 'North', delivery_days: 1, sort: 2 });
  const partner = await ins(db, 'warehouses', { ...s, external_id: 'w-partner', name: 'Partner Far', kind: 'partner', commission_pct: '10', delivery_days: 3, sort: 3 });
  await ins(db, 'product_groups', { ...s, external_id: 'g-tools', name: 'Tools' });
  await ins(db, 'product_groups', { ...s, external_id: 'g-drills', parent_external_id: 'g-tools', name: 'Drills' });
  await ins(db, 'product_groups', { ...s, external_id: 'g-paint', name: 'Paint' });
  const products: number[] = [];
  const offers: number[] = [];
  const names = ['Drill Bosch GSB 13', 'Drill Makita HP1630', 'Hammer 500g', 'Screwdriver set', 'Paint white 5 l', 'Paint blue 1 l'];
  for (let i = 1; i <= n; i++) {
    const sku = `SKU-${String(i).padStart(3, '0')}`;
    const name = names[i - 1] ?? `Product ${i}`;
    const group = i <= 2 ? 'g-drills' : i <= 4 ? 'g-tools' : 'g-paint';
    const pid = await ins(db, 'products', { ...s, external_id: `p${i}`, group_external_id: group, sku, barcode: `460000000${String(i).padStart(4, '0')}`, name, unit: 'pcs', vat_rate: '20', properties: { Brand: i % 2 ? 'Bosch' : 'Makita' } });
    const oid = await ins(db, 'offers', { ...s, external_id: `p${i}`, product_id: pid, sku });
    products.push(pid);
    offers.push(oid);
    const basePrice = 100 * i;
    await db('prices').insert([
      { ...s, offer_id: oid, price_type_id: base, value: `${basePrice}.00` },
      { ...s, offer_id: oid, price_type_id: wholesale, value: `${basePrice * 0.9}.00` },
      { ...s, offer_id: oid, price_type_id: dealer, value: `${basePrice * 0.8}.00` },
    ]);
    await db('stock').insert([
      { ...s, offer_id: oid, warehouse_id: main, quantity: i === 1 ? '1' : String(10 * i) },
      { ...s, offer_id: oid, warehouse_id: north, quantity: i % 2 ? '0' : '5' },
      { ...s, offer_id: oid, warehouse_id: partner, quantity: '100' },
    ]);
  }
  const aHead = await ins(db, 'counterparties', { ...s, external_id: 'cp-a', name: 'Alpha LLC', inn: '7701000001', price_type_id: dealer });
  const aChild = await ins(db, 'counterparties', { ...s, external_id: 'cp-a2', name: 'Alpha North LLC', inn: '7701000002', head_external_id: 'cp-a' });
  const bHead = await ins(db, 'counterparties', { ...s, external_id: 'cp-b', name: 'Beta JSC', inn: '7801000001', price_type_id: dealer });
  const aMain = await ins(db, 'contracts', { ...s, external_id: 'k-a1', counterparty_id: aHead, name: 'Main', number: 'A-1', price_type_id: wholesale, discount_pct: '5', is_default: true });
  const aSecond = await ins(db, 'contracts', { ...s, external_id: 'k-a2', counterparty_id: aHead, name: 'Retail terms', number: 'A-2' });
  const aChildK = await ins(db, 'contracts', { ...s, external_id: 'k-a3', counterparty_id: aChild, name: 'North', number: 'AN-1' });
  const bMain = await ins(db, 'contracts', { ...s, external_id: 'k-b1', counterparty_id: bHead, name: 'Beta main', number: 'B-1', is_default: true });
  await db('contract_prices').insert({ ...s, contract_id: aMain, offer_id: offers[1]!, value: '150.00' });
  await seedClients(db);
  const clientA = (await db('clients').where({ head_counterparty_id: aHead }).first('id'))!.id;
  const clientB = (await db('clients').where({ head_counterparty_id: bHead }).first('id'))!.id;
  const emails = { a: 'buyer@alpha.test', b: 'buyer@beta.test', admin: 'admin@counterpart.test' };
  const users = {
    a: await createUser(db, { email: emails.a, role: 'buyer', clientId: clientA, password: PASSWORD }),
    b: await createUser(db, { email: emails.b, role: 'buyer', clientId: clientB, password: PASSWORD }),
    admin: await createUser(db, { email: emails.admin, role: 'admin', password: PASSWORD }),
  };
  return {
    sourceId,
    priceTypes: { base, wholesale, dealer },
    warehouses: { main, north, partner },
    cp: { aHead, aChild, bHead },
    contracts: { aMain, aSecond, aChild: aChildK, bMain },
    offers,
    products,
    clients: { a: clientA, b: clientB },
    users,
    emails,
  };
}
