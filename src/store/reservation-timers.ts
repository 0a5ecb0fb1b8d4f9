// BullMQ timers of a reservation: one delayed `reservations.expire` job at its deadline. The
// job id carries the deadline, so an extension simply adds a new job (the old one finds the
// reservation not yet due and does nothing). The periodic sweep covers lost jobs.
import { getQueue } from '../queue/connection.ts';
import { QUEUES } from '../queue/names.ts';
import type { Runtime } from '../runtime.ts';

export const RESERVATION_JOBS = {
  expire: 'reservations.expire',
  sweep: 'reservations.sweep',
  stockChanged: 'reservations.stock-changed',
} as const;

export interface ExpireJobData {
  reservationId: number;
}

/** Small margin so the job never lands before the database clock says "due". */
const MARGIN_MS = 150;

export async function scheduleExpiry(rt: Runtime, timers: { id: number; expiresAt: Date }[]): Promise<void> {
  if (!timers.length) return;
  const now = Date.now();
  await getQueue(rt, QUEUES.reservations).addBulk(
    timers.map((t) => ({
      name: RESERVATION_JOBS.expire,
      data: { reservationId: t.id } satisfies ExpireJobData,
      opts: { jobId: `res-expire-${t.id}-${t.expiresAt.getTime()}`, delay: Math.max(0, t.expiresAt.getTime() - now + MARGIN_MS) },
    })),
  );
}

/** Goods returned to availability (expiry, cancel): let the waiting list look at these offers. */
export async function queueWaitlistCheck(rt: Runtime, offerIds: number[]): Promise<void> {
  if (!offerIds.length) return;
  await getQueue(rt, QUEUES.waitlist).add('waitlist.notify', { offerIds: [...new Set(offerIds)] });
}
