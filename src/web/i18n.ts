// The request's language: the signed-in user's own choice (users.language), else the `lang`
// cookie (anonymous visitors, or users who have not chosen), else the store's default
// (src/infra/i18n). Sets res.locals.lang and res.locals.locale (the helpers `t`, `money`,
// `datetime` … read them from the view's root) and the switcher's languages.
import type { Request, RequestHandler, Response } from 'express';
import { LANGUAGE_NAMES, LANGUAGES, type Language, languageOr, localeOf, type Translate, translator } from '../infra/i18n/index.ts';
import type { Viewer } from '../store/accounts/viewer.ts';
import { readCookie } from './auth/session.ts';

export const LANG_COOKIE = 'lang';

/** The language of a request whose viewer (if any) is known. */
export function requestLanguage(req: Request, viewer?: Viewer | null): Language {
  return languageOr(viewer?.language ?? readCookie(req, LANG_COOKIE));
}

/** Sets the request's language for the views. */
export const languageMiddleware: RequestHandler = (req, res, next) => {
  setLanguageLocals(res, requestLanguage(req, res.locals.viewer as Viewer | undefined));
  next();
};

export function setLanguageLocals(res: Response, lang: Language): void {
  res.locals.lang = lang;
  res.locals.locale = localeOf(lang);
  res.locals.languages = LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], current: code === lang }));
}

/** The translator of the request's language (routes: titles, flash messages). */
export function tOf(res: Response): Translate {
  return translator((res.locals.lang as string | undefined) ?? null);
}
