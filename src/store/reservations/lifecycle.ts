// What happens to reservations over time and when stock changes:
// - expiry: due reservations end as "expired" (goods return to availability), released in the
//   accounting system through the outbox, and the buyer gets an e-mail. An order's stock hold
//   (order_id set) has no deadline: it ends when the accounting system has the order or at the
//   first stock sync after its export (src/mirror/order-status.ts), so it is neither expired
//   nor warned about here;
// - warning: an e-mail `warning_lead_minutes` before the deadline (claimed via warned_at);
// - stock-drop policy: when stock falls below what is reserved at a warehouse, reservations are
//   covered oldest first; the newest ones that no longer fit are marked short (buyer e-mailed
//   once per shortage). If stock comes back, the mark is lifted. Short reservations stay active
//   until their deadline (still counted, so nothing new is promised), but cannot become orders.
// Each e-mail is written to the mail outbox in the transaction that changed the reservation
// (src/store/shared/mail-outbox.ts): ended, warned or short means e-mailed, Redis down or not.
import type { Runtime } from '../../infra/runtime.ts';
import { withOutboxMails } from '../shared/mail-outbox.ts';
import { mailAboutReservations, reservationDetails } from './details.ts';
import { releaseInOutbox } from './reservations.ts';
import { queueWaitlistCheck } from './timers.ts';
import { publishStoreEvents } from '../shared/events.ts';

/** Ends due reservations (all, or only the given ids). Safe to run twice and concurrently. */
export async function expireDue(rt: Runtime, ids?: number[]): Promise<number[]> {
  const details = await withOutboxMails(rt, async (trx, mails) => {
    const { rows } = await trx.raw<{ rows: { id: number }[] }>(
      `UPDATE reservations SET state = 'expired', ended_at = now()
        WHERE id IN (SELECT id FROM reservations WHERE state = 'active' AND expires_at <= now() AND order_id IS NULL
                       ${ids ? 'AND id = ANY(?::bigint[])' : ''} ORDER BY id LIMIT 5000 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      ids ? [ids] : [],
    );
    const done = rows.map((r) => r.id);
    await releaseInOutbox(trx, done, 'expired');
    const details = await reservationDetails(trx, done);
    await mailAboutReservations(rt, mails, 'reservation-expired', details, (r) => `res-expired-${r.id}`);
    return details;
  });
  if (!details.length) return [];
  await publishStoreEvents(rt, details.map((d) => ({ type: 'reservation', change: 'expired', reservationId: d.id, clientId: d.clientId, offerId: d.offerId, warehouseId: d.warehouseId })));
  await queueWaitlistCheck(rt, details.map((d) => d.offerId));
  return details.map((d) => d.id);
}

/** Claims reservations entering their warning window and e-mails their buyers. */
export async function warnDue(rt: Runtime): Promise<number[]> {
  return withOutboxMails(rt, async (trx, mails) => {
    const { rows } = await trx.raw<{ rows: { id: number }[] }>(
      `WITH lead AS (SELECT coalesce((SELECT (value #>> '{}')::numeric FROM settings WHERE key = 'reservations.warning_lead_minutes'), 120) AS minutes)
       UPDATE reservations r SET warned_at = now()
         FROM clients c, lead
        WHERE c.id = r.client_id AND r.state = 'active' AND r.order_id IS NULL AND r.warned_at IS NULL AND r.expires_at > now()
          AND r.expires_at - make_interval(mins => coalesce((c.settings #>> '{reservations,warningLeadMinutes}')::numeric, lead.minutes)::int) <= now()
        RETURNING r.id`,
    );
    const ids = rows.map((r) => r.id);
    const details = await reservationDetails(trx, ids);
    // The key carries the deadline: after an extension the buyer is warned again.
    await mailAboutReservations(rt, mails, 'reservation-expiring', details, (r) => `res-warn-${r.id}-${r.expiresAt.getTime()}`);
    return ids;
  });
}

export interface ShortChange {
  id: number;
  short: boolean;
}

/** Re-applies the stock-drop policy for the given offers (or every offer with active reservations). */
export async function rebalanceShort(rt: Runtime, offerIds?: number[]): Promise<ShortChange[]> {
  const { changed, details } = await withOutboxMails(rt, async (trx, mails) => {
    // Same lock order as reserve(): stock rows first, so a reservation cannot slip in between.
    await trx.raw(
      `SELECT 1 FROM stock WHERE (offer_id, warehouse_id) IN (
         SELECT DISTINCT offer_id, warehouse_id FROM reservations WHERE state = 'active' ${offerIds ? 'AND offer_id = ANY(?::bigint[])' : ''})
       ORDER BY offer_id, warehouse_id FOR UPDATE`,
      offerIds ? [offerIds] : [],
    );
    const { rows } = await trx.raw<{ rows: ShortChange[] }>(
      `WITH ranked AS (
         SELECT r.id,
                sum(r.quantity) OVER (PARTITION BY r.offer_id, r.warehouse_id ORDER BY r.created_at, r.id) AS cum,
                CASE WHEN s.deleted THEN 0 ELSE coalesce(s.quantity, 0) END AS stock
           FROM reservations r
           LEFT JOIN stock s ON s.offer_id = r.offer_id AND s.warehouse_id = r.warehouse_id
          WHERE r.state = 'active' ${offerIds ? 'AND r.offer_id = ANY(?::bigint[])' : ''}
       )
       UPDATE reservations t SET short = (ranked.cum > ranked.stock),
              short_since = CASE WHEN ranked.cum > ranked.stock THEN now() ELSE NULL END
         FROM ranked
        WHERE t.id = ranked.id AND t.short IS DISTINCT FROM (ranked.cum > ranked.stock)
       RETURNING t.id, t.short, t.short_since AS "shortSince"`,
      offerIds ? [offerIds] : [],
    );
    const changed = rows as (ShortChange & { shortSince: Date | null })[];
    const details = await reservationDetails(trx, changed.map((c) => c.id));
    const nowShort = new Map(changed.map((c) => [c.id, c]));
    const newlyShort = details.filter((d) => nowShort.get(d.id)?.short);
    await mailAboutReservations(rt, mails, 'reservation-short', newlyShort, (r) => `res-short-${r.id}-${new Date(nowShort.get(r.id)!.shortSince!).getTime()}`);
    return { changed, details };
  });
  if (!changed.length) return [];
  await publishStoreEvents(
    rt,
    details.map((d) => ({ type: 'reservation', change: d.short ? 'short' : 'covered', reservationId: d.id, clientId: d.clientId, offerId: d.offerId, warehouseId: d.warehouseId })),
  );
  return changed.map(({ id, short }) => ({ id, short }));
}
