// The language switcher (views/partials/language-switch.hbs): a plain form, so it works without
// JavaScript. Signed-in users POST it (CSRF token) and their choice is stored (users.language:
// pages and e-mails follow it); visitors without a session GET it. Both set the `lang` cookie
// and go back where they were.
import { type Request, type Response, Router } from 'express';
import { isLanguage } from '../../infra/i18n/index.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { setLanguage, type Viewer } from '../../store/accounts/viewer.ts';
import { invalidForm } from '../errors.ts';
import { LANG_COOKIE } from '../i18n.ts';
import { safeLocalPath } from '../safe-path.ts';

const YEAR_S = 365 * 24 * 3600;

export function languageRoutes(rt: Runtime): Router {
  const r = Router();
  const choose = async (req: Request, res: Response, input: Record<string, unknown>) => {
    const lang = input.lang;
    if (!isLanguage(lang)) throw invalidForm('Unknown language.');
    const viewer = res.locals.viewer as Viewer | undefined;
    if (viewer && req.method === 'POST') await setLanguage(rt.db, viewer.userId, lang);
    res.append('Set-Cookie', `${LANG_COOKIE}=${lang}; Path=/; SameSite=Lax; Max-Age=${YEAR_S}${req.secure ? '; Secure' : ''}`);
    res.redirect(303, safeLocalPath(input.back) ?? '/');
  };
  r.get('/language', (req, res) => choose(req, res, req.query as Record<string, unknown>));
  r.post('/language', (req, res) => choose(req, res, (req.body ?? {}) as Record<string, unknown>));
  return r;
}
