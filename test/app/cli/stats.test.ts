import { expect } from 'chai';
import { collectStats } from '../../../src/app/cli/stats.ts';
import { CONNECTOR_TABLES, INFRA_TABLES, MIRROR_TABLES, STORE_TABLES } from '../../../src/infra/db/tables.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('cli: stats', () => {
  it('counts every mirror and store table and reports each source', async () => {
    const rt = await testRuntime();
    await truncate(rt, 'sources');
    await rt.db('sources').insert({ name: 'erp', kind: 'soap' });
    const s = await collectStats(rt.db, 60);
    expect(Object.keys(s.tables)).to.have.members([...MIRROR_TABLES, ...STORE_TABLES, ...CONNECTOR_TABLES, ...INFRA_TABLES]);
    expect(s.tables.sources).to.equal(1);
    expect(s.sources[0]).to.include({ name: 'erp', as_of: null, stale: true, last_run: null });
  });

  it('lists every table the migrations create', async () => {
    const rt = await testRuntime();
    const { rows } = await rt.db.raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%'`);
    expect(rows.map((r: { tablename: string }) => r.tablename)).to.have.members([...MIRROR_TABLES, ...STORE_TABLES, ...CONNECTOR_TABLES, ...INFRA_TABLES]);
  });
});
