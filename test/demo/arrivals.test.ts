import { expect } from 'chai';
import { moscowDateIn } from '../../sim/data/arrivals.ts';
import type { Simulator } from '../../sim/index.ts';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('demo: expected arrivals a newcomer sees', () => {
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

  it('the first product expects arrivals at the main warehouse, and its page offers them for more than the stock', async () => {
    await ensureDemoAccounts(rt);
    const d = sim.state.data;
    const main = d.warehouses[0]!;
    const offer = d.offers.find((o) => !o.partnerOnly)!;
    const first = d.supplierOrders.find((o) => o.warehouseId === main.id && o.lines.some((l) => l.offerId === offer.id))!;
    const line = first.lines.find((l) => l.offerId === offer.id)!;
    const id = (await rt.db('offers').where({ external_id: offer.id }).first('id'))!.id;
    const [{ n }] = await rt.db('expected_arrivals as a').join('warehouses as w', 'w.id', 'a.warehouse_id')
      .where({ 'a.offer_id': id, 'w.external_id': main.id, 'a.deleted': false }).count({ n: '*' });
    expect(Number(n)).to.equal(2);
    const qty = Number(sim.state.stock(offer, 0) ?? '0') + Number(line.quantity);
    const c = new WebClient(srv.base);
    await c.login('buyer@demo.local', 'demo-password');
    const page = await c.get(`/product/${id}?qty=${qty}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.match(new RegExp(`${main.name}</td>\\s*<td>после поступления`));
    expect(page.text).to.contain(`<time datetime="${moscowDateIn(sim.state.now(), line.inDays)}">`);
  });

  it('the demo buyer has an open quote to accept, made once', async () => {
    await ensureDemoAccounts(rt);
    await ensureDemoAccounts(rt);
    const c = new WebClient(srv.base);
    await c.login('buyer@demo.local', 'demo-password');
    const list = await c.get('/quotes');
    const ids = [...list.text.matchAll(/href="\/quotes\/(\d+)"/g)].map((m) => m[1]);
    expect(ids).to.have.length(1);
    const q = await c.get(`/quotes/${ids[0]}`);
    expect(q.text).to.contain('есть предложение').and.contain('Принять и оформить заказ');
  });
});
