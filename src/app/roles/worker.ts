// The worker role: one BullMQ Worker per queue, dispatching by job name.
import { UnrecoverableError, Worker } from 'bullmq';
import { JOBS, STREAM_CONSUMERS } from '../../../jobs/registry.ts';
import type { JobDefinition } from '../../../jobs/types.ts';
import { log } from '../../infra/log.ts';
import { bullOptions, quitConnection } from '../../infra/queue/connection.ts';
import { type RunningConsumer, type StreamConsumerDefinition, startStreamConsumer } from '../../infra/queue/stream-consumer.ts';
import type { Runtime } from '../../infra/runtime.ts';

export async function startWorkers(rt: Runtime, jobs: JobDefinition<never>[] = JOBS): Promise<Worker[]> {
  const byQueue = new Map<string, JobDefinition<never>[]>();
  for (const def of jobs) byQueue.set(def.queue, [...(byQueue.get(def.queue) ?? []), def]);
  const workers: Worker[] = [];
  for (const [queue, defs] of byQueue) {
    const byName = new Map(defs.map((d) => [d.name, d]));
    const opts = bullOptions(rt);
    const worker = new Worker(
      queue,
      async (job) => {
        const def = byName.get(job.name);
        if (!def) throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${queue}"`);
        return def.process(rt, job as never);
      },
      { ...opts, concurrency: Math.max(...defs.map((d) => d.concurrency ?? 4)) },
    );
    worker.on('failed', (job, err) =>
      log.warn({ queue, job: job?.name, id: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => log.error({ queue, err: err.message }, 'worker error'));
    workers.push(worker);
    rt.onShutdown(`worker ${queue}`, async () => {
      await worker.close();
      await quitConnection(opts.connection, `worker ${queue}`);
    });
  }
  log.info({ queues: [...byQueue.keys()] }, 'workers started');
  return workers;
}

/** The Redis stream readers (e.g. the mirror change events), one consumer name per process. */
export async function startStreamConsumers(rt: Runtime, defs: StreamConsumerDefinition[] = STREAM_CONSUMERS): Promise<RunningConsumer[]> {
  const consumer = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return Promise.all(defs.map((d) => startStreamConsumer(rt, d, consumer)));
}
