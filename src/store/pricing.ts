// The buyer's price, in SQL, for a whole page at once (ARCHITECTURE.md "Price"):
//   individual contract price → the contract's price type → the counterparty's price type →
//   the base price type (price_types.is_base, of the offer's source);
//   then the contract discount (applied to whichever price the chain found);
//   partner warehouses: × (1 + commission_pct / 100).
// Callers join TERMS_CTE once and PRICE_LATERAL per offer row (alias `o` for offers, `t` for
// terms); bindings of TERMS_CTE: [contractId | null, counterpartyId].
import type { Db } from '../db/knex.ts';
import { effectiveCommission } from './settings.ts';

export interface PriceScope {
  counterpartyId: number;
  contractId: number | null;
}

/** The pricing terms of a (counterparty, contract): one row. Bindings: contractId, counterpartyId. */
export const TERMS_CTE = `
  terms AS (
    SELECT cp.id AS counterparty_id, k.id AS contract_id, k.price_type_id AS contract_pt,
           cp.price_type_id AS counterparty_pt, coalesce(k.discount_pct, 0) AS discount_pct,
           coalesce(k.currency, 'RUB') AS contract_currency
      FROM counterparties cp
      LEFT JOIN contracts k ON k.id = ?::bigint AND k.counterparty_id = cp.id AND NOT k.deleted
     WHERE cp.id = ?::bigint
  )`;

/** The first price of the chain for offer `o` under terms `t`: columns pr.value/currency/origin/vat_included. */
export const PRICE_LATERAL = `
  LEFT JOIN LATERAL (
    SELECT x.value, x.currency, x.origin, x.vat_included FROM (
      SELECT cpr.value, coalesce(cpr.currency, t.contract_currency) AS currency, 'contract'::text AS origin,
             coalesce((SELECT vat_included FROM price_types WHERE id = t.contract_pt), true) AS vat_included, 1 AS rank
        FROM contract_prices cpr
       WHERE cpr.contract_id = t.contract_id AND cpr.offer_id = o.id AND NOT cpr.deleted
      UNION ALL
      SELECT p.value, coalesce(p.currency, pt.currency), 'contract_type', pt.vat_included, 2
        FROM prices p JOIN price_types pt ON pt.id = p.price_type_id AND NOT pt.deleted
       WHERE p.offer_id = o.id AND p.price_type_id = t.contract_pt AND NOT p.deleted
      UNION ALL
      SELECT p.value, coalesce(p.currency, pt.currency), 'counterparty_type', pt.vat_included, 3
        FROM prices p JOIN price_types pt ON pt.id = p.price_type_id AND NOT pt.deleted
       WHERE p.offer_id = o.id AND p.price_type_id = t.counterparty_pt AND NOT p.deleted
      UNION ALL
      SELECT p.value, coalesce(p.currency, pt.currency), 'base', pt.vat_included, 4
        FROM prices p JOIN price_types pt ON pt.id = p.price_type_id AND pt.is_base AND NOT pt.deleted
       WHERE p.offer_id = o.id AND NOT p.deleted
    ) x ORDER BY x.rank LIMIT 1
  ) pr ON true`;

/** The buyer's own-warehouse price (2 decimals) from pr and t. */
export const BUYER_PRICE = `round(pr.value * (1 - t.discount_pct / 100), 2)`;

/** The price at warehouse `w` (partner commission included). */
export const WAREHOUSE_PRICE = `CASE WHEN w.kind = 'partner' THEN round(round(pr.value * (1 - t.discount_pct / 100), 2) * (1 + ${effectiveCommission('w')} / 100), 2) ELSE round(pr.value * (1 - t.discount_pct / 100), 2) END`;

export type PriceOrigin = 'contract' | 'contract_type' | 'counterparty_type' | 'base';

export interface OfferPrice {
  offerId: number;
  /** Own-warehouse price after discount, or null when the offer has no price at all. */
  price: string | null;
  currency: string | null;
  vatIncluded: boolean | null;
  origin: PriceOrigin | null;
  /** Price per partner warehouse id (commission included). */
  partner: Record<string, string>;
}

/** Prices of many offers in one query (cart, checkout, product page, live updates). */
export async function pricesFor(db: Db, scope: PriceScope, offerIds: number[]): Promise<Map<number, OfferPrice>> {
  const out = new Map<number, OfferPrice>();
  if (!offerIds.length) return out;
  const { rows } = await db.raw(
    `WITH ${TERMS_CTE}
     SELECT o.id AS offer_id, (${BUYER_PRICE})::text AS price, pr.currency, pr.vat_included, pr.origin,
            (SELECT coalesce(json_object_agg(w.id, (${WAREHOUSE_PRICE})::text), '{}')
               FROM warehouses w WHERE w.kind = 'partner' AND NOT w.deleted AND pr.value IS NOT NULL) AS partner
       FROM unnest(?::bigint[]) AS o(id) CROSS JOIN terms t
       ${PRICE_LATERAL}`,
    [scope.contractId, scope.counterpartyId, offerIds],
  );
  for (const r of rows) {
    out.set(r.offer_id, {
      offerId: r.offer_id,
      price: r.price,
      currency: r.currency,
      vatIncluded: r.vat_included,
      origin: r.origin,
      partner: r.partner ?? {},
    });
  }
  return out;
}

/** Price at a given warehouse from an OfferPrice (own → buyer price; partner → with commission). */
export function priceAt(p: OfferPrice | undefined, warehouseId: number | null): string | null {
  if (!p?.price) return null;
  if (warehouseId !== null && p.partner[String(warehouseId)]) return p.partner[String(warehouseId)]!;
  return p.price;
}
