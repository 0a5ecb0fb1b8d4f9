// What the store needs from e-mail: send one message. The process wires a real sender
// (src/mail); tests pass a recorder. Kept tiny so store logic never depends on transport.
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Idempotency key (letters, digits, - and _): the same key is sent at most once. */
  key?: string;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
  /** Whether a send would be taken now (the queue answers): asked before creating what only an e-mail carries (an invitation's link). */
  ready?(): Promise<boolean>;
}

/** Used when no sender is wired: the message is dropped with a log line by the caller. */
export const noMail: MailSender = {
  async send() {},
};
