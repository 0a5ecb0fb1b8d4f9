// The durable way to send an e-mail: a `mail_outbox` row written in the caller's transaction, so
// the e-mail exists exactly when what it tells about was committed, whatever Redis does. After
// the commit the row is handed to the mail.send queue (under its key: one BullMQ job, one sent
// marker); work.reconcile hands unsent rows again (Redis down at the commit, or restarted empty
// before the send), for OUTBOX_MAIL_DAYS. mail.send stamps `sent_at`.
import type { Knex } from 'knex';
import { handOver } from '../infra/queue/handover.ts';
import type { Runtime } from '../infra/runtime.ts';
import { enqueueMail, type MailJobData } from './enqueue.ts';

export type OutboxMail = MailJobData & { key: string };

/** A row this young is still being handed over by the request that wrote it. */
export const MAIL_GRACE_S = 30;
/** Unsent rows older than this are not handed again (the failed job says why). */
export const OUTBOX_MAIL_DAYS = 3;

/** Writes the e-mails in the caller's transaction; a key written before is kept as it was. Returns the keys. */
export async function writeMails(db: Knex, mails: OutboxMail[]): Promise<string[]> {
  if (!mails.length) return [];
  for (const m of mails) if (!/^[A-Za-z0-9_-]+$/.test(m.key)) throw new Error(`mail key "${m.key}" may use letters, digits, - and _ only`);
  await db('mail_outbox').insert(mails.map((m) => ({ key: m.key, mail: JSON.stringify(m) }))).onConflict('key').ignore();
  return mails.map((m) => m.key);
}

/**
 * Hands unsent rows to the mail queue: the given keys (right after their commit), else every row
 * older than the grace and younger than OUTBOX_MAIL_DAYS. Returns how many were handed.
 */
export async function flushMails(rt: Runtime, keys?: string[], opts: { graceS?: number } = {}): Promise<number> {
  const q = rt.db('mail_outbox').whereNull('sent_at').orderBy('id').limit(500).select('id', 'mail');
  if (keys) q.whereIn('key', keys);
  else {
    q.where('created_at', '<', rt.db.raw('now() - make_interval(secs => ?)', [opts.graceS ?? MAIL_GRACE_S]))
      .andWhere('created_at', '>', rt.db.raw('now() - make_interval(days => ?)', [OUTBOX_MAIL_DAYS]));
  }
  const rows: { id: number; mail: OutboxMail }[] = await q;
  for (const r of rows) {
    await enqueueMail(rt, r.mail); // the same key again while its job exists is a no-op
    await rt.db('mail_outbox').where({ id: r.id }).update({ enqueued_at: rt.db.fn.now() });
  }
  return rows.length;
}

/** After a commit: hands the rows over without holding the request (Redis may be down: work.reconcile hands them again). */
export function flushMailsLater(rt: Runtime, keys: string[]): void {
  if (!keys.length) return;
  void handOver(rt, () => flushMails(rt, keys), { what: 'outbox e-mails', covers: 'work.reconcile (every minute)', fields: { keys } });
}

/** mail.send: the e-mail with this key went out (or had gone out before). */
export async function markMailSent(rt: Runtime, key: string): Promise<void> {
  await rt.db('mail_outbox').where({ key }).whereNull('sent_at').update({ sent_at: rt.db.fn.now() });
}

/** outbox.purge: sent rows older than the retention go; unsent ones stay (they say what was never sent). */
export async function purgeSentMails(db: Knex, retentionDays: number): Promise<number> {
  return db('mail_outbox').where('sent_at', '<', db.raw('now() - make_interval(days => ?)', [retentionDays])).delete();
}
