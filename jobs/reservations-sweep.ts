// reservations.sweep: the safety net (a Redis loss drops delayed jobs) and the clock for
// warnings: expires what is due, warns what enters its warning window, re-applies the
// stock-drop policy to every offer with active reservations; also ends the approvals of orders
// over a limit that nobody decided within their hold's period and e-mails the owners about
// requests nobody told them of yet (src/store/approvals).
import { expireDueApprovals, mailPendingRequests } from '../src/store/approvals/approvals.ts';
import { expireDue, rebalanceShort, warnDue } from '../src/store/reservations/lifecycle.ts';
import { RESERVATION_JOBS } from '../src/store/reservations/timers.ts';
import type { JobDefinition } from './types.ts';

export const reservationsSweepJob: JobDefinition<Record<string, never>> = {
  name: RESERVATION_JOBS.sweep,
  concurrency: 1,
  async process(rt) {
    const expired = await expireDue(rt);
    const warned = await warnDue(rt);
    const approvals = await expireDueApprovals(rt);
    const requested = await mailPendingRequests(rt);
    const short = await rebalanceShort(rt);
    return { expired: expired.length, warned: warned.length, shortChanged: short.length, approvalsExpired: approvals.length, approvalsMailed: requested.length };
  },
  async schedules() {
    return [{ id: 'reservations-sweep', everyMs: 15_000, data: {} }];
  },
};
