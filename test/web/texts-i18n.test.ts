// The small texts of the pages in the page's language: "when can I have it" (dates as people say
// them, units, delivery days with plurals) and file sizes in Intl units.
import { expect } from 'chai';
import { formats } from '../../src/infra/intl.ts';
import type { DeliveryOptions } from '../../src/store/arrivals/options.ts';
import { compactOptions, dayText, optionsView } from '../../src/web/delivery-options.ts';

const NB = '\u00a0';
const plain = (s: string) => s.replaceAll(NB, ' ').replaceAll('\u202f', ' ');
const option = { warehouseId: 1, kind: 'own' as const, fromStock: '0', unitPrice: '10', earliest: false, cheapest: false };
const options: DeliveryOptions = {
  quantity: '30',
  options: [
    { ...option, name: 'Partner', kind: 'partner', via: 'stock', date: '2026-12-07', deliveryDays: 3, arrivalDate: null, fromStock: '30', fromArrivals: '0', amount: '1234.5', earliest: true },
    { ...option, name: 'Main', via: 'arrival', date: '2026-12-14', deliveryDays: 0, arrivalDate: '2026-12-14', fromStock: '20', fromArrivals: '10', amount: '300', cheapest: true },
  ],
  short: [{ warehouseId: 3, name: 'North', kind: 'own', reachable: '5', lastArrival: null }],
};

describe('web: small texts through the catalogs and Intl', () => {
  it('dates as people say them, in Russian and English', () => {
    expect(dayText('2026-12-04', '2026-12-04')).to.equal('сегодня');
    expect(dayText('2026-12-05', '2026-12-04', 'en')).to.equal('tomorrow');
    expect(dayText('2026-12-11', '2026-12-04')).to.equal('пт, 11 декабря');
    expect(dayText('2026-12-11', '2026-12-04', 'en')).to.equal('Fri, 11 December');
  });

  it('the options in the page language: units through Intl, delivery days with plurals', () => {
    const ru = optionsView(options, '2026-12-04', 'pcs');
    expect(ru.unit).to.equal('шт.');
    expect(ru.options.map((o) => [o.how, o.deliveryText])).to.deep.equal([
      ['в наличии', '3 дн. доставки'],
      ['после поступления пн, 14 декабря: 20 шт. есть, 10 шт. придёт', 'в день готовности'],
    ]);
    expect(ru.short[0]!.text).to.equal('North: не больше 5 шт.');
    const en = optionsView(options, '2026-12-04', 'шт', 'en');
    expect(en.options.map((o) => [o.how, o.deliveryText, o.amountText])).to.deep.equal([
      ['in stock', '3 days of delivery', '1,234.50'],
      ['after the arrival on Mon, 14 December: 20 pcs in stock, 10 pcs arriving', 'on the day it is ready', '300.00'],
    ]);
    expect(plain(compactOptions(options, '2026-12-04'))).to.equal('раньше всего: пн, 7 декабря — Partner, 1 234,50; дешевле всего: пн, 14 декабря — Main, 300,00');
    expect(compactOptions({ ...options, options: [] }, '2026-12-04', 'en')).to.equal('not that many in any warehouse or expected arrival');
  });

  it('file sizes as the locale writes them', () => {
    expect([formats('ru-RU').fileSize(12_300), formats('ru-RU').fileSize(1_500_000), formats('ru-RU').fileSize(10)].map(plain)).to.deep.equal(['12 кБ', '1,4 МБ', '1 кБ']);
    expect([formats('en-GB').fileSize(12_300), formats('en-GB').fileSize(1_500_000)]).to.deep.equal(['12 kB', '1.4 MB']);
  });
});
