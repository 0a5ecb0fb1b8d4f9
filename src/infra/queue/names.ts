// Every BullMQ job kind of the system, named in one place. Each kind has a queue of its own,
// named after it: BullMQ limits concurrency per queue (a worker takes a queue, not a job name),
// so one queue per kind is what lets every kind run at its own declared concurrency.
export const QUEUES = {
  mailSend: 'mail.send',
  messagesNotify: 'messages.notify',
  reservationsExpire: 'reservations.expire',
  reservationsSweep: 'reservations.sweep',
  reservationsStockChanged: 'reservations.stock-changed',
  reservationsExport: 'reservations.export',
  waitlistNotify: 'waitlist.notify',
  syncFull: 'sync.full',
  syncChanges: 'sync.changes',
  ordersExport: 'orders.export',
  ordersStatus: 'orders.status',
  ordersStatusMail: 'orders.status-mail',
  commercemlImport: 'commerceml.import',
  commercemlQuiet: 'commerceml.quiet',
  outboxPurge: 'outbox.purge',
  syncRunsSweep: 'sync-runs.sweep',
  workReconcile: 'work.reconcile',
  blobsSweep: 'blobs.sweep',
} as const;
/** A job kind, which is also the name of its queue and of its jobs. */
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * The queues of the releases before one queue per kind, each shared by several kinds. Nothing
 * adds to them any more; the worker role moves what is left in them into the kinds' queues and
 * the scheduler removes their schedulers.
 */
export const LEGACY_QUEUES = ['sync', 'orders', 'reservations', 'waitlist', 'mail', 'exchange'] as const;

const KINDS = new Set<string>(Object.values(QUEUES));
export const isQueueName = (name: string): name is QueueName => KINDS.has(name);
