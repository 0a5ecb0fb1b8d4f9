// "Their price" for reservations and waiting-list e-mails. A deliberately narrow stand-in for
// the storefront's pricing module (branch `store`, src/store/pricing.ts), to be reconciled with
// it: individual contract price → contract's price type → counterparty's price type → base
// price type; then the contract discount; partner warehouse × (1 + commission). One query for
// many (counterparty, offer, warehouse) triples.
import type { Db } from '../db/knex.ts';
import { effectiveCommission } from './settings.ts';

export interface PriceAsk {
  counterpartyId: number;
  offerId: number;
  warehouseId: number | null;
}

export interface OfferPrice extends PriceAsk {
  value: string | null;
  currency: string;
}

export async function offerPrices(db: Db, asks: PriceAsk[]): Promise<OfferPrice[]> {
  if (!asks.length) return [];
  const { rows } = await db.raw<{ rows: { i: number; value: string | null; currency: string | null }[] }>(
    `WITH ask AS (
       SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) WITH ORDINALITY AS a(counterparty_id, offer_id, warehouse_id, i)
     )
     SELECT a.i::int AS i,
            round(base.value * (1 - coalesce(k.discount_pct, 0) / 100)
                  * (1 + CASE WHEN w.kind = 'partner' THEN ${effectiveCommission('w')} / 100 ELSE 0 END), 2)::text AS value,
            coalesce(base.currency, k.currency, 'RUB') AS currency
       FROM ask a
       JOIN counterparties c ON c.id = a.counterparty_id
       LEFT JOIN LATERAL (
         SELECT * FROM contracts k WHERE k.counterparty_id = c.id AND NOT k.deleted
            AND (k.valid_to IS NULL OR k.valid_to >= current_date) AND (k.valid_from IS NULL OR k.valid_from <= current_date)
          ORDER BY k.is_default DESC, k.id LIMIT 1) k ON true
       LEFT JOIN warehouses w ON w.id = a.warehouse_id
       LEFT JOIN LATERAL (
         SELECT v.value, v.currency FROM (
           SELECT cp.value, cp.currency, 1 AS rank FROM contract_prices cp WHERE cp.contract_id = k.id AND cp.offer_id = a.offer_id AND NOT cp.deleted
           UNION ALL
           SELECT p.value, coalesce(p.currency, pt.currency), 2 FROM prices p JOIN price_types pt ON pt.id = p.price_type_id
            WHERE p.offer_id = a.offer_id AND p.price_type_id = k.price_type_id AND NOT p.deleted
           UNION ALL
           SELECT p.value, coalesce(p.currency, pt.currency), 3 FROM prices p JOIN price_types pt ON pt.id = p.price_type_id
            WHERE p.offer_id = a.offer_id AND p.price_type_id = c.price_type_id AND NOT p.deleted
           UNION ALL
           SELECT p.value, coalesce(p.currency, pt.currency), 4 FROM prices p JOIN price_types pt ON pt.id = p.price_type_id
            WHERE p.offer_id = a.offer_id AND pt.is_base AND NOT pt.deleted AND NOT p.deleted
         ) v ORDER BY v.rank LIMIT 1) base ON true
      ORDER BY a.i`,
    [asks.map((a) => a.counterpartyId), asks.map((a) => a.offerId), asks.map((a) => a.warehouseId)] as never,
  );
  const byI = new Map(rows.map((r) => [r.i, r]));
  return asks.map((a, idx) => {
    const r = byI.get(idx + 1);
    return { ...a, value: r?.value ?? null, currency: r?.currency ?? 'RUB' };
  });
}
