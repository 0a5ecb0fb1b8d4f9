// The tables of the schema, by owner. Kept in one list so `stats` and tests see every table.
export const MIRROR_TABLES = [
  'sources', 'product_groups', 'products', 'offers', 'price_types', 'prices', 'warehouses', 'stock',
  'managers', 'counterparties', 'contracts', 'contract_prices', 'documents', 'counterparty_credit', 'expected_arrivals', 'sync_runs',
  'images', 'source_images',
] as const;

export const STORE_TABLES = [
  'clients', 'client_counterparties', 'users', 'user_counterparties', 'user_tokens', 'sessions', 'carts', 'cart_lines',
  'orders', 'order_lines', 'order_status_history', 'order_payments', 'order_shipments', 'order_shipment_lines', 'outbox', 'reservations', 'waitlist', 'news',
  'news_reads', 'messages', 'settings', 'message_threads', 'store_identity', 'saved_carts', 'saved_cart_lines', 'registration_requests', 'quotes', 'quote_lines',
  'order_approvals', 'mail_outbox',
] as const;

/** Connector working state (exchange sessions and the like), neither mirror nor store. */
export const CONNECTOR_TABLES = ['commerceml_sessions', 'commerceml_imports', 'commerceml_seen', 'source_cursors'] as const;

/** Infrastructure: the PostgreSQL blob store (BLOB_STORE=postgres). */
export const INFRA_TABLES = ['blob_objects', 'blob_chunks'] as const;
