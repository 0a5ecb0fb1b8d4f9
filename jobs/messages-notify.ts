// messages.notify: every 30 s, one e-mail per thread side with unread messages (throttled in
// src/store/messages/notifications.ts). The sweep's claims and their e-mails commit together in
// one transaction, the e-mails in the mail outbox (src/store/shared/mail-outbox.ts), handed to
// mail.send after the commit and again by work.reconcile. Safe to run twice: the sweep locks
// each thread it claims until the commit.
import { QUEUES } from '../src/infra/queue/names.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { publicBaseUrl } from '../src/mail/index.ts';
import { type MailOut, sendDueMessageNotifications } from '../src/store/messages/notifications.ts';
import { withOutboxMails } from '../src/store/shared/mail-outbox.ts';
import type { JobDefinition } from './types.ts';

export const MESSAGES_NOTIFY_JOB = QUEUES.messagesNotify;

/** One sweep: the due e-mails written with their claims, handed over after the commit. */
export async function notifyUnreadMessages(rt: Runtime): Promise<{ sent: number }> {
  const sent = await withOutboxMails(rt, (trx, mails) => {
    const send = (m: MailOut) => mails.write(m.to.map((to, i) => ({ to, template: m.template, data: m.data, key: `${m.key}-${i}` })));
    return sendDueMessageNotifications(trx, send, { baseUrl: publicBaseUrl(rt.config) });
  });
  return { sent };
}

export const messagesNotifyJob: JobDefinition<Record<string, never>> = {
  name: MESSAGES_NOTIFY_JOB,
  concurrency: 1,
  process: (rt) => notifyUnreadMessages(rt),
  async schedules() {
    return [{ id: 'messages-notify', everyMs: 30_000, data: {} }];
  },
};
