// messages.notify: every 30 s, one e-mail per thread side with unread messages (throttled in
// src/store/messages/notifications.ts), handed to mail.send. Safe to run twice: the sweep locks
// each thread and records the e-mail in the same transaction.
import { QUEUES } from '../src/infra/queue/names.ts';
import { enqueueMail, publicBaseUrl } from '../src/mail/index.ts';
import { type MailOut, sendDueMessageNotifications } from '../src/store/messages/notifications.ts';
import type { JobDefinition } from './types.ts';

export const MESSAGES_NOTIFY_JOB = QUEUES.messagesNotify;

export const messagesNotifyJob: JobDefinition<Record<string, never>> = {
  name: MESSAGES_NOTIFY_JOB,
  concurrency: 1,
  async process(rt) {
    const send = async (m: MailOut) => {
      for (const to of m.to) await enqueueMail(rt, { to, template: m.template, data: m.data });
    };
    return { sent: await sendDueMessageNotifications(rt.db, send, { baseUrl: publicBaseUrl(rt.config) }) };
  },
  async schedules() {
    return [{ id: 'messages-notify', everyMs: 30_000, data: {} }];
  },
};
