// Console › Queues: the queue board (bull-board, built by src/app/roles because the web does not
// touch BullMQ), admin only. Its UI calls a JSON API with fetch (no CSRF token), so it is mounted
// before the CSRF check and guarded here instead: admin session required, and any change must
// come from this site (Origin/Referer = Host).
import { type RequestHandler, Router } from 'express';
import type { Runtime } from '../../../infra/runtime.ts';
import { loadViewer } from '../../../store/accounts/viewer.ts';
import { forbidden, notFound } from '../../errors.ts';

/** Where the board is mounted; the board's builder sets it as its base path. */
export const QUEUES_PATH = '/console/queues';

function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function consoleQueuesRouter(rt: Runtime, board: RequestHandler | undefined): Router {
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
  r.use(guard, board ?? ((_req, _res, next) => next(notFound('Queue board'))));
  return r;
}
