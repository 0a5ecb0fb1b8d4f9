// The company page: employees of a client with their role, legal entities and order limits;
// invite by e-mail, change, revoke, give access back. The owner manages their own company at
// /company; staff the same at /manager/clients/:clientId/company (an admin any client, a manager
// their clients). Plain forms (work without JS), CSRF as everywhere; the rules are
// src/store/company/employees.ts's.
import { type Request, type Response, Router } from 'express';
import { log } from '../../infra/log.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { publicBaseUrl } from '../../mail/links.ts';
import type { Translate } from '../../infra/i18n/index.ts';
import { assertMayManageCompany, COMPANY_ROLES, type CompanyRole } from '../../store/company/access.ts';
import {
  assertStaffCompanyAccess, changeEmployee, companyEntities, type Employee, type EmployeeChange, INVITE_TTL_HOURS, inviteEmployee,
  listEmployees, parseLimit, parseRole, reinvite, restoreEmployee, revokeEmployee,
} from '../../store/company/employees.ts';
import type { MailSender } from '../../store/shared/mail-port.ts';
import { requireBuyer, requireRole, viewerOf } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { idParam, parseId, saying } from '../errors.ts';
import { tOf } from '../i18n.ts';

interface Company {
  clientId: number;
  clientName: string;
  base: string;
  /** The owner acting (their own role stays), null for staff. */
  actorId: number | null;
  inviter: string;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A company role in the page's language. */
const roleLabel = (tr: Translate, role: CompanyRole) => tr(`company.roles.${role}`);

/** The change a form describes (role, "all" or the ticked entities, limits). */
function changeFrom(body: Record<string, unknown>, tr: Translate): EmployeeChange {
  const ids = list(body.counterpartyIds).map((v) => parseId(v));
  return {
    companyRole: parseRole(body.companyRole),
    allCounterparties: body.scope !== 'listed',
    // A malformed id is no entity of the client: the store answers 404 for it.
    counterpartyIds: ids.map((n) => n ?? 0),
    orderLimit: parseLimit(body.orderLimit, tr('company.orderLimit')),
    monthlyLimit: parseLimit(body.monthlyLimit, tr('company.monthlyLimit')),
  };
}

export function companyRoutes(rt: Runtime, mail: MailSender): Router {
  const r = Router();
  const staff = requireRole('manager', 'admin');

  const ownCompany = (res: Response): Company => {
    const v = viewerOf(res);
    assertMayManageCompany(v);
    return { clientId: v.clientId!, clientName: v.clientName ?? '', base: '/company', actorId: v.userId, inviter: v.name || v.email };
  };
  const staffCompany = async (req: Request, res: Response): Promise<Company> => {
    const v = viewerOf(res);
    const c = await assertStaffCompanyAccess(rt.db, v, idParam(req.params.clientId, 'client'));
    return { clientId: c.id, clientName: c.name, base: `/manager/clients/${c.id}/company`, actorId: null, inviter: v.name || v.email };
  };

  const render = async (res: Response, c: Company, status = 200, extra: { error?: string; invite?: Record<string, unknown> } = {}) => {
    const [employees, entities] = await Promise.all([listEmployees(rt.db, c.clientId), companyEntities(rt.db, c.clientId)]);
    const tr = tOf(res);
    const roles = (selected: string) => COMPANY_ROLES.map((value) => ({ value, label: roleLabel(tr, value), selected: value === selected }));
    const entityNames = new Map(entities.map((e) => [e.id, e.name]));
    const row = (e: Employee) => ({
      ...e,
      roleLabel: roleLabel(tr, e.companyRole),
      roles: roles(e.companyRole),
      isSelf: e.id === c.actorId,
      owner: e.companyRole === 'owner',
      entityText: e.companyRole === 'owner' || e.allCounterparties ? tr('company.allEntitiesShort') : e.counterpartyIds.map((id) => entityNames.get(id) ?? '?').join(', '),
      entities: entities.map((x) => ({ ...x, checked: e.counterpartyIds.includes(x.id) })),
    });
    const inv = extra.invite ?? {};
    const ticked = list(inv.counterpartyIds).map(String);
    res.status(status).render('company', {
      title: tr('company.title', { client: c.clientName }),
      currency: rt.config.STORE_CURRENCY,
      company: c,
      staffView: c.actorId === null,
      employees: employees.map(row),
      invite: {
        email: inv.email ?? '',
        name: inv.name ?? '',
        roles: roles(typeof inv.companyRole === 'string' ? inv.companyRole : 'buyer'),
        listed: inv.scope === 'listed',
        orderLimit: inv.orderLimit ?? '',
        monthlyLimit: inv.monthlyLimit ?? '',
        entities: entities.map((x) => ({ ...x, checked: ticked.includes(String(x.id)) })),
        ttlDays: INVITE_TTL_HOURS / 24,
      },
      error: extra.error,
    });
  };

  /** Runs a change; a refusal (invalid, conflict) is shown on the page, a foreign id stays a 404; `{ error }`: done, but something failed to say. */
  const act = async (req: Request, res: Response, c: Company, work: () => Promise<string | { error: string }>, invite?: Record<string, unknown>) => {
    try {
      const said = await work();
      if (typeof said === 'string') flash(req, 'ok', said);
      else flash(req, 'error', said.error);
      res.redirect(303, c.base);
    } catch (err) {
      const refused = refusal(err, 'invalid', 'conflict', 'unavailable');
      await render(res, c, httpStatus(refused), { error: messageText(res, refused), invite });
    }
  };

  // The one-time link goes straight to the queue (the outbox would keep it in plain text); a failure
  // is shown to the owner, who invites again later (a new link): true when queued.
  const sendInvitation = async (tr: Translate, c: Company, userId: number, email: string, token: string, role: CompanyRole): Promise<boolean> => {
    const link = `${publicBaseUrl(rt.config)}/password/set/${token}`;
    return mail
      .send({
        to: email,
        subject: tr('company.mail.subject', { client: c.clientName }),
        key: `company-invite-${userId}-${token.slice(0, 12).replace(/[^\w-]/g, '_')}`,
        text: tr('company.mail.text', { inviter: c.inviter, client: c.clientName, role: roleLabel(tr, role), count: INVITE_TTL_HOURS / 24, link }),
      })
      .then(
        () => true,
        (err) => {
          log.warn({ err: (err as Error).message, userId }, 'company invitation not sent');
          return false;
        },
      );
  };

  const mount = (path: string, guard: import('express').RequestHandler[], companyOf: (req: Request, res: Response) => Company | Promise<Company>) => {
    r.get(path, ...guard, async (req, res) => render(res, await companyOf(req, res)));

    r.post(`${path}/invite`, ...guard, async (req, res) => {
      const c = await companyOf(req, res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      await act(req, res, c, async () => {
        const email = String(body.email ?? '').trim().slice(0, 320);
        const change = changeFrom(body, tOf(res));
        // The link exists only in its e-mail: with the mail queue down, invite nobody (503) rather than an employee without a link.
        if (mail.ready && !(await mail.ready())) throw saying('unavailable', 'queueDown.invitation', 'company.mail_unavailable', { email });
        const { userId, token } = await inviteEmployee(rt.db, c.clientId, c.actorId, { ...change, email, name: String(body.name ?? '') });
        if (!(await sendInvitation(tOf(res), c, userId, email, token, change.companyRole))) return { error: tOf(res)('mailNotSent.invitation', { email }) };
        return tOf(res)('company.flash.invited', { email });
      }, body);
    });

    r.post(`${path}/employees/:userId`, ...guard, async (req, res) => {
      const c = await companyOf(req, res);
      const userId = idParam(req.params.userId, 'employee');
      await act(req, res, c, async () => {
        await changeEmployee(rt.db, c.clientId, c.actorId, userId, changeFrom(req.body ?? {}, tOf(res)));
        return tOf(res)('company.flash.saved');
      });
    });

    r.post(`${path}/employees/:userId/revoke`, ...guard, async (req, res) => {
      const c = await companyOf(req, res);
      const userId = idParam(req.params.userId, 'employee');
      await act(req, res, c, async () => {
        await revokeEmployee(rt.db, c.clientId, c.actorId, userId);
        return tOf(res)('company.flash.revoked');
      });
    });

    r.post(`${path}/employees/:userId/restore`, ...guard, async (req, res) => {
      const c = await companyOf(req, res);
      const userId = idParam(req.params.userId, 'employee');
      await act(req, res, c, async () => {
        await restoreEmployee(rt.db, c.clientId, userId);
        return tOf(res)('company.flash.restored');
      });
    });

    r.post(`${path}/employees/:userId/reinvite`, ...guard, async (req, res) => {
      const c = await companyOf(req, res);
      const userId = idParam(req.params.userId, 'employee');
      await act(req, res, c, async () => {
        const { token, email } = await reinvite(rt.db, c.clientId, userId);
        const e = (await listEmployees(rt.db, c.clientId)).find((x) => x.id === userId);
        if (!(await sendInvitation(tOf(res), c, userId, email, token, e?.companyRole ?? 'buyer'))) return { error: tOf(res)('mailNotSent.invitation', { email }) };
        return tOf(res)('company.flash.reinvited', { email });
      });
    });
  };

  mount('/company', requireBuyer, (_req, res) => ownCompany(res));
  mount('/manager/clients/:clientId/company', staff, staffCompany);
  return r;
}
