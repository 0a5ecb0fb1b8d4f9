// Reservations: hold a quantity of an offer at a warehouse for a counterparty, for a period.
// Never oversell: available = stock − active reservations, checked while the stock row is
// locked (SELECT … FOR UPDATE), so concurrent reservations of the same row queue up.
// Open carts do NOT reduce availability (a cart is a wish; a reservation is a promise).
// When the offer's source delivers reservations (sources.outbound), each change writes an outbox
// row for the accounting system in the same transaction; otherwise the store keeps them to itself.
import type { Knex } from 'knex';
import { DomainError, type DomainErrorType, type Message } from '../../infra/domain-error.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { assertUserMayOrder, judgeOrdering, ORDERING_FACTS_SQL, type OrderingFacts, orderingFactsBindings } from '../company/access.ts';
import { createOrder } from '../orders/create.ts';
import { trimQuantity } from '../shared/quantity.ts';
import { DETAILS_SQL, type ReservationView, reservationDetails } from './details.ts';
import { placeReservation } from './reserve-batch.ts';
import { RESERVATION_SETTINGS_SQL, reservationSettings, reservationSettingsBindings, resolveReservationSettings } from './settings.ts';
import { handOverExpiry, queueWaitlistCheck } from './timers.ts';
import { publishStoreEvents, type ReservationEvent, type StoreEvent } from '../shared/events.ts';

/** Who acts: the signed-in buyer's client and current counterparty (a Viewer fits). */
export interface Actor {
  userId: number | null;
  clientId: number;
  counterpartyId: number;
  contractId?: number | null;
  /**
   * The legal entities the user acts for (Viewer.counterpartyIds): reservations of the client's
   * other entities are not theirs (404). Omitted: the whole client's.
   */
  counterpartyIds?: number[];
}

const cpScope = (actor: Pick<Actor, 'counterpartyIds'>) => (actor.counterpartyIds ? 'AND r.counterparty_id = ANY(?::bigint[])' : '');
const cpBinding = (actor: Pick<Actor, 'counterpartyIds'>) => (actor.counterpartyIds ? [actor.counterpartyIds] : []);

/** The cases a reservation is refused for (DomainError codes `reservation.<case>`). */
export type ReservationRefusal = 'quantity' | 'none' | 'not_found' | 'not_enough_stock' | 'not_active' | 'not_extendable' | 'short';

const TYPE_OF: Record<ReservationRefusal, DomainErrorType> = {
  quantity: 'invalid',
  none: 'invalid',
  not_found: 'not_found',
  not_enough_stock: 'conflict',
  not_active: 'conflict',
  not_extendable: 'conflict',
  short: 'conflict',
};

/** A refusal with a message fit for the buyer; `available` (what could be reserved) in details. */
function refused(what: ReservationRefusal, message: Message, details?: { available: string }): DomainError {
  return new DomainError(TYPE_OF[what], message, { code: `reservation.${what}`, details });
}

// The texts as catalog keys with values (storeErrors.reservation.*): the web shows them in the reader's language.
const ENDED = new Set(['cancelled', 'expired', 'ordered']);
const MSG = {
  quantity: { key: 'storeErrors.reservation.quantity' },
  notStocked: { key: 'storeErrors.reservation.notStocked' },
  notFound: { key: 'storeErrors.reservation.notFound' },
  notEnough: (available: string, asked: string, unit: string | null): Message => ({ key: 'storeErrors.reservation.notEnough', params: { available, asked, unit: unit ?? '' } }),
  ended: (id: number, state: string): Message => ({ key: `storeErrors.reservation.ended.${ENDED.has(state) ? state : 'other'}`, params: { id } }),
  noExtension: { key: 'storeErrors.reservation.noExtension' },
  extensionsUsed: (n: number): Message => ({ key: 'storeErrors.reservation.extensionsUsed', params: { count: n } }),
  short: (id: number): Message => ({ key: 'storeErrors.reservation.short', params: { id } }),
  none: { key: 'storeErrors.reservation.none' },
} satisfies Record<string, Message | ((...a: never[]) => Message)>;

export function parseQuantity(v: unknown): string {
  const s = String(v ?? '').trim().replace(',', '.');
  if (!/^\d{1,12}(\.\d{1,3})?$/.test(s) || Number(s) <= 0) throw refused('quantity', MSG.quantity);
  return s.replace(/^0+(?=\d)/, '');
}

const toTimers = (rows: { id: number; expiresAt: Date }[]) => rows.map((r) => ({ id: r.id, expiresAt: new Date(r.expiresAt) }));
const event = (r: Pick<ReservationView, 'id' | 'clientId' | 'offerId' | 'warehouseId'>, change: ReservationEvent['change']): StoreEvent => ({
  type: 'reservation',
  change,
  reservationId: r.id,
  clientId: r.clientId,
  offerId: r.offerId,
  warehouseId: r.warehouseId,
});

export interface ReserveInput {
  offerId: number;
  warehouseId: number;
  quantity: unknown;
}

export async function reserve(rt: Runtime, actor: Actor, input: ReserveInput): Promise<ReservationView> {
  const quantity = parseQuantity(input.quantity);
  // The company role and the entity grant as the database has them now, and the period: one round trip.
  const { rows: pre } = await rt.db.raw<{ rows: (OrderingFacts & { reservation_globals: Record<string, unknown> | null; reservation_own: unknown })[] }>(
    `SELECT ${ORDERING_FACTS_SQL}, ${RESERVATION_SETTINGS_SQL}
       FROM (VALUES (1)) one LEFT JOIN users u ON u.id = ? AND u.disabled_at IS NULL`,
    [...orderingFactsBindings(actor.counterpartyId), ...reservationSettingsBindings(actor.clientId), actor.userId],
  );
  if (actor.userId !== null) judgeOrdering(pre[0]);
  const { periodHours } = resolveReservationSettings(pre[0]!.reservation_globals, pre[0]!.reservation_own);
  // cp_reserve (migrations 20261202110001, 20261207660001) locks the stock row, checks stock −
  // active reservations and writes the reservation and its outbox row atomically; calls arriving
  // together share one statement and one commit (reserve-batch.ts).
  const who = { clientId: actor.clientId, counterpartyId: actor.counterpartyId, userId: actor.userId, offerId: input.offerId, warehouseId: input.warehouseId, quantity };
  const row = await placeReservation(rt, { ...who, periodHours });
  if (!row) throw refused('not_enough_stock', MSG.notStocked, { available: '0' });
  if (row.id === null) {
    const available = trimQuantity(row.available);
    throw refused('not_enough_stock', MSG.notEnough(available, quantity, row.unit), { available });
  }
  const view: ReservationView = {
    id: row.id,
    ...who,
    state: 'active',
    short: false,
    expiresAt: row.expiresAt!,
    createdAt: row.createdAt!,
    endedAt: null,
    extensions: 0,
    orderHold: false,
    orderId: null,
    orderNumber: null,
    itemName: row.itemName,
    sku: row.sku,
    unit: row.unit,
    warehouseName: row.warehouseName,
    stock: row.stock,
    userEmail: null,
    userName: null,
  };
  await Promise.all([handOverExpiry(rt, toTimers([view])), publishStoreEvents(rt, [event(view, 'placed')])]);
  return view;
}

/** The actor's client's reservations, newest first (active ones first). */
export async function listReservations(rt: Runtime, actor: Pick<Actor, 'clientId' | 'counterpartyIds'>, opts: { activeOnly?: boolean; limit?: number } = {}): Promise<ReservationView[]> {
  const { rows } = await rt.db.raw<{ rows: ReservationView[] }>(
    `${DETAILS_SQL} WHERE r.client_id = ? ${cpScope(actor)} AND NOT r.order_hold ${opts.activeOnly ? "AND r.state = 'active'" : ''}
      ORDER BY (r.state = 'active') DESC, r.expires_at, r.id DESC LIMIT ?`,
    [actor.clientId, ...cpBinding(actor), opts.limit ?? 200],
  );
  return rows;
}

export async function getReservation(rt: Runtime, actor: Pick<Actor, 'clientId' | 'counterpartyIds'>, id: number): Promise<ReservationView> {
  const [r] = await reservationDetails(rt.db, [id]);
  if (!r || r.clientId !== actor.clientId || r.orderHold) throw refused('not_found', MSG.notFound);
  if (actor.counterpartyIds && !actor.counterpartyIds.includes(r.counterpartyId)) throw refused('not_found', MSG.notFound);
  return r;
}

/** Locks the actor's reservations (404 for anything not theirs) and checks they are active. */
async function lockOwn(trx: Knex.Transaction, actor: Actor, ids: number[]) {
  await assertUserMayOrder(trx, actor.userId, actor.counterpartyId);
  const { rows } = await trx.raw<{ rows: { id: number; state: string; short: boolean; extensions: number; expires_at: Date; counterparty_id: number }[] }>(
    `SELECT id, state, short, extensions, expires_at, counterparty_id FROM reservations r
      WHERE id = ANY(?::bigint[]) AND client_id = ? ${cpScope(actor)} AND NOT order_hold ORDER BY id FOR UPDATE`,
    [ids, actor.clientId, ...cpBinding(actor)],
  );
  if (rows.length !== new Set(ids).size) throw refused('not_found', MSG.notFound);
  for (const r of rows) if (r.state !== 'active') throw refused('not_active', MSG.ended(r.id, r.state));
  return rows;
}

export async function cancelReservation(rt: Runtime, actor: Actor, id: number): Promise<ReservationView> {
  await rt.db.transaction(async (trx) => {
    await lockOwn(trx, actor, [id]);
    await trx.raw("UPDATE reservations SET state = 'cancelled', ended_at = now() WHERE id = ?", [id]);
    await releaseInOutbox(trx, [id], 'cancelled');
  });
  const view = await getReservation(rt, actor, id);
  await publishStoreEvents(rt, [event(view, 'cancelled')]);
  await queueWaitlistCheck(rt, [view.offerId]);
  return view;
}

export async function extendReservation(rt: Runtime, actor: Actor, id: number): Promise<ReservationView> {
  const settings = await reservationSettings(rt.db, actor.clientId);
  if (!settings.extensionAllowed) throw refused('not_extendable', MSG.noExtension);
  const res = await rt.db.transaction(async (trx) => {
    const [r] = await lockOwn(trx, actor, [id]);
    if (r!.extensions >= settings.maxExtensions) throw refused('not_extendable', MSG.extensionsUsed(r!.extensions));
    const { rows } = await trx.raw<{ rows: { id: number; expiresAt: Date }[] }>(
      `UPDATE reservations SET expires_at = greatest(expires_at, now() + make_interval(secs => ?)), extensions = extensions + 1, warned_at = NULL
        WHERE id = ? RETURNING id, expires_at AS "expiresAt"`,
      [settings.periodHours * 3600, id],
    );
    await trx.raw(
      `INSERT INTO outbox (source_id, kind, idempotency_key, ordering_key, payload)
       SELECT o.source_id, 'reservation.extend', 'reservation.extend:' || r.id || ':' || r.extensions, 'reservation:' || r.id,
              jsonb_build_object('reservationId', r.id, 'expiresAt', r.expires_at)
         ${HELD_BY_DELIVERING_SOURCE} WHERE r.id = ?`,
      ['reservation.extend', id],
    );
    return rows[0]!;
  });
  await handOverExpiry(rt, toTimers([res]));
  const view = await getReservation(rt, actor, id);
  await publishStoreEvents(rt, [event(view, 'extended')]);
  return view;
}

// Reservations the accounting system holds too (placed there), whose source still delivers the
// kind given as the first binding: only their changes are written for it.
const HELD_BY_DELIVERING_SOURCE = `FROM reservations r JOIN offers o ON o.id = r.offer_id
  JOIN sources s ON s.id = o.source_id AND ?::text = ANY(s.outbound) AND r.held_by_source`;

async function releaseInOutbox(trx: Knex.Transaction | Knex, ids: number[], reason: 'cancelled' | 'expired' | 'ordered'): Promise<void> {
  if (!ids.length) return;
  await trx.raw(
    `INSERT INTO outbox (source_id, kind, idempotency_key, ordering_key, payload)
     SELECT o.source_id, 'reservation.release', 'reservation.release:' || r.id, 'reservation:' || r.id,
            jsonb_build_object('reservationId', r.id, 'reason', ?::text)
       ${HELD_BY_DELIVERING_SOURCE} WHERE r.id = ANY(?::bigint[])
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [reason, 'reservation.release', ids],
  );
}

export interface ConvertedOrder {
  orderId: number;
  number: string;
  total: string;
  currency: string;
  /** Over the buyer's limits: waits for an owner's approval (src/store/approvals). */
  awaitingApproval: boolean;
  approvalMessage?: string;
}

/**
 * Turns active reservations of the current counterparty into one order (createOrder, the same
 * as a checkout: one number format, money in SQL, one source and currency per order); they end
 * as "ordered". Refusals of the order itself are createOrder's (codes order.*).
 */
export async function convertToOrder(rt: Runtime, actor: Actor, ids: number[], comment = '', opts: { creditConfirmed?: boolean } = {}): Promise<ConvertedOrder> {
  const unique = [...new Set(ids)];
  if (!unique.length) throw refused('none', MSG.none);
  const order = await rt.db.transaction(async (trx) => {
    const locked = await lockOwn(trx, actor, unique);
    for (const r of locked) {
      if (r.counterparty_id !== actor.counterpartyId) throw refused('not_found', MSG.notFound);
      if (r.short) throw refused('short', MSG.short(r.id));
    }
    const details = await reservationDetails(trx, unique);
    const created = await createOrder(trx, {
      origin: { kind: 'reservations', reservationIds: unique },
      userId: actor.userId,
      clientId: actor.clientId,
      counterpartyId: actor.counterpartyId,
      // The buyer's current contract, else the counterparty's default (as their prices show).
      contractId: actor.contractId ?? 'default',
      lines: details.map((d) => ({ offerId: d.offerId, warehouseId: d.warehouseId, quantity: trimQuantity(d.quantity) })),
      comment,
      creditConfirmed: opts.creditConfirmed,
    });
    if (!created.repeated && created.awaitingApproval) {
      // Over the buyer's limits, the order waits for an owner (src/store/approvals): the
      // reservations stay active as its stock hold (and held in the accounting system, if it
      // holds them) until the decision — approved: they end like any order's hold; rejected:
      // cancelled and released.
      await trx('reservations').whereIn('id', unique).update({ order_id: created.orderId, order_hold: true });
    } else if (!created.repeated) {
      await trx('reservations').whereIn('id', unique).update({ state: 'ordered', order_id: created.orderId, ended_at: trx.fn.now() });
      await releaseInOutbox(trx, unique, 'ordered');
    }
    return { ...created, details };
  });
  await publishStoreEvents(rt, order.details.map((d) => event(d, 'ordered')));
  return { orderId: order.orderId, number: order.number, total: order.total, currency: order.currency, awaitingApproval: order.awaitingApproval, approvalMessage: order.approvalMessage };
}

export { releaseInOutbox };
