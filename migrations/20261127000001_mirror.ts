// The mirror: written only by src/sync, read by the store. Every row keeps (source_id,
// external_id); references between mirror rows on the hot paths are resolved to ids by sync.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw(`
    CREATE TABLE sources (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$'),
      kind text NOT NULL CHECK (kind IN ('soap', 'commerceml')),
      title text NOT NULL DEFAULT '',
      settings jsonb NOT NULL DEFAULT '{}',
      cursor text,
      as_of timestamptz,
      last_success_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE product_groups (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      parent_external_id text,
      name text NOT NULL,
      sort int NOT NULL DEFAULT 0,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX product_groups_parent ON product_groups (source_id, parent_external_id);

    CREATE TABLE products (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      group_external_id text,
      sku text,
      barcode text,
      name text NOT NULL,
      description text,
      unit text,
      vat_rate numeric(5,2),
      properties jsonb NOT NULL DEFAULT '{}',
      images jsonb NOT NULL DEFAULT '[]',
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      search tsvector GENERATED ALWAYS AS (
        to_tsvector('russian', coalesce(name, '') || ' ' || coalesce(sku, '') || ' ' || coalesce(barcode, ''))
      ) STORED,
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX products_group ON products (source_id, group_external_id) WHERE NOT deleted;
    CREATE INDEX products_name ON products (lower(name) text_pattern_ops, id) WHERE NOT deleted;
    CREATE INDEX products_sku ON products (lower(sku)) WHERE NOT deleted;
    CREATE INDEX products_barcode ON products (barcode) WHERE NOT deleted;
    CREATE INDEX products_search ON products USING gin (search);
    CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);

    CREATE TABLE offers (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      product_id bigint NOT NULL REFERENCES products ON DELETE CASCADE,
      name text,
      sku text,
      barcode text,
      characteristics jsonb NOT NULL DEFAULT '{}',
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX offers_product ON offers (product_id);
    CREATE INDEX offers_sku ON offers (lower(sku)) WHERE NOT deleted;

    CREATE TABLE price_types (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      name text NOT NULL,
      currency text NOT NULL DEFAULT 'RUB',
      vat_included boolean NOT NULL DEFAULT true,
      is_base boolean NOT NULL DEFAULT false,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );

    -- prices, stock and contract_prices are the mirror's big fact tables (millions of rows).
    -- They carry no foreign keys: per-row FK triggers cost ~40 % of a first full load, and
    -- their only writer (src/sync) resolves every reference by join, so no orphan can appear;
    -- sources_cleanup below removes a deleted source's rows.
    CREATE TABLE prices (
      source_id int NOT NULL,
      offer_id bigint NOT NULL,
      price_type_id bigint NOT NULL,
      value numeric(18,4) NOT NULL CHECK (value >= 0),
      currency text,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (offer_id, price_type_id)
    );
    CREATE INDEX prices_type ON prices (price_type_id, offer_id);

    CREATE TABLE warehouses (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      name text NOT NULL,
      kind text NOT NULL DEFAULT 'own' CHECK (kind IN ('own', 'partner')),
      commission_pct numeric(6,3) NOT NULL DEFAULT 0 CHECK (commission_pct >= 0),
      delivery_days int NOT NULL DEFAULT 0 CHECK (delivery_days >= 0),
      address text,
      sort int NOT NULL DEFAULT 0,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );

    CREATE TABLE stock (
      source_id int NOT NULL,
      offer_id bigint NOT NULL,
      warehouse_id bigint NOT NULL,
      quantity numeric(18,3) NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (offer_id, warehouse_id)
    );
    CREATE INDEX stock_warehouse ON stock (warehouse_id, offer_id) WHERE quantity > 0 AND NOT deleted;

    CREATE TABLE managers (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      name text NOT NULL,
      email text,
      phone text,
      photo_url text,
      messengers jsonb NOT NULL DEFAULT '{}',
      working_hours text,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );

    CREATE TABLE counterparties (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      name text NOT NULL,
      full_name text,
      -- {0,1}, not ?: knex.raw reads a bare ? as a binding placeholder.
      inn text CHECK (inn IS NULL OR inn ~ '^[0-9]{10}([0-9]{2}){0,1}$'),
      kpp text,
      email text,
      phone text,
      head_external_id text,
      manager_external_id text,
      price_type_id bigint REFERENCES price_types ON DELETE SET NULL,
      debt numeric(18,2) NOT NULL DEFAULT 0,
      credit_limit numeric(18,2),
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX counterparties_head ON counterparties (source_id, head_external_id);
    CREATE INDEX counterparties_inn ON counterparties (inn);

    CREATE TABLE contracts (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      name text NOT NULL,
      number text,
      price_type_id bigint REFERENCES price_types ON DELETE SET NULL,
      discount_pct numeric(6,3) NOT NULL DEFAULT 0 CHECK (discount_pct >= 0 AND discount_pct < 100),
      currency text NOT NULL DEFAULT 'RUB',
      valid_from date,
      valid_to date,
      is_default boolean NOT NULL DEFAULT false,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX contracts_counterparty ON contracts (counterparty_id);

    CREATE TABLE contract_prices (
      source_id int NOT NULL,
      contract_id bigint NOT NULL,
      offer_id bigint NOT NULL,
      value numeric(18,4) NOT NULL CHECK (value >= 0),
      currency text,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (contract_id, offer_id)
    );

    CREATE INDEX contract_prices_offer ON contract_prices (offer_id);

    CREATE FUNCTION sources_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM prices WHERE source_id = OLD.id;
      DELETE FROM stock WHERE source_id = OLD.id;
      DELETE FROM contract_prices WHERE source_id = OLD.id;
      RETURN OLD;
    END $$;
    CREATE TRIGGER sources_cleanup BEFORE DELETE ON sources FOR EACH ROW EXECUTE FUNCTION sources_cleanup();

    CREATE TABLE sync_runs (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      kind text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('full', 'delta')),
      state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'succeeded', 'failed')),
      counts jsonb NOT NULL DEFAULT '{}',
      warnings jsonb NOT NULL DEFAULT '[]',
      progress jsonb NOT NULL DEFAULT '{}',
      error text,
      as_of timestamptz,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX sync_runs_source ON sync_runs (source_id, started_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS sync_runs, contract_prices, contracts, counterparties, managers, stock,
      warehouses, prices, price_types, offers, products, product_groups, sources CASCADE;
    DROP FUNCTION IF EXISTS sources_cleanup();
  `);
}
