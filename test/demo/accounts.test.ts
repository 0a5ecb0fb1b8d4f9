import { expect } from 'chai';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('demo: the demo buyer’s company has an owner, an accountant and a viewer', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let clientA: number;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'settings', 'orders', 'outbox', 'reservations');
    clientA = (await storeFixture(rt.db)).clients.a; // the client with the most legal entities
  });
  after(() => srv?.close());

  it('seeds accountant@demo.local and viewer@demo.local in the buyer’s client, lists them on the start page, and their roles hold', async () => {
    const accounts = await ensureDemoAccounts(rt);
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined }, demoAccounts: accounts }));
    const rows = await rt.db('users').whereIn('email', ['buyer@demo.local', 'accountant@demo.local', 'viewer@demo.local']).orderBy('email').select('email', 'client_id', 'company_role', 'demo');
    expect(rows.map((r) => [r.email, Number(r.client_id), r.company_role, r.demo])).to.deep.equal([
      ['accountant@demo.local', clientA, 'accountant', true],
      ['buyer@demo.local', clientA, 'owner', true],
      ['viewer@demo.local', clientA, 'viewer', true],
    ]);
    const home = await new WebClient(srv.base).get('/');
    expect(home.text).to.contain('accountant@demo.local').and.to.contain('viewer@demo.local').and.to.contain('бухгалтер — документы, без заказов');
    expect(home.text).to.contain('<td>покупатель · наблюдатель</td>').and.not.contain('legal entities');
    // the notes in the visitor's language
    const en = new WebClient(srv.base);
    en.cookies.set('lang', 'en');
    expect((await en.get('/')).text).to.contain('accountant — documents, no orders').and.contain('<td>buyer · viewer</td>').and.contain('legal entities, account owner');

    const viewer = new WebClient(srv.base);
    await viewer.login('viewer@demo.local', 'demo-password');
    expect((await viewer.get('/catalog')).status).to.equal(200);
    expect((await viewer.post('/cart/add', { offerId: '1', qty: '1' })).status).to.equal(403);
    const accountant = new WebClient(srv.base);
    await accountant.login('accountant@demo.local', 'demo-password');
    expect((await accountant.get('/documents')).status).to.equal(200);
    expect((await accountant.get('/cart')).status).to.equal(403);
    const owner = new WebClient(srv.base);
    await owner.login('buyer@demo.local', 'demo-password');
    const company = await owner.get('/company');
    expect(company.text).to.contain('accountant@demo.local').and.to.contain('viewer@demo.local');

    // A restart gives the demo's employees their roles back.
    await rt.db('users').where({ email: 'viewer@demo.local' }).update({ company_role: 'owner' });
    await ensureDemoAccounts(rt);
    expect(await rt.db('users').where({ email: 'viewer@demo.local' }).first('company_role')).to.deep.equal({ company_role: 'viewer' });
  });

  it('seeds one pending approval: purchaser@demo.local’s order just over the limit waits for buyer@demo.local (made once)', async () => {
    const pending = await rt.db('order_approvals as a').join('orders as o', 'o.id', 'a.order_id').where({ 'a.state': 'pending' }).select('o.id', 'o.export_state', 'a.reason');
    expect(pending.map((p) => [p.export_state, p.reason])).to.deep.equal([['held', 'order_limit']]);
    await ensureDemoAccounts(rt);
    expect(await rt.db('order_approvals').count('* as n').first()).to.deep.equal({ n: 1 });
    const owner = new WebClient(srv.base);
    await owner.login('buyer@demo.local', 'demo-password');
    const page = await owner.get('/approvals');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`id="approval-${pending[0]!.id}"`).and.to.contain('purchaser@demo.local').and.to.contain('больше лимита на один заказ 5\u00a0000,00\u00a0₽');
    expect((await new WebClient(srv.base).get('/')).text).to.contain('purchaser@demo.local');
  });
});
