import { Router } from 'express';
import { sourceFreshness } from '../../mirror/freshness.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { log } from '../../infra/log.ts';

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    const [db, redis] = await Promise.all([
      within(2000, rt.db.raw('select 1')).then(() => 'ok', (e: Error) => `down: ${e.message}`),
      within(2000, rt.redis.ping()).then(() => 'ok', (e: Error) => `down: ${e.message}`),
    ]);
    // the database answered, so this is an unexpected failure: logged, the probe still answers
    const sources =
      db === 'ok'
        ? await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S).catch((err: Error) => {
            log.warn({ err: err.message }, 'healthz: source freshness not read');
            return [];
          })
        : [];
    res.status(db === 'ok' && redis === 'ok' ? 200 : 503).json({ db, redis, sources });
  });
  return r;
}
