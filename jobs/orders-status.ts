// orders.status: pulls order statuses from each SOAP source since its cursor and writes them to
// order_status_history and orders (matched by the store's order number). Cursor and statuses
// move in one transaction, so a crash repeats a pull but never skips one.
import type { Job } from 'bullmq';
import { pullStatuses } from '../connectors/soap/index.ts';
import { log } from '../src/infra/log.ts';
import { JOB_ORDERS_STATUS, type SourceJobData } from '../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { applyStatuses, statusCursor } from '../src/sources/order-rows.ts';
import { backendOf, classify, soapSourceRow, soapSources } from '../src/sources/soap-source.ts';
import type { JobDefinition } from './types.ts';

const MAX_CALLS = 20;

export async function pullOrderStatuses(rt: Runtime, source: string): Promise<{ applied: number; unknown: string[] }> {
  const row = await soapSourceRow(rt, source);
  const backend = await backendOf(row);
  if (!backend.mapping.orders?.statuses) return { applied: 0, unknown: [] };
  let applied = 0;
  const unknown: string[] = [];
  for (let i = 0; i < MAX_CALLS; i++) {
    const since = await statusCursor(rt.db, row.id);
    const { statuses, next } = await pullStatuses(backend.adapter, backend.mapping, since);
    if (!statuses.length && next === (since ?? '')) break;
    const [n, missing] = await applyStatuses(rt.db, row.id, statuses, next);
    applied += n;
    unknown.push(...missing);
    if (!statuses.length) break;
  }
  if (unknown.length) log.warn({ source, orders: unknown.slice(0, 20) }, 'statuses for orders the store does not know');
  return { applied, unknown };
}

export const ordersStatus: JobDefinition<SourceJobData> = {
  name: JOB_ORDERS_STATUS,
  concurrency: 1,
  async process(rt: Runtime, job: Job<SourceJobData>) {
    try {
      return await pullOrderStatuses(rt, job.data.source);
    } catch (err) {
      throw classify(err);
    }
  },
  async schedules(rt) {
    return (await soapSources(rt)).map((s) => ({ id: `${JOB_ORDERS_STATUS}:${s.name}`, everyMs: 10_000, data: { source: s.name }, opts: { attempts: 1 } }));
  },
};
