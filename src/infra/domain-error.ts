// A domain error whose message is safe to show to the user; the web maps `type` to a status.
export type DomainErrorType = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

export class DomainError extends Error {
  constructor(
    readonly type: DomainErrorType,
    readonly userMessage: string,
  ) {
    super(userMessage);
  }
}
