import { expect } from 'chai';
import { DEMO_OPTIONS, nearLimitSettlements, type Simulator } from '../../sim/index.ts';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('demo: the demo buyer’s debt near the limit, from the simulator', () => {
  let rt: Runtime;
  let sim: Simulator;
  let srv: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'settings', 'orders');
    ({ sim } = await simSource(rt, 'demo', DEMO_OPTIONS));
    // what startDemoSimulator posts before its first sync
    for (const s of nearLimitSettlements(sim.state.data.counterparties)) sim.state.setSettlement(s.counterpartyId, s);
    await runFullSync(rt, await soapSourceRow(rt, 'demo'));
    await seedClients(rt.db);
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(async () => {
    await srv.close();
    await sim.stop();
  });

  it('one of buyer@demo.local’s legal entities owes its limit less 25 000,00 ₽ (part overdue), orders past it refused', async () => {
    await ensureDemoAccounts(rt);
    const buyer = await rt.db('users').where({ email: 'buyer@demo.local' }).first('client_id');
    const near = await rt.db('client_counterparties as cc').join('counterparty_credit as k', 'k.counterparty_id', 'cc.counterparty_id')
      .join('counterparties as c', 'c.id', 'cc.counterparty_id').where('cc.client_id', buyer!.client_id)
      .whereRaw('k.credit_limit - k.debt = 25000').select('c.id', 'c.name', 'k.overdue', 'k.policy');
    expect(near).to.have.length(1);
    expect(near[0]).to.include({ policy: 'refuse' });
    expect(Number(near[0]!.overdue)).to.be.greaterThan(0);
    const c = new WebClient(srv.base);
    await c.login('buyer@demo.local', 'demo-password');
    await c.post('/account/switch', { counterpartyId: String(near[0]!.id), back: '/catalog' });
    const page = (await c.get('/catalog')).text.replace(/\u00a0/g, ' ');
    expect(page).to.contain(`${near[0]!.name}: <span class="credit-figures">`).and.contain('доступно <b class="credit-left">25 000,00 ₽</b>');
  });
});
