// The buyer's news feed: filter by kind; what is shown gets marked read.
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { listFeed, markNewsRead, NEWS_KINDS, type NewsKind } from '../../store/news/news.ts';
import { requireBuyer, type Viewer, viewerOf } from '../auth/context.ts';

const KIND_LABELS: Record<NewsKind, string> = { promotion: 'Promotions', news: 'News', markdown: 'Markdowns', sale: 'Sales' };

export function newsRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/news', ...requireBuyer, async (req, res) => {
    const v = viewerOf(res);
    const kind = (NEWS_KINDS as readonly string[]).includes(String(req.query.kind)) ? (req.query.kind as NewsKind) : null;
    const items = await listFeed(rt.db, v, { kind, limit: 50 });
    const unread = items.filter((n) => n.unread).map((n) => n.id);
    await markNewsRead(rt.db, v.userId, unread);
    if (res.locals.badges) res.locals.badges.news = Math.max(0, res.locals.badges.news - unread.length);
    const kinds = [{ value: '', label: 'All', active: !kind }, ...NEWS_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], active: k === kind }))];
    res.set('Vary', 'HX-Request');
    if (req.get('hx-request') && req.get('hx-target') === 'news-list') return res.render('fragments/news-list', { layout: false, items });
    res.render('news', { title: 'News', items, kinds, kind });
  });
  // the home page shows the latest items (the home route renders; this only adds them)
  r.get('/', async (_req, res, next) => {
    const v = res.locals.viewer as Viewer | undefined;
    if (v?.role === 'buyer' && v.counterpartyId !== null) res.locals.latestNews = await listFeed(rt.db, v, { limit: 3 });
    next();
  });
  return r;
}
