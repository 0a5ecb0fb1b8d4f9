// The buyer's news feed: filter by kind; what is shown gets marked read.
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { listFeed, markNewsRead, NEWS_KINDS, type NewsKind } from '../../store/news/news.ts';
import type { Translate } from '../../infra/i18n/index.ts';
import { requireBuyer, type Viewer, viewerOf } from '../auth/context.ts';
import { tOf } from '../i18n.ts';

/** The filter tabs' names of the kinds (plural: «Акции»). */
const kindTabs = (t: Translate): Record<NewsKind, string> => ({
  promotion: t('news.tab.promotion'),
  news: t('news.tab.news'),
  markdown: t('news.tab.markdown'),
  sale: t('news.tab.sale'),
});
/** An item's tag (singular: «акция»). */
const kindTags = (t: Translate): Record<NewsKind, string> => ({
  promotion: t('news.tag.promotion'),
  news: t('news.tag.news'),
  markdown: t('news.tag.markdown'),
  sale: t('news.tag.sale'),
});
const tagged = <T extends { kind: string }>(t: Translate, items: T[]): (T & { kindLabel: string })[] => {
  const tags = kindTags(t);
  return items.map((n) => ({ ...n, kindLabel: tags[n.kind as NewsKind] ?? n.kind }));
};

export function newsRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/news', ...requireBuyer, async (req, res) => {
    const v = viewerOf(res);
    const kind = (NEWS_KINDS as readonly string[]).includes(String(req.query.kind)) ? (req.query.kind as NewsKind) : null;
    const t = tOf(res);
    const items = tagged(t, await listFeed(rt.db, v, { kind, limit: 50 }));
    const unread = items.filter((n) => n.unread).map((n) => n.id);
    await markNewsRead(rt.db, v.userId, unread);
    if (res.locals.badges) res.locals.badges.news = Math.max(0, res.locals.badges.news - unread.length);
    const tabs = kindTabs(t);
    const kinds = [{ value: '', label: t('news.tab.all'), active: !kind }, ...NEWS_KINDS.map((k) => ({ value: k, label: tabs[k], active: k === kind }))];
    res.set('Vary', 'HX-Request');
    if (req.get('hx-request') && req.get('hx-target') === 'news-list') return res.render('fragments/news-list', { layout: false, items });
    res.render('news', { title: t('news.title'), items, kinds, kind });
  });
  // the home page shows the latest items (the home route renders; this only adds them)
  r.get('/', async (_req, res, next) => {
    const v = res.locals.viewer as Viewer | undefined;
    if (v?.role === 'buyer' && v.counterpartyId !== null) res.locals.latestNews = tagged(tOf(res), await listFeed(rt.db, v, { limit: 3 }));
    next();
  });
  return r;
}
