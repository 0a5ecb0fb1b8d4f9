// Direct messages, both sides: the buyer's /messages and the manager's
// /manager/clients/:id/messages, and a quote's thread at /quotes/:quoteId/messages (both sides,
// the part of the client's thread bound to that quote). Same partials; access is decided in
// src/store/messages/messages.ts (and, for a quote, src/store/quotes: who may see the quote).
import type { Request, Response } from 'express';
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { pipeline } from 'node:stream/promises';
import { openAttachment } from '../../store/messages/attachments.ts';
import { managerCard, messengerLinks } from '../../store/accounts/managers.ts';
import { type Actor, assertThreadAccess, messageAttachment, postMessage, readThread, sideOf, threadActor, type ThreadDeps } from '../../store/messages/messages.ts';
import { assertMayWrite } from '../../store/company/access.ts';
import { requireRole, viewerOf } from '../auth/context.ts';
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { idParam, notFound } from '../errors.ts';
import type { ThreadHub } from '../live/thread-hub.ts';
import { streamThread } from '../live/thread-hub.ts';
import { clientOverview } from '../../store/accounts/client-overview.ts';
import { withCredit } from '../credit-view.ts';
import { quoteClient } from '../../store/quotes/quotes.ts';
import { orderStatusLabel } from '../format.ts';
import { tOf } from '../i18n.ts';
import { languageOr } from '../../infra/i18n/index.ts';

const actorOf = (res: Response): Actor => threadActor(viewerOf(res));


export function messageRoutes(rt: Runtime, hub: ThreadHub): Router {
  const r = Router();
  const deps: ThreadDeps = { db: rt.db, redis: rt.redis, prefix: rt.prefix, handOverMs: rt.config.QUEUE_HANDOVER_MS, blobs: rt.blobs };

  /** The client whose thread this request is about, after the access check. */
  async function threadClient(req: Request, res: Response): Promise<{ actor: Actor; clientId: number; base: string; quoteId?: number }> {
    const actor = actorOf(res);
    if (req.params.quoteId !== undefined) {
      const quoteId = idParam(req.params.quoteId, 'quote');
      return { actor, clientId: await quoteClient(rt.db, actor, quoteId), base: `/quotes/${quoteId}/messages`, quoteId };
    }
    if (req.params.clientId === undefined) {
      if (actor.role !== 'buyer' || actor.clientId === null) throw notFound('conversation');
      return { actor, clientId: actor.clientId, base: '/messages' };
    }
    const clientId = idParam(req.params.clientId);
    if (actor.role === 'buyer') throw notFound('conversation');
    await assertThreadAccess(rt.db, actor, clientId);
    return { actor, clientId, base: `/manager/clients/${clientId}/messages` };
  }

  async function threadModel(actor: Actor, clientId: number, base: string, quoteId?: number) {
    const messages = await readThread(deps, actor, clientId, { quoteId });
    return { messages, mySide: sideOf(actor), base, attachmentBase: `${base}/attachments`, quoteId: quoteId ?? null };
  }

  const buyer = requireRole('buyer');
  const staff = requireRole('manager', 'admin');
  const anyone = requireRole('buyer', 'manager', 'admin');

  r.get('/messages', ...buyer, async (req, res) => {
    const { actor, clientId, base } = await threadClient(req, res);
    const card = await managerCard(rt.db, clientId);
    res.render('messages', {
      title: tOf(res)('messages.title'),
      manager: card ? { ...card, links: messengerLinks(card.messengers) } : null,
      thread: await threadModel(actor, clientId, base),
    });
  });

  r.get('/manager/clients/:clientId/messages', ...staff, async (req, res) => {
    const { actor, clientId, base } = await threadClient(req, res);
    const overview = await clientOverview(rt.db, clientId);
    const t = tOf(res);
    const lang = languageOr(res.locals.lang);
    res.render('manager-client', {
      title: overview?.name ?? t('staff.client.title'),
      overview: overview && {
        ...overview,
        counterparties: await withCredit(rt, overview.counterparties),
        orders: overview.orders.map((o) => ({ ...o, statusName: orderStatusLabel(o.status, lang) })),
        reservations: overview.reservations.map((r) => ({ ...r, stateText: t(`staff.client.reservationState.${r.state}`, { defaultValue: r.state }) })),
      },
      thread: await threadModel(actor, clientId, base),
    });
  });

  for (const [path, guard] of [
    ['/messages', buyer],
    ['/manager/clients/:clientId/messages', staff],
    ['/quotes/:quoteId/messages', anyone],
  ] as const) {
    // the thread fragment (refetched when the SSE stream says something changed)
    r.get(`${path}/thread`, ...guard, async (req, res) => {
      const { actor, clientId, base, quoteId } = await threadClient(req, res);
      res.set('Vary', 'HX-Request').render('fragments/message-thread', { layout: false, thread: await threadModel(actor, clientId, base, quoteId) });
    });

    r.get(`${path}/events`, ...guard, async (req, res) => {
      const { clientId } = await threadClient(req, res);
      streamThread(hub, clientId, req, res);
    });

    r.post(path, ...guard, async (req, res) => {
      const { actor, clientId, base, quoteId } = await threadClient(req, res);
      // a viewer reads the conversation but does not write (read only): 403, whatever the form says
      assertMayWrite(viewerOf(res));
      const file = req.file ? { name: req.file.originalname, data: req.file.buffer } : null;
      try {
        await postMessage(deps, actor, clientId, { body: String(req.body?.body ?? ''), file, quoteId });
      } catch (err) {
        // htmx: the problem goes under the form (a whole page otherwise, from the error handler)
        if (!req.get('hx-request')) throw err;
        const refused = refusal(err, 'invalid');
        res.status(httpStatus(refused)).set({ 'HX-Retarget': '#message-error', 'HX-Reswap': 'innerHTML' }).render('fragments/message-error', { layout: false, error: messageText(res, refused) });
        return;
      }
      if (!req.get('hx-request')) return res.redirect(303, quoteId === undefined ? base : `/quotes/${quoteId}`);
      res.render('fragments/message-thread', { layout: false, thread: await threadModel(actor, clientId, base, quoteId) });
    });

    r.get(`${path}/attachments/:messageId`, ...guard, async (req, res) => {
      const { actor, clientId, quoteId } = await threadClient(req, res);
      const a = await messageAttachment(rt.db, actor, idParam(req.params.messageId));
      const owner = await rt.db('messages').where({ id: idParam(req.params.messageId) }).first('client_id', 'quote_id');
      if (owner?.client_id !== clientId || (quoteId !== undefined && owner.quote_id !== quoteId)) throw notFound('attachment');
      res.set('X-Content-Type-Options', 'nosniff');
      res.set('Content-Security-Policy', "default-src 'none'; sandbox");
      const body = await openAttachment(rt.blobs, a);
      res.type(a.type);
      res.attachment(a.name);
      res.set('Content-Length', String(a.size));
      await pipeline(body, res);
    });
  }
  return r;
}
