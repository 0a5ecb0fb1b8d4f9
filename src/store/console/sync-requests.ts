// What the web may ask of the sync side: "sync this source now" from the console, "changes were
// announced" from a webhook. The web may not import the queue (ARCHITECTURE.md, web-not-queue),
// so these look the source up, check the action fits its kind and enqueue through
// src/infra/queue/sync-requests.ts — the same deduplicated requests the CLI makes.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
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
  if (mode === 'full') await requestFullSync(rt, source.name);
  else await requestChanges(rt, source.name);
  return source;
}

/** A webhook announced changes of a source: read its change feed soon. True when a job was added. */
export async function announceChanges(rt: Runtime, sourceName: string): Promise<boolean> {
  return requestChanges(rt, sourceName);
}
