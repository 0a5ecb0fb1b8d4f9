import { expect } from 'chai';
import { publishStoreEvents } from '../../src/store/shared/events.ts';
import { applyBatch } from '../../src/sync/index.ts';
import { SseStream } from '../support/sse.ts';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

describe('web/live: stock and price cells over SSE from sync change events', () => {
  const w = useWorld();
  let a: WebClient;
  beforeEach(async () => {
    a = await w.signIn('a');
  });

  // The route subscribes before it sends the headers: once open() resolves, no event is missed.
  // A push of an offer's cells is one write ending with `t<offer>`; the socket may hand it over
  // in pieces, so the tests wait for that last event.
  const open = (ids: number[]) => SseStream.open(a, `/live/offers?ids=${ids.join(',')}`);

  it('sends the new stock cell and price cell, rendered for this buyer, after applyBatch', async () => {
    const live = await open([w.fx.offers[0]!, w.fx.offers[1]!]);
    expect(live.res.headers.get('content-type')).to.contain('text/event-stream');
    await applyBatch({ db: w.rt.db, redis: w.rt.redis, prefix: w.rt.prefix }, { sourceId: w.fx.sourceId, kind: 'test', mode: 'delta' }, {
      stock: [{ offerExternalId: 'p1', warehouseExternalId: 'w-main', quantity: '7' }],
      prices: [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-whs', value: '200.00' }],
    });
    await live.waitFor((m) => m.some((e) => e.event === `t${w.fx.offers[0]}`), `the cells of offer ${w.fx.offers[0]}`);
    await live.close();
    const events = live.last();
    expect(events.get(`s${w.fx.offers[0]}-${w.fx.warehouses.main}`)).to.equal('7');
    // 200.00 wholesale − 5 % = 190.00 for Alpha's main contract
    expect(events.get(`p${w.fx.offers[0]}`)).to.contain('190,00');
    expect(events.get(`s${w.fx.offers[0]}-${w.fx.warehouses.partner}`)).to.contain('100 <small class="pp">209,00</small>');
    expect(events.has(`p${w.fx.offers[1]}`)).to.equal(false); // untouched offers are not sent
  });

  it('updates availability when a reservation is placed (store events channel)', async () => {
    const live = await open([w.fx.offers[2]!]);
    await w.rt.db('reservations').insert({ client_id: w.fx.clients.b, counterparty_id: w.fx.cp.bHead, offer_id: w.fx.offers[2]!, warehouse_id: w.fx.warehouses.main, quantity: '10', expires_at: new Date(Date.now() + 3600_000) });
    await publishStoreEvents(w.rt, [{ type: 'availability', offerIds: [w.fx.offers[2]!] }]);
    await live.waitFor((m) => m.some((e) => e.event === `t${w.fx.offers[2]}`), `the cells of offer ${w.fx.offers[2]}`);
    await live.close();
    expect(live.last().get(`s${w.fx.offers[2]}-${w.fx.warehouses.main}`)).to.equal('20');
  });

  it('refuses anonymous visitors', async () => {
    const res = await fetch(`${w.base}/live/offers?ids=1`, { redirect: 'manual' });
    expect(res.status).to.equal(303);
  });
});
