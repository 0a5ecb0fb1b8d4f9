// Freshness lag: single changes made in the simulator (stock and price, alternating) → time
// until the mirror and /healthz's as_of show each. Webhook path (signed webhook → sync.changes
// at once) and polling path (sync.changes every second, no webhook).
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { syncChanges } from '../jobs/sync-changes.ts';
import { runFullSync, soapSourceRow } from '../src/sources/soap-source.ts';
import { provideSecret } from '../src/infra/config.ts';
import { getQueue } from '../src/infra/queue/connection.ts';
import { JOB_SYNC_CHANGES } from '../src/infra/queue/sync-requests.ts';
import { startWorkers } from '../src/app/roles/worker.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { sourceFreshness } from '../src/mirror/freshness.ts';
import { ensureSource } from '../src/sync/index.ts';
import { createApp } from '../src/web/app.ts';
import { type SimProcess, startSimProcess } from './support/sim-process.ts';
import type { Benchmark, BenchFigure } from './types.ts';

const SECRET = 'bench-webhook-secret';
const POLL_MS = 1000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function measure(rt: Runtime, sim: SimProcess, n: number, offers: string[], from: number): Promise<{ lags: number[]; asOfOk: number }> {
  const lags: number[] = [];
  let asOfOk = 0;
  for (let i = from; i < from + n; i++) {
    const offer = offers[(i * 7) % offers.length]!;
    const isStock = i % 2 === 0;
    const value = isStock ? String(1000 + i) : `${5000 + i}.25`;
    const t0 = Date.now();
    if (isStock) await sim.control('POST', 'stock', { offerId: offer, warehouseId: 'WH01', quantity: value });
    else await sim.control('POST', 'price', { offerId: offer, priceTypeId: 'PT002', value });
    const q = isStock
      ? rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').join('warehouses as w', 'w.id', 's.warehouse_id').where({ 'o.external_id': offer, 'w.external_id': 'WH01' }).first('s.quantity as v')
      : rt.db('prices as s').join('offers as o', 'o.id', 's.offer_id').join('price_types as t', 't.id', 's.price_type_id').where({ 'o.external_id': offer, 't.external_id': 'PT002' }).first('s.value as v');
    for (;;) {
      const row = await q.clone();
      if (row && Number(row.v) === Number(value)) break;
      if (Date.now() - t0 > 30_000) throw new Error(`change ${i} did not reach the mirror within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    lags.push(Date.now() - t0);
    // /healthz tells anonymous callers only ok/down; the as-of stamp is what /console/health reports.
    const sources = await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S);
    const asOf = new Date(sources.find((s) => s.name === 'fresh')!.as_of!).getTime();
    if (asOf >= t0) asOfOk++;
  }
  return { lags, asOfOk };
}

const bench: Benchmark = {
  name: 'freshness',
  description: 'lag from a change in the simulator to the mirror and /healthz as_of (webhook and polling paths)',
  async run({ rt, scale, log }) {
    const changes = Math.max(20, Math.round(200 * scale));
    provideSecret('SIM_SOAP_USER', 'bench');
    provideSecret('SIM_SOAP_PASSWORD', 'bench-password');
    provideSecret('BENCH_WEBHOOK_SECRET', SECRET);
    const server = createApp(rt).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sim = await startSimProcess([
      '--products', '2000', '--warehouses', '12', '--partner-warehouses', '3', '--price-types', '20', '--counterparties', '200',
      '--user', 'bench', '--password', 'bench-password', '--webhook-url', `${base}/hooks/accounting/fresh`, '--webhook-secret', SECRET,
    ]);
    let workers: Worker[] = [];
    try {
      const settings = { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url, webhookSecretEnv: 'BENCH_WEBHOOK_SECRET', pollIntervalMs: POLL_MS };
      const id = await ensureSource(rt.db, { name: 'fresh', kind: 'soap', settings });
      await rt.db('sources').where({ id }).update({ settings: JSON.stringify(settings) });
      await runFullSync(rt, await soapSourceRow(rt, 'fresh'));
      const offers = (await rt.db('offers').where({ source_id: id }).orderBy('id').limit(500).select('external_id')).map((r) => r.external_id as string);
      workers = await startWorkers(rt, [syncChanges]);

      // As in production, the feed is also polled (every 5 s) behind the webhook.
      const poll = (every: number) => getQueue(rt, JOB_SYNC_CHANGES).upsertJobScheduler('bench-poll', { every }, { name: JOB_SYNC_CHANGES, data: { source: 'fresh' } });
      await poll(5000);
      log(`webhook path: ${changes} changes`);
      const hook = await measure(rt, sim, changes, offers, 0);

      log(`polling path (every ${POLL_MS} ms, no webhook): ${Math.ceil(changes / 2)} changes`);
      await sim.control('DELETE', 'webhook');
      await poll(POLL_MS);
      const polled = await measure(rt, sim, Math.ceil(changes / 2), offers, changes);
      await getQueue(rt, JOB_SYNC_CHANGES).removeJobScheduler('bench-poll');

      const f = (key: string, label: string, xs: number[], note?: string): BenchFigure[] => [
        { key: `${key}_p50_ms`, label: `${label} p50`, value: pct(xs, 50), unit: 'ms' },
        { key: `${key}_p95_ms`, label: `${label} p95`, value: pct(xs, 95), unit: 'ms', note },
        { key: `${key}_max_ms`, label: `${label} max`, value: Math.max(...xs), unit: 'ms' },
      ];
      return [
        ...f('webhook', 'webhook lag', hook.lags, `target ≤ 1000 ms; source as_of caught up for ${hook.asOfOk}/${hook.lags.length}`),
        ...f('polling', 'polling lag', polled.lags, `poll every ${POLL_MS} ms; as_of caught up for ${polled.asOfOk}/${polled.lags.length}`),
      ];
    } finally {
      for (const w of workers) await w.close();
      server.close();
      await sim.stop();
    }
  },
};
export default bench;
