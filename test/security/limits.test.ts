// Issue 12 #2, #7, #14: one atomic limiter (rate-limiter-flexible on Redis) for the web sign-in,
// password reset, the 1C exchange login and the webhook; an unknown e-mail and a locked account
// answer alike.
import { expect } from 'chai';
import { commercemlRouter } from '../../connectors/commerceml/index.ts';
import { provideSecret } from '../../src/infra/config.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const CML_LOGIN = 'sec-onec';
const CML_PASSWORD = 'exchange-password-1';

describe('security: atomic attempt limits and no account enumeration', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  const sent: OutgoingMail[] = [];

  before(async () => {
    rt = await testRuntime();
    provideSecret('SEC_CML_PASSWORD', CML_PASSWORD);
    srv = await listen(createApp(rt, [{ path: '/exchange/1c', router: commercemlRouter(rt) }], { mail: { send: async (m) => void sent.push(m) } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    sent.length = 0;
    fx = await storeFixture(rt.db);
  });

  /** n anonymous clients that each hold a login-page CSRF token. */
  async function clients(n: number, page = '/login'): Promise<WebClient[]> {
    const out: WebClient[] = [];
    for (let i = 0; i < n; i++) {
      const c = new WebClient(srv.base);
      await c.get(page);
      out.push(c);
    }
    return out;
  }

  it('40 parallel wrong passwords for one e-mail: at most 10 are checked, then even the right one waits', async () => {
    const cs = await clients(41);
    const rs = await Promise.all(cs.slice(0, 40).map((c) => c.post('/login', { email: fx.emails.a, password: 'wrong password' })));
    const statuses = rs.map((r) => r.status);
    expect(statuses.filter((s) => s !== 429), statuses.join(',')).to.have.length(10);
    expect(statuses.filter((s) => s === 429)).to.have.length(30);
    expect(rs.find((r) => r.status === 429)!.text).to.match(/Слишком много попыток входа\. Подождите \d+ мин/);
    expect((await cs[40]!.post('/login', { email: fx.emails.a, password: PASSWORD })).status).to.equal(429);
  });

  it('40 parallel attempts for 40 e-mails from one address: at most 30 are checked', async () => {
    const cs = await clients(40);
    const rs = await Promise.all(cs.map((c, i) => c.post('/login', { email: `nobody${i}@x.test`, password: 'wrong password' })));
    expect(rs.filter((r) => r.status !== 429)).to.have.length(30);
  });

  it('an unknown e-mail and a locked account get the same status, text and about the same time', async () => {
    await rt.db('users').where({ id: fx.users.a }).update({ locked_until: new Date(Date.now() + 15 * 60_000), failed_logins: 5 });
    const [c] = await clients(1);
    const timed = async (email: string, password: string) => {
      const t0 = process.hrtime.bigint();
      const r = await c!.post('/login', { email, password });
      return { status: r.status, text: r.text.replaceAll(email, 'EMAIL'), ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown = [];
    const locked = [];
    const lockedRight = [];
    for (let i = 0; i < 3; i++) {
      unknown.push(await timed('nobody@x.test', 'wrong password'));
      locked.push(await timed(fx.emails.a, 'wrong password'));
      lockedRight.push(await timed(fx.emails.a, PASSWORD));
    }
    const csrfFree = (t: string) => t.replace(/value="[^"]{20,}"/g, 'value="TOKEN"');
    for (const r of [...locked, ...lockedRight]) {
      expect(r.status).to.equal(unknown[0]!.status);
      expect(csrfFree(r.text)).to.equal(csrfFree(unknown[0]!.text));
    }
    expect(unknown[0]!.status).to.equal(401);
    expect(unknown[0]!.text).to.contain('Неверная почта или пароль.');
    // argon2 runs in both cases (a dummy hash for the unknown e-mail): within a factor of 2.
    const [u, l] = [median(unknown.map((r) => r.ms)), median(locked.map((r) => r.ms))];
    expect(l / u, `unknown ${u} ms, locked ${l} ms`).to.be.within(0.5, 2);
  });

  it('40 parallel reset requests for one e-mail send at most 3 links', async () => {
    const cs = await clients(40, '/password/forgot');
    const rs = await Promise.all(cs.map((c) => c.post('/password/forgot', { email: fx.emails.a })));
    expect(rs.filter((r) => r.status === 429)).to.have.length(37);
    expect(sent).to.have.length(3);
  });

  it('the 1C exchange login: 40 parallel wrong passwords, then the right one is still refused', async () => {
    await ensureSource(rt.db, { name: 'sec-cml', kind: 'commerceml', settings: { login: CML_LOGIN, passwordEnv: 'SEC_CML_PASSWORD' } });
    const checkauth = async (password: string) => {
      const r = await fetch(`${srv.base}/exchange/1c?type=catalog&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from(`${CML_LOGIN}:${password}`).toString('base64')}` } });
      return (await r.text()).split('\n');
    };
    expect((await checkauth(CML_PASSWORD))[0]).to.equal('success'); // a success is given back
    const rs = await Promise.all(Array.from({ length: 40 }, () => checkauth('guess')));
    expect(rs.filter((l) => l[1] === 'wrong login or password')).to.have.length(10);
    expect(rs.filter((l) => /^too many failed logins/.test(l[1] ?? ''))).to.have.length(30);
    const right = await checkauth(CML_PASSWORD);
    expect(right[0]).to.equal('failure');
    expect(right[1]).to.match(/too many failed logins/);
  });

  it('the webhook: refused calls from one address are limited (429 after 60)', async () => {
    const rs = await Promise.all(
      Array.from({ length: 70 }, () =>
        fetch(`${srv.base}/hooks/accounting/nonexistent`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then((r) => r.status),
      ),
    );
    expect(rs.filter((s) => s === 404)).to.have.length(60);
    expect(rs.filter((s) => s === 429)).to.have.length(10);
  });
});
