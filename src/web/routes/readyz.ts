// GET /readyz: readiness for a load balancer or orchestrator — 200 when the database and Redis
// answer and every migration has run, else 503 — with each check's state (no error texts: those
// are at /console/health for admins). /healthz stays the liveness probe. A web that is shutting
// down answers 503 `draining` at once (the load balancer stops sending; shutdown.ts).
import { Router } from 'express';
import { readiness } from '../../infra/readiness.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { isDraining } from '../live/streams.ts';

const brief = (s: string) => (s === 'ok' ? 'ok' : s.split(':')[0]!);

export function readyRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/readyz', async (req, res) => {
    if (isDraining(req.app)) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).json({ status: 'draining' });
      return;
    }
    const { ready, checks } = await readiness(rt);
    res.setHeader('Cache-Control', 'no-store');
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      checks: { database: brief(checks.database), redis: brief(checks.redis), migrations: brief(checks.migrations) },
    });
  });
  return r;
}
