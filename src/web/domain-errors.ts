// Maps the store's DomainError to the web's HttpError (one place, used by the error handler).
import { DomainError } from '../infra/domain-error.ts';
import { HttpError } from './errors.ts';

const STATUS = { invalid: 422, forbidden: 403, not_found: 404, conflict: 409 } as const;

export function asHttpError(err: unknown): unknown {
  return err instanceof DomainError ? new HttpError(STATUS[err.type], err.userMessage) : err;
}
