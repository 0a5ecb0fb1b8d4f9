// External ids a session has delivered, per entity: what `deactivate` compares the mirror to
// after a full package that may have been split over several files.
import type { Db } from '../../../src/infra/db/knex.ts';
import type { RecordBatch } from '../parse/parse-file.ts';

export const KEYED_ENTITIES = ['groups', 'priceTypes', 'warehouses', 'products', 'offers', 'counterparties'] as const;
export type KeyedEntity = (typeof KEYED_ENTITIES)[number];

export const TABLE_OF: Record<KeyedEntity, string> = {
  groups: 'product_groups',
  priceTypes: 'price_types',
  warehouses: 'warehouses',
  products: 'products',
  offers: 'offers',
  counterparties: 'counterparties',
};

export async function recordSeen(db: Db, sessionId: number, batch: RecordBatch): Promise<void> {
  for (const e of KEYED_ENTITIES) {
    const list = batch[e] as { externalId: string }[] | undefined;
    if (!list?.length) continue;
    await db.raw(
      `INSERT INTO commerceml_seen (session_id, entity, external_id)
       SELECT ?, ?, unnest(?::text[]) ON CONFLICT DO NOTHING`,
      [sessionId, e, list.map((r) => r.externalId)],
    );
  }
}

/** Also the guard for entity names read back from the database (commerceml_sessions.full_entities). */
export function isKeyed(e: string): e is KeyedEntity {
  return (KEYED_ENTITIES as readonly string[]).includes(e);
}
