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
  /** Over its author's limit: the approval's state (src/store/approvals), else null. */
  approvalState: 'pending' | 'approved' | 'rejected' | 'expired' | null;
}

export async function listOrders(db: Db, counterpartyIds: number[], counterpartyId: number | null, page = 1, perPage = 50): Promise<OrderSummary[]> {
  const ids = counterpartyId !== null && counterpartyIds.includes(counterpartyId) ? [counterpartyId] : counterpartyIds;
  const { rows } = await db.raw(
    `SELECT o.id, o.number, o.external_number, o.status, o.status_text, o.total::text AS total, o.currency, o.created_at, c.name AS counterparty_name,
            (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS line_count, a.state AS approval_state
       FROM orders o JOIN counterparties c ON c.id = o.counterparty_id LEFT JOIN order_approvals a ON a.order_id = o.id
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
    approvalState: r.approval_state ?? null,
  })) as OrderSummary[];
}

/** Payments and shipments the accounting system reported (src/mirror/order-settlements.ts). */
export interface OrderSettlement {
  /** Paid so far (payments in state 'paid'), decimal string. */
  paid: string;
  payments: { number: string | null; kind: string; date: string; amount: string; state: string }[];
  shipments: {
    number: string | null; date: string; state: string; tracking: string | null; wholeOrder: boolean;
    lines: { name: string; quantity: string; unit: string | null }[];
  }[];
}

export interface OrderDetail extends OrderSummary {
  counterpartyId: number;
  comment: string;
  exportState: string;
  /** `shipped`: the quantity the accounting system reports as shipped ('0' when none). */
  lines: { lineNo: number; offerId: number; sku: string | null; name: string; unit: string | null; quantity: string; price: string; amount: string; warehouse: string | null; shipped: string }[];
  history: { status: string; statusText: string; note: string; origin: string; kind: string; at: string }[];
  /** null when the system reported no payment or shipment. */
  settlement: OrderSettlement | null;
}

/**
 * The calendar day the accounting system wrote (its wall-clock time is kept as UTC) as an ISO day,
 * "2017-08-04": the page prints it in the reader's locale.
 */
function isoDay(v: unknown): string {
  if (!v) return '';
  return new Date(v as string).toISOString().slice(0, 10);
}

async function settlementOf(db: Db, orderId: number): Promise<OrderSettlement | null> {
  const [payments, shipments, lines, paid] = await Promise.all([
    db.raw(`SELECT number, kind, paid_at, amount::text AS amount, state FROM order_payments WHERE order_id = ? ORDER BY paid_at NULLS LAST, id`, [orderId]),
    db.raw(`SELECT id, number, shipped_at, state, tracking, whole_order FROM order_shipments WHERE order_id = ? ORDER BY shipped_at NULLS LAST, id`, [orderId]),
    db.raw(
      `SELECT sl.shipment_id, sl.name, sl.quantity::text AS quantity, l.unit
         FROM order_shipment_lines sl JOIN order_shipments s ON s.id = sl.shipment_id LEFT JOIN order_lines l ON l.id = sl.order_line_id
        WHERE s.order_id = ? ORDER BY sl.shipment_id, sl.line_no`,
      [orderId],
    ),
    db.raw(`SELECT coalesce(sum(amount), 0)::numeric(18,2)::text AS paid FROM order_payments WHERE order_id = ? AND state = 'paid'`, [orderId]),
  ]);
  if (!payments.rows.length && !shipments.rows.length) return null;
  return {
    paid: paid.rows[0].paid,
    payments: payments.rows.map((p: Record<string, unknown>) => ({
      number: p.number, kind: p.kind, date: isoDay(p.paid_at), amount: p.amount, state: p.state,
    })),
    shipments: shipments.rows.map((s: Record<string, unknown>) => ({
      number: s.number, date: isoDay(s.shipped_at), state: s.state, tracking: s.tracking,
      wholeOrder: s.whole_order,
      lines: lines.rows.filter((l: Record<string, unknown>) => l.shipment_id === s.id).map((l: Record<string, unknown>) => ({ name: l.name, quantity: l.quantity, unit: l.unit })),
    })),
  } as OrderSettlement;
}

/** The order if it belongs to one of the counterparties; null otherwise (→ 404). */
export async function orderDetail(db: Db, counterpartyIds: number[], orderId: number): Promise<OrderDetail | null> {
  const [list] = await db.raw(
    `SELECT o.id, o.number, o.external_number, o.status, o.status_text, o.total::text AS total, o.currency, o.created_at, o.comment, o.export_state,
            o.counterparty_id, c.name AS counterparty_name, a.state AS approval_state
       FROM orders o JOIN counterparties c ON c.id = o.counterparty_id LEFT JOIN order_approvals a ON a.order_id = o.id
      WHERE o.id = ? AND o.counterparty_id = ANY(?::bigint[])`,
    [orderId, counterpartyIds],
  ).then((r) => [r.rows[0]]);
  if (!list) return null;
  const [lines, history, settlement] = await Promise.all([
    db.raw(
      `SELECT l.line_no, l.offer_id, l.sku, l.name, l.unit, l.quantity::text AS quantity, l.price::text AS price, l.amount::text AS amount, w.name AS warehouse,
              (CASE WHEN EXISTS (SELECT 1 FROM order_shipments s WHERE s.order_id = l.order_id AND s.state = 'shipped' AND s.whole_order) THEN l.quantity
                    ELSE coalesce((SELECT sum(sl.quantity) FROM order_shipment_lines sl JOIN order_shipments s ON s.id = sl.shipment_id
                                    WHERE sl.order_line_id = l.id AND s.state = 'shipped'), 0) END)::numeric(18,3)::text AS shipped
         FROM order_lines l LEFT JOIN warehouses w ON w.id = l.warehouse_id WHERE l.order_id = ? ORDER BY l.line_no`,
      [orderId],
    ),
    db('order_status_history').where({ order_id: orderId }).orderBy(['at', 'id']).select('status', 'status_text', 'note', 'origin', 'kind', 'at'),
    settlementOf(db, orderId),
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
    approvalState: list.approval_state ?? null,
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
      shipped: l.shipped,
    })),
    history: history.map((h) => ({ status: h.status, statusText: h.status_text, note: h.note, origin: h.origin, kind: h.kind, at: new Date(h.at).toISOString() })),
    settlement,
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
