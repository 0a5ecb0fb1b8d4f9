// Console › Settings (admin): reservation period, partner-warehouse commission overrides, news audiences,
// the seller's requisites on the store's invoices.
import { Router } from 'express';
import YAML from 'yaml';
import { DomainError } from '../../../infra/domain-error.ts';
import type { Runtime } from '../../../infra/runtime.ts';
import { validateReservationPeriod } from '../../../store/reservations/settings.ts';
import { getSetting, setSetting } from '../../../store/settings/settings.ts';
import { requireRole } from '../../auth/context.ts';
import { flash } from '../../auth/session.ts';
import { tOf } from '../../i18n.ts';
import { messageText } from '../../domain-errors.ts';

export function consoleSettingsRoutes(rt: Runtime): Router {
  const r = Router();
  const admin = requireRole('admin');

  const model = async (title: string, errors: Record<string, string> = {}, values: Record<string, string> = {}) => {
    const partners = await rt.db('warehouses').where({ kind: 'partner', deleted: false }).orderBy('name').select('id', 'name', 'commission_pct');
    const overrides = await getSetting(rt.db, 'warehouses.commission_overrides');
    return {
      title,
      section: 'settings',
      errors,
      period: values.period ?? String(await getSetting(rt.db, 'reservations.period_hours')),
      partners: partners.map((w) => ({ ...w, override: values[`commission_${w.id}`] ?? overrides[String(w.id)] ?? '' })),
      audiences: values.audiences ?? YAML.stringify(await getSetting(rt.db, 'news.audiences')),
      seller: values.seller ?? ((s) => (s ? YAML.stringify(s) : ''))(await getSetting(rt.db, 'invoices.seller')),
    };
  };

  r.get('/console/settings', ...admin, async (_req, res) => res.render('console/settings', await model(tOf(res)('console.settings.title'))));

  r.post('/console/settings', ...admin, async (req, res) => {
    const t = tOf(res);
    const b = (req.body ?? {}) as Record<string, string>;
    const errors: Record<string, string> = {};
    const overrides: Record<string, string> = {};
    for (const [k, v] of Object.entries(b)) {
      const m = /^commission_(\d+)$/.exec(k);
      if (m && String(v).trim() !== '') overrides[m[1]!] = String(v).trim().replace(',', '.');
    }
    let audiences: unknown;
    try {
      audiences = YAML.parse(String(b.audiences ?? '')) ?? [];
    } catch (err) {
      errors.audiences = t('console.settings.audiencesNotYaml', { message: (err as Error).message.split('\n')[0] });
    }
    // The seller's requisites: YAML; empty clears them; a form without the field leaves them as they are.
    let seller: unknown;
    if (b.seller !== undefined) {
      try {
        seller = String(b.seller).trim() === '' ? null : YAML.parse(String(b.seller));
      } catch (err) {
        errors.seller = t('console.settings.sellerNotYaml', { message: (err as Error).message.split('\n')[0] });
      }
    }
    // one transaction: a bad value anywhere saves nothing
    try {
      await rt.db.transaction(async (trx) => {
        const checks: [string, () => Promise<unknown>][] = [
          // the store's one period validator, so its message is the admin screen's
          ['period', async () => setSetting(trx, 'reservations.period_hours', validateReservationPeriod(b.period))],
          ['commission', () => setSetting(trx, 'warehouses.commission_overrides', overrides)],
          ['audiences', () => setSetting(trx, 'news.audiences', audiences)],
          ...(b.seller === undefined ? [] : [['seller', () => setSetting(trx, 'invoices.seller', seller)] as [string, () => Promise<unknown>]]),
        ];
        for (const [field, run] of checks) {
          if (errors[field]) continue;
          await run().catch((err) => {
            if (!(err instanceof DomainError)) throw err;
            errors[field] = messageText(res, err);
          });
        }
        if (Object.keys(errors).length) throw new DomainError('invalid', 'rollback');
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      res.status(422).render('console/settings', await model(t('console.settings.title'), errors, b));
      return;
    }
    flash(req, 'ok', t('console.settings.saved'));
    res.redirect(303, '/console/settings');
  });
  return r;
}
