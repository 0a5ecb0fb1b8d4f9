// Reservations with what a page or an e-mail shows about them (item, warehouse, buyer), and the
// e-mails sent about them. Mails are queued with a key, so each is sent at most once.
import type { Db } from '../../infra/db/knex.ts';
import { publicBaseUrl } from '../../mail/index.ts';
import type { OutboxMails } from '../shared/mail-outbox.ts';
import type { Runtime } from '../../infra/runtime.ts';

export interface ReservationView {
  id: number;
  clientId: number;
  counterpartyId: number;
  userId: number | null;
  offerId: number;
  warehouseId: number;
  quantity: string;
  state: 'active' | 'expired' | 'cancelled' | 'ordered';
  short: boolean;
  expiresAt: Date;
  createdAt: Date;
  endedAt: Date | null;
  extensions: number;
  orderId: number | null;
  orderNumber: string | null;
  /** The stock hold of a checkout's order, not a reservation the buyer made. */
  orderHold: boolean;
  itemName: string;
  sku: string | null;
  unit: string | null;
  warehouseName: string;
  stock: string | null;
  userEmail: string | null;
  userName: string | null;
}

export const DETAILS_SQL = `
  SELECT r.id, r.client_id AS "clientId", r.counterparty_id AS "counterpartyId", r.user_id AS "userId",
         r.offer_id AS "offerId", r.warehouse_id AS "warehouseId", trim_scale(r.quantity)::text AS quantity, r.state, r.short,
         r.expires_at AS "expiresAt", r.created_at AS "createdAt", r.ended_at AS "endedAt", r.extensions,
         r.order_id AS "orderId", ord.number AS "orderNumber", r.order_hold AS "orderHold",
         p.name || CASE WHEN o.name IS NOT NULL AND o.name <> p.name THEN ' — ' || o.name ELSE '' END AS "itemName",
         coalesce(o.sku, p.sku) AS sku, p.unit, w.name AS "warehouseName", trim_scale(s.quantity)::text AS stock,
         u.email AS "userEmail", u.name AS "userName"
    FROM reservations r
    JOIN offers o ON o.id = r.offer_id
    JOIN products p ON p.id = o.product_id
    JOIN warehouses w ON w.id = r.warehouse_id
    LEFT JOIN stock s ON s.offer_id = r.offer_id AND s.warehouse_id = r.warehouse_id AND NOT s.deleted
    LEFT JOIN users u ON u.id = r.user_id
    LEFT JOIN orders ord ON ord.id = r.order_id`;

export async function reservationDetails(db: Db, ids: number[]): Promise<ReservationView[]> {
  if (!ids.length) return [];
  const { rows } = await db.raw<{ rows: ReservationView[] }>(`${DETAILS_SQL} WHERE r.id = ANY(?::bigint[]) ORDER BY r.id`, [ids]);
  return rows;
}

export type ReservationMail = 'reservation-expiring' | 'reservation-expired' | 'reservation-short';

/**
 * Writes one e-mail per reservation to the mail outbox through `mails` (the transaction that
 * changed the reservations, src/store/shared/mail-outbox.ts); `keyOf` makes each one idempotent.
 */
export async function mailAboutReservations(
  rt: Runtime,
  mails: OutboxMails,
  template: ReservationMail,
  list: ReservationView[],
  keyOf: (r: ReservationView) => string,
): Promise<number> {
  const base = publicBaseUrl(rt.config);
  const out = list.flatMap((r) => (r.userEmail ? [{ r, to: r.userEmail }] : []));
  await mails.write(
    out.map(({ r, to }) => ({
      to,
      template,
      key: keyOf(r),
      data: {
        userName: r.userName,
        reservation: { ...r, expiresAt: r.expiresAt.toISOString() },
        stock: r.stock ?? '0',
        link: template === 'reservation-expired' ? `${base}/product/${r.offerId}` : `${base}/reservations`,
      },
    })),
  );
  return out.length;
}
