import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { publishStoreEvents } from '../../src/store/shared/events.ts';
import { applyBatch } from '../../src/sync/index.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

/** Reads SSE messages from a fetch body until `want` returns true or the time is up. */
async function readEvents(body: ReadableStream<Uint8Array>, want: (events: Map<string, string>) => boolean, ms = 8000) {
  const reader = body.getReader();
  const events = new Map<string, string>();
  let buf = '';
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline && !want(events)) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!chunk || chunk.done) break;
      buf += Buffer.from(chunk.value).toString();
      let at = buf.indexOf('\n\n');
      while (at >= 0) {
        const msg = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const name = msg.match(/^event: (.*)$/m)?.[1];
        const data = msg.match(/^data: (.*)$/m)?.[1];
        if (name) events.set(name, data ?? '');
        at = buf.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

describe('web/live: stock and price cells over SSE from sync change events', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    fx = await storeFixture(rt.db);
    a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
  });

  const open = (ids: number[]) =>
    fetch(`${srv.base}/live/offers?ids=${ids.join(',')}`, { headers: { cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });

  it('sends the new stock cell and price cell, rendered for this buyer, after applyBatch', async () => {
    const res = await open([fx.offers[0]!, fx.offers[1]!]);
    expect(res.headers.get('content-type')).to.contain('text/event-stream');
    const reading = readEvents(res.body!, (e) => e.has(`s${fx.offers[0]}-${fx.warehouses.main}`) && e.has(`p${fx.offers[0]}`));
    await applyBatch({ db: rt.db, redis: rt.redis, prefix: rt.prefix }, { sourceId: fx.sourceId, kind: 'test', mode: 'delta' }, {
      stock: [{ offerExternalId: 'p1', warehouseExternalId: 'w-main', quantity: '7' }],
      prices: [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-whs', value: '200.00' }],
    });
    const events = await reading;
    expect(events.get(`s${fx.offers[0]}-${fx.warehouses.main}`)).to.equal('7');
    // 200.00 wholesale − 5 % = 190.00 for Alpha's main contract
    expect(events.get(`p${fx.offers[0]}`)).to.contain('190,00');
    expect(events.get(`s${fx.offers[0]}-${fx.warehouses.partner}`)).to.contain('100 <small class="pp">209,00</small>');
    expect(events.has(`p${fx.offers[1]}`)).to.equal(false); // untouched offers are not sent
  });

  it('updates availability when a reservation is placed (store events channel)', async () => {
    const res = await open([fx.offers[2]!]);
    const reading = readEvents(res.body!, (e) => e.has(`s${fx.offers[2]}-${fx.warehouses.main}`));
    await rt.db('reservations').insert({ client_id: fx.clients.b, counterparty_id: fx.cp.bHead, offer_id: fx.offers[2]!, warehouse_id: fx.warehouses.main, quantity: '10', expires_at: new Date(Date.now() + 3600_000) });
    await publishStoreEvents(rt, [{ type: 'availability', offerIds: [fx.offers[2]!] }]);
    const events = await reading;
    expect(events.get(`s${fx.offers[2]}-${fx.warehouses.main}`)).to.equal('20');
  });

  it('refuses anonymous visitors', async () => {
    const res = await fetch(`${srv.base}/live/offers?ids=1`, { redirect: 'manual' });
    expect(res.status).to.equal(303);
  });
});
