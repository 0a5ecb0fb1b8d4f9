// The waiting list's reaction time from the accounting-system simulator: a stock change in the
// simulator → its signed webhook → sync.changes (SOAP change feed → applyBatch) → change event →
// waitlist.notify → mail.send → accepted by a real SMTP server. Every piece runs for real on
// loopback: the app (webhook route), BullMQ workers, the stream consumer, the simulator.
import { mailSendJob } from '../../jobs/mail-send.ts';
import { mirrorChangesConsumer } from '../../jobs/mirror-changes.ts';
import { syncChanges } from '../../jobs/sync-changes.ts';
import { runChanges, runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { waitlistNotifyJob } from '../../jobs/waitlist-notify.ts';
import { startSimulator } from '../../sim/index.ts';
import { provideSecret } from '../../src/infra/config.ts';
import type { SmtpCapture } from '../../src/demo/smtp-capture.ts';
import { startStreamConsumer } from '../../src/infra/queue/stream-consumer.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { subscribe } from '../../src/store/waitlist/waitlist.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { createApp } from '../../src/web/app.ts';

export async function simArrivalLags(rt: Runtime, smtp: SmtpCapture, trials: number, log: (m: string) => void): Promise<number[]> {
  const secret = 'bench-webhook-secret-0123456789';
  provideSecret('SIM_SOAP_USER', 'exchange');
  provideSecret('SIM_SOAP_PASSWORD', 'bench-sim-password');
  provideSecret('BENCH_SIM_WEBHOOK_SECRET', secret);
  const sim = await startSimulator({
    dataset: { products: Math.max(40, trials * 2), counterparties: 8, priceTypes: 3, warehouses: 2, partnerWarehouses: 0, managers: 2 },
    credentials: { username: 'exchange', password: 'bench-sim-password' },
  });
  const server = createApp(rt).listen(0, '127.0.0.1');
  const stops: (() => Promise<unknown>)[] = [async () => server.close(), () => sim.stop()];
  try {
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    await ensureSource(rt.db, {
      name: 'sim',
      kind: 'soap',
      title: 'Simulator',
      settings: { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url, webhookSecretEnv: 'BENCH_SIM_WEBHOOK_SECRET' },
    });
    const row = await soapSourceRow(rt, 'sim');
    await runFullSync(rt, row);
    await seedClients(rt.db);

    // Offers to wait for: out of stock at the first warehouse, in the simulator and the mirror.
    const wh = sim.state.data.warehouses[0]!;
    const picked = sim.state.data.offers.filter((o) => !o.deleted && !o.partnerOnly).slice(0, trials);
    for (const o of picked) sim.state.setStock(o.id, wh.id, '0');
    await runChanges(rt, await soapSourceRow(rt, 'sim'));
    const whId = (await rt.db('warehouses').where({ external_id: wh.id }).first('id'))?.id;
  if (!whId) throw new Error(`warehouse ${wh.id} was not synced`);
    const cps = await rt.db('client_counterparties as cc').join('clients as c', 'c.id', 'cc.client_id').select('cc.client_id', 'cc.counterparty_id').limit(8);
    const users = await rt.db('users').insert(cps.map((c, i) => ({ email: `sim-buyer${i}@bench.test`, role: 'buyer', client_id: c.client_id }))).returning('id');
    const keys: string[] = [];
    for (const [i, o] of picked.entries()) {
      const offer = await rt.db('offers').where({ external_id: o.id }).first('id');
    if (!offer) throw new Error(`offer ${o.id} was not synced`);
      const cp = cps[i % cps.length]!;
      const e = await subscribe(rt, { userId: users[i % users.length].id, counterpartyId: cp.counterparty_id }, { offerId: offer.id, warehouseId: whId });
      keys.push(`waitlist-${e.id}`);
    }

    const workers = await startWorkers(rt, [syncChanges, waitlistNotifyJob, mailSendJob]);
    const consumer = await startStreamConsumer(rt, mirrorChangesConsumer, 'bench-sim');
    stops.unshift(async () => {
      await consumer.stop();
      for (const w of workers) await w.close();
    });
    sim.webhook.target = { url: `http://127.0.0.1:${port}/hooks/accounting/sim`, secret };

    const lags: number[] = [];
    for (const [i, o] of picked.entries()) {
      const start = Date.now();
      sim.state.setStock(o.id, wh.id, '5');
      for (;;) {
        const m = smtp.messages().find((x) => x.headers['x-counterpart-key'] === keys[i]);
        if (m) {
          lags.push(m.receivedAt.getTime() - start);
          break;
        }
        if (Date.now() - start > 15_000) throw new Error(`simulator arrival: no e-mail for ${keys[i]} within 15 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    log(`simulator lag: ${lags.length} arrivals`);
    return lags;
  } finally {
    for (const s of stops) await s().catch(() => undefined);
  }
}
