import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createSoapAdapter, type SoapAdapter } from '../../connectors/soap/adapter.ts';
import { SoapCallError } from '../../connectors/soap/errors.ts';
import type { XmlObject } from '../../connectors/soap/xml-tree.ts';
import { type Simulator, signature, startSimulator } from '../../sim/index.ts';

const NS = 'urn:counterpart:accounting-sim';
const list = <T>(v: unknown): T[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]) as T[];

async function failure(p: Promise<unknown>): Promise<SoapCallError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(SoapCallError);
    return err as SoapCallError;
  }
  throw new Error('expected the call to fail');
}

describe('sim: SOAP service over HTTP', () => {
  let sim: Simulator;
  let soap: SoapAdapter;
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.controlUrl}/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };

  before(async () => {
    sim = await startSimulator({ dataset: { products: 60, counterparties: 12 }, credentials: { username: 'exchange', password: 'secret-pw' } });
    soap = createSoapAdapter({ endpoint: sim.url, namespace: NS, soapActionPrefix: `${NS}#`, username: 'exchange', password: 'secret-pw', timeoutMs: 2000 });
  });
  after(() => sim.stop());
  afterEach(() => sim.faults.clear());

  it('serves a WSDL that declares every operation', async () => {
    const ops = await soap.wsdlOperations();
    for (const op of ['GetPriceTypes', 'GetWarehouses', 'GetProductGroups', 'GetProducts', 'GetOffers', 'GetStock', 'GetCounterparties', 'GetContracts', 'GetManagers', 'GetChanges', 'CreateOrder', 'GetOrderStatuses', 'PlaceReservation', 'ExtendReservation', 'ReleaseReservation']) {
      expect(ops).to.include(op);
    }
  });

  it('pages offers with their prices and stock, and reports the total', async () => {
    const total = sim.state.data.offers.length;
    const p1 = await soap.call('GetOffers', { Page: 1, PageSize: 25 });
    const p3 = await soap.call('GetOffers', { Page: Math.ceil(total / 25), PageSize: 25 });
    expect(p1.Total).to.equal(String(total));
    expect(list((p1.Offers as XmlObject).Offer)).to.have.length(25);
    expect(list((p3.Offers as XmlObject).Offer)).to.have.length(total - 25 * (Math.ceil(total / 25) - 1));
    const first = list<XmlObject>((p1.Offers as XmlObject).Offer)[0]!;
    const o = sim.state.data.offers[0]!;
    expect(first.Id).to.equal(o.id);
    expect(list<XmlObject>((first.Prices as XmlObject).Price).map((p) => p.Value)).to.deep.equal(sim.state.pricesOf(o).map((p) => p.value));
  });

  it('writes decimals with a comma and Russian enum values, like a 1C service', async () => {
    const w = list<XmlObject>(((await soap.call('GetWarehouses')).Warehouses as XmlObject).Warehouse);
    expect(w.map((x) => x.Kind)).to.include.members(['Собственный', 'Партнёрский']);
    const partner = w.find((x) => x.Kind === 'Партнёрский')!;
    expect(partner.CommissionPct).to.match(/^\d+(,\d+)?$/);
    const cps = list<XmlObject>(((await soap.call('GetCounterparties', { Page: 1, PageSize: 100 })).Counterparties as XmlObject).Counterparty);
    expect(cps.every((c) => /^\d+,\d{2}$/.test(String(c.CreditLimit)))).to.equal(true);
  });

  it('refuses wrong credentials', async () => {
    const bad = createSoapAdapter({ endpoint: sim.url, namespace: NS, username: 'exchange', password: 'nope', timeoutMs: 2000 });
    const err = await failure(bad.call('GetPriceTypes'));
    expect(err.failure).to.equal('auth');
    expect(err.retryable).to.equal(false);
  });

  it('answers a bad argument with a SOAP client fault', async () => {
    const err = await failure(soap.call('GetOffers', { Page: 0, PageSize: 10 }));
    expect(err.failure).to.equal('fault');
    expect(err.message).to.match(/Page must be an integer/);
    expect(err.retryable).to.equal(false);
  });

  it('records control-surface edits in the change feed', async () => {
    const cursor = sim.state.cursor();
    const offer = sim.state.data.offers[3]!;
    expect((await control('POST', 'stock', { offerId: offer.id, warehouseId: 'WH01', quantity: '17' })).status).to.equal(200);
    expect((await control('POST', 'price', { offerId: offer.id, priceTypeId: 'PT002', value: '999.90' })).status).to.equal(200);
    const ch = await soap.call('GetChanges', { SinceCursor: cursor, Limit: 100 });
    const offers = list<XmlObject>((ch.Offers as XmlObject).Offer);
    expect(offers.map((o) => o.Id)).to.deep.equal([offer.id]);
    const stock = list<XmlObject>((offers[0]!.Stock as XmlObject).Item);
    expect(stock.find((s) => s.WarehouseId === 'WH01')!.Quantity).to.equal('17');
    expect(list<XmlObject>((offers[0]!.Prices as XmlObject).Price).find((p) => p.PriceTypeId === 'PT002')!.Value).to.equal('999.90');
    expect(ch.NextCursor).to.equal(String(Number(cursor) + 2));
    expect(ch.HasMore).to.equal('false');
  });

  it('rejects bad control input naming the field, and unknown ids', async () => {
    const offer = sim.state.data.offers[0]!;
    const bad = await control('POST', 'stock', { offerId: offer.id, warehouseId: 'WH01', quantity: '-3' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error).to.match(/^quantity: must be a non-negative decimal/);
    const unknown = await control('POST', 'stock', { offerId: 'nope', warehouseId: 'WH01', quantity: '3' });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error).to.equal('no offer with id nope');
  });

  it('links counterparties and adds products through the control surface', async () => {
    const [a, b] = sim.state.data.counterparties.filter((c) => !c.headId);
    expect((await control('POST', 'link', { counterpartyId: b!.id, headId: a!.id })).status).to.equal(200);
    expect(sim.state.counterparty(b!.id)!.headId).to.equal(a!.id);
    const added = await control('POST', 'products', { id: 'NEW-1', name: 'Перфоратор Новый', sku: 'NEW-1', prices: { PT001: '15000.00' }, stock: { WH01: '4' } });
    expect(added.status).to.equal(201);
    const o = sim.state.offer('NEW-1');
    expect(sim.state.pricesOf(o)).to.deep.equal([{ priceTypeId: 'PT001', value: '15000.00' }]);
    expect(sim.state.stockOf(o)).to.deep.equal([{ warehouseId: 'WH01', quantity: '4' }]);
  });

  it('announces changes by a signed webhook', async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      sim.webhook.target = { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/accounting/main`, secret: 'hook-secret-1' };
      sim.state.setStock(sim.state.data.offers[5]!.id, 'WH01', '3');
      sim.state.setStock(sim.state.data.offers[6]!.id, 'WH01', '4');
      await sim.webhook.drain();
      expect(got).to.have.length(1);
      const { headers, body } = got[0]!;
      const ts = String(headers['x-counterpart-timestamp']);
      expect(headers['x-counterpart-signature']).to.equal(`sha256=${signature('hook-secret-1', ts, body)}`);
      expect(JSON.parse(body).changes).to.have.length(2);
      expect(JSON.parse(body).cursor).to.equal(sim.state.cursor());
    } finally {
      sim.webhook.target = null;
      hook.close();
    }
  });

  it('creates orders idempotently by the store’s order id and feeds their statuses', async () => {
    const cp = sim.state.data.counterparties[0]!;
    const offer = sim.state.data.offers[0]!;
    const order = { StoreOrderId: 'store-1', StoreNumber: 'CP-000001', CounterpartyId: cp.id, Lines: { Line: [{ OfferId: offer.id, Quantity: '2', Price: '10.00', Amount: '20.00' }] } };
    const a = await soap.call('CreateOrder', { Order: order });
    const b = await soap.call('CreateOrder', { Order: order });
    expect(a.Created).to.equal('true');
    expect(b.Created).to.equal('false');
    expect(b.OrderId).to.equal(a.OrderId);
    expect(sim.state.orders()).to.have.length(1);
    sim.postOrderStatus('CP-000001', 'Отгружен', 'машина вышла');
    const st = await soap.call('GetOrderStatuses', { SinceCursor: '0', Limit: 10 });
    const statuses = list<XmlObject>((st.Statuses as XmlObject).Status);
    expect(statuses.map((s) => s.Status)).to.deep.equal(['Принят', 'Отгружен']);
    expect(statuses[1]).to.include({ StoreNumber: 'CP-000001', Note: 'машина вышла', Number: a.Number });
    expect(st.NextCursor).to.equal('2');
  });

  it('keeps reservations: place, extend and release answer the same when repeated', async () => {
    const cp = sim.state.data.counterparties[0]!;
    const offer = sim.state.data.offers[0]!;
    const key = 'reservation:store-1';
    const res = { StoreReservationId: key, CounterpartyId: cp.id, OfferId: offer.id, WarehouseId: 'WH01', Quantity: '2.5', ExpiresAt: '2026-12-03T10:00:00Z' };
    const a = await soap.call('PlaceReservation', { Reservation: res });
    const b = await soap.call('PlaceReservation', { Reservation: res });
    expect(a).to.include({ Created: 'true', ExpiresAt: '2026-12-03T10:00:00.000Z' });
    expect(b).to.include({ Created: 'false', ReservationId: a.ReservationId });
    const ext = { StoreReservationId: key, OperationId: 'extend-1', ExpiresAt: '2026-12-04T10:00:00Z' };
    expect(await soap.call('ExtendReservation', ext)).to.include({ Applied: 'true', ExpiresAt: '2026-12-04T10:00:00.000Z' });
    expect(await soap.call('ExtendReservation', ext)).to.include({ Applied: 'false', ExpiresAt: '2026-12-04T10:00:00.000Z' });
    expect(await soap.call('ReleaseReservation', { StoreReservationId: key, Reason: 'cancelled' })).to.include({ Released: 'true', ReservationId: a.ReservationId });
    expect(await soap.call('ReleaseReservation', { StoreReservationId: key, Reason: 'cancelled' })).to.include({ Released: 'false' });
    const [kept] = sim.state.reservations();
    expect(kept).to.include({ storeReservationId: key, offerId: offer.id, warehouseId: 'WH01', quantity: '2.5', state: 'released', releaseReason: 'cancelled' });
    expect(kept!.operations).to.deep.equal(['extend-1']);
    // Our request is wrong (unknown ids, a released hold): a client fault, never worth retrying.
    const unknown = await failure(soap.call('ExtendReservation', { StoreReservationId: 'nope', OperationId: 'x', ExpiresAt: '2026-12-04T10:00:00Z' }));
    expect(unknown).to.include({ failure: 'fault', retryable: false });
    expect(unknown.message).to.match(/no reservation nope/);
    expect((await failure(soap.call('ExtendReservation', { ...ext, OperationId: 'extend-2' }))).message).to.match(/is released/);
    const badWh = await failure(soap.call('PlaceReservation', { Reservation: { ...res, StoreReservationId: 'other', WarehouseId: 'WH99' } }));
    expect(badWh.message).to.match(/no warehouse with id WH99/);
    expect(sim.state.reservations()).to.have.length(1);
  });

  describe('faults on demand', () => {
    const cases: [string, string, boolean][] = [
      ['http500', 'http', true],
      ['soapFault', 'fault', true],
      ['malformed', 'malformed', true],
      ['truncated', 'malformed', true],
      ['down', 'down', true],
    ];
    for (const [kind, failureKind, retryable] of cases) {
      it(`${kind} → the call fails as "${failureKind}" and the next call works`, async () => {
        sim.faults.set({ kind: kind as never, times: 1 });
        const err = await failure(soap.call('GetPriceTypes'));
        expect(err.failure).to.equal(failureKind);
        expect(err.retryable).to.equal(retryable);
        const ok = await soap.call('GetPriceTypes');
        expect(list((ok.PriceTypes as XmlObject).PriceType)).to.have.length(sim.state.data.priceTypes.length);
      });
    }

    it('timeout → no answer within the adapter’s limit', async () => {
      const quick = createSoapAdapter({ endpoint: sim.url, namespace: NS, username: 'exchange', password: 'secret-pw', timeoutMs: 150 });
      sim.faults.set({ kind: 'timeout', times: 1 });
      const err = await failure(quick.call('GetPriceTypes'));
      expect(err.failure).to.equal('timeout');
      expect(err.message).to.match(/no answer within 150 ms/);
    });

    it('latency delays answers; faults can target one operation', async () => {
      sim.faults.set({ kind: 'latency', ms: 120 });
      sim.faults.set({ kind: 'http500', operations: ['GetOffers'] });
      const t = Date.now();
      await soap.call('GetPriceTypes');
      expect(Date.now() - t).to.be.at.least(110);
      expect((await failure(soap.call('GetOffers', { Page: 1, PageSize: 5 }))).failure).to.equal('http');
    });

    it('is set and cleared through the HTTP control surface too', async () => {
      expect((await control('POST', 'faults', { kind: 'soapFault' })).status).to.equal(200);
      expect((await failure(soap.call('GetManagers'))).failure).to.equal('fault');
      expect((await control('DELETE', 'faults')).body.faults).to.deep.equal([]);
      expect((await control('POST', 'faults', { kind: 'earthquake' })).status).to.equal(400);
      await soap.call('GetManagers');
    });
  });
});
