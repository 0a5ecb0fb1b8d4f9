// What the store sends to an accounting system: the outbox kinds. A source records the kinds
// its connector delivers in `sources.outbound`; the store writes an outbox row only for those.
export const ORDER_CREATE = 'order.create';
export const RESERVATION_KINDS = ['reservation.place', 'reservation.extend', 'reservation.release'] as const;
export type ReservationKind = (typeof RESERVATION_KINDS)[number];
export type OutboxKind = typeof ORDER_CREATE | ReservationKind;

/** CommerceML: 1C collects the orders at each exchange; it has no notion of a store's reservation. */
export const COMMERCEML_OUTBOUND: readonly OutboxKind[] = [ORDER_CREATE];

/** What a source of a kind delivers before its connector said more (a SOAP source: its mapping). */
export function initialOutbound(kind: string): OutboxKind[] {
  return kind === 'commerceml' ? [...COMMERCEML_OUTBOUND] : [];
}
