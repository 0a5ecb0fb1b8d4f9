import type { Job, JobsOptions } from 'bullmq';
import type { Runtime } from '../src/infra/runtime.ts';
import type { QueueName } from '../src/infra/queue/names.ts';

/** One job kind: its processor and (optionally) a schedule the scheduler role enqueues. */
export interface JobDefinition<Data = unknown> {
  /** The kind; its jobs live in the queue of the same name. */
  name: QueueName;
  process(rt: Runtime, job: Job<Data>): Promise<unknown>;
  /** Schedulers only enqueue: a cron pattern or an interval, with the job's data. */
  schedules?(rt: Runtime): Promise<{ id: string; pattern?: string; everyMs?: number; data: Data; opts?: JobsOptions }[]>;
  /** How many jobs of this kind run at once, across all worker processes (default 4). */
  concurrency?: number;
}

/**
 * What a worker needs of a job kind: its queue, processor and concurrency — not its schedules,
 * whose data types differ per kind, so a list of kinds of any data is one type without a cast.
 */
export type JobProcessor = Pick<JobDefinition<never>, 'name' | 'process' | 'concurrency'>;
