// Registration by request: the public form (anonymous visitors see only this and the start page)
// and the staff's decisions in the console (Console › Заявки). Approving invites the contact with
// the same one-time link and password page as an admin's invitation; rejecting sends the reply.
// The staff's notice of a request and the reply are written with them to the mail outbox
// (src/store/registration/mails.ts); the approval's link goes straight out, a failure shown.
import { type Request, type Response, Router } from 'express';
import { log } from '../../infra/log.ts';
import { attemptLimits, type LimitRule } from '../../infra/rate-limit.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { publicBaseUrl } from '../../mail/links.ts';
import { approveRegistration, listRegistrations, parseRegistration, type StaffActor } from '../../store/registration/requests.ts';
import { rejectRegistrationWithMail, submitRegistrationWithMail } from '../../store/registration/mails.ts';
import { COMPANY_ROLES } from '../../store/company/access.ts';
import { parseRole } from '../../store/company/employees.ts';
import type { MailSender } from '../../store/shared/mail-port.ts';
import { requireRole, viewerOf } from '../auth/context.ts';
import { csrfToken } from '../auth/csrf.ts';
import { flash } from '../auth/session.ts';
import { messageText, refusal } from '../domain-errors.ts';
import { badRequest, parseId } from '../errors.ts';
import { tOf } from '../i18n.ts';
import { translator } from '../../infra/i18n/index.ts';

/** Every submitted application counts (like password resets): per client address and per e-mail. */
export const REGISTER_LIMITS = {
  ip: { name: 'register:ip', points: 5, windowS: 3600 },
  email: { name: 'register:email', points: 3, windowS: 3600 },
} satisfies Record<string, LimitRule>;

const tooMany = (res: Response, s: number) => tOf(res)('register.tooMany', { minutes: Math.ceil(s / 60) });

export function registerRoutes(rt: Runtime): Router {
  const r = Router();
  const limits = attemptLimits(rt.redis, rt.prefix);
  const page = (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('register', { title: tOf(res)('register.title'), csrf: csrfToken(req), form: req.body ?? {}, ...extra });

  r.get('/register', (req, res) => {
    if (res.locals.viewer) return res.redirect(303, '/');
    page(req, res, 200, { form: {} });
  });

  r.post('/register', async (req, res) => {
    if (res.locals.viewer) return res.redirect(303, '/');
    const email = String(req.body?.email ?? '').trim().toLowerCase().slice(0, 320);
    const wait = await limits.take([
      { rule: REGISTER_LIMITS.ip, key: String(req.ip) },
      { rule: REGISTER_LIMITS.email, key: email },
    ]);
    if (wait > 0) return page(req, res, 429, { error: tooMany(res, wait) });
    const { value, errors } = parseRegistration(req.body);
    if (!value) return page(req, res, 422, { errors, error: tOf(res)('register.checkFields') });
    try {
      const id = await submitRegistrationWithMail(rt, value);
      log.info({ registration: id }, 'registration request');
      page(req, res, 200, { done: id });
    } catch (err) {
      page(req, res, 409, { error: messageText(res, refusal(err, 'conflict')) });
    }
  });
  return r;
}

/** Console › Заявки (managers: their clients' requests; admins: all), mounted by the console router. */
export function registrationConsoleRoutes(rt: Runtime, mail: MailSender): Router {
  const r = Router();
  const staff = requireRole('manager', 'admin');
  const actor = (res: Response): StaffActor => {
    const v = viewerOf(res);
    return { userId: v.userId, role: v.role as StaffActor['role'], managerId: v.managerId };
  };
  // the applicant has no account (or language) yet: mails to them are in the store's language
  const inMail = translator();
  const id = (res: Response, v: unknown) => {
    const n = parseId(v);
    if (n === null) throw badRequest(tOf(res)('console.registrations.noSuch'));
    return n;
  };

  r.get('/console/registrations', ...staff, async (_req, res) => {
    const a = actor(res);
    res.render('console/registrations', {
      title: tOf(res)('console.registrations.title'), section: 'registrations',
      // the role offered first: owner for a cabinet without users (a new company), else a buyer of the matched entity
      pending: (await listRegistrations(rt.db, a, { state: 'pending' })).map((p) => ({
        ...p,
        roles: COMPANY_ROLES.map((value) => ({ value, label: tOf(res)(`company.roles.${value}`), selected: value === (p.matches.some((m) => m.users > 0) ? 'buyer' : 'owner') })),
      })), decided: await listRegistrations(rt.db, a, { state: 'decided', limit: 50 }),
    });
  });

  r.post('/console/registrations/:id/approve', ...staff, async (req, res) => {
    let done: Awaited<ReturnType<typeof approveRegistration>>;
    try {
      const role = String(req.body?.companyRole ?? '');
      done = await approveRegistration(rt.db, actor(res), id(res, req.params.id), { companyRole: role ? parseRole(role) : undefined });
    } catch (err) {
      // a foreign or unknown request stays the handler's 404; a refusal is shown on the list
      flash(req, 'error', messageText(res, refusal(err, 'conflict', 'invalid')));
      return res.redirect(303, '/console/registrations');
    }
    const link = `${publicBaseUrl(rt.config)}/password/set/${done.token}`;
    await mail
      .send({
        to: done.email,
        subject: inMail('console.registrations.approvedSubject'),
        key: `registration-approved-${done.requestId}`,
        text: inMail('console.registrations.approvedText', { name: done.contactName, counterparty: done.counterpartyName, client: done.clientName, link }),
      })
      .then(
        () => flash(req, 'ok', `${tOf(res)('console.registrations.approvedFlash', { id: done.requestId, email: done.email })} ${tOf(res)('companyAccess.registrationRole', { role: tOf(res)(`company.roles.${done.companyRole}`), entity: done.counterpartyName })}`),
        (err) => {
          log.warn({ err: (err as Error).message }, 'registration invitation not sent');
          flash(req, 'error', tOf(res)('console.registrations.approvedNoMail', { link }));
        },
      );
    res.redirect(303, '/console/registrations');
  });

  r.post('/console/registrations/:id/reject', ...staff, async (req, res) => {
    let done: Awaited<ReturnType<typeof rejectRegistrationWithMail>>;
    const requestId = id(res, req.params.id);
    try {
      done = await rejectRegistrationWithMail(rt, actor(res), requestId, String(req.body?.reply ?? ''));
    } catch (err) {
      flash(req, 'error', messageText(res, refusal(err, 'conflict', 'invalid')));
      return res.redirect(303, '/console/registrations');
    }
    flash(req, 'ok', tOf(res)('console.registrations.rejectedFlash', { id: requestId, email: done.email }));
    res.redirect(303, '/console/registrations');
  });
  return r;
}
