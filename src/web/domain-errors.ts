// DomainError → HTTP, in one place: the app's error handler answers every thrown DomainError
// with this status and its user message; a route that answers a refusal inside its own page or
// htmx fragment picks it with `refusal()` and takes the status from `httpStatus()`.
import type { Response } from 'express';
import { DomainError, type DomainErrorType, type Message, messageIn } from '../infra/domain-error.ts';

const STATUS: Record<DomainErrorType, number> = {
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid: 422,
  unavailable: 503,
};

export function httpStatus(err: DomainError): number {
  return STATUS[err.type];
}

/**
 * The refusal a route shows in place (a flash, a message in a fragment): `err` when it is a
 * DomainError of one of `shown` types (any type when none are given); anything else is
 * rethrown, so the error handler answers it (a foreign id stays a 404 page, a bug a 500).
 */
export function refusal(err: unknown, ...shown: DomainErrorType[]): DomainError {
  if (err instanceof DomainError && (shown.length === 0 || shown.includes(err.type))) return err;
  throw err;
}

/** A refusal's text (or a store message) in the request's language (src/web/i18n.ts). */
export function messageText(res: Response, m: DomainError | Message | string): string {
  const lang = res.locals.lang as string | undefined;
  if (m instanceof DomainError) return m.text ? messageIn(lang, m.text) : m.userMessage;
  return messageIn(lang, m);
}
