// Admin: the reservation settings (period, extensions, warning lead time). Per-client
// overrides live in clients.settings.reservations (same keys).
import { Router } from 'express';
import { z } from 'zod';
import type { Runtime } from '../../infra/runtime.ts';
import { reservationSettings, setReservationSetting, validateReservationPeriod } from '../../store/reservations/settings.ts';
import { messageText, refusal } from '../domain-errors.ts';
import { requireRole } from '../auth/context.ts';
import { flash } from '../auth/session.ts';
import { tOf } from '../i18n.ts';

// The period is checked by the store's one validator (as on /console/settings); the rest here.
const RANGES = { maxExtensions: [0, 100], warningLeadMinutes: [0, 7 * 24 * 60] } as const;
const whole = ([min, max]: readonly [number, number]) => z.coerce.number().int().min(min).max(max);
const form = z.object({
  extensionAllowed: z.literal('on').optional(),
  maxExtensions: whole(RANGES.maxExtensions),
  warningLeadMinutes: whole(RANGES.warningLeadMinutes),
});

export function reservationSettingsRoutes(rt: Runtime): Router {
  const r = Router();
  r.get('/admin/settings/reservations', ...requireRole('admin'), async (_req, res) => {
    res.render('admin-reservation-settings', { title: tOf(res)('admin.reservations.title'), s: await reservationSettings(rt.db) });
  });
  r.post('/admin/settings/reservations', ...requireRole('admin'), async (req, res) => {
    const t = tOf(res);
    const parsed = form.safeParse(req.body);
    let periodHours = 0;
    let error: string | undefined;
    try {
      periodHours = validateReservationPeriod(req.body?.periodHours);
    } catch (err) {
      error = messageText(res, refusal(err, 'invalid'));
    }
    if (!error && !parsed.success) {
      const issue = parsed.error.issues[0]!;
      // the field's label and its range: one message for not a number, a fraction or out of range
      const field = String(issue.path[0]);
      const range = field in RANGES ? RANGES[field as keyof typeof RANGES] : null;
      const label = t(`admin.reservations.${field}`, { defaultValue: field });
      error = range ? t('admin.reservations.wholeNumber', { field: label, min: range[0], max: range[1] }) : t('admin.reservations.invalid', { field: label });
    }
    if (error || !parsed.success) {
      res.status(422).render('admin-reservation-settings', {
        title: t('admin.reservations.title'),
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
    flash(req, 'ok', t('admin.reservations.saved'));
    res.redirect(303, '/admin/settings/reservations');
  });
  return r;
}
