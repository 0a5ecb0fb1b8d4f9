// GET /readyz: readiness for a load balancer or orchestrator — 200 when the database and Redis
// answer and every migration has run, else 503 — with each check's state (no error texts: those
// are at /console/health for admins). /healthz stays the liveness probe.
import { Router } from 'express';
import { readiness } from '../../infra/readiness.ts';
import type { Runtime } from '../../infra/runtime.ts';

const brief = (s: string) => (s === 'ok' ? 'ok' : s.split(':')[0]!);

export function readyRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/readyz', async (_req, res) => {
    const { ready, checks } = await readiness(rt);
    res.setHeader('Cache-Control', 'no-store');
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      checks: { database: brief(checks.database), redis: brief(checks.redis), migrations: brief(checks.migrations) },
    });
  });
  return r;
}
