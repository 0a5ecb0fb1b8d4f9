// Quotes (RFQ): the buyer asks from the cart, the client's manager answers per line, the buyer
// accepts (an order at the quoted prices) or declines; both write in the quote's message thread
// (its routes: src/web/routes/messages.ts). Scope lives in src/store/quotes: a quote outside the
// actor's clients (or a legal entity the employee may not act for) is a 404 like one that does
// not exist. The manager is e-mailed when a quote is asked for, the buyer when it is answered
// (through the mail outbox, in the same transaction: src/store/quotes/notify.ts).
import { type Response, Router } from 'express';
import { formats } from '../../infra/intl.ts';
import type { Runtime } from '../../infra/runtime.ts';
import type { Actor } from '../../store/messages/messages.ts';
import { sideOf, threadActor, type ThreadDeps } from '../../store/messages/messages.ts';
import { withQuoteMail } from '../../store/quotes/notify.ts';
import { acceptQuote, answerQuote, declineQuote, listQuotes, quoteThread, quoteView, requestQuote } from '../../store/quotes/quotes.ts';
import { mayOrder } from '../../store/company/access.ts';
import { buyerScope, requireOrdering, requireRole, viewerOf } from '../auth/context.ts';
import { idParam } from '../errors.ts';
import { tOf } from '../i18n.ts';

/** A quote's status in the page's language (a status the catalogs do not name shows as it is). */
const statusText = (res: Response, status: string) => (QUOTE_STATUSES.has(status) ? tOf(res)(`quotes.statuses.${status}`) : status);
const QUOTE_STATUSES = new Set(['requested', 'answered', 'accepted', 'declined']);
/** A calendar day ("2026-12-03") in the page's locale. */
const dayOf = (res: Response, d: string | null) => formats(res.locals.locale as string | undefined).day(d);
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

const actorOf = (res: Response): Actor => threadActor(viewerOf(res));

export function quoteRoutes(rt: Runtime): Router {
  const r = Router();
  const anyone = requireRole('buyer', 'manager', 'admin');
  const deps: ThreadDeps = { db: rt.db, redis: rt.redis, prefix: rt.prefix, handOverMs: rt.config.QUEUE_HANDOVER_MS, blobs: rt.blobs };

  r.get('/quotes', ...anyone, async (_req, res) => {
    const actor = actorOf(res);
    const quotes = await listQuotes(rt.db, actor);
    res.render('quotes', {
      title: tOf(res)('quotes.title'),
      staff: actor.role !== 'buyer',
      quotes: quotes.map((q) => ({ ...q, statusText: statusText(res, q.status), validUntilText: dayOf(res, q.validUntil) })),
    });
  });

  r.post('/quotes', ...requireOrdering, async (req, res) => {
    const { viewer, counterpartyId, contractId } = buyerScope(res);
    const desired = text(req.body?.desiredDate);
    const id = await withQuoteMail(rt, 'requested', (trx) => requestQuote(trx, {
      userId: viewer.userId, clientId: viewer.clientId!, counterpartyId, contractId, desiredDate: desired || null, comment: text(req.body?.comment),
    }));
    res.redirect(303, `/quotes/${id}`);
  });

  r.get('/quotes/:id', ...anyone, async (req, res) => {
    const actor = actorOf(res);
    const q = await quoteView(rt.db, actor, idParam(req.params.id, 'quote'));
    const open = q.status === 'requested' || q.status === 'answered';
    // a viewer or an accountant reads the quote; only a role that may order accepts or declines it
    const ordering = actor.role === 'buyer' && mayOrder(viewerOf(res));
    const base = `/quotes/${q.id}/messages`;
    const { messages } = await quoteThread(deps, actor, q.id);
    res.render('quote', {
      title: tOf(res)('quotes.quoteTitle', { id: q.id }),
      q,
      statusText: q.expired ? tOf(res)('quotes.expired') : statusText(res, q.status),
      desiredDateText: dayOf(res, q.desiredDate),
      validUntilText: dayOf(res, q.validUntil),
      canAccept: ordering && q.status === 'answered' && !q.expired,
      canDecline: ordering && open,
      canAnswer: actor.role !== 'buyer' && open,
      thread: { messages, mySide: sideOf(actor), base, attachmentBase: `${base}/attachments`, quoteId: q.id },
    });
  });

  r.post('/quotes/:id/answer', ...requireRole('manager', 'admin'), async (req, res) => {
    const id = idParam(req.params.id, 'quote');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lines = Object.keys(body).flatMap((k) => {
      const n = /^price_(\d{1,4})$/.exec(k)?.[1];
      if (!n) return [];
      const quantity = text(body[`qty_${n}`]).replace(',', '.');
      return [{ lineNo: Number(n), price: text(body[k]).replace(',', '.').replace(/\s/g, ''), ...(quantity ? { quantity } : {}) }];
    });
    await withQuoteMail(rt, 'answered', async (trx) => {
      await answerQuote(trx, actorOf(res), id, { validUntil: text(body.validUntil), lines, answer: text(body.answer) });
      return id;
    });
    res.redirect(303, `/quotes/${id}`);
  });

  r.post('/quotes/:id/accept', ...requireOrdering, async (req, res) => {
    const order = await acceptQuote(rt.db, actorOf(res), idParam(req.params.id, 'quote'));
    res.redirect(303, `/orders/${order.orderId}`);
  });

  r.post('/quotes/:id/decline', ...requireOrdering, async (req, res) => {
    const id = idParam(req.params.id, 'quote');
    await declineQuote(rt.db, actorOf(res), id);
    res.redirect(303, `/quotes/${id}`);
  });

  return r;
}
