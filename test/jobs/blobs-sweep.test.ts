// blobs.sweep: the job the scheduler runs hourly removes stale temporaries of the configured blob
// store (the store-level behaviour, with a process killed mid-put, is in test/infra/blob).
import { expect } from 'chai';
import { blobsSweep, sweepBlobTemporaries } from '../../jobs/blobs-sweep.ts';
import { JOBS } from '../../jobs/registry.ts';
import { pgBlobStore, STALE_TEMPORARY_MS } from '../../src/infra/blob/index.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('jobs: blobs.sweep', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
    rt = { ...rt, blobs: pgBlobStore(rt.db) };
  });
  beforeEach(() => truncate(rt, 'blob_objects'));

  it('removes the stale temporaries of the runtime’s store, not young ones nor objects', async () => {
    const ago = (ms: number) => new Date(Date.now() - ms);
    await rt.db('blob_objects').insert([
      { key: '.tmp/stale', updated_at: ago(STALE_TEMPORARY_MS + 60_000) },
      { key: '.tmp/young', updated_at: ago(60_000) },
      { key: 'images/old', updated_at: ago(30 * 24 * 3600_000) },
    ]);
    expect(await sweepBlobTemporaries(rt)).to.deep.equal({ removed: 1 });
    expect(await rt.db('blob_objects').orderBy('key').pluck('key')).to.deep.equal(['.tmp/young', 'images/old']);
  });

  it('refuses a caller’s key under the store’s own .tmp/', async () => {
    const err = await rt.blobs.put('.tmp/mine', Buffer.from('x')).then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/\.tmp\/ is the store's own/);
  });

  it('is a registered job the scheduler runs every hour', async () => {
    expect(JOBS).to.include(blobsSweep);
    const [s] = await blobsSweep.schedules!(rt);
    expect(s).to.deep.include({ id: 'blobs.sweep', pattern: '17 * * * *' });
  });
});
