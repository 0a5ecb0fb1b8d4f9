// Catalog benchmark data, generated in SQL (seconds, not minutes): N products/offers in 200
// groups, 6 price types, 12 warehouses (2 partner), stock on every warehouse, 2,000
// counterparties, and contracts with individual prices (added in two steps: 10, then 10,000).
import type { Db } from '../../src/infra/db/knex.ts';

export async function generateCatalog(db: Db, products: number): Promise<{ sourceId: number }> {
  const { rows } = await db.raw(`INSERT INTO sources (name, kind, as_of, last_success_at) VALUES ('bench', 'soap', now(), now()) RETURNING id`);
  const s = rows[0].id as number;
  await db.raw(
    `INSERT INTO price_types (source_id, external_id, name, is_base)
     SELECT ?, 'pt' || t, 'Type ' || t, t = 0 FROM generate_series(0, 5) t`,
    [s],
  );
  await db.raw(
    `INSERT INTO warehouses (source_id, external_id, name, kind, commission_pct, delivery_days, sort)
     SELECT ?, 'w' || w, CASE WHEN w >= 10 THEN 'Partner ' || w ELSE 'Warehouse ' || w END,
            CASE WHEN w >= 10 THEN 'partner' ELSE 'own' END, CASE WHEN w >= 10 THEN 7.5 ELSE 0 END, w % 4, w
       FROM generate_series(0, 11) w`,
    [s],
  );
  await db.raw(
    `INSERT INTO product_groups (source_id, external_id, parent_external_id, name)
     SELECT ?, 'g' || g, CASE WHEN g >= 20 THEN 'g' || (g % 20) END, 'Group ' || g FROM generate_series(0, 199) g`,
    [s],
  );
  await db.raw(
    `INSERT INTO products (source_id, external_id, group_external_id, sku, barcode, name, unit, properties)
     SELECT ?, 'p' || i, 'g' || (20 + i % 180), 'SKU-' || lpad(i::text, 6, '0'), (4600000000000 + i)::text,
            (ARRAY['Bolt','Nut','Washer','Screw','Anchor','Drill','Hammer','Paint','Glue','Tape'])[1 + i % 10] || ' M' || (4 + i % 20) || ' item ' || i,
            'pcs', jsonb_build_object('Brand', 'B' || (i % 50), 'Standard', 'DIN ' || (900 + i % 40))
       FROM generate_series(1, ?::int) i`,
    [s, products],
  );
  await db.raw(`INSERT INTO offers (source_id, external_id, product_id) SELECT source_id, external_id, id FROM products WHERE source_id = ?`, [s]);
  await db.raw(
    `INSERT INTO prices (source_id, offer_id, price_type_id, value)
     SELECT ?, o.id, pt.id, (100 + (o.id * 7 + pt.id * 13) % 9000) + ((o.id + pt.id) % 100) / 100.0
       FROM offers o CROSS JOIN price_types pt WHERE o.source_id = ? AND pt.external_id IN ('pt0', 'pt1', 'pt2')`,
    [s, s],
  );
  await db.raw(
    `INSERT INTO stock (source_id, offer_id, warehouse_id, quantity)
     SELECT ?, o.id, w.id, CASE WHEN (o.id + w.id) % 3 = 0 THEN 0 ELSE (o.id * 31 + w.id * 17) % 50 END
       FROM offers o CROSS JOIN warehouses w WHERE o.source_id = ?`,
    [s, s],
  );
  await db.raw(
    `INSERT INTO counterparties (source_id, external_id, name, inn, price_type_id)
     SELECT ?, 'cp' || c, 'Company ' || c, (7700000000 + c)::text, (SELECT id FROM price_types WHERE external_id = 'pt' || (1 + c % 2))
       FROM generate_series(1, 2000) c`,
    [s],
  );
  return { sourceId: s };
}

/**
 * Adds contracts until there are `total`, spread over the counterparties; each gets a price type,
 * a discount and `pricesEach` individual prices (the first offers by name included, so page 1
 * of the catalog always shows some).
 */
export async function addContracts(db: Db, sourceId: number, total: number, pricesEach: number): Promise<void> {
  const { rows } = await db.raw(`SELECT count(*)::int AS n, coalesce(max(id), 0)::int AS max FROM contracts`);
  const have = rows[0].n as number;
  const maxId = rows[0].max as number;
  if (have >= total) return;
  await db.raw(
    `INSERT INTO contracts (source_id, external_id, counterparty_id, name, price_type_id, discount_pct, is_default)
     SELECT ?, 'k' || k, (SELECT id FROM counterparties WHERE external_id = 'cp' || (1 + (k - 1) % 2000)), 'Contract ' || k,
            (SELECT id FROM price_types WHERE external_id = 'pt' || (1 + k % 2)), (k % 10)::numeric, k <= 2000
       FROM generate_series(?::int, ?::int) k`,
    [sourceId, have + 1, total],
  );
  // Offer ids are contiguous (one bulk insert): pick them arithmetically, no per-contract sort.
  await db.raw(
    `WITH r AS (SELECT min(id) AS lo, count(*) AS n FROM offers WHERE source_id = ?)
     INSERT INTO contract_prices (source_id, contract_id, offer_id, value)
     SELECT ?, k.id, r.lo + (k.id * 7919 + g * 104729) % r.n, 50 + (k.id + g) % 500
       FROM contracts k CROSS JOIN r CROSS JOIN generate_series(1, ?::int) g
      WHERE k.id > ?
     ON CONFLICT DO NOTHING`,
    [sourceId, sourceId, pricesEach, maxId],
  );
  await db.raw('ANALYZE contracts; ANALYZE contract_prices');
}
