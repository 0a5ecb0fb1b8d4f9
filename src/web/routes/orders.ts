// Order history with status history, and reorder. Scoped to the viewer's counterparties:
// another client's order id is a 404.
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { approvalOfOrder } from '../../store/approvals/approvals.ts';
import { mayApproveOrders } from '../../store/company/access.ts';
import { listOrders, orderDetail, reorder } from '../../store/orders/history.ts';
import { buyerScope, requireBuyer, requireOrdering } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { idParam, notFound } from '../errors.ts';
import { tOf } from '../i18n.ts';

export function orderRoutes(rt: Runtime): Router {
  const r = Router();

  r.get('/orders', ...requireBuyer, async (_req, res) => {
    const { viewer, counterpartyId } = buyerScope(res);
    const orders = await listOrders(rt.db, viewer.counterpartyIds, counterpartyId);
    res.render('orders', { title: tOf(res)('orders.title'), orders });
  });

  r.get('/orders/:id', ...requireBuyer, async (req, res) => {
    const { viewer } = buyerScope(res);
    const order = await orderDetail(rt.db, viewer.counterpartyIds, idParam(req.params.id, 'order'));
    if (!order) throw notFound('order');
    res.set('Vary', 'HX-Request');
    // htmx polls the status block while the order is open: every 3 s until the accounting system
    // confirmed it, then every 10 s for its later statuses (shipped, paid…) until it is closed.
    const statusPoll = order.status === 'completed' || order.status === 'cancelled' ? null : order.externalNumber ? '10s' : '3s';
    if (req.get('hx-request') && req.get('hx-target') === 'order-status') return res.render('order-status', { layout: false, order, statusPoll });
    // Over its author's limit: the approval's state and, when decided, the owner's comment.
    const approval = order.approvalState ? await approvalOfOrder(rt.db, order.id) : null;
    res.render('order', { title: tOf(res)('order.title', { number: order.number }), order, statusPoll, approval, mayApprove: mayApproveOrders(viewer), selfUrl: `/orders/${order.id}` });
  });

  r.post('/orders/:id/reorder', ...requireOrdering, async (req, res) => {
    const { viewer, counterpartyId, contractId } = buyerScope(res);
    const order = await orderDetail(rt.db, viewer.counterpartyIds, idParam(req.params.id, 'order'));
    if (!order) throw notFound('order');
    const result = await reorder(rt.db, { userId: viewer.userId, counterpartyId, contractId }, order);
    if (result.added) flash(req, 'ok', tOf(res)('orders.reordered', { count: result.added, number: order.number }));
    for (const e of result.errors) flash(req, 'error', e);
    res.redirect(303, '/cart');
  });

  return r;
}
