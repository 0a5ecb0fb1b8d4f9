// Available = stock − active reservations, per warehouse. Warehouses are few and change only
// with a sync: listed from a short-lived per-process cache.
import type { Db } from '../../infra/db/knex.ts';
import { effectiveCommission } from '../settings/settings.ts';
import { ClearableWeakMap, registerCache } from '../../infra/caches.ts';

export interface Warehouse {
  id: number;
  name: string;
  kind: 'own' | 'partner';
  commissionPct: string;
  deliveryDays: number;
}

/** JSON object warehouse id → available quantity (text) for offer `o`; only rows with stock. */
export const STOCK_JSON = `
  (SELECT coalesce(json_object_agg(s.warehouse_id, trim_scale(greatest(s.quantity - coalesce(rv.q, 0), 0))::text), '{}')
     FROM stock s
     LEFT JOIN (SELECT r.warehouse_id, sum(r.quantity) AS q FROM reservations r
                 WHERE r.offer_id = o.id AND r.state = 'active' GROUP BY r.warehouse_id) rv ON rv.warehouse_id = s.warehouse_id
    WHERE s.offer_id = o.id AND NOT s.deleted)`;

/** True when offer `o` has anything available (at warehouse ? when bound). */
export function availableCondition(atWarehouse: boolean): string {
  return `EXISTS (SELECT 1 FROM stock s WHERE s.offer_id = o.id AND NOT s.deleted AND s.quantity > 0
                   ${atWarehouse ? 'AND s.warehouse_id = ?' : ''}
                   AND s.quantity > coalesce((SELECT sum(r.quantity) FROM reservations r WHERE r.offer_id = s.offer_id
                                              AND r.warehouse_id = s.warehouse_id AND r.state = 'active'), 0))`;
}

const TTL_MS = 5000;
const cache = registerCache('catalog.warehouses', new ClearableWeakMap<Db, { at: number; list: Promise<Warehouse[]> }>());

/** Every live warehouse: own first, then partner, by sort and name. */
export function listWarehouses(db: Db): Promise<Warehouse[]> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.list;
  const list = db('warehouses as w')
    .where({ deleted: false })
    .orderByRaw(`kind = 'partner', sort, name, id`)
    .select('id', 'name', 'kind', db.raw(`${effectiveCommission('w')}::text AS commission_pct`), 'delivery_days')
    .then((rows) =>
      rows.map((w) => ({ id: w.id, name: w.name, kind: w.kind, commissionPct: w.commission_pct, deliveryDays: w.delivery_days })),
    );
  list.catch(() => cache.delete(db));
  cache.set(db, { at: Date.now(), list });
  return list;
}

/** Forget cached lists (tests, after a sync in the same process). */
export function invalidateWarehouses(db: Db): void {
  cache.delete(db);
}

/** Available quantity per offer and warehouse for many offers, one query. */
export async function availableFor(db: Db, offerIds: number[]): Promise<Map<number, Record<string, string>>> {
  const out = new Map<number, Record<string, string>>();
  if (!offerIds.length) return out;
  const { rows } = await db.raw(`SELECT o.id, ${STOCK_JSON} AS stock FROM unnest(?::bigint[]) AS o(id)`, [offerIds]);
  for (const r of rows) out.set(r.id, r.stock ?? {});
  return out;
}
