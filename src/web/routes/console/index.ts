// The staff console under /console: admins see everything; managers see sources (read-only)
// and news. Buyers are refused (403) on every console page.
import { Router } from 'express';
import type { Runtime } from '../../../infra/runtime.ts';
import type { MailSender } from '../../../store/shared/mail-port.ts';
import { requireRole, viewerOf } from '../../auth/context.ts';
import type { ConsoleServices } from '../../console-services.ts';
import { registrationConsoleRoutes } from '../register.ts';
import { consoleApprovalRoutes } from './approvals.ts';
import { consoleClientsRoutes } from './clients.ts';
import { consoleNewsRoutes } from './news.ts';
import { consoleSettingsRoutes } from './settings.ts';
import { consoleSourcesRoutes } from './sources.ts';

export function consoleRoutes(rt: Runtime, services: ConsoleServices, mail: MailSender): Router {
  const r = Router();
  // every /console path, including unknown ones, needs a staff role first
  r.use('/console', ...requireRole('admin', 'manager'), (_req, res, next) => {
    res.locals.consoleNav = { isAdmin: viewerOf(res).role === 'admin' };
    next();
  });
  r.get('/console', (_req, res) => res.redirect(303, '/console/sources'));
  r.use(consoleSourcesRoutes(rt, services));
  r.use(consoleNewsRoutes(rt));
  r.use(consoleClientsRoutes(rt, mail));
  r.use(consoleSettingsRoutes(rt));
  r.use(registrationConsoleRoutes(rt, mail));
  r.use(consoleApprovalRoutes(rt));
  return r;
}
