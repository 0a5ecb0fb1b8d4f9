// Live-update events of the store (reservation placed/ended, availability changed), published
// on a Redis channel so every web process can push them to open pages over SSE.
import type { Runtime } from '../../infra/runtime.ts';
import { handOver } from '../../infra/queue/handover.ts';

export type StoreEvent = ReservationEvent | AvailabilityEvent;

/** Stock of these offers changed (sync): open catalog/product pages refresh their boxes. */
export interface AvailabilityEvent {
  type: 'availability';
  offerIds: number[];
}

export interface ReservationEvent {
  type: 'reservation';
  /** What happened to the reservation. */
  change: 'placed' | 'extended' | 'cancelled' | 'expired' | 'ordered' | 'short' | 'covered';
  reservationId: number;
  clientId: number;
  offerId: number;
  warehouseId: number;
}

export const storeEventsChannel = (prefix: string) => `${prefix}:store:events`;

/** Best effort, within the hand-over bound: a missed live update only means a page refreshes on the next action. */
export async function publishStoreEvents(rt: Pick<Runtime, 'redis' | 'prefix' | 'config'>, events: StoreEvent[]): Promise<void> {
  if (!events.length) return;
  await handOver(
    rt,
    () => {
      const multi = rt.redis.multi();
      for (const e of events) multi.publish(storeEventsChannel(rt.prefix), JSON.stringify(e));
      return multi.exec();
    },
    { what: 'live store events', covers: 'nothing needed: open pages refresh on their next action', fields: { events: events.length } },
  );
}
