// Indexes the catalog needs: name order with the default collation (the text_pattern_ops index
// of the mirror migration serves prefix search, not ORDER BY), and property filters.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX IF NOT EXISTS products_name_order ON products (lower(name), id) WHERE NOT deleted;
    CREATE INDEX IF NOT EXISTS products_properties ON products USING gin (properties jsonb_path_ops);
    CREATE INDEX IF NOT EXISTS products_sku_trgm ON products USING gin (sku gin_trgm_ops);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS products_name_order, products_properties, products_sku_trgm`);
}
