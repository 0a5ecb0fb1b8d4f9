// The one formatting module: the store's locale, time zone and currency from the configuration;
// decimal strings formatted exactly; plural rules and units in the locale's language.
import { expect } from 'chai';
import { ConfigError, parseConfig, resetConfigForTests } from '../../src/infra/config.ts';
import { resetCaches } from '../../src/infra/caches.ts';
import { formats, fromZoneInput, storeCurrency, storeCurrencySql, storeIntl, toZoneInput } from '../../src/infra/intl.ts';

const NBSP = '\u00a0';

describe('infra/intl: dates, numbers and money through Intl', () => {
  const saved = { ...process.env };
  const setEnv = (env: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfigForTests();
    resetCaches();
  };
  afterEach(() => {
    setEnv({ STORE_LOCALE: saved.STORE_LOCALE, STORE_TIME_ZONE: saved.STORE_TIME_ZONE, STORE_CURRENCY: saved.STORE_CURRENCY });
  });

  it('defaults to ru-RU, Europe/Moscow and RUB; refuses a bad locale, zone or currency by name', () => {
    const c = parseConfig({});
    expect([c.STORE_LOCALE, c.STORE_TIME_ZONE, c.STORE_CURRENCY]).to.deep.equal(['ru-RU', 'Europe/Moscow', 'RUB']);
    expect(() => parseConfig({ STORE_LOCALE: 'not a locale!' })).to.throw(ConfigError, /^Configuration error: STORE_LOCALE /);
    expect(() => parseConfig({ STORE_TIME_ZONE: 'Mars/Olympus' })).to.throw(ConfigError, /^Configuration error: STORE_TIME_ZONE /);
    expect(() => parseConfig({ STORE_CURRENCY: 'rub' })).to.throw(ConfigError, /^Configuration error: STORE_CURRENCY /);
  });

  it('formats money exactly, grouped, with or without the currency, in the store’s locale', () => {
    setEnv({ STORE_LOCALE: undefined, STORE_CURRENCY: undefined });
    const f = formats();
    expect(f.money('1234567.5')).to.equal(`1${NBSP}234${NBSP}567,50`);
    expect(f.money('12345678901234567.05')).to.equal(`12${NBSP}345${NBSP}678${NBSP}901${NBSP}234${NBSP}567,05`); // no float on the way
    expect(f.money('85.5', 'RUB')).to.equal(`85,50${NBSP}₽`);
    expect(f.money(null)).to.equal('—');
    expect(f.qty('2.500')).to.equal('2,5');
    expect(f.qty('10.000')).to.equal('10');
    expect([f.qty('4321'), f.qty('12345.5')]).to.deep.equal(['4321', `12${NBSP}345,5`]);
    expect(f.qty(null)).to.equal('0');
    expect(formats('en').money('1234.5', 'RUB')).to.equal(`RUB${NBSP}1,234.50`);
  });

  it('says a calendar day with its weekday, in the locale, never shifted by the time zone', () => {
    setEnv({ STORE_LOCALE: undefined, STORE_TIME_ZONE: 'Pacific/Kiritimati' });
    expect(formats().dayLong('2026-12-11')).to.equal('пт, 11 декабря');
    expect(formats('en-GB').dayLong('2026-12-11')).to.equal('Fri, 11 December');
  });

  it('prints a currency next to an amount as its sign, the store’s when none is given', () => {
    setEnv({ STORE_LOCALE: undefined, STORE_CURRENCY: undefined });
    expect([formats().currencySign('RUB'), formats().currencySign(null), formats().currencySign('usd')]).to.deep.equal(['₽', '₽', '$']);
    expect(formats('en').currencySign('EUR')).to.equal('€');
    expect(formats().currencySign('KZT')).to.equal('₸');
    expect(formats().currencySign('руб.')).to.equal('руб.'); // not a code: as given, never a throw
    setEnv({ STORE_CURRENCY: 'USD' });
    expect(formats().currencySign(undefined)).to.equal('$');
  });

  it('prints dates in the configured time zone and locale', () => {
    const at = '2026-12-03T21:30:00Z';
    setEnv({ STORE_TIME_ZONE: undefined });
    expect(formats().dateTimeShort(at)).to.equal('04.12.2026, 00:30'); // Moscow, UTC+3
    expect(formats().date(at)).to.equal('04.12.2026');
    expect(formats().zoneName(at)).to.equal('GMT+3');
    setEnv({ STORE_TIME_ZONE: 'Asia/Vladivostok' });
    expect(formats().dateTimeShort(at)).to.equal('04.12.2026, 07:30');
    expect(storeIntl().timeZone).to.equal('Asia/Vladivostok');
  });

  it('reads and writes datetime-local inputs in the store’s time zone', () => {
    setEnv({ STORE_TIME_ZONE: 'Europe/Moscow' });
    expect(toZoneInput(new Date('2026-12-03T06:15:00Z'))).to.equal('2026-12-03T09:15');
    expect(new Date(fromZoneInput('2026-12-03T09:15')!).toISOString()).to.equal('2026-12-03T06:15:00.000Z');
    expect(fromZoneInput('')).to.equal(undefined);
    expect(fromZoneInput('soon')).to.equal('soon'); // left for the form's validation to name
  });

  it('knows plural rules and units in the locale’s language, and the store currency', () => {
    setEnv({ STORE_LOCALE: 'ru-RU', STORE_CURRENCY: 'KZT' });
    expect([1, 3, 5, 21].map((n) => formats().plural(n))).to.deep.equal(['one', 'few', 'many', 'one']);
    expect(formats('en').plural(1)).to.equal('one');
    expect(['pcs', 'шт', null, 'кг'].map((u) => formats().unit(u))).to.deep.equal(['шт.', 'шт.', 'шт.', 'кг']);
    expect(formats('en').unit('шт')).to.equal('pcs');
    expect(storeCurrency()).to.equal('KZT');
    expect(storeCurrencySql()).to.equal("'KZT'");
  });
});
