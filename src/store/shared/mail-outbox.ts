// The store's e-mails that tell of a committed event (an order placed, an approval decided, stock
// back for a waiting list, a reservation ending...): written to the mail outbox (src/mail/outbox.ts)
// through the event's own transaction, handed to mail.send after the commit, and again by
// work.reconcile until sent. Redis down at the event delays such an e-mail, never loses it; its
// key keeps it to one e-mail whoever hands it over.
import type { Knex } from 'knex';
import type { Runtime } from '../../infra/runtime.ts';
import { flushMailsLater, type OutboxMail, writeMails } from '../../mail/index.ts';
import type { MailSender, OutgoingMail } from './mail-port.ts';

/** The e-mails written in one transaction; `keys` are what to hand over once it committed. */
export interface OutboxMails extends MailSender {
  /** A template e-mail (rendered by mail.send in the recipient's language). */
  write(mails: OutboxMail[]): Promise<void>;
  readonly keys: string[];
}

/** A message already written (subject, text, html): the store-plain template carries it. */
export function plainOutboxMail(m: OutgoingMail): OutboxMail {
  if (!m.key) throw new Error(`an outbox e-mail needs a key (to ${m.to}: "${m.subject}")`);
  return { to: m.to, template: 'store-plain', data: { subject: m.subject, text: m.text, html: m.html }, key: m.key };
}

/** Writes through `trx` (the event's transaction). */
export function outboxMails(trx: Knex): OutboxMails {
  const keys: string[] = [];
  const write = async (mails: OutboxMail[]) => void keys.push(...(await writeMails(trx, mails)));
  return { keys, write, send: (m) => write([plainOutboxMail(m)]) };
}

/**
 * Runs `act` in one transaction with the e-mails it writes, then hands them to the mail queue
 * without waiting for Redis (work.reconcile hands again what did not get there).
 */
export async function withOutboxMails<T>(rt: Runtime, act: (trx: Knex.Transaction, mails: OutboxMails) => Promise<T>): Promise<T> {
  let keys: string[] = [];
  const out = await rt.db.transaction(async (trx) => {
    const mails = outboxMails(trx);
    const r = await act(trx, mails);
    keys = mails.keys;
    return r;
  });
  flushMailsLater(rt, keys);
  return out;
}
