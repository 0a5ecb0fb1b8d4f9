import { expect } from 'chai';
import { cacheNames, ClearableWeakMap, registerCache, resetCaches } from '../../src/infra/caches.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { listWarehouses } from '../../src/store/catalog/availability.ts';
import { groupTree } from '../../src/store/catalog/catalog.ts';
import '../../src/mail/templates.ts';
import '../../src/mirror/freshness.ts';
import '../../connectors/soap/index.ts';
import { storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('infra/caches: one reset for every per-process cache', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
  });

  it('empties registered maps, weak maps and reset functions', () => {
    const m = registerCache('test.map', new Map([[1, 'a']]));
    const key = {};
    const w = registerCache('test.weak', new ClearableWeakMap<object, number>().set(key, 1));
    let reset = 0;
    registerCache('test.fn', () => {
      reset++;
    });
    resetCaches();
    expect(m.size).to.equal(0);
    expect(w.has(key)).to.equal(false);
    expect(reset).to.equal(1);
  });

  it('knows the product caches', () => {
    expect(cacheNames()).to.include.members(['catalog.warehouses', 'catalog.counts', 'catalog.groups', 'mirror.as-of', 'mail.templates', 'soap.mappings', 'config']);
  });

  it('a reset makes the next read see the database again (warehouses, group tree)', async () => {
    await truncate(rt, 'sources', 'users', 'clients');
    const fx = await storeFixture(rt.db);
    expect((await listWarehouses(rt.db)).map((w) => w.name)).to.deep.equal(['Main', 'North', 'Partner Far']);
    const groups = (await groupTree(rt.db)).roots.length;
    await rt.db('warehouses').insert({ source_id: fx.sourceId, external_id: 'w-new', name: 'Added', sort: 0 });
    await rt.db('product_groups').insert({ source_id: fx.sourceId, external_id: 'g-new', name: 'Added' });
    // within the cache's lifetime the old lists are served …
    expect((await listWarehouses(rt.db)).map((w) => w.name)).to.not.include('Added');
    expect((await groupTree(rt.db)).roots.length).to.equal(groups);
    resetCaches();
    // … and after a reset the new rows are there
    expect((await listWarehouses(rt.db)).map((w) => w.name)).to.include('Added');
    expect((await groupTree(rt.db)).roots.length).to.equal(groups + 1);
  });
});
