// /approvals: orders over an employee's limit waiting for the company's owner, who approves or
// rejects each with a comment (src/store/approvals: the rules, the scope and the e-mails).
// Plain forms (no JS needed), CSRF as everywhere. Another client's order, or an entity the
// owner does not act for, is a 404; a role that may not decide is a 403.
import { type Request, type Response, Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { type Decision, decideApproval, listApprovals } from '../../store/approvals/approvals.ts';
import { mayApproveOrders } from '../../store/company/access.ts';
import { requestOrderDelivery } from '../../store/orders/export-request.ts';
import { requireBuyer, viewerOf } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { httpStatus, messageText, refusal } from '../domain-errors.ts';
import { forbidden, idParam } from '../errors.ts';
import { tOf } from '../i18n.ts';

export function approvalRoutes(rt: Runtime): Router {
  const r = Router();

  const render = async (res: Response, status = 200, extra: { error?: string; orderId?: number; comment?: string } = {}) => {
    const v = viewerOf(res);
    const all = await listApprovals(rt.db, v);
    const pending = all.filter((a) => a.state === 'pending').map((a) => ({ ...a, comment: a.orderId === extra.orderId ? (extra.comment ?? '') : '', failed: a.orderId === extra.orderId }));
    res.status(status).render('approvals', { title: tOf(res)('approvals.title'), pending, decided: all.filter((a) => a.state !== 'pending'), error: extra.error });
  };

  const owner = (res: Response) => {
    const v = viewerOf(res);
    if (!mayApproveOrders(v)) throw forbidden(tOf(res)('approvals.ownerOnly'));
    return v;
  };

  r.get('/approvals', ...requireBuyer, async (_req, res) => {
    owner(res);
    await render(res);
  });

  const decide = (decision: Decision) => async (req: Request, res: Response) => {
    const v = owner(res);
    const orderId = idParam(req.params.id, 'order');
    const comment = String(req.body?.comment ?? '');
    try {
      const d = await decideApproval(rt, v, orderId, decision, comment);
      // An approved order goes out now, like one just placed (the periodic export is the safety net).
      if (decision === 'approved') void requestOrderDelivery(rt, d.number);
      flash(req, 'ok', tOf(res)(decision === 'approved' ? 'approvals.approved' : 'approvals.rejected', { number: d.number }));
      res.redirect(303, '/approvals');
    } catch (err) {
      // A foreign id stays the 404 page; a refusal is shown on the page with its status.
      const refused = refusal(err, 'invalid', 'conflict');
      await render(res, httpStatus(refused), { error: messageText(res, refused), orderId, comment });
    }
  };
  r.post('/approvals/:id/approve', ...requireBuyer, decide('approved'));
  r.post('/approvals/:id/reject', ...requireBuyer, decide('rejected'));
  return r;
}

