// What a newcomer signing in as buyer@demo.local finds: news of each kind (promotion, markdown,
// sale, news) with Markdown and pictures, a few orders that went through the real flow — placed
// at checkout, exported to the accounting system (the simulator) by the export job, given
// statuses there and pulled back by the status job — and a conversation with the manager.
// Each part is made once (a restart keeps what the demo or a person changed since). Only the
// timestamps are moved into the past afterwards, so the cabinet reads like a few weeks of work.
import { randomUUID } from 'node:crypto';
import { exportDueOrders } from '../../jobs/orders-export.ts';
import { pullOrderStatuses } from '../../jobs/orders-status.ts';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';
import { postMessage } from '../store/messages/messages.ts';
import { createNews, type NewsKind } from '../store/news/news.ts';
import { placeOrder } from '../store/orders/checkout.ts';

/** The accounting system's side the demo drives: the simulator's status entry. */
export interface DemoAccounting {
  postOrderStatus(order: string, status: string, note?: string): void;
}

const DAY = 24 * 3600 * 1000;

export async function ensureDemoContent(rt: Runtime, accounting: DemoAccounting, source: string): Promise<void> {
  const buyer = await rt.db('users').where({ email: 'buyer@demo.local', demo: true }).first('id', 'client_id');
  if (!buyer?.client_id) return;
  const client = (await rt.db('clients').where({ id: buyer.client_id }).first('id', 'head_counterparty_id', 'manager_id'))!;
  const offers = await demoOffers(rt, 6);
  await ensureNews(rt, offers);
  if (client.head_counterparty_id) await ensureOrders(rt, accounting, source, { userId: buyer.id, clientId: client.id, counterpartyId: client.head_counterparty_id }, offers);
  await ensureConversation(rt, { userId: buyer.id, clientId: client.id }, offers);
}

interface DemoOffer { offerId: number; warehouseId: number; name: string }

/** Offers well in stock on an own warehouse, one per product, in a stable order. */
async function demoOffers(rt: Runtime, n: number): Promise<DemoOffer[]> {
  const { rows } = await rt.db.raw<{ rows: { offer_id: number; warehouse_id: number; name: string }[] }>(
    `SELECT DISTINCT ON (o.product_id) s.offer_id, s.warehouse_id, o.name
       FROM stock s JOIN warehouses w ON w.id = s.warehouse_id JOIN offers o ON o.id = s.offer_id
      WHERE w.kind = 'own' AND NOT w.deleted AND NOT o.deleted AND NOT s.deleted AND s.quantity >= 30
      ORDER BY o.product_id, w.sort, w.id LIMIT ?`,
    [n],
  );
  return rows.map((r) => ({ offerId: Number(r.offer_id), warehouseId: Number(r.warehouse_id), name: r.name }));
}

async function ensureNews(rt: Runtime, offers: DemoOffer[]): Promise<void> {
  if (await rt.db('news').whereNull('source_id').first('id')) return;
  const link = (o: DemoOffer | undefined) => (o ? `[${o.name}](/product/${o.offerId})` : 'товары из каталога');
  const items: { kind: NewsKind; title: string; bodyMd: string; imageUrl: string; productIds: number[]; pinned?: boolean; daysAgo: number }[] = [
    {
      kind: 'promotion', daysAgo: 1, pinned: true, imageUrl: '/static/demo/news-promotion.svg', productIds: offers.slice(0, 2).map((o) => o.offerId),
      title: 'Скидка 10 % на электроинструмент до конца месяца',
      bodyMd: `До 31-го числа — **минус 10 %** на дрели, шуруповёрты и перфораторы.\n\n- ${link(offers[0])}\n- ${link(offers[1])}\n\nСкидка применяется в корзине автоматически, по вашему договору.`,
    },
    {
      kind: 'markdown', daysAgo: 3, imageUrl: '/static/demo/news-markdown.svg', productIds: offers.slice(2, 3).map((o) => o.offerId),
      title: 'Уценка: остатки прошлых партий',
      bodyMd: `На складе в Казани — товар с повреждённой упаковкой, **до −35 %**. Гарантия сохраняется.\n\n![Уценённый товар](/static/demo/news-drill.svg)\n\nНапример, ${link(offers[2])}. Количество ограничено — смотрите колонку склада в каталоге.`,
    },
    {
      kind: 'sale', daysAgo: 6, imageUrl: '/static/demo/news-sale.svg', productIds: offers.slice(3, 5).map((o) => o.offerId),
      title: 'Распродажа садового инвентаря',
      bodyMd: `Сезон закончился — освобождаем склад.\n\n| Товар | Скидка |\n|---|---|\n| ${link(offers[3])} | 20 % |\n| ${link(offers[4])} | 15 % |\n\nЦены в каталоге уже пересчитаны.`,
    },
    {
      kind: 'news', daysAgo: 12, imageUrl: '/static/demo/news-news.svg', productIds: [],
      title: 'Открыт склад в Екатеринбурге',
      bodyMd: `Теперь заказы по Уралу отгружаем **на следующий день**. Остатки нового склада видны в каталоге отдельной колонкой.\n\nВопросы — вашему менеджеру в разделе [Сообщения](/messages).`,
    },
  ];
  for (const n of items) {
    const id = await createNews(rt.db, { kind: n.kind, title: n.title, bodyMd: n.bodyMd, imageUrl: n.imageUrl, productIds: n.productIds, pinned: n.pinned ?? false });
    await rt.db('news').where({ id }).update({ publish_at: new Date(Date.now() - n.daysAgo * DAY), created_at: new Date(Date.now() - n.daysAgo * DAY) });
  }
  log.info({ news: items.length }, 'demo: news of each kind');
}

/** The statuses each demo order goes through in the accounting system, and how long ago it was placed. */
const ORDER_STORIES: { daysAgo: number; qty: string[]; statuses: [text: string, note: string][] }[] = [
  { daysAgo: 20, qty: ['12', '4'], statuses: [['Собран', 'Собран на складе'], ['Оплачен', 'Оплата по счёту получена'], ['Отгружен', 'Отгружен, ТТН 00451'], ['Доставлен', 'Получен покупателем']] },
  { daysAgo: 9, qty: ['30'], statuses: [['Оплачен', 'Оплата по счёту получена'], ['Отгружен', 'Передан в транспортную компанию']] },
  { daysAgo: 4, qty: ['6', '10', '2'], statuses: [['Подтвержден', 'Резерв на складе до пятницы']] },
  { daysAgo: 2, qty: ['40'], statuses: [['Отменен', 'Отменён по просьбе покупателя']] },
];

async function ensureOrders(rt: Runtime, accounting: DemoAccounting, source: string, who: { userId: number; clientId: number; counterpartyId: number }, offers: DemoOffer[]): Promise<void> {
  // Its own orders are known by their checkout keys (other demo parts may place orders too).
  if (!offers.length || (await rt.db('orders').where({ client_id: who.clientId }).where('creation_key', 'like', 'checkout:demo-story-%').first('id'))) return;
  const contract = await rt.db('contracts').where({ counterparty_id: who.counterpartyId, deleted: false }).orderBy([{ column: 'is_default', order: 'desc' }, 'id']).first('id');
  const placed: { id: number; number: string; story: (typeof ORDER_STORIES)[number] }[] = [];
  for (const [i, story] of ORDER_STORIES.entries()) {
    const lines = story.qty.map((quantity, k) => {
      const o = offers[(i + k) % offers.length]!;
      return { offerId: o.offerId, warehouseId: o.warehouseId, quantity };
    });
    try {
      const order = await placeOrder(rt.db, {
        userId: who.userId, clientId: who.clientId, counterpartyId: who.counterpartyId, contractId: contract?.id ?? null, lines,
        comment: i === 0 ? 'Доставка до склада, въезд с ул. Промышленной' : '', checkoutKey: `demo-story-${randomUUID()}`, creditConfirmed: true,
      });
      placed.push({ id: order.orderId, number: order.number, story });
    } catch (err) {
      log.warn({ err, story: i }, 'demo: an order was refused; the demo goes on without it');
    }
  }
  // The export job hands them to the accounting system, which answers "Принят" to each.
  await exportDueOrders(rt);
  for (const p of placed) for (const [text, note] of p.story.statuses) accounting.postOrderStatus(p.number, text, note);
  await pullOrderStatuses(rt, source);
  // Move each order's life into the past: placed `daysAgo`, one step a day (never after now).
  for (const p of placed) {
    const placedAt = Date.now() - p.story.daysAgo * DAY;
    await rt.db('orders').where({ id: p.id }).update({ created_at: new Date(placedAt) });
    const steps = await rt.db('order_status_history').where({ order_id: p.id }).orderBy('id').select('id');
    for (const [k, s] of steps.entries()) {
      await rt.db('order_status_history').where({ id: s.id }).update({ at: new Date(Math.min(Date.now(), placedAt + k * DAY + k * 3 * 3600 * 1000)), mail_pending: false });
    }
  }
  log.info({ orders: placed.map((p) => p.number) }, 'demo: orders placed, exported and given statuses by the accounting system');
}

async function ensureConversation(rt: Runtime, who: { userId: number; clientId: number }, offers: DemoOffer[]): Promise<void> {
  // Its own conversation is known by its first line (other demo parts may write to the thread too).
  if (await rt.db('messages').where({ client_id: who.clientId }).where('body', 'like', 'Добрый день! Нужно 60 шт.%').first('id')) return;
  const manager = await rt.db('users').where({ email: 'manager@demo.local', demo: true }).first('id', 'manager_id');
  if (!manager) return;
  const deps = { db: rt.db, blobs: rt.blobs };
  const buyerActor = { userId: who.userId, role: 'buyer' as const, clientId: who.clientId, managerId: null };
  const managerActor = { userId: manager.id, role: 'manager' as const, clientId: null, managerId: manager.manager_id };
  const item = offers[0]?.name ?? 'дрели';
  const lines: [side: 'buyer' | 'manager', body: string, hoursAgo: number][] = [
    ['buyer', `Добрый день! Нужно 60 шт. «${item}» к следующей среде. На складе в Москве столько будет?`, 50],
    ['manager', 'Здравствуйте! В Москве сейчас меньше, но в четверг ждём поступление. Могу зарезервировать то, что есть, а остальное — из поступления.', 49],
    ['buyer', 'Да, зарезервируйте, пожалуйста. И пришлите счёт на предоплату.', 48],
    ['manager', 'Резерв поставил, счёт — в разделе «Документы». Если оплатите до пятницы, отгрузим в понедельник.', 47],
    ['manager', 'Кстати, до конца месяца действует скидка 10 % на электроинструмент — смотрите новости.', 2],
  ];
  for (const [side, body, hoursAgo] of lines) {
    const m = await postMessage(deps, side === 'buyer' ? buyerActor : managerActor, who.clientId, { body });
    const at = new Date(Date.now() - hoursAgo * 3600 * 1000);
    // All but the manager's last message were read by the other side.
    await rt.db('messages').where({ id: m.id }).update({ created_at: at, read_at: hoursAgo > 2 ? at : null });
  }
  log.info({ messages: lines.length }, 'demo: a conversation with the manager');
}
