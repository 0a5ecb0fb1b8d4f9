// What the console shows for a CommerceML source: 1C starts every exchange (the store cannot),
// so the useful view is its recent exchange sessions and the files each one imported.
import type { Db } from '../../../src/infra/db/knex.ts';

export interface ExchangeFile {
  filename: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: string;
  message: string;
  /** What of its catalog data was dropped (it held some and applied none), else null. */
  dropped: string | null;
  finished_at: Date | null;
}

export interface ExchangeActivity {
  id: number;
  type: 'catalog' | 'sale';
  state: 'open' | 'completed';
  created_at: Date;
  last_seen_at: Date;
  completed_at: Date | null;
  files: ExchangeFile[];
  /** Its files held catalog data and applied none of it: the console marks the exchange. */
  dropped: boolean;
}

/** The source's last `limit` exchange sessions, newest first, each with its imported files. */
export async function recentExchanges(db: Db, sourceId: number, limit = 5): Promise<ExchangeActivity[]> {
  const { rows } = await db.raw(
    `SELECT s.id, s.type, s.state, s.created_at, s.last_seen_at, s.completed_at,
            coalesce((SELECT json_agg(json_build_object('filename', i.filename, 'state', i.state, 'progress', i.progress,
                                                        'message', i.message, 'dropped', i.dropped, 'finished_at', i.finished_at) ORDER BY i.created_at, i.filename)
                        FROM commerceml_imports i WHERE i.session_id = s.id), '[]') AS files,
            EXISTS (SELECT 1 FROM commerceml_imports i WHERE i.session_id = s.id AND i.dropped IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM commerceml_imports i WHERE i.session_id = s.id AND i.data_applied) AS dropped
       FROM commerceml_sessions s
      WHERE s.source_id = ?
      ORDER BY s.created_at DESC, s.id DESC
      LIMIT ?`,
    [sourceId, limit],
  );
  return (rows as (Omit<ExchangeActivity, 'files'> & { id: string | number; files: (Omit<ExchangeFile, 'finished_at'> & { finished_at: string | null })[] })[]).map((r) => ({
    ...r,
    id: Number(r.id),
    files: r.files.map((f) => ({ ...f, finished_at: f.finished_at ? new Date(f.finished_at) : null })),
  }));
}
