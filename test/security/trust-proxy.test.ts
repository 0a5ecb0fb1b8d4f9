// Issue 12 #13: the trusted proxy is configured (TRUST_PROXY), not hard-coded to loopback.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

// Behind a TLS proxy the session cookie must be Secure — but only when the proxy that says
// "https" is one TRUST_PROXY names; anyone else's X-Forwarded-Proto is ignored.
describe('web: TRUST_PROXY decides whose X-Forwarded-Proto makes cookies Secure', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'users', 'sessions');
    await createUser(rt.db, { email: 'root@seller.test', role: 'admin', name: 'Root', password: PASSWORD });
  });

  async function sessionCookie(trust: Runtime['config']['TRUST_PROXY']): Promise<string> {
    const srv = await listen(createApp({ ...rt, config: { ...rt.config, TRUST_PROXY: trust } }));
    try {
      const c = new WebClient(srv.base);
      await c.get('/login');
      const body = new URLSearchParams({ email: 'root@seller.test', password: PASSWORD, _csrf: c.csrf });
      const res = await fetch(`${srv.base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
        body,
      });
      expect(res.status).to.equal(303);
      return res.headers.getSetCookie().find((h) => h.startsWith('cp_sid=')) ?? '';
    } finally {
      await srv.close();
    }
  }

  it('a trusted proxy (loopback here) saying https gets a Secure cookie', async () => {
    expect(await sessionCookie(['loopback'])).to.match(/; Secure/);
  });

  it('with TRUST_PROXY=false the same header is ignored', async () => {
    const cookie = await sessionCookie(false);
    expect(cookie).to.match(/^cp_sid=/);
    expect(cookie).not.to.match(/Secure/);
  });
});
