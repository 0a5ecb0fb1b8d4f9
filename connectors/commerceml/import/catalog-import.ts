// Imports one uploaded CommerceML file into the mirror: streams it through the parser, hands
// the records to ONE sync run in bounded chunks and commits once — a broken file changes
// nothing. Order documents found in the file go to the order-status importer.
import type { Redis } from 'ioredis';
import type { BlobStore } from '../../../src/infra/blob/index.ts';
import type { Db } from '../../../src/infra/db/knex.ts';
import { log } from '../../../src/infra/log.ts';
import { ENTITY_ORDER, type EntityName } from '../../../src/mirror/records.ts';
import { addFromBatch, type EntityCounts, openSyncRun, type SyncResult, type SyncRun } from '../../../src/sync/index.ts';
import { mapDocument, type OrderDocument } from '../parse/documents.ts';
import { CommerceMLError } from '../parse/errors.ts';
import { parseCommerceML, type ParseResult, type RecordBatch } from '../parse/parse-file.ts';
import { emptyClassifier } from '../parse/records-map.ts';
import { lenientDate } from '../parse/values.ts';
import { applyOrderDocuments, type StatusImportResult, settlementLines, unmappedLines } from '../sale/status-import.ts';
import type { UploadFile } from '../exchange/files.ts';
import { loadClassifier } from '../exchange/sessions.ts';
import { parseSettings } from '../settings.ts';
import { PictureResolver } from './pictures.ts';
import { recordSeen } from './seen.ts';

export interface ImportDeps {
  db: Db;
  blobs: BlobStore;
  redis?: Redis;
  prefix?: string;
}

export interface FileImportResult {
  parse: Omit<ParseResult, 'header'>;
  sync?: SyncResult;
  orders?: StatusImportResult;
  /** Lines for 1C's log after `success` (or after `failure` when `dropped`). */
  summary: string[];
  /**
   * The file held products/offers/prices/stock and none of it was applied: what was dropped.
   * The import then answers `failure` unless the source's `droppedData` setting is 'warning'.
   */
  dropped?: string;
  /** Some of its products/offers/prices/stock reached the mirror. */
  dataApplied: boolean;
  failed: boolean;
}

const MAX_DOCUMENTS = 10_000;
/** Records per chunk handed to the sync run (all entities together). */
const BATCH = 5_000;

/** The accounting system's time of the data, from the root's ДатаФормирования. */
async function sniffGeneratedAt(file: UploadFile): Promise<Date | null> {
  const head: Buffer[] = [];
  for await (const c of await file.open({ start: 0, end: 4096 })) head.push(c as Buffer);
  const m = /ДатаФормирования="([^"]+)"/.exec(Buffer.concat(head).toString('utf8'));
  const d = lenientDate(m?.[1]);
  if (!d) return null;
  // 1C writes its local time without a zone: read it as this server's local time, and never
  // let a clock difference put the mirror's "as of" in the future.
  const local = new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  return local.getTime() > Date.now() ? new Date() : local;
}

/** Offers whose whole id is a product id (2.04 catalogs list characteristics as products). */
async function fixCharacteristicProducts(db: Db, sourceId: number, sessionId: number, batch: RecordBatch): Promise<void> {
  const offers = batch.offers?.filter((o) => o.externalId.includes('#'));
  if (!offers?.length) return;
  const ids = offers.map((o) => o.externalId);
  const { rows } = await db.raw(
    `SELECT external_id FROM products WHERE source_id = ? AND external_id = ANY(?)
     UNION SELECT external_id FROM commerceml_seen WHERE session_id = ? AND entity = 'products' AND external_id = ANY(?)`,
    [sourceId, ids, sessionId, ids],
  );
  const whole = new Set((rows as { external_id: string }[]).map((r) => r.external_id));
  for (const o of offers) if (whole.has(o.externalId)) o.productExternalId = o.externalId;
}

export async function importCatalogFile(
  deps: ImportDeps,
  s: { sessionId: number; sourceId: number; file: UploadFile; filename: string; /** The session's upload area (pictures are looked up there). */ area: string },
  onProgress: (text: string) => Promise<void>,
): Promise<FileImportResult> {
  const size = s.file.size;
  const asOf = await sniffGeneratedAt(s.file);
  const classifier = (await loadClassifier(deps.db, { id: s.sessionId, source_id: s.sourceId })) ?? emptyClassifier();
  const classifierBefore = JSON.stringify(classifier);
  let run: SyncRun | undefined;
  let read = 0;
  let lastReport = 0;
  const received: Partial<Record<EntityName, number>> = {};
  const docs: OrderDocument[] = [];
  const pictures = new PictureResolver(deps, s.sourceId, s.area);

  const input = (async function* () {
    for await (const c of await s.file.open()) {
      read += (c as Buffer).length;
      yield c as Buffer;
    }
  })();
  const report = async (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 500) return;
    lastReport = now;
    const pct = size ? Math.floor((read / size) * 100) : 100;
    const what = Object.entries(received).map(([e, n]) => `${e} ${n}`).join(', ');
    const text = `${s.filename}: ${pct}% read${what ? ` (${what})` : ''}`;
    await onProgress(text);
    await run?.progress({ done: read, total: size, message: text });
  };

  // One batch is written while the parser reads the next: parsing (this process) and COPY
  // (the database) overlap instead of taking turns. At most one batch is in flight.
  const apply = async (batch: RecordBatch) => {
    run ??= await openSyncRun(deps, { sourceId: s.sourceId, kind: 'commerceml', mode: 'delta', asOf });
    // The session's list of delivered ids is written on a pool connection beside the run's COPY;
    // its failure is kept as a value until awaited, so a failing COPY leaves no unhandled rejection.
    const seen = recordSeen(deps.db, s.sessionId, batch).then(
      () => null,
      (failed: unknown) => ({ failed }),
    );
    const seenDone = async () => {
      const outcome = await seen;
      if (outcome) throw outcome.failed;
    };
    // offers of characteristic products look the batch's own products up in that list
    if (batch.products?.length && batch.offers?.some((o) => o.externalId.includes('#'))) await seenDone();
    await fixCharacteristicProducts(deps.db, s.sourceId, s.sessionId, batch);
    await pictures.resolve(batch);
    for (const e of ENTITY_ORDER) {
      const n = await addFromBatch(run, batch, e);
      if (n) received[e] = (received[e] ?? 0) + n;
    }
    await seenDone();
    await report();
  };
  // The batch in flight keeps its failure as a value (not an unhandled rejection while the
  // parser reads on); settle() throws it where it is awaited: at the next batch or after the parse.
  let inflight: Promise<{ failed: unknown } | null> = Promise.resolve(null);
  const settle = async () => {
    const outcome = await inflight;
    inflight = Promise.resolve(null);
    if (outcome) throw outcome.failed;
  };
  let parsed: ParseResult;
  try {
    parsed = await parseCommerceML(input, {
      classifier,
      batchSize: BATCH,
      onDocument: (d, place) => {
        if (docs.length >= MAX_DOCUMENTS) throw new CommerceMLError(`more than ${MAX_DOCUMENTS} documents in one file`);
        docs.push(mapDocument(d, place.container));
      },
      onBatch: async (batch) => {
        await settle();
        inflight = apply(batch).then(
          () => null,
          (failed: unknown) => ({ failed }),
        );
      },
    });
    await settle();
  } catch (err) {
    // The parse failed while a batch was in flight: the file's error is thrown, the batch's logged.
    const outcome = await inflight;
    if (outcome) log.warn({ file: s.filename, err: (outcome.failed as Error)?.message }, 'commerceml import: a batch failed too while the file failed');
    await run?.abort(err as Error);
    throw err;
  }
  await onProgress(`${s.filename}: read, applying to the mirror`);
  // A full offers/rests file states each offer's whole stock and prices: what it no longer
  // lists for an offer it carries is gone (split packages each carry their own offers).
  const replaceByOffer = (['stock', 'prices'] as const).filter((e) => parsed.fullEntities.includes(e));
  const sync = run ? await run.commit({ replaceByOffer: [...replaceByOffer] }) : undefined;
  const orders = docs.length ? await applyOrderDocuments(deps, s.sourceId, docs) : undefined;

  const updates: Record<string, unknown> = {};
  if (JSON.stringify(classifier) !== classifierBefore) updates.classifier = JSON.stringify(classifier);
  if (Object.keys(updates).length) await deps.db('commerceml_sessions').where({ id: s.sessionId }).update(updates);
  if (parsed.fullEntities.length) {
    await deps.db.raw(
      `UPDATE commerceml_sessions SET full_entities = ARRAY(SELECT DISTINCT unnest(full_entities || ?::text[])) WHERE id = ?`,
      [parsed.fullEntities, s.sessionId],
    );
  }
  const { header: _h, ...rest } = parsed;
  const entities = entityReport(parsed, sync);
  const dropped = droppedData(parsed, entities);
  const src = await deps.db('sources').where({ id: s.sourceId }).first('settings');
  const settings = parseSettings(src?.settings);
  const failed = dropped !== undefined && (typeof settings === 'string' || settings.droppedData === 'failure');
  const summary = [...summarize(s.filename, parsed, entities, sync, orders), ...pictures.lines()];
  if (dropped) summary.unshift(`${failed ? '' : 'warning: '}${s.filename}: nothing of its catalog data was applied — ${dropped}`);
  const dataApplied = entities.some((r) => DATA_ENTITIES.includes(r.entity) && r.applied > 0);
  // The run says what its file held and did not reach it, as the answer does: records the parser
  // skipped (the core never saw them) and elements no reader took — and a drop, which the console
  // marks (src/store/console/console-data.ts).
  const runWarnings: RunWarning[] = parseWarnings(parsed);
  if (dropped) runWarnings.push({ entity: 'catalog', message: `${s.filename}: nothing of its catalog data was applied — ${dropped}`, count: 1, sample: [], dropped: true });
  if (runWarnings.length && sync?.runId) {
    await deps.db.raw(`UPDATE sync_runs SET warnings = coalesce(warnings, '[]'::jsonb) || ?::jsonb WHERE id = ?`, [JSON.stringify(runWarnings), sync.runId]);
  }
  return { parse: rest, sync, orders, summary, dropped, dataApplied, failed };
}

/** Read / applied / skipped per entity, with the reason of each skip. */
export interface EntityReport {
  entity: EntityName;
  read: number;
  applied: number;
  counts?: EntityCounts;
  skipped: { reason: string; count: number; sample?: string[] }[];
}

const DATA_ENTITIES: EntityName[] = ['products', 'offers', 'prices', 'stock'];
/** Unread elements that would have been catalog data (not classifier noise). */
const DATA_ELEMENTS = new Set(['Товар', 'Предложение', 'Цены', 'Цена', 'Остатки', 'Остаток', 'Склад']);

function entityReport(p: ParseResult, sync?: SyncResult): EntityReport[] {
  const out: EntityReport[] = [];
  for (const e of ENTITY_ORDER) {
    const c = sync?.counts[e];
    const read = Math.max(p.read[e] ?? 0, c?.received ?? 0);
    if (!read) continue;
    const skipped: EntityReport['skipped'] = Object.entries(p.skipped[e] ?? {}).map(([reason, count]) => ({ reason, count }));
    let applied = 0;
    if (c) {
      applied = Math.min(c.received, c.inserted + c.updated + c.unchanged + c.deleted);
      let known = 0;
      for (const w of sync!.warnings) {
        if (w.entity !== e || !/skipped/.test(w.message)) continue;
        known += w.count;
        skipped.push({ reason: w.message.replace(/^\d+ \S+ record\(s\) skipped: /, ''), count: w.count, sample: w.sample });
      }
      const rest = c.received - applied - known;
      if (rest > 0) skipped.push({ reason: 'the same Ид repeated in the file (the last one kept), or a deletion mark for a row the mirror does not have', count: rest });
    }
    out.push({ entity: e, read, applied, ...(c ? { counts: c } : {}), skipped });
  }
  return out;
}

/** A warning in `sync_runs.warnings` (the core's shape; `catalog` for what concerns the file). */
interface RunWarning {
  entity: EntityName | 'catalog';
  message: string;
  count: number;
  sample: string[];
  dropped?: true;
}

/** What the parser did not hand to the sync run, in the run's warning shape. */
function parseWarnings(p: ParseResult): RunWarning[] {
  const out: RunWarning[] = [];
  for (const e of ENTITY_ORDER) {
    for (const [reason, count] of Object.entries(p.skipped[e] ?? {})) out.push({ entity: e, message: `${count} ${e} record(s) skipped: ${reason}`, count, sample: [] });
  }
  for (const [i, u] of p.unread.entries()) out.push({ entity: 'catalog', message: p.notes[i]!, count: u.count, sample: [] });
  return out;
}

function droppedData(p: ParseResult, report: EntityReport[]): string | undefined {
  const data = report.filter((r) => DATA_ENTITIES.includes(r.entity));
  const unread = p.unread.filter((u) => DATA_ELEMENTS.has(u.path.split('/').pop()!));
  if (data.some((r) => r.applied > 0)) return undefined;
  // Deletion marks for rows the mirror never had change nothing, and rightly so: not a drop.
  if (!unread.length && data.every((r) => r.read <= (p.marks[r.entity] ?? 0))) return undefined;
  const parts = data.map((r) => `${r.entity} ${r.read} dropped (${r.skipped.map((s) => s.reason).join('; ') || 'not applied'})`);
  for (const u of unread) parts.push(`${u.count} <${u.path.split('/').pop()}> at ${u.path} not read`);
  return parts.length ? parts.join('; ') : undefined;
}

function summarize(filename: string, p: ParseResult, report: EntityReport[], sync?: SyncResult, orders?: StatusImportResult): string[] {
  const lines: string[] = [];
  const parts = report.map((r) => {
    const c = r.counts;
    const detail = c ? ` (new ${c.inserted}, changed ${c.updated}, deleted ${c.deleted}, unchanged ${c.unchanged})` : '';
    const skipped = r.read - r.applied;
    return `${r.entity} ${r.read} read, ${r.applied} applied${detail}${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  });
  lines.push(`${filename} (CommerceML ${p.version ?? '?'}): ${parts.join('; ') || 'no catalog records'}`);
  if (p.properties || p.units) lines.push(`classifier: ${p.properties} properties, ${p.units} units`);
  if (orders) lines.push(`orders: ${orders.updated} updated, ${orders.unknown.length} unknown`, ...unmappedLines(orders.unmapped), ...settlementLines(orders));
  for (const r of report) {
    for (const s of r.skipped) {
      lines.push(`warning: ${s.count} ${r.entity} record(s) skipped: ${s.reason}${s.sample?.length ? ` (e.g. ${s.sample.slice(0, 3).join(', ')})` : ''}`);
    }
  }
  // Warnings the core raised that did not skip anything (e.g. a reference left empty).
  for (const w of sync?.warnings ?? []) {
    if (!/skipped/.test(w.message)) lines.push(`warning: ${w.message} (e.g. ${w.sample.slice(0, 3).join(', ')})`);
  }
  for (const n of p.notes) lines.push(`warning: ${n}`);
  return lines;
}
