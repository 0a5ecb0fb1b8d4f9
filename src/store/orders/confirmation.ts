// A checkout with its e-mails: the buyer's order confirmation and, for an order over the buyer's
// limits, the owners' approval request, written to the mail outbox in the order's own transaction
// (src/store/shared/mail-outbox.ts). Placed means e-mailed, whatever Redis does at that moment:
// a failed hand-over is handed again by work.reconcile. A repeated submit writes nothing new.
import type { Runtime } from '../../infra/runtime.ts';
import { publicBaseUrl, renderMail } from '../../mail/index.ts';
import { mailApprovalRequested } from '../approvals/approvals.ts';
import { withOutboxMails } from '../shared/mail-outbox.ts';
import { type CheckoutInput, type CheckoutResult, placeOrder } from './checkout.ts';

export interface ConfirmationLine {
  sku: string | null;
  name: string;
  quantity: string;
  unit: string | null;
  amount: string | null;
}

/** Who is told, in which language, and what the confirmation lists (the cart's lines as ordered). */
export interface Confirmation {
  to: string;
  /** The buyer's own language (users.language), else the store's default. */
  language: string | null;
  lines: ConfirmationLine[];
}

export async function placeOrderWithMails(rt: Runtime, input: CheckoutInput, c: Confirmation): Promise<CheckoutResult> {
  return withOutboxMails(rt, (trx, mails) =>
    placeOrder(trx, input, async (trx, order) => {
      if (order.repeated) return;
      const letter = renderMail(
        'order-confirmation',
        {
          number: order.number, total: order.total, currency: order.currency, comment: input.comment, awaitingApproval: order.awaitingApproval,
          lines: c.lines, url: `${publicBaseUrl(rt.config)}/orders/${order.orderId}`,
        },
        c.language,
      );
      await mails.send({ to: c.to, key: `order-confirmation-${order.orderId}`, subject: letter.subject, text: letter.text, html: letter.html });
      if (order.awaitingApproval) await mailApprovalRequested(rt, mails, order.orderId, trx);
    }),
  );
}
