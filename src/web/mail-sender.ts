// The web's e-mail: queued for the mail.send job (src/mail), so a slow or absent SMTP server
// never holds a request. The message is already written (in its recipient's language: a template
// rendered with renderMail, or plain text); store-plain only carries it, its HTML part as given.
import { enqueueMailNow, mailQueueReady } from '../mail/index.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { MailSender } from '../store/shared/mail-port.ts';

export function queuedMail(rt: Runtime): MailSender {
  return {
    ready: () => mailQueueReady(rt),
    async send(m) {
      await enqueueMailNow(rt, { to: m.to, template: 'store-plain', data: { subject: m.subject, text: m.text, html: m.html }, key: m.key });
    },
  };
}
