// Header badges for buyers: unread news and unread messages from the manager (two cheap counts).
import type { RequestHandler } from 'express';
import type { Db } from '../../db/knex.ts';
import { unreadForClient } from '../../store/messages.ts';
import { unreadNewsCount } from '../../store/news.ts';
import type { Viewer } from '../../store/viewer.ts';

export function badgesMiddleware(db: Db): RequestHandler {
  return async (req, res, next) => {
    const v = res.locals.viewer as Viewer | undefined;
    if (v?.role === 'buyer' && v.clientId !== null && req.method === 'GET' && !req.get('hx-request') && !req.path.endsWith('/events')) {
      const [news, messages] = await Promise.all([unreadNewsCount(db, v), unreadForClient(db, v.clientId)]);
      res.locals.badges = { news, messages };
    }
    next();
  };
}
