// `deactivate` after a full package: rows of this source that no file of the session carried
// are marked deleted (soft; a later package brings them back). Only entities the session
// declared complete (СодержитТолькоИзменения=false) are touched, and only when every file of
// the session imported successfully — a failed file must not turn into mass deletion.
//
// Concurrent sessions of one source (a full package still running while a delta arrives): the
// delta's rows are not in the full session's seen ids, yet they are current. Rather than lock a
// source to one catalog session (1C retries, and a stuck session would block every exchange
// until it expires), only rows last changed BEFORE the full session began, and not carried by
// another session of the source active since then, are deactivated: whatever a concurrent
// exchange wrote or sent stays.
import type { Db } from '../../../src/infra/db/knex.ts';
import { openSyncRun, type SyncResult } from '../../../src/sync/index.ts';
import type { ImportDeps } from './catalog-import.ts';
import { isKeyed, TABLE_OF } from './seen.ts';

export interface DeactivateResult {
  skipped?: string;
  sync?: SyncResult;
}

/**
 * What of the session's catalog data was dropped, when its files held products/offers/prices/stock
 * and none of them was applied by any file ("file: what; file: what"); undefined otherwise.
 */
export async function sessionDrops(db: Db, sessionId: number): Promise<string | undefined> {
  const rows = await db('commerceml_imports').where({ session_id: sessionId }).orderBy(['created_at', 'filename']).select('filename', 'dropped', 'data_applied');
  if (rows.some((r) => r.data_applied)) return undefined;
  const dropped = rows.filter((r) => r.dropped);
  return dropped.length ? dropped.map((r) => `${r.filename}: ${r.dropped}`).join('; ') : undefined;
}

export async function deactivateUnseen(
  deps: ImportDeps,
  session: { id: number; source_id: number; created_at: Date },
  kind = 'commerceml deactivate',
): Promise<DeactivateResult> {
  const db: Db = deps.db;
  const claimed = await db('commerceml_sessions').where({ id: session.id }).whereNull('deactivated_at').update({ deactivated_at: db.fn.now() }).returning('full_entities');
  if (!claimed.length) return { skipped: 'already done in this session' };
  const failed = await db('commerceml_imports').where({ session_id: session.id }).whereNot({ state: 'done' }).count<{ n: string }[]>({ n: '*' });
  if (Number(failed[0]!.n)) return { skipped: 'a file of this session did not import: nothing deactivated' };
  // droppedData=warning lets such a file answer success: its session still deletes nothing
  const dropped = await db('commerceml_imports').where({ session_id: session.id }).whereNotNull('dropped').first('filename');
  if (dropped) return { skipped: `${dropped.filename} applied none of its catalog data` };
  const entities = claimed[0]!.full_entities.filter(isKeyed);
  if (!entities.length) return { skipped: 'no full package in this session' };

  // The deletions belong to the data the session's files brought: keep the source's "as of".
  const src = await db('sources').where({ id: session.source_id }).first('as_of');
  const run = await openSyncRun(deps, { sourceId: session.source_id, kind, mode: 'delta', asOf: src?.as_of ?? null });
  try {
    for (const e of entities) {
      const { rows } = await db.raw(
        `SELECT t.external_id FROM ${TABLE_OF[e]} t
          WHERE t.source_id = ? AND NOT t.deleted AND t.updated_at < ?
            AND NOT EXISTS (SELECT 1 FROM commerceml_seen s WHERE s.session_id = ? AND s.entity = ? AND s.external_id = t.external_id)
            AND NOT EXISTS (SELECT 1 FROM commerceml_seen s JOIN commerceml_sessions o ON o.id = s.session_id
                             WHERE o.source_id = ? AND o.id <> ? AND o.last_seen_at >= ? AND s.entity = ? AND s.external_id = t.external_id)`,
        [session.source_id, session.created_at, session.id, e, session.source_id, session.id, session.created_at, e],
      );
      // A deletion mark needs only its key; the other fields are placeholders the core ignores.
      const marks = (rows as { external_id: string }[]).map((r) => ({
        externalId: r.external_id, name: r.external_id, productExternalId: r.external_id, deleted: true,
      }));
      if (marks.length) await run.add(e, marks as never);
    }
    return { sync: await run.commit() };
  } catch (err) {
    await run.abort(err as Error);
    throw err;
  }
}
