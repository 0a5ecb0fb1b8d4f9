// Issue 12 #8: the request log never carries session cookies, Set-Cookie, Basic credentials,
// CSRF tokens or the token of a /password/set/<token> URL.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/infra/log.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { issueToken } from '../../src/store/accounts/users.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('security: secrets in the request log', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  const lines: string[] = [];

  before(async () => {
    rt = await testRuntime();
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    srv = await listen(createApp(rt, [], { requestLog: createLogger('info', sink) }));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    fx = await storeFixture(rt.db);
  });
  after(() => srv.close());

  it('redacts cookies, Set-Cookie, Authorization, CSRF tokens and password-link tokens', async () => {
    const c = new WebClient(srv.base);
    await c.get('/login');
    const anonCookie = c.cookies.get('cp_sid')!;
    const loginCsrf = c.csrf;
    await c.post('/login', { email: fx.emails.a, password: PASSWORD });
    await c.get('/catalog');
    const sid = c.cookies.get('cp_sid')!;
    const basic = Buffer.from('onec:secret-1c-password').toString('base64');
    await c.get('/catalog?q=x&sessid=secret-exchange-sessid', { authorization: `Basic ${basic}`, 'x-csrf-token': c.csrf });
    const token = await issueToken(rt.db, fx.users.b, 'reset', 1);
    await new WebClient(srv.base).get(`/password/set/${token}?x=1`);
    await until(() => lines.some((l) => l.includes('/password/set/')), 'the password-link request is logged');

    const all = lines.join('\n');
    expect(lines.length).to.be.greaterThan(4);
    for (const secret of [anonCookie, sid, decodeURIComponent(sid), sid.split('.')[0]!, loginCsrf, c.csrf, basic, token, 'secret-exchange-sessid', PASSWORD]) {
      expect(all, `leaks ${secret}`).not.to.contain(secret);
    }
    const reqs = lines.map((l) => JSON.parse(l) as { req?: { url: string; headers: Record<string, string> }; res?: { headers: Record<string, unknown> } });
    const set = reqs.find((r) => r.req?.url.startsWith('/password/set/'))!;
    expect(set.req!.url).to.equal('/password/set/[redacted]?x=1');
    const withAuth = reqs.find((r) => r.req?.headers.authorization)!;
    expect(withAuth.req!.headers.authorization).to.equal('[redacted]');
    expect(withAuth.req!.headers.cookie).to.equal('[redacted]');
    expect(withAuth.req!.headers['x-csrf-token']).to.equal('[redacted]');
    expect(reqs.some((r) => r.res?.headers['set-cookie'] === '[redacted]')).to.equal(true);
    // Still useful: method, path and status are there.
    expect(all).to.contain('"method":"POST"').and.contain('/login');
  });
});
