// CSRF: a synchronizer token kept in the session. Every form carries it as `_csrf`; htmx sends
// it as the `X-CSRF-Token` header (set once on <body hx-headers>). Any request that changes
// something (not GET/HEAD/OPTIONS) without the right token is refused with 403.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { saying } from '../errors.ts';

/** The session's token, created on first use (this is what starts an anonymous session). */
export function csrfToken(req: Request): string {
  req.session.data.csrf ??= randomBytes(18).toString('base64url');
  return req.session.data.csrf;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  // Templates get the token only when a session already exists; login/reset pages ask for it.
  if (req.session.id) res.locals.csrf = csrfToken(req);
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
    next();
    return;
  }
  const sent = (req.body && typeof req.body._csrf === 'string' ? req.body._csrf : undefined) ?? req.get('x-csrf-token');
  const expected = req.session.data.csrf;
  if (!sent || !expected || !same(sent, expected)) {
    next(saying('forbidden', 'errors.csrf', 'web.forbidden'));
    return;
  }
  next();
}
