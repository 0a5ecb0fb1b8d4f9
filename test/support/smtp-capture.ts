// A real SMTP server for tests (the same capture the demo runs), on 127.0.0.1 port 0, with the
// runtime's mail pointed at it. Stop it in after().
import { startSmtpCapture, type SmtpCapture } from '../../src/demo/smtp-capture.ts';
import { closeTransports, useSmtpUrl } from '../../src/mail/index.ts';
import type { Runtime } from '../../src/infra/runtime.ts';

export type { CapturedMail, SmtpCapture } from '../../src/demo/smtp-capture.ts';

export async function startTestSmtp(rt?: Runtime): Promise<SmtpCapture> {
  const capture = await startSmtpCapture({ port: 0 });
  if (rt) useSmtpUrl(rt, capture.url);
  const stop = capture.stop;
  return {
    ...capture,
    async stop() {
      if (rt) closeTransports(rt);
      await stop();
    },
  };
}
