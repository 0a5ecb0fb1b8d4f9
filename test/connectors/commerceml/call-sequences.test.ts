// Call sequences real nodes and Bitrix node emulators use, through the real HTTP exchange:
// one session serving catalog and sale calls whatever its checkauth type; each file in its own
// session (opened with either type); a catalog session that ends with `sale&mode=success`
// instead of deactivate/complete (its full package's deletions then come from the quiet period).
// Fixtures are hand-written, the windows-1251 ones encoded by iconv-lite.
import { expect } from 'chai';
import iconv from 'iconv-lite';
import type { OneCClient } from '../../../sim/commerceml/client.ts';
import { until } from '../../support/wait.ts';
import { type Exchange, exchange } from './harness.ts';

const cml = (body: string, version = '2.08') =>
  iconv.encode(`<?xml version="1.0" encoding="windows-1251"?><КоммерческаяИнформация ВерсияСхемы="${version}">${body}</КоммерческаяИнформация>`, 'win1251');

const catalog = (ids: string[], full = true) =>
  cml(`<Каталог СодержитТолькоИзменения="${!full}"><Ид>cat</Ид><Наименование>Каталог</Наименование><Товары>${ids.map((id) => `<Товар><Ид>${id}</Ид><Наименование>Товар «${id}»</Наименование></Товар>`).join('')}</Товары></Каталог>`);

const offers = (ids: string[]) =>
  cml(
    `<ПакетПредложений СодержитТолькоИзменения="true"><Ид>cat#</Ид><ТипыЦен><ТипЦены><Ид>retail</Ид><Наименование>Розничная</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен>` +
      `<Предложения>${ids.map((id, i) => `<Предложение><Ид>${id}</Ид><Наименование>${id}</Наименование><Цены><Цена><ИдТипаЦены>retail</ИдТипаЦены><ЦенаЗаЕдиницу>${i + 1}00.50</ЦенаЗаЕдиницу></Цена></Цены><Количество>${i + 1}</Количество></Предложение>`).join('')}</Предложения></ПакетПредложений>`,
  );

describe('CommerceML exchange: call sequences', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(() => ex.reset());

  const session = async (checkauthType: 'catalog' | 'sale'): Promise<OneCClient> => {
    const c = ex.client();
    expect((await c.checkauth(checkauthType)).status).to.equal('success');
    return c;
  };
  const alive = async () => (await ex.rt.db('products').where({ source_id: ex.sourceId, deleted: false }).orderBy('external_id').select('external_id')).map((r) => r.external_id);

  it('one session, opened with checkauth type=sale, serves a catalog import, an orders file and query/success', async () => {
    const [cp] = await ex.rt.db('counterparties').insert({ source_id: ex.sourceId, external_id: 'cp-1', name: 'ООО «Ромашка»' }).returning('id');
    const [client] = await ex.rt.db('clients').insert({ name: 'Ромашка' }).returning('id');
    await ex.rt.db('orders').insert({ number: '77', source_id: ex.sourceId, client_id: client.id, counterparty_id: cp.id, total: '100.00' });
    const c = await session('sale');
    expect((await c.init('catalog')).status).to.not.equal('failure');
    expect((await c.upload('catalog', { name: 'import.xml', data: catalog(['a', 'b']) })).status).to.equal('success');
    expect((await c.importFile('catalog', 'import.xml')).status).to.equal('success');
    // the same cookie: the orders side
    const q = await c.call('sale', 'query');
    expect(q.raw.toString('utf8')).to.contain('<Номер>77</Номер>');
    expect((await c.call('sale', 'success')).lines[0]).to.equal('1 order(s) marked as exported');
    const docs = cml(
      `<Контейнер><Документ><Ид>77</Ид><Номер>77</Номер><Номер1С>УТ-77</Номер1С><ХозОперация>Заказ товара</ХозОперация><Сумма>100</Сумма></Документ>` +
        `<Документ><Ид>pay-77</Ид><Номер>pay-77</Номер><ХозОперация>Выплата наличных денег</ХозОперация><Сумма>100.00</Сумма><Основание>77</Основание></Документ></Контейнер>`,
      '3.1',
    );
    const f = await c.upload('sale', { name: 'documents.xml', data: docs });
    expect(f.status, f.lines.join('\n')).to.equal('success');
    expect(f.lines).to.include('payments 1, shipments 0 read; 1 payment(s)/shipment(s) new or changed');
    expect((await c.call('catalog', 'complete')).status).to.equal('success');
    expect(await alive()).to.deep.equal(['a', 'b']);
    expect(await ex.rt.db('orders').where({ number: '77' }).first('status', 'external_number', 'export_state')).to.deep.equal({ status: 'paid', external_number: 'УТ-77', export_state: 'exported' });
  });

  it('each file in its own session, opened with either type: products, then offers with prices and stock', async () => {
    const a = await session('sale');
    await a.init('catalog');
    await a.upload('catalog', { name: 'import.xml', data: catalog(['a', 'b'], false) });
    expect((await a.importFile('catalog', 'import.xml')).status).to.equal('success');
    expect((await a.call('catalog', 'complete')).status).to.equal('success');
    const b = await session('catalog');
    await b.init('catalog');
    await b.upload('catalog', { name: 'offers.xml', data: offers(['a', 'b']) });
    const o = await b.importFile('catalog', 'offers.xml');
    expect(o.status, o.lines.join('\n')).to.equal('success');
    expect(o.lines.join('\n')).not.to.match(/warning/);
    expect((await b.call('catalog', 'complete')).status).to.equal('success');
    expect(await ex.count('offers')).to.equal(2);
    expect(await ex.count('prices')).to.equal(2);
    expect(await ex.count('stock')).to.equal(2);
    // a third session reuses neither cookie: the completed ones are refused
    expect((await a.call('catalog', 'init')).lines[0]).to.match(/already complete/);
  });

  it('Basic authorization on every call and no cookie kept; one archive with every file in sub-folders, imports named by relative path', async () => {
    const c = ex.client({ authEveryCall: true });
    const r = await c.pushCatalog(
      [
        { name: 'goods/1/import.xml', data: catalog(['a', 'b'], false) },
        { name: 'goods/1/offers.xml', data: offers(['a', 'b']) },
      ],
      { zip: true },
    );
    expect(r.failed?.lines, JSON.stringify(r.failed?.lines)).to.equal(undefined);
    expect(Object.keys(r.answers)).to.deep.equal(['goods/1/import.xml', 'goods/1/offers.xml', 'deactivate', 'complete']);
    expect(c.zip).to.equal(true);
    expect(await ex.count('products')).to.equal(2);
    expect(await ex.count('prices')).to.equal(2);
    expect(await ex.count('stock')).to.equal(2);
    // one session served it all: the one checkauth opened, now complete
    expect(await ex.rt.db('commerceml_sessions').where({ source_id: ex.sourceId }).pluck('state')).to.deep.equal(['completed']);
    // a wrong password on a later call is refused like at checkauth; no credentials and no cookie: no session
    const wrong = ex.client({ authEveryCall: true, password: 'не тот' });
    expect((await wrong.call('catalog', 'init')).status).to.equal('failure');
    const none = await fetch(`${ex.url}?type=catalog&mode=init`);
    expect((await none.text()).split('\n')[1]).to.match(/^no exchange session: call mode=checkauth first/);
  });

  it('parameters inside get_param=?type=…&mode=… (some 1C builds) and a windows-1251 file declared as cp1251', async () => {
    const auth = `Basic ${Buffer.from(`${ex.client().opts.login}:${ex.client().opts.password}`).toString('base64')}`;
    const call = async (q: string, body?: Buffer, cookie?: string) => {
      const res = await fetch(`${ex.url}?get_param=${encodeURIComponent(q)}`, {
        method: body ? 'POST' : 'GET',
        headers: cookie ? { cookie } : { authorization: auth },
        body: body ? new Uint8Array(body) : undefined,
      });
      return (await res.text()).replace(/^\uFEFF/, '').split('\n');
    };
    const a = await call('?type=catalog&mode=checkauth');
    expect(a[0]).to.equal('success');
    const cookie = `${a[1]}=${a[2]}`;
    expect((await call('?type=catalog&mode=init&version=2.05', undefined, cookie))[0]).to.match(/^zip=(yes|no)$/);
    const file = iconv.encode(
      `<?xml version="1.0" encoding="cp1251"?><КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог><Ид>cat</Ид><Товары><Товар><Ид>g1</Ид><Наименование>Ёлка «Ель» №1</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>`,
      'win1251',
    );
    expect((await call('?type=catalog&mode=file&filename=import.xml', file, cookie))[0]).to.equal('success');
    const done = await until(async () => {
      const r = await call('?type=catalog&mode=import&filename=import.xml', undefined, cookie);
      return r[0] === 'progress' ? undefined : r;
    }, 'the import of import.xml decided', 20_000, 50);
    expect(done[0], done.join('\n')).to.equal('success');
    expect(await ex.rt.db('products').where({ source_id: ex.sourceId }).pluck('name')).to.deep.equal(['Ёлка «Ель» №1']);
  });

  it('a catalog session that ends with sale&mode=success: answered, and its full package still deletes after the quiet period', async () => {
    await ex.setSettings({ quietPeriodS: 1 });
    const first = await session('catalog');
    await first.init('catalog');
    await first.upload('catalog', { name: 'import.xml', data: catalog(['a', 'b', 'c']) });
    await first.importFile('catalog', 'import.xml');
    await first.call('catalog', 'complete');
    expect(await alive()).to.deep.equal(['a', 'b', 'c']);

    const c = await session('catalog');
    await c.init('catalog');
    await c.upload('catalog', { name: 'import.xml', data: catalog(['a', 'b']) });
    expect((await c.importFile('catalog', 'import.xml')).status).to.equal('success');
    const end = await c.call('sale', 'success');
    expect([end.status, end.lines[0]]).to.deep.equal(['success', '0 order(s) marked as exported']);
    await until(async () => (await alive()).length === 2, '"c" marked deleted after the quiet period', 15_000, 100);
    expect(await alive()).to.deep.equal(['a', 'b']);
  });
});
