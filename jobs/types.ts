import type { Job, JobsOptions } from 'bullmq';
import type { Runtime } from '../src/infra/runtime.ts';
import type { QueueName } from '../src/infra/queue/names.ts';

/** One job kind: its queue, processor, and (optionally) a schedule the scheduler role enqueues. */
export interface JobDefinition<Data = unknown> {
  queue: QueueName;
  name: string;
  process(rt: Runtime, job: Job<Data>): Promise<unknown>;
  /** Schedulers only enqueue: a cron pattern or an interval, with the job's data. */
  schedules?(rt: Runtime): Promise<{ id: string; pattern?: string; everyMs?: number; data: Data; opts?: JobsOptions }[]>;
  concurrency?: number;
}
