// The waiting list: "notify me when this is available" (anywhere, or at one warehouse).
// notifyAvailable() claims open entries whose offer is available now with one
// UPDATE … WHERE notified_at IS NULL … RETURNING (a second worker racing on the same rows
// waits for the first and then finds them claimed) and writes one keyed e-mail per entry to the
// mail outbox in the claim's transaction: a failed commit leaves the entry open and writes
// nothing; a committed claim has its e-mail, handed to mail.send after the commit and again by
// work.reconcile when Redis was down (src/store/shared/mail-outbox.ts). Exactly one e-mail per subscription.
import type { Knex } from 'knex';
import { publicBaseUrl } from '../../mail/index.ts';
import { withOutboxMails } from '../shared/mail-outbox.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { QUEUES } from '../../infra/queue/names.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { assertUserMayOrder } from '../company/access.ts';
import { offerPrices } from '../pricing/offer-prices.ts';
import { trimQuantity } from '../shared/quantity.ts';

export interface WaitlistActor {
  userId: number;
  counterpartyId: number;
}

export const WAITLIST_NOTIFY_JOB = QUEUES.waitlistNotify;

export interface WaitlistEntry {
  id: number;
  offerId: number;
  warehouseId: number | null;
  itemName: string;
  sku: string | null;
  warehouseName: string | null;
  createdAt: Date;
  notifiedAt: Date | null;
}

/** Available quantity per (offer, warehouse): stock − active reservations, live rows only. */
export const AVAILABLE_SQL = `
  SELECT s.offer_id, s.warehouse_id, s.quantity - coalesce(r.held, 0) AS available
    FROM stock s
    JOIN warehouses w ON w.id = s.warehouse_id AND NOT w.deleted
    LEFT JOIN (SELECT offer_id, warehouse_id, sum(quantity) AS held FROM reservations WHERE state = 'active'
                GROUP BY offer_id, warehouse_id) r ON r.offer_id = s.offer_id AND r.warehouse_id = s.warehouse_id
   WHERE NOT s.deleted`;

export async function availableQuantity(db: Knex, offerId: number, warehouseId: number | null): Promise<string> {
  const { rows } = await db.raw<{ rows: { q: string }[] }>(
    `SELECT coalesce(sum(greatest(available, 0)), 0)::text AS q FROM (${AVAILABLE_SQL} AND s.offer_id = ?) a WHERE ?::bigint IS NULL OR a.warehouse_id = ?`,
    [offerId, warehouseId, warehouseId],
  );
  return trimQuantity(rows[0]!.q);
}

export async function subscribe(rt: Runtime, actor: WaitlistActor, input: { offerId: number; warehouseId?: number | null }): Promise<WaitlistEntry> {
  // A waiting list leads to an order: a viewer or an accountant may not keep one (403).
  await assertUserMayOrder(rt.db, actor.userId, actor.counterpartyId);
  const warehouseId = input.warehouseId ?? null;
  const offer = await rt.db('offers as o').join('products as p', 'p.id', 'o.product_id').where({ 'o.id': input.offerId, 'o.deleted': false, 'p.deleted': false }).first('o.id');
  if (!offer) throw new DomainError('not_found', { key: 'storeRefusals.waitlist.noItem' }, { code: 'waitlist.no_item' });
  if (warehouseId !== null && !(await rt.db('warehouses').where({ id: warehouseId, deleted: false }).first('id'))) {
    throw new DomainError('not_found', { key: 'storeRefusals.waitlist.noWarehouse' }, { code: 'waitlist.no_warehouse' });
  }
  if (Number(await availableQuantity(rt.db, input.offerId, warehouseId)) > 0) {
    throw new DomainError('conflict', { key: 'storeRefusals.waitlist.available' }, { code: 'waitlist.available' });
  }
  await rt.db.raw(
    `INSERT INTO waitlist (user_id, counterparty_id, offer_id, warehouse_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, offer_id, coalesce(warehouse_id, 0)) WHERE notified_at IS NULL DO NOTHING`,
    [actor.userId, actor.counterpartyId, input.offerId, warehouseId],
  );
  const open = (await listWaitlist(rt, actor)).find((e) => e.offerId === input.offerId && e.warehouseId === warehouseId && !e.notifiedAt);
  return open!;
}

/** Removes one of the user's entries; anything else is "not found". */
export async function unsubscribe(rt: Runtime, actor: WaitlistActor, id: number): Promise<void> {
  const n = await rt.db('waitlist').where({ id, user_id: actor.userId }).delete();
  if (!n) throw new DomainError('not_found', { key: 'storeRefusals.waitlist.noEntry' }, { code: 'waitlist.no_entry' });
}

export async function listWaitlist(rt: Runtime, actor: Pick<WaitlistActor, 'userId'>): Promise<WaitlistEntry[]> {
  const { rows } = await rt.db.raw<{ rows: WaitlistEntry[] }>(
    `SELECT wl.id, wl.offer_id AS "offerId", wl.warehouse_id AS "warehouseId",
            p.name || CASE WHEN o.name IS NOT NULL AND o.name <> p.name THEN ' — ' || o.name ELSE '' END AS "itemName",
            coalesce(o.sku, p.sku) AS sku, w.name AS "warehouseName", wl.created_at AS "createdAt", wl.notified_at AS "notifiedAt"
       FROM waitlist wl JOIN offers o ON o.id = wl.offer_id JOIN products p ON p.id = o.product_id
       LEFT JOIN warehouses w ON w.id = wl.warehouse_id
      WHERE wl.user_id = ?
      ORDER BY (wl.notified_at IS NULL) DESC, wl.created_at DESC LIMIT 500`,
    [actor.userId],
  );
  return rows;
}


interface Claimed {
  id: number;
  userId: number;
  counterpartyId: number;
  offerId: number;
  warehouseId: number;
  available: string;
  email: string;
  userName: string;
  itemName: string;
  sku: string | null;
  unit: string | null;
  warehouseName: string;
  contractId: number | null;
}

/** Notifies open entries whose offer is available (only these offers, or all when omitted). */
export async function notifyAvailable(rt: Runtime, offerIds?: number[]): Promise<number[]> {
  if (offerIds && !offerIds.length) return [];
  const base = publicBaseUrl(rt.config);
  // The claim and its e-mails commit together (the mail outbox): claimed means e-mailed, once.
  return withOutboxMails(rt, async (trx, mails) => {
    const { rows } = await trx.raw<{ rows: Claimed[] }>(
      `WITH avail AS (${AVAILABLE_SQL} ${offerIds ? 'AND s.offer_id = ANY(?::bigint[])' : ''}),
       pick AS (
         SELECT DISTINCT ON (wl.id) wl.id, a.warehouse_id, a.available
           FROM waitlist wl JOIN avail a ON a.offer_id = wl.offer_id AND (wl.warehouse_id IS NULL OR wl.warehouse_id = a.warehouse_id)
          WHERE wl.notified_at IS NULL AND a.available > 0 ${offerIds ? 'AND wl.offer_id = ANY(?::bigint[])' : ''}
          ORDER BY wl.id, a.available DESC, a.warehouse_id
       ), claimed AS (
         UPDATE waitlist w SET notified_at = now() FROM pick WHERE w.id = pick.id AND w.notified_at IS NULL
         RETURNING w.id, w.user_id, w.counterparty_id, w.offer_id, pick.warehouse_id, pick.available
       )
       SELECT c.id, c.user_id AS "userId", c.counterparty_id AS "counterpartyId", c.offer_id AS "offerId",
              c.warehouse_id AS "warehouseId", c.available::text AS available, u.email, u.name AS "userName",
              p.name || CASE WHEN o.name IS NOT NULL AND o.name <> p.name THEN ' — ' || o.name ELSE '' END AS "itemName",
              coalesce(o.sku, p.sku) AS sku, p.unit, w.name AS "warehouseName",
              (SELECT k.id FROM contracts k WHERE k.id = u.current_contract_id AND k.counterparty_id = c.counterparty_id AND NOT k.deleted) AS "contractId"
         FROM claimed c JOIN users u ON u.id = c.user_id JOIN offers o ON o.id = c.offer_id
         JOIN products p ON p.id = o.product_id JOIN warehouses w ON w.id = c.warehouse_id
        ORDER BY c.id`,
      offerIds ? [offerIds, offerIds] : [],
    );
    if (!rows.length) return [];
    const prices = await offerPrices(trx, rows.map((r) => ({ counterpartyId: r.counterpartyId, contractId: r.contractId, offerId: r.offerId, warehouseId: r.warehouseId })));
    await mails.write(rows.map((r, i) => {
      const price = prices[i]!;
      return {
        to: r.email,
        template: 'waitlist-available',
        key: `waitlist-${r.id}`,
        data: {
          userName: r.userName,
          item: { name: r.itemName, sku: r.sku, unit: r.unit ?? '' },
          warehouse: { name: r.warehouseName },
          quantity: trimQuantity(r.available),
          price: price.value === null ? null : { value: price.value, currency: price.currency },
          link: `${base}/product/${r.offerId}`,
          waitlistLink: `${base}/waitlist`,
        },
      };
    }));
    return rows.map((r) => r.id);
  });
}
