// The store's order number, the one format: "CP-" and the order id, zero-padded to 6 digits
// (CP-000123; a longer id is kept whole). The id comes from the orders.id sequence, found by
// pg_get_serial_sequence so a renamed table or sequence cannot silently diverge.

/** SQL: the next order id (bigint). */
export const NEXT_ORDER_ID_SQL = `nextval(pg_get_serial_sequence('orders', 'id'))`;

/** SQL: the order number of the bigint expression `id` (lpad alone would cut ids over 6 digits). */
export function orderNumberSql(id: string): string {
  return `('CP-' || lpad((${id})::text, greatest(6, length((${id})::text)), '0'))`;
}

/** The order number of an id, as orderNumberSql gives it. */
export function orderNumber(id: number): string {
  return `CP-${String(id).padStart(6, '0')}`;
}
