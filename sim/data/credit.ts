// Settlements (взаиморасчёты) of the counterparties: the overdue part of each debt and what the
// system does with an order past the credit limit. Drawn from a PRNG of their own, so adding them
// left every other generated value as it was — except one debt per largest client, below.
import { int, money, rng } from './random.ts';
import type { SimCounterparty } from './types.ts';

const kopecks = (v: string) => Math.round(Number(v) * 100);

/**
 * Fills overdue and policy in place. One legal entity of each of the largest clients (a head with
 * the most legal entities pointing to it — the demo buyer's company) owes nearly its whole limit:
 * 25 000,00 left, a part of it overdue, orders past the limit refused. Runs before documents, so
 * its reconciliation statement shows the same debt.
 */
export function addSettlements(seed: number, cps: SimCounterparty[]): void {
  const r = rng(seed ^ 0x0c4e_d17);
  for (const cp of cps) {
    const debt = kopecks(cp.debt);
    cp.overdue = money(debt > 0 && r() < 0.35 ? Math.floor((debt * int(r, 5, 60)) / 100) : 0);
    cp.creditPolicy = r() < 0.7 ? 'Запрещать' : 'Предупреждать';
  }
  const size = new Map<string, number>();
  for (const cp of cps) {
    const head = cp.headId ?? cp.id;
    size.set(head, (size.get(head) ?? 0) + 1);
  }
  const most = Math.max(0, ...size.values());
  for (const [head, n] of size) {
    if (n !== most || n < 2) continue;
    const cp = cps.find((c) => c.headId === head)!;
    const limit = kopecks(cp.creditLimit);
    cp.debt = money(limit - 25_000_00);
    cp.overdue = money(Math.floor((limit - 25_000_00) / 10));
    cp.creditPolicy = 'Запрещать';
  }
}
