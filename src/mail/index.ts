export { enqueueMail, enqueueMailNow, MAIL_JOB, mailQueueReady, type MailJobData, sentMarkerKey } from './enqueue.ts';
export { publicBaseUrl } from './links.ts';
export { type MailRequest, type SentMail, sendMail } from './send.ts';
export { renderMail, UnknownTemplateError } from './templates.ts';
export { closeTransports, MailNotConfiguredError, smtpUrl, useSmtpUrl } from '../infra/mail/transport.ts';
export { flushMails, flushMailsLater, MAIL_GRACE_S, markMailSent, type OutboxMail, OUTBOX_MAIL_DAYS, purgeSentMails, writeMails } from './outbox.ts';
