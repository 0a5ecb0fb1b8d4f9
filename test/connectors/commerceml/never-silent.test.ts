// Never silent, per exchange session: a catalog session whose files held products / offers /
// prices / stock and applied none of them never ends in `success` — `complete` answers `failure`
// naming what was dropped (droppedData=warning: `success` with it as a warning), its `deactivate`
// deletes nothing, and the file, its sync run and the session are marked for the console. Node
// emulators send each file in its own session and carry on after a failure, so `complete` is
// where the session's outcome is said. Fixtures are hand-written CommerceML 2.08.
import { expect } from 'chai';
import type { Answer } from '../../../sim/commerceml/client.ts';
import { recentExchanges } from '../../../connectors/commerceml/index.ts';
import { type Exchange, exchange } from './harness.ts';

const offersOfUnknownProducts =
  `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.08"><ПакетПредложений СодержитТолькоИзменения="false">` +
  `<Ид>pkg</Ид><Наименование>Пакет</Наименование><ТипыЦен><ТипЦены><Ид>pt-1</Ид><Наименование>Розница</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен>` +
  `<Предложения>${[1, 2, 3].map((i) => `<Предложение><Ид>ghost-${i}</Ид><Наименование>Призрак ${i}</Наименование><Цены><Цена><ИдТипаЦены>pt-1</ИдТипаЦены><ЦенаЗаЕдиницу>${i}00</ЦенаЗаЕдиницу></Цена></Цены><Количество>5</Количество></Предложение>`).join('')}</Предложения>` +
  `</ПакетПредложений></КоммерческаяИнформация>`;

const products =
  `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="true"><Ид>cat</Ид><Наименование>Каталог</Наименование>` +
  `<Товары><Товар><Ид>real-1</Ид><Наименование>Стол</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>`;

interface SessionAnswers {
  file: Answer;
  import: Answer;
  deactivate: Answer;
  complete: Answer;
}

/** One catalog file in a session of its own, carrying on to deactivate + complete whatever `import` said. */
async function ownSession(ex: Exchange, files: { name: string; xml: string }[]): Promise<SessionAnswers[]> {
  const c = ex.client();
  expect((await c.checkauth('catalog')).status).to.equal('success');
  await c.init('catalog');
  const out: Partial<SessionAnswers>[] = [];
  for (const f of files) {
    const file = await c.upload('catalog', { name: f.name, data: Buffer.from(f.xml, 'utf8') });
    out.push({ file, import: await c.importFile('catalog', f.name) });
  }
  const deactivate = await c.call('catalog', 'deactivate');
  const complete = await c.call('catalog', 'complete');
  return out.map((o) => ({ ...o, deactivate, complete }) as SessionAnswers);
}

describe('CommerceML exchange: a session that applied none of its catalog data never ends in success', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(() => ex.reset());

  const WHAT = 'offers.xml: offers 3 dropped (they refer to products the mirror does not have); prices 3 dropped (they refer to offers the mirror does not have); stock 3 dropped (they refer to offers the mirror does not have)';

  it('default: the file fails, and complete answers failure naming the file and what was dropped', async () => {
    const [a] = await ownSession(ex, [{ name: 'offers.xml', xml: offersOfUnknownProducts }]);
    expect(a!.import.status).to.equal('failure');
    expect(a!.deactivate.lines[0]).to.equal('nothing deactivated: a file of this session did not import: nothing deactivated');
    expect(a!.complete.status).to.equal('failure');
    expect(a!.complete.lines[0]).to.equal(`this exchange applied none of the catalog data its files held — ${WHAT}`);
    const row = (await ex.rt.db('commerceml_imports').first('state', 'dropped', 'data_applied'))!;
    expect(row).to.deep.equal({ state: 'failed', dropped: WHAT.replace('offers.xml: ', ''), data_applied: false });
  });

  it('droppedData=warning: success with the drop as a warning; deactivate deletes nothing; the run and the exchange are marked', async () => {
    await ex.setSettings({ droppedData: 'warning' });
    // a product the full package below does not carry: deactivate must not delete it
    await ownSession(ex, [{ name: 'import.xml', xml: products }]);
    const [a] = await ownSession(ex, [{ name: 'offers.xml', xml: offersOfUnknownProducts }]);
    expect(a!.import.status).to.equal('success');
    expect(a!.import.lines[0]).to.match(/^warning: offers\.xml: nothing of its catalog data was applied — offers 3 dropped/);
    expect(a!.deactivate.lines[0]).to.equal('nothing deactivated: offers.xml applied none of its catalog data');
    expect(a!.complete.status).to.equal('success');
    expect(a!.complete.lines).to.deep.equal(['exchange complete', `warning: this exchange applied none of the catalog data its files held — ${WHAT}`]);
    expect(await ex.count('products', { deleted: false })).to.equal(1);

    const imp = (await ex.rt.db('commerceml_imports').where({ filename: 'offers.xml' }).first('sync_run_id'))!;
    const run = (await ex.rt.db('sync_runs').where({ id: imp.sync_run_id! }).first('warnings'))!;
    expect((run.warnings as { dropped?: boolean; message: string }[]).filter((w) => w.dropped).map((w) => w.message)).to.deep.equal([
      `offers.xml: nothing of its catalog data was applied — ${WHAT.replace('offers.xml: ', '')}`,
    ]);
    const [latest, earlier] = await recentExchanges(ex.rt.db, ex.sourceId);
    expect(latest!.dropped).to.equal(true);
    expect(latest!.files[0]!.dropped).to.match(/^offers 3 dropped/);
    expect(earlier!.dropped).to.equal(false);
  });

  it('a session where another file did apply catalog data completes with success (the dropping file still says so)', async () => {
    await ex.setSettings({ droppedData: 'warning' });
    const [p, o] = await ownSession(ex, [{ name: 'import.xml', xml: products }, { name: 'offers.xml', xml: offersOfUnknownProducts }]);
    expect(p!.import.status).to.equal('success');
    expect(o!.import.lines[0]).to.match(/^warning: offers\.xml: nothing of its catalog data was applied/);
    expect(o!.complete.status).to.equal('success');
    expect(o!.complete.lines.some((l) => l.includes('this exchange applied none'))).to.equal(false);
  });
});
