// reservations.export: delivers a reservation's place / extend / release to the SOAP source that
// holds it too (its mapping has a `reservations:` section, so the source lists these kinds in
// sources.outbound and the store writes the rows). The outbox loop (src/sources/outbox.ts)
// delivers each row once and one reservation's rows in order (their ordering key); every call
// is idempotent on the system side (StoreReservationId, and the row's own key for an extension),
// so a retry after a lost answer holds nothing twice. The payload carries everything the call
// needs: a release still reaches the system when the store's reservation row is gone.
import { exportReservation, MappingDataError, type ReservationForExport, type ReservationOperation } from '../connectors/soap/index.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { RESERVATION_KINDS, type ReservationKind } from '../src/mirror/outbound.ts';
import { type DeliveryCounts, deliverDue, type OutboxRow } from '../src/sources/outbox.ts';
import { soapBackends, soapRetryable } from '../src/sources/soap-delivery.ts';
import type { JobDefinition } from './types.ts';

export const JOB_RESERVATIONS_EXPORT = QUEUES.reservationsExport;

const OPERATION: Record<ReservationKind, ReservationOperation> = {
  'reservation.place': 'place',
  'reservation.extend': 'extend',
  'reservation.release': 'release',
};

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** The row as the connector sends it; the reservation key is the ordering key every operation of it shares. */
export function reservationOf(row: OutboxRow): ReservationForExport {
  const p = row.payload;
  const reservationId = Number(p.reservationId);
  if (!Number.isInteger(reservationId) || reservationId <= 0) {
    throw new MappingDataError(`outbox row ${row.id}: the payload names no reservation (expected { reservationId })`);
  }
  return {
    reservationKey: row.ordering_key ?? `reservation:${reservationId}`,
    operationKey: row.idempotency_key,
    reservationId,
    counterpartyExternalId: text(p.counterparty),
    offerExternalId: text(p.offer),
    warehouseExternalId: text(p.warehouse),
    quantity: text(p.quantity),
    expiresAt: text(p.expiresAt),
    reason: text(p.reason),
  };
}

export async function exportDueReservations(rt: Runtime): Promise<DeliveryCounts> {
  const backend = soapBackends();
  return deliverDue(rt.db, {
    name: JOB_RESERVATIONS_EXPORT,
    kinds: RESERVATION_KINDS,
    sourceKind: 'soap',
    retryable: soapRetryable,
    async deliver(trx, row) {
      const op = OPERATION[row.kind as ReservationKind];
      const r = reservationOf(row);
      const { adapter, mapping } = await backend(trx, row.source_id);
      const { externalId } = await exportReservation(adapter, mapping, op, r);
      if (externalId) await trx('reservations').where({ id: r.reservationId }).update({ external_id: trx.raw('coalesce(external_id, ?)', [externalId]) });
    },
  });
}

export const reservationsExport: JobDefinition<Record<string, never>> = {
  name: JOB_RESERVATIONS_EXPORT,
  concurrency: 1,
  process: (rt) => exportDueReservations(rt),
  async schedules() {
    // As orders.export: each row has its own backoff; the next sweep is the job's retry.
    return [{ id: JOB_RESERVATIONS_EXPORT, everyMs: 5000, data: {}, opts: { attempts: 1 } }];
  },
};
