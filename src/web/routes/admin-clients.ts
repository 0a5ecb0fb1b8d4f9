// Admins edit which legal entities a client (cabinet) may act for. Links made here are kept
// across syncs; a sync link removed here stays removed until an admin links it again.
import { type RequestHandler, Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { clientSummary, linkCounterparty, listClients, parseCounterpartyRef, unlinkCounterparty } from '../../store/accounts/clients.ts';
import { requireRole } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { messageText, refusal } from '../domain-errors.ts';
import { idParam, notFound } from '../errors.ts';
import { tOf } from '../i18n.ts';
import type { Translate } from '../../infra/i18n/index.ts';

/** Who linked a counterparty (`sync`, `admin`) in the page's language (this page and the console's). */
export const originText = (t: Translate, origin: string) => t(`console.origin.${origin}`, { defaultValue: origin });

/**
 * POST …/clients/:id/link, for this page and the console's: one store function, one answer.
 * A refusal (unknown, deleted, another client's, an INN several branches share without the
 * KPP) is a flash on the client's page, so a boosted (htmx) form and a plain one show the same.
 */
export function linkCounterpartyHandler(rt: Runtime, clientPage: (clientId: number) => string): RequestHandler {
  return async (req, res) => {
    const clientId = idParam(req.params.id, 'Client');
    try {
      const cp = await linkCounterparty(rt.db, clientId, parseCounterpartyRef(req.body?.counterparty, req.body?.kpp));
      flash(req, 'ok', tOf(res)('admin.client.linked', { name: cp.name }));
    } catch (err) {
      const refused = refusal(err, 'invalid', 'not_found', 'conflict');
      if (refused.code === 'link.no_client') throw notFound('Client');
      flash(req, 'error', messageText(res, refused));
    }
    res.redirect(303, clientPage(clientId));
  };
}

export function adminClientRoutes(rt: Runtime): Router {
  const r = Router();
  const admin = requireRole('admin');

  r.get('/admin/clients', ...admin, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    res.render('admin-clients', { title: tOf(res)('admin.clients.title'), q, clients: await listClients(rt.db, q) });
  });

  r.get('/admin/clients/:id', ...admin, async (req, res) => {
    const client = await clientSummary(rt.db, idParam(req.params.id, 'Client'));
    if (!client) throw notFound('Client');
    const t = tOf(res);
    res.render('admin-client', {
      title: client.name,
      client: {
        ...client,
        counterparties: client.counterparties.map((c) => ({ ...c, originText: originText(t, c.origin) })),
        users: client.users.map((u) => ({ ...u, roleText: t(`console.role.${u.role}`, { defaultValue: u.role }) })),
      },
    });
  });

  r.post('/admin/clients/:id/link', ...admin, linkCounterpartyHandler(rt, (id) => `/admin/clients/${id}`));

  r.post('/admin/clients/:id/unlink', ...admin, async (req, res) => {
    const id = idParam(req.params.id, 'Client');
    await unlinkCounterparty(rt.db, id, idParam(req.body?.counterpartyId, 'Counterparty'));
    flash(req, 'ok', tOf(res)('admin.client.unlinked'));
    res.redirect(303, `/admin/clients/${id}`);
  });

  return r;
}
