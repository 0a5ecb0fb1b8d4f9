// The store's own tables: written by the storefront and by jobs, never by sync.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE clients (
      id bigserial PRIMARY KEY,
      name text NOT NULL,
      manager_id bigint REFERENCES managers ON DELETE SET NULL,
      manager_assigned boolean NOT NULL DEFAULT false, -- set by an admin; sync leaves it alone
      head_counterparty_id bigint UNIQUE REFERENCES counterparties ON DELETE SET NULL,
      settings jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE client_counterparties (
      client_id bigint NOT NULL REFERENCES clients ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      origin text NOT NULL DEFAULT 'sync' CHECK (origin IN ('sync', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (client_id, counterparty_id)
    );
    CREATE INDEX client_counterparties_cp ON client_counterparties (counterparty_id);

    CREATE TABLE users (
      id bigserial PRIMARY KEY,
      email text NOT NULL,
      name text NOT NULL DEFAULT '',
      password_hash text,
      role text NOT NULL CHECK (role IN ('buyer', 'manager', 'admin')),
      client_id bigint REFERENCES clients ON DELETE CASCADE,
      manager_id bigint REFERENCES managers ON DELETE SET NULL,
      current_counterparty_id bigint REFERENCES counterparties ON DELETE SET NULL,
      current_contract_id bigint REFERENCES contracts ON DELETE SET NULL,
      preferences jsonb NOT NULL DEFAULT '{}',
      failed_logins int NOT NULL DEFAULT 0,
      locked_until timestamptz,
      disabled_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (role <> 'buyer' OR client_id IS NOT NULL)
    );
    CREATE UNIQUE INDEX users_email ON users (lower(email));
    CREATE INDEX users_client ON users (client_id);

    CREATE TABLE user_tokens (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('invite', 'reset')),
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE sessions (
      sid text PRIMARY KEY,
      sess jsonb NOT NULL,
      expire timestamptz NOT NULL
    );
    CREATE INDEX sessions_expire ON sessions (expire);

    CREATE TABLE carts (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      contract_id bigint REFERENCES contracts ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, counterparty_id)
    );

    CREATE TABLE cart_lines (
      cart_id bigint NOT NULL REFERENCES carts ON DELETE CASCADE,
      offer_id bigint NOT NULL REFERENCES offers ON DELETE CASCADE,
      warehouse_id bigint REFERENCES warehouses ON DELETE SET NULL,
      quantity numeric(18,3) NOT NULL CHECK (quantity > 0),
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (cart_id, offer_id)
    );

    CREATE TABLE orders (
      id bigserial PRIMARY KEY,
      number text NOT NULL UNIQUE,
      source_id int NOT NULL REFERENCES sources,
      client_id bigint NOT NULL REFERENCES clients,
      user_id bigint REFERENCES users ON DELETE SET NULL,
      counterparty_id bigint NOT NULL REFERENCES counterparties,
      contract_id bigint REFERENCES contracts,
      status text NOT NULL DEFAULT 'new',
      currency text NOT NULL DEFAULT 'RUB',
      total numeric(18,2) NOT NULL,
      comment text NOT NULL DEFAULT '',
      external_id text,
      external_number text,
      exported_at timestamptz,
      export_state text NOT NULL DEFAULT 'pending' CHECK (export_state IN ('pending', 'querying', 'exported')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX orders_counterparty ON orders (counterparty_id, created_at DESC);
    CREATE INDEX orders_client ON orders (client_id, created_at DESC);
    CREATE INDEX orders_export ON orders (source_id, export_state) WHERE export_state <> 'exported';

    CREATE TABLE order_lines (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
      line_no int NOT NULL,
      offer_id bigint NOT NULL REFERENCES offers,
      warehouse_id bigint REFERENCES warehouses,
      sku text,
      name text NOT NULL,
      unit text,
      quantity numeric(18,3) NOT NULL CHECK (quantity > 0),
      price numeric(18,2) NOT NULL,
      amount numeric(18,2) NOT NULL,
      UNIQUE (order_id, line_no)
    );

    CREATE TABLE order_status_history (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
      status text NOT NULL,
      note text NOT NULL DEFAULT '',
      origin text NOT NULL DEFAULT 'store' CHECK (origin IN ('store', 'accounting')),
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX order_status_history_order ON order_status_history (order_id, at);

    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources,
      kind text NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      last_error text,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';

    CREATE TABLE reservations (
      id bigserial PRIMARY KEY,
      client_id bigint NOT NULL REFERENCES clients ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties,
      user_id bigint REFERENCES users ON DELETE SET NULL,
      offer_id bigint NOT NULL REFERENCES offers,
      warehouse_id bigint NOT NULL REFERENCES warehouses,
      quantity numeric(18,3) NOT NULL CHECK (quantity > 0),
      state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'expired', 'cancelled', 'ordered')),
      short boolean NOT NULL DEFAULT false,
      expires_at timestamptz NOT NULL,
      warned_at timestamptz,
      order_id bigint REFERENCES orders ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz
    );
    CREATE INDEX reservations_active ON reservations (offer_id, warehouse_id) WHERE state = 'active';
    CREATE INDEX reservations_expiry ON reservations (expires_at) WHERE state = 'active';
    CREATE INDEX reservations_counterparty ON reservations (counterparty_id, created_at DESC);

    CREATE TABLE waitlist (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      offer_id bigint NOT NULL REFERENCES offers ON DELETE CASCADE,
      warehouse_id bigint REFERENCES warehouses ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      notified_at timestamptz
    );
    CREATE UNIQUE INDEX waitlist_open ON waitlist (user_id, offer_id, coalesce(warehouse_id, 0)) WHERE notified_at IS NULL;
    CREATE INDEX waitlist_offer ON waitlist (offer_id) WHERE notified_at IS NULL;

    CREATE TABLE news (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('promotion', 'news', 'markdown', 'sale')),
      title text NOT NULL,
      body_md text NOT NULL DEFAULT '',
      image_url text,
      product_ids bigint[] NOT NULL DEFAULT '{}',
      audience jsonb NOT NULL DEFAULT '{"all": true}',
      pinned boolean NOT NULL DEFAULT false,
      publish_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      author_user_id bigint REFERENCES users ON DELETE SET NULL,
      source_id int REFERENCES sources ON DELETE CASCADE,
      external_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX news_publish ON news (publish_at DESC);

    CREATE TABLE news_reads (
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      news_id bigint NOT NULL REFERENCES news ON DELETE CASCADE,
      read_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, news_id)
    );

    CREATE TABLE messages (
      id bigserial PRIMARY KEY,
      client_id bigint NOT NULL REFERENCES clients ON DELETE CASCADE,
      author_user_id bigint REFERENCES users ON DELETE SET NULL,
      from_side text NOT NULL CHECK (from_side IN ('client', 'manager')),
      body text NOT NULL,
      attachment jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    );
    CREATE INDEX messages_thread ON messages (client_id, created_at);

    CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS settings, messages, news_reads, news, waitlist, reservations, outbox,
      order_status_history, order_lines, orders, cart_lines, carts, sessions, user_tokens, users,
      client_counterparties, clients CASCADE;
  `);
}
