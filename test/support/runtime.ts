// One Runtime shared by the test files of a run (the harness gave it its own database and
// Redis prefix). Migrations run up → down → up once, so every migration's down is exercised.
import { migrateLatest, migrateRollbackAll } from '../../src/infra/db/migrate.ts';
import { createRuntime, type Runtime } from '../../src/infra/runtime.ts';

let rt: Promise<Runtime> | undefined;

export function testRuntime(): Promise<Runtime> {
  rt ??= (async () => {
    const r = await createRuntime();
    await migrateLatest(r.db);
    await migrateRollbackAll(r.db);
    await migrateLatest(r.db);
    return r;
  })();
  return rt;
}

export async function closeTestRuntime(): Promise<void> {
  if (rt) await (await rt).shutdown();
  rt = undefined;
}

/** Empties the given tables (and what references them) between tests. */
export async function truncate(r: Runtime, ...tables: string[]): Promise<void> {
  // The mirror's fact tables have no foreign keys (see the mirror migration): name them too.
  const all = tables.includes('sources') ? [...tables, 'prices', 'stock', 'contract_prices'] : tables;
  await r.db.raw(`TRUNCATE ${all.join(', ')} RESTART IDENTITY CASCADE`);
}
