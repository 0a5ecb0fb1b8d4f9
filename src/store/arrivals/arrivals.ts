// Loads what deliveryOptions() needs for a few offers — live warehouses (kind, delivery days),
// availability now, the buyer's prices per warehouse (src/store/pricing: contract terms,
// partner commission) and the mirrored expected arrivals — and computes the options per offer.
// Scoped to the buyer's (counterparty, contract): prices come from pricesFor() and nothing else.
import { DateTime } from 'luxon';
import type { Db } from '../../infra/db/knex.ts';
import { storeTimeZone } from '../../infra/intl.ts';
import { availableFor, listWarehouses } from '../catalog/availability.ts';
import { type PriceScope, priceAt, pricesFor } from '../pricing/pricing.ts';
import { type DeliveryOptions, deliveryOptions, type ExpectedArrival } from './options.ts';

/** The store's calendar date: "today", and every date the options show, are in its time zone (STORE_TIME_ZONE). */
export function storeToday(now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setZone(storeTimeZone()).toISODate()!;
}

/** Expected arrivals (not deleted, above zero) of the offers at live warehouses, summed per warehouse and date. */
export async function arrivalsFor(db: Db, offerIds: number[]): Promise<Map<number, ExpectedArrival[]>> {
  const out = new Map<number, ExpectedArrival[]>();
  if (!offerIds.length) return out;
  const { rows } = await db.raw<{ rows: { offer_id: number; warehouse_id: number; date: string; quantity: string }[] }>(
    `SELECT a.offer_id, a.warehouse_id, to_char(a.expected_date, 'YYYY-MM-DD') AS date, sum(a.quantity)::text AS quantity
       FROM expected_arrivals a JOIN warehouses w ON w.id = a.warehouse_id AND NOT w.deleted
      WHERE a.offer_id = ANY(?::bigint[]) AND NOT a.deleted AND a.quantity > 0
      GROUP BY a.offer_id, a.warehouse_id, a.expected_date
      ORDER BY a.offer_id, a.expected_date, a.warehouse_id`,
    [offerIds],
  );
  for (const r of rows) out.set(r.offer_id, [...(out.get(r.offer_id) ?? []), { warehouseId: r.warehouse_id, date: r.date, quantity: r.quantity }]);
  return out;
}

/** Options per offer for the asked quantities (positive decimals), as of `now` in the store's time zone. */
export async function optionsFor(db: Db, scope: PriceScope, asks: { offerId: number; quantity: string }[], now: Date = new Date()): Promise<Map<number, DeliveryOptions>> {
  const ids = [...new Set(asks.map((a) => a.offerId))];
  const [warehouses, stock, prices, arrivals] = await Promise.all([listWarehouses(db), availableFor(db, ids), pricesFor(db, scope, ids), arrivalsFor(db, ids)]);
  const today = storeToday(now);
  const out = new Map<number, DeliveryOptions>();
  for (const a of asks) {
    const st = stock.get(a.offerId) ?? {};
    const p = prices.get(a.offerId);
    out.set(a.offerId, deliveryOptions({
      quantity: a.quantity,
      today,
      warehouses: warehouses.map((w) => ({
        warehouseId: w.id, name: w.name, kind: w.kind, deliveryDays: w.deliveryDays, available: st[String(w.id)] ?? '0', unitPrice: priceAt(p, w.id),
      })),
      arrivals: arrivals.get(a.offerId) ?? [],
    }));
  }
  return out;
}
