// What the BullMQ job does for one `mode=import` file: unpack the session's archive once,
// import the file, and record the outcome where the exchange endpoint reads it (the
// commerceml_imports row), so 1C's repeated `import` calls see progress, then success/failure.
import crypto from 'node:crypto';
import { type JobsOptions, UnrecoverableError } from 'bullmq';
import { log } from '../../../src/infra/log.ts';
import { QUEUES } from '../../../src/infra/queue/names.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { SyncInputError } from '../../../src/sync/index.ts';
import { DEFAULT_UPLOAD_PREFIX, listUploads, sessionPrefix, UploadError } from '../exchange/files.ts';
import { getSession } from '../exchange/sessions.ts';
import { sessionFile, unzipInto } from '../exchange/unzip.ts';
import { CommerceMLError } from '../parse/errors.ts';
import { limitsSchema, parseSettings } from '../settings.ts';
import { importCatalogFile } from './catalog-import.ts';
import { scheduleQuietCheck } from './quiet.ts';

export const COMMERCEML_IMPORT_JOB = QUEUES.commercemlImport;

export interface ImportJobData {
  sessionId: number;
  filename: string;
  /** The blob-store prefix of the endpoint's uploads (`exchange` unless the router was told otherwise). */
  uploadPrefix: string;
}

export { DEFAULT_UPLOAD_PREFIX };

/**
 * How often the worker running a file stamps its heartbeat (commerceml_imports.heartbeat_at),
 * and how old a heartbeat may be before the watchers take the worker for gone. The heartbeat is
 * in PostgreSQL, so it outlives a Redis restarted empty that took the job away.
 */
export const HEARTBEAT_MS = 5000;
export const HEARTBEAT_STALE_MS = 4 * HEARTBEAT_MS;

/**
 * The import job of one file of a session: one job id per (session, file), so whoever enqueues
 * it again (the endpoint, or the reconciler after Redis lost it) adds nothing while it exists.
 * The session token keeps job ids unique even if session ids are ever reused (restored database).
 */
export function importJob(session: { id: number; token: string }, filename: string, uploadPrefix: string): { data: ImportJobData; opts: JobsOptions } {
  const jobId = `cml-${session.token.slice(0, 16)}-${crypto.createHash('sha1').update(filename).digest('hex').slice(0, 16)}`;
  return { data: { sessionId: session.id, filename, uploadPrefix }, opts: { jobId, attempts: 3, backoff: { type: 'exponential', delay: 1000 } } };
}

/**
 * Errors that say the data is wrong: retrying cannot help, 1C gets `failure` at once. Postgres
 * data exceptions (class 22: a value out of range, a tsvector too long) and program limits
 * (class 54: "index row requires … bytes") are the data's fault too, however the sync core wraps them.
 */
export function isFinal(err: unknown): boolean {
  if (err instanceof CommerceMLError || err instanceof UploadError || err instanceof SyncInputError) return true;
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  return false;
}

/**
 * Unpacks archives of the session not unpacked yet, once each. The session row is locked while
 * unpacking, so two import jobs of one session neither unpack the same archive twice nor both
 * spend the session's unpack budget (maxUnzippedBytes counts every archive of the session).
 * Only archives 1C uploaded are unpacked — never one that came out of an archive.
 * Returns the session's unpacked archives, in the order they were unpacked.
 */
export async function ensureUnpacked(rt: Pick<Runtime, 'db' | 'blobs'>, sessionId: number, area: string, onProgress: (t: string) => Promise<void>): Promise<string[]> {
  const first = await getSession(rt.db, sessionId);
  const uploaded = (await listUploads(rt.blobs, area)).filter((f) => f.toLowerCase().endsWith('.zip') && !first.unpacked.includes(f));
  if (!uploaded.length) return first.unpacked;
  const src = await rt.db('sources').where({ id: first.source_id }).first('settings');
  const settings = parseSettings(src?.settings);
  const limits = typeof settings === 'string' ? limitsSchema.parse({}) : settings.limits;
  return rt.db.transaction(async (trx) => {
    const session = await trx('commerceml_sessions').where({ id: sessionId }).forUpdate().first('unpacked', 'unzipped_bytes');
    if (!session) throw new Error(`exchange session ${sessionId} does not exist`);
    let used = Number(session.unzipped_bytes);
    const unpacked: string[] = [...session.unpacked];
    for (const z of uploaded) {
      if (unpacked.includes(z)) continue;
      await onProgress(`Распаковка архива ${z}`);
      const r = await unzipInto(rt.blobs, area, z, { ...limits, alreadyUnzipped: used });
      used += r.bytes;
      unpacked.push(z);
      await trx.raw('UPDATE commerceml_sessions SET unpacked = array_append(unpacked, ?), unzipped_bytes = ? WHERE id = ?', [z, used, sessionId]);
    }
    return unpacked;
  });
}

export async function runImportJob(rt: Runtime, data: ImportJobData, attempt: { made: number; max: number }): Promise<void> {
  const row = () => rt.db('commerceml_imports').where({ session_id: data.sessionId, filename: data.filename });
  const state = await row().first('state');
  if (!state) {
    // Loudly: a job nobody's exchange waits for is another store's (sharing this Redis prefix) or
    // a session removed since; finishing it quietly would hide either.
    const msg = `commerceml import job for file "${data.filename}" of exchange session ${data.sessionId}: no such import in this database (the session was removed, or the job belongs to another store sharing this Redis prefix)`;
    log.error({ sessionId: data.sessionId, filename: data.filename }, msg);
    throw new UnrecoverableError(msg);
  }
  if (state.state === 'done' || state.state === 'failed') return; // already decided: a retry is a no-op
  let last = 0;
  const onProgress = async (text: string) => {
    const now = Date.now();
    if (now - last < 400) return;
    last = now;
    await row().update({ progress: text });
  };
  await row().update({ state: 'running', progress: 'started', heartbeat_at: rt.db.fn.now() });
  const beat = setInterval(() => {
    row()
      .whereIn('state', ['queued', 'running'])
      .update({ heartbeat_at: rt.db.fn.now() })
      .catch((err: Error) => log.warn({ sessionId: data.sessionId, filename: data.filename, err: err.message }, 'commerceml import: heartbeat not recorded'));
  }, HEARTBEAT_MS);
  beat.unref();
  try {
    const session = await getSession(rt.db, data.sessionId);
    // jobs enqueued before the blob store named a folder (uploadDir) instead of a prefix
    const area = sessionPrefix(data.uploadPrefix ?? DEFAULT_UPLOAD_PREFIX, data.sessionId);
    const archives = await ensureUnpacked(rt, data.sessionId, area, async (t) => {
      last = 0;
      await onProgress(t);
    });
    const file = await sessionFile(rt.blobs, area, archives, data.filename);
    if (!file) throw new UploadError(`file ${data.filename} was not uploaded in this session (nor found in its archive)`);
    const res = await importCatalogFile(rt, { sessionId: session.id, sourceId: session.source_id, file, area, filename: data.filename }, onProgress);
    // A file whose catalog data was all dropped fails (its other records are kept): 1C stops and
    // shows why, instead of reporting a successful exchange that changed nothing.
    await row().update({
      state: res.failed ? 'failed' : 'done',
      progress: res.failed ? 'failed' : 'done',
      message: res.summary.join('\n'),
      result: JSON.stringify({ counts: res.sync?.counts ?? {}, warnings: res.sync?.warnings ?? [], parse: res.parse, orders: res.orders }),
      sync_run_id: res.sync?.runId ?? null,
      dropped: res.dropped ?? null,
      data_applied: res.dataApplied,
      finished_at: rt.db.fn.now(),
    });
    // a session that carries a full package but may never call deactivate/complete (old modules)
    if (!res.failed) await scheduleQuietCheck(rt, session.id);
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (!isFinal(err) && attempt.made + 1 < attempt.max) {
      await row().update({ progress: `retrying after an error: ${msg}` });
      throw err;
    }
    await row().update({ state: 'failed', progress: 'failed', message: `${data.filename}: ${msg}`, finished_at: rt.db.fn.now() });
  } finally {
    clearInterval(beat);
  }
}
