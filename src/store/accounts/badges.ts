// The buyer's header badges: unread news and unread messages from the manager. Read on every
// page, so they ride along with the session's own query (withBadges), or take one prepared
// statement (buyerBadges) when that could not serve.
import type { Db } from '../../infra/db/knex.ts';
import { type creditFromJson, creditJsonSql } from '../credit/credit.ts';
import { prepare, runPrepared } from '../../infra/db/prepared.ts';
import { unreadForClientSql } from '../messages/messages.ts';
import { type FeedViewer, unreadNewsBinds, unreadNewsSql } from '../news/news.ts';

export interface Badges {
  news: number;
  messages: number;
}

/** What withBadges adds to a viewer row: the counts and the counterparty/contract they were counted for. */
export interface PreloadedBadges extends Badges {
  counterpartyId: number | null;
  contractId: number | null;
  /** The current counterparty's debt and limit (creditJsonSql), for the cabinet header. */
  credit?: Parameters<typeof creditFromJson>[0] | null;
}

/**
 * A viewer SELECT (viewerSql) extended with a `badges` column, counted for the counterparty and
 * contract SQL takes as current: the stored choice while still linked and valid, else the first
 * in the switcher's order. Callers use the counts only when those ids are the viewer's.
 */
export function withBadges(viewerSelect: string): string {
  return `SELECT v.*, b.badges FROM (${viewerSelect}) v
    LEFT JOIN LATERAL (
      SELECT json_build_object('counterpartyId', cur.id, 'contractId', k.id,
               'news', ${unreadNewsSql({ client: 'v.client_id', counterparty: 'coalesce(cur.id, 0)', contract: 'coalesce(k.id, 0)', user: 'v.id' })},
               'messages', ${unreadForClientSql('v.client_id')}, 'credit', ${creditJsonSql('cur.id')}) AS badges
        FROM (SELECT 1) one
        LEFT JOIN LATERAL (
          SELECT c.id FROM client_counterparties cc JOIN counterparties c ON c.id = cc.counterparty_id AND NOT c.deleted
           WHERE cc.client_id = v.client_id
           ORDER BY coalesce(c.id = v.current_counterparty_id, false) DESC, c.name, c.id LIMIT 1) cur ON true
        LEFT JOIN LATERAL (
          SELECT k.id FROM contracts k
           WHERE k.counterparty_id = cur.id AND NOT k.deleted
             AND (k.valid_to IS NULL OR k.valid_to >= current_date) AND (k.valid_from IS NULL OR k.valid_from <= current_date)
           ORDER BY coalesce(k.id = v.current_contract_id, false) DESC, k.is_default DESC, k.name, k.id LIMIT 1) k ON true
       WHERE v.role = 'buyer' AND v.client_id IS NOT NULL
    ) b ON true`;
}

const BADGES = prepare('buyer_badges', `SELECT ${unreadNewsSql()} AS news, ${unreadForClientSql()} AS messages`);

export async function buyerBadges(db: Db, v: FeedViewer & { clientId: number }): Promise<Badges> {
  const [row] = await runPrepared<Badges>(db, BADGES, [...unreadNewsBinds(v), v.clientId]);
  return { news: row!.news, messages: row!.messages };
}
