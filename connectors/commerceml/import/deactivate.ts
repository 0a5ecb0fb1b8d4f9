// `deactivate` after a full package: rows of this source that no file of the session carried
// are marked deleted (soft; a later package brings them back). Only entities the session
// declared complete (СодержитТолькоИзменения=false) are touched, and only when every file of
// the session imported successfully — a failed file must not turn into mass deletion.
import type { Db } from '../../../src/infra/db/knex.ts';
import { openSyncRun, type SyncResult } from '../../../src/sync/index.ts';
import type { ImportDeps } from './catalog-import.ts';
import { isKeyed, TABLE_OF } from './seen.ts';

export interface DeactivateResult {
  skipped?: string;
  sync?: SyncResult;
}

export async function deactivateUnseen(deps: ImportDeps, session: { id: number; source_id: number }): Promise<DeactivateResult> {
  const db: Db = deps.db;
  const claimed = await db('commerceml_sessions').where({ id: session.id }).whereNull('deactivated_at').update({ deactivated_at: db.fn.now() }).returning('full_entities');
  if (!claimed.length) return { skipped: 'already done in this session' };
  const failed = await db('commerceml_imports').where({ session_id: session.id }).whereNot({ state: 'done' }).count<{ n: string }[]>({ n: '*' });
  if (Number(failed[0]!.n)) return { skipped: 'a file of this session did not import: nothing deactivated' };
  const entities = claimed[0]!.full_entities.filter(isKeyed);
  if (!entities.length) return { skipped: 'no full package in this session' };

  // The deletions belong to the data the session's files brought: keep the source's "as of".
  const src = await db('sources').where({ id: session.source_id }).first('as_of');
  const run = await openSyncRun(deps, { sourceId: session.source_id, kind: 'commerceml deactivate', mode: 'delta', asOf: src?.as_of ?? null });
  try {
    for (const e of entities) {
      const { rows } = await db.raw(
        `SELECT t.external_id FROM ${TABLE_OF[e]} t
          WHERE t.source_id = ? AND NOT t.deleted
            AND NOT EXISTS (SELECT 1 FROM commerceml_seen s WHERE s.session_id = ? AND s.entity = ? AND s.external_id = t.external_id)`,
        [session.source_id, session.id, e],
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
