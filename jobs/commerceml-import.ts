// One CommerceML file of an exchange session, imported in the background while 1C polls
// `mode=import` (the endpoint answers `progress` until this job records success or failure).
import { type ImportJobData, COMMERCEML_IMPORT_JOB, runImportJob } from '../connectors/commerceml/import/run-import.ts';
import { log } from '../src/infra/log.ts';
import { releaseMemory } from '../src/infra/memory.ts';
import { seedClients } from '../src/store/accounts/clients.ts';
import type { JobDefinition } from './types.ts';

export const commercemlImportJob: JobDefinition<ImportJobData> = {
  name: COMMERCEML_IMPORT_JOB,
  // Files of one session arrive one after another; two lets two 1C nodes exchange at once.
  concurrency: 2,
  async process(rt, job) {
    try {
      const out = await runImportJob(rt, job.data, { made: job.attemptsMade, max: job.opts.attempts ?? 1 });
      // Cabinets follow head-counterparty links (idempotent, cheap when nothing changed).
      await seedClients(rt.db);
      return out;
    } finally {
      // A big file — applied, or refused halfway (a 160 MB item) — leaves ~150 MB of garbage an
      // idle worker would keep: collect it now. What the file left behind is logged
      // (test/faults/import-memory.test.ts reads it).
      const freed = releaseMemory();
      const m = process.memoryUsage();
      const mb = (n: number) => Math.round(n / 1048576);
      log.info({ file: job.data.filename, freedMb: mb(freed), rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) }, 'commerceml import: worker memory after the file');
    }
  },
};
