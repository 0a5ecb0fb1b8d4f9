// Every job kind of the system. Each lives in its own file next to this one.
import type { StreamConsumerDefinition } from '../src/infra/queue/stream-consumer.ts';
import { blobsSweep } from './blobs-sweep.ts';
import { commercemlImportJob } from './commerceml-import.ts';
import { commercemlQuietJob } from './commerceml-quiet.ts';
import { mailSendJob } from './mail-send.ts';
import { messagesNotifyJob } from './messages-notify.ts';
import { mirrorChangesConsumer } from './mirror-changes.ts';
import { outboxPurge } from './outbox-purge.ts';
import { ordersExport } from './orders-export.ts';
import { ordersStatus, ordersStatusMail } from './orders-status.ts';
import { reservationsExpireJob } from './reservations-expire.ts';
import { reservationsExport } from './reservations-export.ts';
import { reservationsStockChangedJob } from './reservations-stock-changed.ts';
import { reservationsSweepJob } from './reservations-sweep.ts';
import { syncChanges } from './sync-changes.ts';
import { syncFull } from './sync-full.ts';
import { syncRunsSweep } from './sync-runs-sweep.ts';
import type { JobDefinition } from './types.ts';
import { waitlistNotifyJob } from './waitlist-notify.ts';
import { workReconcile } from './work-reconcile.ts';

export const JOBS: JobDefinition<never>[] = [
  mailSendJob,
  messagesNotifyJob,
  reservationsExpireJob,
  reservationsSweepJob,
  reservationsStockChangedJob,
  reservationsExport,
  waitlistNotifyJob,
  syncFull,
  syncChanges,
  ordersExport,
  ordersStatus,
  ordersStatusMail,
  commercemlImportJob,
  commercemlQuietJob,
  outboxPurge,
  syncRunsSweep,
  workReconcile,
  blobsSweep,
] as JobDefinition<never>[];

/** Redis stream readers the worker role runs next to its BullMQ workers. */
export const STREAM_CONSUMERS: StreamConsumerDefinition[] = [mirrorChangesConsumer];
