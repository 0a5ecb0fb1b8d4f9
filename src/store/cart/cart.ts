// One cart per user × counterparty: lines with a quantity and an optional warehouse.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { availableFor } from '../catalog/availability.ts';
import { add, cmp, mul } from '../shared/decimal.ts';
import { type OfferPrice, priceAt, pricesFor, type PriceScope } from '../pricing/pricing.ts';
import { parseQuickOrder, type QuickLine } from './quick-order.ts';

export interface CartOwner {
  userId: number;
  counterpartyId: number;
  contractId: number | null;
}

export async function cartId(db: Db | Knex.Transaction, o: CartOwner): Promise<number> {
  const { rows } = await db.raw(
    `INSERT INTO carts (user_id, counterparty_id, contract_id) VALUES (?, ?, ?)
     ON CONFLICT (user_id, counterparty_id) DO UPDATE SET contract_id = EXCLUDED.contract_id, updated_at = now()
     RETURNING id`,
    [o.userId, o.counterpartyId, o.contractId],
  );
  return rows[0].id;
}

interface OfferInfo {
  id: number;
  sku: string | null;
  name: string;
  unit: string | null;
}

async function liveOffer(db: Db, offerId: number): Promise<OfferInfo | null> {
  const row = await db('offers as o')
    .join('products as p', 'p.id', 'o.product_id')
    .where({ 'o.id': offerId, 'o.deleted': false, 'p.deleted': false })
    .first('o.id', db.raw('coalesce(o.sku, p.sku) AS sku'), 'p.name', 'p.unit');
  return row ?? null;
}

function totalAvailable(stock: Record<string, string> | undefined): string {
  return Object.values(stock ?? {}).reduce((s, q) => add(s, q, 3), '0');
}

/**
 * Adds qty of an offer (summed with what is already in the cart). Refuses with a clear
 * message when the offer is unknown or more than is available anywhere would be in the cart.
 */
export async function addToCart(db: Db, o: CartOwner, offerId: number, qty: string): Promise<{ inCart: string; name: string }> {
  const offer = await liveOffer(db, offerId);
  if (!offer) throw new DomainError('not_found', { key: 'storeErrors.cart.noOffer' }, { code: 'cart.no_offer' });
  const id = await cartId(db, o);
  const current = await db('cart_lines').where({ cart_id: id, offer_id: offerId }).first('quantity');
  const next = add(current?.quantity ?? '0', qty, 3);
  const avail = totalAvailable((await availableFor(db, [offerId])).get(offerId));
  if (cmp(next, avail) > 0) {
    throw new DomainError('conflict', { key: 'storeErrors.cart.stock', params: { what: offer.sku ?? offer.name, available: avail, wanted: next } }, {
      code: 'cart.stock',
      details: { available: avail, wanted: next },
    });
  }
  await db.raw(
    `INSERT INTO cart_lines (cart_id, offer_id, quantity) VALUES (?, ?, ?)
     ON CONFLICT (cart_id, offer_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
    [id, offerId, next],
  );
  return { inCart: next, name: offer.name };
}

export async function setLine(db: Db, o: CartOwner, offerId: number, qty: string | null, warehouseId?: number | null): Promise<void> {
  const id = await cartId(db, o);
  if (qty === null) {
    await db('cart_lines').where({ cart_id: id, offer_id: offerId }).delete();
    return;
  }
  const patch: Record<string, unknown> = { quantity: qty };
  if (warehouseId !== undefined) patch.warehouse_id = warehouseId;
  await db('cart_lines').where({ cart_id: id, offer_id: offerId }).update(patch);
}

export async function clearCart(db: Db | Knex.Transaction, o: CartOwner, offerIds?: number[]): Promise<void> {
  const id = await cartId(db, o);
  const q = db('cart_lines').where({ cart_id: id });
  if (offerIds) q.whereIn('offer_id', offerIds);
  await q.delete();
}

export interface CartLineView {
  offerId: number;
  sku: string | null;
  name: string;
  unit: string | null;
  quantity: string;
  /** Chosen warehouse (or the default: own first with enough, then partner by delivery days). */
  warehouseId: number | null;
  options: { warehouseId: number; name: string; partner: boolean; deliveryDays: number; available: string; price: string | null; enough: boolean; selected: boolean }[];
  price: string | null;
  amount: string | null;
  currency: string | null;
  enough: boolean;
}

export interface CartView {
  id: number;
  lines: CartLineView[];
  total: string;
  currency: string | null;
  /** What keeps the cart from being ordered, as catalog keys with values (the web translates them). */
  problems: Message[];
}

export async function cartView(db: Db, o: CartOwner): Promise<CartView> {
  const id = await cartId(db, o);
  const { rows } = await db.raw(
    `SELECT l.offer_id, l.quantity::text AS quantity, l.warehouse_id, coalesce(o.sku, p.sku) AS sku, p.name, p.unit,
            (o.deleted OR p.deleted) AS gone
       FROM cart_lines l JOIN offers o ON o.id = l.offer_id JOIN products p ON p.id = o.product_id
      WHERE l.cart_id = ? ORDER BY l.added_at, l.offer_id`,
    [id],
  );
  const offerIds = rows.map((r: { offer_id: number }) => r.offer_id);
  const scope: PriceScope = { counterpartyId: o.counterpartyId, contractId: o.contractId };
  const [prices, stock, warehouses] = await Promise.all([
    pricesFor(db, scope, offerIds),
    availableFor(db, offerIds),
    db('warehouses').where({ deleted: false }).orderByRaw(`kind = 'partner', delivery_days, sort, name, id`).select('id', 'name', 'kind', 'delivery_days'),
  ]);
  const problems: Message[] = [];
  let total = '0';
  let currency: string | null = null;
  const lines: CartLineView[] = rows.map((r: { offer_id: number; quantity: string; warehouse_id: number | null; sku: string | null; name: string; unit: string | null; gone: boolean }) => {
    const st = stock.get(r.offer_id) ?? {};
    const p = prices.get(r.offer_id);
    const chosen = chooseWarehouse(r.warehouse_id, r.quantity, st, warehouses);
    const options = warehouses
      .filter((w) => cmp(st[String(w.id)] ?? '0', '0') > 0 || w.id === chosen)
      .map((w) => ({
        warehouseId: w.id,
        name: w.name,
        partner: w.kind === 'partner',
        deliveryDays: w.delivery_days,
        available: st[String(w.id)] ?? '0',
        price: priceAt(p, w.id),
        enough: cmp(st[String(w.id)] ?? '0', r.quantity) >= 0,
        selected: w.id === chosen,
      }));
    const price = priceAt(p, chosen);
    const amount = price ? mul(price, r.quantity) : null;
    const enough = !r.gone && chosen !== null && cmp(st[String(chosen)] ?? '0', r.quantity) >= 0;
    const what = r.sku ?? r.name;
    if (r.gone) problems.push({ key: 'storeErrors.cart.gone', params: { what } });
    else if (!enough) problems.push({ key: 'storeErrors.cart.short', params: { what, available: st[String(chosen)] ?? '0', wanted: r.quantity } });
    if (!price && !r.gone) problems.push({ key: 'storeErrors.cart.noPrice', params: { what } });
    if (amount) total = add(total, amount);
    currency ??= p?.currency ?? null;
    return { offerId: r.offer_id, sku: r.sku, name: r.name, unit: r.unit, quantity: r.quantity, warehouseId: chosen, options, price, amount, currency: p?.currency ?? null, enough };
  });
  return { id, lines, total, currency, problems };
}

/**
 * The line's warehouse when the buyer chose one (even if it has run short: we never switch a
 * buyer to another warehouse, with another price, behind their back); else the first with
 * enough — own warehouses first, then partners by delivery days; else the one with most.
 */
export function chooseWarehouse(
  preferred: number | null,
  qty: string,
  stock: Record<string, string>,
  warehouses: { id: number; kind: string; delivery_days: number }[],
): number | null {
  if (preferred !== null && warehouses.some((w) => w.id === preferred)) return preferred;
  const enough = warehouses.find((w) => cmp(stock[String(w.id)] ?? '0', qty) >= 0);
  if (enough) return enough.id;
  let best: number | null = null;
  let most = '0';
  for (const w of warehouses) {
    const q = stock[String(w.id)] ?? '0';
    if (cmp(q, most) > 0) {
      best = w.id;
      most = q;
    }
  }
  return best;
}

/** A refused quick-order line: its number (none for a note about the whole paste) and why. */
export interface QuickError {
  lineNo: number | null;
  /** A catalog key with values (a plain text only from a refusal the store wrote as one). */
  message: Message | string;
}

export interface QuickResult {
  added: { lineNo: number; sku: string; qty: string }[];
  errors: QuickError[];
}

/** Quick order: parse, resolve SKUs (offer or product SKU, or barcode), add what is valid. */
export async function quickOrder(db: Db, o: CartOwner, text: string): Promise<QuickResult> {
  return addQuickLines(db, o, parseQuickOrder(text));
}

/** Resolves parsed lines (pasted or from a file) and adds what is valid, one message per refused line. */
export async function addQuickLines(db: Db, o: CartOwner, parsed: QuickLine[]): Promise<QuickResult> {
  const errors: QuickError[] = [];
  const added: QuickResult['added'] = [];
  const skus = [...new Set(parsed.flatMap((l) => ('sku' in l ? [l.sku.toLowerCase()] : [])))];
  const { rows } = skus.length
    ? await db.raw(
        `SELECT k.sku, array_agg(DISTINCT o.id) AS ids
           FROM unnest(?::text[]) AS k(sku)
           JOIN offers o ON NOT o.deleted
           JOIN products p ON p.id = o.product_id AND NOT p.deleted
          WHERE lower(o.sku) = k.sku OR (o.sku IS NULL AND lower(p.sku) = k.sku) OR o.barcode = k.sku OR p.barcode = k.sku
          GROUP BY k.sku`,
        [skus],
      )
    : { rows: [] };
  // int8[] arrive as strings (only scalar int8 has a number parser).
  const bySku = new Map<string, number[]>(rows.map((r: { sku: string; ids: (string | number)[] }) => [r.sku, r.ids.map(Number)]));
  for (const l of parsed) {
    if ('error' in l) {
      errors.push({ lineNo: l.whole ? null : l.lineNo, message: l.error });
      continue;
    }
    const ids = bySku.get(l.sku.toLowerCase()) ?? [];
    if (ids.length === 0) {
      errors.push({ lineNo: l.lineNo, message: { key: 'storeErrors.quick.unknownSku', params: { sku: l.sku } } });
      continue;
    }
    if (ids.length > 1) {
      errors.push({ lineNo: l.lineNo, message: { key: 'storeErrors.quick.variants', params: { sku: l.sku, count: ids.length } } });
      continue;
    }
    try {
      await addToCart(db, o, ids[0]!, l.qty);
      added.push({ lineNo: l.lineNo, sku: l.sku, qty: l.qty });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push({ lineNo: l.lineNo, message: err.text ?? err.userMessage });
    }
  }
  return { added, errors };
}

export type { OfferPrice };
