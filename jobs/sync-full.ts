// sync.full: reads everything a SOAP source has and makes the mirror equal to it (rows the
// source no longer has are marked deleted). Nightly by default; `counterpart sync NAME --full`.
import type { Job } from 'bullmq';
import { parseSoapSettings } from '../connectors/soap/index.ts';
import { log } from '../src/infra/log.ts';
import { JOB_SYNC_FULL, type SourceJobData } from '../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { classify, runFullSync, soapSourceRow, soapSources } from '../src/sources/soap-source.ts';
import { lockSource } from '../src/sources/source-lock.ts';
import type { JobDefinition } from './types.ts';

export const syncFull: JobDefinition<SourceJobData> = {
  name: JOB_SYNC_FULL,
  concurrency: 2,
  async process(rt: Runtime, job: Job<SourceJobData>) {
    const row = await soapSourceRow(rt, job.data.source);
    const lock = await lockSource(rt, row.name, 60_000);
    if (!lock) throw new Error(`another sync of source "${row.name}" is still running; will retry`);
    try {
      const out = await runFullSync(rt, row, { signal: lock.signal });
      log.info({ source: row.name, run: out.result?.runId, records: out.records }, 'full sync done');
      return { runId: out.result?.runId, records: out.records, changed: out.result?.changed };
    } catch (err) {
      throw classify(err);
    } finally {
      await lock.release();
    }
  },
  async schedules(rt) {
    const out = [];
    for (const s of await soapSources(rt)) {
      let cron: string;
      try {
        cron = parseSoapSettings(s.name, s.settings).fullSyncCron;
      } catch (err) {
        log.warn({ source: s.name, err: (err as Error).message }, 'source settings are invalid; no full-sync schedule');
        continue;
      }
      if (cron !== 'off') out.push({ id: `${JOB_SYNC_FULL}:${s.name}`, pattern: cron, data: { source: s.name } });
    }
    return out;
  },
};
