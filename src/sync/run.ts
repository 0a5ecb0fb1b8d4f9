// A sync run: records are streamed in chunks into temp staging tables (COPY) inside one
// transaction; commit merges every entity in dependency order, marks deletions, moves the
// source's as_of/cursor, and only then publishes change events. Any failure rolls everything back.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connectionSettings, type Db } from '../infra/db/knex.ts';
import { log } from '../infra/log.ts';
import { endHoldsAfterStockSync } from '../mirror/order-status.ts';
import { ENTITY_ORDER, type EntityName, type MirrorRecords } from '../mirror/records.ts';
import { copyValue } from './copy-text.ts';
import { type EntitySpec, SPECS } from './entities.ts';
import { copyChunkDirect, DIRECT_MAX_REFERENCED_ROWS, RefMaps, type UnknownRefs } from './direct-load.ts';
import { publishChange } from './events.ts';
import { createStageSql, deleteSql, hasRowsSql, stageColumns, stageTable, unknownRefsSql, upsertSql } from './merge-sql.ts';
import { insertRun, markRunFailed, type RunProgress, updateRunProgress } from './runs.ts';
import type { EntityCounts, MirrorChangeEvent, SyncOptions, SyncResult, SyncWarning } from './types.ts';
import { SyncInputError, validateRecords } from './validate.ts';

export interface SyncDeps {
  db: Db;
  redis?: Redis;
  prefix?: string;
}

export class SyncError extends Error {
  constructor(
    message: string,
    readonly runId: number,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Most ids an event lists before it says `truncated` and consumers re-scan. */
const EVENT_CAP = 5000;
const PROGRESS_EVERY_MS = 250;

type PgConn = pg.Client;
const PgClient = pg.Client;

export interface SyncRun {
  readonly id: number;
  add<E extends EntityName>(entity: E, records: MirrorRecords[E][]): Promise<void>;
  progress(p: RunProgress): Promise<void>;
  /**
   * replaceByOffer: in a delta run, each offer carried for these entities is complete — its rows
   * the run does not list are marked deleted (a full offers/rests file split over packages).
   */
  commit(o?: { dryRun?: boolean; replaceByOffer?: ('stock' | 'prices')[] }): Promise<SyncResult>;
  abort(reason: Error | string): Promise<void>;
}

const ENTITY_BY_TABLE: Record<string, EntityName> = Object.fromEntries(Object.values(SPECS).map((s) => [s.table, s.entity]));

function unknownWarning(entity: EntityName, spec: EntitySpec<unknown>, stageCol: string, n: number, sample: string[]): SyncWarning {
  const ref = spec.refs.find((r) => r.stage === stageCol)!;
  return {
    entity,
    count: n,
    sample,
    message: ref.required
      ? `${n} ${entity} record(s) skipped: they refer to ${ref.table} the mirror does not have`
      : `${n} ${entity} record(s) refer to unknown ${ref.table}; the reference was left empty`,
  };
}

/** Columns the sync's joins and filters read: the key, the references, the deletion flag. */
function analyzedColumns(spec: EntitySpec<unknown>): string[] {
  return ['source_id', ...(spec.keyedBy === 'external_id' ? ['external_id'] : []), ...spec.refs.map((r) => r.target), 'deleted'];
}

const emptyCounts = (): EntityCounts => ({ received: 0, inserted: 0, updated: 0, deleted: 0, unchanged: 0, unknownRefs: 0 });

export async function openSyncRun(deps: SyncDeps, opts: SyncOptions): Promise<SyncRun> {
  const runId = await insertRun(deps.db, { sourceId: opts.sourceId, kind: opts.kind, mode: opts.mode });
  const startedAt = new Date();
  // A connection of its own, not the pool's: temp_buffers can only be raised before a session
  // first touches a temp table, and staging millions of rows in 8 MB of buffers spills to disk.
  const conn: PgConn = new PgClient(connectionSettings(deps.db));
  try {
    await conn.connect();
    await conn.query("SET temp_buffers = '256MB'; BEGIN; SET LOCAL work_mem = '64MB'");
    // Which backend runs it: a run whose backend is gone (the process was killed) is swept as failed.
    const { rows: [backend] } = await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await deps.db('sync_runs').where({ id: runId }).update({ backend_pid: backend!.pid });
  } catch (err) {
    await conn.end().catch((e: Error) => log.warn({ runId, err: e.message }, 'sync run: closing the connection that did not open failed'));
    await markRunFailed(deps.db, runId, `could not open a database transaction: ${(err as Error).message}`);
    throw err;
  }
  const counts: Partial<Record<EntityName, EntityCounts>> = {};
  const modes: Partial<Record<EntityName, 'direct' | 'staged'>> = {};
  const startedDirect = new Set<EntityName>();
  /** Entities loaded directly that also have a stage: records whose reference comes with this run's merge. */
  const stagedToo = new Set<EntityName>();
  const directUnknown = new Map<EntityName, Map<string, UnknownRefs>>();
  const refs = new RefMaps(conn, opts.sourceId);
  let state: 'open' | 'closed' = 'open';
  let lastProgress = 0;

  const release = async () => {
    state = 'closed';
    await conn.end().catch((e: Error) => log.warn({ runId, err: e.message }, 'sync run: closing its connection failed'));
  };
  const rollback = async (reason: string) => {
    if (state === 'closed') return;
    // closing the connection next rolls back too: a failed ROLLBACK loses nothing
    await conn.query('ROLLBACK').catch((e: Error) => log.warn({ runId, err: e.message }, 'sync run: ROLLBACK failed'));
    await release();
    await markRunFailed(deps.db, runId, reason, counts).catch((e: Error) =>
      log.error({ runId, reason, err: e.message }, 'sync run: recording the failure failed'),
    );
  };
  const ensureOpen = () => {
    if (state !== 'open') throw new SyncError(`sync run ${runId} is already finished`, runId);
  };
  /** Rolls the run back and throws once its signal says to stop. */
  const ensureWanted = async () => {
    if (!opts.signal?.aborted) return;
    const why = opts.signal.reason instanceof Error ? opts.signal.reason.message : String(opts.signal.reason ?? 'aborted');
    await rollback(`stopped: ${why}`);
    throw new SyncError(`sync run ${runId} stopped: ${why}`, runId, opts.signal.reason);
  };

  /** Direct (first load, no staging) or staged; see direct-load.ts. */
  async function chooseMode(entity: EntityName): Promise<'direct' | 'staged'> {
    const spec = SPECS[entity] as EntitySpec<unknown>;
    // Cheapest test first: almost every run after the first finds rows and stages.
    if ((await conn.query(hasRowsSql(spec), [opts.sourceId])).rows[0].has) return 'staged';
    // A referenced entity staged in this run does not force staging: rows it has yet to merge
    // are deferred to the stage chunk by chunk (see add), the rest goes in directly.
    for (const ref of spec.refs) if ((await refs.size(ref.table)) > DIRECT_MAX_REFERENCED_ROWS) return 'staged';
    return 'direct';
  }

  async function add<E extends EntityName>(entity: E, records: MirrorRecords[E][]): Promise<void> {
    const spec = SPECS[entity] as EntitySpec<MirrorRecords[E]>;
    let c = counts[entity];
    if (!c) {
      c = counts[entity] = emptyCounts();
      modes[entity] = await chooseMode(entity);
      if (modes[entity] === 'direct') startedDirect.add(entity);
      else await conn.query(createStageSql(spec as EntitySpec<unknown>));
    }
    validateRecords(entity, records, c.received);
    c.received += records.length;
    if (!records.length) return;
    if (modes[entity] === 'direct') {
      const maps = new Map<string, Map<string, number>>();
      for (const ref of spec.refs) maps.set(ref.table, await refs.get(ref.table, counts[ENTITY_BY_TABLE[ref.table]!]?.received ?? 0));
      const unknown = directUnknown.get(entity) ?? new Map();
      directUnknown.set(entity, unknown);
      const deferFor = new Set(spec.refs.filter((ref) => modes[ENTITY_BY_TABLE[ref.table]!] === 'staged').map((ref) => ref.table));
      try {
        const direct = await copyChunkDirect(conn, opts.sourceId, spec, records, maps, unknown, deferFor);
        c.inserted += direct.inserted;
        if (!direct.deferred.length) return;
        if (!stagedToo.has(entity)) await conn.query(createStageSql(spec as EntitySpec<unknown>));
        stagedToo.add(entity);
        await stage(entity, direct.deferred);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '23505') throw err;
        // The same key twice: from here on stage, so the merge keeps the last record.
        modes[entity] = 'staged';
        if (!stagedToo.has(entity)) await conn.query(createStageSql(spec as EntitySpec<unknown>));
      }
    }
    await stage(entity, records);
  }

  async function stage<E extends EntityName>(entity: E, records: MirrorRecords[E][]): Promise<void> {
    const spec = SPECS[entity] as EntitySpec<MirrorRecords[E]>;
    const getters = [
      ...spec.columns.map((col) => (r: MirrorRecords[E]) => copyValue(col.get(r), col.type)),
      ...spec.refs.map((ref) => (r: MirrorRecords[E]) => copyValue(ref.get(r), 'text')),
      (r: MirrorRecords[E]) => (r.deleted ? 't' : 'f'),
    ];
    const lines: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      lines[i] = getters.map((g) => g(r)).join('\t');
    }
    const sql = `COPY ${stageTable(spec as EntitySpec<unknown>)} (${stageColumns(spec as EntitySpec<unknown>).join(', ')}) FROM STDIN`;
    await pipeline(Readable.from([`${lines.join('\n')}\n`]), conn.query(copyFrom(sql)));
  }

  async function merge(entity: EntityName, event: MirrorChangeEvent, warnings: SyncWarning[], replaceByOffer: EntityName[]): Promise<void> {
    const spec = SPECS[entity] as EntitySpec<unknown>;
    const c = counts[entity]!;
    if (startedDirect.has(entity)) {
      // A first load: no per-row events (consumers re-scan) and nothing existed to delete.
      if (spec.events) event.truncated = true;
      for (const [stageCol, u] of directUnknown.get(entity) ?? []) {
        c.unknownRefs += u.count;
        warnings.push(unknownWarning(entity, spec, stageCol, u.count, [...u.sample]));
      }
      // Only the columns later joins and filters use: the statistics of big text, jsonb and
      // tsvector columns cost seconds on a large first load and no plan of the sync reads them.
      await conn.query(`ANALYZE ${spec.table} (${analyzedColumns(spec).join(', ')})`);
      if (modes[entity] === 'direct' && !stagedToo.has(entity)) return;
    }
    await conn.query(`ANALYZE ${stageTable(spec)}`);
    let up: { resolved: number; inserted: number; updated: number; crossed?: [number, number, string][]; changed_offers?: number[] };
    const initial = !(await conn.query(hasRowsSql(spec), [opts.sourceId])).rows[0].has;
    if (initial && spec.events) event.truncated = true; // a first load: consumers re-scan
    await conn.query('SAVEPOINT upsert');
    try {
      up = (await conn.query(upsertSql(spec, { dedupe: false, eventCap: EVENT_CAP, initial }), [opts.sourceId])).rows[0];
      await conn.query('RELEASE SAVEPOINT upsert');
    } catch (err) {
      // The same key twice in one run: keep the last record (rare, so the fast path skips the sort).
      const code = (err as { code?: string }).code;
      if (code !== '21000' && !(initial && code === '23505')) throw err;
      await conn.query('ROLLBACK TO SAVEPOINT upsert');
      up = (await conn.query(upsertSql(spec, { dedupe: true, eventCap: EVENT_CAP, initial }), [opts.sourceId])).rows[0];
    }
    c.inserted += up.inserted;
    c.updated += up.updated;
    c.unchanged += up.resolved - up.inserted - up.updated;
    collect(event, spec, up);

    for (const q of unknownRefsSql(spec)) {
      const { n, sample } = (await conn.query(q.sql, [opts.sourceId])).rows[0] as { n: number; sample: string[] | null };
      if (!n) continue;
      c.unknownRefs += n;
      warnings.push(unknownWarning(entity, spec, q.label, n, sample ?? []));
    }
    // Rows loaded directly in this run are not in the stage: "missing" would mean them.
    const hows: ('marked' | 'missing' | 'replaced')[] = ['marked'];
    if (opts.mode === 'full' && !startedDirect.has(entity)) hows.push('missing');
    else if (replaceByOffer.includes(entity) && !startedDirect.has(entity)) hows.push('replaced');
    for (const how of hows) {
      const d = (await conn.query(deleteSql(spec, how, EVENT_CAP), [opts.sourceId])).rows[0];
      c.deleted += d.deleted;
      collect(event, spec, d);
    }
  }

  function collect(event: MirrorChangeEvent, spec: EntitySpec<unknown>, row: { crossed?: [number, number, string][]; changed_offers?: number[] }) {
    if (!spec.events) return;
    const offers = row.changed_offers ?? [];
    const list = spec.events === 'stock' ? event.stockChangedOffers : event.priceChangedOffers;
    for (const id of offers) if (list.length <= EVENT_CAP) list.push(Number(id));
    if (offers.length > EVENT_CAP || list.length > EVENT_CAP) event.truncated = true;
    for (const x of row.crossed ?? []) if (event.stockCrossed.length <= EVENT_CAP) event.stockCrossed.push([Number(x[0]), Number(x[1]), String(x[2])]);
    if ((row.crossed?.length ?? 0) > EVENT_CAP || event.stockCrossed.length > EVENT_CAP) event.truncated = true;
  }

  return {
    id: runId,

    async add(entity, records) {
      ensureOpen();
      await ensureWanted();
      try {
        await add(entity, records);
      } catch (err) {
        await rollback(err instanceof SyncInputError ? `bad record: ${err.message}` : `staging ${entity} failed: ${(err as Error).message}`);
        throw err instanceof SyncInputError ? err : new SyncError(`sync run ${runId}: staging ${entity} failed: ${(err as Error).message}`, runId, err);
      }
    },

    async progress(p) {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_EVERY_MS && p.done !== p.total) return;
      lastProgress = now;
      await updateRunProgress(deps.db, runId, p);
    },

    async commit(o = {}) {
      ensureOpen();
      await ensureWanted();
      const event: MirrorChangeEvent = {
        sourceId: opts.sourceId,
        runId,
        at: new Date().toISOString(),
        stockCrossed: [],
        stockChangedOffers: [],
        priceChangedOffers: [],
        truncated: false,
      };
      const warnings: SyncWarning[] = [];
      try {
        const replace = o.replaceByOffer ?? [];
        for (const entity of ENTITY_ORDER) if (counts[entity]) await merge(entity, event, warnings, replace);
        const changed = Object.values(counts).some((c) => c.inserted || c.updated || c.deleted);
        const result: SyncResult = { runId, counts, warnings, changed };
        if (o.dryRun) {
          await conn.query('ROLLBACK');
          await release();
          await deps.db('sync_runs').where({ id: runId }).update({
            state: 'succeeded', kind: `${opts.kind} (dry run)`, counts: JSON.stringify(counts), warnings: JSON.stringify(warnings), finished_at: deps.db.fn.now(),
          });
          return result;
        }
        // the merge can take a while: a lock lost meanwhile must not commit
        opts.signal?.throwIfAborted();
        // Orders exported before this run are in the stock it brings: their holds end with it.
        if (counts.stock) event.stockChangedOffers.push(...(await endHoldsAfterStockSync(conn, opts.sourceId, runId)).slice(0, EVENT_CAP));
        const asOf = opts.asOf ?? startedAt;
        // Fenced twice: on the cursor this run began from and on the source's epoch (the token
        // every commit moves). The row lock of `sources` orders concurrent commits; the loser's
        // WHERE no longer matches and nothing of it is applied.
        const params: unknown[] = [opts.sourceId, asOf, opts.cursor ?? null];
        const fences: string[] = [];
        if (opts.expectCursor !== undefined) fences.push(`cursor IS NOT DISTINCT FROM $${params.push(opts.expectCursor)}`);
        if (opts.expectEpoch !== undefined) fences.push(`sync_epoch = $${params.push(opts.expectEpoch)}`);
        const moved = await conn.query(
          `UPDATE sources SET as_of = greatest(coalesce(as_of, $2), $2), cursor = coalesce($3, cursor), last_success_at = now(), sync_epoch = sync_epoch + 1
            WHERE id = $1 ${fences.map((f) => `AND ${f}`).join(' ')}`,
          params,
        );
        if (fences.length && moved.rowCount === 0) {
          const now = await conn.query<{ cursor: string | null; sync_epoch: string }>('SELECT cursor, sync_epoch FROM sources WHERE id = $1', [opts.sourceId]);
          const at = now.rows[0];
          const began = [
            ...(opts.expectCursor !== undefined ? [`cursor ${JSON.stringify(opts.expectCursor)}`] : []),
            ...(opts.expectEpoch !== undefined ? [`epoch ${opts.expectEpoch}`] : []),
          ];
          throw new SyncError(
            `overtaken: another sync of this source committed while this one was reading (cursor ${JSON.stringify(at?.cursor ?? null)}, epoch ${at?.sync_epoch ?? '?'}; this run began at ${began.join(', ')}); nothing of this run was applied`,
            runId,
          );
        }
        // clock_timestamp(), not now(): now() is the transaction's start, which would make a 12 s run look like 8 ms.
        await conn.query(
          `UPDATE sync_runs SET state = 'succeeded', counts = $2, warnings = $3, as_of = $4, finished_at = clock_timestamp(),
                  progress = jsonb_set(progress, '{message}', '"done"') WHERE id = $1`,
          [runId, JSON.stringify(counts), JSON.stringify(warnings), asOf],
        );
        await conn.query('COMMIT');
        await release();
        if (deps.redis && (event.stockChangedOffers.length || event.priceChangedOffers.length || event.truncated)) {
          // The mirror is committed; consumers also sweep periodically, so a lost event is late, not lost.
          await publishChange(deps.redis, deps.prefix ?? 'cp', event).catch((e: Error) => log.warn({ runId, err: e.message }, 'sync run: change event not published'));
        }
        return result;
      } catch (err) {
        const msg = `sync run ${runId} failed while applying: ${(err as Error).message}`;
        await rollback(msg);
        throw new SyncError(msg, runId, err);
      }
    },

    async abort(reason) {
      await rollback(typeof reason === 'string' ? reason : reason.message);
    },
  };
}

export type RecordBatch = { [E in EntityName]?: MirrorRecords[E][] };

/** Adds one entity's records of a batch; generic so the entity and its records stay paired. Returns how many. */
export async function addFromBatch<E extends EntityName>(run: SyncRun, batch: RecordBatch, entity: E): Promise<number> {
  const records: MirrorRecords[E][] | undefined = batch[entity];
  if (!records?.length) return 0;
  await run.add(entity, records);
  return records.length;
}

/** Applies a whole batch held in memory (small syncs, tests, webhooks). */
export async function applyBatch(deps: SyncDeps, opts: SyncOptions, batch: RecordBatch): Promise<SyncResult> {
  const run = await openSyncRun(deps, opts);
  for (const entity of ENTITY_ORDER) await addFromBatch(run, batch, entity);
  return run.commit();
}
