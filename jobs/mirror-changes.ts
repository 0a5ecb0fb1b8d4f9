// Consumes the sync core's change stream (MirrorChangeEvent in field 'event') with a consumer
// group and turns each event into jobs: the waiting list for offers whose stock crossed zero,
// the stock-drop policy for offers whose stock changed; a truncated event means "re-scan all".
import { getQueue } from '../src/infra/queue/connection.ts';
import type { StreamConsumerDefinition } from '../src/infra/queue/stream-consumer.ts';
import { RESERVATION_JOBS } from '../src/store/reservations/timers.ts';
import { publishStoreEvents } from '../src/store/shared/events.ts';
import { WAITLIST_NOTIFY_JOB } from '../src/store/waitlist/waitlist.ts';
import { changesStreamKey, type MirrorChangeEvent } from '../src/mirror/changes.ts';

export const mirrorChangesConsumer: StreamConsumerDefinition = {
  name: 'mirror-changes',
  group: 'store',
  stream: (rt) => changesStreamKey(rt.prefix),
  async handle(rt, fields, id) {
    if (!fields.event) return;
    const e = JSON.parse(fields.event) as MirrorChangeEvent;
    // Job ids from the stream entry id: a re-delivered entry adds nothing new.
    const jid = id.replace(/[^0-9]/g, '_');
    const crossed = [...new Set(e.stockCrossed.map(([offerId]) => offerId))];
    if (e.truncated || crossed.length) {
      await getQueue(rt, WAITLIST_NOTIFY_JOB).add(WAITLIST_NOTIFY_JOB, e.truncated ? {} : { offerIds: crossed }, { jobId: `wl-${jid}` });
    }
    if (e.stockChangedOffers.length) await publishStoreEvents(rt, [{ type: 'availability', offerIds: e.stockChangedOffers.slice(0, 1000) }]);
    if (e.truncated || e.stockChangedOffers.length) {
      await getQueue(rt, RESERVATION_JOBS.stockChanged).add(
        RESERVATION_JOBS.stockChanged,
        e.truncated ? {} : { offerIds: e.stockChangedOffers },
        { jobId: `stock-${jid}` },
      );
    }
  },
};
