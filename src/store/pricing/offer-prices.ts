// "Their price" for reservation orders and waiting-list e-mails, for many (counterparty,
// contract, offer, warehouse) at once, through the storefront's pricing (src/store/pricing/pricing.ts):
// one pricesFor() query per distinct (counterparty, contract). Without a contract, the
// counterparty's default valid contract is used (same choice as the viewer's switcher).
import type { Db } from '../../infra/db/knex.ts';
import { storeCurrency } from '../../infra/intl.ts';
import { pricesFor, priceAt } from './pricing.ts';

export interface PriceAsk {
  counterpartyId: number;
  contractId?: number | null;
  offerId: number;
  warehouseId: number | null;
}

export interface OfferPrice extends PriceAsk {
  value: string | null;
  currency: string;
}

async function defaultContracts(db: Db, counterpartyIds: number[]): Promise<Map<number, number>> {
  if (!counterpartyIds.length) return new Map();
  const { rows } = await db.raw<{ rows: { counterparty_id: number; id: number }[] }>(
    `SELECT DISTINCT ON (k.counterparty_id) k.counterparty_id, k.id FROM contracts k
      WHERE k.counterparty_id = ANY(?::bigint[]) AND NOT k.deleted
        AND (k.valid_to IS NULL OR k.valid_to >= current_date) AND (k.valid_from IS NULL OR k.valid_from <= current_date)
      ORDER BY k.counterparty_id, k.is_default DESC, k.name, k.id`,
    [counterpartyIds],
  );
  return new Map(rows.map((r) => [r.counterparty_id, r.id]));
}

export async function offerPrices(db: Db, asks: PriceAsk[]): Promise<OfferPrice[]> {
  const defaults = await defaultContracts(db, [...new Set(asks.filter((a) => !a.contractId).map((a) => a.counterpartyId))]);
  const scoped = asks.map((a) => ({ ...a, contractId: a.contractId ?? defaults.get(a.counterpartyId) ?? null }));
  const groups = new Map<string, typeof scoped>();
  for (const a of scoped) {
    const k = `${a.counterpartyId}:${a.contractId ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  const found = new Map<string, { value: string | null; currency: string }>();
  for (const list of groups.values()) {
    const { counterpartyId, contractId } = list[0]!;
    const prices = await pricesFor(db, { counterpartyId, contractId }, [...new Set(list.map((a) => a.offerId))]);
    for (const a of list) {
      const p = prices.get(a.offerId);
      found.set(`${a.counterpartyId}:${a.contractId ?? ''}:${a.offerId}:${a.warehouseId ?? ''}`, { value: priceAt(p, a.warehouseId), currency: p?.currency ?? storeCurrency() });
    }
  }
  return scoped.map((a) => ({ ...a, ...(found.get(`${a.counterpartyId}:${a.contractId ?? ''}:${a.offerId}:${a.warehouseId ?? ''}`) ?? { value: null, currency: storeCurrency() }) }));
}
