// Product pictures: /images/<sha256> (the original) and /images/<sha256>/<size>.webp (a
// thumbnail). Content-addressed, so an answer never changes: cached for a year as immutable, with
// the hash as ETag. Public and before the session middleware (no session query per picture);
// a hash reveals nothing a buyer could not see on a product page.
import { pipeline } from 'node:stream/promises';
import { type Request, type Response, Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { log } from '../../infra/log.ts';
import { IMAGES_PATH, imageInfo, originalKey, THUMB_SIZES, type ThumbSize, thumbnail } from '../../store/catalog/images.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * If-None-Match holds this ETag. Checked here rather than by req.fresh, which ignores it when the
 * request says `Cache-Control: no-cache` (as fetch() does with a conditional header): for bytes
 * that never change, a matching tag is always an answer.
 */
const matches = (req: Request, etag: string) =>
  (req.get('if-none-match') ?? '').split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === etag || v === '*';
  });

export function imageRoutes(rt: Runtime): Router {
  const r = Router();
  const deps = { db: rt.db, blobs: rt.blobs };
  const missing = (res: Response) => res.status(404).type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send('Изображение не найдено');

  r.get(`${IMAGES_PATH}/:sha`, async (req, res) => {
    const sha = String(req.params.sha);
    if (!/^[0-9a-f]{64}$/.test(sha)) return missing(res);
    res.set({ ETag: `"${sha}"`, 'Cache-Control': IMMUTABLE });
    if (matches(req, `"${sha}"`)) return res.status(304).end();
    const info = await imageInfo(rt.db, sha);
    if (!info) return missing(res);
    const body = await rt.blobs.read(originalKey(sha));
    res.type(info.contentType).set('Content-Length', String(info.bytes));
    // a client that goes away mid-picture is not an error of ours
    await pipeline(body, res).catch((e) => log.debug({ sha, err: (e as Error).message }, 'picture not sent to the end'));
  });

  r.get(`${IMAGES_PATH}/:sha/:size.webp`, async (req, res) => {
    const sha = String(req.params.sha);
    const size = Number(req.params.size) as ThumbSize;
    if (!/^[0-9a-f]{64}$/.test(sha) || !THUMB_SIZES.includes(size)) return missing(res);
    res.set({ ETag: `"${sha}-${size}"`, 'Cache-Control': IMMUTABLE });
    if (matches(req, `"${sha}-${size}"`)) return res.status(304).end();
    const t = await thumbnail(deps, sha, size);
    if (!t) return missing(res);
    res.type('image/webp').send(t);
  });
  return r;
}
