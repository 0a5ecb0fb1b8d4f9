// The worker role: one BullMQ Worker per job kind, on the kind's own queue, at the kind's
// declared concurrency. The queue's global concurrency holds that limit across processes too
// (every worker process sets the same value), so two worker processes of sync.full still run
// at most two full syncs at once.
import { UnrecoverableError, Worker } from 'bullmq';
import { JOBS, STREAM_CONSUMERS } from '../../../jobs/registry.ts';
import type { JobProcessor } from '../../../jobs/types.ts';
import { log } from '../../infra/log.ts';
import { sweepAbandonedRuns } from '../../sync/runs.ts';
import { bullOptions, getQueue, quitConnection } from '../../infra/queue/connection.ts';
import { type RunningConsumer, type StreamConsumerDefinition, startStreamConsumer } from '../../infra/queue/stream-consumer.ts';
import type { Runtime } from '../../infra/runtime.ts';

export const DEFAULT_CONCURRENCY = 4;

export async function startWorkers(rt: Runtime, jobs: readonly JobProcessor[] = JOBS): Promise<Worker[]> {
  const workers: Worker[] = [];
  for (const def of jobs) {
    const kind = def.name;
    const concurrency = def.concurrency ?? DEFAULT_CONCURRENCY;
    await getQueue(rt, kind).setGlobalConcurrency(concurrency);
    const opts = bullOptions(rt);
    const worker = new Worker(
      kind,
      async (job) => {
        if (job.name !== kind) throw new UnrecoverableError(`job "${job.name}" does not belong on queue "${kind}"`);
        return def.process(rt, job as never);
      },
      // A killed worker's jobs stall: another worker takes them over once their lock expired.
      { ...opts, concurrency, lockDuration: rt.config.JOB_LOCK_MS, stalledInterval: rt.config.JOB_LOCK_MS },
    );
    worker.on('failed', (job, err) => log.warn({ job: kind, id: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'));
    worker.on('error', (err) => log.error({ job: kind, err: err.message }, 'worker error'));
    workers.push(worker);
    rt.onShutdown(`worker ${kind}`, async () => {
      await worker.close();
      await quitConnection(opts.connection, `worker ${kind}`);
    });
  }
  // A Redis restarted empty lost the queues' global concurrency: set it again on every reconnect.
  let connectedOnce = rt.redis.status === 'ready';
  const reapply = () => {
    if (!connectedOnce) {
      connectedOnce = true;
      return;
    }
    for (const def of jobs)
      getQueue(rt, def.name)
        .setGlobalConcurrency(def.concurrency ?? DEFAULT_CONCURRENCY)
        .catch((err: Error) => log.warn({ job: def.name, err: err.message }, 'could not set the queue’s concurrency again after a reconnect'));
  };
  rt.redis.on('ready', reapply);
  rt.onShutdown('worker reconnect hook', async () => void rt.redis.off('ready', reapply));
  // Runs a killed process left `running` are failed at once, not at the sweep's next minute.
  const abandoned = await sweepAbandonedRuns(rt.db);
  if (abandoned.length) log.warn({ runs: abandoned }, 'sync runs abandoned by a stopped process marked failed');
  log.info({ jobs: jobs.map((d) => d.name) }, 'workers started');
  return workers;
}

/** The Redis stream readers (e.g. the mirror change events), one consumer name per process. */
export async function startStreamConsumers(rt: Runtime, defs: StreamConsumerDefinition[] = STREAM_CONSUMERS): Promise<RunningConsumer[]> {
  const consumer = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return Promise.all(defs.map((d) => startStreamConsumer(rt, d, consumer)));
}
