// Server-sent events for open catalog/product pages: when a sync changes stock or prices of an
// offer on the page, its cells are re-rendered for this viewer and sent (htmx SSE extension
// swaps elements with sse-swap="p<offer>", "s<offer>-<warehouse>", "t<offer>").
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { log } from '../../infra/log.ts';
import { listWarehouses } from '../../store/catalog/availability.ts';
import { offerRows } from '../../store/catalog/catalog.ts';
import { buyerScope, requireBuyer } from '../auth/context.ts';
import { ChangeFeed } from '../live/change-feed.ts';
import { trackEventStream } from '../live/streams.ts';
import { priceCell, sseMessage, stockCell } from '../live/fragments.ts';
import { qty } from '../format.ts';
import { rowView } from './catalog.ts';
import { parseId } from '../errors.ts';

export const MAX_LIVE_IDS = 200;

export function liveRoutes(rt: Runtime, feed = new ChangeFeed(rt.redis, rt.prefix)): Router {
  rt.onShutdown('change feed', () => feed.stop());
  const r = Router();

  r.get('/live/offers', ...requireBuyer, async (req, res) => {
    const { counterpartyId, contractId } = buyerScope(res);
    const ids = new Set(
      String(req.query.ids ?? '')
        .split(',')
        .filter((s) => parseId(s) !== null)
        .slice(0, MAX_LIVE_IDS)
        .map(Number),
    );

    let busy = Promise.resolve();
    const push = (offerIds: number[]) => {
      busy = busy.then(async () => {
        const [rows, warehouses] = await Promise.all([offerRows(rt.db, { counterpartyId, contractId }, offerIds), listWarehouses(rt.db)]);
        let out = '';
        for (const row of rows) {
          const v = rowView(row, warehouses);
          out += sseMessage(`p${row.offerId}`, priceCell(v));
          for (const c of v.cells) out += sseMessage(`s${row.offerId}-${c.warehouseId}`, stockCell(c));
          out += sseMessage(`t${row.offerId}`, v.inStock ? qty(v.totalQty) : 'out of stock');
        }
        if (out && !res.writableEnded) res.write(out);
      }).catch((err: Error) => log.warn({ err: err.message, offers: offerIds.length }, 'live offers: cells not re-rendered; the page shows them on its next load'));
    };
    const unsubscribe = await feed.subscribe((touched) => {
      const hit = touched === null ? [...ids] : [...ids].filter((id) => touched.has(id));
      if (hit.length) push(hit);
    });
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    trackEventStream(req, res);
    res.write(': live\n\n');
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    });
  });

  return r;
}
