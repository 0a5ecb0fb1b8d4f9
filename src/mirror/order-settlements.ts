// Payments and shipments an accounting system reports for the store's orders — the one applier,
// like order-status.ts for statuses. Each report is one payment or shipment the system names
// (its external id), kept in order_payments / order_shipments (+ lines): a resent document
// updates its row, an unchanged one changes nothing. A new or changed settlement adds a line to
// the order's status history (kind 'payment' / 'shipment') the buyer sees, and raises the
// order's code when the settlements say more than it does: paid in full → 'paid', every line
// shipped in full → 'shipped', anything at all → 'confirmed' (never down, never out of
// 'cancelled' or 'completed'). Money and quantities stay decimal strings, summed in SQL.
import type { Knex } from 'knex';
import { endOrderHolds, type OrderStatusCode, raiseTo, settlementFloor } from './order-status.ts';

export interface PaymentReport {
  /** How the system names the order this payment belongs to (its number, the store's number or id). */
  orderKeys: string[];
  /** The payment's own id in the system (one row per id and order). */
  externalId: string;
  /** The system's word for it, e.g. «Выплата безналичных денег». */
  kind?: string;
  number?: string | null;
  /** When it was paid (ISO). */
  paidAt?: string | null;
  /** Decimal string; null: the whole order (a "paid" flag without an amount). */
  amount: string | null;
  state: 'paid' | 'pending' | 'cancelled';
  /**
   * Read from the order's own requisites (CommerceML 2.x «Номер оплаты по 1С»): stored for the
   * totals, but the order's status line already says it, so no history line of its own.
   */
  fromRequisites?: boolean;
}

export interface ShipmentLineReport {
  /** The offer's id in the system (matched to the order's line of that offer). */
  offerExternalId?: string;
  name: string;
  quantity: string;
}

export interface ShipmentReport {
  orderKeys: string[];
  externalId: string;
  number?: string | null;
  shippedAt?: string | null;
  amount?: string | null;
  state: 'shipped' | 'pending' | 'cancelled';
  tracking?: string | null;
  /** What went out; empty with wholeOrder: every line in full. */
  lines: ShipmentLineReport[];
  wholeOrder?: boolean;
  fromRequisites?: boolean;
}

export interface SettlementResult {
  /** Reports that matched an order of the source. */
  matched: number;
  /** Payments and shipments added or changed. */
  changed: number;
  /** Order keys that match no order of this source. */
  unknownOrders: string[];
  /** Shipment lines whose offer is on no line of the order (kept with their name, not counted as shipped). */
  unmatchedLines: { order: string; line: string }[];
  /** Offers whose order holds ended here. */
  releasedOffers: number[];
}

interface OrderRow {
  id: number;
  number: string;
  status: OrderStatusCode;
  status_text: string;
  currency: string;
  total: string;
  user_id: number | null;
}

/** Paid so far (payments in state 'paid'), as a decimal string. */
async function paidSum(trx: Knex.Transaction, orderId: number): Promise<string> {
  const { rows } = await trx.raw<{ rows: { s: string }[] }>(
    `SELECT coalesce(sum(amount), 0)::numeric(18,2)::text AS s FROM order_payments WHERE order_id = ? AND state = 'paid'`,
    [orderId],
  );
  return rows[0]!.s;
}

async function findOrder(trx: Knex.Transaction, sourceId: number, keys: string[]): Promise<OrderRow | undefined> {
  return trx('orders')
    .where({ source_id: sourceId })
    .where((q) => q.whereIn('number', keys).orWhereIn('external_id', keys).orWhereIn('external_number', keys))
    .orderBy('id')
    .forUpdate()
    .first('id', 'number', 'status', 'status_text', 'currency', trx.raw('total::text AS total'), 'user_id');
}

/** "1500.5" → "1 500,50" (the note is text; the page formats its own figures). */
function money(v: string): string {
  const neg = v.startsWith('-');
  const [int, frac = ''] = (neg ? v.slice(1) : v).split('.');
  return `${neg ? '−' : ''}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${(frac + '00').slice(0, 2)}`;
}

/** A 1C date as 1C wrote it (its wall-clock time is stored as UTC). */
function day(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return ` от ${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

const sameTime = (a: Date | null, b: string | null | undefined) => (a ? a.getTime() : null) === (b ? new Date(b).getTime() : null);

/**
 * Applies payment and shipment reports inside the caller's transaction (one per file / pull).
 * Payments first, then shipments, each in the order given.
 */
export async function applySettlements(
  trx: Knex.Transaction,
  sourceId: number,
  payments: PaymentReport[],
  shipments: ShipmentReport[],
): Promise<SettlementResult> {
  const result: SettlementResult = { matched: 0, changed: 0, unknownOrders: [], unmatchedLines: [], releasedOffers: [] };
  const released = new Set<number>();

  // A settlement from the order's own requisites adds no line: the order's status report, applied
  // after it, says it (and is raised to what the settlements establish).
  const record = async (order: OrderRow, kind: 'payment' | 'shipment', note: string | null) => {
    if (note === null) return;
    const code = raiseTo(order.status, await settlementFloor(trx, order.id));
    const changed = code !== order.status;
    await trx('order_status_history').insert({
      order_id: order.id, status: code, status_text: order.status_text, note, origin: 'accounting', kind,
      mail_pending: changed && order.user_id !== null,
    });
    if (changed) {
      await trx('orders').where({ id: order.id }).update({ status: code, updated_at: trx.fn.now() });
      order.status = code;
    }
    // The system has the order: its stock no longer needs the store's hold.
    for (const o of await endOrderHolds(trx, order.id, code)) released.add(o);
  };

  for (const p of payments) {
    const keys = p.orderKeys.filter(Boolean);
    const order = keys.length ? await findOrder(trx, sourceId, keys) : undefined;
    if (!order) {
      result.unknownOrders.push(keys[0] ?? p.externalId);
      continue;
    }
    result.matched++;
    const amount = p.amount ?? order.total;
    const row = { kind: p.kind ?? '', number: p.number || null, paid_at: p.paidAt ? new Date(p.paidAt) : null, amount, state: p.state, from_requisites: p.fromRequisites ?? false };
    const old = await trx('order_payments').where({ order_id: order.id, external_id: p.externalId }).first();
    if (old && old.kind === row.kind && old.number === row.number && sameTime(old.paid_at, p.paidAt) && Number(old.amount) === Number(amount) && old.state === row.state) continue;
    await trx('order_payments')
      .insert({ order_id: order.id, external_id: p.externalId, ...row })
      .onConflict(['order_id', 'external_id'])
      .merge({ ...row, updated_at: trx.fn.now() });
    result.changed++;
    const paid = await paidSum(trx, order.id);
    const what = `Оплата${row.number ? ` № ${row.number}` : ''}${day(p.paidAt)}: ${money(amount)} ${order.currency}`;
    const state = p.state === 'cancelled' ? ' — отменена' : p.state === 'pending' ? ' — ожидается' : '';
    await record(order, 'payment', p.fromRequisites ? null : `${what}${state}; оплачено ${money(paid)} из ${money(order.total)} ${order.currency}`);
  }

  for (const s of shipments) {
    const keys = s.orderKeys.filter(Boolean);
    const order = keys.length ? await findOrder(trx, sourceId, keys) : undefined;
    if (!order) {
      result.unknownOrders.push(keys[0] ?? s.externalId);
      continue;
    }
    result.matched++;
    // Each shipped line goes to the order's line of that offer (the first one, when it repeats).
    const orderLines: { id: number; external_id: string | null; name: string }[] = await trx('order_lines as l')
      .leftJoin('offers as f', 'f.id', 'l.offer_id')
      .where('l.order_id', order.id)
      .orderBy('l.line_no')
      .select('l.id', 'f.external_id', 'l.name');
    const lines = s.lines.map((l, i) => {
      const match = l.offerExternalId ? orderLines.find((o) => o.external_id === l.offerExternalId) : undefined;
      if (!match) result.unmatchedLines.push({ order: order.number, line: l.offerExternalId ?? l.name });
      return { line_no: i + 1, order_line_id: match?.id ?? null, offer_external_id: l.offerExternalId ?? null, name: l.name || match?.name || '', quantity: l.quantity };
    });
    const row = {
      number: s.number || null, shipped_at: s.shippedAt ? new Date(s.shippedAt) : null, amount: s.amount ?? null, state: s.state,
      tracking: s.tracking || null, whole_order: Boolean(s.wholeOrder && !s.lines.length), from_requisites: s.fromRequisites ?? false,
    };
    const old = await trx('order_shipments').where({ order_id: order.id, external_id: s.externalId }).first();
    if (old) {
      const oldLines = await trx('order_shipment_lines').where({ shipment_id: old.id }).orderBy('line_no').select('order_line_id', 'offer_external_id', 'name', 'quantity');
      const sameLines = oldLines.length === lines.length
        && oldLines.every((o, i) => o.offer_external_id === lines[i]!.offer_external_id && o.name === lines[i]!.name && Number(o.quantity) === Number(lines[i]!.quantity));
      const sameAmount = (old.amount === null ? null : Number(old.amount)) === (row.amount === null ? null : Number(row.amount));
      if (sameLines && sameAmount && old.number === row.number && sameTime(old.shipped_at, s.shippedAt) && old.state === row.state
        && old.tracking === row.tracking && old.whole_order === row.whole_order) continue;
    }
    const [saved] = await trx('order_shipments')
      .insert({ order_id: order.id, external_id: s.externalId, ...row })
      .onConflict(['order_id', 'external_id'])
      .merge({ ...row, updated_at: trx.fn.now() })
      .returning('id');
    await trx('order_shipment_lines').where({ shipment_id: saved!.id }).delete();
    if (lines.length) await trx('order_shipment_lines').insert(lines.map((l) => ({ shipment_id: saved!.id, ...l })));
    result.changed++;
    const floor = await settlementFloor(trx, order.id);
    const what = `Отгрузка${row.number ? ` № ${row.number}` : ''}${day(s.shippedAt)}`;
    const detail = s.state === 'cancelled' ? ' — отменена' : s.state === 'pending' ? ' — готовится'
      : row.whole_order || floor === 'shipped' ? ' — заказ отгружен полностью' : ' — частичная отгрузка';
    const items = lines.length ? `: ${lines.map((l) => `${l.name} × ${l.quantity.replace('.', ',')}`).join(', ')}` : '';
    const track = row.tracking ? `; отправление ${row.tracking}` : '';
    await record(order, 'shipment', s.fromRequisites ? null : `${what}${detail}${items}${track}`);
  }
  result.releasedOffers = [...released];
  return result;
}
