// waitlist.notify: e-mails open waiting-list entries whose offer is available, once each
// (see src/store/waitlist/waitlist.ts for why two workers or a retry never send twice). Without
// offerIds it re-scans every open entry; the schedule does that as a safety net.
import { notifyAvailable, WAITLIST_NOTIFY_JOB } from '../src/store/waitlist/waitlist.ts';
import type { JobDefinition } from './types.ts';

export const waitlistNotifyJob: JobDefinition<{ offerIds?: number[] }> = {
  name: WAITLIST_NOTIFY_JOB,
  concurrency: 4,
  async process(rt, job) {
    const notified = await notifyAvailable(rt, job.data.offerIds);
    return { notified: notified.length };
  },
  async schedules() {
    return [{ id: 'waitlist-rescan', everyMs: 5 * 60_000, data: {} }];
  },
};
