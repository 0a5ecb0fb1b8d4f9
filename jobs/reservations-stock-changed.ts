// reservations.stock-changed: a sync changed stock of these offers (or of unknown offers when
// the change list was truncated): apply the stock-drop policy to them.
import { rebalanceShort } from '../src/store/reservations/lifecycle.ts';
import { RESERVATION_JOBS } from '../src/store/reservations/timers.ts';
import type { JobDefinition } from './types.ts';

export const reservationsStockChangedJob: JobDefinition<{ offerIds?: number[] }> = {
  name: RESERVATION_JOBS.stockChanged,
  concurrency: 2,
  async process(rt, job) {
    const changed = await rebalanceShort(rt, job.data.offerIds);
    return { shortChanged: changed.length };
  },
};
