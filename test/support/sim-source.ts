// A simulator on loopback registered as a SOAP source, for connector, job and web tests.

import { type DatasetOptions, type Simulator, startSimulator } from '../../sim/index.ts';
import { provideSecret } from '../../src/infra/config.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';

export const SIM_USER = 'exchange';
export const SIM_PASSWORD = 'sim-test-password';

export async function simSource(
  rt: Runtime,
  name = 'sim',
  dataset: Partial<DatasetOptions> = { products: 60, counterparties: 16, priceTypes: 4, warehouses: 4, partnerWarehouses: 1, managers: 3 },
  settings: Record<string, unknown> = {},
): Promise<{ sim: Simulator; sourceId: number }> {
  provideSecret('SIM_SOAP_USER', SIM_USER);
  provideSecret('SIM_SOAP_PASSWORD', SIM_PASSWORD);
  const sim = await startSimulator({ dataset, credentials: { username: SIM_USER, password: SIM_PASSWORD } });
  const sourceId = await ensureSource(rt.db, {
    name, kind: 'soap', title: 'Simulator', settings: { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url, ...settings },
  });
  await rt.db('sources').where({ id: sourceId }).update({ settings: JSON.stringify({ mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url, ...settings }) });
  return { sim, sourceId };
}

/** Row counts of the mirror (not deleted) in the simulator's `counts()` shape. */
export async function mirrorCounts(rt: Runtime, sourceId: number): Promise<Record<string, number>> {
  const tables: Record<string, string> = {
    groups: 'product_groups', priceTypes: 'price_types', warehouses: 'warehouses', managers: 'managers', products: 'products', offers: 'offers',
    prices: 'prices', stock: 'stock', counterparties: 'counterparties', contracts: 'contracts', contractPrices: 'contract_prices',
    documents: 'documents', credit: 'counterparty_credit',
  };
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(tables)) {
    const [{ n }] = await rt.db(t).where({ source_id: sourceId, deleted: false }).count({ n: '*' });
    out[k] = Number(n);
  }
  return out;
}

/** A fingerprint of everything the mirror holds for a source (to prove a failed run changed nothing). */
export async function mirrorFingerprint(rt: Runtime, sourceId: number): Promise<string> {
  const { rows } = await rt.db.raw(
    `SELECT md5(string_agg(x, '|' ORDER BY x)) AS h FROM (
       SELECT 'p' || offer_id || ':' || price_type_id || ':' || value || ':' || deleted AS x FROM prices WHERE source_id = ?
       UNION ALL SELECT 's' || offer_id || ':' || warehouse_id || ':' || quantity || ':' || deleted FROM stock WHERE source_id = ?
       UNION ALL SELECT 'o' || external_id || ':' || deleted FROM offers WHERE source_id = ?
       UNION ALL SELECT 'c' || external_id || ':' || coalesce(head_external_id, '') || ':' || deleted FROM counterparties WHERE source_id = ?) t`,
    [sourceId, sourceId, sourceId, sourceId],
  );
  return rows[0].h;
}
