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
import { COMPANY_ROLES } from '../../../store/company/access.ts';
import { inviteEmployee, parseRole } from '../../../store/company/employees.ts';
import { messageText, refusal } from '../../domain-errors.ts';
import { requireRole, viewerOf } from '../../auth/context.ts';
import { flash } from '../../auth/session.ts';
import { badRequest, notFound, parseId } from '../../errors.ts';
import { withCredit } from '../../credit-view.ts';
import { tOf } from '../../i18n.ts';
import { translator } from '../../../infra/i18n/index.ts';
import { linkCounterpartyHandler, originText } from '../admin-clients.ts';

type Chosen = 'client' | 'manager' | 'counterparty' | 'user';

export function consoleClientsRoutes(rt: Runtime, mail: MailSender): Router {
  const r = Router();

  /** An id from the form, or 400 naming what to choose (in the page's language). */
  const num = (res: Response, v: unknown, what: Chosen) => {
    const n = parseId(v);
    if (n === null) throw badRequest(tOf(res)(`console.client.choose.${what}`));
    return n;
  };
  const admin = requireRole('admin');
  const back = (_req: Request, res: Response, clientId?: number) => res.redirect(303, clientId ? `/console/clients/${clientId}` : '/console/clients');

  r.get('/console/clients', ...admin, async (req, res) => {
    const q = String(req.query.q ?? '').trim().slice(0, 100);
    const t = tOf(res);
    const staff = (await listStaff(rt.db)).map((u) => ({ ...u, roleText: t(`console.role.${u.role}`, { defaultValue: u.role }) }));
    res.render('console/clients', { title: t('console.clients.title'), section: 'clients', q, clients: await listConsoleClients(rt.db, { q }), staff, managers: await listManagers(rt.db) });
  });

  r.get('/console/clients/:id', ...admin, async (req, res) => {
    const [client] = await listConsoleClients(rt.db, { id: num(res, req.params.id, 'client') });
    if (!client) throw notFound('Client');
    const t = tOf(res);
    const counterparties = (await withCredit(rt, client.counterparties)).map((c) => ({ ...c, originText: originText(t, c.origin) }));
    const users = client.users.map((u) => ({ ...u, roleLabel: t(`company.roles.${u.company_role}`) }));
    // a cabinet without an active owner most likely needs one first
    const hasOwner = client.users.some((u) => u.company_role === 'owner' && !u.disabled_at);
    const roles = COMPANY_ROLES.map((value) => ({ value, label: t(`company.roles.${value}`), selected: value === (hasOwner ? 'buyer' : 'owner') }));
    res.render('console/client', { title: client.name, section: 'clients', client: { ...client, counterparties, users }, roles, managers: await listManagers(rt.db) });
  });

  r.post('/console/clients/:id/manager', ...admin, async (req, res) => {
    const clientId = num(res, req.params.id, 'client');
    const managerId = req.body?.manager_id === 'auto' ? null : num(res, req.body?.manager_id, 'manager');
    await assignManager(rt.db, clientId, managerId);
    flash(req, 'ok', tOf(res)(managerId ? 'console.client.managerAssigned' : 'console.client.managerFollows'));
    back(req, res, clientId);
  });

  r.post('/console/clients/:id/link', ...admin, linkCounterpartyHandler(rt, (id) => `/console/clients/${id}`));

  r.post('/console/clients/:id/unlink', ...admin, async (req, res) => {
    const clientId = num(res, req.params.id, 'client');
    await unlinkCounterparty(rt.db, clientId, num(res, req.body?.counterparty_id, 'counterparty'));
    flash(req, 'ok', tOf(res)('console.client.unlinked'));
    back(req, res, clientId);
  });

  r.post('/console/clients/:id/invite', ...admin, async (req, res) => {
    const clientId = num(res, req.params.id, 'client');
    const t = tOf(res);
    const email = String(req.body?.email ?? '').trim().slice(0, 320);
    let token: string;
    try {
      // The admin chooses the company role (an owner manages employees and approves orders; a
      // buyer, accountant or viewer does not): acting for all the client's entities, no limits —
      // narrower grants and limits are set on the company page, like the owner's own invitations.
      const companyRole = parseRole(req.body?.companyRole);
      ({ token } = await inviteEmployee(rt.db, clientId, null, {
        email, name: String(req.body?.name ?? ''), companyRole, allCounterparties: true, counterpartyIds: [], orderLimit: null, monthlyLimit: null,
      }));
    } catch (err) {
      flash(req, 'error', messageText(res, refusal(err)));
      return back(req, res, clientId);
    }
    const link = `${publicBaseUrl(rt.config)}/password/set/${token}`;
    const inviter = viewerOf(res);
    // the invited user has chosen no language yet: the mail is in the store's
    const inMail = translator();
    await mail
      .send({
        to: email,
        subject: inMail('console.client.inviteSubject'),
        text: inMail('console.client.inviteText', { inviter: inviter.name || inviter.email, link }),
      })
      .then(
        () => flash(req, 'ok', t('console.client.inviteSent', { email })),
        (err) => {
          log.warn({ err: (err as Error).message }, 'invitation e-mail not sent');
          flash(req, 'error', t('console.client.inviteNotSent', { link }));
        },
      );
    back(req, res, clientId);
  });

  r.post('/console/users/:id/disable', ...admin, async (req, res) => {
    const userId = num(res, req.params.id, 'user');
    if (userId === viewerOf(res).userId) throw badRequest(tOf(res)('console.client.cannotDisableSelf'));
    const disable = req.body?.disabled !== 'false';
    if (!(await setUserDisabled(rt.db, userId, disable))) throw notFound('User');
    flash(req, 'ok', tOf(res)(disable ? 'console.client.userDisabled' : 'console.client.userEnabled'));
    const clientId = req.body?.client_id ? num(res, req.body.client_id, 'client') : undefined;
    back(req, res, clientId);
  });

  r.post('/console/users/:id/manager', ...admin, async (req, res) => {
    const userId = num(res, req.params.id, 'user');
    const managerId = req.body?.manager_id ? num(res, req.body.manager_id, 'manager') : null;
    await rt.db('users').where({ id: userId }).whereIn('role', ['manager', 'admin']).update({ manager_id: managerId });
    flash(req, 'ok', tOf(res)('console.client.staffManager'));
    back(req, res);
  });
  return r;
}
