import { expect } from 'chai';
import { issueToken } from '../../src/store/accounts/users.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('web/auth: sessions, CSRF, login limits, switcher', () => {
  const sent: OutgoingMail[] = [];
  const w = useWorld({ app: (rt) => createApp(rt, [], { mail: { send: async (m) => void sent.push(m) } }) });
  beforeEach(async () => {
    await deleteKeys(w.rt.redisUrl, `${w.rt.prefix}:reset`);
    sent.length = 0;
  });

  it('logs in with argon2, stores the session in Postgres, and logs out', async () => {
    const c = w.anon();
    const page = await c.get('/login');
    expect(page.status).to.equal(200);
    expect(c.csrf).to.have.length.greaterThan(10);
    const r = await c.post('/login', { email: 'BUYER@alpha.test', password: PASSWORD });
    expect(r.status).to.equal(303);
    expect(r.location).to.equal('/catalog');
    expect(r.res.headers.get('set-cookie')).to.match(/cp_sid=.*HttpOnly; SameSite=Lax/);
    const rows = await w.rt.db('sessions').select('sess');
    expect(rows.map((x) => x.sess.userId)).to.include(w.fx.users.a);
    const home = await c.get('/');
    expect(home.text).to.contain('Alpha LLC').and.contain('buyer@alpha.test');
    const out = await c.post('/logout', {});
    expect(out.status).to.equal(303);
    expect(await w.rt.db('sessions').count('* as n').first()).to.deep.equal({ n: 0 });
    const after = await c.get('/');
    expect(after.text).not.to.contain('buyer@alpha.test');
  });

  it('gives a new session id at login (no fixation) and refuses a forged cookie', async () => {
    const c = w.anon();
    await c.get('/login');
    const before = c.cookies.get('cp_sid');
    await c.login(w.fx.emails.a, PASSWORD);
    expect(c.cookies.get('cp_sid')).to.not.equal(before);
    const forged = w.anon();
    forged.cookies.set('cp_sid', c.cookies.get('cp_sid')!.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')));
    const r = await forged.get('/catalog');
    expect(r.status).to.equal(303);
    expect(r.res.headers.get('location')).to.match(/^\/login\?next=/);
  });

  it('refuses a POST without the CSRF token or with a wrong one', async () => {
    const c = await w.signIn('a');
    const none = await c.post('/logout', {}, { csrf: null });
    expect(none.status).to.equal(403);
    expect(none.text).to.contain('Форма устарела');
    // in the visitor's language, though the check runs before the language is looked up
    c.cookies.set('lang', 'en');
    expect((await c.post('/logout', {}, { csrf: null })).text).to.contain('This form has expired');
    c.cookies.delete('lang');
    const wrong = await c.post('/account/switch', { counterpartyId: String(w.fx.cp.aChild) }, { csrf: 'x'.repeat(24) });
    expect(wrong.status).to.equal(403);
    const anon = w.anon();
    expect((await anon.post('/login', { email: w.fx.emails.a, password: PASSWORD }, { csrf: null })).status).to.equal(403);
    // The header form (htmx) is accepted.
    const ok = await c.post('/account/switch', { counterpartyId: String(w.fx.cp.aChild) }, { csrf: null, headers: { 'x-csrf-token': c.csrf } });
    expect(ok.status).to.equal(303);
  });

  it('says "wrong e-mail or password" alike for unknown, wrong and locked, locks after 5 failures', async () => {
    const c = w.anon();
    await c.get('/login');
    const unknown = await c.post('/login', { email: 'nobody@x.test', password: 'whatever-123' });
    expect(unknown.status).to.equal(401);
    expect(unknown.text).to.contain('Неверная почта или пароль.');
    // The same refusal in English for a visitor who chose it.
    const en = w.anon();
    en.cookies.set('lang', 'en');
    await en.get('/login');
    const enUnknown = await en.post('/login', { email: 'nobody@x.test', password: 'whatever-123' });
    expect(enUnknown.text).to.contain('Wrong e-mail or password.').and.contain('<h1>Sign in</h1>');
    for (let i = 0; i < 4; i++) expect((await c.post('/login', { email: w.fx.emails.a, password: 'bad-password' })).status).to.equal(401);
    const fifth = await c.post('/login', { email: w.fx.emails.a, password: 'bad-password' });
    // The fifth locks the account; the answer stays the one an unknown e-mail gets (test/security/limits).
    expect(fifth.status).to.equal(401);
    expect(fifth.text).to.contain('Неверная почта или пароль.');
    expect((await w.rt.db('users').where({ id: w.fx.users.a }).first())!.locked_until).to.not.equal(null);
    // Even the right password is refused while locked.
    const right = await c.post('/login', { email: w.fx.emails.a, password: PASSWORD });
    expect(right.status).to.equal(401);
    await w.rt.db('users').where({ id: w.fx.users.a }).update({ locked_until: new Date(Date.now() - 1000) });
    expect((await c.post('/login', { email: w.fx.emails.a, password: PASSWORD })).status).to.equal(303);
    expect((await w.rt.db('users').where({ id: w.fx.users.a }).first())!.failed_logins).to.equal(0);
  });

  it('rate-limits attempts per e-mail with a clear wait message', async () => {
    const c = w.anon();
    await c.get('/login');
    let last = 0;
    let text = '';
    for (let i = 0; i < 11; i++) {
      // the 11th attempt finds 10 failures in the window
      const r = await c.post('/login', { email: 'nobody@x.test', password: 'x' });
      last = r.status;
      text = r.text;
    }
    expect(last).to.equal(429);
    expect(text).to.match(/Слишком много попыток входа\. Подождите \d+ мин/);
    // Successful sign-ins do not count: a buyer signs in 15 times in a row.
    for (let i = 0; i < 15; i++) await w.anon().login(w.fx.emails.b, PASSWORD);
  });

  it('redirects anonymous visitors to login with next, and only to local paths', async () => {
    const c = w.anon();
    const r = await c.get('/catalog?q=drill');
    expect(r.status).to.equal(303);
    expect(r.res.headers.get('location')).to.equal('/login?next=%2Fcatalog%3Fq%3Ddrill');
    await c.get('/login');
    const evil = await c.post('/login', { email: w.fx.emails.a, password: PASSWORD, next: '//evil.test/x' });
    expect(evil.location).to.equal('/catalog');
  });

  it('switches counterparty and contract only within the viewer’s own, 404 for another client’s', async () => {
    const c = await w.signIn('a');
    const foreign = await c.post('/account/switch', { counterpartyId: String(w.fx.cp.bHead) });
    expect(foreign.status).to.equal(404);
    expect(foreign.text).not.to.contain('Beta');
    const foreignContract = await c.post('/account/switch', { counterpartyId: String(w.fx.cp.aHead), contractId: String(w.fx.contracts.bMain) });
    expect(foreignContract.status).to.equal(404);
    const ok = await c.post('/account/switch', { counterpartyId: String(w.fx.cp.aHead), contractId: String(w.fx.contracts.aSecond), back: '/orders' });
    expect(ok.location).to.equal('/orders');
    expect(await w.rt.db('users').where({ id: w.fx.users.a }).first('current_counterparty_id', 'current_contract_id')).to.deep.equal({
      current_counterparty_id: w.fx.cp.aHead,
      current_contract_id: w.fx.contracts.aSecond,
    });
    const page = await c.get('/');
    expect(page.text).to.match(/<option value="\d+" selected>Retail terms/);
    expect(page.text).not.to.contain('Beta JSC');
  });

  it('resets a password by a one-time e-mailed link', async () => {
    const c = w.anon();
    await c.get('/password/forgot');
    const r = await c.post('/password/forgot', { email: w.fx.emails.a });
    expect(r.text).to.contain('ссылка для нового пароля уже отправлена');
    expect(sent).to.have.length(1);
    expect(sent[0]!.subject).to.equal('Counterpart: новый пароль');
    const link = sent[0]!.text.match(/\/password\/set\/[\w-]+/)![0];
    await c.get(link);
    const short = await c.post(link, { password: 'short', password2: 'short' });
    expect(short.status).to.equal(422);
    expect(short.text).to.contain('Пароль — не короче 10 символов.');
    const done = await c.post(link, { password: 'a brand new password', password2: 'a brand new password' });
    expect(done.status).to.equal(303);
    expect((await c.get(link)).status).to.equal(410);
    const fresh = w.anon();
    await fresh.login(w.fx.emails.a, 'a brand new password');
    // Unknown e-mails get the same answer and no mail.
    await c.post('/password/forgot', { email: 'nobody@x.test' });
    expect(sent).to.have.length(1);
  });

  it('accepts an invitation link once', async () => {
    const token = await issueToken(w.rt.db, w.fx.users.b, 'invite', 1);
    const c = w.anon();
    const page = await c.get(`/password/set/${token}`);
    expect(page.text).to.contain('Добро пожаловать').and.contain(w.fx.emails.b);
    expect((await c.post(`/password/set/${token}`, { password: 'invited password 1', password2: 'invited password 1' })).status).to.equal(303);
    expect((await c.get('/')).text).to.contain('Пароль задан');
    expect((await c.post(`/password/set/${token}`, { password: 'invited password 2', password2: 'invited password 2' })).status).to.equal(410);
  });
});
