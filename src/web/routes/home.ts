import { Router } from 'express';
import { sourceFreshness } from '../../mirror/freshness.ts';
import type { Runtime } from '../../infra/runtime.ts';

export function homeRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    const sources = await sourceFreshness(rt.db, rt.config.SOURCE_STALE_AFTER_S);
    res.render('home', { title: 'Counterpart', sources });
  });
  return r;
}
