// Header badges for buyers: unread news and unread messages from the manager. Counted in the
// session's own query (store/badges.ts withBadges) when that counted them for the viewer's
// current counterparty and contract; else one prepared query.
import type { RequestHandler } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { buyerBadges, type PreloadedBadges } from '../../store/accounts/badges.ts';
import type { Viewer } from '../../store/accounts/viewer.ts';

export function badgesMiddleware(rt: Runtime): RequestHandler {
  const { db } = rt;
  return async (req, res, next) => {
    const v = res.locals.viewer as Viewer | undefined;
    if (v?.role === 'buyer' && v.clientId !== null && req.method === 'GET' && !req.get('hx-request') && !req.path.endsWith('/events')) {
      const pre = req.session.preloaded as { id?: number; badges?: PreloadedBadges | null } | null | undefined;
      const b = pre?.id === v.userId ? pre.badges : null;
      res.locals.badges =
        b && b.counterpartyId === v.counterpartyId && b.contractId === v.contractId
          ? { news: b.news, messages: b.messages }
          : await buyerBadges(db, { ...v, clientId: v.clientId });
    }
    next();
  };
}
