import type { Db } from '../infra/db/knex.ts';
import { initialOutbound } from '../mirror/outbound.ts';

export interface SourceSpec {
  name: string;
  kind: 'soap' | 'commerceml';
  title?: string;
  settings?: object;
}

/** Creates the source if it does not exist (settings are kept if it does); returns its id. */
export async function ensureSource(db: Db, s: SourceSpec): Promise<number> {
  const [row] = await db('sources')
    .insert({ name: s.name, kind: s.kind, title: s.title ?? s.name, settings: JSON.stringify(s.settings ?? {}), outbound: initialOutbound(s.kind) })
    .onConflict('name')
    .merge(['kind'])
    .returning('id');
  return row.id;
}
