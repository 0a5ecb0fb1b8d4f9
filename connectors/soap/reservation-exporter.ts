// Reservation exporter: a reservation's place / extend / release, as the store's outbox recorded
// it, to the accounting system. The mapping says which SOAP element carries which field. Each
// operation must be idempotent on the system side (by reservationKey, and operationKey for an
// extension): a retry after a lost answer must not hold the goods twice.
import type { SoapAdapter, SoapArgs } from './adapter.ts';
import { MappingDataError } from './errors.ts';
import { setPath } from './exporter.ts';
import { valueAt } from './mapper.ts';
import type { Mapping } from './mapping-schema.ts';

export type ReservationOperation = 'place' | 'extend' | 'release';

export interface ReservationForExport {
  /** The same for every operation of one reservation: how the system recognises it. */
  reservationKey: string;
  /** The outbox row's own key: how the system recognises a repeated extension. */
  operationKey: string;
  reservationId: number;
  counterpartyExternalId: string | null;
  offerExternalId: string | null;
  warehouseExternalId: string | null;
  quantity: string | null;
  expiresAt: string | null;
  reason: string | null;
}

export function reservationArgs(mapping: Mapping, op: ReservationOperation, r: ReservationForExport): SoapArgs {
  const spec = mapping.reservations?.[op];
  if (!spec) throw new MappingDataError(`the mapping has no "reservations" section: reservations cannot be sent to this system`);
  const body: SoapArgs = {};
  for (const [el, field] of Object.entries(spec.fields)) setPath(body, el, r[field as keyof ReservationForExport] as string | number | null);
  return spec.root ? { [spec.root]: body } : body;
}

/** Sends one operation; the system's id of the reservation when the mapping says where its answer has it. */
export async function exportReservation(adapter: SoapAdapter, mapping: Mapping, op: ReservationOperation, r: ReservationForExport): Promise<{ externalId: string | null }> {
  const args = reservationArgs(mapping, op, r);
  const spec = mapping.reservations![op];
  const answer = await adapter.call(spec.operation, args);
  if (!spec.result) return { externalId: null };
  const id = valueAt(answer, spec.result.externalId);
  if (typeof id !== 'string' || !id) {
    throw new MappingDataError(`reservations.${op}.result.externalId: the answer to ${spec.operation} has no value at "${spec.result.externalId}"`);
  }
  return { externalId: id };
}
