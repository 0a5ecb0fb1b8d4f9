// The order-status feed's cursor lives with its source: a source deleted and made again — even
// under the same id, as a test's TRUNCATE … RESTART IDENTITY or a restore does — reads its new
// feed from the start instead of from the old source's position.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { applyStatuses, statusCursor } from '../../src/sources/order-rows.ts';
import { testRuntime } from '../support/runtime.ts';

describe('sources: the order-status cursor', () => {
  let rt: Runtime;
  const makeSource = async (id: number) => {
    await rt.db('sources').insert({ id, name: `cursor-${id}`, kind: 'soap' });
  };

  before(async () => {
    rt = await testRuntime();
  });
  afterEach(async () => {
    await rt.db('sources').where('name', 'like', 'cursor-%').del();
  });

  it('moves with each applied pull and goes with the source', async () => {
    const id = 900_001;
    await makeSource(id);
    expect(await statusCursor(rt.db, id)).to.equal(null);
    await applyStatuses(rt.db, id, [], '5');
    await applyStatuses(rt.db, id, [], '7');
    expect(await statusCursor(rt.db, id)).to.equal('7');
    await rt.db('sources').where({ id }).del();
    await makeSource(id);
    expect(await statusCursor(rt.db, id)).to.equal(null);
  });

  it('is kept per source', async () => {
    await makeSource(900_002);
    await makeSource(900_003);
    await applyStatuses(rt.db, 900_002, [], '3');
    expect(await statusCursor(rt.db, 900_002)).to.equal('3');
    expect(await statusCursor(rt.db, 900_003)).to.equal(null);
  });
});
