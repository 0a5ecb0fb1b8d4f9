// E-mail about unread messages, throttled: at most one e-mail per thread and side every
// `throttleMs`, only for messages still unread after `graceMs` (someone chatting live gets
// none), and never twice for the same messages. Run by a periodic job; safe to run in parallel.
import type { Db } from '../../infra/db/knex.ts';

/** One e-mail (template views/mail/messages-unread.*) to the people of one side of a thread. */
export interface MailOut {
  to: string[];
  /** This e-mail of this thread side (its claim's time): the mail outbox writes it once. */
  key: string;
  template: 'messages-unread';
  /** quoteId: every unread message is about this quote (its thread): the link opens the quote. */
  data: { toManager: boolean; clientName: string; managerName: string | null; count: number; url: string; quoteId: number | null };
}
export type SendMail = (m: MailOut) => Promise<void>;

export interface NotifyOptions {
  graceMs?: number;
  throttleMs?: number;
  /** Public URL of the store for links in the e-mail. */
  baseUrl?: string;
}

export const DEFAULT_NOTIFY = { graceMs: 60_000, throttleMs: 15 * 60_000 };

interface Due {
  client_id: number;
  from_side: 'client' | 'manager';
  unread: number;
  /** The one quote all these messages are about, else null. */
  quote_id: number | null;
}

const notifiedCol = (fromSide: Due['from_side']) => (fromSide === 'client' ? 'manager_notified_at' : 'client_notified_at');

// Unread messages old enough, newer than the recipient's last e-mail, and that e-mail not too recent.
const DUE = (col: string) => `
  SELECT m.client_id, m.from_side, count(*)::int AS unread,
         CASE WHEN count(DISTINCT coalesce(m.quote_id, 0)) = 1 THEN max(m.quote_id) END AS quote_id
    FROM messages m LEFT JOIN message_threads t ON t.client_id = m.client_id
   WHERE m.read_at IS NULL AND m.from_side = ?
     AND m.created_at <= now() - make_interval(secs => ?)
     AND m.created_at > coalesce(t.${col}, '-infinity')
     AND coalesce(t.${col}, '-infinity') <= now() - make_interval(secs => ?)
   GROUP BY m.client_id, m.from_side`;

export interface ThreadPeople {
  client_id: number;
  client_name: string;
  manager_name: string | null;
  to: string[];
}

// Recipients of many threads at once: for the manager side, the staff users standing for the
// client's manager, else the manager's own e-mail, else the admins (a client without a manager
// must not write into the void); for the client side, the client's buyers.
export async function recipients(db: Db, side: Due['from_side'], clientIds: number[]): Promise<Map<number, ThreadPeople>> {
  const { rows } = await db.raw(
    `SELECT c.id AS client_id, c.name AS client_name, m.name AS manager_name,
            ${
              side === 'client'
                ? `coalesce(nullif(array(SELECT u.email FROM users u WHERE u.role = 'manager' AND u.manager_id = c.manager_id AND u.disabled_at IS NULL ORDER BY u.id), '{}'),
                            CASE WHEN m.email IS NOT NULL THEN ARRAY[m.email] END,
                            array(SELECT u.email FROM users u WHERE u.role = 'admin' AND u.disabled_at IS NULL ORDER BY u.id))`
                : `array(SELECT u.email FROM users u WHERE u.role = 'buyer' AND u.client_id = c.id AND u.disabled_at IS NULL ORDER BY u.id)`
            } AS "to"
       FROM clients c LEFT JOIN managers m ON m.id = c.manager_id
      WHERE c.id = ANY(?::bigint[])`,
    [clientIds],
  );
  return new Map((rows as ThreadPeople[]).map((r) => [r.client_id, r]));
}

function compose(d: Due, r: ThreadPeople, baseUrl: string): Omit<MailOut, 'to' | 'key'> {
  const toManager = d.from_side === 'client';
  const quoteId = d.quote_id === null ? null : Number(d.quote_id);
  const url = quoteId !== null ? `${baseUrl}/quotes/${quoteId}` : toManager ? `${baseUrl}/manager/clients/${d.client_id}/messages` : `${baseUrl}/messages`;
  return { template: 'messages-unread', data: { toManager, clientName: r.client_name, managerName: r.manager_name, count: d.unread, url, quoteId } };
}

/**
 * Sends the e-mails that are due; returns how many were sent. Threads are claimed in one
 * statement (a concurrent sweep claims none of them twice: the throttle condition is re-checked
 * on the locked rows); a send that fails hands its thread back for the next sweep.
 */
export async function sendDueMessageNotifications(db: Db, send: SendMail, opts: NotifyOptions = {}): Promise<number> {
  const graceS = (opts.graceMs ?? DEFAULT_NOTIFY.graceMs) / 1000;
  const throttleS = (opts.throttleMs ?? DEFAULT_NOTIFY.throttleMs) / 1000;
  const baseUrl = (opts.baseUrl ?? '').replace(/\/$/, '');
  let sent = 0;
  let failure: unknown;
  for (const side of ['client', 'manager'] as const) {
    const col = notifiedCol(side);
    const { rows: due } = await db.raw<{ rows: Due[] }>(DUE(col), [side, graceS, throttleS]);
    if (!due.length) continue;
    const ids = due.map((d) => d.client_id);
    await db.raw(`INSERT INTO message_threads (client_id) SELECT unnest(?::bigint[]) ON CONFLICT (client_id) DO NOTHING`, [ids]);
    // timestamps as text: a JS Date would drop the microseconds the release compares on
    const { rows: before } = await db.raw<{ rows: { client_id: number; at: string | null }[] }>(
      `SELECT client_id, ${col}::text AS at FROM message_threads WHERE client_id = ANY(?::bigint[])`,
      [ids],
    );
    const prev = new Map(before.map((r) => [r.client_id, r.at]));
    const { rows: claimed } = await db.raw<{ rows: { client_id: number; at: string }[] }>(
      `UPDATE message_threads SET ${col} = clock_timestamp()
        WHERE client_id = ANY(?::bigint[]) AND coalesce(${col}, '-infinity') <= now() - make_interval(secs => ?)
          AND coalesce(${col}, '-infinity') < (SELECT max(m.created_at) FROM messages m
                                                 WHERE m.client_id = message_threads.client_id AND m.from_side = ? AND m.read_at IS NULL)
        RETURNING client_id, ${col}::text AS at`,
      [ids, throttleS, side],
    );
    const people = await recipients(db, side, claimed.map((c) => c.client_id));
    const byId = new Map(due.map((d) => [d.client_id, d]));
    for (const c of claimed) {
      const r = people.get(c.client_id);
      if (!r?.to.length) continue; // nobody to tell; the thread still counts as handled
      try {
        await send({ to: r.to, key: `messages-${side}-${c.client_id}-${c.at.replace(/\D/g, '')}`, ...compose(byId.get(c.client_id)!, r, baseUrl) });
        sent++;
      } catch (err) {
        failure ??= err;
        await db.raw(`UPDATE message_threads SET ${col} = ?::timestamptz WHERE client_id = ? AND ${col} = ?::timestamptz`, [
          prev.get(c.client_id) ?? null,
          c.client_id,
          c.at,
        ]);
      }
    }
  }
  if (failure) throw failure;
  return sent;
}
