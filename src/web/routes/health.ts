import { Router } from 'express';
import { sourceFreshness } from '../../mirror/freshness.ts';
import { log } from '../../infra/log.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { within } from '../../infra/within.ts';
import { requireRole } from '../auth/context.ts';

interface Health {
  ok: boolean;
  db: string;
  redis: string;
  sources: Awaited<ReturnType<typeof sourceFreshness>>;
}

async function checkHealth(rt: Runtime): Promise<Health> {
  const [db, redis] = await Promise.all([
    within(2000, rt.db.raw('select 1')).then(() => 'ok', (e: Error) => `down: ${e.message}`),
    within(2000, rt.redis.ping()).then(() => 'ok', (e: Error) => `down: ${e.message}`),
  ]);
  let sources: Health['sources'] = [];
  if (db === 'ok') {
    try {
      sources = await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S);
    } catch (err) {
      log.warn({ err }, 'healthz: reading source freshness failed');
    }
  }
  return { ok: db === 'ok' && redis === 'ok', db, redis, sources };
}

/** `/healthz` for load balancers and anyone: only ok / down (error texts and source names are for staff). */
export function healthRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    const h = await checkHealth(rt);
    res.status(h.ok ? 200 : 503).json({ status: h.ok ? 'ok' : 'down' });
  });
  return r;
}

/** `/console/health`: the details (each dependency's error, each source's freshness), for admins. */
export function healthDetailRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/console/health', ...requireRole('admin'), async (_req, res) => {
    const { ok, ...details } = await checkHealth(rt);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'down', ...details });
  });
  return r;
}
