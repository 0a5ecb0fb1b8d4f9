import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { expect } from 'chai';
import { syncChanges } from '../../jobs/sync-changes.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { type Simulator, signature } from '../../sim/index.ts';
import { provideSecret } from '../../src/infra/config.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import { requestChanges } from '../../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { waitFor } from '../support/wait.ts';

const SECRET = 'hook-secret-for-tests';

describe('web: POST /hooks/accounting/:source → sync.changes → mirror', () => {
  let rt: Runtime;
  let sim: Simulator;
  let base: string;
  let close: () => void;
  let workers: Worker[] = [];

  const post = (source: string, body: string, ts = String(Math.floor(Date.now() / 1000)), secret = SECRET) =>
    fetch(`${base}/hooks/accounting/${source}`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-counterpart-timestamp': ts, 'x-counterpart-signature': `sha256=${signature(secret, ts, body)}` },
    });

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    provideSecret('SIM_HOOK_SECRET', SECRET);
    // Polling every minute: within this test only the webhook can bring changes in quickly.
    ({ sim } = await simSource(rt, 'hooked', undefined, { webhookSecretEnv: 'SIM_HOOK_SECRET', pollIntervalMs: 60_000 }));
    await runFullSync(rt, await soapSourceRow(rt, 'hooked'));
    const server = createApp(rt).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(async () => {
    for (const w of workers) await w.close();
    close();
    await sim.stop();
  });

  it('refuses unsigned, badly signed, stale and unknown-source calls with a clear reason', async () => {
    const body = '{"cursor":"1"}';
    const bad = await post('hooked', body, undefined, 'wrong-secret');
    expect(bad.status).to.equal(401);
    expect((await bad.json()).error).to.equal('bad or missing X-Counterpart-Signature');
    const stale = await post('hooked', body, String(Math.floor(Date.now() / 1000) - 3600));
    expect(stale.status).to.equal(401);
    expect((await stale.json()).error).to.match(/stale X-Counterpart-Timestamp/);
    const unknown = await post('nope', body);
    expect(unknown.status).to.equal(404);
    expect((await unknown.json()).error).to.equal('no accounting source named "nope"');
  });

  it('queues one sync.changes while one is waiting (deduplicated)', async () => {
    expect(await requestChanges(rt, 'dedupe-me')).to.equal(true);
    expect(await requestChanges(rt, 'dedupe-me')).to.equal(false);
    const res = await post('hooked', '{}');
    expect(res.status).to.equal(202);
    expect(await res.json()).to.deep.equal({ accepted: true, queued: true });
    expect((await (await post('hooked', '{}')).json()).queued).to.equal(false);
  });

  it('a change in the simulator reaches the mirror through the signed webhook in well under a second', async () => {
    workers = await startWorkers(rt, [syncChanges]);
    sim.webhook.target = { url: `${base}/hooks/accounting/hooked`, secret: SECRET };
    const offer = sim.state.data.offers[4]!;
    const lags: number[] = [];
    for (const qty of ['311', '0', '42']) {
      const t = Date.now();
      sim.state.setStock(offer.id, 'WH02', qty);
      await waitFor(
        async () => {
          const row = await rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').join('warehouses as w', 'w.id', 's.warehouse_id')
            .where({ 'o.external_id': offer.id, 'w.external_id': 'WH02' }).first('s.quantity');
          return row && Number(row.quantity) === Number(qty);
        },
        { what: `stock ${qty} of ${offer.id} at WH02 in the mirror`, timeout: 8000, every: 20 },
      );
      lags.push(Date.now() - t);
    }
    expect(Math.max(...lags)).to.be.lessThan(3000);
    const hook = sim.webhook.sent.at(-1)!;
    expect(hook.status).to.equal(202);
  });
});
