// reservations.expire: one delayed job per reservation deadline (see src/store/reservations/timers.ts).
import { expireDue } from '../src/store/reservations/lifecycle.ts';
import { type ExpireJobData, RESERVATION_JOBS } from '../src/store/reservations/timers.ts';
import type { JobDefinition } from './types.ts';

export const reservationsExpireJob: JobDefinition<ExpireJobData> = {
  name: RESERVATION_JOBS.expire,
  concurrency: 8,
  async process(rt, job) {
    // Not yet due (extended meanwhile) or already ended: nothing to do.
    return { expired: await expireDue(rt, [job.data.reservationId]) };
  },
};
