// Admin: the reservation settings (period, extensions, warning lead time). Per-client
// overrides live in clients.settings.reservations (same keys).
import { Router } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../infra/runtime.ts';
import { reservationSettings, setReservationSetting, validateReservationPeriod } from '../../store/reservations/settings.ts';
import { refusal } from '../domain-errors.ts';
import { requireRole } from '../auth/context.ts';
import { flash } from '../auth/session.ts';

// The period is checked by the store's one validator (as on /console/settings); the rest here.
const form = z.object({
  extensionAllowed: z.literal('on').optional(),
  maxExtensions: z.coerce.number().int('must be a whole number').min(0).max(100),
  warningLeadMinutes: z.coerce.number().int('must be a whole number').min(0).max(7 * 24 * 60),
});

const LABELS: Record<string, string> = {
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
    let periodHours = 0;
    let error: string | undefined;
    try {
      periodHours = validateReservationPeriod(req.body?.periodHours);
    } catch (err) {
      error = refusal(err, 'invalid').userMessage;
    }
    if (!error && !parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0]);
      error = `${LABELS[field] ?? field} ${issue.message}.`;
    }
    if (error || !parsed.success) {
      res.status(422).render('admin-reservation-settings', {
        title: 'Reservation settings',
        s: { ...req.body, extensionAllowed: req.body?.extensionAllowed === 'on' },
        error,
      });
      return;
    }
    const v = parsed.data;
    await rt.db.transaction(async (trx) => {
      await setReservationSetting(trx, 'periodHours', periodHours);
      await setReservationSetting(trx, 'extensionAllowed', v.extensionAllowed === 'on');
      await setReservationSetting(trx, 'maxExtensions', v.maxExtensions);
      await setReservationSetting(trx, 'warningLeadMinutes', v.warningLeadMinutes);
    });
    flash(req, 'ok', 'Reservation settings saved. New reservations use them; existing ones keep their deadline.');
    res.redirect(303, '/admin/settings/reservations');
  });
  return r;
}
