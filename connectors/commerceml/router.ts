// The 1C exchange endpoint (CommerceML 2 over the "1C-Bitrix" protocol): one URL, dispatched on
// ?type=catalog|sale&mode=…. Answers are plain text whose first line is exactly `success`,
// `progress` or `failure` (1C matches it literally) — always HTTP 200, never an HTML page.
// The web app mounts this router (src/app/roles/start.ts passes it to createApp as a mount).
import { type Request, type Response, Router } from 'express';
import { log } from '../../src/infra/log.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import { handOver } from '../../src/infra/queue/handover.ts';
import { within } from '../../src/infra/within.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { authenticateLimited, parseBasic } from './exchange/auth.ts';
import { appendUpload, DEFAULT_UPLOAD_PREFIX, listUploads, safeRelativeName, sessionPrefix, tailOf, type UploadFile, UploadError, uploadFile, uploadKey } from './exchange/files.ts';
import { COOKIE_NAME, createSession, type ExchangeSession, type ExchangeType, findSession } from './exchange/sessions.ts';
import { deactivateUnseen, sessionDrops } from './import/deactivate.ts';
import { COMMERCEML_IMPORT_JOB, ensureUnpacked, importJob, isFinal } from './import/run-import.ts';
import { sessionFile } from './exchange/unzip.ts';
import { watchImport } from './import/watch.ts';
import { mapDocument, type OrderDocument } from './parse/documents.ts';
import { parseCommerceML } from './parse/parse-file.ts';
import { emptyClassifier } from './parse/records-map.ts';
import { encodeCp1251 } from './sale/cp1251.ts';
import { buildOrdersQuery, confirmQueried } from './sale/order-export.ts';
import { applyOrderDocuments, settlementLines, unmappedLines } from './sale/status-import.ts';
import { type CommerceMLSettings, parseSettings } from './settings.ts';

export interface CommerceMLRouterOptions {
  /** The blob-store prefix uploads go under (default `exchange`): any web and worker of the deployment see them. */
  uploadPrefix?: string;
}

export const DEFAULT_EXCHANGE_PATH = '/exchange/1c';

class Refused extends Error {}

/** An import still waiting for a worker after this long is reported to 1C instead of polled forever. */
const QUEUED_TOO_LONG_MS = 10 * 60_000;
/** An undecided import older than this has its job looked up at each poll (import/watch.ts). */
const WATCH_AFTER_MS = 5000;

function answer(res: Response, status: 'success' | 'progress' | 'failure', ...lines: string[]) {
  // One line per item: newlines inside a reason would be read as separate protocol lines.
  const body = [status, ...lines.map((l) => l.replace(/\r?\n/g, ' / '))].join('\n');
  res.status(200).type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send(body);
}

function params(req: Request): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') q[k] = v;
  // Some 1C builds send everything inside get_param=?type=…&mode=… (seen by wc1c).
  if (q.get_param) for (const [k, v] of new URLSearchParams(q.get_param.replace(/^\?/, ''))) q[k] ??= v;
  return q;
}

function cookieToken(req: Request): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE_NAME}=([^;]+)`).exec(req.headers.cookie ?? '');
  return m?.[1];
}

export function commercemlRouter(rt: Runtime, opts: CommerceMLRouterOptions = {}): Router {
  const uploadPrefix = opts.uploadPrefix ?? DEFAULT_UPLOAD_PREFIX;
  const router = Router();

  async function sessionFor(req: Request): Promise<{ session: ExchangeSession; settings: CommerceMLSettings }> {
    const q = params(req);
    let session = await findSession(rt.db, cookieToken(req));
    if (!session && q.sessid) {
      const row = await rt.db('commerceml_sessions').where({ sessid: q.sessid, state: 'open' }).first('token');
      session = await findSession(rt.db, row?.token);
    }
    // Clients that send Basic authorization on every call and keep no cookie (Bitrix logs them
    // in again each time): the source's latest open session, the one their checkauth opened.
    const creds = session ? undefined : parseBasic(req.headers.authorization);
    if (creds) {
      const src = await authenticateLimited(rt, creds.login, creds.password, req.ip);
      if (typeof src === 'string') throw new Refused(src);
      const row = await rt.db('commerceml_sessions').where({ source_id: src.id, state: 'open' }).orderBy('last_seen_at', 'desc').first('token');
      session = await findSession(rt.db, row?.token);
    }
    if (!session) throw new Refused('no exchange session: call mode=checkauth first (the session cookie is missing, unknown or expired)');
    // The type given at checkauth does not bind the session: Bitrix serves catalog and sale calls
    // in one session, and node emulators open a catalog exchange with checkauth&type=sale.
    const src = await rt.db('sources').where({ id: session.source_id }).first('settings', 'name');
    const settings = parseSettings(src?.settings);
    if (typeof settings === 'string') throw new Refused(`source "${src?.name}" is misconfigured (${settings})`);
    return { session, settings };
  }

  const handle = async (req: Request, res: Response) => {
    const q = params(req);
    const type = q.type as ExchangeType;
    const mode = q.mode ?? '';
    try {
      if (type !== 'catalog' && type !== 'sale') throw new Refused(`unknown type "${q.type ?? ''}": expected catalog or sale`);
      if (mode === 'checkauth') return await checkauth(req, res, type);
      const { session, settings } = await sessionFor(req);
      // A completed exchange is over: its cookie must not start another one (1C opens a new
      // session with checkauth). A repeated `complete` (1C retrying after a timeout) is answered.
      if (session.state !== 'open') {
        if (mode === 'complete') return answer(res, 'success', 'exchange already complete');
        throw new Refused(`this exchange session is already complete: start a new one with mode=checkauth (mode=${mode} refused)`);
      }
      const area = sessionPrefix(uploadPrefix, session.id);
      switch (mode) {
        case 'init': {
          await rt.blobs.removePrefix(area);
          const zip = settings.zip;
          await rt.db('commerceml_sessions').where({ id: session.id }).update({ version: q.version ?? null, zip, bytes_received: 0, unpacked: [], unzipped_bytes: 0 });
          res.status(200).type('text/plain; charset=utf-8').send(`zip=${zip ? 'yes' : 'no'}\nfile_limit=${settings.limits.fileLimit}`);
          return;
        }
        case 'file':
          return await file(req, res, type, session, settings, area, q.filename);
        case 'import':
          return type === 'catalog' ? await catalogImport(res, session, area, q.filename) : await saleImport(res, session, area, q.filename);
        case 'deactivate': {
          if (type !== 'catalog') break;
          const r = await deactivateUnseen(rt, session);
          const n = Object.values(r.sync?.counts ?? {}).reduce((a, c) => a + (c?.deleted ?? 0), 0);
          return answer(res, 'success', r.skipped ? `nothing deactivated: ${r.skipped}` : `${n} item(s) not in the full package marked deleted`);
        }
        case 'complete': {
          if (type !== 'catalog') break;
          let note = 'exchange complete';
          const fresh = await rt.db('commerceml_sessions').where({ id: session.id }).first('deactivated_at', 'full_entities');
          if (fresh && !fresh.deactivated_at && fresh.full_entities?.length) {
            const r = await deactivateUnseen(rt, session);
            if (!r.skipped) note += `; ${Object.values(r.sync?.counts ?? {}).reduce((a, c) => a + (c?.deleted ?? 0), 0)} item(s) not in the full package marked deleted`;
          }
          await rt.db('commerceml_sessions').where({ id: session.id }).update({ state: 'completed', completed_at: rt.db.fn.now() });
          await rt.blobs.removePrefix(area);
          // Never `success` for an exchange whose files' catalog data all went nowhere (node
          // emulators carry on after a file's failure; each file in its own session ends here).
          const drops = await sessionDrops(rt.db, session.id);
          if (drops) {
            const line = `this exchange applied none of the catalog data its files held — ${drops}`;
            return settings.droppedData === 'failure' ? answer(res, 'failure', line, note) : answer(res, 'success', note, `warning: ${line}`);
          }
          return answer(res, 'success', note);
        }
        case 'query': {
          if (type !== 'sale') break;
          const a = await buildOrdersQuery(rt.db, session.source_id, { encoding: settings.ordersEncoding, version: session.version });
          await rt.db('commerceml_sessions').where({ id: session.id }).update({ queried_order_ids: a.orderIds });
          res.status(200).type(a.contentType).set('Cache-Control', 'no-store').send(a.body);
          return;
        }
        case 'success': {
          if (type !== 'sale') break;
          const ids = session.queried_order_ids.map(Number);
          const n = await confirmQueried(rt.db, ids);
          await rt.db('commerceml_sessions').where({ id: session.id }).update({ queried_order_ids: [] });
          return answer(res, 'success', `${n} order(s) marked as exported`);
        }
      }
      throw new Refused(`unknown mode "${mode}" for type=${type}`);
    } catch (err) {
      if (err instanceof Refused || isFinal(err)) {
        // an unread request body would keep the connection busy: let the client finish sending
        req.resume();
        return answer(res, 'failure', (err as Error).message);
      }
      log.error({ err, type, mode }, 'commerceml exchange request failed');
      return answer(res, 'failure', `internal error while handling mode=${mode}; the exchange can be repeated`);
    }
  };

  async function checkauth(req: Request, res: Response, type: ExchangeType) {
    const creds = parseBasic(req.headers.authorization);
    if (!creds) throw new Refused('no credentials: send HTTP Basic authorization (login and password of the exchange node)');
    const src = await authenticateLimited(rt, creds.login, creds.password, req.ip);
    if (typeof src === 'string') throw new Refused(src);
    const s = await createSession(rt.db, src.id, type);
    // Housekeeping: sessions 1C abandoned a week ago go, with their uploads.
    const old: { id: number }[] = await rt.db('commerceml_sessions')
      .where({ source_id: src.id })
      .andWhere('last_seen_at', '<', new Date(Date.now() - 7 * 24 * 3600 * 1000))
      .delete()
      .returning('id');
    for (const o of old) await rt.blobs.removePrefix(sessionPrefix(uploadPrefix, o.id));
    res.setHeader('Set-Cookie', `${COOKIE_NAME}=${s.token}; Path=/; HttpOnly; SameSite=Lax`);
    return answer(res, 'success', COOKIE_NAME, s.token, `sessid=${s.sessid}`, `timestamp=${Math.floor(s.created_at.getTime() / 1000)}`);
  }

  async function file(req: Request, res: Response, type: ExchangeType, session: ExchangeSession, settings: CommerceMLSettings, area: string, filename?: string) {
    const rel = safeRelativeName(filename);
    if (!rel) throw new Refused(`unsafe or missing file name "${filename ?? ''}"`);
    const target = uploadKey(area, rel);
    const left = settings.limits.maxSessionBytes - Number(session.bytes_received);
    // init announced file_limit: a bigger request is not what a 1C node sends, and is refused
    // before its body is written (by Content-Length when given, else while it streams).
    const fileLimit = settings.limits.fileLimit;
    const declared = Number(req.headers['content-length']);
    if (declared > fileLimit) throw new UploadError(`${rel}: chunk of ${declared} bytes is larger than file_limit=${fileLimit} announced at init`);
    const n = await appendUpload(rt.blobs, req, target, { maxFileBytes: settings.limits.maxFileBytes, sessionBytesLeft: left, maxChunkBytes: fileLimit, name: rel });
    await rt.db('commerceml_sessions').where({ id: session.id }).increment('bytes_received', n);
    // Older 1C/Bitrix modules send order changes with `file` only and never call `import`:
    // a complete orders file is applied right away (a later `import` of it changes nothing more).
    if (type === 'sale' && rel.toLowerCase().endsWith('.xml') && (await endsWithRoot(target))) {
      return await applySaleFile(res, session, (await uploadFile(rt.blobs, target))!, rel, `${n} bytes received; `);
    }
    return answer(res, 'success', `${rel}: ${n} bytes received`);
  }

  async function endsWithRoot(key: string): Promise<boolean> {
    const buffer = await tailOf(rt.blobs, key, 512);
    // The closing tag is ASCII-free Cyrillic: look for it in both encodings 1C uses.
    return buffer.includes(Buffer.from('КоммерческаяИнформация>', 'utf8')) || buffer.includes(encodeCp1251('КоммерческаяИнформация>'));
  }

  async function catalogImport(res: Response, session: ExchangeSession, area: string, filename?: string) {
    const rel = safeRelativeName(filename);
    if (!rel) throw new Refused(`unsafe or missing file name "${filename ?? ''}"`);
    const row = await rt.db('commerceml_imports').where({ session_id: session.id, filename: rel }).first();
    if (!row) {
      const present = (await rt.blobs.size(uploadKey(area, rel))) !== undefined;
      const zips = (await listUploads(rt.blobs, area)).some((f) => f.toLowerCase().endsWith('.zip'));
      if (!present && !zips) throw new Refused(`file ${rel} was not uploaded in this session`);
      const inserted = await rt.db('commerceml_imports').insert({ session_id: session.id, filename: rel }).onConflict(['session_id', 'filename']).ignore().returning('state');
      if (inserted.length) {
        // The row is the import: Redis down, work.reconcile queues a job for it (a late add and that one share the job id).
        const job = importJob(session, rel, uploadPrefix);
        await handOver(rt, () => getQueue(rt, COMMERCEML_IMPORT_JOB).add(COMMERCEML_IMPORT_JOB, job.data, job.opts), {
          what: 'CommerceML import job', covers: 'work.reconcile (an import queued without a job)', fields: { session: session.id, file: rel },
        });
      }
      return answer(res, 'progress', `${rel}: queued for import${zips && !present ? ' (the archive is unpacked first)' : ''}`);
    }
    if (row.state === 'done') return answer(res, 'success', ...String(row.message).split('\n'));
    if (row.state === 'failed') return answer(res, 'failure', ...String(row.message).split('\n'));
    const age = Date.now() - new Date(row.created_at).getTime();
    if (row.state === 'queued' && age > QUEUED_TOO_LONG_MS) {
      return answer(res, 'failure', `${rel}: no worker has picked up the import for ${QUEUED_TOO_LONG_MS / 60_000} minutes (is the worker process running?)`);
    }
    // Still undecided: is there a job that will decide it? (Its insert and enqueue are a moment apart.)
    if (age > WATCH_AFTER_MS) {
      // Redis down (restarting): the import itself does not need it — say so and ask again
      const w = await within(rt.config.QUEUE_HANDOVER_MS, watchImport(rt, { ...row, token: session.token }, uploadPrefix)).catch((err: Error) => {
        log.warn({ session: session.id, file: rel, err: err.message }, 'commerceml import: the job queue does not answer; 1C asks again');
        return { outcome: 'unknown' as const, why: err.message };
      });
      if (w.outcome === 'unknown') return answer(res, 'progress', `${row.progress || `${rel}: ${row.state}`} (the job queue does not answer: ${w.why}; checking again at the next call)`);
      if (w.outcome === 'failed') return answer(res, 'failure', w.message);
      if (w.outcome === 'requeued') return answer(res, 'progress', `${rel}: the import job was lost (Redis restarted?) and is queued again`);
    }
    return answer(res, 'progress', row.progress || `${rel}: ${row.state}`);
  }

  async function saleImport(res: Response, session: ExchangeSession, area: string, filename?: string) {
    const rel = safeRelativeName(filename);
    if (!rel) throw new Refused(`unsafe or missing file name "${filename ?? ''}"`);
    const archives = await ensureUnpacked(rt, session.id, area, async () => {}).catch((e) => {
      throw isFinal(e) ? e : new UploadError((e as Error).message);
    });
    const upload = await sessionFile(rt.blobs, area, archives, rel);
    if (!upload) throw new Refused(`file ${rel} was not uploaded in this session`);
    return applySaleFile(res, session, upload, rel, '');
  }

  async function applySaleFile(res: Response, session: ExchangeSession, upload: UploadFile, rel: string, prefix: string) {
    const docs: OrderDocument[] = [];
    await parseCommerceML(await upload.open(), {
      classifier: emptyClassifier(),
      onBatch: async () => {},
      onDocument: (d, place) => {
        if (docs.length >= 10_000) throw new UploadError('more than 10000 documents in one file');
        docs.push(mapDocument(d, place.container));
      },
    });
    const r = await applyOrderDocuments(rt, session.source_id, docs);
    return answer(
      res, 'success',
      `${rel}: ${prefix}${docs.length} document(s), ${r.matched} matched an order, ${r.updated} updated`,
      ...(r.unknown.length ? [`warning: no order for document(s) ${r.unknown.slice(0, 10).join(', ')}`] : []),
      ...unmappedLines(r.unmapped),
      ...settlementLines(r),
    );
  }

  // No body parser here: `file` streams the raw body to the blob store.
  router.all('/', (req, res) => void handle(req, res));
  return router;
}
