// E-mails about quotes: the client's manager (else the admins, like unread messages) when a buyer
// asks; the buyer who asked when the manager answers (every answer: its key is the answer's time).
// They are written to the mail outbox (src/mail/outbox.ts) in the request's or the answer's own
// transaction, so Redis down at that moment delays them, never loses them. Messages of the
// quote's thread are e-mailed by the throttled sweep of unread messages (src/store/messages),
// which reads what is unread from PostgreSQL.
import type { Knex } from 'knex';
import { flushMailsLater, publicBaseUrl, writeMails } from '../../mail/index.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { recipients } from '../messages/notifications.ts';

export type QuoteEvent = 'requested' | 'answered';

interface QuoteFacts {
  id: number;
  client_id: number;
  client_name: string;
  counterparty_name: string;
  status: string;
  comment: string;
  answer: string;
  desired_date: string | null;
  valid_until: string | null;
  answered_ms: string | null;
  lines: number;
  total: string | null;
  currency: string | null;
  buyer_email: string | null;
  buyer_name: string | null;
}

/** Writes the e-mails of a quote event into the mail outbox through `db` (the event's transaction); returns their keys. */
export async function writeQuoteMail(rt: Runtime, db: Knex, quoteId: number, event: QuoteEvent): Promise<string[]> {
  const { rows } = await db.raw<{ rows: QuoteFacts[] }>(
    `SELECT q.id, q.client_id, c.name AS client_name, cp.name AS counterparty_name, q.status, q.comment, q.answer,
            to_char(q.desired_date, 'YYYY-MM-DD') AS desired_date, to_char(q.valid_until, 'YYYY-MM-DD') AS valid_until,
            (extract(epoch FROM q.answered_at) * 1000)::bigint::text AS answered_ms,
            (SELECT count(*)::int FROM quote_lines l WHERE l.quote_id = q.id) AS lines,
            (SELECT CASE WHEN bool_and(l.price IS NOT NULL) THEN sum(round(l.quantity * l.price, 2))::text END FROM quote_lines l WHERE l.quote_id = q.id) AS total,
            q.currency, u.email AS buyer_email, nullif(u.name, '') AS buyer_name
       FROM quotes q JOIN clients c ON c.id = q.client_id JOIN counterparties cp ON cp.id = q.counterparty_id
       LEFT JOIN users u ON u.id = q.user_id AND u.disabled_at IS NULL
      WHERE q.id = ?`,
    [quoteId],
  );
  const q = rows[0];
  if (!q) return [];
  const url = `${publicBaseUrl(rt.config)}/quotes/${q.id}`;
  const data = {
    id: q.id, clientName: q.client_name, counterpartyName: q.counterparty_name, comment: q.comment, answer: q.answer, lines: q.lines,
    desiredDate: q.desired_date, validUntil: q.valid_until, // calendar days: the template prints them in the recipient's language
    total: q.total, currency: q.currency, buyerName: q.buyer_name, url,
  };
  let to: string[];
  let key: string;
  if (event === 'requested') {
    to = (await recipients(db, 'client', [q.client_id])).get(q.client_id)?.to ?? [];
    key = `quote-${q.id}-requested`;
  } else {
    if (q.status !== 'answered' || !q.answered_ms) return [];
    to = q.buyer_email ? [q.buyer_email] : [];
    key = `quote-${q.id}-answered-${q.answered_ms}`;
  }
  return writeMails(db, to.map((addr, i) => ({ to: addr, template: `quote-${event}`, key: `${key}-${i}`, data })));
}

/**
 * Runs a quote's request or answer (`act`, in one transaction with its e-mails) and hands the
 * e-mails to the mail queue after the commit without waiting for Redis; returns the quote's id.
 */
export async function withQuoteMail(rt: Runtime, event: QuoteEvent, act: (trx: Knex.Transaction) => Promise<number>): Promise<number> {
  const { id, keys } = await rt.db.transaction(async (trx) => {
    const id = await act(trx);
    return { id, keys: await writeQuoteMail(rt, trx, id, event) };
  });
  flushMailsLater(rt, keys);
  return id;
}
