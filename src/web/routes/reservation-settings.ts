// Admin: the reservation settings (period, extensions, warning lead time). Per-client
// overrides live in clients.settings.reservations (same keys).
import { Router } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../infra/runtime.ts';
import { reservationSettings, setReservationSetting } from '../../store/reservations/settings.ts';
import { requireRole } from '../auth/context.ts';
import { flash } from '../auth/session.ts';

const form = z.object({
  periodHours: z.coerce.number().positive('must be more than 0').max(24 * 90, 'must be at most 90 days'),
  extensionAllowed: z.literal('on').optional(),
  maxExtensions: z.coerce.number().int('must be a whole number').min(0).max(100),
  warningLeadMinutes: z.coerce.number().int('must be a whole number').min(0).max(7 * 24 * 60),
});

const LABELS: Record<string, string> = {
  periodHours: 'Reservation period',
  maxExtensions: 'Extensions allowed',
  warningLeadMinutes: 'Warning lead time',
};

export function reservationSettingsRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/admin/settings/reservations', ...requireRole('admin'), async (_req, res) => {
    res.render('admin-reservation-settings', { title: 'Reservation settings', s: await reservationSettings(rt.db) });
  });
  r.post('/admin/settings/reservations', ...requireRole('admin'), async (req, res) => {
    const parsed = form.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0]);
      res.status(422).render('admin-reservation-settings', {
        title: 'Reservation settings',
        s: { ...req.body, extensionAllowed: req.body.extensionAllowed === 'on' },
        error: `${LABELS[field] ?? field} ${issue.message}.`,
      });
      return;
    }
    const v = parsed.data;
    await setReservationSetting(rt.db, 'periodHours', v.periodHours);
    await setReservationSetting(rt.db, 'extensionAllowed', v.extensionAllowed === 'on');
    await setReservationSetting(rt.db, 'maxExtensions', v.maxExtensions);
    await setReservationSetting(rt.db, 'warningLeadMinutes', v.warningLeadMinutes);
    flash(req, 'ok', 'Reservation settings saved. New reservations use them; existing ones keep their deadline.');
    res.redirect(303, '/admin/settings/reservations');
  });
  return r;
}
