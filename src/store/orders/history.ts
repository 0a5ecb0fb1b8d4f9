// Order history for a viewer: always scoped to the counterparties the viewer may see.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { addToCart, type CartOwner } from '../cart/cart.ts';

export interface OrderSummary {
  id: number;
  number: string;
  externalNumber: string | null;
  /** The canonical code (src/mirror/order-status.ts); pages show its label. */
  status: string;
  /** The accounting system's own words for it ('' when the store set it). */
  statusText: string;
  total: string;
  currency: string;
  createdAt: string;
  counterpartyName: string;
  lineCount: number;
}

export async function listOrders(db: Db, counterpartyIds: number[], counterpartyId: number | null, page = 1, perPage = 50): Promise<OrderSummary[]> {
  const ids = counterpartyId !== null && counterpartyIds.includes(counterpartyId) ? [counterpartyId] : counterpartyIds;
  const { rows } = await db.raw(
    `SELECT o.id, o.number, o.external_number, o.status, o.status_text, o.total::text AS total, o.currency, o.created_at, c.name AS counterparty_name,
            (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS line_count
       FROM orders o JOIN counterparties c ON c.id = o.counterparty_id
      WHERE o.counterparty_id = ANY(?::bigint[])
      ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?`,
    [ids, perPage, (page - 1) * perPage],
  );
  return rows.map((r: Record<string, unknown>) => ({
    id: r.id,
    number: r.number,
    externalNumber: r.external_number,
    status: r.status,
    statusText: r.status_text,
    total: r.total,
    currency: r.currency,
    createdAt: new Date(r.created_at as string).toISOString(),
    counterpartyName: r.counterparty_name,
    lineCount: r.line_count,
  })) as OrderSummary[];
}

export interface OrderDetail extends OrderSummary {
  counterpartyId: number;
  comment: string;
  exportState: string;
  lines: { lineNo: number; offerId: number; sku: string | null; name: string; unit: string | null; quantity: string; price: string; amount: string; warehouse: string | null }[];
  history: { status: string; statusText: string; note: string; origin: string; at: string }[];
}

/** The order if it belongs to one of the counterparties; null otherwise (→ 404). */
export async function orderDetail(db: Db, counterpartyIds: number[], orderId: number): Promise<OrderDetail | null> {
  const [list] = await db.raw(
    `SELECT o.id, o.number, o.external_number, o.status, o.status_text, o.total::text AS total, o.currency, o.created_at, o.comment, o.export_state,
            o.counterparty_id, c.name AS counterparty_name
       FROM orders o JOIN counterparties c ON c.id = o.counterparty_id
      WHERE o.id = ? AND o.counterparty_id = ANY(?::bigint[])`,
    [orderId, counterpartyIds],
  ).then((r) => [r.rows[0]]);
  if (!list) return null;
  const [lines, history] = await Promise.all([
    db.raw(
      `SELECT l.line_no, l.offer_id, l.sku, l.name, l.unit, l.quantity::text AS quantity, l.price::text AS price, l.amount::text AS amount, w.name AS warehouse
         FROM order_lines l LEFT JOIN warehouses w ON w.id = l.warehouse_id WHERE l.order_id = ? ORDER BY l.line_no`,
      [orderId],
    ),
    db('order_status_history').where({ order_id: orderId }).orderBy(['at', 'id']).select('status', 'status_text', 'note', 'origin', 'at'),
  ]);
  return {
    id: list.id,
    number: list.number,
    externalNumber: list.external_number,
    status: list.status,
    statusText: list.status_text,
    total: list.total,
    currency: list.currency,
    createdAt: new Date(list.created_at).toISOString(),
    counterpartyName: list.counterparty_name,
    counterpartyId: list.counterparty_id,
    lineCount: lines.rows.length,
    comment: list.comment,
    exportState: list.export_state,
    lines: lines.rows.map((l: Record<string, unknown>) => ({
      lineNo: l.line_no,
      offerId: l.offer_id,
      sku: l.sku,
      name: l.name,
      unit: l.unit,
      quantity: l.quantity,
      price: l.price,
      amount: l.amount,
      warehouse: l.warehouse,
    })),
    history: history.map((h) => ({ status: h.status, statusText: h.status_text, note: h.note, origin: h.origin, at: new Date(h.at).toISOString() })),
  } as OrderDetail;
}

/** Puts an order's lines into the cart again; lines that cannot be added are reported. */
export async function reorder(db: Db, owner: CartOwner, order: OrderDetail): Promise<{ added: number; errors: string[] }> {
  let added = 0;
  const errors: string[] = [];
  for (const l of order.lines) {
    try {
      await addToCart(db, owner, l.offerId, l.quantity);
      added++;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push(`${l.sku ?? l.name}: ${err.message}`);
    }
  }
  return { added, errors };
}
