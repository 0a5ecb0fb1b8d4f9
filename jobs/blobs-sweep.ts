// blobs.sweep: hourly, removes the temporaries of blob-store `put`s a killed process cut short
// (a `.tmp/` object in PostgreSQL, a `.blob-tmp-` file on disk) once they are STALE_TEMPORARY_MS
// old: nothing lists or reads them, they would only take space.
import { STALE_TEMPORARY_MS } from '../src/infra/blob/index.ts';
import { log } from '../src/infra/log.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import type { JobDefinition } from './types.ts';

export async function sweepBlobTemporaries(rt: Runtime, olderThanMs = STALE_TEMPORARY_MS): Promise<{ removed: number }> {
  const removed = await rt.blobs.sweepTemporaries(olderThanMs);
  if (removed) log.warn({ removed, store: rt.blobs.kind }, 'blob store: temporaries of interrupted writes removed');
  return { removed };
}

export const blobsSweep: JobDefinition<Record<string, never>> = {
  name: QUEUES.blobsSweep,
  concurrency: 1,
  process: (rt) => sweepBlobTemporaries(rt),
  async schedules() {
    return [{ id: QUEUES.blobsSweep, pattern: '17 * * * *', data: {}, opts: { attempts: 1 } }];
  },
};
