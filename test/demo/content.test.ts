import { expect } from 'chai';
import type { Simulator } from '../../sim/index.ts';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import { ensureDemoContent } from '../../src/demo/content.ts';
import { resetCaches } from '../../src/infra/caches.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('demo: the demo buyer signs in to news, orders with their history and a conversation', () => {
  let rt: Runtime;
  let sim: Simulator;
  let srv: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'news', 'messages', 'quotes', 'settings');
    resetCaches();
    ({ sim } = await simSource(rt, 'sim', { products: 24, counterparties: 10, priceTypes: 3, warehouses: 3, partnerWarehouses: 1, managers: 2 }));
    await runFullSync(rt, await soapSourceRow(rt, 'sim'));
    await ensureDemoAccounts(rt);
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(async () => {
    await srv?.close();
    await sim?.stop();
  });

  it('seeds each part once, through the real order flow, and the cabinet shows it', async () => {
    await ensureDemoContent(rt, sim, 'sim');
    const buyer = (await rt.db('users').where({ email: 'buyer@demo.local' }).first('id', 'client_id'))!;

    const news = await rt.db('news').orderBy('kind').select('kind', 'body_md', 'image_url');
    expect(news.map((n) => n.kind)).to.deep.equal(['markdown', 'news', 'promotion', 'sale']);
    for (const n of news) expect(n.image_url).to.match(/^\/static\/demo\/news-\w+\.svg$/);
    expect(news.find((n) => n.kind === 'markdown')!.body_md).to.match(/!\[[^\]]+\]\(\/static\/demo\/[\w-]+\.svg\)/);

    // The orders reached the accounting system (the simulator) once each, and their statuses came back from it.
    const orders = await rt.db('orders').where({ client_id: buyer.client_id! }).where('creation_key', 'like', 'checkout:demo-story-%').orderBy('created_at').select('id', 'number', 'status', 'status_text');
    expect(orders.map((o) => o.status)).to.deep.equal(['completed', 'shipped', 'confirmed', 'cancelled']);
    expect(sim.state.orders().map((o) => o.storeNumber)).to.include.members(orders.map((o) => o.number));
    const history = await rt.db('order_status_history').where({ order_id: orders[0]!.id as number }).orderBy('at').select('status', 'origin', 'status_text', 'at');
    expect(history.map((h) => [h.origin, h.status_text || h.status])).to.deep.equal([
      ['store', 'new'], ['accounting', 'Принят'], ['accounting', 'Собран'], ['accounting', 'Оплачен'], ['accounting', 'Отгружен'], ['accounting', 'Доставлен'],
    ]);
    expect(history.at(-1)!.at.getTime()).to.be.at.most(Date.now());
    expect(history[0]!.at.getTime()).to.be.below(Date.now() - 10 * 24 * 3600 * 1000); // placed weeks ago

    const messages = await rt.db('messages').where({ client_id: buyer.client_id! }).orderBy('created_at').select('from_side', 'read_at');
    expect(messages.slice(0, 4).map((m) => [m.from_side, Boolean(m.read_at)])).to.deep.equal([['client', true], ['manager', true], ['client', true], ['manager', true]]);

    // A restart adds nothing.
    await ensureDemoContent(rt, sim, 'sim');
    expect(await rt.db('news').count({ n: '*' }).first()).to.deep.equal({ n: 4 });
    expect(await rt.db('orders').where('creation_key', 'like', 'checkout:demo-story-%').count({ n: '*' }).first()).to.deep.equal({ n: 4 });
    expect(await rt.db('messages').where('body', 'like', 'Резерв поставил%').count({ n: '*' }).first()).to.deep.equal({ n: 1 });

    const web = new WebClient(srv.base);
    await web.login('buyer@demo.local', 'demo-password');
    expect((await web.get('/news')).text).to.contain('Уценка: остатки прошлых партий').and.contain('/static/demo/news-drill.svg');
    const page = await web.get(`/orders/${orders[0]!.id}`);
    expect(page.text).to.contain('Доставлен').and.contain('Отгружен, ТТН 00451');
    expect((await web.get('/messages')).text).to.contain('Резерв поставил');
    expect((await web.get('/static/demo/news-drill.svg')).status).to.equal(200);
  });
});
