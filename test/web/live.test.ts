import { expect } from 'chai';
import { publishStoreEvents } from '../../src/store/shared/events.ts';
import { applyBatch } from '../../src/sync/index.ts';
import { type SseMessage, SseStream } from '../support/sse.ts';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

describe('web/live: stock and price cells over SSE from sync change events', () => {
  const w = useWorld();
  let a: WebClient;
  beforeEach(async () => {
    a = await w.signIn('a');
  });

  // The route subscribes before it sends the headers: once open() resolves, no event is missed.
  // A push of an offer's cells is one write ending with `t<offer>`, but the socket may hand it
  // over in pieces, and an earlier push (any event naming the offer) may carry the old values:
  // the tests wait for the new value and the end of its push, not for the first message.
  const open = (ids: number[]) => SseStream.open(a, `/live/offers?ids=${ids.join(',')}`);
  /** True once `cell` got `value` and the push carrying it ended (its offer's `t` event came after it). */
  const pushed = (cell: string, value: string, offer: number) => (m: SseMessage[]) => {
    const at = m.findLastIndex((e) => e.event === cell && e.data === value);
    return at >= 0 && m.slice(at).some((e) => e.event === `t${offer}`);
  };

  it('sends the new stock cell and price cell, rendered for this buyer, after applyBatch', async () => {
    const live = await open([w.fx.offers[0]!, w.fx.offers[1]!]);
    expect(live.res.headers.get('content-type')).to.contain('text/event-stream');
    await applyBatch(w.rt, { sourceId: w.fx.sourceId, kind: 'test', mode: 'delta' }, {
      stock: [{ offerExternalId: 'p1', warehouseExternalId: 'w-main', quantity: '7' }],
      prices: [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-whs', value: '200.00' }],
    });
    const [o1, main] = [w.fx.offers[0]!, w.fx.warehouses.main];
    await live.waitFor(pushed(`s${o1}-${main}`, '7', o1), `the cells of offer ${o1} with stock 7 at Main`);
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
    // 30 at Main − 10 reserved by Beta
    const [o3, main] = [w.fx.offers[2]!, w.fx.warehouses.main];
    await live.waitFor(pushed(`s${o3}-${main}`, '20', o3), `offer ${o3} with 20 available at Main`);
    await live.close();
  });

  it('refuses anonymous visitors', async () => {
    const res = await fetch(`${w.base}/live/offers?ids=1`, { redirect: 'manual' });
    expect(res.status).to.equal(303);
  });
});
