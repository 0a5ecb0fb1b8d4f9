// Order templates and draft carts (`saved_carts`): named lists of lines of one buyer for one
// legal entity. Every query names the owner (client, user, legal entity): another employee's or
// another client's id is "not found". A template is saved from the cart and stays after each
// order from it (a gone or short line is named, the rest added); a draft is the cart put aside,
// and switching to it swaps it with the current cart (which becomes a draft when it has lines).
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { addToCart, type CartOwner, cartId } from './cart.ts';

export type SavedKind = 'template' | 'draft';

export interface SavedOwner extends CartOwner {
  clientId: number;
}

/** Per kind, buyer and legal entity. */
export const MAX_SAVED = 50;
const MAX_NAME = 100;
/** The name of a put-aside cart that had none. */
const DEFAULT_DRAFT = 'Отложенная корзина';

export interface SavedSummary {
  id: number;
  name: string;
  lines: number;
  updatedAt: Date;
}

export interface SavedDetail {
  id: number;
  name: string;
  lines: { offerId: number | null; sku: string | null; name: string; quantity: string; gone: boolean }[];
}

/** A name from a form: trimmed, inner runs of spaces as one; required unless `fallback` is given. */
export function savedName(raw: unknown, fallback?: string): string {
  const name = (typeof raw === 'string' ? raw : '').replace(/\s+/g, ' ').trim();
  if (!name) {
    if (fallback) return fallback;
    throw new DomainError('invalid', { key: 'storeRefusals.saved.noName' }, { code: 'saved.name' });
  }
  if (name.length > MAX_NAME) throw new DomainError('invalid', { key: 'storeRefusals.saved.nameTooLong', params: { max: MAX_NAME } }, { code: 'saved.name' });
  return name;
}

const ownerWhere = (o: SavedOwner, kind: SavedKind) => ({ kind, client_id: o.clientId, user_id: o.userId, counterparty_id: o.counterpartyId });

async function own(db: Db | Knex.Transaction, o: SavedOwner, kind: SavedKind, id: number, lock = false): Promise<{ id: number; name: string }> {
  const q = db('saved_carts').where({ id, ...ownerWhere(o, kind) }).first('id', 'name');
  if (lock) q.forUpdate();
  const row = await q;
  if (!row) throw new DomainError('not_found', { key: `storeRefusals.saved.${kind}.notFound` }, { code: 'saved.not_found' });
  return row;
}

export async function listSaved(db: Db, o: SavedOwner, kind: SavedKind): Promise<SavedSummary[]> {
  const rows = await db('saved_carts as s')
    .where(Object.fromEntries(Object.entries(ownerWhere(o, kind)).map(([k, v]) => [`s.${k}`, v])))
    .select('s.id', 's.name', 's.updated_at', db.raw('(SELECT count(*)::int FROM saved_cart_lines l WHERE l.saved_cart_id = s.id) AS lines'))
    .orderBy([{ column: 's.name' }, { column: 's.id' }]);
  return rows.map((r: { id: number; name: string; updated_at: Date; lines: number }) => ({ id: r.id, name: r.name, lines: r.lines, updatedAt: r.updated_at }));
}

export async function savedDetail(db: Db, o: SavedOwner, kind: SavedKind, id: number): Promise<SavedDetail> {
  const s = await own(db, o, kind, id);
  const { rows } = await db.raw(
    `SELECT l.offer_id, coalesce(coalesce(o.sku, p.sku), l.sku) AS sku, coalesce(p.name, l.name) AS name, l.quantity::text AS quantity,
            (o.id IS NULL OR o.deleted OR p.deleted) AS gone
       FROM saved_cart_lines l LEFT JOIN offers o ON o.id = l.offer_id LEFT JOIN products p ON p.id = o.product_id
      WHERE l.saved_cart_id = ? ORDER BY l.line_no`,
    [s.id],
  );
  return {
    id: s.id,
    name: s.name,
    lines: rows.map((r: { offer_id: number | null; sku: string | null; name: string; quantity: string; gone: boolean }) => ({ offerId: r.offer_id, sku: r.sku, name: r.name, quantity: r.quantity, gone: r.gone })),
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';
const duplicate = (kind: SavedKind, name: string) => new DomainError('conflict', { key: `storeRefusals.saved.${kind}.duplicate`, params: { name } }, { code: 'saved.duplicate' });

/** Copies the current cart's lines (SKU and name kept) into a new saved cart; returns its id. */
async function copyCart(trx: Knex.Transaction, o: SavedOwner, kind: SavedKind, name: string, cart: number, limited = true): Promise<number> {
  const [{ n }] = await trx('saved_carts').where(ownerWhere(o, kind)).count<{ n: string }[]>('* as n');
  if (limited && Number(n) >= MAX_SAVED) {
    throw new DomainError('conflict', { key: 'storeRefusals.saved.limit', params: { max: MAX_SAVED } }, { code: 'saved.limit' });
  }
  let id: number;
  try {
    const [row] = await trx('saved_carts').insert({ ...ownerWhere(o, kind), name }).returning('id');
    id = row!.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(kind, name);
    throw err;
  }
  await trx.raw(
    `INSERT INTO saved_cart_lines (saved_cart_id, line_no, offer_id, sku, name, warehouse_id, quantity)
     SELECT ?, row_number() OVER (ORDER BY l.added_at, l.offer_id), l.offer_id, coalesce(o.sku, p.sku), p.name, l.warehouse_id, l.quantity
       FROM cart_lines l JOIN offers o ON o.id = l.offer_id JOIN products p ON p.id = o.product_id
      WHERE l.cart_id = ?`,
    [id, cart],
  );
  return id;
}

/** A name not yet taken among the owner's drafts: "name", "name (2)", … */
async function freeDraftName(trx: Knex.Transaction, o: SavedOwner, name: string): Promise<string> {
  const taken = new Set((await trx('saved_carts').where(ownerWhere(o, 'draft')).pluck('name')) as string[]);
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) {
    const next = `${name.slice(0, MAX_NAME - 6)} (${i})`;
    if (!taken.has(next)) return next;
  }
}

async function cartLineCount(trx: Knex.Transaction, cart: number): Promise<number> {
  const [{ n }] = await trx('cart_lines').where({ cart_id: cart }).count<{ n: string }[]>('* as n');
  return Number(n);
}

/**
 * Saves the current cart as a template (the cart stays) or puts it aside as a draft (the cart is
 * emptied; a draft without a name takes the cart's or a default one). Refuses an empty cart.
 */
export async function saveCart(db: Db, o: SavedOwner, kind: SavedKind, rawName: unknown): Promise<{ id: number; name: string }> {
  return db.transaction(async (trx) => {
    const cart = await cartId(trx, o);
    const current = await trx('carts').where({ id: cart }).forUpdate().first('name');
    if ((await cartLineCount(trx, cart)) === 0) throw new DomainError('conflict', { key: 'storeRefusals.saved.emptyCart' }, { code: 'saved.empty_cart' });
    const name = kind === 'draft' && !String(rawName ?? '').trim() ? await freeDraftName(trx, o, current?.name ?? DEFAULT_DRAFT) : savedName(rawName);
    const id = await copyCart(trx, o, kind, name, cart);
    if (kind === 'draft') {
      await trx('cart_lines').where({ cart_id: cart }).delete();
      await trx('carts').where({ id: cart }).update({ name: null, updated_at: trx.fn.now() });
    }
    return { id, name };
  });
}

export async function renameSaved(db: Db, o: SavedOwner, kind: SavedKind, id: number, rawName: unknown): Promise<string> {
  const s = await own(db, o, kind, id);
  const name = savedName(rawName);
  try {
    await db('saved_carts').where({ id: s.id }).update({ name, updated_at: db.fn.now() });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(kind, name);
    throw err;
  }
  return name;
}

export async function deleteSaved(db: Db, o: SavedOwner, kind: SavedKind, id: number): Promise<string> {
  const s = await own(db, o, kind, id);
  await db('saved_carts').where({ id: s.id }).delete();
  return s.name;
}

const goneText = (l: { sku: string | null; name: string }) => `${l.sku ?? l.name}: этого товара больше нет в каталоге.`;

/** Adds a template's lines to the cart (summed with what is there); a gone or short line is named, not added. */
export async function orderFromTemplate(db: Db, o: SavedOwner, id: number): Promise<{ name: string; added: number; errors: string[] }> {
  const t = await savedDetail(db, o, 'template', id);
  let added = 0;
  const errors: string[] = [];
  for (const l of t.lines) {
    if (l.gone || l.offerId === null) {
      errors.push(goneText(l));
      continue;
    }
    try {
      await addToCart(db, o, l.offerId, l.quantity);
      added++;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push(`${l.sku ?? l.name}: ${err.message}`);
    }
  }
  return { name: t.name, added, errors };
}

/**
 * Makes a draft the current cart: the current cart, when it has lines, becomes a draft under its
 * own name (or a default one); the draft's lines (warehouses kept) become the cart's, except those
 * whose product is gone, which are named. One transaction.
 */
export async function switchToDraft(db: Db, o: SavedOwner, id: number): Promise<{ name: string; restored: number; parked: string | null; errors: string[] }> {
  return db.transaction(async (trx) => {
    const draft = await own(trx, o, 'draft', id, true);
    const { rows } = await trx.raw(
      `SELECT l.offer_id, l.sku, l.name, l.warehouse_id, l.quantity::text AS quantity, (o.id IS NULL OR o.deleted OR p.deleted) AS gone
         FROM saved_cart_lines l LEFT JOIN offers o ON o.id = l.offer_id LEFT JOIN products p ON p.id = o.product_id
        WHERE l.saved_cart_id = ? ORDER BY l.line_no`,
      [draft.id],
    );
    const lines = rows as { offer_id: number | null; sku: string | null; name: string; warehouse_id: number | null; quantity: string; gone: boolean }[];
    // The opened draft becomes the cart: its row goes first, so its name is free for the cart put aside.
    await trx('saved_carts').where({ id: draft.id }).delete();
    const cart = await cartId(trx, o);
    const current = await trx('carts').where({ id: cart }).forUpdate().first('name');
    let parked: string | null = null;
    if ((await cartLineCount(trx, cart)) > 0) {
      parked = await freeDraftName(trx, o, current?.name ?? DEFAULT_DRAFT);
      await copyCart(trx, o, 'draft', parked, cart, false); // no limit: one draft for another
      await trx('cart_lines').where({ cart_id: cart }).delete();
    }
    const keep = lines.filter((l) => !l.gone && l.offer_id !== null);
    if (keep.length) {
      await trx('cart_lines').insert(keep.map((l, i) => ({ cart_id: cart, offer_id: l.offer_id!, warehouse_id: l.warehouse_id, quantity: l.quantity, added_at: new Date(Date.now() + i) })));
    }
    await trx('carts').where({ id: cart }).update({ name: draft.name, updated_at: trx.fn.now() });
    return { name: draft.name, restored: keep.length, parked, errors: lines.filter((l) => l.gone || l.offer_id === null).map(goneText) };
  });
}

/** The current cart's name and line count (without creating it). */
export async function currentCart(db: Db, o: SavedOwner): Promise<{ name: string | null; lines: number }> {
  const row = await db('carts as c')
    .where({ 'c.user_id': o.userId, 'c.counterparty_id': o.counterpartyId })
    .first('c.name', db.raw('(SELECT count(*)::int FROM cart_lines l WHERE l.cart_id = c.id) AS lines'));
  return { name: row?.name ?? null, lines: row?.lines ?? 0 };
}
