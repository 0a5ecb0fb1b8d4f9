// The one domain error type: its message is safe to show to the user, `type` decides the HTTP
// status (mapped in one place, src/web/domain-errors.ts) and `code` names the case for callers
// and tests (e.g. 'checkout.stock').
//   invalid → 422 (the input was read but is not acceptable), malformed → 400 (the request
//   itself could not be read), unauthenticated → 401, forbidden → 403, not_found → 404,
//   conflict → 409 (acceptable input the current state refuses: stock, limits, states),
//   unavailable → 503 (a service it needs is down, e.g. the queue: nothing was done, try later).
// A refusal may name its text as a catalog key with values (`Message`): the web translates it
// in the reader's language (src/web/domain-errors.ts messageText); `userMessage` is then the text
// in the store's default language, for callers that show one text to everybody and for logs.
import { t } from './i18n/index.ts';

export type DomainErrorType = 'invalid' | 'malformed' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unavailable';

/** A text for people as a catalog key and its values (quantities as decimal strings: `{{available, qty}}`). */
export interface Message {
  key: string;
  params?: Record<string, unknown>;
}

/** A message in a language (default: the store's); a plain string is already a text. */
export function messageIn(lang: string | null | undefined, m: Message | string): string {
  return typeof m === 'string' ? m : t(lang, m.key, m.params);
}

export class DomainError extends Error {
  readonly code: string;
  readonly details: unknown;
  /** The text as a catalog key with values, when the store named it so. */
  readonly text: Message | null;
  readonly userMessage: string;
  constructor(
    readonly type: DomainErrorType,
    userMessage: string | Message,
    opts: { code?: string; details?: unknown } = {},
  ) {
    const shown = messageIn(null, userMessage);
    super(shown);
    this.userMessage = shown;
    this.text = typeof userMessage === 'string' ? null : userMessage;
    this.code = opts.code ?? type;
    this.details = opts.details;
  }
}
