// Issue 12 #3: setting a password (reset link or invitation) ends the user's other sessions.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { issueToken } from '../../src/store/accounts/users.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('security: a new password signs the user out elsewhere', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  const sent: OutgoingMail[] = [];

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async (m) => void sent.push(m) } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    sent.length = 0;
    fx = await storeFixture(rt.db);
  });

  const signedIn = async (c: WebClient) => (await c.get('/catalog')).status === 200;

  it('a password reset ends every other session of that user, not other users’ sessions', async () => {
    const thief = new WebClient(srv.base);
    await thief.login(fx.emails.a, PASSWORD);
    const laptop = new WebClient(srv.base);
    await laptop.login(fx.emails.a, PASSWORD);
    const other = new WebClient(srv.base);
    await other.login(fx.emails.b, PASSWORD);
    expect(await signedIn(thief)).to.equal(true);

    const owner = new WebClient(srv.base);
    await owner.get('/password/forgot');
    await owner.post('/password/forgot', { email: fx.emails.a });
    const link = sent[0]!.text.match(/\/password\/set\/[\w-]+/)![0];
    await owner.get(link);
    expect((await owner.post(link, { password: 'a brand new password', password2: 'a brand new password' })).status).to.equal(303);

    expect(await signedIn(thief)).to.equal(false);
    expect(await signedIn(laptop)).to.equal(false);
    expect(await signedIn(other)).to.equal(true);
    expect(await signedIn(owner)).to.equal(true); // the one who set it is signed in afresh
  });

  it('accepting an invitation ends sessions opened before it', async () => {
    const before = new WebClient(srv.base);
    await before.login(fx.emails.b, PASSWORD);
    const token = await issueToken(rt.db, fx.users.b, 'invite', 1);
    const c = new WebClient(srv.base);
    await c.get(`/password/set/${token}`);
    expect((await c.post(`/password/set/${token}`, { password: 'invited password 1', password2: 'invited password 1' })).status).to.equal(303);
    expect(await signedIn(before)).to.equal(false);
    expect(await signedIn(c)).to.equal(true);
  });
});
