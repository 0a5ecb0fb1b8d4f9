// First loads skip staging: when a source has no rows of an entity yet and everything it refers
// to is already in its table, records are resolved in memory and COPYed straight into the
// mirror table (the same work as a raw COPY, plus a map lookup per reference).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyValue } from './copy-text.ts';
import type { EntitySpec } from './entities.ts';

/** More referenced rows than this and the id map would cost too much memory: stage instead. */
export const DIRECT_MAX_REFERENCED_ROWS = 2_000_000;

export interface UnknownRefs {
  count: number;
  sample: Set<string>;
}

/**
 * external id → id maps of referenced tables, brought up to date when the referenced entity grew.
 * A run that loads offers page by page between their prices (a SOAP sync does) would otherwise
 * read the whole growing table again before every chunk of prices: the rows it added since the
 * last read are the ones with a higher id (one sequence; the source's runs are one at a time).
 */
export class RefMaps {
  private maps = new Map<string, { map: Map<string, number>; version: number; maxId: number }>();
  constructor(
    private conn: pg.Client,
    private sourceId: number,
  ) {}

  async get(table: string, version: number): Promise<Map<string, number>> {
    const have = this.maps.get(table);
    if (have && have.version === version) return have.map;
    const since = have?.maxId ?? 0;
    const { rows } = await this.conn.query({
      text: `SELECT external_id, id FROM ${table} WHERE source_id = $1${have ? ' AND id > $2' : ''}`,
      values: have ? [this.sourceId, since] : [this.sourceId],
      rowMode: 'array',
    });
    const map = have?.map ?? new Map<string, number>();
    let maxId = since;
    for (const r of rows as [string, number][]) {
      const id = Number(r[1]);
      map.set(r[0], id);
      if (id > maxId) maxId = id;
    }
    this.maps.set(table, { map, version, maxId });
    return map;
  }

  async size(table: string): Promise<number> {
    const { rows } = await this.conn.query(`SELECT count(*)::int AS n FROM ${table} WHERE source_id = $1`, [this.sourceId]);
    return rows[0].n;
  }
}

export interface DirectChunkResult<R> {
  inserted: number;
  /** Records referring to a row the map lacks of a table that `deferFor` names: the caller stages them. */
  deferred: R[];
}

/**
 * COPYs one chunk into the mirror table. Throws the database error on a duplicate key (23505)
 * after rolling the chunk back, so the caller can fall back to staging.
 * `deferFor`: referenced tables whose entity is staged in this run — a row missing from their
 * map may still come with the run's merge, so such a record is handed back (to be staged and
 * resolved at commit) instead of being counted unknown.
 */
export async function copyChunkDirect<R extends { deleted?: boolean }>(
  conn: pg.Client,
  sourceId: number,
  spec: EntitySpec<R>,
  records: R[],
  refMaps: Map<string, Map<string, number>>,
  unknown: Map<string, UnknownRefs>,
  deferFor: ReadonlySet<string> = new Set(),
): Promise<DirectChunkResult<R>> {
  const lines: string[] = [];
  const deferred: R[] = [];
  const src = String(sourceId);
  outer: for (const r of records) {
    if (r.deleted) continue; // nothing to delete on a first load
    const fields = [src];
    for (const col of spec.columns) fields.push(copyValue(col.get(r), col.type));
    for (const ref of spec.refs) {
      const ext = ref.get(r);
      const id = ext === null || ext === undefined ? undefined : refMaps.get(ref.table)!.get(ext);
      if (id === undefined && ext !== null && ext !== undefined) {
        if (deferFor.has(ref.table)) {
          deferred.push(r);
          continue outer;
        }
        const u = unknown.get(ref.stage) ?? { count: 0, sample: new Set<string>() };
        unknown.set(ref.stage, u);
        u.count++;
        if (u.sample.size < 10) u.sample.add(ext);
        if (ref.required) continue outer;
      }
      fields.push(id === undefined ? '\\N' : String(id));
    }
    fields.push('f');
    lines.push(fields.join('\t'));
  }
  if (!lines.length) return { inserted: 0, deferred };
  const cols = ['source_id', ...spec.columns.map((c) => c.name), ...spec.refs.map((r) => r.target), 'deleted'];
  await conn.query('SAVEPOINT direct_copy');
  try {
    await pipeline(Readable.from([`${lines.join('\n')}\n`]), conn.query(copyFrom(`COPY ${spec.table} (${cols.join(', ')}) FROM STDIN`)));
    await conn.query('RELEASE SAVEPOINT direct_copy');
  } catch (err) {
    await conn.query('ROLLBACK TO SAVEPOINT direct_copy');
    throw err;
  }
  return { inserted: lines.length, deferred };
}
