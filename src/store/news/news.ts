// The news feed: items staff write (or the accounting system sends) for an audience, with
// publish/expiry dates, pins, and per-user read marks.
import { z } from 'zod';
import type { Db } from '../../infra/db/knex.ts';
import { markdownExcerpt, renderMarkdown } from './markdown.ts';
import { DomainError } from '../../infra/domain-error.ts';

export const NEWS_KINDS = ['promotion', 'news', 'markdown', 'sale'] as const;
export type NewsKind = (typeof NEWS_KINDS)[number];

const ids = z.array(z.coerce.number().int().positive()).max(1000);

/** Who a news item is for: everyone, or any of the listed price types / counterparties / clients. */
export const audienceSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z
    .object({ priceTypeIds: ids.optional(), counterpartyIds: ids.optional(), clientIds: ids.optional() })
    .strict()
    .refine((a) => (a.priceTypeIds?.length ?? 0) + (a.counterpartyIds?.length ?? 0) + (a.clientIds?.length ?? 0) > 0, {
      message: 'name at least one price type, counterparty or client (or choose "everyone")',
    }),
]);
export type Audience = z.infer<typeof audienceSchema>;

export const newsInputSchema = z
  .object({
    kind: z.enum(NEWS_KINDS, { message: `kind must be one of ${NEWS_KINDS.join(', ')}` }),
    title: z.string().trim().min(1, 'title is required').max(200, 'title is longer than 200 characters'),
    bodyMd: z.string().max(20_000, 'body is longer than 20000 characters').default(''),
    imageUrl: z
      .string()
      .trim()
      .max(1000)
      .refine((v) => v === '' || /^(https?:\/\/|\/(?!\/))/i.test(v), 'image must be an http(s) or site-relative URL')
      .transform((v) => v || null)
      .nullish(),
    productIds: ids.default([]),
    audience: audienceSchema.default({ all: true }),
    pinned: z.boolean().default(false),
    publishAt: z.coerce.date({ message: 'publish date is not a date' }).optional(),
    expiresAt: z.coerce.date({ message: 'expiry date is not a date' }).nullish(),
  })
  .refine((n) => !n.expiresAt || !n.publishAt || n.expiresAt > n.publishAt, {
    message: 'expiry date must be after the publish date',
    path: ['expiresAt'],
  });
export type NewsInput = z.input<typeof newsInputSchema>;

/** The buyer looking at the feed: their user, client and the counterparty they act for now. */
export interface FeedViewer {
  userId: number;
  clientId: number | null;
  counterpartyId: number | null;
  contractId?: number | null;
}

export interface NewsItem {
  id: number;
  kind: NewsKind;
  title: string;
  body_md: string;
  image_url: string | null;
  product_ids: number[];
  audience: Audience;
  pinned: boolean;
  publish_at: Date;
  expires_at: Date | null;
  created_at: Date;
  source_id: number | null;
}

export interface FeedItem extends NewsItem {
  unread: boolean;
  bodyHtml: string;
  excerpt: string;
  products: { id: number; name: string; sku: string | null; offer_id: number | null }[];
}

function parseInput(input: unknown) {
  const res = newsInputSchema.safeParse(input);
  if (!res.success) {
    const i = res.error.issues[0]!;
    // the schema's own words (i.message) are not in the catalogs yet
    const problem = { field: i.path.join('.'), problem: i.message };
    throw new DomainError('invalid', { key: `storeRefusals.news.${i.path.length ? 'invalidField' : 'invalid'}`, params: problem });
  }
  return res.data;
}

function row(n: ReturnType<typeof parseInput>) {
  return {
    kind: n.kind,
    title: n.title,
    body_md: n.bodyMd,
    image_url: n.imageUrl ?? null,
    product_ids: n.productIds,
    audience: JSON.stringify(n.audience),
    pinned: n.pinned,
    ...(n.publishAt ? { publish_at: n.publishAt } : {}),
    expires_at: n.expiresAt ?? null,
  };
}

export async function createNews(db: Db, input: unknown, authorUserId: number | null = null): Promise<number> {
  const n = parseInput(input);
  const [r] = await db('news').insert({ ...row(n), author_user_id: authorUserId }).returning('id');
  return r.id;
}

export async function updateNews(db: Db, id: number, input: unknown): Promise<void> {
  const n = parseInput(input);
  const changed = await db('news').where({ id }).update(row(n));
  if (!changed) throw new DomainError('not_found', { key: 'storeRefusals.news.notFound', params: { id } });
}

export async function deleteNews(db: Db, id: number): Promise<void> {
  await db('news').where({ id }).delete();
}

export async function getNews(db: Db, id: number): Promise<NewsItem | undefined> {
  return db('news').where({ id }).first();
}

/** Every item, newest first, for the console (drafts, expired and all audiences included). */
export async function listAllNews(db: Db, limit = 200): Promise<NewsItem[]> {
  return db('news').orderBy([{ column: 'publish_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
}

/** SQL for the viewer's ids in the news queries: '?' placeholders, or expressions of an outer query. */
export interface NewsViewerSql {
  client: string;
  counterparty: string;
  contract: string;
  user: string;
}
const PLACEHOLDERS: NewsViewerSql = { client: '?', counterparty: '?', contract: '?', user: '?' };

// The audiences a viewer belongs to, as jsonb values an item's audience must contain (one of):
// computed once per query (not per news row), then a cheap containment test per item.
// With placeholders, binds: clientId, counterpartyId (x2), contractId.
const audienceCte = (v: NewsViewerSql) => `
  aud AS (
    SELECT array_agg(k) AS keys FROM (
      SELECT '{"all": true}'::jsonb AS k
      UNION ALL SELECT jsonb_build_object('clientIds', jsonb_build_array(${v.client}::bigint))
      UNION ALL SELECT jsonb_build_object('counterpartyIds', jsonb_build_array(${v.counterparty}::bigint))
      UNION ALL SELECT jsonb_build_object('priceTypeIds', jsonb_build_array(price_type_id)) FROM counterparties WHERE id = ${v.counterparty} AND price_type_id IS NOT NULL
      UNION ALL SELECT jsonb_build_object('priceTypeIds', jsonb_build_array(price_type_id)) FROM contracts WHERE id = ${v.contract} AND price_type_id IS NOT NULL
    ) x
  )`;
const AUDIENCE_CTE = audienceCte(PLACEHOLDERS);
const VISIBLE = `n.publish_at <= now() AND (n.expires_at IS NULL OR n.expires_at > now()) AND n.audience @> ANY (aud.keys)`;
const visibleBinds = (v: FeedViewer) => [v.clientId ?? 0, v.counterpartyId ?? 0, v.counterpartyId ?? 0, v.contractId ?? 0];

/** The viewer's feed: pinned first, then newest; only what is published, unexpired and meant for them. */
export async function listFeed(db: Db, v: FeedViewer, opts: { kind?: NewsKind | null; limit?: number; offset?: number } = {}): Promise<FeedItem[]> {
  const kind = opts.kind && (NEWS_KINDS as readonly string[]).includes(opts.kind) ? opts.kind : null;
  const { rows } = await db.raw(
    `WITH ${AUDIENCE_CTE}
     SELECT n.*, (r.news_id IS NULL) AS unread,
            coalesce((SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'sku', p.sku,
                                                 'offer_id', (SELECT min(o.id) FROM offers o WHERE o.product_id = p.id AND NOT o.deleted)) ORDER BY p.name)
                        FROM products p WHERE p.id = ANY(n.product_ids) AND NOT p.deleted), '[]') AS products
       FROM aud, news n LEFT JOIN news_reads r ON r.news_id = n.id AND r.user_id = ?
      WHERE ${VISIBLE} ${kind ? 'AND n.kind = ?' : ''}
      ORDER BY n.pinned DESC, n.publish_at DESC, n.id DESC
      LIMIT ? OFFSET ?`,
    [...visibleBinds(v), v.userId, ...(kind ? [kind] : []), opts.limit ?? 20, opts.offset ?? 0],
  );
  return rows.map((n: NewsItem & { unread: boolean; products: FeedItem['products'] }) => ({
    ...n,
    bodyHtml: renderMarkdown(n.body_md),
    excerpt: markdownExcerpt(n.body_md),
  }));
}

/** How many items meant for the viewer they have not read yet (the header badge). */
export async function unreadNewsCount(db: Db, v: FeedViewer): Promise<number> {
  const { rows } = await db.raw(`SELECT ${unreadNewsSql()} AS n`, unreadNewsBinds(v));
  return rows[0].n;
}

/**
 * The unread count as a scalar subquery, for the viewer given as SQL (the header badges read it
 * together with other values). With placeholders, binds: unreadNewsBinds.
 */
export const unreadNewsSql = (v: NewsViewerSql = PLACEHOLDERS) => `(WITH ${audienceCte(v)}
     SELECT count(*)::int FROM aud, news n
      WHERE ${VISIBLE} AND n.id NOT IN (SELECT r.news_id FROM news_reads r WHERE r.user_id = ${v.user}))`;
export const unreadNewsBinds = (v: FeedViewer) => [...visibleBinds(v), v.userId];

/** Marks items read for a user (idempotent). */
export async function markNewsRead(db: Db, userId: number, newsIds: number[]): Promise<void> {
  if (!newsIds.length) return;
  await db('news_reads')
    .insert(newsIds.map((id) => ({ user_id: userId, news_id: id })))
    .onConflict(['user_id', 'news_id'])
    .ignore();
}
