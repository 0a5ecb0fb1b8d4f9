// The manager's desk: assigned clients (an admin sees all) with unread counts.
import { Router } from 'express';
import type { Runtime } from '../../runtime.ts';
import { managedClients } from '../../store/messages.ts';
import { requireRole, viewerOf } from '../auth/context.ts';

export function managerRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/manager', ...requireRole('manager', 'admin'), async (_req, res) => {
    const v = viewerOf(res);
    const clients = await managedClients(rt.db, { userId: v.userId, role: v.role, clientId: v.clientId, managerId: v.managerId });
    res.render('manager', { title: 'My clients', clients, unlinked: v.role === 'manager' && v.managerId === null });
  });
  return r;
}
