// Queues an e-mail for the mail.send job. With a key the mail is sent at most once per key:
// the key is the BullMQ job id (a second enqueue while the job exists is a no-op) and the job
// records the key in Redis after the send (a retry after a successful send skips it).
import { getQueue } from '../infra/queue/connection.ts';
import { handOver, queueReadyWithin } from '../infra/queue/handover.ts';
import { QUEUES } from '../infra/queue/names.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { MailRequest } from './send.ts';

export const MAIL_JOB = QUEUES.mailSend;

export interface MailJobData extends MailRequest {
  /** Idempotency key, e.g. "waitlist-42". Letters, digits, - and _ only. */
  key?: string;
}

export const MAIL_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.3 },
} as const;

export async function enqueueMail(rt: Runtime, mail: MailJobData, opts: { delayMs?: number } = {}): Promise<string | undefined> {
  if (mail.key && !/^[A-Za-z0-9_-]+$/.test(mail.key)) throw new Error(`mail key "${mail.key}" may use letters, digits, - and _ only`);
  const job = await getQueue(rt, MAIL_JOB).add(MAIL_JOB, mail, {
    ...MAIL_JOB_OPTIONS,
    jobId: mail.key ? `mail-${mail.key}` : undefined,
    delay: opts.delayMs,
  });
  return job.id;
}

/** True when the mail queue answers within the hand-over bound. */
export function mailQueueReady(rt: Runtime): Promise<boolean> {
  return queueReadyWithin(rt, MAIL_JOB);
}

/**
 * For an e-mail nothing redoes (a one-time link, kept nowhere else): queued only when the mail
 * queue answers within the hand-over bound, else it throws at once — the caller shows "not sent"
 * and no add waits in an offline queue to send it behind that message.
 */
export async function enqueueMailNow(rt: Runtime, mail: MailJobData): Promise<void> {
  if (!(await mailQueueReady(rt))) throw new Error('the mail queue does not answer (Redis down)');
  if ((await handOver(rt, () => enqueueMail(rt, mail), { what: 'one-time-link e-mail', covers: 'nothing: the person is told it was not sent' })) !== 'queued') {
    throw new Error('the mail queue did not take the e-mail');
  }
}

/** Redis key marking that the mail with this idempotency key was accepted by SMTP. */
export function sentMarkerKey(rt: Runtime, key: string): string {
  return `${rt.prefix}:mail:sent:${key}`;
}
