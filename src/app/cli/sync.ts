// `counterpart sync SOURCE [--full] [--enqueue]`: runs a sync of a source now (in this process,
// waiting for any running sync of it), or hands it to the workers.
import type { Command } from 'commander';
import { runChanges, runFullSync, soapSourceRow } from '../../sources/soap-source.ts';
import { lockSource } from '../../sources/source-lock.ts';
import { formatResult } from '../../sources/sync-report.ts';
import { requestChanges, requestFullSync } from '../../infra/queue/sync-requests.ts';
import type { Runtime } from '../../infra/runtime.ts';

export function registerSync(program: Command, withRuntime: <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>): void {
  program
    .command('sync <source>')
    .description('sync a source now: its change feed, or everything with --full')
    .option('--full', 'read everything; rows the source no longer has are marked deleted')
    .option('--enqueue', 'hand the sync to the workers instead of running it here')
    .action((source: string, o: { full?: boolean; enqueue?: boolean }) =>
      withRuntime(async (rt) => {
        if (o.enqueue) {
          if (o.full) console.log(`queued sync.full for ${source} (job ${await requestFullSync(rt, source)})`);
          else console.log((await requestChanges(rt, source)) ? `queued sync.changes for ${source}` : 'a sync.changes job is already queued');
          return;
        }
        const row = await soapSourceRow(rt, source);
        const lock = await lockSource(rt, row.name, 120_000);
        if (!lock) throw new Error(`another sync of source "${row.name}" has been running for 2 minutes; try again later`);
        try {
          const t = Date.now();
          const out = o.full ? await runFullSync(rt, row, { signal: lock.signal }) : await runChanges(rt, row, { signal: lock.signal });
          console.log(formatResult(out.result, Date.now() - t));
          if (out.asOf) console.log(`as of ${out.asOf.toISOString()} (the accounting system's time)`);
        } finally {
          await lock.release();
        }
      }),
    );
}
