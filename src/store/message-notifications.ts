// E-mail about unread messages, throttled: at most one e-mail per thread and side every
// `throttleMs`, only for messages still unread after `graceMs` (someone chatting live gets
// none), and never twice for the same messages. Run by a periodic job; safe to run in parallel.
import type { Db } from '../db/knex.ts';

/** One e-mail (template views/mail/messages-unread.*) to the people of one side of a thread. */
export interface MailOut {
  to: string[];
  template: 'messages-unread';
  data: { toManager: boolean; clientName: string; managerName: string | null; count: number; url: string };
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
}

const notifiedCol = (fromSide: Due['from_side']) => (fromSide === 'client' ? 'manager_notified_at' : 'client_notified_at');

// Unread messages old enough, newer than the recipient's last e-mail, and that e-mail not too recent.
const DUE = (col: string, oneClient: boolean) => `
  SELECT m.client_id, m.from_side, count(*)::int AS unread
    FROM messages m LEFT JOIN message_threads t ON t.client_id = m.client_id
   WHERE m.read_at IS NULL AND m.from_side = ?
     AND m.created_at <= now() - make_interval(secs => ?)
     AND m.created_at > coalesce(t.${col}, '-infinity')
     AND coalesce(t.${col}, '-infinity') <= now() - make_interval(secs => ?)
     ${oneClient ? 'AND m.client_id = ?' : ''}
   GROUP BY m.client_id, m.from_side`;

async function recipients(db: Db, d: Due): Promise<{ to: string[]; clientName: string; managerName: string | null }> {
  const c = await db('clients as c').leftJoin('managers as m', 'm.id', 'c.manager_id').where('c.id', d.client_id)
    .first('c.name', 'c.manager_id', 'm.name as manager_name', 'm.email as manager_email');
  let to: string[];
  if (d.from_side === 'client') {
    const staff = c.manager_id
      ? await db('users').where({ role: 'manager', manager_id: c.manager_id }).whereNull('disabled_at').pluck('email')
      : [];
    to = staff.length ? staff : c.manager_email ? [c.manager_email] : [];
  } else {
    to = await db('users').where({ role: 'buyer', client_id: d.client_id }).whereNull('disabled_at').orderBy('id').pluck('email');
  }
  return { to, clientName: c.name, managerName: c.manager_name };
}

function compose(d: Due, r: { clientName: string; managerName: string | null }, baseUrl: string): Omit<MailOut, 'to'> {
  const toManager = d.from_side === 'client';
  const url = toManager ? `${baseUrl}/manager/clients/${d.client_id}/messages` : `${baseUrl}/messages`;
  return { template: 'messages-unread', data: { toManager, clientName: r.clientName, managerName: r.managerName, count: d.unread, url } };
}

/** Sends the e-mails that are due; returns how many were sent. */
export async function sendDueMessageNotifications(db: Db, send: SendMail, opts: NotifyOptions = {}): Promise<number> {
  const graceS = (opts.graceMs ?? DEFAULT_NOTIFY.graceMs) / 1000;
  const throttleS = (opts.throttleMs ?? DEFAULT_NOTIFY.throttleMs) / 1000;
  const baseUrl = (opts.baseUrl ?? '').replace(/\/$/, '');
  let sent = 0;
  for (const side of ['client', 'manager'] as const) {
    const col = notifiedCol(side);
    const { rows } = await db.raw(DUE(col, false), [side, graceS, throttleS]);
    for (const candidate of rows as Due[]) {
      const did = await db.transaction(async (trx) => {
        // one sender per thread: lock its row, then re-check under the lock
        await trx('message_threads').insert({ client_id: candidate.client_id }).onConflict('client_id').ignore();
        await trx('message_threads').where({ client_id: candidate.client_id }).forUpdate().first();
        const { rows: still } = await trx.raw(DUE(col, true), [side, graceS, throttleS, candidate.client_id]);
        const d = still[0] as Due | undefined;
        if (!d) return false;
        const r = await recipients(trx as unknown as Db, d);
        await trx('message_threads').where({ client_id: d.client_id }).update({ [col]: trx.fn.now() });
        if (!r.to.length) return false; // nobody to tell; still counts as handled
        await send({ to: r.to, ...compose(d, r, baseUrl) });
        return true;
      });
      if (did) sent++;
    }
  }
  return sent;
}
