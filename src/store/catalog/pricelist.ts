// The price list of a counterparty: every live offer with the buyer's price and available
// quantity per warehouse, streamed row by row (100k offers never sit in memory).
import type { Db } from '../../infra/db/knex.ts';
import { STOCK_JSON } from './availability.ts';
import { BUYER_PRICE, PRICE_LATERAL, type PriceScope, TERMS_CTE, WAREHOUSE_PRICE } from '../pricing/pricing.ts';

export interface PriceListRow {
  sku: string | null;
  name: string;
  unit: string | null;
  price: string | null;
  currency: string | null;
  vat_included: boolean | null;
  partner: Record<string, string>;
  stock: Record<string, string>;
}

export async function* priceListRows(db: Db, scope: PriceScope): AsyncGenerator<PriceListRow> {
  const stream = db
    .raw(
      `WITH ${TERMS_CTE}
       SELECT coalesce(o.sku, p.sku) AS sku,
              CASE WHEN o.name IS NULL OR o.name = p.name THEN p.name WHEN left(o.name, length(p.name)) = p.name THEN o.name ELSE p.name || ' · ' || o.name END AS name,
              p.unit, (${BUYER_PRICE})::text AS price, pr.currency, pr.vat_included,
              (SELECT coalesce(json_object_agg(w.id, (${WAREHOUSE_PRICE})::text), '{}')
                 FROM warehouses w WHERE w.kind = 'partner' AND NOT w.deleted AND pr.value IS NOT NULL) AS partner,
              ${STOCK_JSON} AS stock
         FROM products p JOIN offers o ON o.product_id = p.id AND NOT o.deleted
         CROSS JOIN terms t ${PRICE_LATERAL}
        WHERE NOT p.deleted
        ORDER BY lower(p.name), p.id, o.id`,
      [scope.contractId, scope.counterpartyId],
    )
    .stream();
  for await (const row of stream) yield row as PriceListRow;
}
