// The manager's desk: assigned clients (an admin sees all) with unread counts, updated live
// over SSE when any of their threads changes.
import { type Response, Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { listApprovals } from '../../store/approvals/approvals.ts';
import { type Actor, managedClients } from '../../store/messages/messages.ts';
import { requireRole, viewerOf } from '../auth/context.ts';
import { streamDesk, type ThreadHub } from '../live/thread-hub.ts';
import { tOf } from '../i18n.ts';

const actorOf = (res: Response): Actor => {
  const v = viewerOf(res);
  return { userId: v.userId, role: v.role, clientId: v.clientId, managerId: v.managerId };
};

export function managerRoutes(rt: Runtime, hub: ThreadHub): Router {
  const r = Router();
  const staff = requireRole('manager', 'admin');

  r.get('/manager', ...staff, async (req, res) => {
    const actor = actorOf(res);
    const clients = await managedClients(rt.db, actor);
    res.set('Vary', 'HX-Request');
    if (req.get('hx-request') && req.get('hx-target') === 'managed-clients') return res.render('fragments/managed-clients', { layout: false, clients });
    // Orders of their clients waiting for the client's owner (read only: the owner decides).
    const approvals = await listApprovals(rt.db, viewerOf(res), { pendingOnly: true });
    res.render('manager', { title: tOf(res)('staff.desk.title'), clients, approvals, unlinked: actor.role === 'manager' && actor.managerId === null });
  });

  r.get('/manager/events', ...staff, (req, res) => {
    const actor = actorOf(res);
    const wanted = async (clientId: number) => {
      if (actor.role === 'admin') return true;
      const c = await rt.db('clients').where({ id: clientId }).first('manager_id');
      return actor.managerId !== null && c?.manager_id === actor.managerId;
    };
    streamDesk(hub, wanted, req, res);
  });
  return r;
}
