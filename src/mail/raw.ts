// A ready-made message (subject, text, html) straight to SMTP: fits the store's MailSender
// port (src/store/mail-port.ts) for sign-in mails (reset / invite links).
import type { Runtime } from '../runtime.ts';
import { transportFor } from './transport.ts';

export interface RawMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export function smtpSender(rt: Runtime): { send(mail: RawMail): Promise<void> } {
  return {
    async send(mail) {
      await transportFor(rt).sendMail({ from: rt.config.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
  };
}
