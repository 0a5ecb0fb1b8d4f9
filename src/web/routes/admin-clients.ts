// Admins edit which legal entities a client (cabinet) may act for. Links made here are kept
// across syncs; a sync link removed here stays removed until an admin links it again.
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { clientSummary, findCounterparty, linkCounterparty, listClients, unlinkCounterparty } from '../../store/accounts/clients.ts';
import { requireRole } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { idParam, notFound } from '../errors.ts';

export function adminClientRoutes(rt: Runtime): Router {
  const r = Router();
  const admin = requireRole('admin');

  r.get('/admin/clients', ...admin, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    res.render('admin-clients', { title: 'Clients', q, clients: await listClients(rt.db, q) });
  });

  r.get('/admin/clients/:id', ...admin, async (req, res) => {
    const client = await clientSummary(rt.db, idParam(req.params.id, 'Client'));
    if (!client) throw notFound('Client');
    res.render('admin-client', { title: client.name, client });
  });

  r.post('/admin/clients/:id/link', ...admin, async (req, res) => {
    const id = idParam(req.params.id, 'Client');
    if (!(await clientSummary(rt.db, id))) throw notFound('Client');
    const ref = String(req.body?.counterparty ?? '');
    const cp = await findCounterparty(rt.db, ref);
    if (!cp) flash(req, 'error', `No single counterparty matches "${ref}" (give its INN, id or external id).`);
    else {
      await linkCounterparty(rt.db, id, cp.id);
      flash(req, 'ok', `${cp.name} is linked.`);
    }
    res.redirect(303, `/admin/clients/${id}`);
  });

  r.post('/admin/clients/:id/unlink', ...admin, async (req, res) => {
    const id = idParam(req.params.id, 'Client');
    await unlinkCounterparty(rt.db, id, idParam(req.body?.counterpartyId, 'Counterparty'));
    flash(req, 'ok', 'The legal entity is unlinked.');
    res.redirect(303, `/admin/clients/${id}`);
  });

  return r;
}
