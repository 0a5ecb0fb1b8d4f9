// sync.changes: reads a SOAP source's change feed from its cursor and applies it as a delta.
// Polled every few seconds per source and enqueued at once by the webhook; one run per source
// at a time, and a run that was told of new changes while working reads the feed again.
import type { Job } from 'bullmq';
import { parseSoapSettings } from '../connectors/soap/index.ts';
import { log } from '../src/infra/log.ts';
import { changesPendingKey, changesQueuedKey, JOB_SYNC_CHANGES, requestChanges, type SourceJobData } from '../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { classify, runChanges, soapSourceRow, soapSources } from '../src/sources/soap-source.ts';
import { tryLockSource } from '../src/sources/source-lock.ts';
import type { JobDefinition } from './types.ts';

const MAX_ROUNDS = 10;
/** A poll that fails is not retried: the next poll, seconds later, is the retry. */
const POLL_OPTS = { attempts: 1 };

export const syncChanges: JobDefinition<SourceJobData> = {
  name: JOB_SYNC_CHANGES,
  concurrency: 8,
  async process(rt: Runtime, job: Job<SourceJobData>) {
    const source = job.data.source;
    const pending = changesPendingKey(rt.prefix, source);
    await rt.redis.del(changesQueuedKey(rt.prefix, source));
    const row = await soapSourceRow(rt, source);
    let runs = 0;
    let records = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const lock = await tryLockSource(rt, source);
      if (!lock) {
        // The holder reads the feed again when it sees this flag.
        await rt.redis.set(pending, '1', 'EX', 300);
        return { skipped: 'another sync of this source is running' };
      }
      try {
        await rt.redis.del(pending);
        const out = await runChanges(rt, row, { signal: lock.signal });
        if (out.result) runs++;
        records += out.records;
      } catch (err) {
        throw classify(err);
      } finally {
        await lock.release();
      }
      if (!(await rt.redis.exists(pending))) break;
      if (round === MAX_ROUNDS - 1) {
        // Changes keep coming: hand over to a fresh job rather than run forever or drop them.
        await requestChanges(rt, source);
      }
    }
    if (runs) log.debug({ source, runs, records }, 'changes applied');
    return { runs, records };
  },
  async schedules(rt) {
    const out = [];
    for (const s of await soapSources(rt)) {
      try {
        out.push({ id: `${JOB_SYNC_CHANGES}:${s.name}`, everyMs: parseSoapSettings(s.name, s.settings).pollIntervalMs, data: { source: s.name }, opts: POLL_OPTS });
      } catch (err) {
        log.warn({ source: s.name, err: (err as Error).message }, 'source settings are invalid; no polling schedule');
      }
    }
    return out;
  },
};
