// The credit check of an order: would debt + the store's open orders + this order pass the
// counterparty's credit limit? The policy from the accounting system decides what happens then:
// 'refuse' — the order is refused (409, code order.credit_refused); 'warn' — it is refused until
// the buyer confirms it knowingly (409, code order.credit_warning, then `confirmed`). The message
// names the figures. Exact money throughout (src/store/shared/decimal.ts, never floats).
import type { Knex } from 'knex';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { cmp, fromUnits, mul, toUnits } from '../shared/decimal.ts';
import { type CreditState, creditOf } from './credit.ts';

export interface CreditVerdict {
  /** 'ok': within the limit, or no limit, or another currency than the credit's. */
  outcome: 'ok' | 'refuse' | 'warn';
  /** How far the order would pass the limit ("0.00" when it does not). */
  over: string;
  order: string;
  credit: CreditState | null;
}

/** The order's total as createOrder writes it: the sum of round(quantity × price, 2), exact. */
export function orderTotal(lines: { quantity: string; price: string }[]): string {
  return fromUnits(lines.reduce((s, l) => s + toUnits(mul(l.quantity, l.price, 2)), 0n));
}

/** Pure: the verdict for an order of `order` (in `currency`) against `credit`. */
export function evaluateCredit(credit: CreditState | null, order: string, currency: string): CreditVerdict {
  const none = { outcome: 'ok' as const, over: '0.00', order, credit };
  // No settlements, no limit, or an order in another currency than the limit's: nothing to compare.
  if (!credit || credit.limit === null || credit.currency !== currency) return none;
  const over = fromUnits(toUnits(credit.debt) + toUnits(credit.openOrders) + toUnits(order) - toUnits(credit.limit));
  if (cmp(over, '0') <= 0) return none;
  return { outcome: credit.policy, over, order, credit };
}

/** "1234567.5" → "1 234 567,50 ₽" (the store module may not use the web's formats). */
export function rub(v: string, currency = 'RUB'): string {
  const neg = v.startsWith('-');
  const [i = '0', f = ''] = (neg ? v.slice(1) : v).split('.');
  const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${neg ? '−' : ''}${grouped},${(f + '00').slice(0, 2)}\u00a0${currency === 'RUB' ? '₽' : currency}`;
}

/** The figures, in Russian: limit, debt (its overdue part), open orders, this order, over by. */
export function creditMessage(v: CreditVerdict): Message {
  const c = v.credit!;
  // one catalog text per combination: the overdue part and the orders in progress only when non-zero
  const overdue = cmp(c.overdue, '0') > 0 ? 'Overdue' : '';
  const open = cmp(c.openOrders, '0') > 0 ? 'Open' : '';
  return {
    key: `storeRefusals.credit.${v.outcome === 'refuse' ? 'refuse' : 'warn'}${overdue}${open}`,
    params: { limit: c.limit, debt: c.debt, overdue: c.overdue, openOrders: c.openOrders, order: v.order, over: v.over, currency: c.currency },
  };
}

export interface CreditCheckInput {
  counterpartyId: number;
  currency: string;
  lines: { quantity: string; price: string }[];
  /** The buyer confirmed an order past the limit (policy 'warn'). */
  confirmed: boolean;
}

/**
 * In createOrder's transaction: locks the counterparty's settlements row (concurrent checkouts
 * of one counterparty take turns), then refuses an order past the limit — or, with policy 'warn',
 * lets it through only when confirmed. Returns the verdict (the caller may show the warning).
 */
export async function checkCredit(trx: Knex.Transaction, input: CreditCheckInput): Promise<CreditVerdict> {
  const credit = (await creditOf(trx, [input.counterpartyId], { lock: true })).get(input.counterpartyId) ?? null;
  const v = evaluateCredit(credit, orderTotal(input.lines), input.currency);
  const details = v.credit && { ...v.credit, order: v.order, over: v.over };
  if (v.outcome === 'refuse') throw new DomainError('conflict', creditMessage(v), { code: 'order.credit_refused', details });
  if (v.outcome === 'warn' && !input.confirmed) throw new DomainError('conflict', creditMessage(v), { code: 'order.credit_warning', details });
  return v;
}
