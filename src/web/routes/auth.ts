// Sign in / out, password reset and invitation links, and the counterparty/contract switch.
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { log } from '../../infra/log.ts';
import { publicBaseUrl } from '../../mail/links.ts';
import { attemptLimits, type LimitRule } from '../../infra/rate-limit.ts';
import type { Runtime } from '../../infra/runtime.ts';
import type { MailSender } from '../../store/shared/mail-port.ts';
import { checkLogin, findUserIdByEmail, issueToken, passwordProblem, peekToken, redeemToken } from '../../store/accounts/users.ts';
import { setCurrent } from '../../store/accounts/viewer.ts';
import { ownCounterparty, requireUser, viewerOf } from '../auth/context.ts';
import { csrfToken } from '../auth/csrf.ts';
import { destroySession, flash, regenerateSession } from '../auth/session.ts';
import { notFound, zId } from '../errors.ts';
import { messageText } from '../domain-errors.ts';
import { tOf } from '../i18n.ts';
import { safeLocalPath } from '../safe-path.ts';

// An unknown e-mail, a wrong password and a locked account get the same status and text (and,
// with argon2 run in every case, about the same time): the answer never tells whether an
// account exists.
const tooMany = (res: Response, s: number) => tOf(res)('auth.login.tooMany', { minutes: Math.ceil(s / 60) });

/** Only local paths: never redirect a user off-site after sign-in (see safe-path.ts). */
export const safeNext = safeLocalPath;

const homeFor = (role: string) => (role === 'buyer' ? '/catalog' : '/');

/** Sign-in: failed attempts per client address and per e-mail (a success is given back). */
export const LOGIN_LIMITS = {
  ip: { name: 'login:ip', points: 30, windowS: 900 },
  email: { name: 'login:email', points: 10, windowS: 900 },
} satisfies Record<string, LimitRule>;
/** Reset requests: every request counts. */
export const RESET_LIMITS = {
  ip: { name: 'reset:ip', points: 10, windowS: 900 },
  email: { name: 'reset:email', points: 3, windowS: 900 },
} satisfies Record<string, LimitRule>;

export function authRoutes(rt: Runtime, mail: MailSender): Router {
  const r = Router();
  const limits = attemptLimits(rt.redis, rt.prefix);
  const renderLogin = (req: Request, res: Response, status: number, error?: string) =>
    res.status(status).render('login', { title: tOf(res)('auth.login.title'), csrf: csrfToken(req), error, email: req.body?.email ?? '', next: safeNext(req.body?.next ?? req.query.next) });

  r.get('/login', (req, res) => {
    if (res.locals.viewer) return res.redirect(303, safeNext(req.query.next) ?? homeFor(res.locals.viewer.role));
    renderLogin(req, res, 200);
  });

  r.post('/login', async (req, res) => {
    const email = String(req.body?.email ?? '').trim().toLowerCase().slice(0, 320);
    const password = String(req.body?.password ?? '');
    // Counted before the password check (atomically), given back on success: parallel guesses
    // cannot slip past the limit while argon2 runs.
    const keys = [
      { rule: LOGIN_LIMITS.ip, key: String(req.ip) },
      { rule: LOGIN_LIMITS.email, key: email },
    ];
    const wait = await limits.take(keys);
    if (wait > 0) return renderLogin(req, res, 429, tooMany(res, wait));
    const result = await checkLogin(rt.db, email, password);
    if (!result.ok) {
      // 'disabled' comes only after the right password, so it tells nothing to a guesser.
      return renderLogin(req, res, 401, tOf(res)(result.reason === 'disabled' ? 'auth.login.disabled' : 'auth.login.invalid'));
    }
    await limits.refund(keys);
    regenerateSession(req, { userId: result.userId });
    csrfToken(req);
    res.redirect(303, safeNext(req.body?.next) ?? homeFor(result.role));
  });

  r.post('/logout', (req, res) => {
    destroySession(req);
    res.redirect(303, '/login');
  });

  r.get('/password/forgot', (req, res) => res.render('password-forgot', { title: tOf(res)('auth.forgot.title'), csrf: csrfToken(req) }));

  r.post('/password/forgot', async (req, res) => {
    const email = String(req.body?.email ?? '').trim().slice(0, 320);
    const wait = await limits.take([
      { rule: RESET_LIMITS.ip, key: String(req.ip) },
      { rule: RESET_LIMITS.email, key: email.toLowerCase() },
    ]);
    if (wait > 0) return res.status(429).render('password-forgot', { title: tOf(res)('auth.forgot.title'), csrf: csrfToken(req), error: tooMany(res, wait) });
    const userId = email ? await findUserIdByEmail(rt.db, email) : null;
    if (userId) {
      const token = await issueToken(rt.db, userId, 'reset', 2);
      const link = `${publicBaseUrl(rt.config)}/password/set/${token}`;
      // Straight to the queue (the outbox would keep the link in plain text): a failure is said, never
      // silent, so the person asks again. It says nothing of the account: with the queue's Redis down
      // the attempt limits above (the same Redis) fail for any address first.
      try {
        await mail.send({ to: email, subject: tOf(res)('auth.forgot.mailSubject'), text: tOf(res)('auth.forgot.mailText', { email, link }) });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'reset e-mail not sent');
        return res.status(503).render('password-forgot', { title: tOf(res)('auth.forgot.title'), csrf: csrfToken(req), error: tOf(res)('mailNotSent.reset') });
      }
    }
    // The same answer whether or not the account exists.
    res.render('password-forgot', { title: tOf(res)('auth.forgot.title'), csrf: csrfToken(req), sent: tOf(res)('auth.forgot.sent') });
  });

  r.get('/password/set/:token', async (req, res) => {
    const t = await peekToken(rt.db, req.params.token);
    if (!t) return res.status(410).render('password-set', { title: tOf(res)('auth.set.title'), error: tOf(res)('auth.set.badLink'), expired: true });
    res.render('password-set', { title: tOf(res)(t.purpose === 'invite' ? 'auth.set.welcome' : 'auth.set.title'), csrf: csrfToken(req), email: t.email, token: req.params.token });
  });

  r.post('/password/set/:token', async (req, res) => {
    const t = await peekToken(rt.db, req.params.token);
    if (!t) return res.status(410).render('password-set', { title: tOf(res)('auth.set.title'), error: tOf(res)('auth.set.badLink'), expired: true });
    const password = String(req.body?.password ?? '');
    const tooWeak = passwordProblem(password);
    const problem = tooWeak ? messageText(res, tooWeak) : password !== String(req.body?.password2 ?? '') ? tOf(res)('auth.set.mismatch') : null;
    if (problem) {
      return res.status(422).render('password-set', { title: tOf(res)('auth.set.title'), csrf: csrfToken(req), email: t.email, token: req.params.token, error: problem });
    }
    const userId = await redeemToken(rt.db, req.params.token, password);
    if (!userId) return res.status(410).render('password-set', { title: tOf(res)('auth.set.title'), error: tOf(res)('auth.set.badLink'), expired: true });
    regenerateSession(req, { userId });
    csrfToken(req);
    flash(req, 'ok', tOf(res)('auth.set.done'));
    res.redirect(303, '/');
  });

  const switchBody = z.object({
    counterpartyId: zId,
    contractId: zId.optional().or(z.literal('')),
    back: z.string().optional(),
  });
  r.post('/account/switch', requireUser, async (req, res) => {
    const viewer = viewerOf(res);
    const body = switchBody.safeParse(req.body);
    if (!body.success) throw notFound();
    const counterpartyId = ownCounterparty(viewer, body.data.counterpartyId);
    let contractId: number | null = null;
    if (body.data.contractId && counterpartyId === viewer.counterpartyId) {
      // A contract must belong to the chosen counterparty; the viewer lists only those.
      contractId = Number(body.data.contractId);
      if (!viewer.contracts.some((k) => k.id === contractId)) throw notFound();
    }
    await setCurrent(rt.db, viewer.userId, counterpartyId, contractId);
    res.redirect(303, safeNext(body.data.back) ?? '/catalog');
  });
  return r;
}
