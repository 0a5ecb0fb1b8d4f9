// Reading `sources` rows by name (webhooks, pages that show a source).
import type { Db } from '../infra/db/knex.ts';

export interface SourceRow {
  id: number;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
}

export async function sourceByName(db: Db, name: string): Promise<SourceRow | undefined> {
  return db('sources').where({ name }).first('id', 'name', 'kind', 'settings');
}
