// The one applier of accounting statuses. Every connector turns what its system reports into
// AccountingStatus records; this stores them the same way for all: orders.status and
// order_status_history.status hold a canonical code, status_text the system's own words, so a
// view shows the code's label (src/web/format.ts) with the text as detail and a new connector
// needs no web change. It also ends the order's stock hold once the system has the order.
import type { Knex } from 'knex';

export const ORDER_STATUS_CODES = ['new', 'confirmed', 'paid', 'shipped', 'completed', 'cancelled'] as const;
export type OrderStatusCode = (typeof ORDER_STATUS_CODES)[number];

export const isOrderStatusCode = (v: unknown): v is OrderStatusCode => (ORDER_STATUS_CODES as readonly unknown[]).includes(v);

/**
 * The code of a status text the source's mapping does not know. The system reported a status,
 * so it has taken the order: at least 'confirmed', and never a move back from a later code
 * (nor into a final one) on words the store cannot read. The text itself is stored and reported.
 */
export function codeForUnmapped(current: OrderStatusCode): OrderStatusCode {
  return current === 'new' ? 'confirmed' : current;
}

const RANK: Record<OrderStatusCode, number> = { new: 0, confirmed: 1, paid: 2, shipped: 3, completed: 4, cancelled: 5 };

/** The code a report may set, given what the settlements establish (never below them, except to cancel). */
export function raiseTo(code: OrderStatusCode, floor: OrderStatusCode): OrderStatusCode {
  if (code === 'cancelled' || code === 'completed') return code;
  return RANK[floor] > RANK[code] ? floor : code;
}

/** What the order's stored payments and shipments establish: 'new' when there are none. */
export async function settlementFloor(trx: Knex.Transaction | Knex, orderId: number): Promise<OrderStatusCode> {
  const { rows } = await trx.raw<{ rows: { any: boolean; paid_in_full: boolean; shipped_in_full: boolean }[] }>(
    `SELECT EXISTS (SELECT 1 FROM order_payments WHERE order_id = o.id AND state <> 'cancelled')
            OR EXISTS (SELECT 1 FROM order_shipments WHERE order_id = o.id AND state <> 'cancelled') AS any,
            o.total > 0 AND coalesce((SELECT sum(amount) FROM order_payments WHERE order_id = o.id AND state = 'paid'), 0) >= o.total AS paid_in_full,
            EXISTS (SELECT 1 FROM order_shipments WHERE order_id = o.id AND state = 'shipped' AND whole_order)
            OR (EXISTS (SELECT 1 FROM order_lines WHERE order_id = o.id)
                AND NOT EXISTS (
                  SELECT 1 FROM order_lines l
                   WHERE l.order_id = o.id
                     AND l.quantity > coalesce((SELECT sum(sl.quantity) FROM order_shipment_lines sl JOIN order_shipments s ON s.id = sl.shipment_id
                                                  WHERE sl.order_line_id = l.id AND s.state = 'shipped'), 0))) AS shipped_in_full
       FROM orders o WHERE o.id = ?`,
    [orderId],
  );
  const r = rows[0];
  if (!r) return 'new';
  if (r.shipped_in_full) return 'shipped';
  if (r.paid_in_full) return 'paid';
  return r.any ? 'confirmed' : 'new';
}

/** What a source reports about one of the store's orders. */
export interface AccountingStatus {
  /** How this source names the order: the store's number and/or the system's id for it. */
  keys: string[];
  /**
   * The canonical code; null when the source's text has no mapping (stored with its text, code by
   * codeForUnmapped, reported); left out when the report carries no status (only a number or a note).
   */
  code?: OrderStatusCode | null;
  /** The source's own status text, as it wrote it. */
  text?: string;
  note?: string;
  /** When the system set the status (ISO); a repeated report with the same moment is the same status. */
  at?: string | null;
  externalId?: string | null;
  externalNumber?: string | null;
}

export interface StatusApplyResult {
  /** Reports that matched an order of the source. */
  matched: number;
  /** Status history rows added. */
  applied: number;
  /** Orders changed (status, text, number or a history line). */
  updated: number;
  /** Keys of reports that match no order of this source. */
  unknownOrders: string[];
  /** Source texts stored without a mapping. */
  unmapped: { order: string; text: string }[];
  /** Offers whose order holds ended here (their availability changed). */
  releasedOffers: number[];
}

interface OrderRow {
  id: number;
  number: string;
  status: OrderStatusCode;
  status_text: string;
  external_id: string | null;
  external_number: string | null;
  user_id: number | null;
}

/**
 * Ends the stock hold of this order: the accounting system has the order, so its own stock
 * (and the next stock sync) accounts for the goods — the store must not subtract them again.
 * A cancelled order's hold ends as cancelled (the goods are free again).
 */
export async function endOrderHolds(trx: Knex.Transaction, orderId: number, code: OrderStatusCode): Promise<number[]> {
  const { rows } = await trx.raw<{ rows: { offer_id: number }[] }>(
    `UPDATE reservations SET state = ?, ended_at = now() WHERE order_id = ? AND state = 'active' RETURNING offer_id`,
    [code === 'cancelled' ? 'cancelled' : 'ordered', orderId],
  );
  return rows.map((r) => Number(r.offer_id));
}

/** Applies a source's status reports inside the caller's transaction (one transaction per file / pull). */
export async function applyAccountingStatuses(trx: Knex.Transaction, sourceId: number, reports: AccountingStatus[]): Promise<StatusApplyResult> {
  const result: StatusApplyResult = { matched: 0, applied: 0, updated: 0, unknownOrders: [], unmapped: [], releasedOffers: [] };
  const released = new Set<number>();
  for (const r of reports) {
    const keys = r.keys.filter((k) => Boolean(k));
    if (!keys.length) continue;
    const order: OrderRow | undefined = await trx('orders')
      .where({ source_id: sourceId })
      .where((q) => q.whereIn('number', keys).orWhereIn('external_id', keys))
      .orderBy('id')
      .forUpdate()
      .first('id', 'number', 'status', 'status_text', 'external_id', 'external_number', 'user_id');
    if (!order) {
      result.unknownOrders.push(keys[0]!);
      continue;
    }
    result.matched++;
    let code = order.status;
    let text = order.status_text;
    if (r.code === null) {
      code = codeForUnmapped(order.status);
      text = r.text ?? '';
      if (text) result.unmapped.push({ order: order.number, text });
    } else if (r.code !== undefined) {
      // never below what the order's payments and shipments establish (src/mirror/order-settlements.ts)
      code = raiseTo(r.code, await settlementFloor(trx, order.id));
      text = r.text ?? '';
    }
    const note = r.note ?? '';
    const dup = r.at
      ? await trx('order_status_history').where({ order_id: order.id, origin: 'accounting', kind: 'status', status: code, status_text: text, at: new Date(r.at) }).first('id')
      : await trx('order_status_history')
          .where({ order_id: order.id, origin: 'accounting', kind: 'status' })
          .orderBy('id', 'desc')
          .first('status', 'status_text', 'note')
          .then((last) => (last && last.status === code && last.status_text === text && last.note === note ? last : undefined));
    const statusChanged = code !== order.status || text !== order.status_text;
    const numberArrived = Boolean((r.externalNumber && r.externalNumber !== order.external_number) || (r.externalId && !order.external_id));
    if (dup && !statusChanged && !numberArrived) continue;
    if (!dup) {
      await trx('order_status_history').insert({
        order_id: order.id, status: code, status_text: text, note, origin: 'accounting', at: r.at ?? trx.fn.now(),
        // a new status is e-mailed to the order's author (jobs/orders-status.ts, orders.status-mail)
        mail_pending: statusChanged && order.user_id !== null,
      });
      result.applied++;
    }
    await trx('orders').where({ id: order.id }).update({
      status: code,
      status_text: text,
      external_number: trx.raw('coalesce(?, external_number)', [r.externalNumber || null]),
      external_id: trx.raw('coalesce(external_id, ?)', [r.externalId || null]),
      updated_at: trx.fn.now(),
    });
    result.updated++;
    // Confirmed (or later), or the system named its own id/number for the order: it has the order.
    if (code !== 'new' || r.externalNumber || r.externalId) for (const o of await endOrderHolds(trx, order.id, code)) released.add(o);
  }
  result.releasedOffers = [...released];
  return result;
}

/** The part of a pg connection endHoldsAfterStockSync needs (the sync run's own connection). */
export interface SqlConnection {
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * At the commit of a stock sync: the holds of this source's orders exported before the run
 * started end, since the stock the run brings already reflects them (no double subtraction).
 * Runs inside the sync's transaction, so the new stock and the ended holds appear together.
 * Returns the offers whose availability changed.
 */
export async function endHoldsAfterStockSync(conn: SqlConnection, sourceId: number, runId: number): Promise<number[]> {
  const { rows } = await conn.query(
    `UPDATE reservations r SET state = 'ordered', ended_at = now()
       FROM orders o
      WHERE r.order_id = o.id AND r.state = 'active' AND o.source_id = $1 AND o.export_state = 'exported'
        AND o.exported_at < (SELECT started_at FROM sync_runs WHERE id = $2)
      RETURNING r.offer_id`,
    [sourceId, runId],
  );
  return [...new Set((rows as { offer_id: string | number }[]).map((r) => Number(r.offer_id)))];
}
