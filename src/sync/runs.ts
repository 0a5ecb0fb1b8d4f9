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

/**
 * Runs left `running` by a process that stopped (SIGKILL, OOM, a lost machine): their database
 * backend is gone, so they can never finish. Marked failed with the reason; returns their ids.
 * The backend's pid is recorded by the run's own connection once it is open, so a pid that is no
 * longer in pg_stat_activity is a backend that ended — however young the run (a worker restarted
 * a second after a kill sweeps it at start). A run without a recorded backend (it died before
 * connecting) is swept after 10 minutes.
 */
export async function sweepAbandonedRuns(db: Db): Promise<number[]> {
  const { rows } = await db.raw<{ rows: { id: number }[] }>(
    `UPDATE sync_runs r SET state = 'failed', finished_at = clock_timestamp(),
            error = 'abandoned: the process running it stopped before it finished (nothing of it was applied)'
      WHERE r.state = 'running'
        AND CASE WHEN r.backend_pid IS NULL THEN r.started_at < now() - interval '10 minutes'
                 ELSE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.backend_pid) END
      RETURNING r.id`,
  );
  return rows.map((r) => r.id);
}

export async function markRunFailed(db: Db, id: number, error: string, counts?: object): Promise<void> {
  await db('sync_runs')
    .where({ id })
    .update({ state: 'failed', error: error.slice(0, 4000), finished_at: db.fn.now(), ...(counts ? { counts: JSON.stringify(counts) } : {}) });
}
