// The end of a CommerceML catalog session's quiet period: a full package whose session 1C left
// without deactivate/complete gets its deletions (connectors/commerceml/import/quiet.ts).
import { COMMERCEML_QUIET_JOB, type QuietJobData, runQuietCheck } from '../connectors/commerceml/import/quiet.ts';
import type { JobDefinition } from './types.ts';

export const commercemlQuietJob: JobDefinition<QuietJobData> = {
  name: COMMERCEML_QUIET_JOB,
  concurrency: 1,
  process: (rt, job) => runQuietCheck(rt, job.data),
};
