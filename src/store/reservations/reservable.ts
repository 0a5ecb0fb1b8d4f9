// What a buyer can reserve of one offer: per warehouse, stock and available (= stock − active
// reservations), plus whether the buyer already waits for it. One query.
import type { Db } from '../../infra/db/knex.ts';
import { trimQuantity } from '../shared/quantity.ts';

export interface WarehouseAvailability {
  warehouseId: number;
  warehouseName: string;
  kind: 'own' | 'partner';
  stock: string;
  available: string;
  waiting: boolean;
}

export interface OfferReservable {
  offerId: number;
  itemName: string;
  unit: string | null;
  warehouses: WarehouseAvailability[];
  anyAvailable: boolean;
  waitingAnywhere: boolean;
}

export async function offerReservable(db: Db, offerId: number, userId: number): Promise<OfferReservable | null> {
  const { rows } = await db.raw<{ rows: { item_name: string; unit: string | null; whs: WarehouseAvailability[] | null; waiting_any: boolean }[] }>(
    `SELECT p.name || CASE WHEN o.name IS NOT NULL AND o.name <> p.name THEN ' — ' || o.name ELSE '' END AS item_name, p.unit,
            (SELECT json_agg(json_build_object('warehouseId', w.id, 'warehouseName', w.name, 'kind', w.kind,
                    'stock', s.quantity::text,
                    'available', greatest(s.quantity - coalesce((SELECT sum(r.quantity) FROM reservations r
                                  WHERE r.offer_id = s.offer_id AND r.warehouse_id = s.warehouse_id AND r.state = 'active'), 0), 0)::text,
                    'waiting', EXISTS (SELECT 1 FROM waitlist wl WHERE wl.user_id = ? AND wl.offer_id = o.id AND wl.warehouse_id = w.id AND wl.notified_at IS NULL))
                    ORDER BY w.sort, w.name)
               FROM stock s JOIN warehouses w ON w.id = s.warehouse_id AND NOT w.deleted
              WHERE s.offer_id = o.id AND NOT s.deleted) AS whs,
            EXISTS (SELECT 1 FROM waitlist wl WHERE wl.user_id = ? AND wl.offer_id = o.id AND wl.warehouse_id IS NULL AND wl.notified_at IS NULL) AS waiting_any
       FROM offers o JOIN products p ON p.id = o.product_id AND NOT p.deleted
      WHERE o.id = ? AND NOT o.deleted`,
    [userId, userId, offerId],
  );
  const r = rows[0];
  if (!r) return null;
  const warehouses = (r.whs ?? []).map((w) => ({ ...w, stock: trimQuantity(w.stock), available: trimQuantity(w.available) }));
  return {
    offerId,
    itemName: r.item_name,
    unit: r.unit,
    warehouses,
    anyAvailable: warehouses.some((w) => Number(w.available) > 0),
    waitingAnywhere: r.waiting_any,
  };
}
