// "My waiting list": subscribe ("notify me") from the reserve box, list, unsubscribe.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../infra/runtime.ts';
import { offerReservable } from '../../store/reservations/reservable.ts';
import { listWaitlist, subscribe, unsubscribe, type WaitlistActor } from '../../store/waitlist/waitlist.ts';
import { buyerScope, requireBuyer, requireOrdering } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { messageText, refusal } from '../domain-errors.ts';
import { invalidForm, notFound, zId } from '../errors.ts';
import { tOf } from '../i18n.ts';
import { safeLocalPath } from '../safe-path.ts';

const id = zId;
const subscribeForm = z.object({
  offerId: id,
  warehouseId: z.union([z.literal(''), id]).optional().transform((v) => (v === '' || v === undefined ? null : v)),
  back: z.string().optional(),
});
const isHtmx = (req: Request) => Boolean(req.get('hx-request'));
const safeBack = (v: unknown, fallback: string) => safeLocalPath(v) ?? fallback;

function actorOf(res: Response): WaitlistActor {
  const { viewer, counterpartyId } = buyerScope(res);
  return { userId: viewer.userId, counterpartyId };
}

export function waitlistRoutes(rt: Runtime): Router {
  const r = Router();

  r.get('/waitlist', ...requireBuyer, async (_req, res) => {
    const entries = (await listWaitlist(rt, actorOf(res))).map((e) => ({ ...e, open: !e.notifiedAt }));
    res.render('waitlist', { title: tOf(res)('waitlist.title'), entries });
  });

  r.post('/waitlist', ...requireOrdering, async (req, res) => {
    const form = subscribeForm.safeParse(req.body);
    if (!form.success) throw invalidForm('Choose an item (and optionally a warehouse).');
    const back = safeBack(form.data.back, '/waitlist');
    let message: { kind: 'ok' | 'error'; text: string };
    try {
      const e = await subscribe(rt, actorOf(res), form.data);
      const t = tOf(res);
      const text = e.warehouseName ? t('waitlist.subscribedAt', { name: e.itemName, warehouse: e.warehouseName }) : t('waitlist.subscribed', { name: e.itemName });
      message = { kind: 'ok', text };
    } catch (err) {
      // "available now" is said in place; an unknown item or warehouse is a 404 page
      message = { kind: 'error', text: messageText(res, refusal(err, 'conflict')) };
    }
    if (isHtmx(req)) {
      const box = await offerReservable(rt.db, form.data.offerId, actorOf(res).userId);
      res.render('fragments/reserve-box', { layout: false, box, back, message });
      return;
    }
    flash(req, message.kind, message.text);
    res.redirect(303, back);
  });

  r.post('/waitlist/:id/delete', ...requireOrdering, async (req, res) => {
    const wid = id.safeParse(req.params.id);
    if (!wid.success) throw notFound('waitlistEntry');
    await unsubscribe(rt, actorOf(res), wid.data);
    flash(req, 'ok', tOf(res)('waitlist.removed'));
    res.redirect(303, '/waitlist');
  });

  return r;
}
