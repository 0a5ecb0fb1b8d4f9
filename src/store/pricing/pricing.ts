// The buyer's price, in SQL, for a whole page at once (ARCHITECTURE.md "Price"):
//   individual contract price → the contract's price type → the counterparty's price type →
//   the base price type (price_types.is_base, of the offer's source);
//   then the contract discount (applied to whichever price the chain found);
//   partner warehouses: × (1 + commission_pct / 100).
// Callers put TERMS_CTE in their WITH and join PRICE_LATERAL per offer row (alias `o` for
// offers, `t` for terms); bindings of TERMS_CTE: [contractId | null, counterpartyId].
import type { Db } from '../../infra/db/knex.ts';
import { storeCurrencySql } from '../../infra/intl.ts';
import { effectiveCommission } from '../settings/settings.ts';

export interface PriceScope {
  counterpartyId: number;
  contractId: number | null;
}

/**
 * The pricing terms of a (counterparty, contract): one row `terms`, plus `base_types` (the base
 * price type of each source). Bindings: contractId, counterpartyId. A contract of another
 * counterparty, or a deleted price type, simply does not apply.
 */
export const TERMS_CTE = `
  terms AS (
    SELECT cp.id AS counterparty_id, k.id AS contract_id,
           kpt.id AS contract_pt, kpt.currency AS contract_pt_currency, kpt.vat_included AS contract_pt_vat,
           cpt.id AS counterparty_pt, cpt.currency AS counterparty_pt_currency, cpt.vat_included AS counterparty_pt_vat,
           coalesce(k.discount_pct, 0) AS discount_pct, coalesce(k.currency, ${storeCurrencySql()}) AS contract_currency
      FROM counterparties cp
      LEFT JOIN contracts k ON k.id = ?::bigint AND k.counterparty_id = cp.id AND NOT k.deleted
      LEFT JOIN price_types kpt ON kpt.id = k.price_type_id AND NOT kpt.deleted
      LEFT JOIN price_types cpt ON cpt.id = cp.price_type_id AND NOT cpt.deleted
     WHERE cp.id = ?::bigint
  ),
  base_types AS (
    SELECT DISTINCT ON (source_id) source_id, id, currency, vat_included
      FROM price_types WHERE is_base AND NOT deleted ORDER BY source_id, id
  )`;

/**
 * The first price of the chain for offer `o` (needs o.id, o.source_id) under terms `t`:
 * columns pr.value / pr.currency / pr.origin / pr.vat_included. Plain LEFT JOINs, so for one
 * page Postgres probes the primary keys, and for a sort over the whole catalog it hash-joins.
 */
export const PRICE_LATERAL = `
  LEFT JOIN contract_prices cpr ON cpr.contract_id = t.contract_id AND cpr.offer_id = o.id AND NOT cpr.deleted
  LEFT JOIN prices pk ON pk.offer_id = o.id AND pk.price_type_id = t.contract_pt AND NOT pk.deleted
  LEFT JOIN prices pc ON pc.offer_id = o.id AND pc.price_type_id = t.counterparty_pt AND NOT pc.deleted
  LEFT JOIN base_types bt ON bt.source_id = o.source_id
  LEFT JOIN prices pb ON pb.offer_id = o.id AND pb.price_type_id = bt.id AND NOT pb.deleted
  CROSS JOIN LATERAL (SELECT
      coalesce(cpr.value, pk.value, pc.value, pb.value) AS value,
      CASE WHEN cpr.value IS NOT NULL THEN coalesce(cpr.currency, t.contract_currency)
           WHEN pk.value IS NOT NULL THEN coalesce(pk.currency, t.contract_pt_currency)
           WHEN pc.value IS NOT NULL THEN coalesce(pc.currency, t.counterparty_pt_currency)
           WHEN pb.value IS NOT NULL THEN coalesce(pb.currency, bt.currency) END AS currency,
      CASE WHEN cpr.value IS NOT NULL THEN 'contract'
           WHEN pk.value IS NOT NULL THEN 'contract_type'
           WHEN pc.value IS NOT NULL THEN 'counterparty_type'
           WHEN pb.value IS NOT NULL THEN 'base' END AS origin,
      CASE WHEN cpr.value IS NOT NULL THEN coalesce(t.contract_pt_vat, true)
           WHEN pk.value IS NOT NULL THEN t.contract_pt_vat
           WHEN pc.value IS NOT NULL THEN t.counterparty_pt_vat
           WHEN pb.value IS NOT NULL THEN bt.vat_included END AS vat_included
  ) pr`;

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
       FROM unnest(?::bigint[]) AS ids(id) JOIN offers o ON o.id = ids.id CROSS JOIN terms t
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
