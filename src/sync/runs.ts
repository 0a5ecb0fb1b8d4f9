// The sync_runs rows: written outside the apply transaction so progress is visible while a run
// works and a failure is recorded after the rollback.
import type { Db } from '../infra/db/knex.ts';

export interface RunProgress {
  done?: number;
  total?: number;
  message?: string;
}

export async function insertRun(db: Db, r: { sourceId: number; kind: string; mode: 'full' | 'delta' }): Promise<number> {
  const [row] = await db('sync_runs').insert({ source_id: r.sourceId, kind: r.kind, mode: r.mode, state: 'running' }).returning('id');
  return row.id;
}

export async function updateRunProgress(db: Db, id: number, p: RunProgress): Promise<void> {
  await db('sync_runs').where({ id, state: 'running' }).update({ progress: JSON.stringify(p) });
}

export async function markRunFailed(db: Db, id: number, error: string, counts?: object): Promise<void> {
  await db('sync_runs')
    .where({ id })
    .update({ state: 'failed', error: error.slice(0, 4000), finished_at: db.fn.now(), ...(counts ? { counts: JSON.stringify(counts) } : {}) });
}
