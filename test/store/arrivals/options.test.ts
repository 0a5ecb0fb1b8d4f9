import { expect } from 'chai';
import { type DeliveryOption, deliveryOptions, type ExpectedArrival, type WarehouseOffer } from '../../../src/store/arrivals/options.ts';

const main: WarehouseOffer = { warehouseId: 1, name: 'Основной склад', kind: 'own', deliveryDays: 0, available: '5', unitPrice: '100.00' };
const spb: WarehouseOffer = { warehouseId: 2, name: 'Склад СПб', kind: 'own', deliveryDays: 2, available: '0', unitPrice: '100.00' };
const far: WarehouseOffer = { warehouseId: 3, name: 'Склад партнёра', kind: 'partner', deliveryDays: 4, available: '500', unitPrice: '107.50' };
const today = '2026-12-03';
const marks = (os: DeliveryOption[]) => os.map((o) => `${o.warehouseId}:${o.via}:${o.date}${o.earliest ? ':earliest' : ''}${o.cheapest ? ':cheapest' : ''}`);
const run = (quantity: string, warehouses: WarehouseOffer[], arrivals: ExpectedArrival[] = []) => deliveryOptions({ quantity, today, warehouses, arrivals });

describe('store/arrivals: the options for a product and a quantity', () => {
  it('stock that covers the quantity is an option today plus the warehouse’s delivery days, at its price', () => {
    const r = run('5', [main, { ...spb, available: '7' }, far]);
    expect(marks(r.options)).to.deep.equal(['1:stock:2026-12-03:earliest:cheapest', '2:stock:2026-12-05', '3:stock:2026-12-07']);
    expect(r.options[2]).to.include({ unitPrice: '107.50', amount: '537.50', fromStock: '5', fromArrivals: '0', arrivalDate: null });
    expect(r.short).to.deep.equal([]);
  });

  it('earliest: a far partner now beats waiting for the main warehouse’s arrival; cheapest: the arrival', () => {
    const r = run('20', [main, spb, far], [{ warehouseId: 1, date: '2026-12-10', quantity: '100' }]);
    expect(marks(r.options)).to.deep.equal(['3:stock:2026-12-07:earliest', '1:arrival:2026-12-10:cheapest']);
    const arrival = r.options.find((o) => o.via === 'arrival')!;
    expect(arrival).to.include({ arrivalDate: '2026-12-10', fromStock: '5', fromArrivals: '15', amount: '2000.00' });
  });

  it('an arrival covering partly waits for the next one; arrivals on a far warehouse add its delivery days', () => {
    const arrivals = [
      { warehouseId: 1, date: '2026-12-20', quantity: '50' },
      { warehouseId: 1, date: '2026-12-06', quantity: '10' }, // 5 + 10 < 40: not enough alone
      { warehouseId: 2, date: '2026-12-08', quantity: '40' },
    ];
    const r = run('40', [main, spb], arrivals);
    expect(marks(r.options)).to.deep.equal(['2:arrival:2026-12-10:earliest:cheapest', '1:arrival:2026-12-20']);
    expect(r.options[1]).to.include({ fromStock: '5', fromArrivals: '35', arrivalDate: '2026-12-20' });
  });

  it('not enough anywhere: no option, and each warehouse that has or expects some says how much it can reach', () => {
    const r = run('1000', [main, spb, far], [{ warehouseId: 1, date: '2026-12-06', quantity: '10.5' }]);
    expect(r.options).to.deep.equal([]);
    expect(r.short).to.deep.equal([
      { warehouseId: 1, name: 'Основной склад', kind: 'own', reachable: '15.5', lastArrival: '2026-12-06' },
      { warehouseId: 3, name: 'Склад партнёра', kind: 'partner', reachable: '500', lastArrival: null },
    ]);
  });

  it('ties: the same date goes to the lower amount, the same amount to the sooner date, a full tie to the warehouse order', () => {
    const a = { ...main, available: '10', unitPrice: '90.00', deliveryDays: 1 };
    const b = { ...spb, available: '10', unitPrice: '80.00', deliveryDays: 1 };
    expect(marks(run('2', [a, b]).options)).to.deep.equal(['1:stock:2026-12-04', '2:stock:2026-12-04:earliest:cheapest']);
    const c = { ...spb, available: '10', unitPrice: '90.00', deliveryDays: 3 };
    expect(marks(run('2', [c, a]).options)).to.deep.equal(['1:stock:2026-12-04:earliest:cheapest', '2:stock:2026-12-06']);
    const twin = { ...a, warehouseId: 9, name: 'Близнец' };
    expect(marks(run('2', [a, twin]).options)).to.deep.equal(['1:stock:2026-12-04:earliest:cheapest', '9:stock:2026-12-04']);
  });

  it('money and quantities stay exact: fractional quantities, prices with kopecks; no price is never the cheapest', () => {
    const r = run('0.3', [{ ...main, available: '0.1', unitPrice: '0.10' }, { ...spb, available: '1', unitPrice: null }, { ...far, unitPrice: '33.33' }], [
      { warehouseId: 1, date: '2026-12-04', quantity: '0.2' },
    ]);
    const byId = Object.fromEntries(r.options.map((o) => [o.warehouseId, o]));
    expect(byId[1]).to.include({ via: 'arrival', fromStock: '0.1', fromArrivals: '0.2', amount: '0.03', cheapest: true });
    expect(byId[2]).to.include({ amount: null, cheapest: false });
    expect(byId[3]).to.include({ amount: '10.00' });
  });

  it('an overdue arrival counts as today; arrivals of another warehouse or of zero do not count; a bad quantity is refused', () => {
    const r = run('6', [main], [{ warehouseId: 1, date: '2026-11-30', quantity: '1' }, { warehouseId: 2, date: '2026-12-04', quantity: '99' }, { warehouseId: 1, date: '2026-12-01', quantity: '0' }]);
    expect(marks(r.options)).to.deep.equal(['1:arrival:2026-12-03:earliest:cheapest']);
    expect(() => run('0', [main])).to.throw(RangeError, 'above zero');
  });
});
