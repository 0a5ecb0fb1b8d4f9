// For one describe block: an SMTP capture the runtime mails to and a worker of mail.send, started
// before its tests and stopped after — e-mails delivered over real SMTP, as in production.
import type { Worker } from 'bullmq';
import { mailSendJob } from '../../jobs/mail-send.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { resetQueues } from './queues.ts';
import { type SmtpCapture, startTestSmtp } from './smtp-capture.ts';

/** The capture of the block's mail; usable in its tests and hooks once its before() ran. */
export function useMailDelivery(rt: () => Runtime): SmtpCapture {
  let smtp: SmtpCapture | undefined;
  let workers: Worker[] = [];
  before(async () => {
    smtp = await startTestSmtp(rt());
    await resetQueues(rt());
    workers = await startWorkers(rt(), [mailSendJob]);
  });
  after(async () => {
    for (const x of workers) await x.close();
    await smtp?.stop();
  });
  const started = (): SmtpCapture => {
    if (!smtp) throw new Error('useMailDelivery: the capture is used before its before() hook ran');
    return smtp;
  };
  return {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    messages: () => started().messages(),
    get: (id) => started().get(id),
    waitFor: (n, timeoutMs) => started().waitFor(n, timeoutMs),
    clear: () => started().clear(),
    stop: () => started().stop(),
  };
}
