// outbox.purge: once a day, deletes delivered outbox rows older than OUTBOX_RETENTION_DAYS.
// Pending and failed rows stay whatever their age: one waits for delivery, the other for an admin.
// Sent rows of the mail outbox (src/mail/outbox.ts) go after the same retention.
import { log } from '../src/infra/log.ts';
import { purgeSentMails } from '../src/mail/index.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { purgeDelivered } from '../src/sources/outbox.ts';
import type { JobDefinition } from './types.ts';

export const JOB_OUTBOX_PURGE = QUEUES.outboxPurge;

export async function purgeOutbox(rt: Runtime): Promise<{ deleted: number; mails: number }> {
  const deleted = await purgeDelivered(rt.db, rt.config.OUTBOX_RETENTION_DAYS);
  const mails = await purgeSentMails(rt.db, rt.config.OUTBOX_RETENTION_DAYS);
  if (deleted || mails) log.info({ deleted, mails, retentionDays: rt.config.OUTBOX_RETENTION_DAYS }, 'delivered outbox rows and sent outbox e-mails purged');
  return { deleted, mails };
}

export const outboxPurge: JobDefinition<Record<string, never>> = {
  name: JOB_OUTBOX_PURGE,
  concurrency: 1,
  process: (rt) => purgeOutbox(rt),
  async schedules() {
    // 03:40 server time: after the nightly full syncs (02:30 by default) have settled.
    return [{ id: JOB_OUTBOX_PURGE, pattern: '40 3 * * *', data: {} }];
  },
};
