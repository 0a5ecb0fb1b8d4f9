// Console › Согласования: orders over an employee's limit waiting for the client's owner, across
// clients (admins: all; managers: their clients'), and those decided in the last 30 days. Read
// only: the company's owner decides (src/store/approvals); staff see what waits, for how long and
// why, and can call or write to the client. `?client=<id>` narrows to one client (a client out
// of the staff's scope shows nothing, as listApprovals scopes every row).
import { Router } from 'express';
import type { Runtime } from '../../../infra/runtime.ts';
import { listApprovals } from '../../../store/approvals/approvals.ts';
import { requireRole, viewerOf } from '../../auth/context.ts';
import { badRequest, parseId } from '../../errors.ts';
import { tOf } from '../../i18n.ts';

export function consoleApprovalRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/console/approvals', ...requireRole('admin', 'manager'), async (req, res) => {
    const t = tOf(res);
    const raw = req.query.client;
    const clientId = raw === undefined || raw === '' ? undefined : parseId(raw);
    if (clientId === null) throw badRequest(t('console.client.choose.client'));
    const all = await listApprovals(rt.db, viewerOf(res), { clientId });
    res.render('console/approvals', {
      title: t('companyAccess.consoleApprovals.title'), section: 'approvals', clientId,
      pending: all.filter((a) => a.state === 'pending'), decided: all.filter((a) => a.state !== 'pending'),
    });
  });
  return r;
}
