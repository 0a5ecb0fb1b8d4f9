// What the web may ask of the sync side: "sync this source now" from the console, "changes were
// announced" from a webhook. The web may not import the queue (ARCHITECTURE.md, web-not-queue),
// so these look the source up, check the action fits its kind and enqueue through
// src/infra/queue/sync-requests.ts — the same deduplicated requests the CLI makes.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { handOver, queueReadyWithin } from '../../infra/queue/handover.ts';
import { QUEUES } from '../../infra/queue/names.ts';
import { requestChanges, requestFullSync } from '../../infra/queue/sync-requests.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { assertSourceAction } from '../../mirror/source-actions.ts';

export type SyncMode = 'full' | 'changes';

export interface ConsoleSource {
  id: number;
  name: string;
  kind: string;
}

/** A source as the console shows it, or a not_found DomainError. */
export async function consoleSource(db: Db, sourceId: number): Promise<ConsoleSource> {
  const source: ConsoleSource | undefined = await db('sources').where({ id: sourceId }).first('id', 'name', 'kind');
  if (!source) throw new DomainError('not_found', { key: 'storeRefusals.console.noSource' }, { code: 'source.not_found', details: { sourceId } });
  return source;
}

/**
 * Queues a full or changes sync of a source from the console (refused with a conflict for a
 * kind the store does not read itself). Deduplicated while one waits. Returns the source.
 */
export async function requestSourceSync(rt: Runtime, sourceId: number, mode: SyncMode): Promise<ConsoleSource> {
  const source = await consoleSource(rt.db, sourceId);
  assertSourceAction(source, mode);
  // Nothing redoes a "sync now" that did not reach the queue: refuse (503) before adding, so no
  // add waits in an offline queue behind the refusal (the source's own schedule runs as usual).
  if (!(await queueReadyWithin(rt, mode === 'full' ? QUEUES.syncFull : QUEUES.syncChanges))) {
    throw new DomainError('unavailable', { key: 'queueDown.sync' }, { code: 'queue.unavailable', details: { source: source.name } });
  }
  if (mode === 'full') await requestFullSync(rt, source.name);
  else await requestChanges(rt, source.name);
  return source;
}

/**
 * A webhook announced changes of a source: read its change feed soon. True when a job was added
 * within the hand-over bound; Redis down, the source's periodic poll reads the same feed.
 */
export async function announceChanges(rt: Runtime, sourceName: string): Promise<boolean> {
  let added = false;
  const r = await handOver(rt, async () => (added = await requestChanges(rt, sourceName)), {
    what: 'sync.changes after a webhook', covers: "the source's periodic sync.changes poll", fields: { source: sourceName },
  });
  return r === 'queued' && added;
}
