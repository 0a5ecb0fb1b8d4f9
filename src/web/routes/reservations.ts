// Reservations: reserve from the catalog/product page (the reserve box fragment), "My
// reservations" (countdowns, extend, cancel, turn into an order), live updates over SSE.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { formats } from '../../infra/intl.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { offerReservable } from '../../store/reservations/reservable.ts';
import { reservationSettings } from '../../store/reservations/settings.ts';
import {
  type Actor,
  cancelReservation,
  convertToOrder,
  extendReservation,
  listReservations,
  reserve,
} from '../../store/reservations/reservations.ts';
import { mayOrder } from '../../store/company/access.ts';
import { creditOf } from '../../store/credit/credit.ts';
import { buyerScope, requireBuyer, requireOrdering, viewerOf } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { httpStatus, refusal } from '../domain-errors.ts';
import { invalidForm, notFound, zId } from '../errors.ts';
import type { LiveEvents } from '../live/live-events.ts';
import { safeLocalPath } from '../safe-path.ts';

const id = zId;
const reserveForm = z.object({ offerId: id, warehouseId: id, quantity: z.string().max(20), back: z.string().optional() });
const idsForm = z.object({ ids: z.union([id, z.array(id)]).transform((v) => (Array.isArray(v) ? v : [v])), comment: z.string().max(1000).optional() });

const isHtmx = (req: Request) => Boolean(req.get('hx-request'));
/** Only local paths: never an open redirect. */
const safeBack = (v: unknown, fallback: string) => safeLocalPath(v) ?? fallback;

export function actorOf(res: Response): Actor {
  const { viewer, counterpartyId, contractId } = buyerScope(res);
  if (viewer.clientId === null) throw notFound();
  return { userId: viewer.userId, clientId: viewer.clientId, counterpartyId, contractId, counterpartyIds: viewer.counterpartyIds };
}

function parseId(v: unknown): number {
  const r = id.safeParse(v);
  if (!r.success) throw notFound('Reservation');
  return r.data;
}

export function reservationRoutes(rt: Runtime, live: LiveEvents): Router {
  const r = Router();

  const renderList = async (res: Response, extra: Record<string, unknown> = {}) => {
    const actor = actorOf(res);
    const ordering = mayOrder(viewerOf(res));
    const [reservations, settings] = await Promise.all([listReservations(rt, actor), reservationSettings(rt.db, actor.clientId)]);
    const now = Date.now();
    const rows = reservations.map((x) => ({
      ...x,
      active: x.state === 'active',
      expiresIso: x.expiresAt.toISOString(),
      remaining: x.state === 'active' ? remainingText(x.expiresAt.getTime() - now) : '',
      canExtend: ordering && x.state === 'active' && settings.extensionAllowed && x.extensions < settings.maxExtensions,
      canOrder: ordering && x.state === 'active' && !x.short && x.counterpartyId === actor.counterpartyId,
    }));
    // policy 'warn': an order past the credit limit goes through when the buyer ticks the box
    const credit = (await creditOf(rt.db, [actor.counterpartyId])).get(actor.counterpartyId);
    const creditConfirmable = credit?.policy === 'warn' && credit.limit !== null;
    return { reservations: rows, anyActive: rows.some((x) => x.canOrder), settings, creditConfirmable, ...extra };
  };

  r.get('/reservations', ...requireBuyer, async (_req, res) => {
    res.render('reservations', { title: 'My reservations', ...(await renderList(res)) });
  });

  r.get('/reservations/list', ...requireBuyer, async (_req, res) => {
    res.render('fragments/reservations-list', { layout: false, ...(await renderList(res)) });
  });

  r.get('/reservations/events', ...requireBuyer, async (req, res) => {
    await live.attach(req, res, actorOf(res).clientId);
  });

  /** The reserve box for an offer: per-warehouse availability, reserve and "notify me" forms. */
  r.get('/reservations/box/:offerId', ...requireBuyer, async (req, res) => {
    const box = await offerReservable(rt.db, parseId(req.params.offerId), actorOf(res).userId!);
    if (!box) throw notFound('Item');
    res.render('fragments/reserve-box', { layout: false, box, back: safeBack(req.query.back, `/product/${box.offerId}`) });
  });

  r.post('/reservations', ...requireOrdering, async (req, res) => {
    const form = reserveForm.safeParse(req.body);
    if (!form.success) throw invalidForm('Choose an item, a warehouse and a quantity.');
    const back = safeBack(form.data.back, '/reservations');
    try {
      const made = await reserve(rt, actorOf(res), form.data);
      const text = `Reserved ${formats().qty(made.quantity)} ${formats().unit(made.unit)} of ${made.itemName} at ${made.warehouseName} until ${formats().dateTimeShort(made.expiresAt)}.`;
      if (isHtmx(req)) {
        const box = await offerReservable(rt.db, form.data.offerId, actorOf(res).userId!);
        res.render('fragments/reserve-box', { layout: false, box, back, message: { kind: 'ok', text }, reservation: made });
        return;
      }
      flash(req, 'ok', text);
      res.redirect(303, back);
    } catch (err) {
      if (isHtmx(req)) {
        // the refusal inside the fragment, with its status (the layout's responseHandling swaps 4xx)
        const refused = refusal(err);
        const box = await offerReservable(rt.db, form.data.offerId, actorOf(res).userId!);
        res.status(httpStatus(refused)).render('fragments/reserve-box', { layout: false, box, back, message: { kind: 'error', text: refused.userMessage } });
        return;
      }
      flash(req, 'error', refusal(err, 'invalid', 'conflict').userMessage);
      res.redirect(303, back);
    }
  });

  type Message = { kind: 'ok' | 'error'; text: string };
  /** Runs a list action; a refusal becomes a message, a foreign reservation a 404. */
  const attempt = async (work: () => Promise<string>): Promise<Message> => {
    try {
      return { kind: 'ok', text: await work() };
    } catch (err) {
      return { kind: 'error', text: refusal(err, 'invalid', 'conflict').userMessage };
    }
  };
  /** The list fragment for htmx, else a flash and back to the page. */
  const answerList = async (req: Request, res: Response, message: Message) => {
    if (isHtmx(req)) return res.render('fragments/reservations-list', { layout: false, ...(await renderList(res, { message })) });
    flash(req, message.kind, message.text);
    res.redirect(303, '/reservations');
  };

  const action = (name: string, run: (actor: Actor, rid: number) => Promise<{ itemName: string }>, done: (item: string) => string) =>
    r.post(`/reservations/:id/${name}`, ...requireOrdering, async (req, res) => {
      const rid = parseId(req.params.id);
      await answerList(req, res, await attempt(async () => done((await run(actorOf(res), rid)).itemName)));
    });
  action('extend', (a, rid) => extendReservation(rt, a, rid), (item) => `Reservation of ${item} extended.`);
  action('cancel', (a, rid) => cancelReservation(rt, a, rid), (item) => `Reservation of ${item} cancelled.`);

  r.post('/reservations/order', ...requireOrdering, async (req, res) => {
    const form = idsForm.safeParse(req.body);
    const message: Message = !form.success
      ? { kind: 'error', text: 'Choose at least one reservation.' }
      : await attempt(async () => {
          const order = await convertToOrder(rt, actorOf(res), form.data.ids, form.data.comment ?? '', { creditConfirmed: req.body?.creditConfirmed === '1' });
          // Over the buyer's limits it waits for the owner, whom the sweep e-mails (src/store/approvals).
          return order.awaitingApproval ? `Заказ ${order.number} на ${order.total} оформлен. ${order.approvalMessage ?? ''}`.trim() : `Order ${order.number} created for ${order.total}.`;
        });
    await answerList(req, res, message);
  });

  return r;
}

function remainingText(ms: number): string {
  if (ms <= 0) return 'due now';
  const m = Math.floor(ms / 60_000);
  const h = Math.floor(m / 60);
  return h ? `${h} h ${m % 60} min` : m ? `${m} min` : `${Math.ceil(ms / 1000)} s`;
}
