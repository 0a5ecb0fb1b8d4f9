// Every BullMQ queue of the system, named in one place.
export const QUEUES = {
  sync: 'sync',
  orders: 'orders',
  reservations: 'reservations',
  waitlist: 'waitlist',
  mail: 'mail',
  exchange: 'exchange',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
