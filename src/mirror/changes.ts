// The mirror's change events: src/sync publishes one per committed batch on a Redis stream,
// and the store's consumers (waiting list, reservations, live pages) read it. This is the
// contract between both sides; neither needs the other's code.

/** The Redis stream the events go to; each entry carries the event as JSON in field 'event'. */
export const changesStreamKey = (prefix: string) => `${prefix}:mirror:changes`;

/** Published on Redis after commit (stream `<prefix>:mirror:changes`). */
export interface MirrorChangeEvent {
  sourceId: number;
  runId: number;
  at: string;
  /** Stock rows whose availability crossed zero: [offerId, warehouseId, quantity]. */
  stockCrossed: [number, number, string][];
  /** Offers whose stock changed at all (any quantity change). */
  stockChangedOffers: number[];
  /** Offers with a changed price (any price type) or contract price. */
  priceChangedOffers: number[];
  /** True when a list was cut: consumers should re-scan instead of trusting the lists. */
  truncated: boolean;
}
