// Settlements (взаиморасчёты) of the counterparties: the overdue part of each debt and what the
// system does with an order past the credit limit. Drawn from a PRNG of their own, so adding them
// left every other generated value as it was.
import { int, money, rng } from './random.ts';
import type { SimCounterparty } from './types.ts';

const kopecks = (v: string) => Math.round(Number(v) * 100);

/** Fills overdue and policy in place (and keeps generated debts within half their limit). */
export function addSettlements(seed: number, cps: SimCounterparty[]): void {
  const r = rng(seed ^ 0x0c4e_d17);
  for (const cp of cps) {
    const debt = kopecks(cp.debt);
    // A generated debt stays within half the limit (the limit is raised, the debt kept), so only
    // the entities below are near it and orders elsewhere are not refused by chance.
    if (debt * 2 > kopecks(cp.creditLimit)) cp.creditLimit = money(Math.ceil((debt * 2) / 10_000_00) * 10_000_00);
    cp.overdue = money(debt > 0 && r() < 0.35 ? Math.floor((debt * int(r, 5, 60)) / 100) : 0);
    cp.creditPolicy = r() < 0.7 ? 'Запрещать' : 'Предупреждать';
  }
}

/**
 * The demo's accountant: one legal entity (a branch) of each largest client — a head with the
 * most legal entities pointing to it, the demo buyer's company — owes its limit less 25 000,00,
 * a tenth of it overdue, orders past the limit refused. Returns the settlements to post
 * (`state.setSettlement`); generated data has no such entity, so tests are not refused by chance.
 */
export function nearLimitSettlements(cps: SimCounterparty[]): { counterpartyId: string; debt: string; overdue: string; policy: 'Запрещать' }[] {
  const size = new Map<string, number>();
  for (const cp of cps.filter((c) => !c.deleted)) {
    const head = cp.headId ?? cp.id;
    size.set(head, (size.get(head) ?? 0) + 1);
  }
  const most = Math.max(0, ...size.values());
  return [...size].filter(([, n]) => n === most && n >= 2).map(([head]) => {
    const cp = cps.find((c) => c.headId === head && !c.deleted)!;
    const limit = kopecks(cp.creditLimit);
    return { counterpartyId: cp.id, debt: money(limit - 25_000_00), overdue: money(Math.floor((limit - 25_000_00) / 10)), policy: 'Запрещать' as const };
  });
}
