// SQL that moves one entity's staged rows into its mirror table. Generated from the entity
// specs so every entity gets the same guarantees: references resolved by join, no write when
// nothing changed, deletion marks, and full-run soft deletes.
import type { EntitySpec } from './entities.ts';

/** Staging tables get a run-local name; temp tables vanish at commit or rollback. */
export const stageTable = (spec: EntitySpec<unknown>) => `stage_${spec.table}`;

export function createStageSql(spec: EntitySpec<unknown>): string {
  const cols = [
    ...spec.columns.map((c) => `${c.name} ${c.type}`),
    ...spec.refs.map((r) => `${r.stage} text`),
    'deleted boolean NOT NULL',
  ];
  return `CREATE TEMP TABLE ${stageTable(spec)} (${cols.join(', ')}) ON COMMIT DROP`;
}

export function stageColumns(spec: EntitySpec<unknown>): string[] {
  return [...spec.columns.map((c) => c.name), ...spec.refs.map((r) => r.stage), 'deleted'];
}

/** Join clauses resolving each reference of the staged row `s` (alias r0, r1…). */
function refJoins(spec: EntitySpec<unknown>, which: 'all' | 'required'): string {
  return spec.refs
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => which === 'all' || r.required)
    .map(({ r, i }) => `${r.required ? 'JOIN' : 'LEFT JOIN'} ${r.table} r${i} ON r${i}.source_id = $1 AND r${i}.external_id = s.${r.stage}`)
    .join('\n      ');
}

function keyTargets(spec: EntitySpec<unknown>): string[] {
  return spec.keyedBy === 'external_id' ? ['external_id'] : spec.refs.filter((r) => r.required).map((r) => r.target);
}

/**
 * Upsert of the staged, non-deleted rows. Returns one row: resolved, inserted, updated, and —
 * for event entities — changed offer ids and stock rows whose availability crossed zero.
 * Statements in one WITH share a snapshot, so the outer query still sees the OLD stock rows.
 */
export function upsertSql(spec: EntitySpec<unknown>, opts: { dedupe: boolean; eventCap: number; initial?: boolean }): string {
  if (opts.initial) return initialInsertSql(spec, opts.dedupe);
  const t = spec.table;
  const dataCols = spec.columns.map((c) => c.name);
  const refTargets = spec.refs.map((r) => r.target);
  const targetCols = [...dataCols, ...refTargets];
  const keys = keyTargets(spec);
  const selectList = [...dataCols.map((c) => `s.${c}`), ...spec.refs.map((r, i) => `r${i}.id AS ${r.target}`)];
  const keyExprs = spec.keyedBy === 'external_id' ? ['s.external_id'] : spec.refs.flatMap((r, i) => (r.required ? [`r${i}.id`] : []));
  const distinct = opts.dedupe ? `DISTINCT ON (${keyExprs.join(', ')}) ` : '';
  const order = opts.dedupe ? `ORDER BY ${keyExprs.join(', ')}, s.ctid DESC` : '';
  const updatable = targetCols.filter((c) => !keys.includes(c));
  const returning = ['(xmax = 0) AS inserted', ...(spec.events ? ['t.offer_id'] : []), ...(spec.events === 'stock' ? ['t.warehouse_id', 't.quantity'] : [])];
  const cap = opts.eventCap + 1;
  const eventSelect =
    spec.events === 'stock'
      ? `,
      (SELECT coalesce(json_agg(json_build_array(x.offer_id, x.warehouse_id, x.quantity::text)), '[]') FROM (
         SELECT u.offer_id, u.warehouse_id, u.quantity FROM up u LEFT JOIN stock o ON o.offer_id = u.offer_id AND o.warehouse_id = u.warehouse_id
          WHERE (coalesce(o.quantity, 0) > 0 AND NOT coalesce(o.deleted, false)) <> (u.quantity > 0) LIMIT ${cap}) x) AS crossed,
      (SELECT coalesce(array_agg(x.offer_id), '{}') FROM (SELECT DISTINCT offer_id FROM up LIMIT ${cap}) x) AS changed_offers`
      : spec.events === 'prices'
        ? `,
      (SELECT coalesce(array_agg(x.offer_id), '{}') FROM (SELECT DISTINCT offer_id FROM up LIMIT ${cap}) x) AS changed_offers`
        : '';
  return `
    WITH src AS (
      SELECT ${distinct}${selectList.join(', ')}
      FROM ${stageTable(spec)} s
      ${refJoins(spec, 'all')}
      WHERE NOT s.deleted
      ${order}
    ), changed AS (
      -- Only new or different rows reach the INSERT: ON CONFLICT DO UPDATE locks (writes) every
      -- conflicting row even when its WHERE is false, so unchanged rows must not get there.
      SELECT src.* FROM src
      LEFT JOIN ${t} cur ON ${keys.map((k) => `cur.${k} = src.${k}`).join(' AND ')}${spec.keyedBy === 'external_id' ? ' AND cur.source_id = $1' : ''}
      WHERE cur.${keys[0]} IS NULL
         OR (${[...updatable.map((c) => `cur.${c}`), 'cur.deleted'].join(', ')}) IS DISTINCT FROM (${[...updatable.map((c) => `src.${c}`), 'false'].join(', ')})
    ), up AS (
      INSERT INTO ${t} AS t (source_id, ${targetCols.join(', ')}, deleted)
      SELECT $1, ${targetCols.join(', ')}, false FROM changed
      ON CONFLICT (${spec.keyedBy === 'external_id' ? 'source_id, external_id' : keys.join(', ')}) DO UPDATE SET
        ${[...updatable.map((c) => `${c} = EXCLUDED.${c}`), 'source_id = EXCLUDED.source_id', 'deleted = false', 'updated_at = now()'].join(',\n        ')}
      WHERE (${[...updatable.map((c) => `t.${c}`), 't.deleted'].join(', ')}) IS DISTINCT FROM (${[...updatable.map((c) => `EXCLUDED.${c}`), 'false'].join(', ')})
      RETURNING ${returning.join(', ')}
    )
    SELECT (SELECT count(*) FROM src)::int AS resolved,
      (SELECT count(*) FROM up WHERE inserted)::int AS inserted,
      (SELECT count(*) FROM up WHERE NOT inserted)::int AS updated${eventSelect}`;
}

/** The target has no rows of this source yet: a plain INSERT (no conflict checks, no per-row events). */
function initialInsertSql(spec: EntitySpec<unknown>, dedupe: boolean): string {
  const dataCols = spec.columns.map((c) => c.name);
  const targetCols = [...dataCols, ...spec.refs.map((r) => r.target)];
  const selectList = [...dataCols.map((c) => `s.${c}`), ...spec.refs.map((_r, i) => `r${i}.id`)];
  const keyExprs = spec.keyedBy === 'external_id' ? ['s.external_id'] : spec.refs.flatMap((r, i) => (r.required ? [`r${i}.id`] : []));
  return `
    WITH ins AS (
      INSERT INTO ${spec.table} (source_id, ${targetCols.join(', ')}, deleted)
      SELECT ${dedupe ? `DISTINCT ON (${keyExprs.join(', ')}) ` : ''}$1::int, ${selectList.join(', ')}, false
      FROM ${stageTable(spec)} s
      ${refJoins(spec, 'all')}
      WHERE NOT s.deleted
      ${dedupe ? `ORDER BY ${keyExprs.join(', ')}, s.ctid DESC` : ''}
      RETURNING 1
    )
    SELECT count(*)::int AS resolved, count(*)::int AS inserted, 0 AS updated FROM ins`;
}

export const hasRowsSql = (spec: EntitySpec<unknown>) => `SELECT EXISTS (SELECT 1 FROM ${spec.table} WHERE source_id = $1) AS has`;

/** Rows matched by a deletion mark in the stage (explicit) or absent from it (full run). */
export function deleteSql(spec: EntitySpec<unknown>, how: 'marked' | 'missing' | 'replaced', eventCap: number): string {
  const t = spec.table;
  let from: string;
  let where: string;
  if (spec.keyedBy === 'external_id') {
    if (how === 'marked') {
      from = `FROM ${stageTable(spec)} s`;
      where = 's.deleted AND t.external_id = s.external_id';
    } else {
      from = '';
      where = `NOT EXISTS (SELECT 1 FROM ${stageTable(spec)} s WHERE s.external_id = t.external_id)`;
    }
  } else {
    const req = spec.refs.map((r, i) => ({ r, i })).filter(({ r }) => r.required);
    if (how === 'replaced') {
      // Rows of the offers this run carries that the run no longer lists (a warehouse dropped
      // from an offer's stock, a price type from its prices).
      const o = req.find(({ r }) => r.stage === 'offer_ext')!;
      from = `FROM ${req.map(({ r, i }) => `${r.table} r${i}`).join(', ')}`;
      where = [
        ...req.map(({ r, i }) => `r${i}.id = t.${r.target}`),
        `r${o.i}.external_id IN (SELECT s.offer_ext FROM ${stageTable(spec)} s)`,
        `NOT EXISTS (SELECT 1 FROM ${stageTable(spec)} s WHERE ${req.map(({ r, i }) => `s.${r.stage} = r${i}.external_id`).join(' AND ')})`,
      ].join(' AND ');
    } else if (how === 'marked') {
      from = `FROM ${stageTable(spec)} s ${req.map(({ r, i }) => `JOIN ${r.table} r${i} ON r${i}.source_id = $1 AND r${i}.external_id = s.${r.stage}`).join(' ')}`;
      where = ['s.deleted', ...req.map(({ r, i }) => `t.${r.target} = r${i}.id`)].join(' AND ');
    } else {
      from = `FROM ${req.map(({ r, i }) => `${r.table} r${i}`).join(', ')}`;
      where = [
        ...req.map(({ r, i }) => `r${i}.id = t.${r.target}`),
        `NOT EXISTS (SELECT 1 FROM ${stageTable(spec)} s WHERE ${req.map(({ r, i }) => `s.${r.stage} = r${i}.external_id`).join(' AND ')})`,
      ].join(' AND ');
    }
  }
  const returning = ['1 AS one', ...(spec.events ? ['t.offer_id'] : []), ...(spec.events === 'stock' ? ['t.warehouse_id', 't.quantity'] : [])];
  const cap = eventCap + 1;
  const eventSelect =
    spec.events === 'stock'
      ? `, (SELECT coalesce(json_agg(json_build_array(x.offer_id, x.warehouse_id, '0')), '[]') FROM (SELECT offer_id, warehouse_id FROM d WHERE quantity > 0 LIMIT ${cap}) x) AS crossed,
         (SELECT coalesce(array_agg(x.offer_id), '{}') FROM (SELECT DISTINCT offer_id FROM d LIMIT ${cap}) x) AS changed_offers`
      : spec.events === 'prices'
        ? `, (SELECT coalesce(array_agg(x.offer_id), '{}') FROM (SELECT DISTINCT offer_id FROM d LIMIT ${cap}) x) AS changed_offers`
        : '';
  return `
    WITH d AS (
      UPDATE ${t} t SET deleted = true, updated_at = now()
      ${from}
      WHERE t.source_id = $1 AND NOT t.deleted AND ${where}
      RETURNING ${returning.join(', ')}
    )
    SELECT (SELECT count(*) FROM d)::int AS deleted${eventSelect}`;
}

/** Records skipped or nulled for references the mirror does not know: a count and a sample. */
export function unknownRefsSql(spec: EntitySpec<unknown>): { sql: string; label: string }[] {
  return spec.refs.map((r, i) => {
    const label = spec.keyedBy === 'external_id' ? `'${r.stage.replace('_ext', '')} ' || s.${r.stage} || ' (of ' || s.external_id || ')'` : `s.${r.stage}`;
    return {
      label: r.stage,
      sql: `SELECT count(*)::int AS n, (array_agg(DISTINCT ${label}))[1:10] AS sample
              FROM ${stageTable(spec)} s LEFT JOIN ${r.table} r${i} ON r${i}.source_id = $1 AND r${i}.external_id = s.${r.stage}
             WHERE NOT s.deleted AND s.${r.stage} IS NOT NULL AND r${i}.id IS NULL`,
    };
  });
}
