// Console › Clients & users (admin): invite buyers by an e-mailed one-time link, link/unlink
// counterparties, disable users, set a client's manager.
import { type Request, type Response, Router } from 'express';
import { log } from '../../../infra/log.ts';
import { publicBaseUrl } from '../../../mail/links.ts';
import type { Runtime } from '../../../infra/runtime.ts';
import { unlinkCounterparty } from '../../../store/accounts/clients.ts';
import { listConsoleClients, listStaff, setUserDisabled } from '../../../store/console/console-data.ts';
import type { MailSender } from '../../../store/shared/mail-port.ts';
import { assignManager, listManagers } from '../../../store/accounts/managers.ts';
import { createUser, issueToken } from '../../../store/accounts/users.ts';
import { refusal } from '../../domain-errors.ts';
import { requireRole, viewerOf } from '../../auth/context.ts';
import { flash } from '../../auth/session.ts';
import { badRequest, notFound, parseId } from '../../errors.ts';
import { withCredit } from '../../credit-view.ts';
import { linkCounterpartyHandler } from '../admin-clients.ts';

const INVITE_HOURS = 24 * 7;

const num = (v: unknown, what: string) => {
  const n = parseId(v);
  if (n === null) throw badRequest(`Choose a ${what}.`);
  return n;
};

export function consoleClientsRoutes(rt: Runtime, mail: MailSender): Router {
  const r = Router();
  const admin = requireRole('admin');
  const back = (_req: Request, res: Response, clientId?: number) => res.redirect(303, clientId ? `/console/clients/${clientId}` : '/console/clients');

  r.get('/console/clients', ...admin, async (req, res) => {
    const q = String(req.query.q ?? '').trim().slice(0, 100);
    res.render('console/clients', { title: 'Clients', section: 'clients', q, clients: await listConsoleClients(rt.db, { q }), staff: await listStaff(rt.db), managers: await listManagers(rt.db) });
  });

  r.get('/console/clients/:id', ...admin, async (req, res) => {
    const [client] = await listConsoleClients(rt.db, { id: num(req.params.id, 'client') });
    if (!client) throw notFound('Client');
    const counterparties = await withCredit(rt, client.counterparties);
    res.render('console/client', { title: client.name, section: 'clients', client: { ...client, counterparties }, managers: await listManagers(rt.db) });
  });

  r.post('/console/clients/:id/manager', ...admin, async (req, res) => {
    const clientId = num(req.params.id, 'client');
    const managerId = req.body?.manager_id === 'auto' ? null : num(req.body?.manager_id, 'manager');
    await assignManager(rt.db, clientId, managerId);
    flash(req, 'ok', managerId ? 'The manager was assigned; the accounting system will not override it.' : 'The manager now follows the accounting system.');
    back(req, res, clientId);
  });

  r.post('/console/clients/:id/link', ...admin, linkCounterpartyHandler(rt, (id) => `/console/clients/${id}`));

  r.post('/console/clients/:id/unlink', ...admin, async (req, res) => {
    const clientId = num(req.params.id, 'client');
    await unlinkCounterparty(rt.db, clientId, num(req.body?.counterparty_id, 'counterparty'));
    flash(req, 'ok', 'The counterparty was unlinked.');
    back(req, res, clientId);
  });

  r.post('/console/clients/:id/invite', ...admin, async (req, res) => {
    const clientId = num(req.params.id, 'client');
    const email = String(req.body?.email ?? '').trim();
    let userId: number;
    try {
      userId = await createUser(rt.db, { email, role: 'buyer', clientId, name: String(req.body?.name ?? '').trim().slice(0, 200) });
    } catch (err) {
      flash(req, 'error', refusal(err).userMessage);
      return back(req, res, clientId);
    }
    const token = await issueToken(rt.db, userId, 'invite', INVITE_HOURS);
    const link = `${publicBaseUrl(rt.config)}/password/set/${token}`;
    const inviter = viewerOf(res);
    await mail
      .send({
        to: email,
        subject: 'Counterpart: your invitation',
        text: `${inviter.name || inviter.email} invited you to the Counterpart store.\n\nSet your password within 7 days to sign in:\n${link}\n`,
      })
      .then(
        () => flash(req, 'ok', `An invitation was sent to ${email}.`),
        (err) => {
          log.warn({ err: (err as Error).message }, 'invitation e-mail not sent');
          flash(req, 'error', `The user was created but the e-mail could not be sent; the link is ${link}`);
        },
      );
    back(req, res, clientId);
  });

  r.post('/console/users/:id/disable', ...admin, async (req, res) => {
    const userId = num(req.params.id, 'user');
    if (userId === viewerOf(res).userId) throw badRequest('You cannot disable yourself.');
    const disable = req.body?.disabled !== 'false';
    if (!(await setUserDisabled(rt.db, userId, disable))) throw notFound('User');
    flash(req, 'ok', disable ? 'The user was disabled and signed out.' : 'The user was enabled.');
    const clientId = req.body?.client_id ? num(req.body.client_id, 'client') : undefined;
    back(req, res, clientId);
  });

  r.post('/console/users/:id/manager', ...admin, async (req, res) => {
    const userId = num(req.params.id, 'user');
    const managerId = req.body?.manager_id ? num(req.body.manager_id, 'manager') : null;
    await rt.db('users').where({ id: userId }).whereIn('role', ['manager', 'admin']).update({ manager_id: managerId });
    flash(req, 'ok', 'The staff user now stands for the chosen manager.');
    back(req, res);
  });
  return r;
}
