// Issue 12 (build): an attachment's UTF-8 file name is kept, bidi override characters removed.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('security: attachment file names', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'messages');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    fx = await storeFixture(rt.db);
  });
  after(() => srv.close());

  async function upload(name: string): Promise<string> {
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await a.get('/messages');
    const form = new FormData();
    form.set('_csrf', a.csrf);
    form.set('file', new Blob(['plain text\n'], { type: 'text/plain' }), name);
    const cookie = [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${srv.base}/messages`, { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
    expect(res.status, await res.text()).to.equal(303);
    const msg = await rt.db('messages').orderBy('id', 'desc').first('attachment');
    return msg!.attachment.name;
  }

  it('keeps a Cyrillic name as UTF-8', async () => {
    expect(await upload('Счёт.txt')).to.equal('Счёт.txt');
  });

  it('removes bidi overrides, so the shown name is the real one', async () => {
    expect(await upload('invoice\u202Etxt.exe\u202C.txt')).to.equal('invoicetxt.exe.txt');
  });
});
