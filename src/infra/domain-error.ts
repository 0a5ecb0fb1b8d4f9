// The one domain error type: its message is safe to show to the user, `type` decides the HTTP
// status (mapped in one place, src/web/domain-errors.ts) and `code` names the case for callers
// and tests (e.g. 'checkout.stock').
//   invalid → 422 (the input was read but is not acceptable), malformed → 400 (the request
//   itself could not be read), unauthenticated → 401, forbidden → 403, not_found → 404,
//   conflict → 409 (acceptable input the current state refuses: stock, limits, states).
export type DomainErrorType = 'invalid' | 'malformed' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict';

export class DomainError extends Error {
  readonly code: string;
  readonly details: unknown;
  constructor(
    readonly type: DomainErrorType,
    readonly userMessage: string,
    opts: { code?: string; details?: unknown } = {},
  ) {
    super(userMessage);
    this.code = opts.code ?? type;
    this.details = opts.details;
  }
}
