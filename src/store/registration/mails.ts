// The registration e-mails that tell of a committed event, written to the mail outbox in its
// transaction (src/store/shared/mail-outbox.ts): a new request to the staff who decide it, and a
// rejection's reply to the applicant. Approving e-mails a one-time sign-in link instead: that one
// is sent straight from the console (never stored in plain text), a failure shown with the link.
import type { Knex } from 'knex';
import { translator } from '../../infra/i18n/index.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { publicBaseUrl } from '../../mail/index.ts';
import { type OutboxMails, withOutboxMails } from '../shared/mail-outbox.ts';
import { type RegistrationInput, registrationReviewers, rejectRegistration, type StaffActor, submitRegistration } from './requests.ts';

/** Stores the request with its e-mails to the reviewers; returns its id. */
export async function submitRegistrationWithMail(rt: Runtime, r: RegistrationInput): Promise<number> {
  return withOutboxMails(rt, async (trx, mails) => {
    const id = await submitRegistration(trx, r);
    await tellReviewers(rt, trx, mails, id);
    return id;
  });
}

/** The new request, to the staff who decide it (registrationReviewers), each in their language, once (keyed). */
async function tellReviewers(rt: Runtime, trx: Knex.Transaction, mails: OutboxMails, id: number): Promise<void> {
  const found = await registrationReviewers(trx, id);
  if (!found) return;
  const { request: r, reviewers } = found;
  for (const u of reviewers) {
    const t = translator(u.language);
    const matched = r.matches.length
      ? r.matches.map((m) => (m.client_name ? t('companyAccess.registrationMail.matchClient', { name: m.name, client: m.client_name }) : m.name)).join('; ')
      : t('companyAccess.registrationMail.noMatch');
    await mails.send({
      to: u.email,
      key: `registration-new-${id}-${u.id}`,
      subject: t('companyAccess.registrationMail.subject', { id, inn: r.inn }),
      text: t('companyAccess.registrationMail.text', {
        id, inn: r.inn, kpp: r.kpp ?? '—', contact: r.contact_name, email: r.email, phone: r.phone, matched, link: `${publicBaseUrl(rt.config)}/console/registrations`,
      }),
    });
  }
}

/** Rejects with the reply, e-mailed to the applicant in the store's language (they have no account, nor language, yet). */
export async function rejectRegistrationWithMail(rt: Runtime, actor: StaffActor, id: number, reply: string): Promise<{ email: string; contactName: string; reply: string }> {
  return withOutboxMails(rt, async (trx, mails) => {
    const done = await rejectRegistration(trx, actor, id, reply);
    const t = translator();
    await mails.send({
      to: done.email,
      key: `registration-rejected-${id}`,
      subject: t('console.registrations.rejectedSubject'),
      text: t('console.registrations.rejectedText', { name: done.contactName, reply: done.reply }),
    });
    return done;
  });
}
