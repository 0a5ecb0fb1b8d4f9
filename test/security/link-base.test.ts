// Issue 12 #4: links in e-mails come from PUBLIC_URL (or the configured HOST:PORT in demo and
// development), never from the request's Host or X-Forwarded-Host.
import http from 'node:http';
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const EVIL = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

/** A form POST with a forged Host header (fetch always sends the real one). */
function forgedPost(c: WebClient, path: string, form: Record<string, string>): Promise<number> {
  const body = new URLSearchParams({ ...form, _csrf: c.csrf }).toString();
  const u = new URL(c.base + path);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...EVIL, cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('security: e-mailed links never follow the Host header', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  const sent: OutgoingMail[] = [];
  const servers: Awaited<ReturnType<typeof listen>>[] = [];
  const linkOf = (m: OutgoingMail) => m.text.match(/https?:\/\/\S+\/password\/set\/[\w-]+/)?.[0] ?? '';

  before(async () => {
    rt = await testRuntime();
  });
  after(async () => {
    for (const s of servers) await s.close();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    sent.length = 0;
    fx = await storeFixture(rt.db);
  });

  async function app(publicUrl: string | undefined) {
    const conf: Runtime = { ...rt, config: { ...rt.config, PUBLIC_URL: publicUrl, HOST: '127.0.0.1', PORT: 3123 } };
    const srv = await listen(createApp(conf, [], { mail: { send: async (m) => void sent.push(m) } }));
    servers.push(srv);
    return srv;
  }

  it('without PUBLIC_URL: reset and invitation links use the configured HOST:PORT', async () => {
    const srv = await app(undefined);
    const c = new WebClient(srv.base);
    await c.get('/password/forgot');
    expect(await forgedPost(c, '/password/forgot', { email: fx.emails.a })).to.equal(200);
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    expect(await forgedPost(admin, `/console/clients/${fx.clients.a}/invite`, { email: 'new@alpha.test', name: 'New', companyRole: 'buyer' })).to.equal(303);
    expect(sent).to.have.length(2);
    for (const m of sent) {
      expect(m.text).not.to.contain('evil.example');
      expect(linkOf(m)).to.match(/^http:\/\/127\.0\.0\.1:3123\/password\/set\//);
    }
  });

  it('with PUBLIC_URL: links use it, whatever the request says', async () => {
    const srv = await app('https://shop.example.com/');
    const c = new WebClient(srv.base);
    await c.get('/password/forgot');
    await forgedPost(c, '/password/forgot', { email: fx.emails.a });
    expect(linkOf(sent[0]!)).to.match(/^https:\/\/shop\.example\.com\/password\/set\//);
  });
});
