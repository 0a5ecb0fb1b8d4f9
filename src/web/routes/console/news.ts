// Console › News: staff write, edit and delete news items for an audience.
import { type Request, Router } from 'express';
import type { Translate } from '../../../infra/i18n/index.ts';
import { fromZoneInput, storeTimeZone, toZoneInput } from '../../../infra/intl.ts';
import type { Runtime } from '../../../infra/runtime.ts';
import { DomainError } from '../../../infra/domain-error.ts';
import { httpStatus, messageText, refusal } from '../../domain-errors.ts';
import { type Audience, createNews, deleteNews, getNews, listAllNews, NEWS_KINDS, updateNews } from '../../../store/news/news.ts';
import { livePriceTypes } from '../../../store/console/console-data.ts';
import { getSetting } from '../../../store/settings/settings.ts';
import { requireRole, viewerOf } from '../../auth/context.ts';
import { flash } from '../../auth/session.ts';
import { idParam, notFound, parseId } from '../../errors.ts';
import { tOf } from '../../i18n.ts';

const idList = (t: Translate, v: unknown) =>
  String(v ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((x) => {
      const n = parseId(x);
      if (n === null) throw new DomainError('invalid', t('console.news.notAnId', { value: x }));
      return n;
    });

// datetime-local inputs are in the store's time zone (STORE_TIME_ZONE), as every page shows
const localInput = toZoneInput;
const fromLocal = fromZoneInput;

/** The form as the store's input, audience from a named preset or the id lists. */
async function formInput(rt: Runtime, req: Request, t: Translate) {
  const b = req.body ?? {};
  let audience: Audience;
  if (b.audience_mode === 'preset') {
    const presets = await getSetting(rt.db, 'news.audiences');
    const p = presets.find((x) => x.name === b.audience_preset);
    if (!p) throw new DomainError('invalid', t('console.news.choosePreset'));
    audience = p.audience;
  } else if (b.audience_mode === 'some') {
    audience = { priceTypeIds: idList(t, b.price_type_ids), counterpartyIds: idList(t, b.counterparty_ids), clientIds: idList(t, b.client_ids) };
  } else audience = { all: true };
  return {
    kind: b.kind,
    title: b.title,
    bodyMd: b.body_md ?? '',
    imageUrl: b.image_url ?? '',
    productIds: idList(t, b.product_ids),
    audience,
    pinned: b.pinned === 'on',
    publishAt: fromLocal(b.publish_at),
    expiresAt: fromLocal(b.expires_at) ?? null,
  };
}

export function consoleNewsRoutes(rt: Runtime): Router {
  const r = Router();
  const staff = requireRole('admin', 'manager');

  const formModel = async (t: Translate, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    title: t('console.newsForm.title'),
    section: 'news',
    kinds: NEWS_KINDS.map((code) => ({ code, label: t(`news.tag.${code}`, { defaultValue: code }) })),
    timeZone: storeTimeZone(),
    presets: await getSetting(rt.db, 'news.audiences'),
    priceTypes: await livePriceTypes(rt.db),
    values,
    ...extra,
  });

  r.get('/console/news', ...staff, async (_req, res) => {
    const t = tOf(res);
    const items = (await listAllNews(rt.db)).map((n) => ({
      ...n,
      kindText: t(`news.tag.${n.kind}`, { defaultValue: n.kind }),
      audienceText:
        'all' in n.audience
          ? t('console.news.everyone')
          : Object.entries(n.audience)
              .filter(([, v]) => (v as number[]).length)
              .map(([k, v]) => `${t(`console.news.audienceKey.${k}`, { defaultValue: k })}: ${(v as number[]).join(', ')}`)
              .join('; '),
      live: new Date(n.publish_at) <= new Date() && (!n.expires_at || new Date(n.expires_at) > new Date()),
    }));
    res.render('console/news', { title: t('console.news.title'), section: 'news', items });
  });

  r.get('/console/news/new', ...staff, async (_req, res) => {
    res.render('console/news-form', await formModel(tOf(res), { kind: 'news', audience_mode: 'all', publish_at: localInput(new Date()) }));
  });

  r.get('/console/news/:id/edit', ...staff, async (req, res) => {
    const n = await getNews(rt.db, idParam(req.params.id, 'News item'));
    if (!n) throw notFound('News item');
    const a = n.audience as Record<string, number[] | boolean>;
    res.render(
      'console/news-form',
      await formModel(
        tOf(res),
        {
          id: n.id, kind: n.kind, title: n.title, body_md: n.body_md, image_url: n.image_url ?? '', product_ids: n.product_ids.join(', '),
          pinned: n.pinned, publish_at: localInput(n.publish_at), expires_at: localInput(n.expires_at),
          audience_mode: a.all ? 'all' : 'some',
          price_type_ids: ((a.priceTypeIds as number[]) ?? []).join(', '),
          counterparty_ids: ((a.counterpartyIds as number[]) ?? []).join(', '),
          client_ids: ((a.clientIds as number[]) ?? []).join(', '),
        },
        { editing: true },
      ),
    );
  });

  const save = (id: number | null) => async (req: Request, res: import('express').Response) => {
    try {
      const input = await formInput(rt, req, tOf(res));
      if (id) await updateNews(rt.db, id, input);
      else await createNews(rt.db, input, viewerOf(res).userId);
    } catch (err) {
      const refused = refusal(err, 'invalid');
      res.status(httpStatus(refused)).render('console/news-form', await formModel(tOf(res), { ...req.body, id }, { editing: Boolean(id), error: messageText(res, refused) }));
      return;
    }
    flash(req, 'ok', tOf(res)(id ? 'console.news.saved' : 'console.news.publishedFlash'));
    res.redirect(303, '/console/news');
  };
  r.post('/console/news', ...staff, save(null));
  r.post('/console/news/:id', ...staff, (req, res) => save(idParam(req.params.id, 'News item'))(req, res));
  r.post('/console/news/:id/delete', ...staff, async (req, res) => {
    await deleteNews(rt.db, idParam(req.params.id, 'News item'));
    flash(req, 'ok', tOf(res)('console.news.deleted'));
    res.redirect(303, '/console/news');
  });
  return r;
}
