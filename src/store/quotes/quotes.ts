// Quotes (RFQ). A buyer asks for prices on the lines of their cart (quantities, a desired date, a
// comment); the client's manager answers a price per line and a validity date, and may change
// quantities; the buyer accepts — one order at the quoted prices, through createOrder like any
// order (exported the same way) — or declines. An answered quote past its validity date (the
// store's calendar, STORE_TIME_ZONE) cannot be accepted. Every query is scoped: a buyer sees only
// their client's quotes, a manager only their clients' (an admin all); anything else is "not found".
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type Message as Saying } from '../../infra/domain-error.ts';
import { storeCurrency } from '../../infra/intl.ts';
import { storeToday } from '../arrivals/arrivals.ts';
import { availableFor } from '../catalog/availability.ts';
import { chooseWarehouse } from '../cart/cart.ts';
import { grantedSql } from '../company/access.ts';
import { type Actor, type Message, postMessage, readThread, type ThreadDeps } from '../messages/messages.ts';
import type { UploadedFile } from '../messages/attachments.ts';
import { holdOrderedStock } from '../orders/checkout.ts';
import { createOrder, type CreatedOrder, existingOrder } from '../orders/create.ts';

export type QuoteStatus = 'requested' | 'answered' | 'accepted' | 'declined';

const notFound = () => new DomainError('not_found', { key: 'storeRefusals.quotes.notFound' }, { code: 'quote.not_found' });
const invalid = (code: string, msg: Saying) => new DomainError('invalid', msg, { code: `quote.${code}` });
const conflict = (code: string, msg: Saying) => new DomainError('conflict', msg, { code: `quote.${code}` });

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const QUANTITY = /^\d{1,12}(\.\d{1,3})?$/;
const PRICE = /^\d{1,14}(\.\d{1,2})?$/;
const isDate = (v: string) => DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
export const MAX_COMMENT = 2000;

export interface QuoteRequest {
  userId: number;
  clientId: number;
  counterpartyId: number;
  contractId: number | null;
  /** YYYY-MM-DD or null; not before today. */
  desiredDate: string | null;
  comment: string;
}

/** A quote on the buyer's cart for the current legal entity; the cart stays as it is. */
export async function requestQuote(db: Db, r: QuoteRequest, now: Date = new Date()): Promise<number> {
  if (r.desiredDate !== null && (!isDate(r.desiredDate) || r.desiredDate < storeToday(now))) {
    throw invalid('date', { key: 'storeRefusals.quotes.date' });
  }
  if (r.comment.length > MAX_COMMENT) throw invalid('comment', { key: 'storeRefusals.quotes.comment', params: { max: MAX_COMMENT } });
  return db.transaction(async (trx) => {
    const linked = await trx('client_counterparties').where({ client_id: r.clientId, counterparty_id: r.counterpartyId }).first('counterparty_id');
    if (!linked) throw notFound();
    const lines = await trx('carts as c').join('cart_lines as l', 'l.cart_id', 'c.id').join('offers as o', 'o.id', 'l.offer_id')
      .where({ 'c.user_id': r.userId, 'c.counterparty_id': r.counterpartyId, 'o.deleted': false })
      .orderBy(['l.added_at', 'l.offer_id']).select('l.offer_id', 'l.warehouse_id', trx.raw('l.quantity::text AS quantity'));
    if (!lines.length) throw invalid('empty', { key: 'storeRefusals.quotes.empty' });
    const [q] = await trx('quotes').insert({
      client_id: r.clientId, counterparty_id: r.counterpartyId, contract_id: r.contractId, user_id: r.userId, desired_date: r.desiredDate, comment: r.comment,
    }).returning('id');
    await trx('quote_lines').insert(lines.map((l, i) => ({
      quote_id: q.id, line_no: i + 1, offer_id: l.offer_id, warehouse_id: l.warehouse_id, requested_quantity: l.quantity, quantity: l.quantity,
    })));
    return q.id as number;
  });
}

/**
 * The quote, if the actor may see it: a buyer their client's quotes for a legal entity they may act
 * for (read now from the database, like createOrder's check); a manager their clients'; an admin any.
 */
async function scopedQuote(db: Db | Knex.Transaction, actor: Actor, id: number, lock = false) {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const q = db('quotes as q').join('clients as c', 'c.id', 'q.client_id').where('q.id', id)
    .first('q.*', 'c.manager_id', db.raw(`to_char(q.valid_until, 'YYYY-MM-DD') AS valid_until_text`), db.raw(`to_char(q.desired_date, 'YYYY-MM-DD') AS desired_date_text`),
      db.raw(`EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.client_id = q.client_id AND u.disabled_at IS NULL AND ${grantedSql('u', 'q.counterparty_id')}) AS granted`, [actor.userId]));
  if (lock) q.forUpdate('q');
  const row = await q;
  if (!row) throw notFound();
  if (actor.role === 'buyer' && (actor.clientId !== row.client_id || !row.granted)) throw notFound();
  if (actor.role === 'manager' && (actor.managerId === null || actor.managerId !== row.manager_id)) throw notFound();
  return row;
}

export interface QuoteAnswer {
  /** YYYY-MM-DD, today or later: the last day the buyer may accept. */
  validUntil: string;
  /** Per line (by line number): the price, and optionally another quantity. */
  lines: { lineNo: number; price: string; quantity?: string }[];
  answer?: string;
}

/** The manager's answer; answering again (before the buyer accepts or declines) replaces it. */
export async function answerQuote(db: Db, actor: Actor, id: number, a: QuoteAnswer, now: Date = new Date()): Promise<void> {
  if (actor.role === 'buyer') throw notFound();
  if (!isDate(a.validUntil) || a.validUntil < storeToday(now)) throw invalid('valid_until', { key: 'storeRefusals.quotes.validUntil' });
  if ((a.answer ?? '').length > MAX_COMMENT) throw invalid('comment', { key: 'storeRefusals.quotes.answer', params: { max: MAX_COMMENT } });
  await db.transaction(async (trx) => {
    const q = await scopedQuote(trx, actor, id, true);
    if (q.status === 'accepted' || q.status === 'declined') throw conflict('closed', { key: 'storeRefusals.quotes.closedAnswered' });
    const lines = await trx('quote_lines').where({ quote_id: id }).orderBy('line_no').select('line_no');
    const given = new Map(a.lines.map((l) => [l.lineNo, l]));
    for (const { line_no } of lines) {
      const l = given.get(line_no);
      if (!l || !PRICE.test(l.price)) throw invalid('price', { key: 'storeRefusals.quotes.price', params: { line: line_no } });
      if (l.quantity !== undefined && (!QUANTITY.test(l.quantity) || !/[1-9]/.test(l.quantity))) throw invalid('quantity', { key: 'storeRefusals.quotes.quantity', params: { line: line_no } });
    }
    if (a.lines.some((l) => !lines.some((x) => x.line_no === l.lineNo))) throw invalid('line', { key: 'storeRefusals.quotes.line' });
    for (const { line_no } of lines) {
      const l = given.get(line_no)!;
      await trx('quote_lines').where({ quote_id: id, line_no }).update({ price: l.price, ...(l.quantity ? { quantity: l.quantity } : {}) });
    }
    const currency = (await trx('contracts').where({ id: q.contract_id ?? 0 }).first('currency'))?.currency ?? storeCurrency();
    await trx('quotes').where({ id }).update({
      status: 'answered', valid_until: a.validUntil, currency, answer: a.answer ?? '', answered_by: actor.userId, answered_at: trx.fn.now(), updated_at: trx.fn.now(),
    });
  });
}

/**
 * The buyer accepts: one order at the quoted prices (accepting again returns the same order).
 * Refused when not answered yet, declined, or past its validity date.
 */
export async function acceptQuote(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<CreatedOrder> {
  if (actor.role !== 'buyer') throw notFound();
  return db.transaction(async (trx) => {
    const q = await scopedQuote(trx, actor, id, true);
    const origin = { kind: 'quote' as const, quoteId: id, currency: q.currency ?? storeCurrency() };
    if (q.status === 'accepted') {
      const o = await existingOrder(trx, origin, q.client_id);
      if (o) return o;
    }
    if (q.status === 'requested') throw conflict('not_answered', { key: 'storeRefusals.quotes.notAnswered' });
    if (q.status === 'declined') throw conflict('declined', { key: 'storeRefusals.quotes.declined' });
    if (q.valid_until_text < storeToday(now)) throw conflict('expired', { key: 'storeRefusals.quotes.expired', params: { date: q.valid_until_text.split('-').reverse().join('.') } });
    const { rows: lines } = await trx.raw<{ rows: { offer_id: number; warehouse_id: number | null; quantity: string; price: string }[] }>(
      'SELECT offer_id, warehouse_id, quantity::text AS quantity, price::text AS price FROM quote_lines WHERE quote_id = ? ORDER BY line_no',
      [id],
    );
    const stock = await availableFor(trx, lines.map((l) => l.offer_id));
    const warehouses = await trx('warehouses').where({ deleted: false }).orderByRaw(`kind = 'partner', delivery_days, sort, name, id`).select('id', 'kind', 'delivery_days');
    const orderLines = lines.map((l) => ({
      offerId: l.offer_id, quantity: l.quantity, price: l.price,
      warehouseId: chooseWarehouse(l.warehouse_id, l.quantity, stock.get(l.offer_id) ?? {}, warehouses) ?? l.warehouse_id ?? warehouses[0]?.id ?? 0,
    }));
    const order = await createOrder(trx, {
      origin, userId: actor.userId, clientId: q.client_id, counterpartyId: q.counterparty_id, contractId: q.contract_id, lines: orderLines,
      comment: [`По запросу цены №${id}`, q.comment].filter(Boolean).join('. '),
    });
    if (!order.repeated) await holdOrderedStock(trx, { clientId: q.client_id, counterpartyId: q.counterparty_id, userId: actor.userId, lines: orderLines }, order.orderId);
    await trx('quotes').where({ id }).update({ status: 'accepted', order_id: order.orderId, updated_at: trx.fn.now() });
    return order;
  });
}

/** The buyer declines an open quote. */
export async function declineQuote(db: Db, actor: Actor, id: number): Promise<void> {
  if (actor.role !== 'buyer') throw notFound();
  await db.transaction(async (trx) => {
    const q = await scopedQuote(trx, actor, id, true);
    if (q.status === 'accepted' || q.status === 'declined') throw conflict('closed', { key: 'storeRefusals.quotes.closed' });
    await trx('quotes').where({ id }).update({ status: 'declined', updated_at: trx.fn.now() });
  });
}

export interface QuoteView {
  id: number;
  status: QuoteStatus;
  /** Answered, and its validity date is behind us. */
  expired: boolean;
  counterpartyId: number;
  desiredDate: string | null;
  validUntil: string | null;
  comment: string;
  answer: string;
  currency: string | null;
  orderId: number | null;
  total: string | null;
  lines: { lineNo: number; offerId: number; sku: string | null; name: string; requestedQuantity: string; quantity: string; price: string | null; amount: string | null }[];
}

/** One quote with its lines, if the actor may see it. */
export async function quoteView(db: Db, actor: Actor, id: number, now: Date = new Date()): Promise<QuoteView> {
  const q = await scopedQuote(db, actor, id);
  const { rows } = await db.raw(
    `SELECT l.line_no, l.offer_id, coalesce(o.sku, p.sku) AS sku, p.name, trim_scale(l.requested_quantity)::text AS requested, trim_scale(l.quantity)::text AS quantity,
            l.price::text AS price, round(l.quantity * l.price, 2)::text AS amount
       FROM quote_lines l JOIN offers o ON o.id = l.offer_id JOIN products p ON p.id = o.product_id
      WHERE l.quote_id = ? ORDER BY l.line_no`,
    [id],
  );
  const priced = rows.every((r: { price: string | null }) => r.price !== null);
  const { rows: [t] } = await db.raw(`SELECT sum(round(quantity * price, 2))::text AS total FROM quote_lines WHERE quote_id = ?`, [id]);
  return {
    id: q.id, status: q.status, expired: q.status === 'answered' && q.valid_until_text < storeToday(now), counterpartyId: q.counterparty_id,
    desiredDate: q.desired_date_text, validUntil: q.valid_until_text, comment: q.comment, answer: q.answer, currency: q.currency, orderId: q.order_id,
    total: priced ? t.total : null,
    lines: rows.map((r: Record<string, string | number | null>) => ({
      lineNo: r.line_no as number, offerId: r.offer_id as number, sku: r.sku as string | null, name: r.name as string, requestedQuantity: r.requested as string,
      quantity: r.quantity as string, price: r.price as string | null, amount: r.amount as string | null,
    })),
  };
}

/** The quotes an actor may see, newest first (a buyer: their client's; a manager: their clients'). */
export async function listQuotes(db: Db, actor: Actor, limit = 200): Promise<{ id: number; status: QuoteStatus; clientName: string; createdAt: Date; validUntil: string | null }[]> {
  const q = db('quotes as q').join('clients as c', 'c.id', 'q.client_id').orderBy('q.id', 'desc').limit(limit)
    .select('q.id', 'q.status', 'c.name as clientName', 'q.created_at as createdAt', db.raw(`to_char(q.valid_until, 'YYYY-MM-DD') AS "validUntil"`));
  if (actor.role === 'buyer') {
    q.where('q.client_id', actor.clientId ?? -1)
      .whereExists(db('users as u').where('u.id', actor.userId).whereRaw('u.client_id = q.client_id').whereRaw(grantedSql('u', 'q.counterparty_id')).select(db.raw('1')));
  } else if (actor.role === 'manager') q.where('c.manager_id', actor.managerId ?? -1);
  return q;
}

/** Who a quote's e-mails concern: its client, the buyer who asked, the client's manager. */
export async function quoteParties(db: Db, id: number): Promise<{ clientId: number; clientName: string; userId: number | null; managerId: number | null } | undefined> {
  const r = await db('quotes as q').join('clients as c', 'c.id', 'q.client_id').where('q.id', id).first('q.client_id', 'c.name', 'q.user_id', 'c.manager_id');
  return r && { clientId: r.client_id, clientName: r.name, userId: r.user_id, managerId: r.manager_id };
}

/** The quote's message thread (oldest first), if the actor may see the quote; reading marks the other side's messages read. */
export async function quoteThread(deps: ThreadDeps, actor: Actor, id: number): Promise<{ clientId: number; messages: Message[] }> {
  const q = await scopedQuote(deps.db, actor, id);
  return { clientId: q.client_id, messages: await readThread(deps, actor, q.client_id, { quoteId: id }) };
}

/** A message in the quote's thread (text and/or one file), by the buyer or the client's manager. */
export async function postQuoteMessage(deps: ThreadDeps, actor: Actor, id: number, input: { body?: string; file?: UploadedFile | null }): Promise<Message> {
  const q = await scopedQuote(deps.db, actor, id);
  return postMessage(deps, actor, q.client_id, { ...input, quoteId: id });
}

/** The client a quote belongs to, if the actor may see it (the thread's live stream and attachments). */
export async function quoteClient(db: Db, actor: Actor, id: number): Promise<number> {
  return (await scopedQuote(db, actor, id)).client_id;
}
