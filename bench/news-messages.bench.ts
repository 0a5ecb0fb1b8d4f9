// What news and messaging cost on every page and in the background:
// 1. the header badges (unread news + unread messages), run on every buyer page, and the feed
//    page, with thousands of news items of mixed audiences and a read history — p50 / p99
//    against a bare round trip through the same pool;
// 2. posting messages (insert + Redis publish) from many buyers at once — messages/s;
// 3. the manager's desk (clients with unread counts) and one notification sweep over every
//    thread with unread messages.
import { sendDueMessageNotifications } from '../src/store/messages/notifications.ts';
import { buyerBadges } from '../src/store/accounts/badges.ts';
import { type Actor, managedClients, postMessage } from '../src/store/messages/messages.ts';
import { listFeed } from '../src/store/news/news.ts';
import type { Benchmark, BenchFigure } from './types.ts';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const bench: Benchmark = {
  name: 'news-messages',
  description: 'header badges and news feed over many items and audiences; message posting; manager desk; notification sweep',
  async run({ rt, scale, log }) {
    const db = rt.db;
    const figures: BenchFigure[] = [];
    const CLIENTS = Math.max(50, Math.round(2000 * scale));
    const NEWS = Math.max(100, Math.round(5000 * scale));
    const MANAGERS = 10;
    log(`setup: ${CLIENTS} clients, ${NEWS} news items`);
    const [src] = await db('sources').insert({ name: 'bench', kind: 'soap' }).returning('id');
    await db.raw(`INSERT INTO price_types (source_id, external_id, name) SELECT ?, 'pt' || g, 'PT ' || g FROM generate_series(1, 5) g`, [src.id]);
    await db.raw(`INSERT INTO managers (source_id, external_id, name, email) SELECT ?, 'm' || g, 'Manager ' || g, 'm' || g || '@bench.test' FROM generate_series(1, ?) g`, [src.id, MANAGERS]);
    await db.raw(
      `INSERT INTO counterparties (source_id, external_id, name, price_type_id, manager_external_id)
       SELECT ?, 'cp' || g, 'Buyer ' || g, (SELECT id FROM price_types ORDER BY id OFFSET g % 5 LIMIT 1), 'm' || (1 + g % ?) FROM generate_series(1, ?) g`,
      [src.id, MANAGERS, CLIENTS],
    );
    await db.raw(`INSERT INTO clients (name, head_counterparty_id, manager_id)
                  SELECT cp.name, cp.id, m.id FROM counterparties cp JOIN managers m ON m.external_id = cp.manager_external_id`);
    await db.raw(`INSERT INTO client_counterparties (client_id, counterparty_id) SELECT id, head_counterparty_id FROM clients`);
    await db.raw(`INSERT INTO users (email, role, client_id) SELECT 'b' || id || '@bench.test', 'buyer', id FROM clients`);
    await db.raw(`INSERT INTO users (email, role, manager_id) SELECT 'staff-' || email, 'manager', id FROM managers`);
    // audiences: half everyone, the rest one price type, 20 counterparties or 20 clients; a third expired
    await db.raw(
      `INSERT INTO news (kind, title, body_md, audience, publish_at, expires_at, pinned)
       SELECT (ARRAY['promotion','news','markdown','sale'])[1 + g % 4], 'News ' || g, 'Body **' || g || '**',
              CASE WHEN g % 2 = 0 THEN '{"all": true}'::jsonb
                   WHEN g % 6 = 1 THEN jsonb_build_object('priceTypeIds', jsonb_build_array((SELECT id FROM price_types ORDER BY id OFFSET g % 5 LIMIT 1)))
                   WHEN g % 6 = 3 THEN jsonb_build_object('counterpartyIds', (SELECT jsonb_agg(id) FROM (SELECT id FROM counterparties ORDER BY random() LIMIT 20) x))
                   ELSE jsonb_build_object('clientIds', (SELECT jsonb_agg(id) FROM (SELECT id FROM clients ORDER BY random() LIMIT 20) x)) END,
              now() - make_interval(hours => g), CASE WHEN g % 3 = 0 THEN now() - interval '1 hour' END, g % 97 = 0
         FROM generate_series(1, ?) g`,
      [NEWS],
    );
    // each buyer has read a fifth of everything
    await db.raw(`INSERT INTO news_reads (user_id, news_id) SELECT u.id, n.id FROM users u JOIN news n ON (u.id + n.id) % 5 = 0 WHERE u.role = 'buyer'`);
    await db.raw('VACUUM ANALYZE'); // steady state: autovacuum has set the visibility map
    const buyers: { userId: number; clientId: number; counterpartyId: number }[] = (
      await db('users as u').join('clients as c', 'c.id', 'u.client_id').where('u.role', 'buyer').select('u.id', 'c.id as client_id', 'c.head_counterparty_id')
    ).map((r: { id: number; client_id: number; head_counterparty_id: number }) => ({ userId: r.id, clientId: r.client_id, counterpartyId: r.head_counterparty_id }));
    const readRows = (await db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM news_reads')).rows[0]?.n ?? 0;
    log(`news_reads: ${readRows} rows`);

    const N = Math.max(50, Math.round(500 * scale));
    const ceil = await timed(N, () => db.raw('SELECT 1'));
    const badge = await timed(N, (i) => {
      const v = buyers[(i * 7919) % buyers.length]!;
      return buyerBadges(db, v); // the one query a page runs when the session's could not count them
    });
    const feed = await timed(N, (i) => listFeed(db, buyers[(i * 104729) % buyers.length]!, { limit: 20 }));
    const c50 = pct(ceil, 50);
    figures.push(
      { key: 'select1_p50_ms', label: 'SELECT 1 round trip p50 (ceiling)', value: +c50.toFixed(2), unit: 'ms' },
      { key: 'badges_p50_ms', label: `header badges p50 (${NEWS} news, ${readRows} read marks)`, value: +pct(badge, 50).toFixed(2), unit: 'ms', ratio: +(c50 / pct(badge, 50)).toFixed(3) },
      { key: 'badges_p99_ms', label: 'header badges p99', value: +pct(badge, 99).toFixed(2), unit: 'ms' },
      { key: 'feed_p50_ms', label: 'news feed page (20 items, Markdown rendered) p50', value: +pct(feed, 50).toFixed(2), unit: 'ms', ratio: +(c50 / pct(feed, 50)).toFixed(3) },
      { key: 'feed_p99_ms', label: 'news feed page p99', value: +pct(feed, 99).toFixed(2), unit: 'ms' },
    );

    const MSG = Math.max(200, Math.round(4000 * scale));
    const deps = { db, redis: rt.redis, prefix: rt.prefix, blobs: rt.blobs };
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = next++; i < MSG; i = next++) {
          const b = buyers[i % buyers.length]!;
          const actor: Actor = { userId: b.userId, role: 'buyer', clientId: b.clientId, managerId: null };
          await postMessage(deps, actor, b.clientId, { body: `Question ${i}` });
        }
      }),
    );
    const rate = MSG / ((performance.now() - t0) / 1000);
    figures.push({ key: 'messages_per_s', label: 'messages posted (insert + publish), 20 concurrent', value: Math.round(rate), unit: 'msg/s' });

    const staff = await db('users').where({ role: 'manager' }).first('id', 'manager_id');
    if (!staff) throw new Error('the bench world has no manager');
    const desk = await timed(Math.max(20, Math.round(100 * scale)), () => managedClients(db, { userId: staff.id, role: 'manager', clientId: null, managerId: staff.manager_id }));
    figures.push({ key: 'desk_p50_ms', label: `manager desk (${Math.round(CLIENTS / MANAGERS)} clients, unread counts) p50`, value: +pct(desk, 50).toFixed(2), unit: 'ms' });

    let mails = 0;
    const s0 = performance.now();
    await sendDueMessageNotifications(db, async () => void mails++, { graceMs: 0 });
    figures.push({ key: 'sweep_ms', label: `notification sweep (${mails} threads e-mailed)`, value: Math.round(performance.now() - s0), unit: 'ms' });
    return figures;
  },
};

export default bench;
