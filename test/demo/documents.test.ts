import { expect } from 'chai';
import type { Simulator } from '../../sim/index.ts';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { getSetting } from '../../src/store/settings/settings.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('demo: documents and the open quote a newcomer sees', () => {
  let rt: Runtime;
  let sim: Simulator;
  let srv: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'settings');
    ({ sim } = await simSource(rt, 'demo'));
    await runFullSync(rt, await soapSourceRow(rt, 'demo'));
    await seedClients(rt.db);
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(async () => {
    await srv.close();
    await sim.stop();
  });

  it('the demo buyer has invoices, shipment documents and reconciliation statements, and the store has a seller for its invoices', async () => {
    await ensureDemoAccounts(rt);
    expect((await getSetting(rt.db, 'invoices.seller'))?.inn).to.equal('7705000005');
    const c = new WebClient(srv.base);
    await c.login('buyer@demo.local', 'demo-password');
    for (const kind of ['invoice', 'shipment', 'reconciliation']) {
      const page = await c.get(`/documents?kind=${kind}`);
      expect(page.status).to.equal(200);
      expect(page.text, kind).to.match(/href="\/documents\/\d+\.pdf"/);
    }
  });

  it('the demo buyer has an open, answered quote with the manager’s message in its thread, and can accept it', async () => {
    await ensureDemoAccounts(rt);
    const c = new WebClient(srv.base);
    await c.login('buyer@demo.local', 'demo-password');
    const list = await c.get('/quotes');
    const id = Number(/href="\/quotes\/(\d+)"/.exec(list.text)?.[1]);
    expect(id, list.text.slice(0, 500)).to.be.greaterThan(0);
    const page = await c.get(`/quotes/${id}`);
    expect(page.text).to.contain('есть предложение').and.contain('Принять и оформить заказ').and.contain('Цены со скидкой 5 % держим неделю');
    const accepted = await c.post(`/quotes/${id}/accept`, {});
    expect(accepted.status, accepted.text.slice(0, 300)).to.equal(303);
    expect(accepted.location).to.match(/^\/orders\/\d+$/);
  });
});
