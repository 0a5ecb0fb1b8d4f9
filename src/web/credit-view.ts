// Debt and credit limit on the web: the cabinet header's figures for the current legal entity
// (a middleware), the same figures beside each legal entity on staff pages, and the checkout's
// forecast. Reads src/store/credit; the partial is views/partials/credit-figures.hbs.
import type { NextFunction, Request, Response } from 'express';
import type { Runtime } from '../infra/runtime.ts';
import { creditMessage, evaluateCredit } from '../store/credit/check.ts';
import type { PreloadedBadges } from '../store/accounts/badges.ts';
import { type CreditState, creditFromJson, creditOf } from '../store/credit/credit.ts';
import { cmp } from '../store/shared/decimal.ts';
import type { Viewer } from './auth/context.ts';

export interface CreditView {
  debt: string;
  overdue: string;
  hasOverdue: boolean;
  limit: string | null;
  /** What is left, never below zero; `overBy` says how far the limit is already passed. */
  left: string | null;
  overBy: string | null;
  openOrders: string | null;
  reached: boolean;
  currency: string;
  asOf: Date;
}

const sign = (v: string) => (v.startsWith('-') ? v.slice(1) : `-${v}`);

export function creditView(c: CreditState | undefined): CreditView | null {
  if (!c) return null;
  const past = c.left !== null && cmp(c.left, '0') < 0;
  return {
    debt: c.debt, overdue: c.overdue, hasOverdue: cmp(c.overdue, '0') > 0, limit: c.limit, left: c.left === null ? null : past ? '0.00' : c.left,
    overBy: past ? sign(c.left!) : null, openOrders: cmp(c.openOrders, '0') > 0 ? c.openOrders : null, reached: c.left !== null && cmp(c.left, '0') <= 0,
    currency: c.currency, asOf: c.asOf,
  };
}

/** res.locals.credit on a buyer's pages: the figures of the legal entity they buy for. */
export function creditHeader(rt: Runtime) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const v = res.locals.viewer as Viewer | undefined;
    if (req.method === 'GET' && v?.role === 'buyer' && v.counterpartyId !== null && !(req.get('hx-request') && !req.get('hx-boosted'))) {
      // Read along with the session (withBadges) when that read it for this counterparty, else one query.
      const pre = req.session.preloaded as { id?: number; badges?: PreloadedBadges | null } | null | undefined;
      const b = pre?.id === v.userId ? pre.badges : null;
      const state = b && b.counterpartyId === v.counterpartyId && b.credit !== undefined
        ? (b.credit ? creditFromJson(b.credit) : undefined)
        : (await creditOf(rt.db, [v.counterpartyId])).get(v.counterpartyId);
      res.locals.credit = creditView(state);
    }
    next();
  };
}

/** The given (already scoped) legal entities, each with its `credit` figures. */
export async function withCredit<T extends { id: number }>(rt: Runtime, counterparties: T[]): Promise<(T & { credit: CreditView | null })[]> {
  const credit = await creditOf(rt.db, counterparties.map((c) => c.id));
  return counterparties.map((c) => ({ ...c, credit: creditView(credit.get(c.id)) }));
}

/** The checkout's forecast: would this cart pass the limit? The message and whether it may be confirmed. */
export async function cartCredit(rt: Runtime, counterpartyId: number, total: string | null, currency: string | null) {
  const credit = (await creditOf(rt.db, [counterpartyId])).get(counterpartyId);
  const figures = creditView(credit);
  if (!credit || !total || !currency) return { figures, forecast: null };
  const v = evaluateCredit(credit, total, currency);
  return { figures, forecast: v.outcome === 'ok' ? null : { message: creditMessage(v), confirmable: v.outcome === 'warn' } };
}
