import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { applyBatch, ensureSource, openSyncRun } from '../../src/sync/index.ts';
import { sweepAbandonedRuns } from '../../src/sync/runs.ts';
import { smallCatalog } from '../support/mirror-batch.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

const stock = (quantity: string) => [{ offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity }];

describe('sync core: an overtaken run never writes an older snapshot', () => {
  let rt: Runtime;
  let sourceId: number;
  const quantity = async () =>
    (await rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').where({ 'o.source_id': sourceId, 'o.external_id': 'p1' }).first('s.quantity'))?.quantity;
  const cursor = async () => (await rt.db('sources').where({ id: sourceId }).first('cursor'))?.cursor;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources');
    sourceId = await ensureSource(rt.db, { name: 'erp', kind: 'soap' });
    await applyBatch(rt, { sourceId, kind: 'test', mode: 'full', cursor: '0' }, smallCatalog());
  });

  it('a full sync overtaken by a change run fails at commit: stock and cursor keep the newer values', async () => {
    // The full sync read the system at cursor 0 (stock 140) — then its Redis lock vanished and a
    // change run of the same source read cursor 0 → 1 (stock 6161) and committed first.
    const full = await openSyncRun(rt, { sourceId, kind: 'full', mode: 'delta', cursor: '0', expectCursor: '0' });
    await full.add('stock', stock('140'));
    const changes = await openSyncRun(rt, { sourceId, kind: 'changes', mode: 'delta', cursor: '1', expectCursor: '0' });
    await changes.add('stock', stock('6161'));
    await changes.commit();
    let err: unknown;
    await full.commit().catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/overtaken: another sync of this source committed while this one was reading \(cursor "1", epoch \d+; this run began at cursor "0"\)/);
    expect(await quantity()).to.equal('6161.000');
    expect(await cursor()).to.equal('1');
    const run = await rt.db('sync_runs').where({ kind: 'full' }).orderBy('id', 'desc').first('state', 'error');
    expect(run?.state).to.equal('failed');
  });

  it('a source without a cursor: an older full snapshot overtaken by a newer one is refused by the epoch (the fencing token)', async () => {
    await rt.db('sources').where({ id: sourceId }).update({ cursor: null });
    const epoch = Number((await rt.db('sources').where({ id: sourceId }).first('sync_epoch'))!.sync_epoch);
    // Both read a system that has no change feed; the older one is slower to commit.
    const older = await openSyncRun(rt, { sourceId, kind: 'full', mode: 'delta', expectCursor: null, expectEpoch: epoch });
    await older.add('stock', stock('140'));
    const newer = await openSyncRun(rt, { sourceId, kind: 'full', mode: 'delta', expectCursor: null, expectEpoch: epoch });
    await newer.add('stock', stock('6161'));
    await newer.commit();
    let err: unknown;
    await older.commit().catch((e: unknown) => (err = e));
    expect(String(err)).to.match(new RegExp(`overtaken: .*epoch ${epoch + 1}; this run began at cursor null, epoch ${epoch}\\); nothing of this run was applied`));
    expect(await quantity()).to.equal('6161.000');
    expect(await cursor()).to.equal(null);
    expect(Number((await rt.db('sources').where({ id: sourceId }).first('sync_epoch'))!.sync_epoch)).to.equal(epoch + 1);
  });

  it('two commits at once: the row lock orders them and the loser applies nothing', async () => {
    const epoch = Number((await rt.db('sources').where({ id: sourceId }).first('sync_epoch'))!.sync_epoch);
    const a = await openSyncRun(rt, { sourceId, kind: 'a', mode: 'delta', expectEpoch: epoch });
    const b = await openSyncRun(rt, { sourceId, kind: 'b', mode: 'delta', expectEpoch: epoch });
    await a.add('stock', stock('1'));
    await b.add('stock', stock('2'));
    const outcomes = await Promise.allSettled([a.commit(), b.commit()]);
    expect(outcomes.map((o) => o.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    const won = outcomes[0]!.status === 'fulfilled' ? '1.000' : '2.000';
    expect(await quantity()).to.equal(won);
    expect(String((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason)).to.match(/overtaken/);
  });

  it('a run that nobody overtook commits, and finished_at is its real end, not its transaction start', async () => {
    const run = await openSyncRun(rt, { sourceId, kind: 'changes', mode: 'delta', cursor: '1', expectCursor: '0' });
    await run.add('stock', stock('7'));
    await rt.db.raw('SELECT pg_sleep(0.3)'); // the run's work takes time (a real sync: seconds)
    const res = await run.commit();
    expect(await quantity()).to.equal('7.000');
    const row = await rt.db('sync_runs').where({ id: res.runId }).first('started_at', 'finished_at');
    expect(row!.finished_at!.getTime() - row!.started_at.getTime()).to.be.at.least(300);
  });

  it('runs left `running` by a killed process are swept as failed; a live one is left alone', async () => {
    const live = await openSyncRun(rt, { sourceId, kind: 'live', mode: 'delta' });
    const [dead] = await rt.db('sync_runs')
      .insert({ source_id: sourceId, kind: 'killed', mode: 'delta', state: 'running', started_at: new Date(Date.now() - 60_000), backend_pid: 2_000_000_000 })
      .returning('id');
    const [orphan] = await rt.db('sync_runs')
      .insert({ source_id: sourceId, kind: 'never connected', mode: 'delta', state: 'running', started_at: new Date(Date.now() - 3600_000) })
      .returning('id');
    // killed a moment after it began: its backend is gone, so it is swept however young it is
    const [young] = await rt.db('sync_runs')
      .insert({ source_id: sourceId, kind: 'killed young', mode: 'delta', state: 'running', started_at: new Date(), backend_pid: 2_000_000_001 })
      .returning('id');
    await rt.db('sync_runs').where({ id: live.id }).update({ started_at: new Date(Date.now() - 60_000) });
    const swept = await sweepAbandonedRuns(rt.db);
    expect(swept.sort()).to.deep.equal([dead!.id, orphan!.id, young!.id].sort());
    const row = await rt.db('sync_runs').where({ id: dead!.id }).first('state', 'error');
    expect(row).to.deep.include({ state: 'failed' });
    expect(row?.error).to.match(/^abandoned: the process running it stopped/);
    expect((await rt.db('sync_runs').where({ id: live.id }).first('state'))?.state).to.equal('running');
    await live.abort('test done');
  });
});
