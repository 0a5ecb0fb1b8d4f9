// Cart → order in ONE transaction: createOrder (stock re-checked under row locks, so two buyers
// cannot both take the last unit; order, lines, first status and the outbox row the connector's
// export job carries to the accounting system), then a stock hold for the ordered lines and the
// ordered lines leave the cart. Safe to submit twice: the checkout key is the order's creation
// key (a repeat returns the first order) and the outbox idempotency key.
// Refusals are DomainErrors (codes order.*, see create.ts); details.problems lists the lines.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { type CreatedOrder, createOrder, existingOrder, type OrderLineInput } from './create.ts';

/**
 * A safety limit on an order's stock hold. The hold normally ends far sooner: when the accounting
 * system confirms the order, or at the first stock sync after export (src/mirror/order-status.ts).
 */
export const ORDER_HOLD_HOURS = 2;

export interface CheckoutInput {
  userId: number;
  clientId: number;
  counterpartyId: number;
  contractId: number | null;
  lines: OrderLineInput[];
  comment: string;
  /** One per checkout form; a second submit returns the first order. */
  checkoutKey: string;
  /** The buyer confirmed an order past the credit limit (policy 'warn'). */
  creditConfirmed?: boolean;
}

export type CheckoutResult = Omit<CreatedOrder, 'sourceId'>;

/**
 * `inOrder` runs in the order's transaction after it was written (also for a repeat): what must
 * commit with the order, such as its e-mails (src/store/orders/confirmation.ts).
 */
export async function placeOrder(db: Db, input: CheckoutInput, inOrder?: (trx: Knex.Transaction, order: CheckoutResult) => Promise<void>): Promise<CheckoutResult> {
  if (!/^[\w-]{8,64}$/.test(input.checkoutKey)) throw new DomainError('invalid', { key: 'storeRefusals.checkout.key' }, { code: 'order.key' });
  if (!input.lines.length) {
    // A form sent again after its order emptied the cart: that order, not "the cart is empty".
    const done = await existingOrder(db, { kind: 'checkout', checkoutKey: input.checkoutKey }, input.clientId);
    if (done) return result(done);
    throw new DomainError('invalid', { key: 'storeRefusals.checkout.empty' }, { code: 'order.empty' });
  }
  return db.transaction(async (trx) => {
    const order = await createOrder(trx, {
      origin: { kind: 'checkout', checkoutKey: input.checkoutKey },
      userId: input.userId,
      clientId: input.clientId,
      counterpartyId: input.counterpartyId,
      contractId: input.contractId,
      lines: input.lines,
      comment: input.comment,
      creditConfirmed: input.creditConfirmed,
    });
    if (!order.repeated) await holdOrderedStock(trx, input, order.orderId);
    // Also on a repeat: the resubmitted form put its (already ordered) lines back in the cart.
    const cart = await trx('carts').where({ user_id: input.userId, counterparty_id: input.counterpartyId }).first('id');
    if (cart)
      await trx('cart_lines')
        .where({ cart_id: cart.id })
        .whereIn(
          'offer_id',
          input.lines.map((l) => l.offerId),
        )
        .delete();
    await inOrder?.(trx, result(order));
    return result(order);
  });
}

const result = (o: CreatedOrder): CheckoutResult => ({
  orderId: o.orderId, number: o.number, total: o.total, currency: o.currency, repeated: o.repeated, awaitingApproval: o.awaitingApproval,
  ...(o.approvalMessage ? { approvalMessage: o.approvalMessage } : {}),
  ...(o.approvalText ? { approvalText: o.approvalText } : {}),
});

/** The ordered stock stays held (stock rows still locked by createOrder) until the system has the order. */
export async function holdOrderedStock(trx: Knex.Transaction, input: Pick<CheckoutInput, 'clientId' | 'counterpartyId' | 'userId' | 'lines'>, orderId: number): Promise<void> {
  await trx('reservations').insert(
    input.lines.map((l) => ({
      client_id: input.clientId,
      counterparty_id: input.counterpartyId,
      user_id: input.userId,
      offer_id: l.offerId,
      warehouse_id: l.warehouseId,
      quantity: l.quantity,
      state: 'active',
      expires_at: trx.raw(`now() + make_interval(hours => ?)`, [ORDER_HOLD_HOURS]),
      order_id: orderId,
      order_hold: true,
    })),
  );
}
