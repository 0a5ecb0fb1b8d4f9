// The catalog (placeholder until the catalog slice lands).
import { Router } from 'express';
import type { Runtime } from '../../runtime.ts';
import { requireBuyer } from '../auth/context.ts';

export function catalogRoutes(_rt: Runtime): Router {
  const r = Router();
  r.get('/catalog', ...requireBuyer, (_req, res) => {
    res.render('catalog', { title: 'Catalog' });
  });
  return r;
}
