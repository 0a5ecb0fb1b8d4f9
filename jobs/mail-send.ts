// mail.send: renders and sends one e-mail. Retried with backoff while SMTP is unreachable; a
// keyed mail is sent at most once per key (the marker is written after SMTP accepted it).
import { UnrecoverableError } from 'bullmq';
import { MAIL_JOB, type MailJobData, MailNotConfiguredError, markMailSent, sendMail, sentMarkerKey, UnknownTemplateError } from '../src/mail/index.ts';
import type { JobDefinition } from './types.ts';

const SENT_MARKER_TTL_S = 30 * 24 * 3600;

export const mailSendJob: JobDefinition<MailJobData> = {
  name: MAIL_JOB,
  concurrency: 10,
  async process(rt, job) {
    const { key, ...mail } = job.data;
    if (key && (await rt.redis.exists(sentMarkerKey(rt, key)))) {
      await markMailSent(rt, key); // a mail_outbox row (src/mail/outbox.ts) stops being handed again
      return { skipped: 'already sent' };
    }
    try {
      const sent = await sendMail(rt, mail, key ? { 'X-Counterpart-Key': key } : {});
      if (sent.accepted.length === 0) throw new Error(`SMTP accepted no recipient (rejected: ${sent.rejected.join(', ')})`);
      if (key) {
        await rt.redis.set(sentMarkerKey(rt, key), sent.messageId, 'EX', SENT_MARKER_TTL_S);
        await markMailSent(rt, key);
      }
      return sent;
    } catch (err) {
      if (err instanceof MailNotConfiguredError) throw new UnrecoverableError(err.message);
      if (err instanceof UnknownTemplateError) throw new UnrecoverableError(err.message);
      throw err;
    }
  },
};
