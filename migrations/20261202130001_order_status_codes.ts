// Order statuses as a canonical code plus the accounting system's own text
// (src/mirror/order-status.ts): orders.status and order_status_history.status hold the code
// (new/confirmed/paid/shipped/completed/cancelled), status_text what the system wrote ('' when
// the store set the status itself). Before this, SOAP sources wrote their raw text into status.
// Existing rows: a code stays as it is; a known text becomes its code and is kept as the text;
// an unknown text is kept as the text with code 'confirmed' — the rule the applier uses for a
// text without a mapping: the system reported a status, so it has taken the order.
// order_status_history.mail_pending: an accounting status the buyer has not been e-mailed about
// yet (the orders.status-mail job sends it); rows before this are history, never mailed.
import type { Knex } from 'knex';

const CODES = `'new', 'confirmed', 'paid', 'shipped', 'completed', 'cancelled'`;
const KNOWN = `(VALUES ('новый', 'new'), ('принят', 'confirmed'), ('подтвержден', 'confirmed'), ('подтверждён', 'confirmed'),
  ('в работе', 'confirmed'), ('собран', 'confirmed'), ('в резерве', 'confirmed'), ('оплачен', 'paid'), ('отгружен', 'shipped'),
  ('доставлен', 'completed'), ('выполнен', 'completed'), ('завершен', 'completed'), ('завершён', 'completed'), ('закрыт', 'completed'),
  ('отменен', 'cancelled'), ('отменён', 'cancelled')) AS k(text, code)`;

const convert = (table: string) => `
  ALTER TABLE ${table} ADD COLUMN status_text text NOT NULL DEFAULT '';
  UPDATE ${table} t SET status_text = t.status,
         status = coalesce((SELECT k.code FROM ${KNOWN} WHERE k.text = lower(btrim(t.status))), 'confirmed')
   WHERE t.status NOT IN (${CODES});
  ALTER TABLE ${table} ADD CONSTRAINT ${table}_status_code CHECK (status IN (${CODES}));`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ${convert('orders')}
    ${convert('order_status_history')}
    ALTER TABLE order_status_history ADD COLUMN mail_pending boolean NOT NULL DEFAULT false;
    CREATE INDEX order_status_history_mail ON order_status_history (id) WHERE mail_pending;
  `);
}

// Down keeps the codes in status (valid values before this too) and drops the source's text.
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS order_status_history_mail;
    ALTER TABLE order_status_history DROP COLUMN IF EXISTS mail_pending;
    ALTER TABLE order_status_history DROP CONSTRAINT IF EXISTS order_status_history_status_code;
    ALTER TABLE order_status_history DROP COLUMN IF EXISTS status_text;
    ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_code;
    ALTER TABLE orders DROP COLUMN IF EXISTS status_text;
  `);
}
