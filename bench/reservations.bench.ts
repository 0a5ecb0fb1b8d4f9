// Reservations under load and the waiting list's reaction time:
// 1. throughput: 200 concurrent clients reserve 1 unit at a time from a small set of hot offers
//    until stock runs out (more requests than units) — requests/s, and an oversell check;
// 2. lag: a stock arrival applied through the sync core (applyBatch, 0 → 5) to the waiting-list
//    e-mail accepted by a real SMTP server, through the change stream, BullMQ jobs and
//    nodemailer — p50 / p95;
// 3. the same lag from a stock change in the accounting-system simulator (bench/support/sim-lag.ts).
import { mailSendJob } from '../jobs/mail-send.ts';
import { mirrorChangesConsumer } from '../jobs/mirror-changes.ts';
import { waitlistNotifyJob } from '../jobs/waitlist-notify.ts';
import { startSmtpCapture } from '../src/demo/smtp-capture.ts';
import { closeTransports, useSmtpUrl } from '../src/mail/index.ts';
import { startStreamConsumer } from '../src/infra/queue/stream-consumer.ts';
import { startWorkers } from '../src/app/roles/worker.ts';
import { DomainError } from '../src/infra/domain-error.ts';
import { type Actor, reserve } from '../src/store/reservations/reservations.ts';
import { subscribe } from '../src/store/waitlist/waitlist.ts';
import { applyBatch, ensureSource } from '../src/sync/index.ts';
import { simArrivalLags } from './support/sim-lag.ts';
import type { Benchmark, BenchFigure } from './types.ts';

const CLIENTS = 200;
const HOT_OFFERS = 20;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const bench: Benchmark = {
  name: 'reservations',
  description: `reservation throughput with ${CLIENTS} concurrent clients (zero oversell) and stock-arrival → waiting-list e-mail lag`,
  async run({ rt, scale, log }) {
    const figures: BenchFigure[] = [];
    const unitsPerOffer = Math.max(10, Math.round(200 * scale));
    const lagTrials = Math.max(5, Math.round(40 * scale));
    const offers = HOT_OFFERS + lagTrials;
    const sourceId = await ensureSource(rt.db, { name: 'bench', kind: 'soap' });
    const opts = { sourceId, kind: 'bench', mode: 'delta' as const };
    await applyBatch(rt, opts, {
      priceTypes: [{ externalId: 'base', name: 'Базовая', isBase: true }],
      warehouses: [{ externalId: 'w1', name: 'Склад 1' }],
      products: Array.from({ length: offers }, (_, i) => ({ externalId: `p${i}`, name: `Товар ${i}`, sku: `SKU-${i}`, unit: 'шт' })),
      offers: Array.from({ length: offers }, (_, i) => ({ externalId: `p${i}`, productExternalId: `p${i}` })),
      prices: Array.from({ length: offers }, (_, i) => ({ offerExternalId: `p${i}`, priceTypeExternalId: 'base', value: `${100 + i}.50` })),
      stock: Array.from({ length: offers }, (_, i) => ({ offerExternalId: `p${i}`, warehouseExternalId: 'w1', quantity: i < HOT_OFFERS ? String(unitsPerOffer) : '0' })),
      counterparties: Array.from({ length: CLIENTS }, (_, i) => ({ externalId: `cp${i}`, name: `Покупатель ${i}` })),
    });
    const offerIds: number[] = (await rt.db('offers').orderBy('id').pluck('id')) as number[];
    const warehouseId = (await rt.db('warehouses').first('id'))?.id;
    if (!warehouseId) throw new Error('the bench world has no warehouse');
    const cps: number[] = (await rt.db('counterparties').orderBy('id').pluck('id')) as number[];
    const clients = await rt.db('clients').insert(cps.map((c, i) => ({ name: `Client ${i}`, head_counterparty_id: c }))).returning('id');
    await rt.db('client_counterparties').insert(cps.map((c, i) => ({ client_id: clients[i].id, counterparty_id: c })));
    const users = await rt.db('users').insert(clients.map((c: { id: number }, i: number) => ({ email: `buyer${i}@bench.test`, role: 'buyer', client_id: c.id }))).returning('id');
    const actors: Actor[] = cps.map((c, i) => ({ userId: users[i].id, clientId: clients[i].id, counterpartyId: c }));

    // Ceiling for this machine right now: bare round trips through the same pool, same concurrency.
    const ceilN = 3000;
    let ceilNext = 0;
    const c0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (ceilNext++ < ceilN) await rt.db.raw('SELECT 1');
      }),
    );
    const ceiling = ceilN / ((performance.now() - c0) / 1000);

    // 1. Throughput.
    const hot = offerIds.slice(0, HOT_OFFERS);
    const totalUnits = hot.length * unitsPerOffer;
    const requests = Math.round(totalUnits * 1.25);
    log(`throughput: ${requests} requests for ${totalUnits} units over ${hot.length} offers by ${CLIENTS} clients`);
    let next = 0;
    let ok = 0;
    let refused = 0;
    let otherErrors = 0;
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      actors.map(async (actor, ci) => {
        for (;;) {
          const n = next++;
          if (n >= requests) return;
          const s = performance.now();
          try {
            await reserve(rt, actor, { offerId: hot[(n + ci) % hot.length]!, warehouseId, quantity: '1' });
            ok++;
          } catch (err) {
            if (err instanceof DomainError && err.code === 'reservation.not_enough_stock') refused++;
            else otherErrors++;
          }
          lat.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const { rows: over } = await rt.db.raw(
      `SELECT count(*)::int AS n FROM (SELECT r.offer_id, r.warehouse_id, sum(r.quantity) AS held, max(s.quantity) AS stock
         FROM reservations r JOIN stock s USING (offer_id, warehouse_id) WHERE r.state = 'active' GROUP BY 1, 2) x WHERE held > stock`,
    );
    lat.sort((x, y) => x - y);
    log(`throughput: ${ok} reserved, ${refused} refused, ${otherErrors} errors in ${secs.toFixed(2)} s`);
    figures.push(
      { key: 'reserve_req_per_s', ratioKey: 'reserve_ratio', label: `reservation requests/s (${CLIENTS} concurrent clients)`, value: Math.round(requests / secs), unit: 'req/s', ratio: requests / secs / ceiling, note: 'goal ≥ 500; ratio to bare SELECT 1 round trips/s' },
      { key: 'select1_ceiling_req_per_s', label: 'ceiling: SELECT 1 round trips/s, same pool and concurrency', value: Math.round(ceiling), unit: 'req/s' },
      { key: 'placed_units', label: 'reservations placed', value: ok, unit: 'units', note: `stock ${totalUnits}; refused ${refused}; other errors ${otherErrors}` },
      { key: 'oversold_rows', label: 'oversold stock rows', value: over[0].n + Math.max(0, ok - totalUnits), unit: 'rows', note: 'goal 0' },
      { key: 'reserve_p50_ms', label: 'reserve latency p50', value: Math.round(pct(lat, 50)), unit: 'ms' },
      { key: 'reserve_p95_ms', label: 'reserve latency p95', value: Math.round(pct(lat, 95)), unit: 'ms' },
    );

    // 2. Lag: stock arrival → waiting-list e-mail accepted by SMTP.
    const smtp = await startSmtpCapture({ port: 0 });
    useSmtpUrl(rt, smtp.url);
    const workers = await startWorkers(rt, [mailSendJob, waitlistNotifyJob]);
    const consumer = await startStreamConsumer(rt, mirrorChangesConsumer, 'bench');
    try {
      const cold = offerIds.slice(HOT_OFFERS);
      const entries: number[] = [];
      for (const [i, offerId] of cold.entries()) {
        const a = actors[i % actors.length]!;
        entries.push((await subscribe(rt, { userId: a.userId!, counterpartyId: a.counterpartyId }, { offerId })).id);
      }
      const lags: number[] = [];
      for (let i = 0; i < cold.length; i++) {
        const key = `waitlist-${entries[i]}`;
        const start = Date.now();
        await applyBatch(rt, opts, { stock: [{ offerExternalId: `p${HOT_OFFERS + i}`, warehouseExternalId: 'w1', quantity: '5' }] });
        for (;;) {
          const m = smtp.messages().find((x) => x.headers['x-counterpart-key'] === key);
          if (m) {
            lags.push(m.receivedAt.getTime() - start);
            break;
          }
          if (Date.now() - start > 15_000) throw new Error(`no e-mail for ${key} within 15 s`);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      lags.sort((x, y) => x - y);
      log(`lag: ${lags.length} arrivals, p50 ${pct(lags, 50)} ms, p95 ${pct(lags, 95)} ms; ${smtp.messages().length} e-mails`);
      figures.push(
        { key: 'waitlist_mail_p50_ms', label: 'stock arrival → e-mail accepted by SMTP, p50', value: pct(lags, 50), unit: 'ms' },
        { key: 'waitlist_mail_p95_ms', label: 'stock arrival → e-mail accepted by SMTP, p95', value: pct(lags, 95), unit: 'ms', note: 'goal ≤ 3000' },
        { key: 'waitlist_mails', label: 'waiting-list e-mails sent', value: smtp.messages().length, unit: 'mails', note: `one per subscriber (${cold.length})` },
      );
      // 3. The same through the simulator: webhook → SOAP change feed → sync → e-mail.
      const simLags = (await simArrivalLags(rt, smtp, lagTrials, log)).sort((x, y) => x - y);
      log(`simulator lag: p50 ${pct(simLags, 50)} ms, p95 ${pct(simLags, 95)} ms`);
      figures.push(
        { key: 'sim_waitlist_mail_p50_ms', label: 'simulator stock change → e-mail accepted by SMTP, p50', value: pct(simLags, 50), unit: 'ms', note: 'webhook → SOAP change feed → sync → waitlist → SMTP' },
        { key: 'sim_waitlist_mail_p95_ms', label: 'simulator stock change → e-mail accepted by SMTP, p95', value: pct(simLags, 95), unit: 'ms', note: 'goal ≤ 3000' },
      );
    } finally {
      await consumer.stop();
      for (const w of workers) await w.close();
      closeTransports(rt);
      await smtp.stop();
    }
    return figures;
  },
};

export default bench;
