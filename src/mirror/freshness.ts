// How fresh each source's data is: the accounting system's own time of the data (as_of) and
// the state of its last run.
import type { Db } from '../infra/db/knex.ts';
import { ClearableWeakMap, registerCache } from '../infra/caches.ts';

export interface SourceFreshness {
  id: number;
  name: string;
  kind: string;
  as_of: string | null;
  last_success_at: string | null;
  stale: boolean;
  last_run: { id: number; kind: string; state: string; started_at: string; finished_at: string | null; error: string | null } | null;
}

export async function sourceFreshness(db: Db, staleAfterS: number): Promise<SourceFreshness[]> {
  const { rows } = await db.raw(
    `SELECT s.id, s.name, s.kind, s.as_of, s.last_success_at,
            (s.last_success_at IS NULL OR s.last_success_at < now() - make_interval(secs => ?)) AS stale,
            (SELECT json_build_object('id', r.id, 'kind', r.kind, 'state', r.state, 'started_at', r.started_at,
                                      'finished_at', r.finished_at, 'error', r.error)
               FROM sync_runs r WHERE r.source_id = s.id ORDER BY r.started_at DESC LIMIT 1) AS last_run
       FROM sources s ORDER BY s.id`,
    [staleAfterS],
  );
  return rows;
}

const asOfCache = registerCache('mirror.as-of', new ClearableWeakMap<Db, { at: number; value: Promise<string | null> }>());

/** The oldest source's as_of (what every price and stock figure is at least as fresh as); cached 2 s per process. */
export function mirrorAsOf(db: Db): Promise<string | null> {
  const hit = asOfCache.get(db);
  if (hit && Date.now() - hit.at < 2000) return hit.value;
  const value = db
    .raw('SELECT min(as_of) AS as_of FROM sources')
    .then((r) => (r.rows[0]?.as_of ? new Date(r.rows[0].as_of).toISOString() : null));
  value.catch(() => asOfCache.delete(db));
  asOfCache.set(db, { at: Date.now(), value });
  return value;
}
