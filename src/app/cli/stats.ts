import type { Db } from '../../infra/db/knex.ts';
import { CONNECTOR_TABLES, INFRA_TABLES, MIRROR_TABLES, STORE_TABLES } from '../../infra/db/tables.ts';
import { type SourceFreshness, sourceFreshness } from '../../mirror/freshness.ts';

export interface Stats {
  tables: Record<string, number>;
  sources: SourceFreshness[];
}

export async function collectStats(db: Db, staleAfterS: number): Promise<Stats> {
  const names = [...MIRROR_TABLES, ...STORE_TABLES, ...CONNECTOR_TABLES, ...INFRA_TABLES];
  const sql = names.map((t) => `SELECT '${t}' AS t, count(*)::bigint AS n FROM ${t}`).join(' UNION ALL ');
  const { rows } = await db.raw(sql);
  const tables: Record<string, number> = {};
  for (const r of rows as { t: string; n: number }[]) tables[r.t] = Number(r.n);
  return { tables, sources: await sourceFreshness(db, staleAfterS) };
}

export function formatStats(s: Stats): string {
  const width = Math.max(...Object.keys(s.tables).map((t) => t.length));
  const lines = Object.entries(s.tables).map(([t, n]) => `${t.padEnd(width)}  ${n}`);
  for (const src of s.sources) {
    lines.push(`source ${src.name} (${src.kind}): as of ${src.as_of ?? 'never'}, last run ${src.last_run?.state ?? 'none'}`);
  }
  return lines.join('\n');
}
