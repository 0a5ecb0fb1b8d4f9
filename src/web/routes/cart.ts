// Cart (per user × current counterparty), quick order, and checkout: only for company roles that
// may order (requireOrdering; createOrder checks again).
import { randomBytes } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { optionsFor, storeToday } from '../../store/arrivals/arrivals.ts';
import { addToCart, type CartOwner, cartView, type QuickError, type QuickResult, quickOrder, setLine } from '../../store/cart/cart.ts';
import { placeOrderWithMails } from '../../store/orders/confirmation.ts';
import { requestOrderDelivery } from '../../store/orders/export-request.ts';
import { type OrderProblem, orderProblems } from '../../store/orders/create.ts';
import { publishStoreEvents } from '../../store/shared/events.ts';
import { parseQuantity } from '../../store/cart/quick-order.ts';
import { currentCart } from '../../store/cart/saved.ts';
import { buyerScope, requireOrdering, viewerOf } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { idParam, parseId } from '../errors.ts';
import { compactOptions, optionsView } from '../delivery-options.ts';
import { qty as fmtQty } from '../format.ts';
import { cartCredit } from '../credit-view.ts';
import { safeNext } from './auth.ts';
import { tOf } from '../i18n.ts';
import type { Translate } from '../../infra/i18n/index.ts';

export function owner(res: Response): CartOwner & { clientId: number; email: string } {
  const { viewer, counterpartyId, contractId } = buyerScope(res);
  return { userId: viewer.userId, counterpartyId, contractId, clientId: viewer.clientId!, email: viewer.email };
}

function problemText(t: Translate, p: OrderProblem, orderCurrency?: string): string {
  const what = p.sku ?? p.name;
  if (p.reason === 'source') return t('cart.problem.source', { what, source: p.source });
  if (p.reason === 'currency') return t('cart.problem.currency', { what, currency: p.currency, orderCurrency });
  if (p.reason === 'gone') return t('cart.problem.gone', { what, warehouse: p.warehouse });
  if (p.reason === 'price') return t('cart.problem.price', { what });
  return t('cart.problem.stock', { what, warehouse: p.warehouse, available: fmtQty(p.available), requested: fmtQty(p.requested) });
}

/** A quick-order result with its refused lines as texts in the request's language ("Строка 2: …"). */
export function quickResultView(res: Response, r: QuickResult): Omit<QuickResult, 'errors'> & { errors: string[] } {
  const line = (e: QuickError) => {
    const text = messageText(res, e.message);
    return e.lineNo === null ? text : tOf(res)('storeErrors.quick.line', { line: e.lineNo, text });
  };
  return { ...r, errors: r.errors.map(line) };
}

/** Applies qty_<offer>, wh_<offer> and remove from the cart form. */
async function applyCartForm(rt: Runtime, t: Translate, o: CartOwner, body: Record<string, unknown>): Promise<string[]> {
  const errors: string[] = [];
  if (parseId(body.remove) !== null) await setLine(rt.db, o, parseId(body.remove)!, null);
  for (const [k, v] of Object.entries(body)) {
    const offerId = parseId(k.match(/^qty_(\d+)$/)?.[1]);
    if (offerId === null || typeof v !== 'string') continue;
    const whRaw = body[`wh_${offerId}`];
    const wh = parseId(whRaw) ?? undefined;
    if (v.trim() === '' || v.trim() === '0') {
      await setLine(rt.db, o, offerId, null);
      continue;
    }
    const q = parseQuantity(v);
    if (!q) {
      errors.push(t('cart.notQuantity', { value: v }));
      continue;
    }
    await setLine(rt.db, o, offerId, q, wh);
  }
  return errors;
}

export function cartRoutes(rt: Runtime): Router {
  const r = Router();

  const renderCart = async (req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) => {
    const o = owner(res);
    const [cart, current] = await Promise.all([cartView(rt.db, o), currentCart(rt.db, o)]);
    const credit = await cartCredit(rt, o.counterpartyId, cart.lines.length ? cart.total : null, cart.currency);
    // Per line: when the earliest and the cheapest way to get its quantity is (src/store/arrivals).
    const now = new Date();
    const when = await optionsFor(rt.db, o, cart.lines.map((l) => ({ offerId: l.offerId, quantity: l.quantity })), now);
    const today = storeToday(now);
    const lang = res.locals.lang as string | undefined;
    // compact (earliest, cheapest) and, folded, every option side by side like the product page
    for (const l of cart.lines) Object.assign(l, { when: compactOptions(when.get(l.offerId)!, today, lang), delivery: optionsView(when.get(l.offerId)!, today, l.unit, lang) });
    // A refusal keeps its status with htmx too: the layout's responseHandling swaps 4xx answers.
    res.status(status).render('cart', {
      title: tOf(res)('cart.title'),
      // the open draft's name (carts.name, set when a draft is opened at /carts)
      cartName: current.name,
      cart: { ...cart, problems: cart.problems.map((p) => messageText(res, p)) },
      checkoutKey: randomBytes(12).toString('base64url'),
      comment: typeof req.body?.comment === 'string' ? req.body.comment : '',
      cartCredit: { ...credit, forecast: credit.forecast && { ...credit.forecast, message: messageText(res, credit.forecast.message) } },
      ...extra,
    });
  };

  r.get('/cart', ...requireOrdering, (req, res) => renderCart(req, res));

  r.post('/cart/add', ...requireOrdering, async (req, res) => {
    const o = owner(res);
    const offerId = idParam(req.body?.offerId, 'product');
    const q = parseQuantity(String(req.body?.qty ?? ''));
    const back = safeNext(req.body?.back) ?? req.get('referer')?.replace(/^https?:\/\/[^/]+/, '') ?? '/catalog';
    let message: string;
    let ok = false;
    const t = tOf(res);
    if (!q) message = t('cart.notQuantity', { value: String(req.body?.qty ?? '') });
    else {
      try {
        const r2 = await addToCart(rt.db, o, offerId, q);
        message = t('cart.added', { qty: fmtQty(r2.inCart) });
        ok = true;
      } catch (err) {
        message = messageText(res, refusal(err));
      }
    }
    if (req.get('hx-request') && !req.get('hx-boosted')) {
      res.render('add-result', { layout: false, ok, message });
      return;
    }
    flash(req, ok ? 'ok' : 'error', message);
    res.redirect(303, safeNext(back) ?? '/catalog');
  });

  r.post('/cart/update', ...requireOrdering, async (req, res) => {
    const errors = await applyCartForm(rt, tOf(res), owner(res), req.body ?? {});
    if (errors.length) return renderCart(req, res, 422, { errors });
    res.redirect(303, '/cart');
  });

  r.get('/cart/quick', ...requireOrdering, (_req, res) => res.render('quick-order', { title: tOf(res)('quick.title') }));

  r.post('/cart/quick', ...requireOrdering, async (req, res) => {
    const text = String(req.body?.lines ?? '').slice(0, 100_000);
    const result = await quickOrder(rt.db, owner(res), text);
    const status = result.added.length === 0 && result.errors.length ? 422 : 200;
    // A refusal keeps its status with htmx too: the layout's responseHandling swaps 4xx answers.
    res.status(status).render('quick-order', { title: tOf(res)('quick.title'), lines: result.errors.length ? text : '', result: quickResultView(res, result), nothing: !text.trim() });
  });

  r.post('/checkout', ...requireOrdering, async (req, res) => {
    const o = owner(res);
    const t = tOf(res);
    const errors = await applyCartForm(rt, t, o, req.body ?? {});
    if (errors.length) return renderCart(req, res, 422, { errors });
    // The lines as they are now; the page (on a refusal) computes its delivery options itself.
    const cart = await cartView(rt.db, o);
    const missing = cart.lines.filter((l) => l.warehouseId === null);
    if (missing.length) return renderCart(req, res, 409, { errors: missing.map((l) => t('cart.problem.nowhere', { what: l.sku ?? l.name })) });
    const comment = String(req.body?.comment ?? '').slice(0, 2000);
    try {
      // The order with its confirmation (and the owners' approval request), committed together.
      const result = await placeOrderWithMails(rt, {
        userId: o.userId,
        clientId: o.clientId,
        counterpartyId: o.counterpartyId,
        contractId: o.contractId,
        lines: cart.lines.map((l) => ({ offerId: l.offerId, warehouseId: l.warehouseId!, quantity: l.quantity })),
        comment,
        checkoutKey: String(req.body?.checkoutKey ?? ''),
        creditConfirmed: req.body?.creditConfirmed === '1',
      }, {
        to: o.email,
        language: viewerOf(res).language,
        lines: cart.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unit: l.unit, amount: l.amount })),
      });
      if (!result.repeated) {
        if (!result.awaitingApproval) void requestOrderDelivery(rt, result.number);
        // The order's stock hold changes availability for everyone's open pages.
        await publishStoreEvents(rt, [{ type: 'availability', offerIds: cart.lines.map((l) => l.offerId) }]);
      }
      // Over the buyer's limits: placed, but it waits for the owner (src/store/approvals), who is e-mailed.
      if (result.awaitingApproval) {
        const reason = result.approvalText ? messageText(res, result.approvalText) : (result.approvalMessage ?? t('mailCheckout.awaiting'));
        flash(req, 'ok', t('storeErrors.limit.placed', { number: result.number, reason }));
      }
      else flash(req, 'ok', t('cart.placed', { number: result.number, email: o.email }));
      res.redirect(303, `/orders/${result.orderId}`);
    } catch (err) {
      // A refused order (empty, stale form or contract, another system or currency, stock,
      // price): the cart again, one message per line it names; anything else is the handler's.
      const refused = refusal(err, 'invalid', 'conflict');
      const { problems, currency } = orderProblems(refused);
      // Past the credit limit: the refusal's own figures where the cart shows its forecast, with the confirm box for 'warn'.
      if (refused.code === 'order.credit_refused' || refused.code === 'order.credit_warning') {
        const { figures } = await cartCredit(rt, o.counterpartyId, null, null);
        const forecast = { message: messageText(res, refused), confirmable: refused.code === 'order.credit_warning' };
        return renderCart(req, res, httpStatus(refused), { cartCredit: { figures, forecast } });
      }
      return renderCart(req, res, httpStatus(refused), { errors: problems.length ? problems.map((p) => problemText(t, p, currency)) : [messageText(res, refused)] });
    }
  });

  return r;
}
