// E-mails about quotes, through the one mail queue (src/mail: mail.send, at most once per key):
// the client's manager (else the admins, like unread messages) when a buyer asks; the buyer who
// asked when the manager answers (every answer: its key is the answer's time). Messages of the
// quote's thread are e-mailed by the throttled sweep of unread messages (src/store/messages).
import { enqueueMail, publicBaseUrl } from '../../mail/index.ts';
import { log } from '../../infra/log.ts';
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

/** Queues the e-mail of a quote event; returns the addresses written to. */
export async function mailQuoteEvent(rt: Runtime, quoteId: number, event: QuoteEvent): Promise<string[]> {
  const { rows } = await rt.db.raw<{ rows: QuoteFacts[] }>(
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
    to = (await recipients(rt.db, 'client', [q.client_id])).get(q.client_id)?.to ?? [];
    key = `quote-${q.id}-requested`;
  } else {
    if (q.status !== 'answered' || !q.answered_ms) return [];
    to = q.buyer_email ? [q.buyer_email] : [];
    key = `quote-${q.id}-answered-${q.answered_ms}`;
  }
  for (const [i, addr] of to.entries()) await enqueueMail(rt, { to: addr, template: `quote-${event}`, key: `${key}-${i}`, data });
  return to;
}

/**
 * The same, for a route after its transaction: the quote is saved whatever the mail queue does,
 * so a queue that is down is logged (the page still answers), never thrown at the buyer.
 */
export async function mailQuoteEventAfterCommit(rt: Runtime, quoteId: number, event: QuoteEvent): Promise<void> {
  try {
    await mailQuoteEvent(rt, quoteId, event);
  } catch (err) {
    log.error({ err: (err as Error).message, quoteId, event }, 'quote e-mail not queued');
  }
}
