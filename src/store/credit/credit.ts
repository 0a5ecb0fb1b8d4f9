// A counterparty's debt and credit limit as the store shows and checks them: the mirrored
// settlements (counterparty_credit, from the accounting system) plus the store's own orders the
// system has not turned into debt yet. 1C's debt grows at shipment, so an order placed here but
// not shipped (status new or confirmed) is not in it: the store counts it itself, or a buyer could
// pass the limit with several orders each below it.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import type { CreditPolicy } from '../../mirror/records.ts';
import { add, cmp, fromUnits, toUnits } from '../shared/decimal.ts';

/** Order statuses whose amount is not in the system's debt yet (placed, not shipped or paid). */
export const OPEN_ORDER_STATUSES = ['new', 'confirmed'] as const;

export interface CreditState {
  counterpartyId: number;
  /** What the counterparty owes now (negative: paid in advance). */
  debt: string;
  /** The overdue part of the debt. */
  overdue: string;
  /** null: no credit limit. */
  limit: string | null;
  /** The store's open orders (not in the debt yet), in the credit's currency. */
  openOrders: string;
  /** limit − debt − open orders; negative when already past it; null without a limit. */
  left: string | null;
  policy: CreditPolicy;
  currency: string;
  /** The moment the system's figures are true for. */
  asOf: Date;
}

export interface Row {
  counterparty_id: string | number;
  debt: string;
  overdue: string;
  credit_limit: string | null;
  policy: CreditPolicy;
  currency: string;
  as_of: Date;
  open_orders: string;
}

const OPEN = OPEN_ORDER_STATUSES.map((s) => `'${s}'`).join(', ');
const OPEN_ORDERS = `coalesce((SELECT sum(o.total) FROM orders o
   WHERE o.counterparty_id = k.counterparty_id AND o.currency = k.currency AND o.status IN (${OPEN})), 0)::text`;

const SQL = `
  SELECT k.counterparty_id, k.debt::text, k.overdue::text, k.credit_limit::text, k.policy, k.currency, k.as_of, ${OPEN_ORDERS} AS open_orders
    FROM counterparty_credit k
   WHERE k.counterparty_id = ANY(?::bigint[]) AND NOT k.deleted`;

/**
 * One counterparty's credit as a JSON object (null without a row), for a query that reads it
 * along (the session's preload: the cabinet header costs no round trip). `counterparty`: an SQL expression.
 */
export function creditJsonSql(counterparty: string): string {
  return `(SELECT json_build_object('counterparty_id', k.counterparty_id, 'debt', k.debt::text, 'overdue', k.overdue::text,
             'credit_limit', k.credit_limit::text, 'policy', k.policy, 'currency', k.currency, 'as_of', k.as_of, 'open_orders', ${OPEN_ORDERS})
     FROM counterparty_credit k WHERE k.counterparty_id = ${counterparty} AND NOT k.deleted)`;
}

/** The state from creditJsonSql's object (its as_of arrives as text). */
export function creditFromJson(o: Omit<Row, 'as_of'> & { as_of: string | Date }): CreditState {
  return toState({ ...o, as_of: new Date(o.as_of) });
}

function toState(r: Row): CreditState {
  const openOrders = fromUnits(toUnits(r.open_orders));
  const left = r.credit_limit === null ? null : fromUnits(toUnits(r.credit_limit) - toUnits(r.debt) - toUnits(openOrders));
  return {
    counterpartyId: Number(r.counterparty_id), debt: r.debt, overdue: r.overdue, limit: r.credit_limit, openOrders, left, policy: r.policy,
    currency: r.currency, asOf: r.as_of,
  };
}

/** The credit of several counterparties (the caller scopes the ids), by id; absent: the system sent none. */
export async function creditOf(db: Db | Knex.Transaction, counterpartyIds: number[], opts: { lock?: boolean } = {}): Promise<Map<number, CreditState>> {
  if (!counterpartyIds.length) return new Map();
  // FOR UPDATE OF k: two checkouts of one counterparty take turns, so both cannot pass the limit.
  const { rows } = await db.raw<{ rows: Row[] }>(`${SQL}${opts.lock ? ' FOR UPDATE OF k' : ''}`, [counterpartyIds]);
  return new Map(rows.map((r) => [Number(r.counterparty_id), toState(r)]));
}

/** True when the limit is already used up (nothing left). */
export const limitReached = (c: CreditState): boolean => c.left !== null && cmp(c.left, '0') <= 0;

/** Sum of decimal strings, exact. */
export const sum = (vs: string[]): string => vs.reduce((a, v) => add(a, v), '0');
