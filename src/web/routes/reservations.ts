// Reservations: reserve from the catalog/product page (the reserve box fragment), "My
// reservations" (countdowns, extend, cancel, turn into an order), live updates over SSE.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Translate } from '../../infra/i18n/index.ts';
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
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { invalidForm, notFound, zId } from '../errors.ts';
import { tOf } from '../i18n.ts';
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
  if (!r.success) throw notFound('reservation');
  return r.data;
}

export function reservationRoutes(rt: Runtime, live: LiveEvents): Router {
  const r = Router();

  const renderList = async (res: Response, extra: Record<string, unknown> = {}) => {
    const actor = actorOf(res);
    const ordering = mayOrder(viewerOf(res));
    const [reservations, settings] = await Promise.all([listReservations(rt, actor), reservationSettings(rt.db, actor.clientId)]);
    const now = Date.now();
    const tr = tOf(res);
    const rows = reservations.map((x) => ({
      ...x,
      active: x.state === 'active',
      expiresIso: x.expiresAt.toISOString(),
      stateLabel: tr(`reservations.states.${x.state}`),
      remaining: x.state === 'active' ? remainingText(tr, x.expiresAt.getTime() - now) : '',
      canExtend: ordering && x.state === 'active' && settings.extensionAllowed && x.extensions < settings.maxExtensions,
      canOrder: ordering && x.state === 'active' && !x.short && x.counterpartyId === actor.counterpartyId,
    }));
    // policy 'warn': an order past the credit limit goes through when the buyer ticks the box
    const credit = (await creditOf(rt.db, [actor.counterpartyId])).get(actor.counterpartyId);
    const creditConfirmable = credit?.policy === 'warn' && credit.limit !== null;
    const extendText = settings.extensionAllowed ? tr('reservations.leadExtend', { count: settings.maxExtensions }) : '';
    return { reservations: rows, anyActive: rows.some((x) => x.canOrder), settings, extendText, creditConfirmable, ...extra };
  };

  r.get('/reservations', ...requireBuyer, async (_req, res) => {
    res.render('reservations', { title: tOf(res)('reservations.title'), ...(await renderList(res)) });
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
    if (!box) throw notFound('item');
    res.render('fragments/reserve-box', { layout: false, box, back: safeBack(req.query.back, `/product/${box.offerId}`) });
  });

  r.post('/reservations', ...requireOrdering, async (req, res) => {
    const form = reserveForm.safeParse(req.body);
    if (!form.success) throw invalidForm(tOf(res)('reservations.chooseForm'));
    const back = safeBack(form.data.back, '/reservations');
    try {
      const made = await reserve(rt, actorOf(res), form.data);
      const f = formats(res.locals.locale as string | undefined);
      const text = tOf(res)('reservations.reserved', {
        quantity: f.qty(made.quantity), unit: f.unit(made.unit), item: made.itemName, warehouse: made.warehouseName, until: f.dateTimeShort(made.expiresAt),
      });
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
        res.status(httpStatus(refused)).render('fragments/reserve-box', { layout: false, box, back, message: { kind: 'error', text: messageText(res, refused) } });
        return;
      }
      flash(req, 'error', messageText(res, refusal(err, 'invalid', 'conflict')));
      res.redirect(303, back);
    }
  });

  type Message = { kind: 'ok' | 'error'; text: string };
  /** Runs a list action; a refusal becomes a message, a foreign reservation a 404. */
  const attempt = async (res: Response, work: () => Promise<string>): Promise<Message> => {
    try {
      return { kind: 'ok', text: await work() };
    } catch (err) {
      return { kind: 'error', text: messageText(res, refusal(err, 'invalid', 'conflict')) };
    }
  };
  /** The list fragment for htmx, else a flash and back to the page. */
  const answerList = async (req: Request, res: Response, message: Message) => {
    if (isHtmx(req)) return res.render('fragments/reservations-list', { layout: false, ...(await renderList(res, { message })) });
    flash(req, message.kind, message.text);
    res.redirect(303, '/reservations');
  };

  const action = (name: string, run: (actor: Actor, rid: number) => Promise<{ itemName: string }>, done: (res: Response, item: string) => string) =>
    r.post(`/reservations/:id/${name}`, ...requireOrdering, async (req, res) => {
      const rid = parseId(req.params.id);
      await answerList(req, res, await attempt(res, async () => done(res, (await run(actorOf(res), rid)).itemName)));
    });
  action('extend', (a, rid) => extendReservation(rt, a, rid), (res, item) => tOf(res)('reservations.extended', { item }));
  action('cancel', (a, rid) => cancelReservation(rt, a, rid), (res, item) => tOf(res)('reservations.cancelled', { item }));

  r.post('/reservations/order', ...requireOrdering, async (req, res) => {
    const form = idsForm.safeParse(req.body);
    const message: Message = !form.success
      ? { kind: 'error', text: tOf(res)('reservations.chooseOne') }
      : await attempt(res, async () => {
          const order = await convertToOrder(rt, actorOf(res), form.data.ids, form.data.comment ?? '', { creditConfirmed: req.body?.creditConfirmed === '1' });
          // Over the buyer's limits it waits for the owner, whom the sweep e-mails (src/store/approvals).
          const total = formats(res.locals.locale as string | undefined).money(order.total, order.currency);
          return order.awaitingApproval
            ? tOf(res)('reservations.orderedAwaiting', { number: order.number, total, approval: order.approvalMessage ?? '' }).trim()
            : tOf(res)('reservations.ordered', { number: order.number, total });
        });
    await answerList(req, res, message);
  });

  return r;
}

/** "2 ч 5 мин" (public/countdown.js ticks it on with the same units, from the <time>'s data). */
function remainingText(tr: Translate, ms: number): string {
  if (ms <= 0) return tr('reservations.remaining.due');
  const m = Math.floor(ms / 60_000);
  const h = Math.floor(m / 60);
  const [uh, umin, us] = [tr('reservations.remaining.h'), tr('reservations.remaining.min'), tr('reservations.remaining.s')];
  return h ? `${h} ${uh} ${m % 60} ${umin}` : m ? `${m} ${umin}` : `${Math.ceil(ms / 1000)} ${us}`;
}
