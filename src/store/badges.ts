// The buyer's header badges (unread news, unread messages from the manager) in one prepared
// statement: they are read on every page, so one round trip instead of two.
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';
import { UNREAD_FOR_CLIENT_SQL } from './messages.ts';
import { type FeedViewer, UNREAD_NEWS_SQL, unreadNewsBinds } from './news.ts';

export interface Badges {
  news: number;
  messages: number;
}

const SQL = `SELECT ${UNREAD_NEWS_SQL} AS news, ${UNREAD_FOR_CLIENT_SQL} AS messages`;
const STATEMENT = prepared('buyer_badges', SQL);

export async function buyerBadges(db: Db, v: FeedViewer & { clientId: number }): Promise<Badges> {
  const { rows } = await db.raw(SQL, [...unreadNewsBinds(v), v.clientId]).options(STATEMENT);
  return { news: rows[0].news, messages: rows[0].messages };
}
