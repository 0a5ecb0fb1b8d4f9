// orders.status: pulls order statuses from each SOAP source since its cursor and hands them to
// the status applier (src/mirror/order-status.ts; matched by the store's order number). Cursor
// and statuses move in one transaction, so a crash repeats a pull but never skips one. A status
// text the mapping's `codes` does not know is stored with its text and reported here.
// orders.status-mail: e-mails each new accounting status (any connector's) to the order's author.
import type { Job } from 'bullmq';
import { pullStatuses } from '../connectors/soap/index.ts';
import { log } from '../src/infra/log.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { JOB_ORDERS_STATUS, type SourceJobData } from '../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { publicBaseUrl } from '../src/mail/index.ts';
import { applyStatuses, statusCursor } from '../src/sources/order-rows.ts';
import { backendOf, classify, soapSourceRow, soapSources } from '../src/sources/soap-source.ts';
import { publishStoreEvents } from '../src/store/shared/events.ts';
import { withOutboxMails } from '../src/store/shared/mail-outbox.ts';
import type { JobDefinition } from './types.ts';

const MAX_CALLS = 20;
const MAIL_BATCH = 200;

export interface StatusPullResult {
  applied: number;
  /** Order numbers the store does not know. */
  unknown: string[];
  /** Status texts stored without a code mapping ("CP-000001: Собран частично"). */
  unmapped: string[];
}

export async function pullOrderStatuses(rt: Runtime, source: string): Promise<StatusPullResult> {
  const row = await soapSourceRow(rt, source);
  const backend = await backendOf(row);
  const out: StatusPullResult = { applied: 0, unknown: [], unmapped: [] };
  const released = new Set<number>();
  if (!backend.mapping.orders?.statuses) return out;
  for (let i = 0; i < MAX_CALLS; i++) {
    const since = await statusCursor(rt.db, row.id);
    const { statuses, next } = await pullStatuses(backend.adapter, backend.mapping, since);
    if (!statuses.length && next === (since ?? '')) break;
    const r = await applyStatuses(rt.db, row.id, statuses, next);
    out.applied += r.applied;
    out.unknown.push(...r.unknownOrders);
    out.unmapped.push(...r.unmapped.map((u) => `${u.order}: ${u.text}`));
    for (const o of r.releasedOffers) released.add(o);
    if (!statuses.length) break;
  }
  // Ended order holds give stock back: open pages refresh their availability.
  if (released.size) await publishStoreEvents(rt, [{ type: 'availability', offerIds: [...released] }]);
  if (out.unknown.length) log.warn({ source, orders: out.unknown.slice(0, 20) }, 'statuses for orders the store does not know');
  if (out.unmapped.length) {
    log.warn({ source, statuses: out.unmapped.slice(0, 20) }, 'status texts without a code in the mapping (orders.statuses.codes): stored with their text');
  }
  return out;
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

interface PendingMail {
  id: number;
  order_id: number;
  status: string;
  status_text: string;
  note: string;
  at: Date;
  number: string;
  external_number: string | null;
  email: string | null;
  name: string | null;
}

/**
 * Writes one e-mail per status the applier marked (mail_pending) to the mail outbox and clears the
 * mark in the same transaction (src/store/shared/mail-outbox.ts: handed to mail.send after the
 * commit, again by work.reconcile). The mail's key is the history row, so it is written once;
 * an order without a reachable author (user deleted or disabled) just loses the mark.
 */
export async function mailOrderStatuses(rt: Runtime): Promise<number> {
  return withOutboxMails(rt, async (trx, mails) => {
    const { rows } = await trx.raw<{ rows: PendingMail[] }>(
      `SELECT h.id, h.order_id, h.status, h.status_text, h.note, h.at, o.number, o.external_number, u.email, u.name
         FROM order_status_history h
         JOIN orders o ON o.id = h.order_id
         LEFT JOIN users u ON u.id = o.user_id AND u.disabled_at IS NULL
        WHERE h.mail_pending
        ORDER BY h.id LIMIT ? FOR UPDATE OF h SKIP LOCKED`,
      [MAIL_BATCH],
    );
    if (!rows.length) return 0;
    const reachable = rows.flatMap((h) => (h.email ? [{ h, to: h.email }] : []));
    await mails.write(
      reachable.map(({ h, to }) => ({
        to,
        template: 'order-status',
        key: `order-status-${h.id}`,
        data: {
          name: h.name, number: h.number, externalNumber: h.external_number, status: h.status, statusText: h.status_text, note: h.note, at: h.at,
          url: `${publicBaseUrl(rt.config)}/orders/${h.order_id}`,
        },
      })),
    );
    await trx('order_status_history').whereIn('id', rows.map((h) => h.id)).update({ mail_pending: false });
    return reachable.length;
  });
}

export const ordersStatusMail: JobDefinition<Record<string, never>> = {
  name: QUEUES.ordersStatusMail,
  concurrency: 1,
  process: async (rt) => ({ queued: await mailOrderStatuses(rt) }),
  async schedules() {
    return [{ id: QUEUES.ordersStatusMail, everyMs: 5000, data: {}, opts: { attempts: 1 } }];
  },
};
