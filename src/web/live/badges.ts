// Header badges for buyers: unread news and unread messages from the manager (one prepared query).
import type { RequestHandler } from 'express';
import type { Db } from '../../db/knex.ts';
import { buyerBadges } from '../../store/badges.ts';
import type { Viewer } from '../../store/viewer.ts';

export function badgesMiddleware(db: Db): RequestHandler {
  return async (req, res, next) => {
    const v = res.locals.viewer as Viewer | undefined;
    if (v?.role === 'buyer' && v.clientId !== null && req.method === 'GET' && !req.get('hx-request') && !req.path.endsWith('/events')) {
      res.locals.badges = await buyerBadges(db, { ...v, clientId: v.clientId });
    }
    next();
  };
}
