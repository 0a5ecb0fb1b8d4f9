// The one domain error type: its message is safe to show to the user, `type` decides the HTTP
// status (mapped in one place, src/web/domain-errors.ts) and `code` names the case for callers
// and tests (e.g. 'checkout.stock').
export type DomainErrorType = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

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
