// The demo's accounting system: the simulator on loopback with a small deterministic dataset,
// registered as the SOAP source "demo" with the simulator's mapping, and a first full sync so a
// newcomer sees a full mirror at once. Changes made through its control surface
// (`npm run sim -- stock … --url <control>`) reach the store by signed webhook within a second.
import { randomBytes } from 'node:crypto';
import { runFullSync, soapSourceRow } from '../sources/soap-source.ts';
import { lockSource } from '../sources/source-lock.ts';
import { DEMO_OPTIONS, nearLimitSettlements, type Simulator, startSimulator } from '../../sim/index.ts';
import { provideSecret } from '../infra/config.ts';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';
import { ensureSource } from '../sync/index.ts';

export const DEMO_SOURCE = 'demo';

export async function startDemoSimulator(rt: Runtime): Promise<Simulator> {
  const password = randomBytes(12).toString('hex');
  const hookSecret = randomBytes(16).toString('hex');
  provideSecret('SIM_SOAP_USER', 'exchange');
  provideSecret('SIM_SOAP_PASSWORD', password);
  provideSecret('DEMO_WEBHOOK_SECRET', hookSecret);
  const host = rt.config.HOST === '0.0.0.0' ? '127.0.0.1' : rt.config.HOST;
  const sim = await startSimulator({
    host: '127.0.0.1',
    dataset: DEMO_OPTIONS,
    credentials: { username: 'exchange', password },
    webhook: { url: `http://${host}:${rt.config.PORT}/hooks/accounting/${DEMO_SOURCE}`, secret: hookSecret },
  });
  rt.onShutdown('simulator', () => sim.stop());
  // The demo buyer's company has one legal entity near its credit limit (posted like an accountant would).
  for (const s of nearLimitSettlements(sim.state.data.counterparties)) sim.state.setSettlement(s.counterpartyId, s);
  const settings = { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url, pollIntervalMs: 5000, webhookSecretEnv: 'DEMO_WEBHOOK_SECRET' };
  const id = await ensureSource(rt.db, { name: DEMO_SOURCE, kind: 'soap', title: 'Accounting simulator (demo)', settings });
  // The simulator gets a new port on every start: keep the row pointing at it.
  await rt.db('sources').where({ id }).update({ settings: JSON.stringify(settings), demo: true, disabled_at: null });

  const lock = await lockSource(rt, DEMO_SOURCE, 30_000);
  try {
    const t = Date.now();
    const out = await runFullSync(rt, await soapSourceRow(rt, DEMO_SOURCE), { signal: lock?.signal });
    log.info({ source: DEMO_SOURCE, records: out.records, ms: Date.now() - t }, 'demo: first full sync from the simulator done');
  } finally {
    await lock?.release();
  }
  log.info(`demo simulator: SOAP ${sim.url}?wsdl, control ${sim.controlUrl}/state (try: npm run sim -- stock <offerId> WH01 5 --url ${sim.controlUrl.replace(/\/control$/, '')})`);
  return sim;
}
