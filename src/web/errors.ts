// The web's refusals, as DomainErrors (src/web/domain-errors.ts maps them to HTTP).
import { z } from 'zod';
import { DomainError } from '../infra/domain-error.ts';

export const notFound = (what = 'Page') => new DomainError('not_found', `${what} not found.`, { code: 'web.not_found' });
export const forbidden = (message = 'You do not have access to this page.') => new DomainError('forbidden', message, { code: 'web.forbidden' });
export const unauthenticated = (message: string) => new DomainError('unauthenticated', message, { code: 'web.sign_in' });
export const badRequest = (msg: string) => new DomainError('malformed', msg, { code: 'web.bad_request' });
export const invalidForm = (msg: string) => new DomainError('invalid', msg, { code: 'web.form' });

/**
 * The one id validator: a positive integer in decimal digits, at most 2^53 − 1 (inside
 * PostgreSQL's int8 and exact as a JS number). Never `1e300`, `0x10`, ` 12` or
 * `99999999999999999999` (which would reach SQL as an out-of-range bigint: a 500). Else null.
 */
export function parseId(v: unknown): number | null {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^\d{1,16}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 && n <= Number.MAX_SAFE_INTEGER ? n : null;
}

/** parseId for zod form schemas. */
export const zId = z
  .union([z.string(), z.number()])
  .refine((v) => parseId(v) !== null, 'not an id')
  .transform((v) => parseId(v) as number);

/** A numeric id from a URL or form, or 404 (a malformed id is just a page that does not exist). */
export function idParam(v: unknown, what = 'Page'): number {
  const n = parseId(Array.isArray(v) ? v[0] : v);
  if (n === null) throw notFound(what);
  return n;
}
