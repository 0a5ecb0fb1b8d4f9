// createOrder: the one way an order comes into being, from a checkout (cart lines) or from the
// buyer's reservations. Inside the caller's transaction it
//   - scopes: the counterparty must be linked to the client and granted to the author, whose
//     company role must allow ordering (src/store/company/access.ts), within the author's
//     order limits per order and per month (src/store/company/limits.ts); the contract must be the
//     counterparty's; unknown or deleted offers and warehouses are refusals, never a 500;
//   - for a checkout, locks the stock rows (in a fixed order, so two checkouts cannot deadlock)
//     and checks stock − active holds; reservation lines already hold their stock;
//   - prices every line in SQL (the storefront's price chain) and refuses an order whose lines
//     belong to another accounting system than the counterparty, or are priced in more than one
//     currency: an order goes to one system in one currency;
//   - writes order, lines (amount = round(price × quantity) at the column's scale), total (sum of
//     the amounts) and first status in ONE statement, all numeric; then the order.create outbox
//     row — or, for an order over the author's limits, an approval request instead: the order is
//     held back from export until an owner approves it (src/store/approvals);
//   - is idempotent: orders.creation_key is unique and the INSERT is ON CONFLICT DO NOTHING, so a
//     repeated or concurrent submit of the same checkout / reservations gets the first order
//     back (`repeated: true`) instead of a second order or a unique-violation error.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { t } from '../../infra/i18n/index.ts';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { assertUserMayOrder } from '../company/access.ts';
import { limitBreach } from '../company/limits.ts';
import { requestApproval } from '../approvals/request.ts';
import { checkCredit } from '../credit/check.ts';
import { PRICE_LATERAL, TERMS_CTE, WAREHOUSE_PRICE } from '../pricing/pricing.ts';
import { trimQuantity } from '../shared/quantity.ts';
import { NEXT_ORDER_ID_SQL, orderNumberSql } from './order-number.ts';

export interface OrderLineInput {
  offerId: number;
  warehouseId: number;
  /** Numeric text, > 0, at most 3 decimals (the quantity columns' scale). */
  quantity: string;
  /** A quote's price for the line (numeric text); only a quote's lines carry one, and then every line does. */
  price?: string;
}

/** What the order is made from; it decides the creation key, the stock check and the outbox key. */
export type OrderOrigin =
  /** The checkout form's key: one per rendered cart, a resubmit returns the first order. */
  | { kind: 'checkout'; checkoutKey: string }
  /** Reservations that become the order: their stock is already held by them. */
  | { kind: 'reservations'; reservationIds: number[] }
  /** An accepted quote: priced at its quoted prices in its currency (src/store/quotes); stock checked like a checkout. */
  | { kind: 'quote'; quoteId: number; currency: string };

export interface CreateOrderInput {
  origin: OrderOrigin;
  userId: number | null;
  clientId: number;
  counterpartyId: number;
  /** The contract to price under and record; 'default' = the counterparty's default valid one. */
  contractId: number | null | 'default';
  lines: OrderLineInput[];
  comment: string;
  /** The buyer confirmed an order past the credit limit (the counterparty's policy is 'warn'). */
  creditConfirmed?: boolean;
}

/** One line the order cannot take as it is (the cart shows each to the buyer). */
export interface OrderProblem {
  offerId: number;
  sku: string | null;
  name: string;
  warehouse: string;
  requested: string;
  available: string;
  reason: 'stock' | 'price' | 'gone' | 'currency' | 'source';
  /** reason 'currency': the line's currency (the order's is in the error's details). */
  currency?: string;
  /** reason 'source': the accounting system the line's item comes from. */
  source?: string;
}

export interface OrderRefusalDetails {
  problems: OrderProblem[];
  /** reason 'currency': the currency the rest of the order is in. */
  currency?: string;
}

export interface CreatedOrder {
  orderId: number;
  number: string;
  total: string;
  currency: string;
  sourceId: number;
  /** True when the order already existed for this origin (nothing was written now). */
  repeated: boolean;
  /** Over the author's limits: not exported until an owner approves it (src/store/approvals). */
  awaitingApproval: boolean;
  /** Why it waits (the store's default language, with the figures); only when awaitingApproval and just created. */
  approvalMessage?: string;
  /** The same as a catalog key with values, for the reader's language. */
  approvalText?: Message;
}

/** The unique key of what an order was created from (orders.creation_key). */
export function creationKey(origin: OrderOrigin): string {
  if (origin.kind === 'quote') return `quote:${origin.quoteId}`;
  return origin.kind === 'checkout' ? `checkout:${origin.checkoutKey}` : `reservations:${[...new Set(origin.reservationIds)].sort((a, b) => a - b).join(',')}`;
}

/** The outbox idempotency key: a checkout's is its form key; a reservation order's is its id. */
export const checkoutOutboxKey = (checkoutKey: string) => `order.create:${checkoutKey}`;

const QUANTITY = /^\d{1,15}(\.\d{1,3})?$/;
const isId = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;

const refuse = (type: 'invalid' | 'conflict' | 'not_found', code: string, message: Message | string, details?: OrderRefusalDetails) =>
  new DomainError(type, message, { code: `order.${code}`, details });

const names = (ps: OrderProblem[]) => ps.map((p) => p.sku ?? p.name).join(', ');

interface LineRow {
  lineNo: number;
  offerId: number;
  warehouseId: number;
  gone: boolean;
  sourceId: number | null;
  sourceName: string | null;
  sku: string | null;
  name: string;
  unit: string | null;
  warehouse: string | null;
  price: string | null;
  currency: string | null;
  available: string;
}

/** Runs in `db`'s transaction, or in a new one when `db` is not a transaction. */
export async function createOrder(db: Db | Knex.Transaction, input: CreateOrderInput): Promise<CreatedOrder> {
  if (!db.isTransaction) return db.transaction((trx) => createOrder(trx, input));
  const trx = db as Knex.Transaction;
  if (!input.lines.length) throw refuse('invalid', 'empty', { key: 'storeRefusals.order.empty' });
  for (const l of input.lines) {
    if (!isId(l.offerId) || !isId(l.warehouseId)) throw refuse('invalid', 'line', { key: 'storeRefusals.order.line' });
    if (!QUANTITY.test(l.quantity) || !/[1-9]/.test(l.quantity)) throw refuse('invalid', 'quantity', { key: 'storeRefusals.order.quantity' });
    if ((input.origin.kind === 'quote') !== (l.price !== undefined) || (l.price !== undefined && !/^\d{1,16}(\.\d{1,2})?$/.test(l.price))) {
      throw refuse('invalid', 'price', { key: 'storeRefusals.order.price' });
    }
  }
  const key = creationKey(input.origin);

  const cp = await trx('client_counterparties as cc')
    .join('counterparties as c', 'c.id', 'cc.counterparty_id')
    .where({ 'cc.client_id': input.clientId, 'cc.counterparty_id': input.counterpartyId, 'c.deleted': false })
    .first<{ id: number; source_id: number } | undefined>('c.id', 'c.source_id');
  if (!cp) throw refuse('not_found', 'counterparty', { key: 'storeRefusals.order.counterparty' });
  // The author's company role must allow ordering, and the author must act for this entity.
  await assertUserMayOrder(trx, input.userId, input.counterpartyId);
  const contractId = await contractOf(trx, input);

  const lines = input.lines.map((l, i) => ({ ...l, lineNo: i + 1 }));
  const checkStock = input.origin.kind !== 'reservations';
  if (checkStock) {
    // Lock the stock rows before counting holds: a concurrent checkout of the same rows waits
    // here until ours commits, then sees our hold (and a concurrent submit of the same form
    // then finds our order just below).
    await trx.raw(
      `SELECT 1 FROM stock s WHERE (s.offer_id, s.warehouse_id) IN (SELECT * FROM unnest(?::bigint[], ?::bigint[])) AND NOT s.deleted
        ORDER BY s.offer_id, s.warehouse_id FOR UPDATE`,
      [lines.map((l) => l.offerId), lines.map((l) => l.warehouseId)],
    );
  }
  const existing = await existingOrder(trx, input.origin, input.clientId);
  if (existing) return existing;

  const chain = await priceLines(trx, input.counterpartyId, contractId, lines);
  const origin = input.origin;
  // A quote's lines are priced as the manager quoted them, in the quote's currency.
  const rows = origin.kind === 'quote' ? chain.map((r) => ({ ...r, price: lines[r.lineNo - 1]!.price!, currency: origin.currency })) : chain;
  const problem = (r: LineRow, reason: OrderProblem['reason']): OrderProblem => ({
    offerId: r.offerId,
    sku: r.sku,
    name: r.name,
    warehouse: r.warehouse ?? '?',
    requested: lines[r.lineNo - 1]!.quantity,
    available: r.available,
    reason,
  });
  const live = rows.filter((r) => !r.gone);

  const foreign = live.filter((r) => r.sourceId !== cp.source_id);
  if (foreign.length) {
    const problems = foreign.map((r) => ({ ...problem(r, 'source'), source: r.sourceName ?? '?' }));
    throw refuse('invalid', 'source', { key: 'storeRefusals.order.source', params: { names: names(problems) } }, { problems });
  }
  const currency = live.find((r) => r.price !== null)?.currency ?? null;
  const otherCurrency = live.filter((r) => r.price !== null && r.currency !== currency);
  if (currency && otherCurrency.length) {
    const problems = otherCurrency.map((r) => ({ ...problem(r, 'currency'), currency: r.currency ?? '?' }));
    const list = problems.map((p) => `${p.sku ?? p.name} (${p.currency})`).join(', ');
    throw refuse('invalid', 'currency', { key: 'storeRefusals.order.currency', params: { currency, list } }, { problems, currency });
  }

  const problems: OrderProblem[] = [];
  for (const r of rows) {
    if (r.gone) problems.push(problem(r, 'gone'));
    else if (checkStock && compare(r.available, lines[r.lineNo - 1]!.quantity) < 0) problems.push(problem(r, 'stock'));
    else if (r.price === null) problems.push(problem(r, 'price'));
  }
  if (problems.length) throw lineRefusal(problems);
  const priced = rows.map((r) => ({ quantity: lines[r.lineNo - 1]!.quantity, price: r.price! }));
  await checkCredit(trx, { counterpartyId: input.counterpartyId, currency: currency!, lines: priced, confirmed: input.creditConfirmed === true });

  const created = await insertOrder(trx, {
    key,
    input,
    sourceId: cp.source_id,
    contractId,
    currency: currency!,
    lines: rows.map((r) => ({ ...r, quantity: lines[r.lineNo - 1]!.quantity, price: r.price! })),
  });
  if (created) {
    // The employee's order limits, against the total SQL computed: within them the order goes
    // to the outbox now; over them it waits for an owner's approval, which writes the same row.
    const outboxKey = origin.kind === 'checkout' ? checkoutOutboxKey(origin.checkoutKey) : `order.create:${created.orderId}`;
    const breach = await limitBreach(trx, input.userId, created);
    if (!breach) {
      await queueOrderExport(trx, created.orderId, outboxKey);
      return created;
    }
    await requestApproval(trx, { orderId: created.orderId, clientId: input.clientId, counterpartyId: input.counterpartyId, userId: input.userId, breach, outboxKey });
    return { ...created, awaitingApproval: true, approvalMessage: breach.message, approvalText: breach.text };
  }
  // Nothing inserted: the same origin's order was committed meanwhile (we waited on its key).
  const first = await existingOrder(trx, input.origin, input.clientId);
  if (!first) throw refuse('conflict', 'key', { key: 'storeRefusals.order.key' }); // another client's key
  return first;
}

/** Stock, gone and price problems: one conflict, the most pressing reason naming the code. */
function lineRefusal(problems: OrderProblem[]): DomainError {
  const of = (reason: OrderProblem['reason']) => problems.filter((p) => p.reason === reason);
  const text = [
    // in the store's default language: the web shows each problem itself, translated (orderProblems)
    of('gone').length ? t(null, 'storeErrors.order.gone', { names: names(of('gone')) }) : '',
    of('stock').length ? t(null, 'storeErrors.order.stock', { names: names(of('stock')) }) : '',
    of('price').length ? t(null, 'storeErrors.order.price', { names: names(of('price')) }) : '',
  ]
    .filter(Boolean)
    .join(' ');
  const code = of('stock').length ? 'stock' : of('gone').length ? 'gone' : 'price';
  return refuse('conflict', code, text, { problems });
}

/** Compares two non-negative numeric texts exactly (no floats). */
function compare(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const ia = ai.replace(/^0+/, '');
  const ib = bi.replace(/^0+/, '');
  if (ia.length !== ib.length) return ia.length < ib.length ? -1 : 1;
  const x = ia + af.padEnd(3, '0');
  const y = ib + bf.padEnd(3, '0');
  return x === y ? 0 : x < y ? -1 : 1;
}

async function contractOf(trx: Knex.Transaction, input: CreateOrderInput): Promise<number | null> {
  if (input.contractId === null) return null;
  if (input.contractId === 'default') {
    // The same choice as the viewer's contract switcher and offerPrices: default first, then by name.
    const { rows } = await trx.raw<{ rows: { id: number }[] }>(
      `SELECT k.id FROM contracts k
        WHERE k.counterparty_id = ? AND NOT k.deleted
          AND (k.valid_to IS NULL OR k.valid_to >= current_date) AND (k.valid_from IS NULL OR k.valid_from <= current_date)
        ORDER BY k.is_default DESC, k.name, k.id LIMIT 1`,
      [input.counterpartyId],
    );
    return rows[0]?.id ?? null;
  }
  if (!isId(input.contractId)) throw refuse('invalid', 'contract', { key: 'storeRefusals.order.contract' });
  const k = await trx('contracts').where({ id: input.contractId, counterparty_id: input.counterpartyId, deleted: false }).first('id');
  if (!k) throw refuse('invalid', 'contract', { key: 'storeRefusals.order.contract' });
  return k.id;
}

/** The order already created from `origin` for this client, if any. */
export async function existingOrder(db: Db | Knex.Transaction, origin: OrderOrigin, clientId: number): Promise<CreatedOrder | undefined> {
  const o = await db('orders as o')
    .leftJoin('order_approvals as a', 'a.order_id', 'o.id')
    .where({ 'o.creation_key': creationKey(origin), 'o.client_id': clientId })
    .first<{ id: number; number: string; total: string; currency: string; source_id: number; approval: string | null } | undefined>(
      'o.id', 'o.number', 'o.total', 'o.currency', 'o.source_id', 'a.state as approval',
    );
  return o && { orderId: o.id, number: o.number, total: o.total, currency: o.currency, sourceId: o.source_id, repeated: true, awaitingApproval: o.approval === 'pending' };
}

/**
 * The order's order.create outbox row: the connector's export job (or 1C's sale query, which
 * reads export_state) carries it out. Written at creation, or when an owner approves the order.
 */
export async function queueOrderExport(trx: Knex.Transaction, orderId: number, idempotencyKey: string): Promise<void> {
  await trx.raw(
    `INSERT INTO outbox (source_id, kind, idempotency_key, payload)
     SELECT o.source_id, 'order.create', ?, jsonb_build_object('orderId', o.id, 'number', o.number) FROM orders o WHERE o.id = ?`,
    [idempotencyKey, orderId],
  );
}

/** Each line with its item, warehouse, source, price (SQL price chain) and available stock. */
async function priceLines(trx: Knex.Transaction, counterpartyId: number, contractId: number | null, lines: (OrderLineInput & { lineNo: number })[]): Promise<LineRow[]> {
  const { rows } = await trx.raw<{ rows: LineRow[] }>(
    `WITH ${TERMS_CTE},
     input AS (SELECT * FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS i(line_no, offer_id, warehouse_id))
     SELECT i.line_no AS "lineNo", i.offer_id AS "offerId", i.warehouse_id AS "warehouseId",
            (o.id IS NULL OR o.deleted OR p.id IS NULL OR p.deleted OR w.id IS NULL OR w.deleted) AS gone,
            o.source_id AS "sourceId", src.name AS "sourceName", coalesce(o.sku, p.sku) AS sku,
            coalesce(p.name || CASE WHEN o.name IS NOT NULL AND o.name <> p.name THEN ' — ' || o.name ELSE '' END, 'item ' || i.offer_id) AS name,
            p.unit, w.name AS warehouse,
            CASE WHEN pr.value IS NOT NULL THEN (${WAREHOUSE_PRICE})::text END AS price,
            coalesce(pr.currency, t.contract_currency) AS currency,
            greatest(coalesce(s.quantity, 0) - coalesce(h.quantity, 0), 0)::text AS available
       FROM input i CROSS JOIN terms t
       LEFT JOIN offers o ON o.id = i.offer_id
       LEFT JOIN products p ON p.id = o.product_id
       LEFT JOIN warehouses w ON w.id = i.warehouse_id
       LEFT JOIN sources src ON src.id = o.source_id
       LEFT JOIN stock s ON s.offer_id = i.offer_id AND s.warehouse_id = i.warehouse_id AND NOT s.deleted
       LEFT JOIN LATERAL (SELECT sum(r.quantity) AS quantity FROM reservations r
                           WHERE r.state = 'active' AND r.offer_id = i.offer_id AND r.warehouse_id = i.warehouse_id) h ON true
       ${PRICE_LATERAL}
      ORDER BY i.line_no`,
    [contractId, counterpartyId, lines.map((l) => l.lineNo), lines.map((l) => l.offerId), lines.map((l) => l.warehouseId)],
  );
  return rows.map((r) => ({ ...r, available: trimQuantity(r.available) }));
}

interface InsertArgs {
  key: string;
  input: CreateOrderInput;
  sourceId: number;
  contractId: number | null;
  currency: string;
  lines: (LineRow & { quantity: string; price: string })[];
}

/** Order, lines and first status in one statement; undefined when the key exists. */
async function insertOrder(trx: Knex.Transaction, a: InsertArgs): Promise<CreatedOrder | undefined> {
  const { origin } = a.input;
  // The history line is stored data: written once, in the store's language, like the system's own lines.
  const note =
    origin.kind === 'checkout' ? t(null, 'orderHistory.placed')
    : origin.kind === 'quote' ? t(null, 'orderHistory.fromQuote', { id: origin.quoteId })
    : t(null, 'orderHistory.fromReservations', { ids: [...new Set(origin.reservationIds)].map((i) => `#${i}`).join(', ') });
  const { rows } = await trx.raw<{ rows: { orderId: number; number: string; total: string; currency: string }[] }>(
    `WITH l AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb)
                AS t(line_no int, offer_id bigint, warehouse_id bigint, sku text, name text, unit text, quantity numeric, price numeric)
     ),
     next AS (SELECT ${NEXT_ORDER_ID_SQL} AS id),
     o AS (
       INSERT INTO orders (id, number, creation_key, source_id, client_id, user_id, counterparty_id, contract_id, status, currency, total, comment)
       SELECT next.id, ${orderNumberSql('next.id')}, ?, ?, ?, ?, ?, ?, 'new', ?,
              (SELECT sum(round(l.quantity * l.price, 2)) FROM l), ?
         FROM next
       ON CONFLICT (creation_key) DO NOTHING
       RETURNING id, number, total, currency, source_id
     ),
     lines AS (
       INSERT INTO order_lines (order_id, line_no, offer_id, warehouse_id, sku, name, unit, quantity, price, amount)
       SELECT o.id, l.line_no, l.offer_id, l.warehouse_id, l.sku, l.name, l.unit, l.quantity, l.price, round(l.quantity * l.price, 2)
         FROM o CROSS JOIN l
     ),
     history AS (
       INSERT INTO order_status_history (order_id, status, note, origin) SELECT o.id, 'new', ?, 'store' FROM o
     )
     SELECT o.id AS "orderId", o.number, o.total::text AS total, o.currency FROM o`,
    [
      // Quantities and prices travel as JSON strings: numeric text in, numeric in SQL, never a float.
      JSON.stringify(
        a.lines.map((l) => ({
          line_no: l.lineNo,
          offer_id: l.offerId,
          warehouse_id: l.warehouseId,
          sku: l.sku,
          name: l.name,
          unit: l.unit,
          quantity: l.quantity,
          price: l.price,
        })),
      ),
      a.key,
      a.sourceId,
      a.input.clientId,
      a.input.userId,
      a.input.counterpartyId,
      a.contractId,
      a.currency,
      a.input.comment,
      note,
    ],
  );
  const o = rows[0];
  return o && { ...o, sourceId: a.sourceId, repeated: false, awaitingApproval: false };
}

/** The lines an order refusal names (empty for a refusal that is not about lines). */
export function orderProblems(err: DomainError): { problems: OrderProblem[]; currency?: string } {
  const d = err.details;
  if (!err.code.startsWith('order.') || typeof d !== 'object' || d === null || !('problems' in d) || !Array.isArray(d.problems)) return { problems: [] };
  return { problems: d.problems, currency: 'currency' in d && typeof d.currency === 'string' ? d.currency : undefined };
}
