// BullMQ timers of a reservation: one delayed `reservations.expire` job at its deadline. The
// job id carries the deadline, so an extension simply adds a new job (the old one finds the
// reservation not yet due and does nothing). The periodic sweep covers lost jobs.
import { getQueue } from '../../infra/queue/connection.ts';
import { type HandOver, handOver } from '../../infra/queue/handover.ts';
import { QUEUES } from '../../infra/queue/names.ts';
import type { Runtime } from '../../infra/runtime.ts';

export const RESERVATION_JOBS = {
  expire: QUEUES.reservationsExpire,
  sweep: QUEUES.reservationsSweep,
  stockChanged: QUEUES.reservationsStockChanged,
} as const;

export interface ExpireJobData {
  reservationId: number;
}

/** Small margin so the job never lands before the database clock says "due". */
const MARGIN_MS = 150;

interface Pending {
  timers: { id: number; expiresAt: Date }[];
  waiters: { resolve(): void; reject(err: unknown): void }[];
}
const pending = new WeakMap<Runtime, Pending>();

/**
 * Adds the timers' delayed jobs. Calls made in the same tick share one addBulk (under load,
 * one Redis round trip for many reservations instead of one each); each caller still waits
 * until its job is stored.
 */
export function scheduleExpiry(rt: Runtime, timers: { id: number; expiresAt: Date }[]): Promise<void> {
  if (!timers.length) return Promise.resolve();
  let batch = pending.get(rt);
  if (!batch) {
    const created: Pending = { timers: [], waiters: [] };
    pending.set(rt, created);
    batch = created;
    setImmediate(() => {
      pending.delete(rt);
      const now = Date.now();
      getQueue(rt, RESERVATION_JOBS.expire)
        .addBulk(
          created.timers.map((t) => ({
            name: RESERVATION_JOBS.expire,
            data: { reservationId: t.id } satisfies ExpireJobData,
            opts: { jobId: `res-expire-${t.id}-${t.expiresAt.getTime()}`, delay: Math.max(0, t.expiresAt.getTime() - now + MARGIN_MS) },
          })),
        )
        .then(
          () => {
            for (const w of created.waiters) w.resolve();
          },
          (err) => {
            for (const w of created.waiters) w.reject(err);
          },
        );
    });
  }
  batch.timers.push(...timers);
  const b = batch;
  return new Promise<void>((resolve, reject) => b.waiters.push({ resolve, reject }));
}

/**
 * Goods returned to availability (expiry, cancel, a rejected approval): let the waiting list look
 * at these offers. Handed over within the bound; the list's 5-minute re-scan reads the same stock
 * from PostgreSQL, and an entry is claimed once, so a late job and the re-scan e-mail once.
 */
export async function queueWaitlistCheck(rt: Runtime, offerIds: number[]): Promise<HandOver> {
  if (!offerIds.length) return 'queued';
  const ids = [...new Set(offerIds)];
  return handOver(rt, () => getQueue(rt, QUEUES.waitlistNotify).add(QUEUES.waitlistNotify, { offerIds: ids }), {
    what: 'waiting-list check', covers: 'the waiting list re-scan (waitlist.notify, every 5 minutes)', fields: { offerIds: ids },
  });
}

/** A reservation's expiry timer, handed over within the bound: reservations.sweep (every 15 s) expires what is due whatever Redis kept. */
export function handOverExpiry(rt: Runtime, timers: { id: number; expiresAt: Date }[]): Promise<HandOver> {
  return handOver(rt, () => scheduleExpiry(rt, timers), { what: 'reservation expiry timer', covers: 'reservations.sweep (every 15 s)', fields: { reservations: timers.map((t) => t.id) } });
}
