// Console › Queues: bull-board over every BullMQ queue, admin only. Its UI calls a JSON API
// with fetch (no CSRF token), so it is mounted before the CSRF check and guarded here instead:
// admin session required, and any change must come from this site (Origin/Referer = Host).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { type RequestHandler, Router } from 'express';
import { getQueue } from '../../../infra/queue/connection.ts';
import { QUEUES } from '../../../infra/queue/names.ts';
import type { Runtime } from '../../../infra/runtime.ts';
import { loadViewer } from '../../../store/accounts/viewer.ts';
import { forbidden } from '../../errors.ts';

export const QUEUES_PATH = '/console/queues';

function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function consoleQueuesRouter(rt: Runtime): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map((q) => new BullMQAdapter(getQueue(rt, q))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Counterpart queues' } },
  });
  const guard: RequestHandler = async (req, res, next) => {
    const userId = req.session?.data?.userId;
    const viewer = userId ? await loadViewer(rt.db, userId) : null;
    if (!viewer) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (viewer.role !== 'admin') return next(forbidden());
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameOrigin(req.get('origin') ?? req.get('referer'), req.get('host'))) {
      return next(forbidden('This request did not come from this site.'));
    }
    next();
  };
  const r = Router();
  r.use(guard, serverAdapter.getRouter());
  return r;
}
