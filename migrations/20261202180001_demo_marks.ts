// What the demo (`npm start`) created is marked, so a start without the demo can retire it:
// users.demo / sources.demo, and sources.disabled_at (a disabled source is neither scheduled nor
// accepted at the 1C exchange). Rows a demo created before this migration are recognised by the
// demo's fixed names.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users ADD COLUMN demo boolean NOT NULL DEFAULT false;
    ALTER TABLE sources ADD COLUMN demo boolean NOT NULL DEFAULT false;
    ALTER TABLE sources ADD COLUMN disabled_at timestamptz;
    UPDATE users SET demo = true WHERE lower(email) IN ('admin@demo.local', 'manager@demo.local', 'buyer@demo.local');
    UPDATE sources SET demo = true
     WHERE (name = 'cml-demo' AND kind = 'commerceml' AND settings->>'login' = 'demo-1c')
        OR (name = 'demo' AND kind = 'soap' AND settings->>'mapping' = 'connectors/mappings/simulator.yaml');
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users DROP COLUMN demo;
    ALTER TABLE sources DROP COLUMN demo, DROP COLUMN disabled_at;
  `);
}
