// What the mail outbox holds, oldest first: the recipient, the key and, for a store-plain e-mail
// (a message written by the store), its subject and text — to assert on e-mails written in an
// event's transaction without running mail.send.
import type { Knex } from 'knex';
import type { OutboxMail } from '../../src/mail/index.ts';

export interface OutboxLetter {
  key: string;
  to: string;
  template: string;
  subject: string;
  text: string;
  data: Record<string, unknown>;
  sent: boolean;
}

export async function outboxLetters(db: Knex, keyLike = '%'): Promise<OutboxLetter[]> {
  const rows: { key: string; mail: OutboxMail; sent_at: Date | null }[] = await db('mail_outbox').where('key', 'like', keyLike).orderBy('id').select('key', 'mail', 'sent_at');
  return rows.map((r) => {
    const data = (r.mail.data ?? {}) as Record<string, unknown>;
    return { key: r.key, to: r.mail.to, template: r.mail.template, subject: String(data.subject ?? ''), text: String(data.text ?? ''), data, sent: r.sent_at !== null };
  });
}
