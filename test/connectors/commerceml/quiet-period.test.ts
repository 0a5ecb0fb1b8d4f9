// The quiet period: a catalog session that sends a full package and then neither `deactivate`
// nor `complete` (old 1C modules) still gets the package's deletions, from a job, once the session
// has been silent for the period (here the source's quietPeriodS = 1 s; COMMERCEML_QUIET_PERIOD_S
// otherwise). Conditions are awaited, never slept on.
import { expect } from 'chai';
import { COMMERCEML_QUIET_JOB, runQuietCheck } from '../../../connectors/commerceml/index.ts';
import { reconcileWork } from '../../../jobs/work-reconcile.ts';
import { getQueue } from '../../../src/infra/queue/connection.ts';
import { parseConfig } from '../../../src/infra/config.ts';
import { until } from '../../support/wait.ts';
import { type Exchange, exchange } from './harness.ts';

const catalog = (ids: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="false"><Ид>cat</Ид><Наименование>Каталог</Наименование>` +
  `<Товары>${ids.map((id) => `<Товар><Ид>${id}</Ид><Наименование>Товар ${id}</Наименование></Товар>`).join('')}</Товары></Каталог></КоммерческаяИнформация>`;

describe('CommerceML exchange: the quiet period ends a session that sent no deactivate/complete', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(() => ex.reset());

  /** checkauth, init, file, import (polled to its answer) — and nothing after. */
  async function leaveAfterImport(ids: string[]) {
    const c = ex.client();
    expect((await c.checkauth('catalog')).status).to.equal('success');
    await c.init('catalog');
    expect((await c.upload('catalog', { name: 'import.xml', data: Buffer.from(catalog(ids), 'utf8') })).status).to.equal('success');
    const a = await c.importFile('catalog', 'import.xml');
    expect(a.status, a.lines.join('\n')).to.equal('success');
    return (await ex.rt.db('commerceml_sessions').orderBy('id', 'desc').first('id'))!.id;
  }
  const alive = async () => (await ex.rt.db('products').where({ source_id: ex.sourceId, deleted: false }).orderBy('external_id').select('external_id')).map((r) => r.external_id);

  it('after the period a job marks deleted what the full package did not carry; the session stays open', async () => {
    await ex.setSettings({ quietPeriodS: 1 });
    const first = await ex.client().pushCatalog([{ name: 'import.xml', data: Buffer.from(catalog(['p1', 'p2', 'p3']), 'utf8') }], { zip: false });
    expect(first.failed).to.equal(undefined);
    expect(await alive()).to.deep.equal(['p1', 'p2', 'p3']);

    const session = await leaveAfterImport(['p1', 'p2']);
    await until(async () => (await alive()).length === 2, 'p3 marked deleted by the quiet-period job', 15_000, 100);
    expect(await alive()).to.deep.equal(['p1', 'p2']);
    const s = (await ex.rt.db('commerceml_sessions').where({ id: session }).first('state', 'deactivated_at'))!;
    expect(s.state).to.equal('open');
    expect(s.deactivated_at).to.be.an.instanceOf(Date);
    const run = await ex.rt.db('sync_runs').where({ source_id: ex.sourceId, kind: 'commerceml deactivate (quiet period)' }).first('state', 'counts');
    expect(run?.state).to.equal('succeeded');
    expect((run!.counts as Record<string, { deleted: number }>).products!.deleted).to.equal(1);
  });

  it('a check Redis lost (restarted empty) is queued again by work.reconcile, and the deletions still happen', async () => {
    await ex.setSettings({ quietPeriodS: 2 });
    await ex.client().pushCatalog([{ name: 'import.xml', data: Buffer.from(catalog(['p1', 'p2', 'p3']), 'utf8') }], { zip: false });
    const session = await leaveAfterImport(['p1', 'p3']);
    const queue = getQueue(ex.rt, COMMERCEML_QUIET_JOB);
    // what a Redis without persistence keeps of the delayed check after a restart: nothing
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts('delayed', 'waiting')).to.deep.equal({ delayed: 0, waiting: 0 });
    expect((await reconcileWork(ex.rt)).quietChecks).to.deep.equal([session]);
    await until(async () => (await alive()).length === 2, 'p2 marked deleted by the re-queued check', 15_000, 100);
    expect(await alive()).to.deep.equal(['p1', 'p3']);
    expect((await reconcileWork(ex.rt)).quietChecks).to.deep.equal([]);
  });

  it('a session still talking is checked again later; with the period off (0) nothing is ever deleted by it', async () => {
    await ex.setSettings({ quietPeriodS: 3600 });
    await ex.client().pushCatalog([{ name: 'import.xml', data: Buffer.from(catalog(['p1', 'p2']), 'utf8') }], { zip: false });
    const session = await leaveAfterImport(['p1']);
    expect(await runQuietCheck(ex.rt, { sessionId: session })).to.include({ outcome: 'rescheduled' });
    await ex.setSettings({ quietPeriodS: 0 });
    expect(await runQuietCheck(ex.rt, { sessionId: session })).to.include({ outcome: 'never' });
    expect(await alive()).to.deep.equal(['p1', 'p2']);
    // a session that did call deactivate itself is left alone
    const c = ex.client();
    await c.checkauth('catalog');
    const own = (await ex.rt.db('commerceml_sessions').orderBy('id', 'desc').first('id'))!.id;
    await c.call('catalog', 'deactivate');
    expect(await runQuietCheck(ex.rt, { sessionId: own })).to.deep.equal({ outcome: 'not needed', detail: 'the session was deactivated already' });
  });

  it('COMMERCEML_QUIET_PERIOD_S: 900 s unless set; 0 turns it off; not a number is refused naming it', () => {
    expect(parseConfig({}).COMMERCEML_QUIET_PERIOD_S).to.equal(900);
    expect(parseConfig({ COMMERCEML_QUIET_PERIOD_S: '0' }).COMMERCEML_QUIET_PERIOD_S).to.equal(0);
    expect(() => parseConfig({ COMMERCEML_QUIET_PERIOD_S: 'soon' })).to.throw(/COMMERCEML_QUIET_PERIOD_S/);
  });
});
