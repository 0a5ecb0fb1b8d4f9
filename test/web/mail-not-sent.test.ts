// E-mails that go straight to the queue (one-time links: password reset, invitations) when the
// queue refuses them: the failure is shown to the person who asked, never silent. E-mails of
// committed events do not depend on that sender: they are in the mail outbox.
import { expect } from 'chai';
import type { MailSender } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { until } from '../support/wait.ts';
import { useWorld } from '../support/world.ts';

describe('web: a one-time-link e-mail the queue refuses is shown as not sent', () => {
  let tries = 0;
  const refusing: MailSender = {
    async send() {
      tries++;
      throw new Error('queue unreachable');
    },
  };
  const w = useWorld({ tables: ['registration_requests'], app: (rt) => createApp(rt, [], { mail: refusing }) });
  beforeEach(() => {
    tries = 0;
  });

  it('password reset: 503 and "could not be sent" for a known account; an unknown one is told as before (nothing to send)', async () => {
    const c = w.anon();
    await c.get('/password/forgot');
    const r = await c.post('/password/forgot', { email: w.fx.emails.a });
    expect([r.status, tries]).to.deep.equal([503, 1]);
    expect(r.text).to.contain('Не удалось отправить письмо со ссылкой. Попробуйте ещё раз через несколько минут.').and.not.contain('уже отправлена');
    const unknown = await c.post('/password/forgot', { email: 'nobody@x.test' });
    expect([unknown.status, tries]).to.deep.equal([200, 1]);
    expect(unknown.text).to.contain('ссылка для нового пароля уже отправлена');
  });

  it('company invitation: the employee is invited, the owner is told the e-mail did not go and to send it again', async () => {
    const owner = await w.signIn('a');
    await owner.get('/company');
    const r = await owner.post('/company/invite', { email: 'new@alpha.test', companyRole: 'buyer', scope: 'all' });
    expect([r.status, r.location, tries]).to.deep.equal([303, '/company', 1]);
    const page = await owner.get('/company');
    expect(page.text).to.contain('Сотрудник new@alpha.test приглашён, но письмо с приглашением не отправлено.').and.not.contain('Приглашение отправлено на');
    expect(await w.rt.db('users').where({ email: 'new@alpha.test' }).first('id')).to.not.equal(undefined);
  });

  it('a registration request is stored with its e-mail to the staff in the outbox: the refusing direct sender is never asked', async () => {
    const c = w.anon();
    await c.get('/register');
    const r = await c.post('/register', { inn: '7707083893', kpp: '775001001', contactName: 'Анна Петрова', email: 'anna@branch.example', phone: '+7 900 123-45-67' });
    expect(r.status).to.equal(200);
    expect(tries).to.equal(0);
    const [told] = await outboxLetters(w.rt.db);
    expect(told!.to).to.equal(w.fx.emails.admin);
    expect(told!.subject).to.contain('ИНН 7707083893');
    // handed to the (working) mail queue after the commit
    await until(async () => (await w.rt.db('mail_outbox').first('enqueued_at'))?.enqueued_at, 'the row handed to mail.send');
  });
});
