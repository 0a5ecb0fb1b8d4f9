// Renders a template and hands it to SMTP. Used by the mail.send job; callers elsewhere
// enqueue (enqueueMail) so a slow or down SMTP server never blocks a request or a transaction.
import type { Runtime } from '../infra/runtime.ts';
import { renderMail } from './templates.ts';
import { transportFor } from '../infra/mail/transport.ts';

export interface MailRequest {
  to: string;
  template: string;
  data: Record<string, unknown>;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** The recipient's own language when they are a user who chose one (users.language), else null: the store's default. */
export async function recipientLanguage(rt: Runtime, to: string): Promise<string | null> {
  const row = await rt.db('users').whereRaw('lower(email) = lower(?)', [to]).whereNotNull('language').first('language');
  return row?.language ?? null;
}

export async function sendMail(rt: Runtime, req: MailRequest, headers: Record<string, string> = {}): Promise<SentMail> {
  const msg = renderMail(req.template, req.data, await recipientLanguage(rt, req.to));
  const info = await transportFor(rt).sendMail({
    from: rt.config.MAIL_FROM,
    to: req.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    headers,
  });
  return {
    messageId: String(info.messageId ?? ''),
    accepted: (info.accepted ?? []).map(String),
    rejected: (info.rejected ?? []).map(String),
  };
}
