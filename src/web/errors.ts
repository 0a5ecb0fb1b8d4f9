// The web's refusals, as DomainErrors (src/web/domain-errors.ts maps them to HTTP).
import { z } from 'zod';
import { type DomainErrorType, DomainError } from '../infra/domain-error.ts';
import { CATALOGS, type Translate } from '../infra/i18n/index.ts';

/**
 * A refusal whose text is a catalog key (the DomainError's `text`, like the store's): the error
 * handler says it in the request's language (`sayIn`); its userMessage is the default language's.
 */
export function saying(type: DomainErrorType, key: string, code: string, values: Record<string, unknown> = {}): DomainError {
  return new DomainError(type, { key, params: values }, { code });
}
/** A refusal's text in a language: its catalog key's when it has one, else its message. */
export function sayIn(err: DomainError, tr: Translate): string {
  return err.text ? (tr(err.text.key, err.text.params ?? {}) as string) : err.userMessage;
}

const NOT_FOUND = (CATALOGS.ru.errors as { notFound: Record<string, string> }).notFound;
/**
 * "… not found." of a thing the catalogs name (errors.notFound.<what>: 'order', 'document' …);
 * another name (staff pages not yet through the catalogs) as `${what} not found.`.
 */
export const notFound = (what = 'page') =>
  Object.hasOwn(NOT_FOUND, what) ? saying('not_found', `errors.notFound.${what}`, 'web.not_found') : new DomainError('not_found', `${what} not found.`, { code: 'web.not_found' });
export const forbidden = (message?: string) =>
  message === undefined ? saying('forbidden', 'errors.forbidden', 'web.forbidden') : new DomainError('forbidden', message, { code: 'web.forbidden' });
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
export function idParam(v: unknown, what = 'page'): number {
  const n = parseId(Array.isArray(v) ? v[0] : v);
  if (n === null) throw notFound(what);
  return n;
}
