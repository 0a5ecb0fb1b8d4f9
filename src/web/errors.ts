// The web's refusals, as DomainErrors (src/web/domain-errors.ts maps them to HTTP).
import { DomainError } from '../infra/domain-error.ts';

export const notFound = (what = 'Page') => new DomainError('not_found', `${what} not found.`, { code: 'web.not_found' });
export const forbidden = (message = 'You do not have access to this page.') => new DomainError('forbidden', message, { code: 'web.forbidden' });
export const unauthenticated = (message: string) => new DomainError('unauthenticated', message, { code: 'web.sign_in' });
export const badRequest = (msg: string) => new DomainError('malformed', msg, { code: 'web.bad_request' });
export const invalidForm = (msg: string) => new DomainError('invalid', msg, { code: 'web.form' });

/** A numeric id from a URL or form, or 404 (a malformed id is just a page that does not exist). */
export function idParam(v: unknown, what = 'Page'): number {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string' && typeof s !== 'number') throw notFound(what);
  const str = String(s);
  if (!/^\d{1,15}$/.test(str)) throw notFound(what);
  return Number(str);
}
